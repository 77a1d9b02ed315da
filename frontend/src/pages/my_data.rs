//! The member's own data, on their profile page: the archive of it, and
//! deleting the account (what happens to posts is the forum's setting).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use quorum_types::{DeleteAccountRequest, DeletedAccountPosts};

use crate::api::{self, ApiError};
use crate::components::FormError;
use crate::session::{self, use_session};

/// Offers `text` as a JSON file download (a `data:` link: no object URL to revoke).
fn download(name: &str, text: &str) {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(link) = document.create_element("a") else { return };
    let href = format!("data:application/json;charset=utf-8,{}", js_sys::encode_uri_component(text));
    let _ = link.set_attribute("href", &href);
    let _ = link.set_attribute("download", name);
    if let Ok(link) = link.dyn_into::<web_sys::HtmlElement>() {
        link.click();
    }
}

/// Reply drafts this browser kept for the account (`quorum.draft.<id>.…`).
fn forget_drafts(user_id: i64) {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else { return };
    let prefix = format!("quorum.draft.{user_id}.");
    let count = storage.length().unwrap_or(0);
    let keys: Vec<String> =
        (0..count).filter_map(|i| storage.key(i).ok().flatten()).filter(|k| k.starts_with(&prefix)).collect();
    for key in keys {
        let _ = storage.remove_item(&key);
    }
}

/// What deleting the account does to the member's posts, as the forum is set.
pub fn posts_fate(mode: DeletedAccountPosts, username: &str) -> String {
    match mode {
        DeletedAccountPosts::Keep => format!(
            "Your posts and threads stay on the forum under your name, @{username}; nobody else can take that name."
        ),
        DeletedAccountPosts::Anonymise => {
            "Your posts and threads stay on the forum, shown as by \u{201c}a former member\u{201d}.".to_owned()
        }
        DeletedAccountPosts::Remove => "Your posts are removed. A thread you started that others replied to keeps \
             its title, with a notice in place of your first post."
            .to_owned(),
    }
}

#[component]
pub fn MyData() -> impl IntoView {
    view! {
        <section class="card my-data" aria-labelledby="my-data-heading">
            <h2 id="my-data-heading">"Your data"</h2>
            <DownloadData/>
        </section>
        <DeleteAccount/>
    }
}

#[component]
fn DownloadData() -> impl IntoView {
    let s = use_session();
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let fetch = move |_| {
        let username = s.me.with_untracked(|m| m.as_ref().map(|m| m.username.clone())).unwrap_or_default();
        busy.set(true);
        done.set(false);
        error.set(None);
        spawn_local(async move {
            match api::get_text("/me/export").await {
                Ok(text) => {
                    let day = String::from(js_sys::Date::new_0().to_iso_string());
                    download(&format!("quorum-{username}-{}.json", day.get(..10).unwrap_or("export")), &text);
                    done.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <p>
            "Everything of yours that you can still read: profile and settings, your threads and posts, "
            "likes, notifications, what you follow, answers to events and polls, flags, invitations, "
            "and your access tokens (never their secrets), as one JSON file."
        </p>
        <button type="button" on:click=fetch disabled=move || busy.get()>"Download my data"</button>
        <FormError error=error/>
        <p role="status" class="saved">{move || done.get().then_some("Downloaded")}</p>
    }
}

#[component]
fn DeleteAccount() -> impl IntoView {
    let s = use_session();
    let open = RwSignal::new(false);
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let sending = RwSignal::new(false);
    let navigate = use_navigate();
    let fate = move || {
        let mode = s.site.with(|site| site.as_ref().map(|x| x.deleted_account_posts)).unwrap_or_default();
        let username = s.me.with(|m| m.as_ref().map(|m| m.username.clone())).unwrap_or_default();
        posts_fate(mode, &username)
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = DeleteAccountRequest { password: password.get_untracked() };
        let user_id = s.user_id();
        let navigate = navigate.clone();
        sending.set(true);
        error.set(None);
        spawn_local(async move {
            match api::delete_body("/me", &request).await {
                Ok(()) => {
                    if let Some(id) = user_id {
                        forget_drafts(id);
                    }
                    session::signed_out();
                    navigate("/", Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
            sending.set(false);
        });
    };
    view! {
        <section class="card danger-zone" aria-labelledby="delete-account-heading">
            <h2 id="delete-account-heading">"Delete your account"</h2>
            <button type="button" class="danger" hidden=move || open.get() on:click=move |_| open.set(true)>
                "Delete my account"
            </button>
            <form class="stack" hidden=move || !open.get() on:submit=submit>
                <p class="notice" role="note">{fate}</p>
                <p>
                    "Your e-mail address, profile, likes, group memberships, notifications, access tokens and "
                    "calendar feed are deleted, and you are signed out everywhere. This cannot be undone: "
                    "download your data first if you want to keep it."
                </p>
                <div class="field">
                    <label for="delete-account-password">"Your password"</label>
                    <input
                        id="delete-account-password"
                        type="password"
                        autocomplete="current-password"
                        bind:value=password
                    />
                    <p class="field-error">{move || error.get().and_then(|e| e.field("password"))}</p>
                </div>
                <FormError error=error fields=&["password"]/>
                <div class="actions">
                    <button type="submit" class="danger" disabled=move || sending.get()>"Delete my account for good"</button>
                    <button
                        type="button"
                        on:click=move |_| {
                            open.set(false);
                            password.set(String::new());
                            error.set(None);
                        }
                    >
                        "Cancel"
                    </button>
                </div>
            </form>
        </section>
    }
}
