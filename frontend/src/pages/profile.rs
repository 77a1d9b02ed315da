//! The signed-in person's own profile: name, bio, time zone, password;
//! their data and deleting the account (`my_data`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::{Me, UpdateMeRequest};

use crate::api::{self, ApiError};
use crate::components::{FormError, SignedIn, TextField};
use crate::pages::set_title;
use crate::session::use_session;
use crate::time::{browser_zone, zone_names};

#[component]
pub fn Profile() -> impl IntoView {
    set_title(|| Some("Your profile".into()));
    view! {
        <SignedIn why="to edit your profile">
            <ProfileForm/>
        </SignedIn>
    }
}

#[component]
fn ProfileForm() -> impl IntoView {
    let s = use_session();
    let me = s.me.get_untracked();
    let display_name = RwSignal::new(me.as_ref().map(|m| m.display_name.clone()).unwrap_or_default());
    let bio = RwSignal::new(me.as_ref().map(|m| m.bio.clone()).unwrap_or_default());
    // An account still on the default UTC starts from the browser's zone.
    let initial_zone = me
        .as_ref()
        .map(|m| m.time_zone.clone())
        .filter(|z| z != "UTC")
        .or_else(browser_zone)
        .unwrap_or_else(|| "UTC".into());
    let zone = RwSignal::new(initial_zone);
    let password = RwSignal::new(String::new());
    let current_password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let sending = RwSignal::new(false);
    let browser = browser_zone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let new_password = password.get_untracked();
        let request = UpdateMeRequest {
            display_name: Some(display_name.get_untracked()),
            bio: Some(bio.get_untracked()),
            time_zone: Some(zone.get_untracked()),
            password: (!new_password.is_empty()).then_some(new_password),
            current_password: Some(current_password.get_untracked()).filter(|p| !p.is_empty()),
            email_notifications: None,
        };
        sending.set(true);
        saved.set(false);
        error.set(None);
        spawn_local(async move {
            match api::patch::<_, Me>("/me", &request).await {
                Ok(updated) => {
                    s.me.set(Some(updated));
                    password.set(String::new());
                    current_password.set(String::new());
                    saved.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
            sending.set(false);
        });
    };
    let zone_message = move || error.get().and_then(|e| e.field("time_zone"));
    view! {
        <div class="narrow">
            <h1>"Your profile"</h1>
            <p class="meta">
                "Signed in as @" {me.as_ref().map(|m| m.username.clone())}
                {me.as_ref().filter(|m| !m.groups.is_empty()).map(|m| format!(" · groups: {}", m.groups.join(", ")))}
            </p>
            <p><a href="/me/tokens">"Access tokens"</a> " for scripts and other apps"</p>
            <form class="stack" on:submit=submit>
                <TextField label="Display name" name="display_name" value=display_name error=error autocomplete="name"/>
                <div class="field">
                    <label for="field-bio">"Bio"</label>
                    <textarea id="field-bio" rows=4 bind:value=bio></textarea>
                    <p class="field-error">{move || error.get().and_then(|e| e.field("bio"))}</p>
                </div>
                <div class="field">
                    <label for="field-time_zone">"Time zone"</label>
                    <select
                        id="field-time_zone"
                        aria-describedby="field-time_zone-hint"
                        on:change=move |ev| zone.set(event_target_value(&ev))
                        prop:value=move || zone.get()
                    >
                        {zone_names(&zone.get_untracked())
                            .into_iter()
                            .map(|z| {
                                let label = z.replace('_', " ");
                                let value = z.clone();
                                view! { <option value=value selected=move || zone.with(|cur| *cur == z)>{label}</option> }
                            })
                            .collect_view()}
                    </select>
                    <p class="hint" id="field-time_zone-hint">
                        "Times in posts are shown in this zone."
                        {browser.map(|b| format!(" Your browser reports {b}."))}
                    </p>
                    <p class="field-error">{zone_message}</p>
                </div>
                <fieldset>
                    <legend>"Change password (optional)"</legend>
                    <TextField label="New password" name="password" kind="password" value=password error=error autocomplete="new-password"/>
                    <TextField label="Current password" name="current_password" kind="password" value=current_password error=error autocomplete="current-password" hint="Needed only to change the password."/>
                </fieldset>
                <FormError error=error fields=&["display_name", "bio", "time_zone", "password", "current_password"]/>
                <button type="submit" class="primary" disabled=move || sending.get()>"Save profile"</button>
                <p role="status" class="saved">{move || saved.get().then_some("Saved")}</p>
            </form>
            <crate::pages::events::CalendarFeedBox/>
            <crate::pages::my_data::MyData/>
        </div>
    }
}
