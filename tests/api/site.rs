//! `GET /site` and the first-run setup: the first admin is created with the
//! token `quorum serve` prints, once, whatever the registration setting.

use quorum::config::Registration;
use quorum_tests::{assert_field_error, assert_problem, both_backends, Backend, Response, TestApp, PASSWORD};
use quorum_types::{ErrorCode, Me, Site, TokenPair};
use serde_json::{json, Value};

fn setup_body(token: &str, username: &str) -> Value {
    json!({"token": token, "username": username, "email": format!("{username}@coop.example"), "password": PASSWORD})
}

#[track_caller]
fn token_of(app: &TestApp) -> String {
    app.setup_token.clone().expect("a forum without an admin has a setup token")
}

/// Rows a refused setup must not have written.
fn written(app: &TestApp) -> [i64; 3] {
    [
        app.count("SELECT COUNT(*) AS n FROM users"),
        app.count("SELECT COUNT(*) AS n FROM group_members"),
        app.count("SELECT COUNT(*) AS n FROM refresh_tokens"),
    ]
}

async fn site(app: &TestApp) -> Site {
    app.get("/site", None).await.expect(200)
}

both_backends! {
    async fn a_new_forum_needs_setup_and_setup_makes_the_first_admin(app: TestApp) {
        let resp = app.get("/site", None).await;
        resp.assert_status(200);
        assert_eq!(resp.value(), json!({"name": "Quorum", "registration": "open", "needs_setup": true, "deleted_account_posts": "anonymise", "password_reset": false}), "{resp}");
        let token = token_of(&app);
        assert!(token.len() >= 43, "32 random bytes, base64url: {token:?}");
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token:?}");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM settings WHERE key = 'setup_token'"), 1);

        // A wrong token: 403, and nothing written.
        for wrong in ["", "not-the-token", &token[1..], &format!("{token}x"), &token.to_uppercase()] {
            if wrong == token {
                continue;
            }
            let resp = app.post("/setup", None, &setup_body(wrong, "founder")).await;
            assert_problem(&resp, 403, ErrorCode::Forbidden);
        }
        assert_eq!(written(&app), [0, 0, 0]);
        assert!(site(&app).await.needs_setup);

        // Invalid fields: 422 naming them, nothing written.
        for (body, field) in [
            (setup_body(&token, "ab"), "username"),
            (setup_body(&token, "no spaces"), "username"),
            (json!({"token": token, "username": "founder", "email": "nope", "password": PASSWORD}), "email"),
            (json!({"token": token, "username": "founder", "email": "f@coop.example", "password": "short"}), "password"),
            (json!({"token": token, "username": "founder", "email": "f@coop.example", "password": PASSWORD, "time_zone": "Mars/Base"}), "time_zone"),
        ] {
            assert_field_error(&app.post("/setup", None, &body).await, field);
        }
        assert_eq!(written(&app), [0, 0, 0]);

        // The right token: an admin, signed in.
        let mut body = setup_body(&token, "Founder");
        body["display_name"] = json!("The Founder");
        body["time_zone"] = json!("Europe/Madrid");
        let resp = app.post("/setup", None, &body).await;
        let pair: TokenPair = resp.expect(201);
        assert_eq!(resp.location(), "/api/v1/me");
        assert!(pair.refresh_token.is_some(), "{resp}");
        assert_eq!(pair.user.username, "founder");
        assert_eq!((pair.user.display_name.as_str(), pair.user.time_zone.as_str()), ("The Founder", "Europe/Madrid"));
        assert!(pair.user.is_admin && pair.user.groups == ["admins"], "{:?}", pair.user);
        let me: Me = app.get("/me", Some(&pair.access_token)).await.expect(200);
        assert!(me.is_admin, "{me:?}");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) AS n FROM group_members m JOIN groups g ON g.id = m.group_id \
                 WHERE g.slug = 'admins' AND m.user_id = {}",
                me.id
            )),
            1
        );
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM settings WHERE key = 'setup_token'"), 0, "the token is spent");
        assert!(!site(&app).await.needs_setup);
        // The admin can act as one, and sign in again.
        let group = app.post("/groups", Some(&pair.access_token), &json!({"slug": "board", "name": "Board"})).await;
        group.assert_status(201);
        app.login("founder", PASSWORD).await;

        // Once is enough: 409 with the right token or any other, nothing written.
        let before = written(&app);
        assert_problem(&app.post("/setup", None, &setup_body(&token, "second")).await, 409, ErrorCode::Conflict);
        assert_problem(&app.post("/setup", None, &setup_body("not-the-token", "second")).await, 409, ErrorCode::Conflict);
        assert_eq!(written(&app), before);
    }

    async fn a_forum_with_an_admin_needs_no_setup(app: TestApp) {
        app.admin().await;
        let info = site(&app).await;
        assert!(!info.needs_setup, "{info:?}");
        let resp = app.post("/setup", None, &setup_body(&token_of(&app), "latecomer")).await;
        assert_problem(&resp, 409, ErrorCode::Conflict);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM users WHERE username = 'latecomer'"), 0);
    }

    async fn setup_in_cookie_mode(app: TestApp) {
        let mut body = setup_body(&token_of(&app), "cookie-admin");
        body["refresh_cookie"] = json!(true);
        let resp = app.post("/setup", None, &body).await;
        resp.assert_status(201);
        assert!(resp.value().get("refresh_token").is_none(), "{resp}");
        let cookie = set_cookie(&resp).unwrap_or_else(|| panic!("no refresh cookie: {resp} {:?}", resp.headers));
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/api/v1/auth"), "{cookie}");
    }
}

fn set_cookie(resp: &Response) -> Option<String> {
    resp.headers
        .iter()
        .find(|(name, value)| name == "set-cookie" && value.starts_with("quorum_refresh="))
        .map(|(_, v)| v.clone())
}

/// The name and registration setting come from the settings; closed
/// registration does not stand in the way of setup.
async fn named_closed_forum(backend: Backend) {
    let configure = |s: &mut quorum::config::Settings| {
        s.site_name = "Co-op Network Forum".to_owned();
        s.registration = Registration::Closed;
        s.setup_token = Some(quorum::config::Secret::new("a-fixed-setup-token-for-tests"));
    };
    let Some(app) = TestApp::spawn_with(backend, configure).await else { return };
    assert_eq!(app.setup_token.as_deref(), Some("a-fixed-setup-token-for-tests"));
    assert_eq!(
        site(&app).await,
        Site {
            name: "Co-op Network Forum".to_owned(),
            registration: quorum_types::Registration::Closed,
            needs_setup: true,
            deleted_account_posts: quorum_types::DeletedAccountPosts::Anonymise,
            password_reset: false,
        }
    );
    let refused = app
        .post("/auth/register", None, &json!({"username": "x-user", "email": "x@coop.example", "password": PASSWORD}))
        .await;
    assert_problem(&refused, 403, ErrorCode::RegistrationClosed);
    // A fixed token is not stored.
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM settings WHERE key = 'setup_token'"), 0);
    let pair: TokenPair =
        app.post("/setup", None, &setup_body("a-fixed-setup-token-for-tests", "closer")).await.expect(201);
    assert!(pair.user.is_admin);
    assert!(!site(&app).await.needs_setup);
}

#[actix_web::test]
async fn a_named_forum_with_closed_registration_can_be_set_up_sqlite() {
    named_closed_forum(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_named_forum_with_closed_registration_can_be_set_up_postgres() {
    named_closed_forum(Backend::Postgres).await;
}
