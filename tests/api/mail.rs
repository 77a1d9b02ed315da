//! E-mail through a real SMTP server on localhost: a mail per notification
//! for members who are away, daily digests built with what the recipient
//! may read when they are sent, and unsubscribing without signing in.

use std::time::Duration;

use quorum::config::Secret;
use quorum_tests::smtp::SmtpSink;
use quorum_tests::world::WORKERS;
use quorum_tests::{marker, Backend, Coop, TestApp};
use serde_json::json;

async fn with_mail(backend: Backend, sink: &SmtpSink) -> Option<TestApp> {
    let url = sink.url();
    TestApp::spawn_with(backend, move |s| {
        s.smtp_url = Some(Secret::new(url));
        s.mail_from = "Co-op Forum <forum@coop.example>".into();
        s.public_url = Some("https://forum.coop.example".into());
    })
    .await
}

/// Mail waits until its recipient has been away a while; tests skip the wait.
fn due_now(app: &TestApp) {
    app.execute("UPDATE mail_outbox SET send_after = created_at WHERE sent_at IS NULL");
}

async fn eventually(app: &TestApp, sql: &str, want: i64) {
    for _ in 0..100 {
        if app.count(sql) >= want {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never reached {want}: {sql}");
}

async fn mails_immediately_when_away_and_never_what_the_reader_cannot_read(backend: Backend) {
    let sink = SmtpSink::start();
    let Some(app) = with_mail(backend, &sink).await else { return };
    let coop = Coop::create(&app).await;
    app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
    let thread = app.create_thread(&coop.participant, "open", "Exchange", "Who can host?", None).await.thread.id;
    let visible = marker("visible");
    app.reply(&coop.rep, thread, &format!("@pat {visible}"), None, None).await;
    let secret = marker("workers-only");
    app.reply(&coop.rep, thread, &format!("@pat {secret}"), None, Some(&[WORKERS])).await;
    eventually(&app, "SELECT COUNT(*) AS n FROM mail_outbox", 1).await;
    due_now(&app);
    let mails = sink.wait_for(1, Duration::from_secs(15));
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0].data;
    assert_eq!(mails[0].to, vec!["pat@coop.example".to_owned()]);
    assert!(mail.contains(&visible), "{mail}");
    assert!(!mail.contains(&secret), "a restricted post never goes to someone outside its audience");
    assert!(mail.contains("List-Unsubscribe"), "{mail}");
    assert!(mail.contains("https://forum.coop.example/t/"), "{mail}");
    // Read in the app before the mail was due: no mail.
    app.reply(&coop.rep, thread, "@pat another", None, None).await;
    eventually(&app, "SELECT COUNT(*) AS n FROM mail_outbox", 2).await;
    app.post("/notifications/read", coop.participant.auth(), &json!({"all": true})).await.assert_status(200);
    due_now(&app);
    eventually(&app, "SELECT COUNT(*) AS n FROM mail_outbox WHERE dropped_at IS NOT NULL", 1).await;
    assert_eq!(sink.messages().len(), 1);
    // The unsubscribe link works without signing in.
    let token = mail
        .split("unsubscribe?token=")
        .nth(1)
        .map(|rest| rest.chars().take_while(|c| !c.is_whitespace() && *c != '>').collect::<String>())
        .unwrap_or_default();
    app.get(&format!("/unsubscribe?token={token}"), None).await.assert_status(200);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM users WHERE username = 'pat' AND email_notifications = 'off'"), 1);
    app.get("/unsubscribe?token=1.forged", None).await.assert_status(422);
}

async fn a_digest_leaves_out_what_its_reader_lost(backend: Backend) {
    let sink = SmtpSink::start();
    let Some(app) = with_mail(backend, &sink).await else { return };
    let coop = Coop::create(&app).await;
    app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
    app.patch("/me", coop.worker.auth(), &json!({"email_notifications": "daily"})).await.assert_status(200);
    // The first digest (nothing to say) goes out at once and is dropped.
    eventually(&app, "SELECT COUNT(*) AS n FROM users WHERE username = 'wren' AND digest_sent_at IS NOT NULL", 1).await;
    let thread = app.create_thread(&coop.worker, "open", "Rota", "Who takes Friday?", None).await.thread.id;
    let open = marker("open");
    app.reply(&coop.rep, thread, &format!("@wren {open}"), None, None).await;
    let secret = marker("workers");
    app.reply(&coop.rep, thread, &format!("@wren {secret}"), None, Some(&[WORKERS])).await;
    eventually(
        &app,
        "SELECT COUNT(*) AS n FROM notifications WHERE user_id = (SELECT id FROM users WHERE username = 'wren')",
        2,
    )
    .await;
    // Access lost before the digest is built.
    app.remove_member(&coop.admin, WORKERS, "wren").await;
    app.execute("UPDATE users SET digest_sent_at = '2000-01-01 00:00:00' WHERE username = 'wren'");
    let mails = sink.wait_for(1, Duration::from_secs(15));
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].data.contains(&open), "{}", mails[0].data);
    assert!(!mails[0].data.contains(&secret), "{}", mails[0].data);
}

#[actix_web::test]
async fn mail_sqlite() {
    mails_immediately_when_away_and_never_what_the_reader_cannot_read(Backend::Sqlite).await;
}

#[actix_web::test]
async fn mail_postgres() {
    mails_immediately_when_away_and_never_what_the_reader_cannot_read(Backend::Postgres).await;
}

#[actix_web::test]
async fn digest_sqlite() {
    a_digest_leaves_out_what_its_reader_lost(Backend::Sqlite).await;
}

#[actix_web::test]
async fn digest_postgres() {
    a_digest_leaves_out_what_its_reader_lost(Backend::Postgres).await;
}
