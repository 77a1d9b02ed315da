//! Moving a thread to another category (moderators: `can_moderate`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::{Category, Thread, UpdateThreadRequest};

use crate::api::{self, ApiError};

/// A "Move…" button opening a category picker; the API checks the move
/// (a thread's audience may only narrow its new category's) and says why not.
#[component]
pub fn MoveThread(
    thread_id: i64,
    current: String,
    on_change: RwSignal<Option<Result<Thread, ApiError>>>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let target = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let sending = RwSignal::new(false);
    let categories = LocalResource::new(move || async move {
        if open.get() {
            api::page::<Category>("/categories", None, &[("limit", "100")]).await.map(|p| p.items).unwrap_or_default()
        } else {
            Vec::new()
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let slug = target.get_untracked();
        if slug.is_empty() {
            return;
        }
        error.set(None);
        sending.set(true);
        spawn_local(async move {
            let change = UpdateThreadRequest { category: Some(slug), ..Default::default() };
            match api::patch::<_, Thread>(&format!("/threads/{thread_id}"), &change).await {
                Ok(t) => {
                    open.set(false);
                    on_change.set(Some(Ok(t)));
                }
                Err(e) => error.set(Some(e)),
            }
            sending.set(false);
        });
    };
    let select_id = format!("move-thread-{thread_id}");
    view! {
        <button type="button" aria-expanded=move || if open.get() { "true" } else { "false" } on:click=move |_| open.update(|o| *o = !*o)>
            "Move…"
        </button>
        {move || {
            let current = current.clone();
            let select_id = select_id.clone();
            open.get()
                .then(|| {
                    view! {
                        <form class="inline-form move-thread" aria-label="Move this thread" on:submit=submit>
                            <div class="field">
                                <label for=select_id.clone()>"Move to category"</label>
                                <select id=select_id on:change=move |ev| target.set(event_target_value(&ev))>
                                    <option value="" selected=move || target.get().is_empty()>"Choose a category"</option>
                                    {move || {
                                        let current = current.clone();
                                        categories
                                            .get()
                                            .unwrap_or_default()
                                            .into_iter()
                                            .filter(|c| c.slug != current)
                                            .map(|c| {
                                                let slug = c.slug.clone();
                                                view! { <option value=c.slug.clone() selected=move || target.get() == slug>{c.name.clone()}</option> }
                                            })
                                            .collect_view()
                                    }}
                                </select>
                            </div>
                            <button type="submit" disabled=move || sending.get() || target.get().is_empty()>"Move thread"</button>
                            <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.detail}</p> })}
                        </form>
                    }
                })
        }}
    }
}
