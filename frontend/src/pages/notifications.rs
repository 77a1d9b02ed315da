//! The viewer's notifications, newest first; and `/p/:id`, the address
//! quotes link to, which opens the post in its thread.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;
use quorum_types::{MarkReadRequest, Notification, NotificationKind, Post, UnreadCount};

use crate::api::{self, ApiError};
use crate::components::{AuthorLink, ErrorBox, Loading, SignedIn, TimeAgo};
use crate::live::{self, use_live, LiveEvent};
use crate::pages::set_title;
use crate::paging::Paging;

const PAGE: &str = "30";

#[component]
pub fn NotificationsPage() -> impl IntoView {
    set_title(|| Some("Notifications".into()));
    view! {
        <SignedIn why="to see your notifications">
            <NotificationList/>
        </SignedIn>
    }
}

/// What happened, after the actor's name (which links to their profile):
/// " and 3 others liked your post".
pub fn action(n: &Notification) -> String {
    let others = match n.others {
        0 => String::new(),
        1 => " and 1 other".to_owned(),
        others => format!(" and {others} others"),
    };
    let what = match n.kind {
        NotificationKind::Reply => "replied to your post",
        NotificationKind::Watching => "posted in a thread you watch",
        NotificationKind::Mention => "mentioned you",
        NotificationKind::GroupMention => "mentioned a group you are in",
        NotificationKind::Quote => "quoted your post",
        NotificationKind::Like => "liked your post",
        NotificationKind::NewThread => "started a thread in a category you watch",
        NotificationKind::EventChanged => "changed an event you answered",
        NotificationKind::EventCancelled => "cancelled an event you answered",
    };
    format!("{others} {what}")
}

async fn mark(request: MarkReadRequest) -> api::ApiResult<UnreadCount> {
    api::post::<_, UnreadCount>("/notifications/read", &request).await
}

#[component]
fn NotificationList() -> impl IntoView {
    let live = use_live();
    let items = RwSignal::new(Paging::<Notification>::default());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let load = move |reset: bool| {
        let cursor = if reset { None } else { items.with_untracked(|p| p.cursor().map(String::from)) };
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            match api::page::<Notification>("/notifications", cursor.as_deref(), &[("limit", PAGE)]).await {
                Ok(page) => items.update(|p| {
                    if reset {
                        *p = Paging::default();
                    }
                    p.push(page, |n| n.id)
                }),
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    load(true);
    // A new notification changes the count: show it without a reload.
    Effect::new(move |previous: Option<Option<i64>>| {
        let now = live.unread.get();
        if let (Some(Some(before)), Some(now)) = (previous, now) {
            if now > before {
                load(true);
            }
        }
        now
    });
    live::subscribe(move |event| {
        if *event == LiveEvent::Reset {
            load(true);
        }
    });
    let mark_one = move |id: i64| {
        items.update(|p| p.update(|n| n.id == id, |n| n.read = true));
        spawn_local(async move {
            match mark(MarkReadRequest { ids: Some(vec![id]), all: false }).await {
                Ok(count) => live.unread.set(Some(count.unread)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let mark_all = move |_| {
        spawn_local(async move {
            match mark(MarkReadRequest { ids: None, all: true }).await {
                Ok(count) => {
                    live.unread.set(Some(count.unread));
                    items.update(|p| p.items.iter_mut().for_each(|n| n.read = true));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let any_unread = move || items.with(|p| p.items.iter().any(|n| !n.read)) || live.unread.get().unwrap_or(0) > 0;
    view! {
        <div class="page-head">
            <h1>"Notifications"</h1>
            <Show when=any_unread>
                <button type="button" on:click=mark_all>"Mark all read"</button>
            </Show>
        </div>
        {move || {
            items
                .with(|p| p.loaded && p.items.is_empty())
                .then(|| view! { <p class="empty">"Nothing yet. Replies, mentions, quotes and likes will show here."</p> })
        }}
        <ul class="notifications">
            <For each=move || items.with(|p| p.items.clone()) key=|n| (n.id, n.read, n.others, n.updated_at) let:n>
                <NotificationRow n=n mark_one=mark_one/>
            </For>
        </ul>
        {move || error.get().map(|e| view! { <ErrorBox error=e retry=Callback::new(move |_| load(false))/> })}
        {move || {
            if loading.get() {
                view! { <Loading/> }.into_any()
            } else if items.with(|p| p.has_more()) {
                view! { <button type="button" class="load-more" on:click=move |_| load(false)>"Load more"</button> }
                    .into_any()
            } else {
                ().into_any()
            }
        }}
    }
}

#[component]
fn NotificationRow(n: Notification, mark_one: impl Fn(i64) + Copy + 'static) -> impl IntoView {
    let id = n.id;
    let read = n.read;
    let href = format!("/t/{}#post-{}", n.thread_id, n.post_id);
    let text = action(&n);
    // The actor's name links to their profile; the rest opens the post.
    let actor = match &n.actor {
        Some(a) => view! { <AuthorLink username=a.username.clone() display_name=a.display_name.clone()/> }.into_any(),
        None => view! { <span>"Someone"</span> }.into_any(),
    };
    view! {
        <li class="notification" class:unread=!read>
            <p class="notification-what">
                {actor}
                <a class="notification-link" href=href on:click=move |_| if !read { mark_one(id) }>
                    <span class="what">{text}</span>
                    " in "
                    <span class="thread-title">{n.thread_title.clone()}</span>
                </a>
            </p>
            <p class="excerpt muted">{n.excerpt.clone()}</p>
            <p class="meta">
                <TimeAgo at=n.updated_at/>
                {(!read).then(|| view! {
                    " · "
                    <span class="badge">"Unread"</span>
                    " "
                    <button type="button" class="link-button" on:click=move |_| mark_one(id)>"Mark read"</button>
                })}
            </p>
        </li>
    }
}

/// `/p/:id`: finds the post's thread and opens it there.
#[component]
pub fn PostLink() -> impl IntoView {
    let params = use_params_map();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<ApiError>);
    let id = params.with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    spawn_local(async move {
        match api::get::<Post>(&format!("/posts/{id}")).await {
            Ok(post) => navigate(
                &format!("/t/{}#post-{}", post.thread_id, post.id),
                NavigateOptions { replace: true, ..Default::default() },
            ),
            Err(e) => error.set(Some(e)),
        }
    });
    view! {
        {move || match error.get() {
            None => view! { <Loading/> }.into_any(),
            Some(e) if e.is_not_found() => {
                view! {
                    <h1>"Post not found"</h1>
                    <p>"It does not exist, or you do not have access to it."</p>
                }
                    .into_any()
            }
            Some(e) => view! { <ErrorBox error=e/> }.into_any(),
        }}
    }
}
