//! Quorum's single-page app: Leptos, rendered in the browser, talking to
//! the public API only (the same endpoints third-party clients use).
//!
//! Logic without a browser (times, audience wording, paging, the
//! server-sent events parser, read tracking) lives in plain
//! modules with unit tests that run natively; `app`, `components` and
//! `pages` hold the views.

pub mod api;
pub mod audience;
pub mod mention;
pub mod paging;
pub mod reading;
pub mod session;
pub mod sse;
pub mod time;

mod app;
mod components;
mod live;
mod pages;
mod quote;
mod shortcuts;
mod watch;

/// Mounts the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    if let Some(boot) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("boot")) {
        boot.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
