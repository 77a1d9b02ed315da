//! Keyboard shortcuts, Discourse-style: `j`/`k` move between the posts of a
//! thread (or the threads of a list) with a visible focus, `r` replies (to
//! the chosen post, or to the thread), `?` shows the list, `/` searches
//! (`pages/search.rs`). None act while the reader types in a field.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// What `j`/`k` move between on the current page.
const ITEMS: &str = "main article.post, main li.thread-row";
/// The class marking the chosen item (styled as a focus ring).
const CURRENT: &str = "kbd-current";

/// The shortcuts, as the help dialog lists them.
pub const LIST: [(&str, &str); 5] = [
    ("j", "Next post, or next thread in a list"),
    ("k", "Previous post, or previous thread in a list"),
    ("r", "Reply: to the chosen post, else to the thread"),
    ("/", "Search"),
    ("?", "Show these shortcuts"),
];

/// Whether a key press was aimed at a field being typed in.
pub fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .map(|el| {
            let tag = el.tag_name().to_ascii_lowercase();
            tag == "input"
                || tag == "textarea"
                || tag == "select"
                || el.closest("[contenteditable]").ok().flatten().is_some()
        })
        .unwrap_or(false)
}

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

fn items() -> Vec<HtmlElement> {
    let Some(list) = document().and_then(|d| d.query_selector_all(ITEMS).ok()) else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into::<HtmlElement>().ok()).collect()
}

/// Moves the chosen item by `step` (1 or -1) and focuses it: a post itself,
/// a thread through its title link (so Enter opens it).
fn step(by: i32) {
    let all = items();
    if all.is_empty() {
        return;
    }
    let current = all.iter().position(|el| el.class_list().contains(CURRENT));
    let next = match current {
        None if by > 0 => 0,
        None => all.len() - 1,
        Some(i) => (i as i32 + by).clamp(0, all.len() as i32 - 1) as usize,
    };
    for el in &all {
        let _ = el.class_list().remove_1(CURRENT);
    }
    let chosen = &all[next];
    let _ = chosen.class_list().add_1(CURRENT);
    let link = chosen.query_selector("a.thread-title").ok().flatten().and_then(|a| a.dyn_into::<HtmlElement>().ok());
    let target = match link {
        Some(link) => link,
        None => {
            if !chosen.has_attribute("tabindex") {
                let _ = chosen.set_attribute("tabindex", "-1");
            }
            chosen.clone()
        }
    };
    let _ = target.focus();
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Nearest);
    chosen.scroll_into_view_with_scroll_into_view_options(&options);
}

/// `r`: the chosen post's Reply button, else the thread's reply box.
fn reply() -> bool {
    let Some(doc) = document() else { return false };
    let chosen = doc.query_selector(&format!("main article.post.{CURRENT}")).ok().flatten();
    if let Some(post) = chosen {
        if let Ok(buttons) = post.query_selector_all("footer.post-actions button") {
            for i in 0..buttons.length() {
                let button = buttons.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok());
                if let Some(button) = button.filter(|b| b.text_content().is_some_and(|t| t.trim() == "Reply")) {
                    button.click();
                    return true;
                }
            }
        }
    }
    let textarea = doc.query_selector("main section.composer textarea").ok().flatten();
    match textarea.and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
        Some(t) => {
            t.scroll_into_view();
            let _ = t.focus();
            true
        }
        None => false,
    }
}

/// The key handler and the help dialog, mounted once in the shell.
#[component]
pub fn Shortcuts() -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let opener = StoredValue::new_local(None::<HtmlElement>);
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.default_prevented() || typing(&ev) {
            return;
        }
        if dialog.get_untracked().is_some_and(|d| d.open()) {
            return;
        }
        match ev.key().as_str() {
            "j" => step(1),
            "k" => step(-1),
            "r" => {
                if !reply() {
                    return;
                }
            }
            "?" => {
                if let Some(d) = dialog.get_untracked() {
                    let active =
                        document().and_then(|d| d.active_element()).and_then(|e| e.dyn_into::<HtmlElement>().ok());
                    opener.set_value(active);
                    let _ = d.show_modal();
                }
            }
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());
    let close = move |_| {
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
    };
    // Focus goes back where it was when the dialog closes (Escape included).
    let restore = move |_| {
        if let Some(el) = opener.get_value() {
            let _ = el.focus();
        }
    };
    view! {
        <dialog class="shortcuts" node_ref=dialog aria-labelledby="shortcuts-title" on:close=restore>
            <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
            <dl class="shortcut-list">
                {LIST
                    .iter()
                    .map(|(key, what)| view! { <div><dt><kbd>{*key}</kbd></dt><dd>{*what}</dd></div> })
                    .collect_view()}
            </dl>
            <p class="hint">"They do nothing while you type in a field."</p>
            <button type="button" on:click=close>"Close"</button>
        </dialog>
    }
}
