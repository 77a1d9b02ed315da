//! The browser app's session: the refresh token in an HttpOnly,
//! SameSite=Strict cookie scoped to `/api/v1/auth`, rotated on every
//! refresh, cleared on logout and on a refused refresh, and never allowed
//! cross-origin.

use actix_web::cookie::time::Duration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::Method;
use quorum_tests::{assert_problem, both_backends, Response, TestApp, PASSWORD};
use quorum_types::{ErrorCode, Me, TokenPair};
use serde_json::json;

const COOKIE: &str = "quorum_refresh";

/// The one `Set-Cookie` for the refresh cookie, parsed, with its raw text.
#[track_caller]
fn refresh_cookie(resp: &Response) -> (Cookie<'static>, String) {
    let set: Vec<&str> = resp
        .headers
        .iter()
        .filter(|(name, value)| name == "set-cookie" && value.starts_with(&format!("{COOKIE}=")))
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(set.len(), 1, "expected one Set-Cookie for {COOKIE}: {resp} {:?}", resp.headers);
    let cookie = Cookie::parse(set[0].to_owned()).unwrap_or_else(|e| panic!("{:?} does not parse: {e}", set[0]));
    (cookie, set[0].to_owned())
}

fn has_set_cookie(resp: &Response) -> bool {
    resp.headers.iter().any(|(name, _)| name == "set-cookie")
}

/// A live refresh cookie: HttpOnly, SameSite=Strict, for the auth endpoints
/// only, as long as the token lives, not Secure over plain HTTP.
#[track_caller]
fn assert_session_cookie(resp: &Response) -> String {
    let (cookie, raw) = refresh_cookie(resp);
    assert_eq!(cookie.http_only(), Some(true), "{raw}");
    assert_eq!(cookie.same_site(), Some(SameSite::Strict), "{raw}");
    assert_eq!(cookie.path(), Some("/api/v1/auth"), "{raw}");
    assert_eq!(cookie.max_age(), Some(Duration::days(30)), "{raw}");
    assert_ne!(cookie.secure(), Some(true), "not Secure over http: {raw}");
    assert!(!raw.to_ascii_lowercase().contains("secure"), "{raw}");
    assert!(!cookie.value().is_empty(), "{raw}");
    cookie.value().to_owned()
}

/// A `Set-Cookie` that removes the refresh cookie.
#[track_caller]
fn assert_cleared(resp: &Response) {
    let (cookie, raw) = refresh_cookie(resp);
    assert_eq!(cookie.value(), "", "{raw}");
    assert_eq!(cookie.max_age(), Some(Duration::ZERO), "{raw}");
    assert_eq!(cookie.path(), Some("/api/v1/auth"), "{raw}");
    let expires = cookie.expires_datetime().unwrap_or_else(|| panic!("no Expires: {raw}"));
    assert!(expires < actix_web::cookie::time::OffsetDateTime::now_utc(), "{raw}");
}

#[track_caller]
fn assert_no_refresh_token_in_body(resp: &Response) {
    let body = resp.value();
    assert!(body.get("refresh_token").is_none(), "cookie mode must keep the token out of the body: {resp}");
    assert!(body["access_token"].as_str().is_some_and(|t| !t.is_empty()), "{resp}");
}

/// `POST /auth/refresh` with `{}` and, when given, the cookie.
async fn refresh_with_cookie(app: &TestApp, cookie: Option<&str>) -> Response {
    let header = cookie.map(|value| format!("{COOKIE}={value}"));
    let headers: Vec<(&str, &str)> = header.iter().map(|h| ("Cookie", h.as_str())).collect();
    app.request_with_headers(Method::POST, "/auth/refresh", &headers, Some(("application/json", b"{}".to_vec()))).await
}

/// Refresh tokens of the account that would still rotate.
fn live_tokens(app: &TestApp, user_id: i64) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) AS n FROM refresh_tokens WHERE user_id = {user_id} AND used_at IS NULL AND revoked_at IS NULL"
    ))
}

both_backends! {
    async fn login_in_cookie_mode_rotates_through_the_cookie(app: TestApp) {
        let user = app.register("browser").await;
        let resp = app.post("/auth/login", None, &json!({"login": "browser", "password": PASSWORD, "refresh_cookie": true})).await;
        resp.assert_status(200);
        let first = assert_session_cookie(&resp);
        assert_no_refresh_token_in_body(&resp);
        let pair: TokenPair = resp.json();
        assert_eq!(pair.refresh_token, None);
        assert_eq!(pair.user.id, user.id());
        app.get("/me", Some(&pair.access_token)).await.assert_status(200);

        // Refresh with `{}`: the cookie is used and replaced.
        let resp = refresh_with_cookie(&app, Some(&first)).await;
        resp.assert_status(200);
        let second = assert_session_cookie(&resp);
        assert_ne!(second, first, "the cookie rotates");
        assert_no_refresh_token_in_body(&resp);
        let renewed: TokenPair = resp.json();
        let me: Me = app.get("/me", Some(&renewed.access_token)).await.expect(200);
        assert_eq!(me.id, user.id());
        // The body mode session of `register` is untouched by all this.
        let body_mode = app.post("/auth/refresh", None, &json!({"refresh_token": user.refresh_token})).await;
        let body_pair: TokenPair = body_mode.expect(200);
        assert!(body_pair.refresh_token.is_some() && !has_set_cookie(&body_mode), "{body_mode}");

        // The second cookie is used in turn, so the first is now spent.
        let resp = refresh_with_cookie(&app, Some(&second)).await;
        resp.assert_status(200);
        let third = assert_session_cookie(&resp);

        // The spent cookie again: refused, cleared, and its whole family revoked.
        let resp = refresh_with_cookie(&app, Some(&first)).await;
        assert_problem(&resp, 401, ErrorCode::InvalidRefreshToken);
        assert_cleared(&resp);
        for later in [&second, &third] {
            let resp = refresh_with_cookie(&app, Some(later)).await;
            assert_problem(&resp, 401, ErrorCode::InvalidRefreshToken);
            assert_cleared(&resp);
        }
        assert_eq!(live_tokens(&app, user.id()), 1, "only the body-mode session's newest token lives");

        // No token in the body and no cookie.
        let resp = refresh_with_cookie(&app, None).await;
        assert_problem(&resp, 401, ErrorCode::InvalidRefreshToken);
        assert!(!has_set_cookie(&resp), "{resp}");
        let resp = refresh_with_cookie(&app, Some("not-a-refresh-token")).await;
        assert_problem(&resp, 401, ErrorCode::InvalidRefreshToken);
        assert_cleared(&resp);
    }

    async fn a_refresh_whose_answer_was_lost_can_be_repeated(app: TestApp) {
        // A reload mid-refresh: the server rotated, the browser never stored
        // the new cookie and sends the old one again.
        let user = app.register("reloader").await;
        let resp =
            app.post("/auth/login", None, &json!({"login": "reloader", "password": PASSWORD, "refresh_cookie": true})).await;
        resp.assert_status(200);
        let first = assert_session_cookie(&resp);
        let lost = assert_session_cookie(&refresh_with_cookie(&app, Some(&first)).await);
        let resp = refresh_with_cookie(&app, Some(&first)).await;
        resp.assert_status(200);
        let kept = assert_session_cookie(&resp);
        assert!(kept == lost && kept != first, "the same successor again");
        let renewed: TokenPair = resp.json();
        app.get("/me", Some(&renewed.access_token)).await.assert_status(200);

        // The session goes on from the successor.
        let resp = refresh_with_cookie(&app, Some(&kept)).await;
        resp.assert_status(200);
        let next = assert_session_cookie(&resp);

        // Now that the successor is used, the first token again means
        // someone else holds a copy: the family goes.
        let resp = refresh_with_cookie(&app, Some(&first)).await;
        assert_problem(&resp, 401, ErrorCode::InvalidRefreshToken);
        let resp = refresh_with_cookie(&app, Some(&next)).await;
        assert_problem(&resp, 401, ErrorCode::InvalidRefreshToken);
        assert_eq!(live_tokens(&app, user.id()), 1, "only the register session's token lives");
    }

    async fn a_token_in_the_body_wins_over_the_cookie(app: TestApp) {
        let user = app.register("both").await;
        let cookie_login = app.post("/auth/login", None, &json!({"login": "both", "password": PASSWORD, "refresh_cookie": true})).await;
        let cookie = assert_session_cookie(&cookie_login);
        let header = format!("{COOKIE}={cookie}");
        let body = json!({"refresh_token": user.refresh_token}).to_string().into_bytes();
        let resp = app
            .request_with_headers(Method::POST, "/auth/refresh", &[("Cookie", &header)], Some(("application/json", body)))
            .await;
        let pair: TokenPair = resp.expect(200);
        assert!(pair.refresh_token.is_some(), "body in, body out: {resp}");
        assert!(!has_set_cookie(&resp), "{resp}");
        // The cookie's token was not spent.
        refresh_with_cookie(&app, Some(&cookie)).await.assert_status(200);
    }

    async fn logout_clears_the_cookie(app: TestApp) {
        app.register("leaving").await;
        let resp = app.post("/auth/login", None, &json!({"login": "leaving", "password": PASSWORD, "refresh_cookie": true})).await;
        let cookie = assert_session_cookie(&resp);
        let pair: TokenPair = resp.json();

        let resp = app.post_empty("/auth/logout", Some(&pair.access_token)).await;
        resp.assert_status(204);
        assert_cleared(&resp);
        assert_problem(&refresh_with_cookie(&app, Some(&cookie)).await, 401, ErrorCode::InvalidRefreshToken);

        // A refused logout changes nothing, the cookie included: a stranger
        // cannot sign anyone out.
        let resp = app.post_empty("/auth/logout", None).await;
        assert_problem(&resp, 401, ErrorCode::Unauthorized);
        assert!(!has_set_cookie(&resp), "{resp}");
        let resp = app.post_empty("/auth/logout", Some("not-a-token")).await;
        assert_problem(&resp, 401, ErrorCode::Unauthorized);
        assert!(!has_set_cookie(&resp), "{resp}");
    }

    async fn register_in_cookie_mode(app: TestApp) {
        let resp = app
            .post(
                "/auth/register",
                None,
                &json!({"username": "webby", "email": "webby@coop.example", "password": PASSWORD, "refresh_cookie": true}),
            )
            .await;
        resp.assert_status(201);
        assert_eq!(resp.location(), "/api/v1/me");
        let cookie = assert_session_cookie(&resp);
        assert_no_refresh_token_in_body(&resp);
        let pair: TokenPair = resp.json();
        assert_eq!(pair.user.username, "webby");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM refresh_tokens"), 1);

        let resp = refresh_with_cookie(&app, Some(&cookie)).await;
        resp.assert_status(200);
        assert_ne!(assert_session_cookie(&resp), cookie);

        // Without the flag, nothing changes: the token is in the body, no cookie.
        let resp = app.post("/auth/login", None, &json!({"login": "webby", "password": PASSWORD})).await;
        let pair: TokenPair = resp.expect(200);
        assert!(pair.refresh_token.is_some_and(|t| !t.is_empty()), "{resp}");
        assert!(!has_set_cookie(&resp), "{resp}");
    }

    async fn the_cookie_trusts_no_forwarded_proto_and_is_never_allowed_cross_origin(app: TestApp) {
        app.register("proxied").await;
        let body = json!({"login": "proxied", "password": PASSWORD, "refresh_cookie": true}).to_string().into_bytes();
        let resp = app
            .request_with_headers(
                Method::POST,
                "/auth/login",
                &[("X-Forwarded-Proto", "https")],
                Some(("application/json", body)),
            )
            .await;
        resp.assert_status(200);
        let (cookie, raw) = refresh_cookie(&resp);
        // A client's say-so does not make it HTTPS (QUORUM_PUBLIC_URL does).
        assert_ne!(cookie.secure(), Some(true), "a forwarded proto is not trusted: {raw}");

        // CORS answers other origins, but never with credentials.
        let origin = "https://elsewhere.example";
        let preflight = app
            .request_with_headers(
                Method::OPTIONS,
                "/auth/refresh",
                &[
                    ("Origin", origin),
                    ("Access-Control-Request-Method", "POST"),
                    ("Access-Control-Request-Headers", "content-type"),
                ],
                None,
            )
            .await;
        assert!(preflight.status < 300, "{preflight}");
        assert!(preflight.header("access-control-allow-origin").is_some(), "{preflight} {:?}", preflight.headers);
        let cross = app
            .request_with_headers(
                Method::POST,
                "/auth/refresh",
                &[("Origin", origin)],
                Some(("application/json", b"{}".to_vec())),
            )
            .await;
        for resp in [&preflight, &cross] {
            assert_eq!(resp.header("access-control-allow-credentials"), None, "{resp} {:?}", resp.headers);
        }
    }
}
