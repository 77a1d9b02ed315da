//! Personal access tokens for scripts and other apps: list, create (the
//! secret shown once), revoke.

use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::{AccessToken, CreateTokenRequest, CreatedToken, Page};

use crate::api::{self, ApiError};
use crate::components::{ConfirmButton, ErrorBox, FormError, Loading, SignedIn, TextField, TimeAgo};
use crate::pages::admin::AdminOnly;
use crate::pages::set_title;
use crate::pages::shown_once::ShownOnce;

/// The scopes a token can carry, with what each lets a script do.
const SCOPES: [(&str, &str); 4] = [
    ("read", "Read: what you can read"),
    ("write", "Write: post, reply, edit and like as you"),
    ("moderate", "Moderate: what you may do as a moderator"),
    ("admin", "Admin: what you may do as an administrator"),
];

/// Lifetimes offered, in days; 0 is "until revoked".
const EXPIRY_DAYS: [(i64, &str); 5] =
    [(30, "30 days"), (90, "90 days"), (365, "1 year"), (7, "7 days"), (0, "Never (until revoked)")];

#[component]
pub fn Tokens() -> impl IntoView {
    set_title(|| Some("Access tokens".into()));
    view! {
        <SignedIn why="to manage your access tokens">
            <TokensBody/>
        </SignedIn>
    }
}

#[component]
fn TokensBody() -> impl IntoView {
    let tokens = LocalResource::new(|| async { api::all::<AccessToken>("/me/tokens", &[]).await });
    let created = RwSignal::new(None::<CreatedToken>);
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/me">"Your profile"</a></nav>
        <h1>"Access tokens"</h1>
        <p>
            "A personal access token lets a script or another app use the API as you: send it as "
            <code>"Authorization: Bearer <token>"</code>
            ". It never grants more than your account has when it is used, and only what its scopes name."
        </p>
        {move || {
            created
                .get()
                .map(|c| {
                    view! {
                        <section class="card created-token" aria-labelledby="created-token-heading">
                            <h2 id="created-token-heading">"Token “" {c.token.name.clone()} "” created"</h2>
                            <ShownOnce
                                label="Your new token"
                                id="new-token-secret"
                                secret=c.secret.clone()
                                warning="Copy it now: it is shown only this once. If you lose it, revoke it and create another."
                            />
                            <button type="button" on:click=move |_| created.set(None)>"Done, hide it"</button>
                        </section>
                    }
                })
        }}
        <section aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"Your tokens"</h2>
            {move || match tokens.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e retry=Callback::new(move |_| tokens.refetch())/> }.into_any(),
                Some(Ok(Page { items, .. })) if items.is_empty() => {
                    view! { <p class="muted">"No tokens yet."</p> }.into_any()
                }
                Some(Ok(Page { items, .. })) => {
                    view! {
                        <ul class="rows tokens">
                            {items
                                .into_iter()
                                .map(|t| view! { <TokenRow token=t reload=Callback::new(move |_| tokens.refetch())/> })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </section>
        <NewToken created=created reload=Callback::new(move |_| tokens.refetch())/>
    }
}

/// `/admin/tokens`: every member's tokens, filtered by owner, revocable.
#[component]
pub fn AdminTokens() -> impl IntoView {
    set_title(|| Some("Everyone's access tokens".into()));
    view! {
        <AdminOnly>
            <AdminTokensBody/>
        </AdminOnly>
    }
}

#[component]
fn AdminTokensBody() -> impl IntoView {
    let owner = RwSignal::new(String::new());
    let shown_owner = RwSignal::new(String::new());
    let tokens = LocalResource::new(move || {
        let owner = shown_owner.get();
        async move {
            let filter: Vec<(&str, &str)> =
                if owner.trim().is_empty() { Vec::new() } else { vec![("user", owner.trim())] };
            api::all::<AccessToken>("/admin/tokens", &filter).await
        }
    });
    let filter = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        shown_owner.set(owner.get_untracked());
    };
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/admin">"Administration"</a></nav>
        <h1>"Everyone's access tokens"</h1>
        <p class="meta">"Tokens that still work, newest first. Revoking one stops it at once."</p>
        <form class="inline-form" role="search" aria-label="Filter tokens by owner" on:submit=filter>
            <div class="field">
                <label for="field-token-owner">"Owner (username)"</label>
                <input id="field-token-owner" type="text" bind:value=owner/>
            </div>
            <button type="submit">"Filter"</button>
        </form>
        {move || match tokens.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e retry=Callback::new(move |_| tokens.refetch())/> }.into_any(),
            Some(Ok(Page { items, .. })) if items.is_empty() => view! { <p class="muted">"No tokens."</p> }.into_any(),
            Some(Ok(Page { items, .. })) => {
                view! {
                    <ul class="rows tokens">
                        {items
                            .into_iter()
                            .map(|t| view! { <TokenRow token=t reload=Callback::new(move |_| tokens.refetch()) admin=true/> })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }
        }}
    }
}

#[component]
fn TokenRow(token: AccessToken, reload: Callback<()>, #[prop(optional)] admin: bool) -> impl IntoView {
    let confirm = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = token.id;
    let path = if admin { format!("/admin/tokens/{id}") } else { format!("/me/tokens/{id}") };
    let revoke = Callback::new(move |()| {
        let path = path.clone();
        spawn_local(async move {
            match api::delete(&path).await {
                Ok(()) => reload.run(()),
                Err(e) => {
                    confirm.set(false);
                    error.set(Some(e));
                }
            }
        });
    });
    view! {
        <li class="token">
            <strong class="token-name">{token.name.clone()}</strong>
            {admin.then(|| view! { <span class="token-owner">"@" {token.owner.username.clone()}</span> })}
            <code class="muted">{token.prefix.clone()} "…"</code>
            <span class="scopes">
                {token.scopes.iter().map(|s| view! { <span class="badge">{s.clone()}</span> }).collect_view()}
            </span>
            <span class="meta">
                "created " <TimeAgo at=token.created_at/>
                {match token.last_used_at {
                    Some(at) => view! { " · last used " <TimeAgo at=at/> }.into_any(),
                    None => view! { " · never used" }.into_any(),
                }}
                {match token.expires_at {
                    Some(at) => view! { " · expires " <TimeAgo at=at/> }.into_any(),
                    None => view! { " · no expiry" }.into_any(),
                }}
            </span>
            <span role="group" aria-label=format!("Token {}", token.name)>
                <ConfirmButton
                    label="Revoke"
                    question="Revoke this token? Scripts using it stop working at once."
                    yes="Yes, revoke"
                    class="link-button danger-text"
                    open=confirm
                    on_confirm=revoke
                />
            </span>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.detail}</p> })}
        </li>
    }
}

#[component]
fn NewToken(created: RwSignal<Option<CreatedToken>>, reload: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(vec!["read".to_string()]);
    let days = RwSignal::new(EXPIRY_DAYS[0].0);
    let error = RwSignal::new(None::<ApiError>);
    let sending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let days = days.get_untracked();
        let request = CreateTokenRequest {
            name: name.get_untracked(),
            scopes: scopes.get_untracked(),
            expires_at: (days > 0).then(|| crate::time::now() + chrono::Duration::days(days)),
        };
        sending.set(true);
        error.set(None);
        created.set(None);
        spawn_local(async move {
            match api::post::<_, CreatedToken>("/me/tokens", &request).await {
                Ok(token) => {
                    created.set(Some(token));
                    name.set(String::new());
                    reload.run(());
                    request_animation_frame(|| {
                        if let Some(el) = web_sys::window()
                            .and_then(|w| w.document())
                            .and_then(|d| d.get_element_by_id("new-token-secret"))
                        {
                            el.scroll_into_view();
                        }
                    });
                }
                Err(e) => error.set(Some(e)),
            }
            sending.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="new-token-heading">
            <h2 id="new-token-heading">"New token"</h2>
            <form class="stack" on:submit=submit>
                <TextField label="Name" name="name" value=name error=error required=true hint="What it is for, e.g. “member sync”."/>
                <fieldset>
                    <legend>"Scopes"</legend>
                    {SCOPES
                        .into_iter()
                        .map(|(scope, label)| {
                            view! {
                                <label class="choice">
                                    <input
                                        type="checkbox"
                                        name="scope"
                                        value=scope
                                        prop:checked=move || scopes.with(|s| s.iter().any(|x| x == scope))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            scopes.update(|s| {
                                                s.retain(|x| x != scope);
                                                if on {
                                                    s.push(scope.to_string());
                                                }
                                            });
                                        }
                                    />
                                    {label}
                                </label>
                            }
                        })
                        .collect_view()}
                    <p class="field-error">{move || error.get().and_then(|e| e.field("scopes"))}</p>
                </fieldset>
                <div class="field">
                    <label for="field-expiry">"Expires"</label>
                    <select id="field-expiry" on:change=move |ev| days.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {EXPIRY_DAYS
                            .into_iter()
                            .map(|(n, label)| {
                                view! { <option value=n.to_string() selected=move || days.get() == n>{label}</option> }
                            })
                            .collect_view()}
                    </select>
                    <p class="field-error">{move || error.get().and_then(|e| e.field("expires_at"))}</p>
                </div>
                <FormError error=error fields=&["name", "scopes", "expires_at"]/>
                <button type="submit" class="primary" disabled=move || sending.get()>
                    {move || if sending.get() { "Creating…" } else { "Create token" }}
                </button>
            </form>
        </section>
    }
}
