//! A thread: its posts, likes, edits and replies; and starting a new thread.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use quorum_types::{
    Category, CreatePostRequest, CreateThreadRequest, CreatedThread, Group, Like, LikeState, Page, Participant, Post,
    Revision, Thread, UpdatePostRequest, UpdateThreadRequest,
};

use crate::api::{self, ApiError};
use crate::audience;
use crate::components::{
    audience_unfinished, use_groups, AudiencePicker, AuthorLink, Avatar, ConfirmButton, ErrorBox, FormError, Loading,
    MarkdownEditor, SignedIn, TextField, TimeAgo,
};
use crate::live::{self, LiveEvent};
use crate::pages::date_poll::DatePollBox;
use crate::pages::events::{EventCard, MeetingNews};
use crate::pages::mentions::MentionSuggestions;
use crate::pages::moderation::{HiddenNotice, PostModeration};
use crate::pages::set_title;
use crate::pages::thread_live::{self, Incoming, NewReplies, UnreadFrom};
use crate::pages::time_picker::TimePicker;
use crate::paging::Paging;
use crate::quote::QuoteSelection;
use crate::session::use_session;
use crate::time::{self, plural};
use crate::watch::WatchControl;

/// Posts per page: a whole discussion of ordinary length in one request.
const POSTS_PAGE: &str = "50";

/// Which page of posts to load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Load {
    /// Opening the thread: around the post the address names, else from the start.
    Open,
    /// The page after those shown.
    More,
    /// The page before the first one shown.
    Earlier,
    /// Everything shown is replaced by the posts around this one.
    Around(i64),
}

/// The post id in the address (`#post-123`), if any.
fn hash_post() -> Option<i64> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix("#post-")?.parse().ok()
}

#[component]
pub fn ThreadPage() -> impl IntoView {
    let s = use_session();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let id_untracked = move || params.with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let thread = RwSignal::new(None::<Result<Thread, ApiError>>);
    let posts = RwSignal::new(Paging::<Post>::default());
    let loading = RwSignal::new(false);
    let posts_error = RwSignal::new(None::<ApiError>);
    let groups = use_groups();
    provide_context(CanReply(Signal::derive(move || thread.with(|t| matches!(t, Some(Ok(t)) if t.can_reply)))));
    let reply_target = ReplyTarget(RwSignal::new(None), NodeRef::new());
    provide_context(reply_target);
    // Replies posted from this page since the thread was loaded.
    let replies_added = RepliesAdded(RwSignal::new(0));
    provide_context(replies_added);
    // The zones of those who wrote here, for the tooltips of times in posts.
    let participants = ParticipantZones(RwSignal::new(Vec::new()));
    provide_context(participants);
    // Bumped when the thread's event or date poll changes, here or elsewhere.
    let meeting_news = MeetingNews(RwSignal::new(0));
    provide_context(meeting_news);
    live::subscribe(move |event| match event {
        LiveEvent::Meeting { thread_id, .. } if *thread_id == id_untracked() => meeting_news.bump(),
        LiveEvent::Reset => meeting_news.bump(),
        _ => {}
    });
    // Loads answered out of turn (a thread left, a window replaced) are dropped.
    let generation = StoredValue::new(0_u64);
    // The post to bring into view once the thread's head and posts are both
    // laid out (the head arriving later would push it down again).
    let scroll_target = RwSignal::new(None::<i64>);
    Effect::new(move |_| {
        let Some(target) = scroll_target.get() else { return };
        if thread.with(|t| t.is_none()) || loading.get() {
            return;
        }
        scroll_target.set(None);
        scroll_to_post(target);
    });

    let load_posts = move |load: Load| {
        let id = id();
        let load = match load {
            Load::Open => hash_post().map_or(Load::Open, Load::Around),
            other => other,
        };
        let replaces = matches!(load, Load::Open | Load::Around(_));
        if replaces {
            generation.update_value(|g| *g += 1);
        }
        let this_load = generation.get_value();
        let cursor = match load {
            Load::More => posts.with_untracked(|p| p.cursor().map(String::from)),
            _ => None,
        };
        let position = match load {
            Load::Around(post) => Some(("around", post.to_string())),
            Load::Earlier => posts.with_untracked(|p| p.items.first().map(|x| ("before", x.id.to_string()))),
            _ => None,
        };
        loading.set(true);
        posts_error.set(None);
        spawn_local(async move {
            let path = format!("/threads/{id}/posts");
            let mut query = vec![("limit", POSTS_PAGE)];
            if let Some((name, value)) = &position {
                query.push((*name, value.as_str()));
            }
            let result = api::page::<Post>(&path, cursor.as_deref(), &query).await;
            if generation.get_value() != this_load {
                return;
            }
            match result {
                Ok(page) => {
                    posts.update(|p| match load {
                        Load::Earlier => p.prepend(page.items, |post| post.id),
                        Load::More => p.push(page, |post| post.id),
                        Load::Open | Load::Around(_) => {
                            *p = Paging::default();
                            p.push(page, |post| post.id)
                        }
                    });
                    if let Load::Around(post) = load {
                        scroll_target.set(Some(post));
                    }
                }
                Err(e) => posts_error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    let load_thread = move || {
        let id = id();
        spawn_local(async move {
            let result = api::get::<Thread>(&format!("/threads/{id}")).await;
            replies_added.0.set(0);
            thread.set(Some(result));
        });
    };
    Effect::new(move |_| {
        let id = id();
        s.me.track();
        replies_added.0.track();
        spawn_local(async move {
            let list = api::get::<Vec<Participant>>(&format!("/threads/{id}/participants")).await.unwrap_or_default();
            let people: Vec<(String, String)> = list.into_iter().map(|p| (p.user.display_name, p.time_zone)).collect();
            let zones = time::zone_groups(&people)
                .into_iter()
                .map(|(zone, who)| (time::zone(Some(&zone)), format!("{zone}: {who}")))
                .collect();
            participants.0.set(zones);
        });
    });
    Effect::new(move |_| {
        id();
        s.me.track();
        load_thread();
        load_posts(Load::Open);
    });
    // A link to a post of this thread (an "in reply to", say) that is not
    // shown: open the thread there instead of scrolling to nothing.
    let on_hash = window_event_listener(leptos::ev::hashchange, move |_| {
        if let Some(post) = hash_post() {
            if posts.with_untracked(|p| p.items.iter().any(|x| x.id == post)) {
                scroll_to_post(post);
            } else {
                load_posts(Load::Around(post));
            }
        }
    });
    on_cleanup(move || on_hash.remove());
    let this_thread = move || params.with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let load_more = move || load_posts(Load::More);
    let incoming = thread_live::follow(this_thread, thread, posts, loading, load_more, move || {
        load_thread();
        load_posts(Load::Open);
    });
    set_title(move || thread.get().and_then(|t| t.ok()).map(|t| t.title));
    let signed_out = move || s.ready.get() && s.me.with(|m| m.is_none());
    let thread_ok = move || thread.with(|t| matches!(t, Some(Ok(_))));
    let has_earlier = move || posts.with(|p| p.items.first().is_some_and(|x| x.number > 1));

    view! {
        {move || match thread.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(e)) if e.is_not_found() && signed_out() => {
                // Whether it exists is for members to know.
                let next = web_sys::window()
                    .map(|w| {
                        let l = w.location();
                        format!(
                            "{}{}{}",
                            l.pathname().unwrap_or_default(),
                            l.search().unwrap_or_default(),
                            l.hash().unwrap_or_default(),
                        )
                    })
                    .unwrap_or_else(|| "/".into());
                let href = format!("/login?next={}", api::segment(&next));
                view! {
                    <h1>"Sign in to read this"</h1>
                    <p>"Some threads are for members only. Sign in, and you will come back to this page."</p>
                    <p><a class="button primary" href=href>"Sign in"</a></p>
                }
                    .into_any()
            }
            Some(Err(e)) if e.is_not_found() => {
                view! {
                    <h1>"Thread not found"</h1>
                    <p>"It does not exist, or you do not have access to it."</p>
                    <p><a href="/">"Back to the categories"</a></p>
                }
                    .into_any()
            }
            Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
            Some(Ok(t)) => {
                let thread_id = t.id;
                // Scheduling is decided like retitling (the author or a moderator, in `allows()`).
                let can_schedule = t.can_edit;
                let title = t.title.clone();
                view! {
                    <ThreadHead thread=t groups=groups on_change=thread/>
                    <EventCard thread_id=thread_id can_schedule=can_schedule/>
                    <DatePollBox thread_id=thread_id can_schedule=can_schedule title=title/>
                }
                    .into_any()
            }
        }}
        <Show when=move || thread_ok() && has_earlier() && !loading.get()>
            <button type="button" class="load-more load-earlier" on:click=move |_| load_posts(Load::Earlier)>
                "Load earlier posts"
            </button>
        </Show>
        <div class="posts">
            <For
                each=move || posts.with(|p| p.items.clone())
                key=|p| (p.id, p.like_count, p.liked_by_me, p.edited_at, p.number, p.hidden)
                let:post
            >
                <PostView post=post posts=posts groups=groups/>
            </For>
        </div>
        {move || {
            posts_error
                .get()
                .filter(|_| thread_ok())
                .map(|e| view! { <ErrorBox error=e retry=Callback::new(move |_| load_posts(Load::More))/> })
        }}
        {move || {
            if loading.get() {
                view! { <Loading label="Loading posts…"/> }.into_any()
            } else if posts.with(|p| p.has_more()) {
                view! {
                    <button type="button" class="load-more" on:click=move |_| load_posts(Load::More)>
                        "Load more posts"
                    </button>
                }
                    .into_any()
            } else {
                ().into_any()
            }
        }}
        <NewReplies posts=posts incoming=incoming load_more=Callback::new(move |_| load_more())/>
        {move || {
            thread
                .get()
                .and_then(|t| t.ok())
                .map(|t| {
                    if t.can_reply {
                        let open_at = Callback::new(move |post: i64| load_posts(Load::Around(post)));
                        view! { <Composer thread=t posts=posts groups=groups open_at=open_at/> }
                            .into_any()
                    } else if signed_out() {
                        let href = format!("/login?next={}", api::segment(&format!("/t/{}", t.id)));
                        view! { <p class="reply-hint"><a href=href>"Log in to reply"</a></p> }.into_any()
                    } else if t.locked {
                        view! { <p class="reply-hint">"This thread is locked."</p> }.into_any()
                    } else {
                        ().into_any()
                    }
                })
        }}
    }
}

/// Brings `#post-123` into view once it is laid out, and once more shortly
/// after if something rendered above it pushed it out again.
fn scroll_to_post(id: i64) {
    fn scroll(id: i64, only_if_away: bool) {
        let document = web_sys::window().and_then(|w| w.document());
        let Some(el) = document.and_then(|d| d.get_element_by_id(&format!("post-{id}"))) else { return };
        let height = web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|h| h.as_f64()).unwrap_or(0.0);
        let top = el.get_bounding_client_rect().top();
        if !only_if_away || top < -1.0 || top > height * 0.5 {
            el.scroll_into_view();
        }
    }
    request_animation_frame(move || {
        scroll(id, false);
        set_timeout(move || scroll(id, true), std::time::Duration::from_millis(250));
    });
}

#[component]
fn ThreadHead(
    thread: Thread,
    groups: LocalResource<Vec<Group>>,
    on_change: RwSignal<Option<Result<Thread, ApiError>>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let error = RwSignal::new(None::<ApiError>);
    let confirm_delete = RwSignal::new(false);
    let id = thread.id;
    let replies_added = use_context::<RepliesAdded>();
    let added = move || replies_added.map_or(0, |r| r.0.get());
    let category_href = format!("/c/{}", thread.category);
    let category_slug = thread.category.clone();
    let category_name = LocalResource::new(move || {
        let slug = category_slug.clone();
        async move { api::get::<Category>(&format!("/categories/{}", api::segment(&slug))).await.ok().map(|c| c.name) }
    });
    let fallback_name = thread.category.clone();
    let moderate = move |change: UpdateThreadRequest| {
        spawn_local(async move {
            match api::patch::<_, Thread>(&format!("/threads/{id}"), &change).await {
                Ok(t) => on_change.set(Some(Ok(t))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let delete = Callback::new({
        let category = category_href.clone();
        move |()| {
            let navigate = navigate.clone();
            let category = category.clone();
            spawn_local(async move {
                match api::delete(&format!("/threads/{id}")).await {
                    Ok(()) => navigate(&category, Default::default()),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    });
    // What the viewer may do is the API's call (`can_delete`, `can_moderate`).
    let (is_mod, can_delete) = (thread.can_moderate, thread.can_delete);
    let (pinned, locked) = (thread.pinned, thread.locked);
    let audience = thread.audience.clone().unwrap_or_default();
    view! {
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Categories"</a>
            " › "
            <a href=category_href>{move || category_name.get().flatten().unwrap_or_else(|| fallback_name.clone())}</a>
        </nav>
        <div class="page-head">
            <h1>{thread.title.clone()}</h1>
        </div>
        <p class="meta thread-meta">
            {pinned.then(|| view! { <span class="badge">"Pinned"</span> })}
            {locked.then(|| view! { <span class="badge">"Locked"</span> })}
            {(!audience.is_empty())
                .then(|| {
                    let audience = audience.clone();
                    view! {
                        <span class="badge restricted">
                            {move || audience::visible_to(&audience, &groups.get().unwrap_or_default(), "thread")}
                        </span>
                    }
                })}
            <span class="reply-count">{move || plural(thread.reply_count + added(), "reply", "replies")}</span>
        </p>
        {thread
            .watch_level
            .map(|level| view! { <WatchControl path=format!("/threads/{id}/watch") place="thread" level=Some(level)/> })}
        {(is_mod || can_delete)
            .then(|| {
                view! {
                    <div class="actions thread-actions">
                        {is_mod
                            .then(|| {
                                view! {
                                    <button type="button" on:click=move |_| moderate(UpdateThreadRequest { pinned: Some(!pinned), ..Default::default() })>
                                        {if pinned { "Unpin" } else { "Pin" }}
                                    </button>
                                    <button type="button" on:click=move |_| moderate(UpdateThreadRequest { locked: Some(!locked), ..Default::default() })>
                                        {if locked { "Unlock" } else { "Lock" }}
                                    </button>
                                }
                            })}
                        {is_mod.then(|| view! { <MoveThread id=id current=thread.category.clone() on_change=on_change error=error/> })}
                        {can_delete
                            .then(|| {
                                view! {
                                    <ConfirmButton
                                        label="Delete thread"
                                        question="Delete this whole thread?"
                                        yes="Yes, delete thread"
                                        class="danger-text"
                                        open=confirm_delete
                                        on_confirm=delete
                                    />
                                }
                            })}
                    </div>
                }
            })}
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.detail}</p> })}
    }
}

/// Moderators move a thread to another category they can read; the API
/// refuses a move the thread's audience would not fit.
#[component]
fn MoveThread(
    id: i64,
    current: String,
    on_change: RwSignal<Option<Result<Thread, ApiError>>>,
    error: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let categories = LocalResource::new(|| async {
        api::page::<Category>("/categories", None, &[("limit", "100")]).await.map(|p| p.items).unwrap_or_default()
    });
    let chosen = RwSignal::new(current.clone());
    let moving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let category = chosen.get_untracked();
        moving.set(true);
        error.set(None);
        spawn_local(async move {
            let change = UpdateThreadRequest { category: Some(category), ..Default::default() };
            match api::patch::<_, Thread>(&format!("/threads/{id}"), &change).await {
                Ok(t) => on_change.set(Some(Ok(t))),
                Err(e) => error.set(Some(e)),
            }
            moving.set(false);
        });
    };
    let select_id = format!("move-thread-{id}");
    view! {
        <form class="inline-form move-thread" on:submit=submit>
            <label for=select_id.clone()>"Move to"</label>
            <select id=select_id on:change=move |ev| chosen.set(event_target_value(&ev))>
                {move || {
                    let current = current.clone();
                    categories
                        .get()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|c| {
                            let selected = c.slug == current;
                            view! { <option value=c.slug.clone() selected=selected>{c.name}</option> }
                        })
                        .collect_view()
                }}
            </select>
            <button type="submit" disabled=move || moving.get()>"Move"</button>
        </form>
    }
}

#[component]
fn PostView(post: Post, posts: RwSignal<Paging<Post>>, groups: LocalResource<Vec<Group>>) -> impl IntoView {
    let s = use_session();
    let id = post.id;
    // Each button is there exactly when the API's flag says so.
    let (can_like, can_edit, can_delete) = (post.can_like, post.can_edit, post.can_delete);
    let can_view_history = post.can_view_history;
    let can_reply = use_context::<CanReply>().map(|c| c.0);
    let error = RwSignal::new(None::<ApiError>);
    let editing = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let likers_open = RwSignal::new(false);
    let history_open = RwSignal::new(false);
    let liked = post.liked_by_me;
    let count = post.like_count;

    let toggle_like = move |_| {
        let want = !liked;
        // Optimistic: show the new state at once, put the old one back on failure.
        posts.update(|p| {
            p.update(
                |x| x.id == id,
                |x| {
                    x.liked_by_me = want;
                    x.like_count += if want { 1 } else { -1 };
                },
            )
        });
        spawn_local(async move {
            let path = format!("/posts/{id}/like");
            let result =
                if want { api::put::<LikeState>(&path).await } else { api::delete_json::<LikeState>(&path).await };
            match result {
                Ok(state) => posts.update(|p| {
                    p.update(
                        |x| x.id == id,
                        |x| {
                            x.liked_by_me = state.liked_by_me;
                            x.like_count = state.like_count;
                        },
                    )
                }),
                Err(e) => {
                    posts.update(|p| {
                        p.update(
                            |x| x.id == id,
                            |x| {
                                x.liked_by_me = liked;
                                x.like_count = count;
                            },
                        )
                    });
                    error.set(Some(e));
                }
            }
        });
    };
    let delete = Callback::new(move |()| {
        spawn_local(async move {
            match api::delete(&format!("/posts/{id}")).await {
                Ok(()) => posts.update(|p| p.remove(|x| x.id == id)),
                Err(e) => {
                    confirm_delete.set(false);
                    error.set(Some(e))
                }
            }
        });
    });
    let reply_target = use_context::<ReplyTarget>();
    let reply = move |_| {
        if let Some(target) = reply_target {
            target.0.set(Some(id));
            target.focus();
        }
    };
    let reply_to = post.reply_to.map(|target| {
        let name =
            posts.with_untracked(|p| p.items.iter().find(|x| x.id == target).map(|x| x.author.display_name.clone()));
        let href = format!("#post-{target}");
        view! {
            <p class="reply-to meta">
                "In reply to " <a href=href>{name.unwrap_or_else(|| "an earlier post".into())}</a>
            </p>
        }
    });
    let audience = post.audience.clone().unwrap_or_default();
    let restricted = !audience.is_empty();
    let body = post.body.clone();
    let edited_at = post.edited_at;
    let permalink = format!("/t/{}#post-{id}", post.thread_id);
    let unread_from = use_context::<UnreadFrom>();
    let unread = move || unread_from.is_some_and(|u| u.is_unread(id));

    view! {
        <article class="post" class:restricted=restricted class:unread=unread id=format!("post-{id}") aria-labelledby=format!("post-{id}-author")>
            <header class="post-head">
                <Avatar username=post.author.username.clone() display_name=post.author.display_name.clone()/>
                <AuthorLink username=post.author.username.clone() display_name=post.author.display_name.clone() id=format!("post-{id}-author")/>
                <span class="username muted">"@" {post.author.username.clone()}</span>
                // The name starts with the visible time (axe's label-content-name-mismatch).
                <a class="permalink meta" href=permalink>
                    <TimeAgo at=post.created_at/>
                    <span class="visually-hidden">{format!(", post {}", post.number)}</span>
                </a>
                {edited_at.map(|at| view! { <span class="meta">"· edited " <TimeAgo at=at/></span> })}
                <Show when=unread><span class="badge new-badge">"New"</span></Show>
            </header>
            {restricted
                .then(|| {
                    let audience = audience.clone();
                    view! {
                        <p class="badge restricted" title="Only these groups can see this post">
                            {move || audience::visible_to(&audience, &groups.get().unwrap_or_default(), "thread")}
                        </p>
                    }
                })}
            {reply_to}
            <HiddenNotice post=post.clone()/>
            <Show
                when=move || editing.get()
                fallback={
                    let html = post.body_html.clone();
                    let zone = s.zone;
                    let others = use_context::<ParticipantZones>().map(|p| p.0);
                    move || {
                        let html = html.clone();
                        let shown = move || {
                            zone.with(|z| {
                                let others = others.map(|o| o.get()).unwrap_or_default();
                                time::localise_dates(&html, z, z.name(), &others)
                            })
                        };
                        view! { <div class="post-body" inner_html=shown></div> }
                    }
                }
            >
                <EditPost id=id body=body.clone() posts=posts editing=editing/>
            </Show>
            <footer class="post-actions">
                {can_like
                    .then(|| {
                        view! {
                            <button type="button" class="like" aria-pressed=if liked { "true" } else { "false" } aria-label="Like" on:click=toggle_like>
                                <span aria-hidden="true">{if liked { "♥" } else { "♡" }}</span>
                                <span class="label">{if liked { " Liked" } else { " Like" }}</span>
                            </button>
                        }
                    })}
                {(count > 0)
                    .then(|| {
                        view! {
                            <button type="button" class="like-count link-button" aria-expanded=move || if likers_open.get() { "true" } else { "false" } on:click=move |_| likers_open.update(|o| *o = !*o)>
                                {plural(count, "Like", "Likes")}
                            </button>
                        }
                    })}
                {move || {
                    can_reply
                        .is_some_and(|c| c.get())
                        .then(|| view! { <button type="button" class="link-button" on:click=reply>"Reply"</button> })
                }}
                {(can_view_history && edited_at.is_some())
                    .then(|| {
                        view! {
                            <button type="button" class="link-button" aria-expanded=move || if history_open.get() { "true" } else { "false" } on:click=move |_| history_open.update(|o| *o = !*o)>
                                "History"
                            </button>
                        }
                    })}
                {can_edit
                    .then(|| view! { <button type="button" class="link-button" on:click=move |_| editing.set(true)>"Edit"</button> })}
                {can_delete
                    .then(|| {
                        view! {
                            <ConfirmButton
                                label="Delete"
                                question="Delete this post?"
                                class="link-button danger-text"
                                open=confirm_delete
                                on_confirm=delete
                            />
                        }
                    })}
                <PostModeration post=post.clone() posts=posts/>
            </footer>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.detail}</p> })}
            <Show when=move || likers_open.get()>
                <Likers id=id/>
            </Show>
            <Show when=move || history_open.get()>
                <History id=id/>
            </Show>
        </article>
    }
}

#[component]
fn Likers(id: i64) -> impl IntoView {
    let likes = LocalResource::new(move || async move {
        api::page::<Like>(&format!("/posts/{id}/likes"), None, &[("limit", "100")]).await
    });
    view! {
        <div class="likers">
            {move || match likes.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error">{e.detail}</p> }.into_any(),
                Some(Ok(Page { items, .. })) => {
                    view! {
                        <p class="meta">"Liked by:"</p>
                        <ul class="inline-list">
                            {items.into_iter().map(|l| view! { <li>{l.user.display_name}</li> }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}

#[component]
fn History(id: i64) -> impl IntoView {
    let revisions = LocalResource::new(move || async move {
        api::page::<Revision>(&format!("/posts/{id}/revisions"), None, &[("limit", "100")]).await
    });
    view! {
        <section class="history" aria-label="Edit history">
            <h3>"Edit history"</h3>
            {move || match revisions.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error">{e.detail}</p> }.into_any(),
                Some(Ok(Page { items, .. })) => {
                    view! {
                        <ol class="revisions">
                            {items
                                .into_iter()
                                .map(|r| {
                                    view! {
                                        <li>
                                            <p class="meta">
                                                "Revision " {r.number} " by " {r.editor.display_name} " · "
                                                <TimeAgo at=r.created_at/>
                                            </p>
                                            <div class="post-body" inner_html=r.body_html></div>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ol>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn EditPost(id: i64, body: String, posts: RwSignal<Paging<Post>>, editing: RwSignal<bool>) -> impl IntoView {
    let value = RwSignal::new(body);
    let error = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        error.set(None);
        let body = value.get_untracked();
        spawn_local(async move {
            match api::patch::<_, Post>(&format!("/posts/{id}"), &UpdatePostRequest { body }).await {
                Ok(updated) => {
                    posts.update(|p| p.update(|x| x.id == id, |x| *x = updated));
                    editing.set(false);
                }
                Err(e) => error.set(Some(e)),
            }
            saving.set(false);
        });
    };
    view! {
        <form class="edit-form" on:submit=save>
            <MarkdownEditor label="Edit post" name="body" id=format!("edit-{id}") value=value error=error/>
            <FormError error=error fields=&["body"]/>
            <div class="actions">
                <button type="submit" class="primary" disabled=move || saving.get()>"Save"</button>
                <button type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
            </div>
        </form>
    }
}

/// Each zone of the thread's participants, with who is in it.
#[derive(Clone, Copy)]
struct ParticipantZones(RwSignal<Vec<(time::BrowserZone, String)>>);

/// Whether the viewer may reply in this thread (the thread's `can_reply`).
#[derive(Clone, Copy)]
struct CanReply(Signal<bool>);

/// Replies posted from this page since the thread was last loaded, added
/// to the header's count.
#[derive(Clone, Copy)]
struct RepliesAdded(RwSignal<i64>);

/// The post a reply answers, shared by the posts' "Reply" buttons and the composer.
#[derive(Clone, Copy)]
struct ReplyTarget(RwSignal<Option<i64>>, NodeRef<leptos::html::Textarea>);

impl ReplyTarget {
    fn focus(&self) {
        if let Some(el) = self.1.get_untracked() {
            el.scroll_into_view();
            let _ = el.focus();
        }
    }
}

/// Where a half-written reply to a thread is kept, per account, so a
/// reload or a trip elsewhere does not lose it.
fn draft_key(user: Option<i64>, thread_id: i64) -> Option<String> {
    user.map(|u| format!("quorum.draft.{u}.thread.{thread_id}"))
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load_draft(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

fn save_draft(key: &str, text: &str) {
    if let Some(storage) = local_storage() {
        let _ = if text.trim().is_empty() { storage.remove_item(key) } else { storage.set_item(key, text) };
    }
}

#[component]
fn Composer(
    thread: Thread,
    posts: RwSignal<Paging<Post>>,
    groups: LocalResource<Vec<Group>>,
    /// Shows the thread around this post instead of what is shown now.
    open_at: Callback<i64>,
) -> impl IntoView {
    let s = use_session();
    let thread_id = thread.id;
    let draft = draft_key(s.me.with_untracked(|m| m.as_ref().map(|m| m.id)), thread_id);
    let body = RwSignal::new(draft.as_deref().and_then(load_draft).unwrap_or_default());
    let audience = RwSignal::new(Vec::<String>::new());
    let restricted = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let sending = RwSignal::new(false);
    let target = use_context::<ReplyTarget>().unwrap_or_else(|| ReplyTarget(RwSignal::new(None), NodeRef::new()));
    let (reply_to, textarea) = (target.0, target.1);
    let replies_added = use_context::<RepliesAdded>();
    let incoming = use_context::<Incoming>();
    if let Some(key) = draft.clone() {
        Effect::new(move |_| body.with(|b| save_draft(&key, b)));
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if audience_unfinished(restricted, audience) {
            return;
        }
        let request = CreatePostRequest {
            body: body.get_untracked(),
            reply_to: reply_to.get_untracked(),
            audience: restricted.get_untracked().then(|| audience.get_untracked()),
        };
        sending.set(true);
        error.set(None);
        spawn_local(async move {
            match api::post::<_, Post>(&format!("/threads/{thread_id}/posts"), &request).await {
                Ok(post) => {
                    if let Some(incoming) = incoming {
                        incoming.shown(post.id);
                    }
                    if posts.with_untracked(|p| p.has_more()) {
                        // Posts between those shown and this one are not
                        // loaded: show it where it belongs, among them.
                        open_at.run(post.id);
                    } else {
                        posts.update(|p| p.items.push(post));
                    }
                    if let Some(added) = replies_added {
                        added.0.update(|n| *n += 1);
                    }
                    body.set(String::new());
                    reply_to.set(None);
                    // The next reply starts from the thread's own audience again.
                    restricted.set(false);
                    audience.set(Vec::new());
                }
                Err(e) => error.set(Some(e)),
            }
            sending.set(false);
        });
    };
    let replying_to = move || {
        reply_to.get().map(|target| {
            let who = posts.with(|p| {
                p.items.iter().find(|x| x.id == target).map(|x| format!("@{} #{}", x.author.username, x.number))
            });
            let href = format!("#post-{target}");
            view! {
                <p class="replying-to" role="status">
                    "Replying to " <a href=href>{who.unwrap_or_else(|| "a post".into())}</a> " "
                    <button
                        type="button"
                        class="link-button"
                        on:click=move |_| {
                            reply_to.set(None);
                            target_focus(textarea);
                        }
                    >
                        "Cancel reply-to"
                    </button>
                </p>
            }
        })
    };
    let blocked = move || audience_unfinished(restricted, audience);
    view! {
        <section class="composer" aria-label="Reply">
            <h2>"Reply"</h2>
            <form on:submit=submit>
                {replying_to}
                <MarkdownEditor
                    label="Your reply"
                    name="reply"
                    value=body
                    error=error
                    rows=6
                    node_ref=textarea
                    thread_id=thread_id
                    audience=audience
                />
                <MentionSuggestions textarea=textarea body=body thread_id=thread_id groups=groups/>
                <QuoteSelection body=body textarea=textarea/>
                <TimePicker body=body textarea=textarea id="reply"/>
                <AudiencePicker audience=audience groups=groups place="thread" error=error restricted=restricted/>
                <FormError error=error fields=&["body", "audience"]/>
                <button
                    type="submit"
                    class="primary"
                    aria-describedby=move || blocked().then_some("audience-sentence")
                    disabled=move || sending.get() || blocked() || body.with(|b| b.trim().is_empty())
                >
                    {move || if sending.get() { "Posting…" } else { "Post reply" }}
                </button>
            </form>
        </section>
    }
}

fn target_focus(textarea: NodeRef<leptos::html::Textarea>) {
    if let Some(el) = textarea.get_untracked() {
        let _ = el.focus();
    }
}

#[component]
pub fn NewThread() -> impl IntoView {
    view! {
        <SignedIn why="to start a thread">
            <NewThreadForm/>
        </SignedIn>
    }
}

#[component]
fn NewThreadForm() -> impl IntoView {
    let params = use_params_map();
    let navigate = use_navigate();
    let slug = params.with_untracked(|p| p.get("slug").unwrap_or_default());
    let slug_for_preview = slug.clone();
    let category = {
        let slug = slug.clone();
        LocalResource::new(move || {
            let slug = slug.clone();
            async move { api::get::<Category>(&format!("/categories/{}", api::segment(&slug))).await }
        })
    };
    let groups = use_groups();
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let body_ref = NodeRef::<leptos::html::Textarea>::new();
    let audience = RwSignal::new(Vec::<String>::new());
    let restricted = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let sending = RwSignal::new(false);
    set_title(|| Some("New thread".into()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if audience_unfinished(restricted, audience) {
            return;
        }
        let request = CreateThreadRequest {
            category: slug.clone(),
            title: title.get_untracked(),
            body: body.get_untracked(),
            audience: restricted.get_untracked().then(|| audience.get_untracked()),
        };
        let navigate = navigate.clone();
        sending.set(true);
        error.set(None);
        spawn_local(async move {
            match api::post::<_, CreatedThread>("/threads", &request).await {
                Ok(created) => navigate(&format!("/t/{}", created.thread.id), Default::default()),
                Err(e) => error.set(Some(e)),
            }
            sending.set(false);
        });
    };
    view! {
        <h1>"New thread"</h1>
        {move || {
            category
                .get()
                .map(|c| match c {
                    Ok(c) => {
                        let href = format!("/c/{}", c.slug);
                        view! { <p class="meta">"In " <a href=href>{c.name}</a></p> }.into_any()
                    }
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                })
        }}
        <form class="stack" on:submit=submit>
            <TextField label="Title" name="title" value=title error=error required=true/>
            <MarkdownEditor label="Body" name="body" value=body error=error rows=10 category=slug_for_preview audience=audience node_ref=body_ref/>
            <TimePicker body=body textarea=body_ref id="thread"/>
            <AudiencePicker audience=audience groups=groups place="category" error=error restricted=restricted/>
            <FormError error=error fields=&["title", "body", "audience", "category"]/>
            <button
                type="submit"
                class="primary"
                aria-describedby=move || audience_unfinished(restricted, audience).then_some("audience-sentence")
                disabled=move || sending.get() || audience_unfinished(restricted, audience)
            >
                {move || if sending.get() { "Creating…" } else { "Create thread" }}
            </button>
        </form>
    }
}
