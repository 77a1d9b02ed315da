//! The reply box's `@` autocomplete: people who wrote in the thread (as the
//! API lists them to this reader) and the reader's own groups, in a listbox
//! the arrow keys move through, Enter or Tab takes and Escape closes. The
//! server still decides which names become links.

use leptos::prelude::*;
use quorum_types::{Group, Participant};

use crate::api;
use crate::mention;
use crate::session::use_session;

/// Most suggestions shown at once.
const SHOWN: usize = 8;

#[component]
pub fn MentionSuggestions(
    textarea: NodeRef<leptos::html::Textarea>,
    body: RwSignal<String>,
    thread_id: i64,
    groups: LocalResource<Vec<Group>>,
) -> impl IntoView {
    let s = use_session();
    let people = LocalResource::new(move || async move {
        api::get::<Vec<Participant>>(&format!("/threads/{thread_id}/participants")).await.unwrap_or_default()
    });
    // Where the `@` is and what follows it, while a name is being typed.
    let typed = RwSignal::new(None::<(u32, String)>);
    let active = RwSignal::new(0usize);
    // (name to insert, label shown)
    let suggestions = Memo::new(move |_| {
        let Some((_, q)) = typed.get() else { return Vec::new() };
        let me = s.me.get();
        let my_id = me.as_ref().map(|m| m.id);
        let mut out: Vec<(String, String)> = people
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter(|p| Some(p.user.id) != my_id && mention::fits(&q, &p.user.username, &p.user.display_name))
            .map(|p| (p.user.username.clone(), format!("{} @{}", p.user.display_name, p.user.username)))
            .collect();
        let mine = me.map(|m| m.groups).unwrap_or_default();
        for g in groups.get().unwrap_or_default() {
            if mine.contains(&g.slug) && mention::fits(&q, &g.slug, &g.name) {
                out.push((g.slug.clone(), format!("{} @{} (group)", g.name, g.slug)));
            }
        }
        out.truncate(SHOWN);
        out
    });
    let open = move || typed.with(|t| t.is_some()) && suggestions.with(|s| !s.is_empty());
    let is_box = move |ev: &web_sys::Event| {
        let el = textarea.get_untracked()?;
        let target = ev.target()?;
        let mine: &web_sys::EventTarget = el.as_ref();
        (mine == &target).then_some(el)
    };
    let choose = move |i: usize| {
        let Some((start, _)) = typed.get_untracked() else { return };
        let Some((name, _)) = suggestions.with_untracked(|s| s.get(i).cloned()) else { return };
        let Some(el) = textarea.get_untracked() else { return };
        let caret = el.selection_start().ok().flatten().unwrap_or(start + 1);
        let (text, caret) = mention::complete(&el.value(), start, caret, &name);
        typed.set(None);
        body.set(text.clone());
        el.set_value(&text);
        let _ = el.focus();
        let _ = el.set_selection_range(caret, caret);
        request_animation_frame(move || {
            if let Some(el) = textarea.get_untracked() {
                let _ = el.set_selection_range(caret, caret);
            }
        });
    };
    let on_input = window_event_listener(leptos::ev::input, move |ev| {
        let Some(el) = is_box(&ev) else { return };
        let caret = el.selection_start().ok().flatten().unwrap_or(0);
        typed.set(mention::query_at(&el.value(), caret));
        active.set(0);
    });
    let on_key = window_event_listener(leptos::ev::keydown, move |ev| {
        if is_box(&ev).is_none() || !open() {
            return;
        }
        let n = suggestions.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" => active.update(|a| *a = (*a + 1) % n),
            "ArrowUp" => active.update(|a| *a = (*a + n - 1) % n),
            "Enter" | "Tab" if !ev.ctrl_key() && !ev.meta_key() => choose(active.get_untracked()),
            "Escape" => typed.set(None),
            _ => return,
        }
        ev.prevent_default();
        ev.stop_propagation();
    });
    on_cleanup(move || {
        on_input.remove();
        on_key.remove();
    });
    // The reply box names the list and the suggestion the arrows are on.
    Effect::new(move |_| {
        let Some(el) = textarea.get() else { return };
        let _ = el.set_attribute("aria-autocomplete", "list");
        let _ = el.set_attribute("aria-controls", "mention-list");
        if open() {
            let _ = el.set_attribute("aria-activedescendant", &format!("mention-option-{}", active.get()));
        } else {
            let _ = el.remove_attribute("aria-activedescendant");
        }
    });
    view! {
        <div class="mention-suggest">
            <ul id="mention-list" role="listbox" aria-label="People and groups to mention" class:hidden=move || !open()>
                {move || {
                    suggestions
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, (_, label))| {
                            view! {
                                <li
                                    id=format!("mention-option-{i}")
                                    role="option"
                                    aria-selected=move || if active.get() == i { "true" } else { "false" }
                                    on:mousedown=move |ev| {
                                        ev.prevent_default();
                                        choose(i);
                                    }
                                >
                                    {label}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <p class="visually-hidden" role="status">
                {move || {
                    let n = suggestions.with(Vec::len);
                    (open() && n > 0).then(|| format!("{n} to mention: up and down arrows to choose, Enter to take"))
                }}
            </p>
        </div>
    }
}
