//! Live updates: one `GET /stream` per signed-in tab, read with `fetch`
//! (an `EventSource` cannot send the bearer token), reconnecting with
//! `Last-Event-ID` and a growing pause after a drop.
//!
//! Events carry ids only; pages that care subscribe ([`subscribe`]) and
//! fetch what changed through the API. The unread notification count is
//! kept in the [`Live`] context for the header badge.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::session::{self, use_session};
use crate::sse::{backoff_ms, SseParser};

/// What a page may want to hear about.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveEvent {
    /// A new thread, a new post or an edit (`kind` is the API's:
    /// `thread.created`, `post.created`, `post.edited`).
    Post { kind: String, thread_id: i64, post_id: i64 },
    /// Someone liked one of the viewer's posts.
    Like { thread_id: i64, post_id: i64 },
    /// A thread's event or date poll changed or was answered (`kind` is the
    /// API's: `event.scheduled`, `poll.answered`, …).
    Meeting { kind: String, thread_id: i64 },
    /// Too much was missed to replay: reload what is shown.
    Reset,
}

#[derive(Deserialize)]
struct MeetingData {
    #[serde(default)]
    kind: String,
    thread_id: i64,
}

#[derive(Deserialize)]
struct PostData {
    #[serde(default)]
    kind: String,
    thread_id: i64,
    post_id: i64,
}

#[derive(Deserialize)]
struct UnreadData {
    unread: i64,
}

/// The live state every page can read.
#[derive(Clone, Copy)]
pub struct Live {
    /// Unread notifications, once known.
    pub unread: RwSignal<Option<i64>>,
    /// True while a stream is open.
    pub connected: RwSignal<bool>,
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}

type Listener = Rc<dyn Fn(&LiveEvent)>;

thread_local! {
    static LISTENERS: RefCell<Vec<(u64, Listener)>> = const { RefCell::new(Vec::new()) };
    static NEXT_LISTENER: Cell<u64> = const { Cell::new(1) };
    /// Bumped on every sign-in or sign-out: an older loop stops.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
    static ABORT: RefCell<Option<web_sys::AbortController>> = const { RefCell::new(None) };
}

/// Calls `listener` for every event until the calling component is cleaned up.
pub fn subscribe(listener: impl Fn(&LiveEvent) + 'static) {
    let id = NEXT_LISTENER.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    LISTENERS.with(|l| l.borrow_mut().push((id, Rc::new(listener))));
    on_cleanup(move || LISTENERS.with(|l| l.borrow_mut().retain(|(i, _)| *i != id)));
}

fn publish(event: LiveEvent) {
    // Listeners may subscribe or unsubscribe while handling: call a copy.
    let listeners: Vec<Listener> = LISTENERS.with(|l| l.borrow().iter().map(|(_, f)| f.clone()).collect());
    for listener in listeners {
        listener(&event);
    }
}

/// Provides [`Live`] and keeps one stream open while someone is signed in.
pub fn provide() {
    let live = Live { unread: RwSignal::new(None), connected: RwSignal::new(false) };
    provide_context(live);
    let s = use_session();
    let account = Memo::new(move |_| s.user_id());
    Effect::new(move |_| {
        let account = account.get();
        let generation = GENERATION.with(|g| {
            g.set(g.get() + 1);
            g.get()
        });
        abort();
        live.unread.set(None);
        live.connected.set(false);
        if account.is_some() {
            spawn_local(run(live, generation));
        }
    });
}

fn current(generation: u64) -> bool {
    GENERATION.with(|g| g.get()) == generation
}

fn abort() {
    if let Some(controller) = ABORT.with(|a| a.borrow_mut().take()) {
        controller.abort();
    }
}

async fn run(live: Live, generation: u64) {
    let mut parser = SseParser::new();
    let mut attempt = 0u32;
    while current(generation) {
        let Some(token) = session::access_token().await else { return };
        if !current(generation) {
            return;
        }
        parser.reconnected();
        match read_stream(live, generation, &token, &mut parser).await {
            Outcome::Unauthorized => {
                if !session::refresh().await {
                    return;
                }
            }
            Outcome::Received => attempt = 0,
            Outcome::Failed => {}
        }
        live.connected.set(false);
        if !current(generation) {
            return;
        }
        attempt += 1;
        let pause = backoff_ms(parser.retry_ms().unwrap_or(3000), attempt, js_sys::Math::random());
        gloo_timers::future::TimeoutFuture::new(pause).await;
    }
}

enum Outcome {
    /// 401: refresh the session, then try again.
    Unauthorized,
    /// The stream delivered something before it ended: start the pauses afresh.
    Received,
    Failed,
}

async fn read_stream(live: Live, generation: u64, token: &str, parser: &mut SseParser) -> Outcome {
    match open(token, parser.last_id()).await {
        Ok((response, _)) if response.status() == 401 => Outcome::Unauthorized,
        Ok((response, controller)) if response.ok() => {
            ABORT.with(|a| *a.borrow_mut() = Some(controller));
            if !current(generation) {
                abort();
                return Outcome::Failed;
            }
            live.connected.set(true);
            let mut received = false;
            let Some(body) = response.body() else { return Outcome::Failed };
            let Ok(reader) = body.get_reader().dyn_into::<web_sys::ReadableStreamDefaultReader>() else {
                return Outcome::Failed;
            };
            loop {
                let Ok(chunk) = JsFuture::from(reader.read()).await else { break };
                let done = js_sys::Reflect::get(&chunk, &JsValue::from_str("done")).ok().and_then(|d| d.as_bool());
                if done != Some(false) || !current(generation) {
                    break;
                }
                let value = js_sys::Reflect::get(&chunk, &JsValue::from_str("value")).unwrap_or(JsValue::UNDEFINED);
                let bytes = js_sys::Uint8Array::new(&value).to_vec();
                received = true;
                for event in parser.feed(&bytes) {
                    handle(live, &event.event, &event.data);
                }
            }
            if received {
                Outcome::Received
            } else {
                Outcome::Failed
            }
        }
        _ => Outcome::Failed,
    }
}

async fn open(token: &str, last_id: Option<&str>) -> Result<(web_sys::Response, web_sys::AbortController), JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let headers = web_sys::Headers::new()?;
    headers.set("Accept", "text/event-stream")?;
    headers.set("Authorization", &format!("Bearer {token}"))?;
    if let Some(id) = last_id {
        headers.set("Last-Event-ID", id)?;
    }
    let controller = web_sys::AbortController::new()?;
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_headers(&headers);
    init.set_signal(Some(&controller.signal()));
    let url = format!("{}/stream", crate::api::BASE);
    let response = JsFuture::from(window.fetch_with_str_and_init(&url, &init)).await?;
    Ok((response.dyn_into::<web_sys::Response>()?, controller))
}

fn handle(live: Live, event: &str, data: &str) {
    match event {
        "notifications" => {
            if let Ok(d) = serde_json::from_str::<UnreadData>(data) {
                live.unread.set(Some(d.unread));
            }
        }
        "post" => {
            if let Ok(d) = serde_json::from_str::<PostData>(data) {
                publish(LiveEvent::Post { kind: d.kind, thread_id: d.thread_id, post_id: d.post_id });
            }
        }
        "like" => {
            if let Ok(d) = serde_json::from_str::<PostData>(data) {
                publish(LiveEvent::Like { thread_id: d.thread_id, post_id: d.post_id });
            }
        }
        "meeting" => {
            if let Ok(d) = serde_json::from_str::<MeetingData>(data) {
                publish(LiveEvent::Meeting { kind: d.kind, thread_id: d.thread_id });
            }
        }
        "reset" => publish(LiveEvent::Reset),
        _ => {}
    }
}

/// The header's link to the notifications, with the unread count.
#[component]
pub fn NotificationBadge() -> impl IntoView {
    let live = use_live();
    let count = move || live.unread.get().unwrap_or(0);
    let label = move || match count() {
        0 => "Notifications".to_string(),
        1 => "Notifications, 1 unread".to_string(),
        n => format!("Notifications, {n} unread"),
    };
    view! {
        // `data-live` says whether updates are arriving (for people debugging, and tests).
        <a
            href="/notifications"
            class="notifications-link"
            aria-label=label
            data-live=move || if live.connected.get() { "on" } else { "off" }
        >
            "Notifications"
            <Show when=move || { count() > 0 }>
                <span class="count-badge" aria-hidden="true">{move || count().to_string()}</span>
            </Show>
        </a>
    }
}
