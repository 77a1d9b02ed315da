//! The shell: header, routes, and the clock that keeps relative times fresh.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::path;
use wasm_bindgen::JsCast;

use crate::components::Loading;
use crate::pages::{
    admin, audit, auth, category, deleted, events, home, invites, latest, moderation, notifications, people, profile,
    search, thread, tokens, user,
};
use crate::session::{self, use_session, Session};

/// The current time, ticking every 30 seconds, for relative times.
#[derive(Clone, Copy)]
pub struct Clock(pub RwSignal<chrono::DateTime<chrono::Utc>>);

#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
    let clock = Clock(RwSignal::new(crate::time::now()));
    provide_context(clock);
    set_interval(move || clock.0.set(crate::time::now()), std::time::Duration::from_secs(30));
    spawn_local(session::restore(session));
    crate::live::provide();

    view! {
        <Router>
            <RouteFocus/>
            <a class="skip-link" href="#main" on:click=skip_to_main>"Skip to content"</a>
            <Header/>
            <crate::shortcuts::Shortcuts/>
            <main id="main" class="wrap" tabindex="-1">
                // Pages load what the viewer may see: wait for the session first.
                <Show when=move || session.ready.get() fallback=|| view! { <Loading/> }>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=home::Home/>
                    <Route path=path!("/c/:slug") view=category::CategoryPage/>
                    <Route path=path!("/c/:slug/new") view=thread::NewThread/>
                    <Route path=path!("/t/:id") view=thread::ThreadPage/>
                    <Route path=path!("/p/:id") view=notifications::PostLink/>
                    <Route path=path!("/latest") view=latest::LatestPage/>
                    <Route path=path!("/events") view=events::EventsPage/>
                    <Route path=path!("/notifications") view=notifications::NotificationsPage/>
                    <Route path=path!("/search") view=search::SearchPage/>
                    <Route path=path!("/login") view=auth::Login/>
                    <Route path=path!("/register") view=auth::Register/>
                    <Route path=path!("/setup") view=auth::Setup/>
                    <Route path=path!("/forgot-password") view=auth::ForgotPassword/>
                    <Route path=path!("/reset-password") view=auth::ResetPassword/>
                    <Route path=path!("/u/:username") view=user::UserPage/>
                    <Route path=path!("/me") view=profile::Profile/>
                    <Route path=path!("/me/tokens") view=tokens::Tokens/>
                    <Route path=path!("/moderation") view=moderation::FlagQueue/>
                    <Route path=path!("/moderation/deleted") view=deleted::Deleted/>
                    <Route path=path!("/admin/people") view=people::People/>
                    <Route path=path!("/admin/invites") view=invites::Invites/>
                    <Route path=path!("/admin/audit") view=audit::Audit/>
                    <Route path=path!("/admin/tokens") view=tokens::AdminTokens/>
                    <Route path=path!("/admin") view=admin::AdminHome/>
                    <Route path=path!("/admin/groups") view=admin::Groups/>
                    <Route path=path!("/admin/groups/:slug") view=admin::GroupPage/>
                    <Route path=path!("/admin/categories") view=admin::Categories/>
                    <Route path=path!("/admin/categories/:slug") view=admin::CategoryEdit/>
                </Routes>
                </Show>
            </main>
        </Router>
    }
}

#[component]
fn Header() -> impl IntoView {
    let s = use_session();
    let navigate = use_navigate();
    let site_name = move || s.site.get().map(|site| site.name).unwrap_or_else(|| "Quorum".into());
    let log_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            session::log_out().await;
            navigate("/", Default::default());
        });
    };
    view! {
        <header class="site-header">
            <nav aria-label="Main" class="wrap nav">
                <a class="brand" href="/">{site_name}</a>
                <search::SearchBox/>
                <span class="spacer"></span>
                <a href="/latest">"Latest"</a>
                <a href="/events">"Events"</a>
                {move || match s.me.get() {
                    Some(me) => {
                        view! {
                            {(me.is_moderator || me.is_admin).then(|| view! { <a href="/moderation">"Review"</a> })}
                            {me.is_admin.then(|| view! { <a href="/admin">"Admin"</a> })}
                            <crate::live::NotificationBadge/>
                            <a href="/me" class="me-link">{me.display_name.clone()}</a>
                            <button type="button" class="link-button" on:click=log_out.clone()>"Log out"</button>
                        }
                            .into_any()
                    }
                    None if s.ready.get() => {
                        view! {
                            <a href="/login">"Log in"</a>
                            <a href="/register" class="button small">"Register"</a>
                        }
                            .into_any()
                    }
                    None => view! { <span class="muted">"…"</span> }.into_any(),
                }}
            </nav>
        </header>
    }
}

/// After a client-side navigation, focus moves to the page's `<main>`, as a
/// full page load would put a screen reader at the start of the new page.
#[component]
fn RouteFocus() -> impl IntoView {
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            request_animation_frame(|| {
                let main = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("main"));
                if let Some(main) = main.and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = main.focus();
                }
            });
        }
        path
    });
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <h1>"Page not found"</h1>
        <p>"There is nothing at this address. It may have moved, or you may have followed a broken link."</p>
        <p><a href="/">"Back to the categories"</a></p>
    }
}

/// The skip link moves focus (not only the view) to the page's `<main>`.
fn skip_to_main(ev: leptos::ev::MouseEvent) {
    let main = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("main"))
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(main) = main {
        ev.prevent_default();
        let _ = main.focus();
        main.scroll_into_view();
    }
}
