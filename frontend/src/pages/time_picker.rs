//! The composer's date-time-zone picker: writes `[date=… time=…
//! timezone="…"]` into the body, starting from the author's zone, and
//! before it does shows the moment as the server will read it and on a
//! second clock of the author's choice, so "4 pm CET" meant as "3 pm
//! London" shows up before it is posted. The server's own renderer decides
//! (through `POST /preview`): an abbreviation such as `CET` is refused
//! there, with suggestions, and the message shows here.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::{PostDate, Preview, PreviewRequest};

use crate::api::{self, ApiError};
use crate::components::{author_zone, ZoneField};
use crate::session::use_session;
use crate::time::{self, Zone};

/// How long typing may pause before the time is checked.
const SETTLE: Duration = Duration::from_millis(300);

#[component]
pub fn TimePicker(
    body: RwSignal<String>,
    textarea: NodeRef<leptos::html::Textarea>,
    /// Prefix of the fields' ids (unique on the page).
    #[prop(into)]
    id: String,
) -> impl IntoView {
    let s = use_session();
    let date = RwSignal::new(String::new());
    let clock = RwSignal::new(String::new());
    let zone = RwSignal::new(author_zone());
    // The second clock starts as the browser's when it differs from the author's zone.
    let second = RwSignal::new(time::browser_zone().filter(|b| *b != zone.get_untracked()).unwrap_or_default());
    let checked = RwSignal::new(None::<(String, Result<PostDate, ApiError>)>);
    let checking = RwSignal::new(false);
    let generation = StoredValue::new(0_u64);
    let no_error = RwSignal::new(None::<ApiError>);
    let markup = move || time::date_markup(&date.get(), &clock.get(), &zone.get());
    Effect::new(move |_| {
        let wanted = markup();
        generation.update_value(|g| *g += 1);
        let this = generation.get_value();
        let Some(wanted) = wanted else {
            checked.set(None);
            checking.set(false);
            return;
        };
        checking.set(true);
        set_timeout(
            move || {
                if generation.get_value() != this {
                    return;
                }
                spawn_local(async move {
                    let request =
                        PreviewRequest { body: wanted.clone(), thread_id: None, category: None, audience: None };
                    let result = api::post::<_, Preview>("/preview", &request).await.and_then(|p| {
                        p.dates.into_iter().next().ok_or_else(|| ApiError {
                            status: 422,
                            detail: "The server did not read a time from this.".into(),
                            fields: Default::default(),
                        })
                    });
                    if generation.get_value() == this {
                        checked.set(Some((wanted, result)));
                        checking.set(false);
                    }
                });
            },
            SETTLE,
        );
    });
    // The checked markup, while it is still what the fields say.
    let ready = move || {
        let current = markup()?;
        checked.with(|c| match c {
            Some((m, Ok(_))) if *m == current => Some(current.clone()),
            _ => None,
        })
    };
    let insert = move |_| {
        let Some(snippet) = ready() else { return };
        let el = textarea.get_untracked();
        let at = el.as_ref().and_then(|el| el.selection_start().ok().flatten());
        body.update(|b| *b = time::insert_at(b, at, &snippet));
        if let Some(el) = el {
            let _ = el.focus();
        }
    };
    let preview = move || {
        if markup().is_none() {
            return view! { <p class="hint">"Choose a date, a time and its zone."</p> }.into_any();
        }
        if checking.get() {
            return view! { <p class="hint">"Checking…"</p> }.into_any();
        }
        match checked.get() {
            Some((_, Ok(d))) => {
                let written = date_text(&d);
                let mine = s.zone.with(|z| format!("{} {}", time::absolute(d.start_utc, z), z.name()));
                let other = second.with(|name| {
                    let name = name.trim();
                    if name.is_empty() {
                        return None;
                    }
                    let zone = time::zone(Some(name));
                    Some(if zone.name() == name {
                        let local = zone.local(d.start_utc);
                        format!("{} {name} ({})", local.at.format("%H:%M %a %-d %b %Y"), local.abbreviation)
                    } else {
                        format!("{name} is not a zone this browser knows")
                    })
                });
                view! {
                    <p class="time-preview-written"><strong>{written}</strong></p>
                    {other.map(|o| view! { <p class="time-preview-second">"is " {o}</p> })}
                    <p class="time-preview-mine meta">"Your time: " {mine}</p>
                }
                .into_any()
            }
            Some((_, Err(e))) => {
                let message = e.field("body").unwrap_or(e.detail);
                view! { <p class="field-error time-preview-error">{message}</p> }.into_any()
            }
            None => ().into_any(),
        }
    };
    let (date_id, time_id) = (format!("{id}-when-date"), format!("{id}-when-time"));
    view! {
        <details class="time-picker">
            <summary>"Insert a time"</summary>
            <div class="stack">
                <div class="row">
                    <div class="field">
                        <label for=date_id.clone()>"Date"</label>
                        <input id=date_id type="date" bind:value=date/>
                    </div>
                    <div class="field">
                        <label for=time_id.clone()>"Time"</label>
                        <input id=time_id type="time" bind:value=clock/>
                    </div>
                </div>
                <ZoneField
                    label="Time zone"
                    id=format!("{id}-when-zone")
                    value=zone
                    error=no_error
                    hint="The zone the time is meant in: an IANA name such as Europe/London, not CET or GMT+1."
                />
                <ZoneField
                    label="Also show in"
                    id=format!("{id}-when-second")
                    value=second
                    error=no_error
                    hint="A second zone to check the time against before you post."
                />
                <div class="time-preview" aria-live="polite">{preview}</div>
                <button type="button" on:click=insert disabled=move || ready().is_none()>"Insert time"</button>
            </div>
        </details>
    }
}

/// "15:00 Thu 14 Dec 2023 Europe/London", as the server read it.
fn date_text(d: &PostDate) -> String {
    let (date, clock) = time::split_wall(d.wall_time.split('/').next().unwrap_or_default());
    let day = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .map(|day| day.format("%a %-d %b %Y").to_string())
        .unwrap_or(date);
    format!("{clock} {day} {}", d.timezone)
}
