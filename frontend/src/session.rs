//! Who is signed in.
//!
//! The access token lives only in memory. The refresh token is an
//! HttpOnly, SameSite=Strict cookie scoped to `/api/v1/auth` that script
//! cannot read, so a page reload restores the session with one
//! `POST /auth/refresh` and an injected script has nothing long-lived to
//! steal (see the README, "Sessions in the browser").
//!
//! Refresh tokens are single-use and a reuse revokes the whole family, so
//! refreshes are serialised: within a tab by sharing one in-flight future,
//! across tabs by the Web Locks API (the cookie jar is shared, so the tab
//! that waits sends the already-rotated cookie).

use std::cell::RefCell;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use quorum_types::{Me, Site, TokenPair};
use serde_json::json;

use crate::api;

/// Refresh this long before the access token expires.
const EARLY_REFRESH_MS: f64 = 60_000.0;

struct Token {
    value: String,
    expires_at_ms: f64,
}

thread_local! {
    static TOKEN: RefCell<Option<Token>> = const { RefCell::new(None) };
    static IN_FLIGHT: RefCell<Option<Shared<LocalBoxFuture<'static, bool>>>> = const { RefCell::new(None) };
    static STATE: RefCell<Option<Session>> = const { RefCell::new(None) };
}

/// The reactive half, provided as context and kept for the API client.
#[derive(Clone, Copy)]
pub struct Session {
    /// The signed-in account, `None` when signed out.
    pub me: RwSignal<Option<Me>>,
    /// False until the first refresh has answered: pages that need an
    /// account wait for it instead of sending people to the login form.
    pub ready: RwSignal<bool>,
    pub site: RwSignal<Option<Site>>,
    /// The zone times are shown in: the account's, else the browser's.
    /// Derived once per change of account, not on every rendered time.
    pub zone: Memo<crate::time::BrowserZone>,
}

impl Session {
    pub fn new() -> Self {
        let me = RwSignal::new(None::<Me>);
        let zone = Memo::new(move |_| {
            let chosen = me.with(|m| m.as_ref().map(|m| m.time_zone.clone()));
            crate::time::zone(chosen.or_else(crate::time::browser_zone).as_deref())
        });
        let session = Session { me, ready: RwSignal::new(false), site: RwSignal::new(None), zone };
        STATE.with(|s| *s.borrow_mut() = Some(session));
        session
    }

    pub fn is_admin(&self) -> bool {
        self.me.with(|m| m.as_ref().is_some_and(|m| m.is_admin))
    }

    pub fn user_id(&self) -> Option<i64> {
        self.me.with(|m| m.as_ref().map(|m| m.id))
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Keeps a fresh token pair's access token and account.
pub fn signed_in(pair: TokenPair) {
    TOKEN.with(|t| {
        *t.borrow_mut() =
            Some(Token { value: pair.access_token, expires_at_ms: now_ms() + pair.expires_in as f64 * 1000.0 })
    });
    if let Some(state) = STATE.with(|s| *s.borrow()) {
        state.me.set(Some(pair.user));
        state.ready.set(true);
    }
}

/// Forgets the session here (the API has ended it already: a logout, a
/// deleted account).
pub fn signed_out() {
    TOKEN.with(|t| *t.borrow_mut() = None);
    if let Some(state) = STATE.with(|s| *s.borrow()) {
        state.me.set(None);
        state.ready.set(true);
    }
}

/// The current access token, refreshed first when it is about to expire.
pub async fn access_token() -> Option<String> {
    let (value, stale) = TOKEN.with(|t| match &*t.borrow() {
        Some(token) => (Some(token.value.clone()), token.expires_at_ms - now_ms() < EARLY_REFRESH_MS),
        None => (None, false),
    });
    if stale {
        refresh().await;
        return TOKEN.with(|t| t.borrow().as_ref().map(|t| t.value.clone()));
    }
    value
}

/// Exchanges the refresh cookie for a new access token. True when signed in.
pub async fn refresh() -> bool {
    let existing = IN_FLIGHT.with(|f| f.borrow().clone());
    if let Some(shared) = existing {
        return shared.await;
    }
    let shared = with_refresh_lock().boxed_local().shared();
    IN_FLIGHT.with(|f| *f.borrow_mut() = Some(shared.clone()));
    let ok = shared.await;
    IN_FLIGHT.with(|f| *f.borrow_mut() = None);
    ok
}

async fn refresh_now() -> bool {
    match api::post_anonymous::<_, TokenPair>("/auth/refresh", &json!({})).await {
        Ok(pair) => {
            signed_in(pair);
            true
        }
        Err(e) if e.status == 0 => {
            // Offline: keep what we have; the next call will try again.
            if let Some(state) = STATE.with(|s| *s.borrow()) {
                state.ready.set(true);
            }
            TOKEN.with(|t| t.borrow().is_some())
        }
        Err(_) => {
            signed_out();
            false
        }
    }
}

/// Runs the refresh under the cross-tab lock `quorum-refresh` when the
/// browser has the Web Locks API, directly otherwise.
async fn with_refresh_lock() -> bool {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};

    let Some(window) = web_sys::window() else { return refresh_now().await };
    let locks = js_sys::Reflect::get(&window.navigator(), &JsValue::from_str("locks")).unwrap_or(JsValue::UNDEFINED);
    let request = js_sys::Reflect::get(&locks, &JsValue::from_str("request"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(request) = request else { return refresh_now().await };
    let callback = Closure::once_into_js(move |_lock: JsValue| -> js_sys::Promise {
        wasm_bindgen_futures::future_to_promise(async move { Ok(JsValue::from_bool(refresh_now().await)) })
    });
    let promise = match request.call2(&locks, &JsValue::from_str("quorum-refresh"), &callback) {
        Ok(p) => js_sys::Promise::from(p),
        Err(_) => return refresh_now().await,
    };
    match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(value) => value.as_bool().unwrap_or(false),
        Err(_) => false,
    }
}

/// Signs out everywhere (the API revokes every token of the account) and
/// clears the cookie.
pub async fn log_out() {
    let _ = api::post_empty("/auth/logout", &json!({})).await;
    signed_out();
}

/// On start: site facts and, when the cookie is there, the session.
/// Both requests go out together: a first paint waits for one round trip.
pub async fn restore(state: Session) {
    let (site, signed_in) = futures::join!(api::get::<Site>("/site"), refresh());
    if let Ok(site) = site {
        state.site.set(Some(site));
    }
    if !signed_in {
        state.ready.set(true);
    }
}
