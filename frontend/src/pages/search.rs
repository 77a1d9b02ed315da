//! Search: the box in the header (`/` focuses it) and `/search`, whose
//! query and filters live in the URL, so a search can be linked, reloaded
//! and gone back to. What comes back is only what the viewer may read; the
//! title and snippet HTML are the API's: escaped text, matches in `<mark>`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use quorum_types::SearchHit;
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::components::{AuthorLink, ErrorBox, Loading, TimeAgo};
use crate::pages::set_title;
use crate::paging::Paging;

/// The filters of a search, as they stand in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub q: String,
    /// `titles`, `posts` or empty (both).
    pub field: String,
    /// `relevance` (empty) or `newest`.
    pub order: String,
    pub category: String,
    pub author: String,
}

impl Filters {
    /// The query parameters for the API (and for the page's own URL): only
    /// those set, `q` first.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = vec![("q", self.q.trim().to_string())];
        for (name, value) in
            [("in", &self.field), ("order", &self.order), ("category", &self.category), ("author", &self.author)]
        {
            if !value.trim().is_empty() {
                params.push((name, value.trim().to_string()));
            }
        }
        params
    }

    /// `/search?q=…&…`, each value percent-encoded.
    pub fn href(&self) -> String {
        let query: Vec<String> = self.params().into_iter().map(|(k, v)| format!("{k}={}", api::segment(&v))).collect();
        format!("/search?{}", query.join("&"))
    }
}

/// The header's search box. `/` anywhere outside a text field focuses it.
#[component]
pub fn SearchBox() -> impl IntoView {
    let navigate = use_navigate();
    let q = RwSignal::new(String::new());
    let input = NodeRef::<leptos::html::Input>::new();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() != "/" || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map(|el| {
                let tag = el.tag_name().to_ascii_lowercase();
                tag == "input" || tag == "textarea" || tag == "select" || el.has_attribute("contenteditable")
            })
            .unwrap_or(false);
        if typing {
            return;
        }
        if let Some(el) = input.get_untracked() {
            ev.prevent_default();
            let _ = el.focus();
        }
    });
    on_cleanup(move || handle.remove());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = q.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        navigate(&Filters { q: text, ..Default::default() }.href(), Default::default());
        q.set(String::new());
    };
    view! {
        <form class="header-search" role="search" aria-label="Search the forum" on:submit=submit>
            <label for="header-search-input" class="visually-hidden">"Search"</label>
            <input
                id="header-search-input"
                type="search"
                placeholder="Search ( / )"
                aria-keyshortcuts="/"
                node_ref=input
                bind:value=q
            />
        </form>
    }
}

/// `/search?q=&in=&order=&category=&author=`
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let current = Memo::new(move |_| {
        query.with(|p| Filters {
            q: p.get("q").unwrap_or_default(),
            field: p.get("in").unwrap_or_default(),
            order: p.get("order").unwrap_or_default(),
            category: p.get("category").unwrap_or_default(),
            author: p.get("author").unwrap_or_default(),
        })
    });
    set_title(move || {
        let q = current.with(|f| f.q.clone());
        Some(if q.trim().is_empty() { "Search".to_string() } else { format!("Search: {q}") })
    });
    // The form edits a copy; submitting puts it in the URL, which loads.
    let form = RwSignal::new(current.get_untracked());
    Effect::new(move |_| form.set(current.get()));
    let hits = RwSignal::new(Paging::<SearchHit>::default());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let load = move |reset: bool| {
        let filters = current.get_untracked();
        if filters.q.trim().is_empty() {
            hits.set(Paging::default());
            return;
        }
        let cursor = if reset { None } else { hits.with_untracked(|p| p.cursor().map(String::from)) };
        if reset {
            hits.set(Paging::default());
        }
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let params = filters.params();
            let query: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            match api::page::<SearchHit>("/search", cursor.as_deref(), &query).await {
                Ok(page) => hits.update(|p| p.push(page, |h| h.post_id)),
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    Effect::new(move |_| {
        current.track();
        load(true);
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        navigate(&form.get_untracked().href(), Default::default());
    };
    let text = |get: fn(&Filters) -> String, set: fn(&mut Filters, String)| {
        (Signal::derive(move || form.with(get)), move |ev: leptos::ev::Event| {
            form.update(|f| set(f, event_target_value(&ev)))
        })
    };
    let (q, set_q) = text(|f| f.q.clone(), |f, v| f.q = v);
    let (category, set_category) = text(|f| f.category.clone(), |f, v| f.category = v);
    let (author, set_author) = text(|f| f.author.clone(), |f, v| f.author = v);
    let (field, set_field) = text(|f| f.field.clone(), |f, v| f.field = v);
    let (order, set_order) = text(|f| f.order.clone(), |f, v| f.order = v);
    view! {
        <h1>"Search"</h1>
        <form class="stack search-form" role="search" aria-label="Search with filters" on:submit=submit>
            <div class="field">
                <label for="search-q">"Words"</label>
                <input id="search-q" type="search" prop:value=q on:input=set_q aria-describedby="search-help"/>
                <p class="hint" id="search-help">
                    "\"exact phrase\", coop* for words starting so, -word to leave out, @name for a person, #category"
                </p>
            </div>
            <div class="inline-form">
                <div class="field">
                    <label for="search-in">"Look in"</label>
                    <select id="search-in" on:change=set_field>
                        <option value="" selected=move || field.get().is_empty()>"Titles and posts"</option>
                        <option value="titles" selected=move || field.get() == "titles">"Thread titles"</option>
                        <option value="posts" selected=move || field.get() == "posts">"Post text"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="search-order">"Order"</label>
                    <select id="search-order" on:change=set_order>
                        <option value="" selected=move || order.get().is_empty()>"Best match"</option>
                        <option value="newest" selected=move || order.get() == "newest">"Newest first"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="search-category">"Category (slug)"</label>
                    <input id="search-category" type="text" prop:value=category on:input=set_category/>
                </div>
                <div class="field">
                    <label for="search-author">"Author (username)"</label>
                    <input id="search-author" type="text" prop:value=author on:input=set_author/>
                </div>
            </div>
            <button type="submit" class="primary">"Search"</button>
        </form>
        {move || error.get().map(|e| view! { <ErrorBox error=e retry=Callback::new(move |_| load(true))/> })}
        {move || {
            (hits.with(|p| p.loaded && p.items.is_empty()) && !loading.get())
                .then(|| view! { <p class="muted" role="status">"Nothing found that you can read."</p> })
        }}
        <ol class="rows search-results">
            <For each=move || hits.with(|p| p.items.clone()) key=|h| h.post_id let:hit>
                <li class="search-hit">
                    <a class="hit-title" href=format!("/p/{}", hit.post_id) inner_html=hit.thread_title_html.clone()></a>
                    <p class="snippet" inner_html=hit.snippet.clone()></p>
                    <p class="meta">
                        <AuthorLink username=hit.author.username.clone() display_name=hit.author.display_name.clone()/> " in " {hit.category.clone()} " · " <TimeAgo at=hit.created_at/>
                        {(!hit.opens_thread).then_some(" · reply")}
                    </p>
                </li>
            </For>
        </ol>
        {move || {
            if loading.get() {
                view! { <Loading/> }.into_any()
            } else if hits.with(|p| p.has_more()) {
                view! { <button type="button" class="load-more" on:click=move |_| load(false)>"More results"</button> }.into_any()
            } else {
                ().into_any()
            }
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::Filters;

    #[test]
    fn only_the_filters_set_go_in_the_url_with_q_first() {
        let f = Filters { q: " annual report ".into(), order: "newest".into(), ..Default::default() };
        assert_eq!(f.params(), vec![("q", "annual report".to_string()), ("order", "newest".to_string())]);
        let all = Filters {
            q: "coop*".into(),
            field: "titles".into(),
            order: String::new(),
            category: "news".into(),
            author: "ana".into(),
        };
        let names: Vec<&str> = all.params().iter().map(|(k, _)| *k).collect();
        assert_eq!(names, ["q", "in", "category", "author"]);
    }
}
