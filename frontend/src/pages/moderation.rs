//! Moderation: flagging a post, hiding and showing it again, the notice in
//! a hidden post's place, and the moderators' review queue of flags.
//!
//! Every button here appears only when the post's `can_flag` / `can_hide`
//! (or the account's `is_moderator`, for the queue's link) says so.

use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::{Flag, FlagReason, FlagRequest, HideRequest, Post, ResolveFlagRequest};

use crate::api::{self, ApiError};
use crate::components::{AuthorLink, ErrorBox, Loading, SignedIn, TimeAgo};
use crate::pages::set_title;
use crate::paging::Paging;
use crate::session::use_session;

const REASONS: [(FlagReason, &str); 4] = [
    (FlagReason::Spam, "Spam"),
    (FlagReason::Abuse, "Abusive or harassing"),
    (FlagReason::OffTopic, "Off topic"),
    (FlagReason::Other, "Something else"),
];

fn reason_label(reason: FlagReason) -> &'static str {
    REASONS.iter().find(|(r, _)| *r == reason).map(|(_, l)| *l).unwrap_or("Other")
}

/// In a hidden post's place: that a moderator hid it, and why. Its author
/// and the moderators still get the text, shown under the notice.
#[component]
pub fn HiddenNotice(post: Post) -> impl IntoView {
    post.hidden.then(|| {
        let readable = !post.body_html.trim().is_empty();
        view! {
            <p class="notice hidden-notice" role="note">
                <strong>"Hidden by a moderator"</strong>
                {post.hidden_reason.clone().filter(|r| !r.trim().is_empty()).map(|r| format!(": {r}"))}
                {readable.then_some(" (only its author and the moderators see the text)")}
            </p>
        }
    })
}

/// The Flag, Hide and Show buttons of one post, each as its flag allows,
/// with the small form each opens under the post.
#[component]
pub fn PostModeration(post: Post, posts: RwSignal<Paging<Post>>) -> impl IntoView {
    let id = post.id;
    let open = RwSignal::new(None::<&'static str>);
    let flagged = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let replace = move |updated: Post| posts.update(|p| p.update(|x| x.id == id, |x| *x = updated));
    let unhide = move |_| {
        error.set(None);
        spawn_local(async move {
            match api::delete_json::<Post>(&format!("/posts/{id}/hidden")).await {
                Ok(updated) => replace(updated),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let toggle = move |which: &'static str| open.update(|o| *o = if *o == Some(which) { None } else { Some(which) });
    view! {
        {post
            .can_flag
            .then(|| {
                view! {
                    <button
                        type="button"
                        class="link-button"
                        aria-expanded=move || if open.get() == Some("flag") { "true" } else { "false" }
                        disabled=move || flagged.get()
                        on:click=move |_| toggle("flag")
                    >
                        {move || if flagged.get() { "Flagged" } else { "Flag" }}
                    </button>
                }
            })}
        {post
            .can_hide
            .then(|| {
                if post.hidden {
                    view! { <button type="button" class="link-button" on:click=unhide>"Show again"</button> }.into_any()
                } else {
                    view! {
                        <button
                            type="button"
                            class="link-button"
                            aria-expanded=move || if open.get() == Some("hide") { "true" } else { "false" }
                            on:click=move |_| toggle("hide")
                        >
                            "Hide"
                        </button>
                    }
                        .into_any()
                }
            })}
        {move || match open.get() {
            Some("flag") => view! { <FlagForm id=id open=open flagged=flagged/> }.into_any(),
            Some("hide") => view! { <HideForm id=id open=open on_hidden=Callback::new(replace)/> }.into_any(),
            _ => ().into_any(),
        }}
        {move || flagged.get().then(|| view! { <p class="saved" role="status">"Thank you: the moderators will look at this post."</p> })}
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.detail}</p> })}
    }
}

#[component]
fn FlagForm(id: i64, open: RwSignal<Option<&'static str>>, flagged: RwSignal<bool>) -> impl IntoView {
    let reason = RwSignal::new(None::<FlagReason>);
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let sending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(chosen) = reason.get_untracked() else { return };
        let request = FlagRequest { reason: chosen, note: note.get_untracked() };
        sending.set(true);
        error.set(None);
        spawn_local(async move {
            match api::post::<_, Flag>(&format!("/posts/{id}/flags"), &request).await {
                Ok(_) => {
                    flagged.set(true);
                    open.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            sending.set(false);
        });
    };
    let note_id = format!("flag-note-{id}");
    view! {
        <form class="stack flag-form" aria-label="Flag this post" on:submit=submit>
            <fieldset>
                <legend>"Why should a moderator look at this post?"</legend>
                {REASONS
                    .into_iter()
                    .map(|(r, label)| {
                        view! {
                            <label class="choice">
                                <input
                                    type="radio"
                                    name=format!("flag-reason-{id}")
                                    prop:checked=move || reason.get() == Some(r)
                                    on:change=move |_| reason.set(Some(r))
                                />
                                {label}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <div class="field">
                <label for=note_id.clone()>"Note for the moderators (optional)"</label>
                <textarea id=note_id rows=2 bind:value=note></textarea>
                <p class="field-error">{move || error.get().and_then(|e| e.field("note"))}</p>
            </div>
            {move || error.get().filter(|e| e.field("note").is_none()).map(|e| view! { <p class="form-error" role="alert">{e.detail}</p> })}
            <div class="actions">
                <button type="submit" class="primary" disabled=move || sending.get() || reason.get().is_none()>"Send flag"</button>
                <button type="button" on:click=move |_| open.set(None)>"Cancel"</button>
            </div>
        </form>
    }
}

#[component]
fn HideForm(id: i64, open: RwSignal<Option<&'static str>>, on_hidden: Callback<Post>) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = HideRequest { reason: reason.get_untracked() };
        error.set(None);
        spawn_local(async move {
            match api::put_json::<_, Post>(&format!("/posts/{id}/hidden"), &request).await {
                Ok(post) => {
                    open.set(None);
                    on_hidden.run(post);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let field = format!("hide-reason-{id}");
    view! {
        <form class="stack hide-form" aria-label="Hide this post" on:submit=submit>
            <div class="field">
                <label for=field.clone()>"Reason shown in its place"</label>
                <input id=field type="text" bind:value=reason/>
            </div>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.detail}</p> })}
            <div class="actions">
                <button type="submit" class="danger">"Hide post"</button>
                <button type="button" on:click=move |_| open.set(None)>"Cancel"</button>
            </div>
        </form>
    }
}

/// `/moderation`: open (or closed) flags on posts the moderator can read.
#[component]
pub fn FlagQueue() -> impl IntoView {
    set_title(|| Some("Review queue".into()));
    view! {
        <SignedIn why="as a moderator to see this page">
            <FlagQueueBody/>
        </SignedIn>
    }
}

#[component]
fn FlagQueueBody() -> impl IntoView {
    let s = use_session();
    let closed = RwSignal::new(false);
    let flags = RwSignal::new(Paging::<Flag>::default());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let load = move |reset: bool| {
        let status = if closed.get_untracked() { "closed" } else { "open" };
        let cursor = if reset { None } else { flags.with_untracked(|f| f.cursor().map(String::from)) };
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            match api::page::<Flag>("/flags", cursor.as_deref(), &[("status", status), ("limit", "50")]).await {
                Ok(page) => flags.update(|f| {
                    if reset {
                        *f = Paging::default();
                    }
                    f.push(page, |x| x.id)
                }),
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    Effect::new(move |_| {
        closed.track();
        load(true);
    });
    let is_moderator = move || s.me.with(|m| m.as_ref().is_some_and(|m| m.is_moderator || m.is_admin));
    view! {
        <h1>"Review queue"</h1>
        <Show
            when=is_moderator
            fallback=|| view! { <p>"This page is for the forum's moderators."</p> }
        >
            <p><a href="/moderation/deleted">"Deleted threads and replies"</a>" (to restore)"</p>
            <div class="tabs" role="group" aria-label="Which flags">
                <button type="button" aria-pressed=move || if closed.get() { "false" } else { "true" } on:click=move |_| closed.set(false)>
                    "Open"
                </button>
                <button type="button" aria-pressed=move || if closed.get() { "true" } else { "false" } on:click=move |_| closed.set(true)>
                    "Closed"
                </button>
            </div>
            {move || error.get().map(|e| view! { <ErrorBox error=e retry=Callback::new(move |_| load(true))/> })}
            {move || {
                (flags.with(|f| f.loaded && f.items.is_empty()) && !loading.get())
                    .then(|| {
                        view! {
                            <p class="muted">
                                {if closed.get() { "No closed flags yet." } else { "Nothing to review: no open flags." }}
                            </p>
                        }
                    })
            }}
            <ul class="rows flags">
                <For each=move || flags.with(|f| f.items.clone()) key=|f| (f.id, f.resolved_at) let:flag>
                    <FlagRow flag=flag flags=flags/>
                </For>
            </ul>
            {move || {
                if loading.get() {
                    view! { <Loading/> }.into_any()
                } else if flags.with(|f| f.has_more()) {
                    view! { <button type="button" class="load-more" on:click=move |_| load(false)>"Load more flags"</button> }
                        .into_any()
                } else {
                    ().into_any()
                }
            }}
        </Show>
    }
}

#[component]
fn FlagRow(flag: Flag, flags: RwSignal<Paging<Flag>>) -> impl IntoView {
    let id = flag.id;
    let post_id = flag.post_id;
    let error = RwSignal::new(None::<ApiError>);
    let resolve = move |resolution: &'static str, hide_post: bool| {
        let request = ResolveFlagRequest { resolution: resolution.into(), hide_post };
        error.set(None);
        spawn_local(async move {
            match api::post::<_, Flag>(&format!("/flags/{id}/resolve"), &request).await {
                // Closing one flag closes every open flag on the same post.
                Ok(_) => flags.update(|f| f.remove(|x| x.post_id == post_id && x.resolved_at.is_none())),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let href = format!("/t/{}#post-{}", flag.thread_id, flag.post_id);
    let open = flag.resolved_at.is_none();
    view! {
        <li class="flag">
            <div class="flag-body">
                <p>
                    <span class="badge">{reason_label(flag.reason)}</span>
                    <a href=href>{flag.thread_title.clone()}</a>
                    " · post by "
                    <AuthorLink username=flag.post_author.username.clone() display_name=flag.post_author.display_name.clone()/>
                </p>
                <blockquote class="excerpt">{flag.excerpt.clone()}</blockquote>
                {(!flag.note.is_empty()).then(|| view! { <p>"Note: " {flag.note.clone()}</p> })}
                <p class="meta">
                    "Flagged by "
                    <AuthorLink username=flag.reporter.username.clone() display_name=flag.reporter.display_name.clone()/>
                    " "
                    <TimeAgo at=flag.created_at/>
                    {flag
                        .resolved_at
                        .map(|at| {
                            view! {
                                " · " {flag.resolution.clone().unwrap_or_default()} " by "
                                {flag
                                    .resolved_by
                                    .clone()
                                    .map(|u| view! { <AuthorLink username=u.username display_name=u.display_name/> })}
                                " "
                                <TimeAgo at=at/>
                            }
                        })}
                </p>
            </div>
            {open
                .then(|| {
                    view! {
                        <div class="actions" role="group" aria-label=format!("Flag on “{}”", flag.thread_title)>
                            <button type="button" class="danger" on:click=move |_| resolve("resolved", true)>"Hide post and resolve"</button>
                            <button type="button" on:click=move |_| resolve("resolved", false)>"Resolve"</button>
                            <button type="button" on:click=move |_| resolve("dismissed", false)>"Dismiss"</button>
                        </div>
                    }
                })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.detail}</p> })}
        </li>
    }
}
