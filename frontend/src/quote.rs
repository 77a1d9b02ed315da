//! Quoting: select text in a post and a "Quote" button appears next to the
//! selection; it puts `[quote=post:ID]…[/quote]` (as the API parses it)
//! into the reply.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The markup for quoting `text` of post `post_id`, appended to `body`
/// after a blank line.
pub fn append_quote(body: &str, post_id: i64, text: &str) -> String {
    let text = text.trim_matches(['\n', '\r', ' ']);
    let mut out = body.trim_end().to_string();
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(&format!("[quote=post:{post_id}]\n{text}\n[/quote]\n\n"));
    out
}

struct Selected {
    post_id: i64,
    text: String,
    top: f64,
    left: f64,
}

/// The selection, when it lies inside one post's text.
fn selection_in_post() -> Option<Selected> {
    let window = web_sys::window()?;
    let selection = window.get_selection().ok()??;
    if selection.is_collapsed() || selection.range_count() == 0 {
        return None;
    }
    let text = String::from(selection.to_string());
    if text.trim().is_empty() {
        return None;
    }
    let post_of = |node: Option<web_sys::Node>| -> Option<i64> {
        let node = node?;
        let element = match node.dyn_ref::<web_sys::Element>() {
            Some(e) => e.clone(),
            None => node.parent_element()?,
        };
        element.closest(".post-body").ok()??;
        let article = element.closest("article.post").ok()??;
        article.id().strip_prefix("post-")?.parse().ok()
    };
    let post_id = post_of(selection.anchor_node())?;
    if post_of(selection.focus_node()) != Some(post_id) {
        return None;
    }
    let rect = selection.get_range_at(0).ok()?.get_bounding_client_rect();
    let top = rect.bottom() + window.scroll_y().unwrap_or(0.0) + 6.0;
    let left = rect.left() + window.scroll_x().unwrap_or(0.0);
    Some(Selected { post_id, text, top, left })
}

/// The floating "Quote" button; a click adds the quote to `body` and moves
/// focus to the reply.
#[component]
pub fn QuoteSelection(body: RwSignal<String>, textarea: NodeRef<leptos::html::Textarea>) -> impl IntoView {
    let selected = RwSignal::new(None::<(i64, String)>);
    let position = RwSignal::new((0.0, 0.0));
    let update = move || match selection_in_post() {
        Some(s) => {
            position.set((s.top, s.left));
            selected.set(Some((s.post_id, s.text)));
        }
        None => selected.set(None),
    };
    // After the mouse or keyboard has changed the selection.
    let mouse = window_event_listener(leptos::ev::mouseup, move |_| {
        set_timeout(update, std::time::Duration::from_millis(0));
    });
    let keys = window_event_listener(leptos::ev::keyup, move |_| update());
    on_cleanup(move || {
        mouse.remove();
        keys.remove();
    });
    let quote = move |_| {
        let Some((post_id, text)) = selected.get_untracked() else { return };
        body.update(|b| *b = append_quote(b, post_id, &text));
        selected.set(None);
        if let Some(window) = web_sys::window() {
            if let Ok(Some(selection)) = window.get_selection() {
                let _ = selection.remove_all_ranges();
            }
        }
        if let Some(el) = textarea.get_untracked() {
            el.scroll_into_view();
            let _ = el.focus();
            let end = body.with_untracked(|b| b.encode_utf16().count() as u32);
            let _ = el.set_selection_range(end, end);
        }
    };
    view! {
        <Show when=move || selected.with(|s| s.is_some())>
            <button
                type="button"
                class="quote-selection small"
                // Set through the CSSOM: the CSP allows no inline style attribute.
                style:top=move || format!("{}px", position.get().0)
                style:left=move || format!("{}px", position.get().1)
                // Keep the selection: the click reads it.
                on:mousedown=|ev| ev.prevent_default()
                on:click=quote
            >
                "Quote"
            </button>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_goes_after_a_blank_line_with_its_tags_on_lines_of_their_own() {
        assert_eq!(append_quote("", 12, "the dates\n"), "[quote=post:12]\nthe dates\n[/quote]\n\n");
        assert_eq!(append_quote("I agree.\n", 3, "  Thursday  "), "I agree.\n\n[quote=post:3]\nThursday\n[/quote]\n\n");
    }
}
