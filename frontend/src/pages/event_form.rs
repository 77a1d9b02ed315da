//! Scheduling a thread's event and changing it: title, start and end as
//! wall times in an IANA zone, place, meeting link, description. The API
//! resolves the times and refuses what cannot be meant (an abbreviation,
//! a time the clocks skip); its messages show under the fields.

use leptos::prelude::*;
use quorum_types::{Meeting, MeetingRequest};

use crate::api::{self, ApiError};
use crate::components::{author_zone, FormError, Submission, TextField, ZoneField};
use crate::time;

/// A date input and a time input for one wall time, with the API's message
/// for `field` (`start`, `slots[0].start`, …) under them.
#[component]
pub fn WallField(
    legend: &'static str,
    /// Prefix of the inputs' ids (unique on the page).
    #[prop(into)]
    id: String,
    #[prop(into)] field: String,
    date: RwSignal<String>,
    clock: RwSignal<String>,
    error: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let message = move || error.with(|e| e.as_ref().and_then(|e| e.field(&field)));
    let (date_id, time_id, error_id) = (format!("{id}-date"), format!("{id}-time"), format!("{id}-error"));
    view! {
        <fieldset class="wall-field">
            <legend>{legend}</legend>
            <label for=date_id.clone()>"Date"</label>
            <input id=date_id type="date" required=true aria-describedby=error_id.clone() bind:value=date/>
            <label for=time_id.clone()>"Time"</label>
            <input id=time_id type="time" required=true aria-describedby=error_id.clone() bind:value=clock/>
            <p class="field-error" id=error_id>{message}</p>
        </fieldset>
    }
}

/// `date` and `time` as the API's wall time; an unreadable pair is sent
/// as typed, so the API's message names the field.
pub fn wall_or_raw(date: &str, clock: &str) -> String {
    time::wall(date, clock).unwrap_or_else(|| format!("{date}T{clock}"))
}

fn optional(value: String) -> Option<String> {
    let value = value.trim().to_owned();
    (!value.is_empty()).then_some(value)
}

/// Schedules the thread's event, or changes `existing`; `done` gets the
/// saved event, or `None` when the form is closed without saving.
#[component]
pub fn EventForm(thread_id: i64, existing: Option<Meeting>, done: Callback<Option<Meeting>>) -> impl IntoView {
    let editing = existing.is_some();
    let (start_date, start_time) = existing.as_ref().map(|m| time::split_wall(&m.start_wall)).unwrap_or_default();
    let (end_date, end_time) = existing.as_ref().map(|m| time::split_wall(&m.end_wall)).unwrap_or_default();
    let title = RwSignal::new(existing.as_ref().map(|m| m.title.clone()).unwrap_or_default());
    let start_date = RwSignal::new(start_date);
    let start_time = RwSignal::new(start_time);
    let end_date = RwSignal::new(end_date);
    let end_time = RwSignal::new(end_time);
    let zone = RwSignal::new(existing.as_ref().map(|m| m.timezone.clone()).unwrap_or_else(author_zone));
    let place = RwSignal::new(existing.as_ref().and_then(|m| m.place.clone()).unwrap_or_default());
    let link = RwSignal::new(existing.as_ref().and_then(|m| m.link.clone()).unwrap_or_default());
    let description = RwSignal::new(existing.as_ref().map(|m| m.description.clone()).unwrap_or_default());
    // A new event ends an hour after it starts until the end is set.
    Effect::new(move |_| {
        let (date, clock) = (start_date.get(), start_time.get());
        if editing || !end_date.get_untracked().is_empty() || !end_time.get_untracked().is_empty() {
            return;
        }
        if let Some(end) = time::wall(&date, &clock).and_then(|w| time::wall_after(&w, 60)) {
            let (d, t) = time::split_wall(&end);
            end_date.set(d);
            end_time.set(t);
        }
    });
    let submission = Submission::new();
    let error = submission.error;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = MeetingRequest {
            title: title.get_untracked(),
            start: wall_or_raw(&start_date.get_untracked(), &start_time.get_untracked()),
            end: wall_or_raw(&end_date.get_untracked(), &end_time.get_untracked()),
            timezone: zone.get_untracked().trim().to_owned(),
            fold: None,
            place: optional(place.get_untracked()),
            link: optional(link.get_untracked()),
            description: optional(description.get_untracked()),
        };
        let path = format!("/threads/{thread_id}/event");
        submission.run(async move { api::put_json::<_, Meeting>(&path, &request).await }, move |m| done.run(Some(m)));
    };
    let heading = if editing { "Change the event" } else { "Schedule an event" };
    view! {
        <form class="stack event-form" aria-label=heading on:submit=submit>
            <h3>{heading}</h3>
            <TextField label="Title" name="title" id="event-title" value=title error=error required=true/>
            <WallField legend="Starts" id="event-start" field="start" date=start_date clock=start_time error=error/>
            <WallField legend="Ends" id="event-end" field="end" date=end_date clock=end_time error=error/>
            <ZoneField
                label="Time zone of these times"
                id="event-timezone"
                field="timezone"
                value=zone
                error=error
                required=true
                hint="An IANA zone name such as Europe/London; readers see the times in their own zone beside it."
            />
            <TextField label="Place (optional)" name="place" id="event-place" value=place error=error/>
            <TextField label="Meeting link (optional)" name="link" id="event-link" kind="url" value=link error=error/>
            <div class="field">
                <label for="event-description">"Description (optional)"</label>
                <textarea id="event-description" rows=4 bind:value=description></textarea>
                <p class="field-error">{move || error.with(|e| e.as_ref().and_then(|e| e.field("description")))}</p>
            </div>
            <FormError error=error fields=&["title", "start", "end", "timezone", "place", "link", "description"]/>
            <div class="actions">
                <button type="submit" class="primary" disabled=move || submission.sending.get()>
                    {if editing { "Save event" } else { "Schedule event" }}
                </button>
                <button type="button" on:click=move |_| done.run(None)>"Close"</button>
            </div>
        </form>
    }
}
