//! One module per area of the app; each page loads its own data.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod category;
pub mod date_poll;
pub mod deleted;
pub mod event_form;
pub mod events;
pub mod home;
pub mod invites;
pub mod latest;
pub mod mentions;
pub mod moderation;
pub mod my_data;
pub mod notifications;
pub mod people;
pub mod profile;
pub mod search;
pub mod shown_once;
pub mod thread;
pub mod thread_live;
pub mod time_picker;
pub mod tokens;
pub mod user;

use leptos::prelude::*;

/// Sets the document title for the page showing it.
pub fn set_title(title: impl Fn() -> Option<String> + 'static) {
    Effect::new(move |_| {
        let site = crate::session::use_session().site.get().map(|s| s.name).unwrap_or_else(|| "Quorum".into());
        let full = match title() {
            Some(t) => format!("{t} · {site}"),
            None => site,
        };
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&full);
        }
    });
}
