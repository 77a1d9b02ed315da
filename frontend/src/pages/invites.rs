//! `/admin/invites`: who may register (open, by invitation, closed), and
//! the invitations: create (groups, uses, expiry; the link shown once),
//! list, revoke.

use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::{
    AdminSettings, CreateInviteRequest, CreatedInvite, Invite, Page, Registration, UpdateSettingsRequest,
};

use crate::api::{self, ApiError};
use crate::components::{load_groups, AuthorLink, ConfirmButton, ErrorBox, FormError, Loading, TimeAgo};
use crate::pages::admin::AdminOnly;
use crate::pages::set_title;
use crate::pages::shown_once::ShownOnce;
use crate::session::use_session;

const MODES: [(Registration, &str); 3] = [
    (Registration::Open, "Open: anyone may create an account"),
    (Registration::Invite, "By invitation: only with an invitation link"),
    (Registration::Closed, "Closed: nobody may register"),
];

/// Lifetimes offered for an invitation, in days.
const INVITE_DAYS: [(i64, &str); 4] = [(14, "14 days"), (1, "1 day"), (7, "7 days"), (30, "30 days")];

/// An invitation's link as people open it: the API's `url`, made absolute
/// with this page's origin when the server knows no public address.
pub fn absolute_link(url: &str, origin: &str) -> String {
    if url.starts_with('/') {
        format!("{}{url}", origin.trim_end_matches('/'))
    } else {
        url.to_string()
    }
}

#[component]
pub fn Invites() -> impl IntoView {
    set_title(|| Some("Registration and invitations".into()));
    view! {
        <AdminOnly>
            <InvitesBody/>
        </AdminOnly>
    }
}

#[component]
fn InvitesBody() -> impl IntoView {
    let invites = LocalResource::new(|| async { api::all::<Invite>("/invites", &[]).await });
    let created = RwSignal::new(None::<CreatedInvite>);
    let reload = Callback::new(move |_| invites.refetch());
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/admin">"Administration"</a></nav>
        <h1>"Registration and invitations"</h1>
        <RegistrationMode/>
        {move || {
            created
                .get()
                .map(|c| {
                    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
                    view! {
                        <section class="card created-invite" aria-labelledby="created-invite-heading">
                            <h2 id="created-invite-heading">"Invitation created"</h2>
                            <ShownOnce
                                label="Invitation link"
                                id="new-invite-link"
                                secret=absolute_link(&c.url, &origin)
                                warning="Send this link to the person you invite. It is shown only this once."
                            />
                            <button type="button" on:click=move |_| created.set(None)>"Done, hide it"</button>
                        </section>
                    }
                })
        }}
        <section aria-labelledby="invites-heading">
            <h2 id="invites-heading">"Invitations"</h2>
            {move || match invites.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
                Some(Ok(Page { items, .. })) if items.is_empty() => {
                    view! { <p class="muted">"No invitations yet."</p> }.into_any()
                }
                Some(Ok(Page { items, .. })) => {
                    view! {
                        <ul class="rows invites">
                            {items.into_iter().map(|i| view! { <InviteRow invite=i reload=reload/> }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </section>
        <NewInvite created=created reload=reload/>
    }
}

#[component]
fn RegistrationMode() -> impl IntoView {
    let s = use_session();
    let settings = LocalResource::new(|| async { api::get::<AdminSettings>("/admin/settings").await });
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let set_mode = move |mode: Registration| {
        error.set(None);
        saved.set(false);
        spawn_local(async move {
            match api::patch::<_, AdminSettings>(
                "/admin/settings",
                &UpdateSettingsRequest { registration: Some(mode), ..Default::default() },
            )
            .await
            {
                Ok(now) => {
                    saved.set(true);
                    // The registration page reads the mode from the site facts.
                    s.site.update(|site| {
                        if let Some(site) = site {
                            site.registration = now.registration;
                        }
                    });
                    settings.refetch();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="registration-heading">
            <h2 id="registration-heading">"Who may register"</h2>
            {move || match settings.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
                Some(Ok(current)) => {
                    view! {
                        <fieldset>
                            <legend>"Registration"</legend>
                            {MODES
                                .into_iter()
                                .map(|(mode, label)| {
                                    view! {
                                        <label class="choice">
                                            <input
                                                type="radio"
                                                name="registration"
                                                value=mode.as_str()
                                                checked=current.registration == mode
                                                on:change=move |_| set_mode(mode)
                                            />
                                            {label}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                    }
                        .into_any()
                }
            }}
            <FormError error=error/>
            <p role="status" class="saved">{move || saved.get().then_some("Saved")}</p>
        </section>
    }
}

#[component]
fn InviteRow(invite: Invite, reload: Callback<()>) -> impl IntoView {
    let confirm = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = invite.id;
    let revoke = Callback::new(move |()| {
        spawn_local(async move {
            match api::delete(&format!("/invites/{id}")).await {
                Ok(()) => reload.run(()),
                Err(e) => {
                    confirm.set(false);
                    error.set(Some(e));
                }
            }
        });
    });
    let state = if invite.revoked_at.is_some() {
        "revoked"
    } else if invite.usable {
        "usable"
    } else if invite.uses >= invite.max_uses {
        "used up"
    } else {
        "expired"
    };
    let label = if invite.note.is_empty() { format!("{}…", invite.prefix) } else { invite.note.clone() };
    view! {
        <li class="invite">
            <strong>{label.clone()}</strong>
            <code class="muted">{invite.prefix.clone()} "…"</code>
            <span class="badge">{state}</span>
            {(!invite.groups.is_empty()).then(|| view! { <span>"joins " {invite.groups.join(", ")}</span> })}
            <span class="meta">
                {format!("used {} of {}", invite.uses, invite.max_uses)}
                {invite.expires_at.map(|at| view! { " · expires " <TimeAgo at=at/> })}
                " · by "
                <AuthorLink username=invite.created_by.username.clone() display_name=invite.created_by.display_name.clone()/>
            </span>
            {invite
                .usable
                .then(|| {
                    view! {
                        <span role="group" aria-label=format!("Invitation {label}")>
                            <ConfirmButton
                                label="Revoke"
                                question="Revoke this invitation?"
                                yes="Yes, revoke"
                                class="link-button danger-text"
                                open=confirm
                                on_confirm=revoke
                            />
                        </span>
                    }
                })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.detail}</p> })}
        </li>
    }
}

#[component]
fn NewInvite(created: RwSignal<Option<CreatedInvite>>, reload: Callback<()>) -> impl IntoView {
    let groups = LocalResource::new(load_groups);
    let chosen = RwSignal::new(Vec::<String>::new());
    let note = RwSignal::new(String::new());
    let uses = RwSignal::new("1".to_string());
    let days = RwSignal::new(INVITE_DAYS[0].0);
    let error = RwSignal::new(None::<ApiError>);
    let sending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let max_uses = uses.get_untracked().trim().parse::<i32>().ok();
        let request = CreateInviteRequest {
            groups: chosen.get_untracked(),
            max_uses,
            expires_at: Some(crate::time::now() + chrono::Duration::days(days.get_untracked())),
            note: note.get_untracked(),
        };
        sending.set(true);
        error.set(None);
        spawn_local(async move {
            match api::post::<_, CreatedInvite>("/invites", &request).await {
                Ok(invite) => {
                    created.set(Some(invite));
                    note.set(String::new());
                    chosen.set(Vec::new());
                    reload.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            sending.set(false);
        });
    };
    let field_error = move |name: &'static str| move || error.get().and_then(|e| e.field(name));
    view! {
        <section class="card" aria-labelledby="new-invite-heading">
            <h2 id="new-invite-heading">"New invitation"</h2>
            <form class="stack" on:submit=submit>
                <div class="field">
                    <label for="field-invite-note">"Who it is for (only admins see this)"</label>
                    <input id="field-invite-note" type="text" bind:value=note/>
                    <p class="field-error">{field_error("note")}</p>
                </div>
                <fieldset>
                    <legend>"Groups the new member joins"</legend>
                    {move || match groups.get() {
                        None => view! { <Loading label="Loading groups…"/> }.into_any(),
                        Some(Err(e)) => view! { <p class="form-error">{e.detail}</p> }.into_any(),
                        Some(Ok(list)) => {
                            list.into_iter()
                                .filter(|g| !g.builtin)
                                .map(|g| {
                                    let slug = g.slug.clone();
                                    let checked = g.slug.clone();
                                    view! {
                                        <label class="choice">
                                            <input
                                                type="checkbox"
                                                prop:checked=move || chosen.with(|c| c.contains(&checked))
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    chosen.update(|c| {
                                                        c.retain(|x| *x != slug);
                                                        if on {
                                                            c.push(slug.clone());
                                                        }
                                                    });
                                                }
                                            />
                                            {g.name.clone()}
                                        </label>
                                    }
                                })
                                .collect_view()
                                .into_any()
                        }
                    }}
                    <p class="field-error">{field_error("groups")}</p>
                </fieldset>
                <div class="field">
                    <label for="field-invite-uses">"How many accounts it may create"</label>
                    <input id="field-invite-uses" type="number" min="1" max="1000" bind:value=uses/>
                    <p class="field-error">{field_error("max_uses")}</p>
                </div>
                <div class="field">
                    <label for="field-invite-expiry">"Works for"</label>
                    <select id="field-invite-expiry" on:change=move |ev| days.set(event_target_value(&ev).parse().unwrap_or(14))>
                        {INVITE_DAYS
                            .into_iter()
                            .map(|(n, label)| view! { <option value=n.to_string() selected=move || days.get() == n>{label}</option> })
                            .collect_view()}
                    </select>
                    <p class="field-error">{field_error("expires_at")}</p>
                </div>
                <FormError error=error fields=&["note", "groups", "max_uses", "expires_at"]/>
                <button type="submit" class="primary" disabled=move || sending.get()>"Create invitation"</button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::absolute_link;

    #[test]
    fn a_relative_invitation_link_gets_this_origin() {
        assert_eq!(
            absolute_link("/register?invite=qrm_inv_x", "http://127.0.0.1:8080"),
            "http://127.0.0.1:8080/register?invite=qrm_inv_x"
        );
        assert_eq!(
            absolute_link("https://forum.example/register?invite=x", "http://127.0.0.1:8080"),
            "https://forum.example/register?invite=x"
        );
    }
}
