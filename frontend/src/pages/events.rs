//! Meetings in the app: a thread's event card (times in the reader's zone
//! with the organiser's beside them, answers, "add to calendar", and for
//! its organiser scheduling, changing and cancelling it), the upcoming
//! events page, and the personal calendar feed on the profile.

use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::{CalendarFeed, Meeting, MeetingStatus, RsvpAnswer, RsvpRequest};

use crate::api::{self, ApiError};
use crate::components::{ConfirmButton, ErrorBox, Loading};
use crate::pages::event_form::EventForm;
use crate::pages::set_title;
use crate::paging::Paging;
use crate::session::use_session;
use crate::time::{self, Zone};

fn label(answer: RsvpAnswer) -> &'static str {
    match answer {
        RsvpAnswer::Going => "Going",
        RsvpAnswer::Maybe => "Maybe",
        RsvpAnswer::NotGoing => "Not going",
    }
}

/// "Thu 14 Dec 2023, 16:00 CET – 17:30 CET" in the reader's zone.
fn when(m: &Meeting, zone: &impl Zone) -> String {
    format!("{} – {}", time::absolute(m.start_utc, zone), time::absolute(m.end_utc, zone))
}

/// "15:00 Thu 14 Dec 2023 Europe/London": as the organiser wrote it.
fn original(m: &Meeting) -> String {
    format!("{} {}", m.start_wall.replace('T', " "), m.timezone)
}

/// A `data:` link to the event's iCalendar text (fetched with the
/// session's token, so it works for threads only members may read).
fn data_url(ics: &str) -> String {
    format!("data:text/calendar;charset=utf-8,{}", String::from(js_sys::encode_uri_component(ics)))
}

/// Changes to the open thread's event or date poll, made on this page or
/// announced by the live stream: whoever shows them loads them again.
#[derive(Clone, Copy)]
pub struct MeetingNews(pub RwSignal<u64>);

impl MeetingNews {
    pub fn bump(&self) {
        self.0.update(|n| *n += 1);
    }
}

/// The thread's event, if it has one; for its organiser (`can_schedule`:
/// the thread's author or a moderator) a way to schedule one.
#[component]
pub fn EventCard(thread_id: i64, #[prop(optional)] can_schedule: bool) -> impl IntoView {
    let s = use_session();
    let meeting = RwSignal::new(None::<Meeting>);
    let loaded = RwSignal::new(false);
    let ics = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let editing = RwSignal::new(false);
    let confirm_cancel = RwSignal::new(false);
    let news = use_context::<MeetingNews>();
    let load = move || {
        spawn_local(async move {
            match api::get::<Meeting>(&format!("/threads/{thread_id}/event")).await {
                Ok(m) => {
                    error.set(None);
                    meeting.set(Some(m));
                    ics.set(api::get_text(&format!("/threads/{thread_id}/event.ics")).await.ok());
                }
                Err(e) if e.is_not_found() => meeting.set(None),
                Err(e) => error.set(Some(e)),
            }
            loaded.set(true);
        })
    };
    Effect::new(move |_| {
        s.me.track();
        if let Some(news) = news {
            news.0.track();
        }
        load();
    });
    let saved = Callback::new(move |m: Option<Meeting>| {
        editing.set(false);
        if let Some(m) = m {
            meeting.set(Some(m));
            if let Some(news) = news {
                news.bump();
            }
        }
    });
    let cancel = Callback::new(move |()| {
        spawn_local(async move {
            match api::post::<_, Meeting>(&format!("/threads/{thread_id}/event/cancel"), &serde_json::json!({})).await {
                Ok(m) => {
                    confirm_cancel.set(false);
                    meeting.set(Some(m));
                    if let Some(news) = news {
                        news.bump();
                    }
                }
                Err(e) => {
                    confirm_cancel.set(false);
                    error.set(Some(e));
                }
            }
        })
    });
    let answer = move |answer: RsvpAnswer| {
        spawn_local(async move {
            let path = format!("/threads/{thread_id}/event/rsvp");
            match api::put_json::<_, Meeting>(&path, &RsvpRequest { answer }).await {
                Ok(m) => {
                    error.set(None);
                    meeting.set(Some(m));
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    view! {
        {move || error.get().map(|e| view! { <ErrorBox error=e/> })}
        {move || {
            meeting
                .get()
                .map(|m| {
                    let cancelled = m.status == MeetingStatus::Cancelled;
                    let mine = m.my_answer;
                    let local = s.zone.with(|z| when(&m, z));
                    let counts = format!("{} going · {} maybe · {} not going", m.counts.going, m.counts.maybe, m.counts.not_going);
                    view! {
                        <section class="event-card" aria-label="Event">
                            <h2>
                                {m.title.clone()}
                                {cancelled.then(|| view! { <span class="badge">"Cancelled"</span> })}
                            </h2>
                            <p class="event-when">
                                <time datetime=m.start_utc.to_rfc3339()>{local}</time>
                                " your time · "
                                <span class="event-original">{original(&m)}</span>
                            </p>
                            {m.place.clone().map(|p| view! { <p>"Where: " {p}</p> })}
                            {m.link.clone().map(|l| view! { <p><a href=l rel="noopener noreferrer">"Join online"</a></p> })}
                            {(!m.description.is_empty()).then(|| view! { <p class="event-description">{m.description.clone()}</p> })}
                            <p class="event-counts">{counts}</p>
                            {m.can_rsvp.then(|| {
                                view! {
                                    <div class="rsvp" role="group" aria-label="Your answer">
                                        {RsvpAnswer::ALL
                                            .into_iter()
                                            .map(|a| {
                                                view! {
                                                    <button type="button" aria-pressed=(mine == Some(a)).to_string() on:click=move |_| answer(a)>
                                                        {label(a)}
                                                    </button>
                                                }
                                            })
                                            .collect_view()}
                                    </div>
                                }
                            })}
                            {move || ics.get().map(|text| view! {
                                <a class="add-to-calendar" download=format!("event-{thread_id}.ics") href=data_url(&text)>"Add to calendar"</a>
                            })}
                            {m.can_edit.then(|| view! {
                                <div class="actions event-actions">
                                    <button type="button" aria-expanded=move || editing.get().to_string() on:click=move |_| editing.update(|e| *e = !*e)>
                                        "Change event"
                                    </button>
                                    {(!cancelled).then(|| view! {
                                        <ConfirmButton
                                            label="Cancel event"
                                            question="Cancel this event? Those who answered going or maybe are told."
                                            yes="Yes, cancel it"
                                            class="danger-text"
                                            open=confirm_cancel
                                            on_confirm=cancel
                                        />
                                    })}
                                </div>
                            })}
                        </section>
                    }
                })
        }}
        {move || {
            (can_schedule && loaded.get() && meeting.with(|m| m.is_none()) && !editing.get()).then(|| view! {
                <p class="schedule-event">
                    <button type="button" on:click=move |_| editing.set(true)>"Schedule an event"</button>
                </p>
            })
        }}
        <Show when=move || editing.get()>
            <EventForm thread_id=thread_id existing=meeting.get_untracked() done=saved/>
        </Show>
    }
}

/// Upcoming events the viewer may read.
#[component]
pub fn EventsPage() -> impl IntoView {
    set_title(|| Some("Upcoming events".into()));
    let s = use_session();
    let events = RwSignal::new(Paging::<Meeting>::default());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let load = move |reset: bool| {
        let cursor = if reset { None } else { events.with_untracked(|p| p.cursor().map(String::from)) };
        loading.set(true);
        spawn_local(async move {
            match api::page::<Meeting>("/events", cursor.as_deref(), &[]).await {
                Ok(page) => events.update(|p| {
                    if reset {
                        *p = Paging::default();
                    }
                    p.push(page, |m| m.thread_id)
                }),
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    Effect::new(move |_| {
        s.me.track();
        load(true);
    });
    view! {
        <h1>"Upcoming events"</h1>
        <p class="meta">"Times are in your zone, with the organiser's beside them. " <a href="/me#calendar">"Your calendar feed"</a></p>
        <ul class="event-list">
            <For each=move || events.with(|p| p.items.clone()) key=|m| (m.thread_id, m.sequence, m.counts.going) let:m>
                <li>
                    <a href=format!("/t/{}", m.thread_id)>{m.title.clone()}</a>
                    {(m.status == MeetingStatus::Cancelled).then(|| view! { <span class="badge">"Cancelled"</span> })}
                    <span class="meta">" · " {m.category.clone()}</span>
                    <br/>
                    {s.zone.with_untracked(|z| when(&m, z))} " your time · " {original(&m)}
                    <span class="meta">{format!(" · {} going", m.counts.going)}</span>
                </li>
            </For>
        </ul>
        {move || error.get().map(|e| view! { <ErrorBox error=e/> })}
        {move || {
            if loading.get() {
                view! { <Loading label="Loading events…"/> }.into_any()
            } else if events.with(|p| p.items.is_empty()) {
                view! { <p>"No upcoming events you can see."</p> }.into_any()
            } else if events.with(|p| p.has_more()) {
                view! { <button type="button" class="load-more" on:click=move |_| load(false)>"Load more events"</button> }.into_any()
            } else {
                ().into_any()
            }
        }}
    }
}

/// The member's calendar feed: make (or replace) its secret URL, shown
/// once, or revoke it.
#[component]
pub fn CalendarFeedBox() -> impl IntoView {
    let feed = RwSignal::new(None::<CalendarFeed>);
    let error = RwSignal::new(None::<ApiError>);
    let revoked = RwSignal::new(false);
    let create = move |_| {
        spawn_local(async move {
            match api::post::<_, CalendarFeed>("/me/calendar-token", &serde_json::json!({})).await {
                Ok(f) => {
                    revoked.set(false);
                    feed.set(Some(f));
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let revoke = move |_| {
        spawn_local(async move {
            match api::delete("/me/calendar-token").await {
                Ok(()) => {
                    feed.set(None);
                    revoked.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    view! {
        <section id="calendar" class="stack">
            <h2>"Calendar feed"</h2>
            <p class="hint">
                "A private address your calendar app can subscribe to: it lists the events you may read, "
                "as you may read them when the app looks. Anyone with the address can read it; replace or revoke it if it leaks."
            </p>
            {move || feed.get().map(|f| view! {
                <p>"Copy it now: it is shown only once."</p>
                <input class="feed-url" readonly value=f.webcal_url.clone() aria-label="Calendar feed address"/>
                <p><a href=f.webcal_url.clone()>"Open in your calendar app"</a></p>
            })}
            {move || revoked.get().then_some(view! { <p role="status">"Revoked: the old address no longer works."</p> })}
            {move || error.get().map(|e| view! { <ErrorBox error=e/> })}
            <div class="row">
                <button type="button" on:click=create>"Make a new feed address"</button>
                <button type="button" class="link-button" on:click=revoke>"Revoke"</button>
            </div>
        </section>
    }
}
