//! Log in, create an account, create the first administrator, and reset a
//! forgotten password by e-mail.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use quorum_types::{
    LoginRequest, PasswordResetConfirm, PasswordResetRequest, PasswordResetRequested, RegisterRequest, Registration,
    SetupRequest, TokenPair,
};
use serde::Serialize;

use crate::api;
use crate::components::{FormError, Submission, TextField};
use crate::pages::set_title;
use crate::session::{self, use_session};
use crate::time::browser_zone;

/// Where to go after signing in: the `next` parameter when it is a path on
/// this site (never another origin), the front page otherwise.
pub fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\")).unwrap_or_else(|| "/".into())
}

/// Sends a sign-in (log in, register, set up) for a cookie session; on
/// success keeps the session and goes to `next`.
fn sign_in<B: Serialize + 'static>(
    form: Submission,
    path: &'static str,
    body: B,
    next: String,
    navigate: impl Fn(&str, NavigateOptions) + 'static,
) {
    form.run(async move { api::post_anonymous::<_, TokenPair>(path, &body).await }, move |pair| {
        session::signed_in(pair);
        navigate(&next, Default::default());
    });
}

#[component]
pub fn Login() -> impl IntoView {
    set_title(|| Some("Log in".into()));
    let query = use_query_map();
    let navigate = use_navigate();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let form = Submission::new();
    let (error, sending) = (form.error, form.sending);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request =
            LoginRequest { login: login.get_untracked(), password: password.get_untracked(), refresh_cookie: true };
        let next = safe_next(query.with_untracked(|q| q.get("next")));
        sign_in(form, "/auth/login", request, next, navigate.clone());
    };
    view! {
        <div class="narrow">
            <h1>"Log in"</h1>
            <form class="stack" on:submit=submit>
                <TextField label="Username or e-mail" name="login" value=login error=error autocomplete="username" required=true/>
                <TextField label="Password" name="password" kind="password" value=password error=error autocomplete="current-password" required=true/>
                <FormError error=error fields=&["login", "password"]/>
                <button type="submit" class="primary" disabled=move || sending.get()>
                    {move || if sending.get() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
            <p class="meta">
                <a href="/forgot-password">"Forgot password?"</a>
                " · New here? "
                <a href="/register">"Create an account"</a>
            </p>
        </div>
    }
}

#[component]
pub fn Register() -> impl IntoView {
    set_title(|| Some("Create an account".into()));
    let s = use_session();
    let navigate = use_navigate();
    // An invitation link is `/register?invite=CODE` (the API's `url`).
    let invited = use_query_map().with_untracked(|q| q.get("invite")).filter(|c| !c.trim().is_empty());
    let invite = RwSignal::new(invited.clone().unwrap_or_default());
    let username = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let form = Submission::new();
    let (error, sending) = (form.error, form.sending);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = display_name.get_untracked();
        let request = RegisterRequest {
            username: username.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
            display_name: (!name.trim().is_empty()).then_some(name),
            time_zone: browser_zone(),
            refresh_cookie: true,
            invite: Some(invite.get_untracked().trim().to_string()).filter(|c| !c.is_empty()),
        };
        sign_in(form, "/auth/register", request, "/".into(), navigate.clone());
    };
    let mode = move || s.site.with(|site| site.as_ref().map(|x| x.registration));
    let has_invite = invited.is_some();
    view! {
        <div class="narrow">
            <h1>"Create an account"</h1>
            {move || match (mode(), has_invite) {
                (_, true) => {
                    view! {
                        <p class="notice invited" role="note">
                            "You have been invited: your account joins the groups the invitation names."
                        </p>
                    }
                        .into_any()
                }
                (Some(Registration::Closed), false) => {
                    view! { <p class="notice" role="note">"This forum does not take new registrations at the moment."</p> }
                        .into_any()
                }
                (Some(Registration::Invite), false) => {
                    view! {
                        <p class="notice" role="note">
                            "This forum takes new members by invitation: open the link in your invitation, or enter its code below."
                        </p>
                    }
                        .into_any()
                }
                _ => ().into_any(),
            }}
            <form class="stack" on:submit=submit>
                <TextField label="Username" name="username" value=username error=error autocomplete="username" required=true hint="3 to 32 characters: letters, digits, _ and -."/>
                <TextField label="E-mail" name="email" kind="email" value=email error=error autocomplete="email" required=true/>
                <TextField label="Display name" name="display_name" value=display_name error=error autocomplete="name" hint="How others see you; your username if left empty."/>
                <TextField label="Password" name="password" kind="password" value=password error=error autocomplete="new-password" required=true hint="At least 10 characters."/>
                <Show when=move || has_invite || mode() == Some(Registration::Invite)>
                    <TextField label="Invitation code" name="invite" value=invite error=error/>
                </Show>
                <FormError error=error fields=&["username", "email", "display_name", "password", "invite"]/>
                <button type="submit" class="primary" disabled=move || sending.get()>
                    {move || if sending.get() { "Creating…" } else { "Create account" }}
                </button>
            </form>
            <p class="meta">"Already have an account? " <a href="/login">"Log in"</a></p>
        </div>
    }
}

/// The first administrator, with the token from the link the server printed.
#[component]
pub fn Setup() -> impl IntoView {
    set_title(|| Some("Set up".into()));
    let s = use_session();
    let navigate = use_navigate();
    // Read again at each attempt: a corrected link changes only the hash,
    // which reloads nothing.
    let token = || {
        web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .map(|h| h.trim_start_matches('#').to_string())
            .unwrap_or_default()
    };
    let username = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let form = Submission::new();
    let (error, sending) = (form.error, form.sending);
    let has_token = !token().is_empty();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = SetupRequest {
            token: token(),
            username: username.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
            display_name: None,
            time_zone: browser_zone(),
            refresh_cookie: true,
        };
        let navigate = navigate.clone();
        let request = async move { api::post_anonymous::<_, TokenPair>("/setup", &request).await };
        form.run(request, move |pair| {
            session::signed_in(pair);
            s.site.update(|site| {
                if let Some(site) = site {
                    site.needs_setup = false;
                }
            });
            navigate("/admin", Default::default());
        });
    };
    let done = move || s.site.with(|site| site.as_ref().is_some_and(|x| !x.needs_setup));
    view! {
        <div class="narrow">
            <h1>"Set up Quorum"</h1>
            <Show
                when=move || !done()
                fallback=|| view! { <p>"This forum already has an administrator. " <a href="/login">"Log in"</a></p> }
            >
                {(!has_token)
                    .then(|| {
                        view! {
                            <p class="notice" role="note">
                                "Open the set-up link the server printed when it started; it ends in "
                                <code>"/setup#"</code>
                                " and a token."
                            </p>
                        }
                    })}
                <p>"Create the first administrator account. You can then set up groups and categories."</p>
                <form class="stack" on:submit=submit.clone()>
                    <TextField label="Username" name="username" value=username error=error autocomplete="username" required=true/>
                    <TextField label="E-mail" name="email" kind="email" value=email error=error autocomplete="email" required=true/>
                    <TextField label="Password" name="password" kind="password" value=password error=error autocomplete="new-password" required=true hint="At least 10 characters."/>
                    <FormError error=error fields=&["username", "email", "password"]/>
                    <button type="submit" class="primary" disabled=move || sending.get()>"Create admin account"</button>
                </form>
            </Show>
        </div>
    }
}

/// Asks for a reset link by e-mail. The answer is the same whether or not
/// an account matched, and the page says so; a forum that sends no e-mail
/// says to ask an admin instead.
#[component]
pub fn ForgotPassword() -> impl IntoView {
    set_title(|| Some("Forgot password".into()));
    let s = use_session();
    let login = RwSignal::new(String::new());
    let form = Submission::new();
    let (error, sending) = (form.error, form.sending);
    let sent = RwSignal::new(None::<PasswordResetRequested>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = PasswordResetRequest { login: login.get_untracked() };
        sent.set(None);
        form.run(
            async move { api::post_anonymous::<_, PasswordResetRequested>("/auth/password-reset", &request).await },
            move |answer| sent.set(Some(answer)),
        );
    };
    // Unknown until the site facts arrive: the form waits for them.
    let mails = move || s.site.with(|site| site.as_ref().map(|x| x.password_reset));
    view! {
        <div class="narrow">
            <h1>"Forgot password"</h1>
            {move || match mails() {
                None => view! { <p aria-busy="true">"Loading…"</p> }.into_any(),
                Some(false) => {
                    view! {
                        <p class="notice" role="note">
                            "This forum does not send e-mail, so it cannot mail you a link. "
                            "Ask an admin of the forum to help you back into your account."
                        </p>
                    }
                        .into_any()
                }
                Some(true) => {
                    view! {
                        <p>"Give your username or e-mail address: we mail a link to choose a new password to the address of the account."</p>
                        <form class="stack" on:submit=submit>
                            <TextField label="Username or e-mail" name="login" value=login error=error autocomplete="username" required=true/>
                            <FormError error=error fields=&["login"]/>
                            <button type="submit" class="primary" disabled=move || sending.get()>
                                {move || if sending.get() { "Sending…" } else { "Send the link" }}
                            </button>
                        </form>
                        <div role="status">
                            {move || {
                                sent.get()
                                    .map(|answer| {
                                        view! {
                                            <p class="notice sent">
                                                "If an account has that username or e-mail address, a link is on its way to its e-mail address. "
                                                {format!("It works once, for {} minutes. ", answer.expires_in_minutes)}
                                                "Nothing came? Look in the spam folder, or ask again."
                                            </p>
                                        }
                                    })
                            }}
                        </div>
                    }
                        .into_any()
                }
            }}
            <p class="meta">"Remembered it? " <a href="/login">"Log in"</a></p>
        </div>
    }
}

/// The page a reset mail links to: choose a new password, then signed in
/// (every other session of the account is signed out).
#[component]
pub fn ResetPassword() -> impl IntoView {
    set_title(|| Some("Choose a new password".into()));
    let navigate = use_navigate();
    let token = use_query_map().with_untracked(|q| q.get("token")).filter(|t| !t.trim().is_empty());
    let password = RwSignal::new(String::new());
    let form = Submission::new();
    let (error, sending) = (form.error, form.sending);
    let has_token = token.is_some();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = PasswordResetConfirm {
            token: token.clone().unwrap_or_default(),
            new_password: password.get_untracked(),
            refresh_cookie: true,
        };
        sign_in(form, "/auth/password-reset/confirm", request, "/".into(), navigate.clone());
    };
    let link_refused = move || error.with(|e| e.as_ref().and_then(|e| e.field("token")));
    view! {
        <div class="narrow">
            <h1>"Choose a new password"</h1>
            <Show
                when=move || has_token
                fallback=|| {
                    view! {
                        <p class="notice" role="note">
                            "Open this page from the link in the reset mail. "
                            <a href="/forgot-password">"Ask for a link"</a>
                        </p>
                    }
                }
            >
                <p>"Once it is set, you are signed in here and signed out everywhere else."</p>
                <form class="stack" on:submit=submit.clone()>
                    <TextField label="New password" name="new_password" kind="password" value=password error=error autocomplete="new-password" required=true hint="At least 10 characters."/>
                    <FormError error=error fields=&["new_password", "token"]/>
                    <button type="submit" class="primary" disabled=move || sending.get()>
                        {move || if sending.get() { "Saving…" } else { "Set password and log in" }}
                    </button>
                </form>
                {move || {
                    link_refused()
                        .map(|message| {
                            view! {
                                <p class="form-error" role="alert">
                                    {message} " " <a href="/forgot-password">"Ask for a new link"</a>
                                </p>
                            }
                        })
                }}
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/t/12".into())), "/t/12");
        assert_eq!(safe_next(Some("//evil.example/".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example/".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(None), "/");
    }
}
