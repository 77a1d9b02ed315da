//! The front page: the categories the viewer may read, and the latest
//! threads across them (the whole list is `/latest`).

use leptos::prelude::*;
use quorum_types::{Category, Page};

use crate::api;
use crate::components::{ErrorBox, Loading, TimeAgo};
use crate::pages::latest::{LatestOnHome, ViewSwitch};
use crate::pages::set_title;
use crate::session::use_session;
use crate::time::plural;

#[component]
pub fn Home() -> impl IntoView {
    let s = use_session();
    set_title(|| None);
    // Refetch when the account changes: what one may read depends on it.
    let categories = LocalResource::new(move || {
        s.me.track();
        async move { api::page::<Category>("/categories", None, &[("limit", "100")]).await }
    });
    let retry = Callback::new(move |_| categories.refetch());
    view! {
        <h1>"Categories"</h1>
        <ViewSwitch latest=false/>
        <SetupBanner/>
        {move || match categories.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e retry=retry/> }.into_any(),
            Some(Ok(Page { items, .. })) if items.is_empty() => {
                view! {
                    <div class="empty">
                        <p>"There are no categories you can read yet."</p>
                        {move || {
                            if s.is_admin() {
                                view! { <p><a href="/admin">"Set up the forum"</a></p> }.into_any()
                            } else if s.me.with(|m| m.is_none()) {
                                view! { <p><a href="/login">"Log in"</a> " to see members' categories."</p> }.into_any()
                            } else {
                                ().into_any()
                            }
                        }}
                    </div>
                }
                    .into_any()
            }
            Some(Ok(page)) => {
                view! {
                    <ul class="cards categories">
                        {page.items.into_iter().map(|c| view! { <CategoryCard category=c/> }).collect_view()}
                    </ul>
                    <LatestOnHome/>
                }
                    .into_any()
            }
        }}
    }
}

#[component]
fn CategoryCard(category: Category) -> impl IntoView {
    let href = format!("/c/{}", category.slug);
    view! {
        <li class="card">
            <h2 class="card-title"><a href=href>{category.name}</a></h2>
            <p class="description">{category.description}</p>
            <p class="meta">
                <span>{plural(category.thread_count, "thread", "threads")}</span>
                {category.last_activity_at.map(|at| view! { <span>"Latest activity " <TimeAgo at=at/></span> })}
            </p>
        </li>
    }
}

/// On an install without an administrator: where the setup link is.
#[component]
fn SetupBanner() -> impl IntoView {
    let s = use_session();
    move || {
        s.site.get().filter(|site| site.needs_setup).map(|_| {
            view! {
                <div class="notice" role="note">
                    <p>
                        <strong>"This forum has no administrator yet. "</strong>
                        "When it started, the server printed a set-up link (ending in "
                        <code>"/setup#…"</code>
                        "). Open it to create the first administrator account."
                    </p>
                </div>
            }
        })
    }
}
