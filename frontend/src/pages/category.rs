//! One category: its threads, pinned first, with "Load more".

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use quorum_types::{Category, Thread};

use crate::api::{self, ApiError};
use crate::components::{AuthorLink, ErrorBox, Loading, TimeAgo};
use crate::pages::set_title;
use crate::paging::Paging;
use crate::session::use_session;
use crate::time::plural;
use crate::watch::WatchControl;

/// Thread-list page size.
const PAGE: &str = "25";

#[component]
pub fn CategoryPage() -> impl IntoView {
    let s = use_session();
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("slug").unwrap_or_default());
    let category = LocalResource::new(move || {
        let slug = slug();
        s.me.track();
        async move { api::get::<Category>(&format!("/categories/{}", api::segment(&slug))).await }
    });
    set_title(move || category.get().and_then(|c| c.ok()).map(|c| c.name));

    let threads = RwSignal::new(Paging::<Thread>::default());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let load = move |reset: bool| {
        let slug = slug();
        let cursor = if reset { None } else { threads.with_untracked(|t| t.cursor().map(String::from)) };
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            match api::page::<Thread>("/threads", cursor.as_deref(), &[("category", &slug), ("limit", PAGE)]).await {
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
        slug();
        s.me.track();
        load(true);
    });

    view! {
        {move || match category.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(e)) if e.is_not_found() => {
                view! {
                    <h1>"Category not found"</h1>
                    <p>"It does not exist, or you do not have access to it."</p>
                    <p><a href="/">"Back to the categories"</a></p>
                }
                    .into_any()
            }
            Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
            Some(Ok(c)) => {
                let new_href = format!("/c/{}/new", c.slug);
                view! {
                    <nav class="crumbs" aria-label="Breadcrumb"><a href="/">"Categories"</a></nav>
                    <div class="page-head">
                        <h1>{c.name.clone()}</h1>
                        {c.can_post.then(|| view! { <a class="button" href=new_href>"New thread"</a> })}
                    </div>
                    <p class="description">{c.description.clone()}</p>
                    {s.me.with(|m| m.is_some()).then(|| {
                        let slug = c.slug.clone();
                        view! {
                            <div class="actions category-actions">
                                <WatchControl path=format!("/categories/{}/watch", api::segment(&c.slug)) place="category" level=c.watch_level/>
                                <MarkCategoryRead slug=slug on_done=Callback::new(move |_| load(true))/>
                            </div>
                        }
                    })}
                    <ThreadList threads=threads loading=loading error=error load=Callback::new(move |_| load(false))/>
                }
                    .into_any()
            }
        }}
    }
}

#[component]
fn ThreadList(
    threads: RwSignal<Paging<Thread>>,
    loading: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    load: Callback<()>,
) -> impl IntoView {
    view! {
        {move || {
            threads
                .with(|t| t.loaded && t.items.is_empty())
                .then(|| view! { <p class="empty">"No threads here yet."</p> })
        }}
        <ul class="threads">
            <For each=move || threads.with(|t| t.items.clone()) key=|t| (t.id, t.reply_count, t.last_activity_at, t.unread_count, t.is_new) let:thread>
                <ThreadRow thread=thread/>
            </For>
        </ul>
        {move || error.get().map(|e| view! { <ErrorBox error=e retry=load/> })}
        {move || {
            if loading.get() {
                view! { <Loading/> }.into_any()
            } else if threads.with(|t| t.has_more()) {
                view! {
                    <button type="button" class="load-more" on:click=move |_| load.run(())>
                        "Load more"
                    </button>
                }
                    .into_any()
            } else {
                ().into_any()
            }
        }}
    }
}

/// Marks every post so far in the category read, then reloads the list.
#[component]
fn MarkCategoryRead(slug: String, on_done: Callback<()>) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let mark = move |_| {
        let path = format!("/categories/{}/read", api::segment(&slug));
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::post_empty(&path, &serde_json::json!({})).await {
                Ok(()) => on_done.run(()),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <button type="button" class="small" on:click=mark disabled=move || busy.get()>"Mark category read"</button>
        {move || error.get().map(|e| view! { <span class="form-error" role="alert">{e.detail}</span> })}
    }
}

/// One thread in a list; `category` (slug, name) names where it is, for
/// lists across categories.
#[component]
pub fn ThreadRow(thread: Thread, #[prop(optional)] category: Option<(String, String)>) -> impl IntoView {
    let href = format!("/t/{}", thread.id);
    // "New" for a thread never opened; the unread count once it has been.
    let unread = (thread.last_read_post_id.is_some() && thread.unread_count > 0).then_some(thread.unread_count);
    view! {
        <li class="thread-row" class:pinned=thread.pinned>
            <div class="thread-main">
                {thread.pinned.then(|| view! { <span class="badge">"Pinned"</span> })}
                {thread.locked.then(|| view! { <span class="badge">"Locked"</span> })}
                {thread.audience.as_ref().filter(|a| !a.is_empty()).map(|_| view! { <span class="badge restricted">"Restricted"</span> })}
                <a class="thread-title" href=href>{thread.title.clone()}</a>
                {thread.is_new.then(|| view! { " " <span class="badge new-badge">"New"</span> })}
                {unread.map(|n| view! { " " <span class="badge unread-count">{plural(n, "unread", "unread")}</span> })}
                <p class="meta">
                    <span>
                        "Started by " <AuthorLink username=thread.author.username.clone() display_name=thread.author.display_name.clone()/> " · "
                        <TimeAgo at=thread.created_at/>
                    </span>
                    {category.map(|(slug, name)| view! { <span>"in " <a class="category-link" href=format!("/c/{slug}")>{name}</a></span> })}
                </p>
            </div>
            <div class="thread-stats meta">
                <span>{plural(thread.reply_count, "reply", "replies")}</span>
                <span>"Last activity " <TimeAgo at=thread.last_activity_at/></span>
            </div>
        </li>
    }
}
