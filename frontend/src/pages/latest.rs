//! `/latest`: the newest activity across every category the viewer may
//! read (`GET /threads` without a category), and the home page's short
//! list of it. The API decides what is listed.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::{Category, Thread};

use crate::api::{self, ApiError};
use crate::components::{ErrorBox, Loading};
use crate::pages::category::ThreadRow;
use crate::pages::set_title;
use crate::paging::Paging;
use crate::session::use_session;

/// Thread-list page size.
const PAGE: &str = "25";
/// Threads the home page shows under the categories.
const ON_HOME: &str = "5";

/// The two ways into the forum, Discourse-style: by latest activity or by
/// category.
#[component]
pub fn ViewSwitch(latest: bool) -> impl IntoView {
    let current = |on: bool| if on { Some("page") } else { None };
    view! {
        <nav class="view-switch" aria-label="Views">
            <a href="/latest" aria-current=current(latest)>"Latest"</a>
            <a href="/" aria-current=current(!latest)>"Categories"</a>
        </nav>
    }
}

/// Category names by slug, for naming where each thread is.
fn category_names() -> LocalResource<HashMap<String, String>> {
    let s = use_session();
    LocalResource::new(move || {
        s.me.track();
        async move {
            api::page::<Category>("/categories", None, &[("limit", "100")])
                .await
                .map(|p| p.items.into_iter().map(|c| (c.slug, c.name)).collect())
                .unwrap_or_default()
        }
    })
}

fn named(names: &LocalResource<HashMap<String, String>>, slug: &str) -> (String, String) {
    let name = names.get().and_then(|n| n.get(slug).cloned()).unwrap_or_else(|| slug.to_string());
    (slug.to_string(), name)
}

#[component]
pub fn LatestPage() -> impl IntoView {
    let s = use_session();
    set_title(|| Some("Latest".into()));
    let names = category_names();
    let threads = RwSignal::new(Paging::<Thread>::default());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let load = move |reset: bool| {
        let cursor = if reset { None } else { threads.with_untracked(|t| t.cursor().map(String::from)) };
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            match api::page::<Thread>("/threads", cursor.as_deref(), &[("limit", PAGE)]).await {
                Ok(page) => threads.update(|t| {
                    if reset {
                        *t = Paging::default();
                    }
                    t.push(page, |th| th.id)
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
        <h1>"Latest"</h1>
        <ViewSwitch latest=true/>
        {move || {
            (threads.with(|t| t.loaded && t.items.is_empty()) && !loading.get())
                .then(|| view! { <p class="empty">"No threads you can read yet."</p> })
        }}
        <ul class="threads latest">
            <For each=move || threads.with(|t| t.items.clone()) key=|t| (t.id, t.reply_count, t.last_activity_at, t.unread_count, t.is_new) let:thread>
                {
                    let slug = thread.category.clone();
                    move || view! { <ThreadRow thread=thread.clone() category=named(&names, &slug)/> }
                }
            </For>
        </ul>
        {move || error.get().map(|e| view! { <ErrorBox error=e retry=Callback::new(move |_| load(false))/> })}
        {move || {
            if loading.get() {
                view! { <Loading/> }.into_any()
            } else if threads.with(|t| t.has_more()) {
                view! { <button type="button" class="load-more" on:click=move |_| load(false)>"Load more"</button> }.into_any()
            } else {
                ().into_any()
            }
        }}
    }
}

/// The home page's latest threads, under the categories.
#[component]
pub fn LatestOnHome() -> impl IntoView {
    let s = use_session();
    let names = category_names();
    let threads = LocalResource::new(move || {
        s.me.track();
        async move { api::page::<Thread>("/threads", None, &[("limit", ON_HOME)]).await }
    });
    view! {
        <section class="latest-home" aria-labelledby="latest-home-heading">
            <h2 id="latest-home-heading">"Latest threads"</h2>
            {move || match threads.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! { <p class="muted">"No threads you can read yet."</p> }.into_any(),
                Some(Ok(page)) => view! {
                    <ul class="threads">
                        {page
                            .items
                            .into_iter()
                            .map(|t| {
                                let category = named(&names, &t.category);
                                view! { <ThreadRow thread=t category=category/> }
                            })
                            .collect_view()}
                    </ul>
                    <p class="more"><a href="/latest">"All latest threads"</a></p>
                }
                .into_any(),
            }}
        </section>
    }
}
