//! Limits an operator sets (`QUORUM_THROTTLE_*`, `QUORUM_PUBLIC_URL`,
//! `QUORUM_PROFILES`, `QUORUM_REFRESH_GRACE_SECS`), each on a server
//! started with them, and the bounded pool that hashes passwords.

use std::time::Duration;

use futures_util::future::join_all;
use quorum::config::{Profiles, ThrottleSettings};
use quorum_tests::{assert_problem, both_backends, Backend, TestApp, PASSWORD};
use quorum_types::{ErrorCode, TokenPair};
use serde_json::json;

async fn strict(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| {
        s.throttle =
            ThrottleSettings { account_failures: 0, address_failures: 3, registrations: 2, max_block_seconds: 600 };
    })
    .await
}

both_backends! {
    spawn = strict;

    async fn one_address_guessing_many_accounts_is_slowed(app: TestApp) {
        let statuses = {
            let mut out = Vec::new();
            for login in ["a-one", "a-two", "a-three", "a-four", "a-five"] {
                let resp = app.post("/auth/login", None, &json!({"login": login, "password": "not it at all"})).await;
                out.push(resp.status);
            }
            out
        };
        assert_eq!(statuses, vec![401, 401, 401, 401, 429]);
    }

    async fn sign_ups_per_address_are_limited(app: TestApp) {
        app.register("first").await;
        app.register("second").await;
        // The third creates the wait for the fourth.
        app.register("third").await;
        let before = app.count("SELECT COUNT(*) AS n FROM users");
        let resp = app
            .post("/auth/register", None, &json!({"username": "fourth", "email": "fourth@coop.example", "password": PASSWORD}))
            .await;
        assert_problem(&resp, 429, ErrorCode::TooManyRequests);
        assert!(resp.header("retry-after").is_some(), "{resp}");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM users"), before, "nothing written");
    }

    async fn wrong_setup_tokens_are_slowed(app: TestApp) {
        let body = |token: &str| {
            json!({"token": token, "username": "founder", "email": "founder@coop.example", "password": PASSWORD})
        };
        let mut statuses = Vec::new();
        for n in 0..5 {
            statuses.push(app.post("/setup", None, &body(&format!("guess-number-{n}-0000"))).await.status);
        }
        assert_eq!(statuses, vec![403, 403, 403, 403, 429]);
        // Even the right token waits now; the forum still has no admin.
        let token = app.setup_token.clone().unwrap_or_default();
        assert_problem(&app.post("/setup", None, &body(&token)).await, 429, ErrorCode::TooManyRequests);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM users"), 0);
    }
}

async fn account_limited(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| {
        s.throttle =
            ThrottleSettings { account_failures: 2, address_failures: 0, registrations: 0, max_block_seconds: 600 };
        s.refresh_grace = Duration::ZERO;
        s.public_url = Some("https://forum.coop.example".into());
        s.profiles = Profiles::Public;
    })
    .await
}

both_backends! {
    spawn = account_limited;

    async fn wrong_current_passwords_are_slowed(app: TestApp) {
        let user = app.register("changer").await;
        let change = |current: &str| json!({"password": "a brand new passphrase", "current_password": current});
        let mut statuses = Vec::new();
        for _ in 0..4 {
            statuses.push(app.patch("/me", user.auth(), &change("not my password")).await.status);
        }
        assert_eq!(statuses, vec![422, 422, 422, 429]);
        let resp = app.patch("/me", user.auth(), &change(PASSWORD)).await;
        assert_problem(&resp, 429, ErrorCode::TooManyRequests);
        // The password is unchanged.
        app.login("changer", PASSWORD).await;
    }

    async fn a_used_refresh_token_is_spent_after_the_grace(app: TestApp) {
        let user = app.register("late").await;
        let first: TokenPair =
            app.post("/auth/refresh", None, &json!({"refresh_token": user.refresh_token})).await.expect(200);
        // No grace at all: presenting it again means a copy is about.
        let resp = app.post("/auth/refresh", None, &json!({"refresh_token": user.refresh_token})).await;
        assert_problem(&resp, 401, ErrorCode::InvalidRefreshToken);
        let resp = app.post("/auth/refresh", None, &json!({"refresh_token": first.refresh_token})).await;
        assert_problem(&resp, 401, ErrorCode::InvalidRefreshToken);
    }

    async fn cookies_are_secure_by_the_public_url_and_profiles_can_be_public(app: TestApp) {
        let resp = app
            .post("/auth/register", None, &json!({"username": "cookie", "email": "cookie@coop.example", "password": PASSWORD, "refresh_cookie": true}))
            .await;
        let cookie = resp.header("set-cookie").unwrap_or_default().to_owned();
        assert!(cookie.contains("Secure"), "{cookie}");
        app.get("/users/cookie", None).await.assert_status(200);
    }
}

async fn plain(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| s.throttle = ThrottleSettings::off()).await
}

both_backends! {
    spawn = plain;

    async fn a_forwarded_proto_does_not_make_cookies_secure(app: TestApp) {
        let body = json!({"username": "proxied", "email": "proxied@coop.example", "password": PASSWORD, "refresh_cookie": true});
        let resp = app
            .request_with_headers(
                actix_web::http::Method::POST,
                "/auth/register",
                &[("X-Forwarded-Proto", "https"), ("Forwarded", "proto=https")],
                Some(("application/json", body.to_string().into_bytes())),
            )
            .await;
        let cookie = resp.header("set-cookie").unwrap_or_default().to_owned();
        assert!(cookie.contains("quorum_refresh=") && !cookie.contains("Secure"), "{cookie}");
    }

    async fn a_burst_of_logins_is_queued_then_refused_not_hashed_at_once(app: TestApp) {
        let bodies: Vec<_> =
            (0..200).map(|n| json!({"login": format!("unknown-{n}"), "password": "whatever it is"})).collect();
        let attempts = bodies.iter().map(|body| app.post("/auth/login", None, body));
        let answers = join_all(attempts).await;
        let mut busy = 0;
        for resp in &answers {
            match resp.status {
                401 => {}
                503 => {
                    busy += 1;
                    assert_problem(resp, 503, ErrorCode::ServiceUnavailable);
                    assert_eq!(resp.header("retry-after"), Some("1"), "{resp}");
                }
                other => panic!("unexpected {other}: {resp}"),
            }
        }
        assert!(busy > 0, "200 hashes at once were all accepted");
    }
}

/// SQLite only: the database file and its directory are the owner's alone.
#[cfg(unix)]
#[actix_web::test]
async fn the_database_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let root = std::env::temp_dir().join(format!("quorum-private-{:016x}", rand::random::<u64>()));
    let dir = root.join("data");
    let db = dir.join("quorum.db");
    let url = db.to_string_lossy().into_owned();
    {
        let app = TestApp::spawn_with_url(&url).await;
        app.register("owner").await;
        let mode = |p: &std::path::Path| {
            std::fs::metadata(p)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        };
        assert_eq!(mode(&dir), 0o700, "data directory");
        for suffix in ["", "-wal", "-shm"] {
            let file = dir.join(format!("quorum.db{suffix}"));
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}
