//! Personal access tokens for scripts and other apps: list, create (the
//! secret shown once), revoke.

use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::{AccessToken, CreateTokenRequest, CreatedToken};

use crate::api::{self, ApiError};
use crate::components::{ConfirmButton, ErrorBox, FormError, Loading, SignedIn, TextField, TimeAgo};
use crate::pages::set_title;
use crate::pages::shown_once::ShownOnce;
use crate::paging::Paging;

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
    let created = RwSignal::new(None::<CreatedToken>);
    let reload = RwSignal::new(0u32);
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
            <TokenList base="/me/tokens" params=Signal::derive(Vec::new) reload=reload show_owner=false/>
        </section>
        <NewToken created=created reload=Callback::new(move |_| reload.update(|n| *n += 1))/>
    }
}

/// `/admin/tokens`: every member's tokens, filtered by member, revocable.
#[component]
pub fn AdminTokens() -> impl IntoView {
    set_title(|| Some("Access tokens".into()));
    view! {
        <crate::pages::admin::AdminOnly>
            <AdminTokensBody/>
        </crate::pages::admin::AdminOnly>
    }
}

#[component]
fn AdminTokensBody() -> impl IntoView {
    let user = RwSignal::new(String::new());
    let revoked = RwSignal::new(false);
    let applied = RwSignal::new((String::new(), false));
    let reload = RwSignal::new(0u32);
    let params = Signal::derive(move || {
        let (user, revoked) = applied.get();
        let mut params = Vec::new();
        if !user.trim().is_empty() {
            params.push(("user".to_string(), user.trim().to_string()));
        }
        if revoked {
            params.push(("include_revoked".to_string(), "true".to_string()));
        }
        params
    });
    let filter = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        applied.set((user.get_untracked(), revoked.get_untracked()));
    };
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/admin">"Administration"</a></nav>
        <h1>"Access tokens"</h1>
        <p class="meta">"Every member's personal access tokens. Revoking one stops it on its next request."</p>
        <form class="inline-form" role="search" aria-label="Filter tokens" on:submit=filter>
            <div class="field">
                <label for="field-token-user">"Member (username)"</label>
                <input id="field-token-user" type="text" bind:value=user/>
            </div>
            <label class="choice">
                <input type="checkbox" bind:checked=revoked/>
                "Revoked tokens too"
            </label>
            <button type="submit">"Filter"</button>
        </form>
        <TokenList base="/admin/tokens" params=params reload=reload show_owner=true/>
    }
}

/// A paged list of tokens from `base` (`/me/tokens` or `/admin/tokens`),
/// reloaded when `params` or `reload` change; each revoked at `base/{id}`.
#[component]
fn TokenList(
    base: &'static str,
    params: Signal<Vec<(String, String)>>,
    reload: RwSignal<u32>,
    show_owner: bool,
) -> impl IntoView {
    let tokens = RwSignal::new(Paging::<AccessToken>::default());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let load = move |reset: bool| {
        let params = params.get_untracked();
        let cursor = if reset { None } else { tokens.with_untracked(|p| p.cursor().map(String::from)) };
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let mut query: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            query.push(("limit", "100"));
            match api::page::<AccessToken>(base, cursor.as_deref(), &query).await {
                Ok(page) => tokens.update(|p| {
                    if reset {
                        *p = Paging::default();
                    }
                    p.push(page, |t| t.id)
                }),
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    Effect::new(move |_| {
        params.track();
        reload.track();
        load(true);
    });
    // Your own list shows live tokens only; the admins' list keeps a revoked
    // one in place, marked, when it asked for revoked tokens too.
    let revoked = Callback::new(move |updated: AccessToken| {
        let keep = show_owner && params.with_untracked(|p| p.iter().any(|(k, _)| k == "include_revoked"));
        tokens.update(|p| {
            if keep {
                p.update(|t| t.id == updated.id, |t| *t = updated.clone());
            } else {
                p.remove(|t| t.id == updated.id);
            }
        });
    });
    view! {
        {move || error.get().map(|e| view! { <ErrorBox error=e retry=Callback::new(move |_| load(true))/> })}
        {move || {
            (tokens.with(|p| p.loaded && p.items.is_empty()) && !loading.get())
                .then(|| view! { <p class="muted">{if show_owner { "No tokens match." } else { "No tokens yet." }}</p> })
        }}
        <ul class="rows tokens">
            <For each=move || tokens.with(|p| p.items.clone()) key=|t| (t.id, t.revoked_at) let:token>
                <TokenRow token=token base=base show_owner=show_owner revoked=revoked/>
            </For>
        </ul>
        {move || {
            if loading.get() {
                view! { <Loading/> }.into_any()
            } else if tokens.with(|p| p.has_more()) {
                view! { <button type="button" class="load-more" on:click=move |_| load(false)>"Load more tokens"</button> }
                    .into_any()
            } else {
                ().into_any()
            }
        }}
    }
}

#[component]
fn TokenRow(token: AccessToken, base: &'static str, show_owner: bool, revoked: Callback<AccessToken>) -> impl IntoView {
    let confirm = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = token.id;
    let revoke = Callback::new(move |()| {
        spawn_local(async move {
            match api::delete_json::<AccessToken>(&format!("{base}/{id}")).await {
                Ok(updated) => revoked.run(updated),
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
            <code class="muted">{token.prefix.clone()} "…"</code>
            {show_owner.then(|| view! { <span class="token-owner">"of " {token.owner.username.clone()}</span> })}
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
            {match token.revoked_at {
                Some(at) => view! { <span class="badge revoked">"revoked " <TimeAgo at=at/></span> }.into_any(),
                None => {
                    view! {
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
                    }
                        .into_any()
                }
            }}
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
