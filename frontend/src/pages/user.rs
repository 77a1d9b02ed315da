//! `/u/{username}`: a member as others see them: name, bio, groups, their
//! local time now, and their posts the viewer may read (the API decides
//! which).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use quorum_types::{UserPost, UserProfile};

use crate::api::{self, ApiError};
use crate::app::Clock;
use crate::components::{Avatar, ErrorBox, Loading, TimeAgo};
use crate::pages::set_title;
use crate::paging::Paging;
use crate::session::use_session;
use crate::time::{self, Zone};

#[component]
pub fn UserPage() -> impl IntoView {
    let params = use_params_map();
    let s = use_session();
    let username = move || params.with(|p| p.get("username").unwrap_or_default());
    let profile = LocalResource::new(move || {
        let name = username();
        s.me.track();
        async move { api::get::<UserProfile>(&format!("/users/{}", api::segment(&name))).await }
    });
    set_title(move || match profile.get() {
        Some(Ok(p)) => Some(p.display_name),
        _ => None,
    });
    let retry = Callback::new(move |_| profile.refetch());
    move || match profile.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(e)) if e.is_not_found() => view! {
            <h1>"No such member"</h1>
            <p>"There is nobody by that name here, or you need to " <a href="/login">"log in"</a> " to see members."</p>
        }
        .into_any(),
        Some(Err(e)) => view! { <h1>"Member"</h1><ErrorBox error=e retry=retry/> }.into_any(),
        Some(Ok(p)) => view! { <ProfileView profile=p/> }.into_any(),
    }
}

#[component]
fn ProfileView(profile: UserProfile) -> impl IntoView {
    let s = use_session();
    let clock = expect_context::<Clock>();
    let zone = time::zone(Some(&profile.time_zone));
    let local_now = move || {
        let local = zone.local(clock.0.get());
        format!("{} {}", local.at.format("%H:%M, %a %-d %b"), local.abbreviation)
    };
    let signed_in = s.me.with_untracked(|m| m.is_some());
    let groups = profile.groups.clone();
    view! {
        <div class="profile-head">
            <Avatar username=profile.username.clone() display_name=profile.display_name.clone() large=true/>
            <div>
                <h1>{profile.display_name.clone()}</h1>
                <p class="username muted">"@" {profile.username.clone()}</p>
            </div>
        </div>
        {(!profile.bio.trim().is_empty()).then(|| view! { <p class="bio">{profile.bio.clone()}</p> })}
        <dl class="facts">
            <dt>"Local time"</dt>
            <dd class="local-time">{local_now} " (" {profile.time_zone.clone()} ")"</dd>
            <dt>"Member since"</dt>
            <dd><TimeAgo at=profile.created_at/></dd>
            {signed_in.then(|| view! {
                <dt>"Groups"</dt>
                <dd>
                    {if groups.is_empty() {
                        view! { <span class="muted">"None"</span> }.into_any()
                    } else {
                        view! {
                            <ul class="group-list" aria-label="Groups">
                                {groups.into_iter().map(|g| view! { <li class="badge">{g.name}</li> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </dd>
            })}
        </dl>
        <RecentPosts username=profile.username.clone()/>
    }
}

#[component]
fn RecentPosts(username: String) -> impl IntoView {
    let posts = RwSignal::new(Paging::<UserPost>::default());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let path = format!("/users/{}/posts", api::segment(&username));
    let load = {
        let path = path.clone();
        move || {
            let path = path.clone();
            let cursor = posts.with_untracked(|p| p.cursor().map(String::from));
            loading.set(true);
            error.set(None);
            spawn_local(async move {
                match api::page::<UserPost>(&path, cursor.as_deref(), &[]).await {
                    Ok(page) => posts.update(|p| p.push(page, |x| x.post_id)),
                    Err(e) => error.set(Some(e)),
                }
                loading.set(false);
            });
        }
    };
    load();
    let more = load.clone();
    view! {
        <section aria-labelledby="recent-posts" aria-busy=move || if loading.get() { "true" } else { "false" }>
            <h2 id="recent-posts">"Recent posts"</h2>
            {move || error.get().map(|e| view! { <ErrorBox error=e/> })}
            {move || {
                (posts.with(|p| p.loaded && p.items.is_empty()) && !loading.get())
                    .then(|| view! { <p class="muted">"No posts you can read."</p> })
            }}
            <ol class="rows user-posts">
                <For each=move || posts.with(|p| p.items.clone()) key=|p| p.post_id let:post>
                    <li class="user-post">
                        <a class="hit-title" href=format!("/p/{}", post.post_id)>{post.thread_title.clone()}</a>
                        <p class="snippet">{post.excerpt.clone()}</p>
                        <p class="meta">
                            {if post.opens_thread { "Started the thread" } else { "Replied" }} " in " {post.category.clone()} " · "
                            <TimeAgo at=post.created_at/>
                        </p>
                    </li>
                </For>
            </ol>
            {move || {
                let more = more.clone();
                (posts.with(|p| p.has_more()) && !loading.get())
                    .then(|| view! { <button type="button" class="load-more" on:click=move |_| more()>"More posts"</button> })
            }}
        </section>
    }
}
