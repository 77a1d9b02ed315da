//! How closely the viewer follows a thread or a category: watching,
//! normal or muted (`PUT …/watch`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::{WatchLevel, WatchRequest, WatchState};

use crate::api::{self, ApiError};

const LEVELS: [(WatchLevel, &str, &str); 3] = [
    (WatchLevel::Watching, "Watching", "Be told of every new post"),
    (WatchLevel::Normal, "Normal", "Be told of replies to you, mentions and quotes"),
    (WatchLevel::Muted, "Muted", "Be told of nothing"),
];

/// Three pressed-or-not buttons; `level` is `None` when the API does not
/// say (a category), until the viewer chooses.
#[component]
pub fn WatchControl(
    /// `/threads/12/watch` or `/categories/news/watch`.
    path: String,
    /// "thread" or "category", for the label.
    place: &'static str,
    level: Option<WatchLevel>,
) -> impl IntoView {
    let level = RwSignal::new(level);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let choose = move |want: WatchLevel| {
        let path = path.clone();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::put_json::<_, WatchState>(&path, &WatchRequest { level: want }).await {
                Ok(state) => level.set(Some(state.level)),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let label = format!("Notifications for this {place}");
    let group_label = label.clone();
    view! {
        <div class="watch-control" role="group" aria-label=group_label>
            <span class="meta">{label} ": "</span>
            {LEVELS
                .into_iter()
                .map(|(value, name, title)| {
                    let choose = choose.clone();
                    view! {
                        <button
                            type="button"
                            class="small"
                            title=title
                            disabled=move || busy.get()
                            aria-pressed=move || if level.get() == Some(value) { "true" } else { "false" }
                            on:click=move |_| choose(value)
                        >
                            {name}
                        </button>
                    }
                })
                .collect_view()}
            {move || error.get().map(|e| view! { <span class="form-error" role="alert">{e.detail}</span> })}
        </div>
    }
}
