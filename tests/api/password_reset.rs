//! Forgotten passwords: a link mailed to the account (through a real SMTP
//! server on localhost), the same answer whether or not the account exists,
//! single use, expiry, older links replaced, every session signed out,
//! limits, bad input, and an honest refusal where the forum sends no mail.

use std::time::Duration;

use quorum::config::Secret;
use quorum_tests::smtp::{Received, SmtpSink};
use quorum_tests::{assert_field_error, assert_problem, Backend, Response, TestApp, PASSWORD};
use quorum_types::{ErrorCode, PasswordResetRequested, Site, TokenPair};
use serde_json::json;

const NEW_PASSWORD: &str = "a brand new passphrase 42";

async fn with_mail(backend: Backend, sink: &SmtpSink) -> Option<TestApp> {
    let url = sink.url();
    TestApp::spawn_with(backend, move |s| {
        s.smtp_url = Some(Secret::new(url));
        s.mail_from = "Co-op Forum <forum@coop.example>".into();
        s.public_url = Some("https://forum.coop.example".into());
    })
    .await
}

async fn ask(app: &TestApp, login: &str) -> Response {
    app.post("/auth/password-reset", None, &json!({ "login": login })).await
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> Response {
    app.post("/auth/password-reset/confirm", None, &json!({ "token": token, "new_password": password })).await
}

/// Waits for the `n`th mail and returns it.
fn nth_mail(sink: &SmtpSink, n: usize) -> Received {
    let mails = sink.wait_for(n, Duration::from_secs(20));
    assert!(mails.len() >= n, "expected {n} mails, got {}: {mails:?}", mails.len());
    mails[n - 1].clone()
}

/// The token of the reset link in a mail (its body may be quoted-printable).
fn link_token(mail: &Received) -> String {
    let text = mail.data.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let rest = text
        .split("https://forum.coop.example/reset-password?token=")
        .nth(1)
        .unwrap_or_else(|| panic!("no reset link in {text}"));
    let token: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    assert!(token.len() >= 40, "{token:?}");
    token
}

async fn eventually(app: &TestApp, sql: &str, want: i64) {
    for _ in 0..200 {
        if app.count(sql) >= want {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never reached {want}: {sql}");
}

async fn the_whole_flow(backend: Backend) {
    let sink = SmtpSink::start();
    let Some(app) = with_mail(backend, &sink).await else { return };
    let site: Site = app.get("/site", None).await.expect(200);
    assert!(site.password_reset, "a forum that sends mail offers resets");
    let alice = app.register("alice").await;
    let other_session = app.login("alice", PASSWORD).await;

    // The same answer for an account and for nobody.
    let known = ask(&app, "Alice@Coop.example").await;
    let unknown = ask(&app, "nobody@coop.example").await;
    known.assert_status(202);
    unknown.assert_status(202);
    assert_eq!(known.text(), unknown.text());
    assert_eq!(known.header("cache-control"), unknown.header("cache-control"));
    assert_eq!(known.header("content-type"), unknown.header("content-type"));
    let answer: PasswordResetRequested = known.json();
    assert_eq!(answer.expires_in_minutes, 60);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM password_resets"), 1);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM events WHERE kind = 'account.password_reset_requested'"), 1);

    // The mail goes to the account's address, because of the event.
    let mail = nth_mail(&sink, 1);
    assert_eq!(mail.to, vec!["alice@coop.example".to_owned()]);
    assert!(!mail.data.contains("List-Unsubscribe"), "{}", mail.data);
    let token = link_token(&mail);
    eventually(&app, "SELECT COUNT(*) AS n FROM mail_outbox WHERE sent_at IS NOT NULL", 1).await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 1, "nobody's address gets no mail");
    // The database never holds the token itself.
    let stored = format!("SELECT COUNT(*) AS n FROM password_resets WHERE token_hash = '{token}' OR nonce = '{token}'");
    assert_eq!(app.count(&stored), 0);
    assert_eq!(app.count(&format!("SELECT COUNT(*) AS n FROM mail_outbox WHERE payload LIKE '%{token}%'")), 0);
    assert_eq!(app.count(&format!("SELECT COUNT(*) AS n FROM events WHERE after LIKE '%{token}%'")), 0);

    // Bad input changes nothing.
    assert_field_error(&confirm(&app, &token, "short").await, "new_password");
    assert_field_error(&confirm(&app, "", NEW_PASSWORD).await, "token");
    assert_field_error(&confirm(&app, "not-a-token-at-all", NEW_PASSWORD).await, "token");
    assert_field_error(
        &app.post("/auth/password-reset/confirm", None, &json!({ "token": token })).await,
        "new_password",
    );
    // A body is an object: serde would read these structs from arrays too.
    assert_field_error(&app.post("/auth/password-reset/confirm", None, &json!([token, NEW_PASSWORD])).await, "body");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM password_resets WHERE used_at IS NULL"), 1);
    app.get("/me", alice.auth()).await.assert_status(200);

    // The link works: signed in with the new password, every other session out.
    let pair: TokenPair = confirm(&app, &token, NEW_PASSWORD).await.expect(200);
    assert_eq!(pair.user.username, "alice");
    app.get("/me", Some(&pair.access_token)).await.assert_status(200);
    for old in [&alice, &other_session] {
        app.get("/me", old.auth()).await.assert_status(401);
        let refreshed = app.post("/auth/refresh", None, &json!({ "refresh_token": old.refresh_token })).await;
        assert_problem(&refreshed, 401, ErrorCode::InvalidRefreshToken);
    }
    let old_password = app.post("/auth/login", None, &json!({ "login": "alice", "password": PASSWORD })).await;
    assert_problem(&old_password, 401, ErrorCode::InvalidCredentials);
    app.login("alice", NEW_PASSWORD).await;
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM events WHERE kind = 'account.password_changed' AND user_id = (SELECT id FROM users WHERE username = 'alice')"),
        1
    );

    // Once only.
    assert_field_error(&confirm(&app, &token, "yet another passphrase").await, "token");
    app.login("alice", NEW_PASSWORD).await;
}

async fn older_links_and_expired_ones_do_not_work(backend: Backend) {
    let sink = SmtpSink::start();
    let Some(app) = with_mail(backend, &sink).await else { return };
    app.register("bryn").await;
    ask(&app, "bryn").await.assert_status(202);
    let first = link_token(&nth_mail(&sink, 1));
    ask(&app, "bryn@coop.example").await.assert_status(202);
    let second = link_token(&nth_mail(&sink, 2));
    assert_ne!(first, second);
    // A newer request replaces the older link.
    assert_field_error(&confirm(&app, &first, NEW_PASSWORD).await, "token");
    app.login("bryn", PASSWORD).await;

    // An hour later the link does not work, and nothing changes.
    app.execute("UPDATE password_resets SET expires_at = created_at WHERE used_at IS NULL");
    assert_field_error(&confirm(&app, &second, NEW_PASSWORD).await, "token");
    app.login("bryn", PASSWORD).await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM password_resets WHERE used_at IS NOT NULL"), 0);

    // A password changed in the app closes the links still open.
    ask(&app, "bryn").await.assert_status(202);
    let third = link_token(&nth_mail(&sink, 3));
    let bryn = app.login("bryn", PASSWORD).await;
    app.patch("/me", bryn.auth(), &json!({ "password": NEW_PASSWORD, "current_password": PASSWORD }))
        .await
        .assert_status(200);
    assert_field_error(&confirm(&app, &third, "a third passphrase here").await, "token");
    app.login("bryn", NEW_PASSWORD).await;
}

async fn limits_read_the_same_for_accounts_and_nobody(backend: Backend) {
    let sink = SmtpSink::start();
    let Some(app) = with_mail(backend, &sink).await else { return };
    app.register("carys").await;
    let mut refused_at = Vec::new();
    for login in ["carys", "ghost-of-nobody"] {
        let mut at = None;
        for i in 0..10 {
            let resp = ask(&app, login).await;
            if resp.status == 429 {
                assert_problem(&resp, 429, ErrorCode::TooManyRequests);
                assert!(resp.header("retry-after").is_some());
                at = Some(i);
                break;
            }
            resp.assert_status(202);
        }
        refused_at.push(at.unwrap_or_else(|| panic!("{login} was never limited")));
    }
    assert_eq!(refused_at[0], refused_at[1], "the limit says nothing about whether the account exists");
    // Links that do not work are counted per address too.
    let mut limited = false;
    for _ in 0..30 {
        let resp = confirm(&app, "a-guessed-token-that-does-not-exist", NEW_PASSWORD).await;
        if resp.status == 429 {
            limited = true;
            break;
        }
        assert_field_error(&resp, "token");
    }
    assert!(limited, "guessing links is limited");
}

async fn a_forum_without_mail_says_so(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let dai = app.register("dai").await;
    let site: Site = app.get("/site", None).await.expect(200);
    assert!(!site.password_reset);
    let refused = ask(&app, "dai").await;
    let problem = assert_problem(&refused, 403, ErrorCode::Forbidden);
    assert!(problem.detail.contains("ask an admin"), "{problem:?}");
    assert_eq!(refused.text(), ask(&app, "nobody-here").await.text());
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM password_resets"), 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM events WHERE kind = 'account.password_reset_requested'"), 0);
    // Malformed requests are refused before anything else.
    assert_field_error(&ask(&app, "  ").await, "login");
    assert_field_error(&app.post("/auth/password-reset", None, &json!({})).await, "login");
    assert_field_error(&app.post("/auth/password-reset", None, &json!(["dai"])).await, "body");

    // What the admin can do: `quorum admin set-password`.
    let refused = quorum::admin::set_password(app.db(), "dai", "short");
    assert!(refused.is_err(), "the registration rules apply");
    app.login("dai", PASSWORD).await;
    quorum::admin::set_password(app.db(), "Dai", NEW_PASSWORD).unwrap_or_else(|e| panic!("set_password: {e:?}"));
    app.get("/me", dai.auth()).await.assert_status(401);
    app.login("dai", NEW_PASSWORD).await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM events WHERE kind = 'account.password_changed'"), 1);
}

#[actix_web::test]
async fn flow_sqlite() {
    the_whole_flow(Backend::Sqlite).await;
}

#[actix_web::test]
async fn flow_postgres() {
    the_whole_flow(Backend::Postgres).await;
}

#[actix_web::test]
async fn replaced_and_expired_sqlite() {
    older_links_and_expired_ones_do_not_work(Backend::Sqlite).await;
}

#[actix_web::test]
async fn replaced_and_expired_postgres() {
    older_links_and_expired_ones_do_not_work(Backend::Postgres).await;
}

#[actix_web::test]
async fn limits_sqlite() {
    limits_read_the_same_for_accounts_and_nobody(Backend::Sqlite).await;
}

#[actix_web::test]
async fn limits_postgres() {
    limits_read_the_same_for_accounts_and_nobody(Backend::Postgres).await;
}

#[actix_web::test]
async fn without_mail_sqlite() {
    a_forum_without_mail_says_so(Backend::Sqlite).await;
}

#[actix_web::test]
async fn without_mail_postgres() {
    a_forum_without_mail_says_so(Backend::Postgres).await;
}
