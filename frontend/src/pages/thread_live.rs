//! An open thread that keeps up: replies announced by the live stream
//! ("3 new replies", shown on click), edits and likes applied in place,
//! the page opened at the first unread post, and posts marked read as
//! they are scrolled past (in batches, never backwards).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::{Post, ReadRequest, Thread};

use crate::api::{self, ApiError};
use crate::live::{self, LiveEvent};
use crate::paging::Paging;
use crate::reading::{first_unread, read_up_to, PostBox};

/// How long reading may go on before the position is sent.
const READ_BATCH: Duration = Duration::from_millis(800);

/// The newest post the viewer had read when the thread was opened: posts
/// after it are marked "New" for as long as the page is open.
#[derive(Clone, Copy)]
pub struct UnreadFrom(pub RwSignal<Option<i64>>);

impl UnreadFrom {
    /// Whether `post_id` is one the viewer had not read yet (reactive).
    pub fn is_unread(&self, post_id: i64) -> bool {
        self.0.get().is_some_and(|last| post_id > last)
    }
}

/// Posts the stream announced that are not shown yet.
#[derive(Clone, Copy)]
pub struct Incoming {
    pub pending: RwSignal<Vec<i64>>,
}

impl Incoming {
    /// A post this page added itself (the viewer's own reply) needs no notice.
    pub fn shown(&self, post_id: i64) {
        self.pending.update(|p| p.retain(|id| *id != post_id));
    }
}

/// Everything live about one open thread. `load_more` loads the next page
/// of posts (the same as the "Load more posts" button).
pub fn follow(
    thread_id: impl Fn() -> i64 + Copy + 'static,
    thread: RwSignal<Option<Result<Thread, ApiError>>>,
    posts: RwSignal<Paging<Post>>,
    loading: RwSignal<bool>,
    load_more: impl Fn() + Copy + 'static,
    reload: impl Fn() + Copy + 'static,
) -> Incoming {
    let incoming = Incoming { pending: RwSignal::new(Vec::new()) };
    provide_context(incoming);
    let unread_from = UnreadFrom(RwSignal::new(None));
    provide_context(unread_from);

    live::subscribe(move |event| match event {
        LiveEvent::Post { kind, thread_id: t, post_id } if *t == thread_id() => {
            let post_id = *post_id;
            let shown = posts.with_untracked(|p| p.items.iter().any(|x| x.id == post_id));
            if shown {
                refresh_post(posts, post_id);
            } else if kind == "post.created" {
                incoming.pending.update(|p| {
                    if !p.contains(&post_id) {
                        p.push(post_id);
                    }
                });
            }
        }
        LiveEvent::Like { thread_id: t, post_id } if *t == thread_id() => refresh_post(posts, *post_id),
        LiveEvent::Reset => {
            incoming.pending.set(Vec::new());
            reload();
        }
        _ => {}
    });

    open_at_first_unread(thread, posts, loading, unread_from, load_more);
    track_reading(thread, posts);
    incoming
}

/// Fetches one post again (an edit, a like) and replaces it in place.
fn refresh_post(posts: RwSignal<Paging<Post>>, post_id: i64) {
    spawn_local(async move {
        if let Ok(fresh) = api::get::<Post>(&format!("/posts/{post_id}")).await {
            posts.update(|p| p.update(|x| x.id == post_id, |x| *x = fresh));
        }
    });
}

fn has_post_hash() -> bool {
    web_sys::window().and_then(|w| w.location().hash().ok()).is_some_and(|h| h.starts_with("#post-"))
}

/// Once the thread and its first page are in: remember where reading
/// stopped, load pages until the first unread post is there, and scroll to
/// it (unless the address names a post).
fn open_at_first_unread(
    thread: RwSignal<Option<Result<Thread, ApiError>>>,
    posts: RwSignal<Paging<Post>>,
    loading: RwSignal<bool>,
    unread_from: UnreadFrom,
    load_more: impl Fn() + Copy + 'static,
) {
    let done = Rc::new(Cell::new(None::<i64>));
    let marked = Rc::new(Cell::new(None::<i64>));
    Effect::new(move |_| {
        let Some(Ok(t)) = thread.get() else { return };
        if done.get() == Some(t.id) {
            return;
        }
        let (loaded, has_more, busy) = (posts.with(|p| p.loaded), posts.with(|p| p.has_more()), loading.get());
        if !loaded || busy {
            return;
        }
        // Only posts of this thread count (a previous thread's may linger).
        if posts.with(|p| p.items.first().is_some_and(|x| x.thread_id != t.id)) {
            return;
        }
        if marked.get() != Some(t.id) {
            marked.set(Some(t.id));
            unread_from.0.set(t.last_read_post_id);
        }
        let Some(last_read) = t.last_read_post_id else {
            done.set(Some(t.id));
            return;
        };
        let ids: Vec<i64> = posts.with(|p| p.items.iter().map(|x| x.id).collect());
        match first_unread(&ids, Some(last_read)) {
            Some(target) => {
                done.set(Some(t.id));
                if !has_post_hash() {
                    request_animation_frame(move || scroll_to_post(target));
                }
            }
            None if has_more && t.unread_count > 0 => load_more(),
            None => done.set(Some(t.id)),
        }
    });
}

fn scroll_to_post(id: i64) {
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(el) = document.and_then(|d| d.get_element_by_id(&format!("post-{id}"))) {
        el.scroll_into_view();
    }
}

/// Marks posts read as they are scrolled past: checked on scroll and when
/// posts arrive, sent at most every [`READ_BATCH`], and once more on leaving.
fn track_reading(thread: RwSignal<Option<Result<Thread, ApiError>>>, posts: RwSignal<Paging<Post>>) {
    // Only signed-in viewers have a place to keep; `watch_level` says so.
    let tracking = move || thread.with_untracked(|t| matches!(t, Some(Ok(t)) if t.watch_level.is_some()));
    let state = Rc::new(ReadState::default());
    let check = {
        let state = state.clone();
        move || {
            if !tracking() {
                return;
            }
            // Positions belong to the thread whose posts are shown.
            let Some(shown) = posts.with_untracked(|p| p.items.first().map(|x| x.thread_id)) else { return };
            if shown != state.thread.get() {
                state.flush();
                state.thread.set(shown);
                state.seen.set(0);
                state.sent.set(0);
            }
            let boxes = post_boxes(posts);
            let height = web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|h| h.as_f64()).unwrap_or(0.0);
            if let Some(up_to) = read_up_to(&boxes, height) {
                if up_to > state.seen.get() {
                    state.seen.set(up_to);
                    state.schedule();
                }
            }
        }
    };
    let on_scroll = {
        let check = check.clone();
        let queued = Rc::new(Cell::new(false));
        move |_| {
            if queued.replace(true) {
                return;
            }
            let (check, queued) = (check.clone(), queued.clone());
            set_timeout(
                move || {
                    queued.set(false);
                    check();
                },
                Duration::from_millis(150),
            );
        }
    };
    let handle = window_event_listener(leptos::ev::scroll, on_scroll);
    Effect::new({
        let check = check.clone();
        move |_| {
            posts.track();
            thread.track();
            let check = check.clone();
            // After the posts are laid out (and after a jump to the first unread one).
            set_timeout(check, Duration::from_millis(300));
        }
    });
    // The cleanup must be `Send`: it names the state by key, not by pointer.
    let key = NEXT_READ_STATE.with(|n| {
        let key = n.get();
        n.set(key + 1);
        key
    });
    READ_STATES.with(|m| m.borrow_mut().push((key, state)));
    on_cleanup(move || {
        handle.remove();
        let state = READ_STATES.with(|m| {
            let mut m = m.borrow_mut();
            let at = m.iter().position(|(k, _)| *k == key);
            at.map(|at| m.remove(at).1)
        });
        if let Some(state) = state {
            state.flush();
        }
    });
}

thread_local! {
    static READ_STATES: RefCell<Vec<(u64, Rc<ReadState>)>> = const { RefCell::new(Vec::new()) };
    static NEXT_READ_STATE: Cell<u64> = const { Cell::new(1) };
}

#[derive(Default)]
struct ReadState {
    /// The thread the positions are about.
    thread: Cell<i64>,
    /// The furthest post seen on this page.
    seen: Cell<i64>,
    /// The furthest post the API has been told of.
    sent: Cell<i64>,
    scheduled: Cell<bool>,
}

impl ReadState {
    fn schedule(self: &Rc<Self>) {
        if self.scheduled.replace(true) {
            return;
        }
        let state = self.clone();
        set_timeout(
            move || {
                state.scheduled.set(false);
                state.flush();
            },
            READ_BATCH,
        );
    }

    fn flush(&self) {
        let (thread_id, seen) = (self.thread.get(), self.seen.get());
        if seen <= self.sent.get() || thread_id <= 0 {
            return;
        }
        self.sent.set(seen);
        spawn_local(async move {
            let _ = api::put_body(&format!("/threads/{thread_id}/read"), &ReadRequest { post_id: seen }).await;
        });
    }
}

fn post_boxes(posts: RwSignal<Paging<Post>>) -> Vec<PostBox> {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return Vec::new() };
    posts.with_untracked(|p| {
        p.items
            .iter()
            .filter_map(|post| {
                let el = document.get_element_by_id(&format!("post-{}", post.id))?;
                let rect = el.get_bounding_client_rect();
                Some(PostBox { id: post.id, top: rect.top(), bottom: rect.bottom() })
            })
            .collect()
    })
}

/// "3 new replies", above the composer; a click shows them.
#[component]
pub fn NewReplies(posts: RwSignal<Paging<Post>>, incoming: Incoming, load_more: Callback<()>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let show = move |_| {
        let ids = incoming.pending.get_untracked();
        if ids.is_empty() || busy.get_untracked() {
            return;
        }
        // With pages still unloaded, the new posts come after them.
        if posts.with_untracked(|p| p.has_more()) {
            incoming.pending.set(Vec::new());
            load_more.run(());
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let mut ids = ids;
            ids.sort_unstable();
            let mut first = None;
            for id in &ids {
                if let Ok(post) = api::get::<Post>(&format!("/posts/{id}")).await {
                    first.get_or_insert(post.id);
                    posts.update(|p| {
                        if !p.items.iter().any(|x| x.id == post.id) {
                            p.items.push(post);
                        }
                    });
                }
            }
            incoming.pending.update(|p| p.retain(|id| !ids.contains(id)));
            busy.set(false);
            if let Some(first) = first {
                request_animation_frame(move || scroll_to_post(first));
            }
        });
    };
    view! {
        <div class="new-replies" aria-live="polite">
            <Show when=move || incoming.pending.with(|p| !p.is_empty())>
                <button type="button" class="new-replies-button" on:click=show disabled=move || busy.get()>
                    {move || match incoming.pending.with(|p| p.len()) {
                        1 => "1 new reply".to_string(),
                        n => format!("{n} new replies"),
                    }}
                </button>
            </Show>
        </div>
    }
}
