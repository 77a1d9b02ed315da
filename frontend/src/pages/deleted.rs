//! `/moderation/deleted`: deleted threads and replies the moderator could
//! read, most recently deleted first, each with a Restore button.

use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::DeletedItem;

use crate::api::{self, ApiError};
use crate::components::{AuthorLink, ErrorBox, Loading, SignedIn, TimeAgo};
use crate::pages::set_title;
use crate::paging::Paging;
use crate::session::use_session;

#[component]
pub fn Deleted() -> impl IntoView {
    set_title(|| Some("Deleted content".into()));
    view! {
        <SignedIn why="as a moderator to see this page">
            <DeletedBody/>
        </SignedIn>
    }
}

#[component]
fn DeletedBody() -> impl IntoView {
    let s = use_session();
    let posts = RwSignal::new(false);
    let items = RwSignal::new(Paging::<DeletedItem>::default());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let load = move |reset: bool| {
        let kind = if posts.get_untracked() { "posts" } else { "threads" };
        let cursor = if reset { None } else { items.with_untracked(|p| p.cursor().map(String::from)) };
        loading.set(true);
        error.set(None);
        if reset {
            items.set(Paging::default());
        }
        spawn_local(async move {
            match api::page::<DeletedItem>("/deleted", cursor.as_deref(), &[("kind", kind), ("limit", "50")]).await {
                Ok(page) => items.update(|p| p.push(page, |x| x.id)),
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    Effect::new(move |_| {
        posts.track();
        load(true);
    });
    let is_moderator = move || s.me.with(|m| m.as_ref().is_some_and(|m| m.is_moderator || m.is_admin));
    let tab = move |want_posts: bool, label: &'static str| {
        view! {
            <button
                type="button"
                aria-pressed=move || if posts.get() == want_posts { "true" } else { "false" }
                on:click=move |_| posts.set(want_posts)
            >
                {label}
            </button>
        }
    };
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/moderation">"Review queue"</a></nav>
        <h1>"Deleted content"</h1>
        <Show when=is_moderator fallback=|| view! { <p>"This page is for the forum's moderators."</p> }>
            <p class="meta">"Threads and replies deleted by their authors or by moderators, that you can read. Restoring brings one back where it was."</p>
            <div class="tabs" role="group" aria-label="What was deleted">
                {tab(false, "Threads")}
                {tab(true, "Replies")}
            </div>
            {move || error.get().map(|e| view! { <ErrorBox error=e retry=Callback::new(move |_| load(true))/> })}
            {move || {
                (items.with(|p| p.loaded && p.items.is_empty()) && !loading.get())
                    .then(|| {
                        view! {
                            <p class="muted">
                                {if posts.get() { "No deleted replies." } else { "No deleted threads." }}
                            </p>
                        }
                    })
            }}
            <ul class="rows deleted">
                <For each=move || items.with(|p| p.items.clone()) key=|d| (d.kind.clone(), d.id) let:item>
                    <DeletedRow item=item items=items/>
                </For>
            </ul>
            {move || {
                if loading.get() {
                    view! { <Loading/> }.into_any()
                } else if items.with(|p| p.has_more()) {
                    view! { <button type="button" class="load-more" on:click=move |_| load(false)>"Load more"</button> }.into_any()
                } else {
                    ().into_any()
                }
            }}
        </Show>
    }
}

#[component]
fn DeletedRow(item: DeletedItem, items: RwSignal<Paging<DeletedItem>>) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let restored = RwSignal::new(false);
    let is_thread = item.kind == "thread";
    let id = item.id;
    let path = if is_thread { format!("/threads/{id}/restore") } else { format!("/posts/{id}/restore") };
    let href = if is_thread { format!("/t/{id}") } else { format!("/t/{}#post-{id}", item.thread_id) };
    let restore = move |_| {
        let path = path.clone();
        error.set(None);
        spawn_local(async move {
            match api::post_empty(&path, &serde_json::json!({})).await {
                Ok(()) => restored.set(true),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let dismiss = move |_| items.update(|p| p.remove(|x| x.id == id));
    let what = if is_thread { "Thread" } else { "Reply" };
    let label = format!("Restore {} “{}”", what.to_lowercase(), item.thread_title);
    view! {
        <li class="deleted-item">
            <p>
                <span class="badge">{what}</span>
                " " {item.thread_title.clone()}
                <span class="meta">
                    " in " {item.category.clone()} " · by "
                    <AuthorLink username=item.author.username.clone() display_name=item.author.display_name.clone()/>
                </span>
            </p>
            <blockquote class="excerpt">{item.excerpt.clone()}</blockquote>
            <p class="meta">"Deleted " <TimeAgo at=item.deleted_at/></p>
            {move || {
                if restored.get() {
                    view! {
                        <p class="saved" role="status">
                            "Restored. " <a href=href.clone()>"Open it"</a> " "
                            <button type="button" class="link-button" on:click=dismiss>"Remove from this list"</button>
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <div class="actions">
                            <button type="button" on:click=restore.clone() aria-label=label.clone()>
                                "Restore"
                            </button>
                        </div>
                    }
                        .into_any()
                }
            }}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.detail}</p> })}
        </li>
    }
}
