//! A thread's date poll on the thread page: the organiser proposes times
//! (each as wall times in an IANA zone), everyone who reads the thread
//! answers yes / if need be / no per time, each time shows in the reader's
//! zone beside the one it was proposed in, the counts and who answered
//! what are there for all who read it, and the organiser turns the chosen
//! time into the thread's event in one step.

use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::{
    ChooseSlotRequest, DatePoll, DatePollRequest, Meeting, PollAnswer, PollAnswersRequest, PollSlot, PollSlotRequest,
    PollVoter, SlotAnswer,
};

use crate::api::{self, ApiError};
use crate::components::{author_zone, ErrorBox, FormError, Submission, TextField, ZoneField};
use crate::pages::event_form::wall_or_raw;
use crate::pages::events::MeetingNews;
use crate::session::use_session;
use crate::time;

fn label(answer: PollAnswer) -> &'static str {
    match answer {
        PollAnswer::Yes => "Yes",
        PollAnswer::IfNeedBe => "If need be",
        PollAnswer::No => "No",
    }
}

/// Lengths a proposed time may have, in minutes.
const LENGTHS: [(i64, &str); 7] = [
    (30, "30 minutes"),
    (45, "45 minutes"),
    (60, "1 hour"),
    (90, "1½ hours"),
    (120, "2 hours"),
    (180, "3 hours"),
    (240, "4 hours"),
];

fn tell(news: Option<MeetingNews>) {
    if let Some(news) = news {
        news.bump();
    }
}

/// The thread's date poll, or for its organiser a way to start one.
#[component]
pub fn DatePollBox(
    thread_id: i64,
    /// The thread's author or a moderator (the thread's `can_edit`, which
    /// `allows()` decides as it decides scheduling).
    can_schedule: bool,
    /// The thread's title: the event's, until the organiser changes it.
    #[prop(into)]
    title: String,
) -> impl IntoView {
    let s = use_session();
    let news = use_context::<MeetingNews>();
    let poll = RwSignal::new(None::<DatePoll>);
    let voters = RwSignal::new(Vec::<PollVoter>::new());
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let proposing = RwSignal::new(false);
    let choosing = RwSignal::new(None::<PollSlot>);
    let chosen = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            match api::get::<DatePoll>(&format!("/threads/{thread_id}/poll")).await {
                Ok(p) => {
                    let who = api::all::<PollVoter>(&format!("/threads/{thread_id}/poll/answers"), &[]).await;
                    voters.set(who.map(|p| p.items).unwrap_or_default());
                    poll.set(Some(p));
                }
                Err(e) if e.is_not_found() => {
                    poll.set(None);
                    voters.set(Vec::new());
                }
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
    let answer = move |slot_id: i64, answer: PollAnswer| {
        spawn_local(async move {
            let request = PollAnswersRequest { answers: vec![SlotAnswer { slot_id, answer }] };
            match api::put_json::<_, DatePoll>(&format!("/threads/{thread_id}/poll/answers"), &request).await {
                Ok(p) => {
                    error.set(None);
                    poll.set(Some(p));
                    tell(news);
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let proposed = Callback::new(move |p: Option<DatePoll>| {
        proposing.set(false);
        if let Some(p) = p {
            poll.set(Some(p));
            tell(news);
        }
    });
    let made_event = Callback::new(move |m: Option<Meeting>| {
        choosing.set(None);
        if m.is_some() {
            chosen.set(true);
            tell(news);
        }
    });
    let zone = s.zone;
    // What the table is made of: the times and rights, not the answers, so
    // an answer updates its row in place (and keeps the keyboard's place).
    let shape = Memo::new(move |_| {
        poll.with(|p| {
            p.clone().map(|mut p| {
                for slot in &mut p.slots {
                    slot.counts = Default::default();
                    slot.my_answer = None;
                }
                p
            })
        })
    });
    let slot_state = move |id: i64| {
        poll.with(|p| p.as_ref().and_then(|p| p.slots.iter().find(|s| s.id == id).map(|s| (s.counts, s.my_answer))))
    };
    let slots_view = move |p: DatePoll| {
        let (can_answer, can_edit) = (p.can_answer, p.can_edit);
        let rows = p
            .slots
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, slot)| {
                let local = zone.with(|z| time::span_in(slot.start_utc, slot.end_utc, z));
                let original = time::written_span(&slot.start_wall, &slot.end_wall, &slot.timezone);
                let id = slot.id;
                let counts = move || {
                    let c = slot_state(id).map(|(c, _)| c).unwrap_or_default();
                    format!("{} yes · {} if need be · {} no", c.yes, c.if_need_be, c.no)
                };
                let group_label = format!("Your answer for time {}", i + 1);
                let for_choice = slot.clone();
                view! {
                    <tr class="poll-slot">
                        <th scope="row" class="slot-number">{i + 1}</th>
                        <td class="slot-local"><time datetime=slot.start_utc.to_rfc3339()>{local}</time></td>
                        <td class="slot-original">{original}</td>
                        <td class="slot-counts">{counts}</td>
                        {can_answer.then(|| view! {
                            <td>
                                <div class="poll-answer" role="group" aria-label=group_label>
                                    {PollAnswer::ALL
                                        .into_iter()
                                        .map(|a| {
                                            let pressed = move || (slot_state(id).and_then(|(_, mine)| mine) == Some(a)).to_string();
                                            view! {
                                                <button type="button" aria-pressed=pressed on:click=move |_| answer(id, a)>
                                                    {label(a)}
                                                </button>
                                            }
                                        })
                                        .collect_view()}
                                </div>
                            </td>
                        })}
                        {can_edit.then(|| {
                            let for_choice = for_choice.clone();
                            view! {
                                <td>
                                    <button
                                        type="button"
                                        aria-label=format!("Make this the event (time {})", i + 1)
                                        on:click=move |_| {
                                            chosen.set(false);
                                            choosing.set(Some(for_choice.clone()));
                                        }
                                    >
                                        "Make this the event"
                                    </button>
                                </td>
                            }
                        })}
                    </tr>
                }
            })
            .collect_view();
        let zone_name = zone.with(|z| z.name().to_owned());
        view! {
            <p class="meta">{format!("Times in your zone ({zone_name}), beside the zone each was proposed in.")}</p>
            <table class="poll-slots">
                <caption class="visually-hidden">"Proposed times"</caption>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">"Your time"</th>
                        <th scope="col">"Proposed as"</th>
                        <th scope="col">"Answers"</th>
                        {can_answer.then(|| view! { <th scope="col">"Your answer"</th> })}
                        {can_edit.then(|| view! { <th scope="col">"Event"</th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <VotersTable slots=p.slots.clone() voters=voters/>
        }
    };
    view! {
        {move || {
            let p = shape.get();
            let show = p.is_some() || (can_schedule && loaded.get());
            show.then(|| view! {
                <section class="date-poll" aria-labelledby=format!("date-poll-{thread_id}")>
                    <h2 id=format!("date-poll-{thread_id}")>"Find a time"</h2>
                    {match p.clone() {
                        Some(p) => slots_view(p).into_any(),
                        None => view! { <p class="meta">"Propose a few times and let members say which suit them."</p> }.into_any(),
                    }}
                    {move || error.get().map(|e| view! { <ErrorBox error=e/> })}
                    {move || chosen.get().then(|| view! { <p role="status" class="poll-chosen">"The chosen time is now the thread's event."</p> })}
                    {(p.as_ref().map_or(can_schedule, |p| p.can_edit)).then(|| {
                        let label = if p.is_some() { "Change the proposed times" } else { "Propose times" };
                        view! {
                            <p>
                                <button type="button" aria-expanded=move || proposing.get().to_string() on:click=move |_| proposing.update(|o| *o = !*o)>
                                    {label}
                                </button>
                            </p>
                        }
                    })}
                </section>
            })
        }}
        <Show when=move || proposing.get()>
            <PollForm thread_id=thread_id existing=poll.get_untracked() done=proposed/>
        </Show>
        {move || choosing.get().map(|proposed_time| {
            let title = title.clone();
            view! { <ChooseForm thread_id=thread_id proposed=proposed_time title=title done=made_event/> }
        })}
    }
}

/// Who answered what: one row per member, one column per time.
#[component]
fn VotersTable(slots: Vec<PollSlot>, voters: RwSignal<Vec<PollVoter>>) -> impl IntoView {
    let count = slots.len();
    let ids: Vec<i64> = slots.iter().map(|s| s.id).collect();
    move || {
        let list = voters.get();
        (!list.is_empty()).then(|| {
            let ids = ids.clone();
            view! {
                <table class="poll-voters">
                    <caption>"Who answered what"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Member"</th>
                            {(1..=count).map(|n| view! { <th scope="col">{format!("Time {n}")}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {list
                            .into_iter()
                            .map(|v| {
                                let cells = ids
                                    .iter()
                                    .map(|id| {
                                        let answer = v.answers.iter().find(|a| a.slot_id == *id).map(|a| label(a.answer));
                                        view! { <td>{answer.unwrap_or("–")}</td> }
                                    })
                                    .collect_view();
                                view! { <tr><th scope="row">{v.user.display_name.clone()}</th>{cells}</tr> }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            }
        })
    }
}

/// One proposed time being written.
#[derive(Clone, Copy)]
struct SlotDraft {
    key: u64,
    date: RwSignal<String>,
    clock: RwSignal<String>,
    minutes: RwSignal<i64>,
    zone: RwSignal<String>,
}

impl SlotDraft {
    fn new(key: u64, date: String, clock: String, minutes: i64, zone: String) -> Self {
        SlotDraft {
            key,
            date: RwSignal::new(date),
            clock: RwSignal::new(clock),
            minutes: RwSignal::new(minutes),
            zone: RwSignal::new(zone),
        }
    }

    fn request(&self) -> PollSlotRequest {
        let start = wall_or_raw(&self.date.get_untracked(), &self.clock.get_untracked());
        let end = time::wall_after(&start, self.minutes.get_untracked()).unwrap_or_else(|| start.clone());
        PollSlotRequest { start, end, timezone: self.zone.get_untracked().trim().to_owned(), fold: None }
    }
}

/// Proposes the times (replacing those there, which clears the answers).
#[component]
fn PollForm(thread_id: i64, existing: Option<DatePoll>, done: Callback<Option<DatePoll>>) -> impl IntoView {
    let next_key = StoredValue::new(0_u64);
    let key = move || {
        next_key.update_value(|k| *k += 1);
        next_key.get_value()
    };
    let had_answers =
        existing.as_ref().is_some_and(|p| p.slots.iter().any(|s| s.counts.yes + s.counts.if_need_be + s.counts.no > 0));
    let initial: Vec<SlotDraft> = match &existing {
        Some(p) if !p.slots.is_empty() => p
            .slots
            .iter()
            .map(|s| {
                let (date, clock) = time::split_wall(&s.start_wall);
                let minutes = (s.end_utc - s.start_utc).num_minutes();
                SlotDraft::new(key(), date, clock, minutes, s.timezone.clone())
            })
            .collect(),
        _ => vec![SlotDraft::new(key(), String::new(), String::new(), 60, author_zone())],
    };
    let rows = RwSignal::new(initial);
    let default_zone = StoredValue::new(author_zone());
    let submission = Submission::new();
    let error = submission.error;
    let add = move |_| {
        let last = rows.with_untracked(|r| r.last().copied());
        let (date, zone) = last.map_or_else(
            || (String::new(), default_zone.get_value()),
            |l| (l.date.get_untracked(), l.zone.get_untracked()),
        );
        let row = SlotDraft::new(key(), date, String::new(), last.map_or(60, |l| l.minutes.get_untracked()), zone);
        rows.update(|r| r.push(row));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = DatePollRequest { slots: rows.with_untracked(|r| r.iter().map(SlotDraft::request).collect()) };
        let path = format!("/threads/{thread_id}/poll");
        submission.run(async move { api::put_json::<_, DatePoll>(&path, &request).await }, move |p| done.run(Some(p)));
    };
    view! {
        <form class="stack poll-form" aria-label="Propose times" on:submit=submit>
            <h3>"Propose times"</h3>
            {had_answers.then(|| view! { <p class="notice">"Changing the times clears the answers given so far."</p> })}
            <For each=move || rows.get() key=|r| r.key let:row>
                <SlotFields row=row rows=rows error=error/>
            </For>
            <FormError error=error fields=&["slots"]/>
            <p class="field-error">{move || error.with(|e| e.as_ref().and_then(|e| e.field("slots")))}</p>
            <div class="actions">
                <button type="button" on:click=add>"Add a time"</button>
                <button type="submit" class="primary" disabled=move || submission.sending.get()>"Save times"</button>
                <button type="button" on:click=move |_| done.run(None)>"Close"</button>
            </div>
        </form>
    }
}

#[component]
fn SlotFields(row: SlotDraft, rows: RwSignal<Vec<SlotDraft>>, error: RwSignal<Option<ApiError>>) -> impl IntoView {
    let key = row.key;
    let position = move || rows.with(|r| r.iter().position(|x| x.key == key).unwrap_or(0));
    // The API names a row's fields `slots[0].timezone` and so on.
    let messages = move || {
        let prefix = format!("slots[{}].", position());
        error.with(|e| {
            let Some(e) = e.as_ref() else { return String::new() };
            let mut out = Vec::new();
            for (name, list) in &e.fields {
                if let Some(what) = name.strip_prefix(&prefix) {
                    out.extend(list.iter().map(|m| format!("{what}: {m}")));
                }
            }
            out.join(" ")
        })
    };
    let id = format!("slot-{key}");
    let (date_id, time_id, length_id) = (format!("{id}-date"), format!("{id}-time"), format!("{id}-length"));
    let error_id = format!("{id}-error");
    view! {
        <fieldset class="slot-fields">
            <legend>{move || format!("Time {}", position() + 1)}</legend>
            <div class="row">
                <div class="field">
                    <label for=date_id.clone()>"Date"</label>
                    <input id=date_id type="date" required=true aria-describedby=error_id.clone() bind:value=row.date/>
                </div>
                <div class="field">
                    <label for=time_id.clone()>"Starts at"</label>
                    <input id=time_id type="time" required=true aria-describedby=error_id.clone() bind:value=row.clock/>
                </div>
                <div class="field">
                    <label for=length_id.clone()>"Length"</label>
                    <select id=length_id on:change=move |ev| row.minutes.set(event_target_value(&ev).parse().unwrap_or(60))>
                        {LENGTHS
                            .into_iter()
                            .map(|(m, text)| view! { <option value=m.to_string() selected=move || row.minutes.get() == m>{text}</option> })
                            .collect_view()}
                    </select>
                </div>
            </div>
            <ZoneField label="Time zone" id=format!("{id}-zone") value=row.zone error=error required=true/>
            <p class="field-error" id=error_id role="alert">{messages}</p>
            <button
                type="button"
                class="link-button"
                disabled=move || rows.with(|r| r.len() <= 1)
                on:click=move |_| rows.update(|r| r.retain(|x| x.key != key))
            >
                {move || format!("Remove time {}", position() + 1)}
            </button>
        </fieldset>
    }
}

/// Turns one proposed time into the thread's event, with its details.
#[component]
fn ChooseForm(thread_id: i64, proposed: PollSlot, title: String, done: Callback<Option<Meeting>>) -> impl IntoView {
    let slot = proposed;
    let s = use_session();
    let title = RwSignal::new(title);
    let place = RwSignal::new(String::new());
    let link = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let submission = Submission::new();
    let error = submission.error;
    let when = s.zone.with_untracked(|z| time::span_in(slot.start_utc, slot.end_utc, z));
    let original = time::written_span(&slot.start_wall, &slot.end_wall, &slot.timezone);
    let slot_id = slot.id;
    let optional = |v: String| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = ChooseSlotRequest {
            slot_id,
            title: title.get_untracked(),
            place: optional(place.get_untracked()),
            link: optional(link.get_untracked()),
            description: optional(description.get_untracked()),
        };
        let path = format!("/threads/{thread_id}/poll/choose");
        submission.run(async move { api::post::<_, Meeting>(&path, &request).await }, move |m| done.run(Some(m)));
    };
    view! {
        <form class="stack choose-form" aria-label="Make it the event" on:submit=submit>
            <h3>"Make it the event"</h3>
            <p>{when} " your time · " {original}</p>
            <TextField label="Event title" name="title" id="choose-title" value=title error=error required=true/>
            <TextField label="Place (optional)" name="place" id="choose-place" value=place error=error/>
            <TextField label="Meeting link (optional)" name="link" id="choose-link" kind="url" value=link error=error/>
            <div class="field">
                <label for="choose-description">"Description (optional)"</label>
                <textarea id="choose-description" rows=3 bind:value=description></textarea>
            </div>
            <FormError error=error fields=&["title", "place", "link"]/>
            <div class="actions">
                <button type="submit" class="primary" disabled=move || submission.sending.get()>"Make it the event"</button>
                <button type="button" on:click=move |_| done.run(None)>"Close"</button>
            </div>
        </form>
    }
}
