//! Flags and outcomes agree: for every actor and every action, the `can_*`
//! flag the API shows equals whether the API then allows the action. And
//! moderation (flags, the review queue, hiding, restoring) stays within
//! what each moderator can read.

use quorum_tests::world::{BOARD, PARTICIPANTS};
use quorum_tests::{assert_problem, both_backends, marker, Coop, TestApp};
use quorum_types::{Category, CreatedToken, DeletedItem, ErrorCode, Flag, Page, Post, Thread};
use serde_json::json;

/// One thread by the worker, with a reply by the participant; locked when asked.
struct Scene {
    thread: i64,
    opener: i64,
    reply: i64,
}

async fn scene(app: &TestApp, coop: &Coop, locked: bool) -> Scene {
    let created = app.create_thread(&coop.worker, "open", "Rota", "Who takes Friday?", None).await;
    let reply = app.reply(&coop.participant, created.thread.id, "I can.", None, None).await;
    if locked {
        app.patch(&format!("/threads/{}", created.thread.id), coop.admin.auth(), &json!({"locked": true}))
            .await
            .assert_status(200);
    }
    Scene { thread: created.thread.id, opener: created.post.id, reply: reply.id }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    StartThread,
    Reply,
    EditThread,
    DeleteThread,
    Pin,
    EditPost(bool),
    DeletePost(bool),
    Like(bool),
    Flag(bool),
    Hide(bool),
    History(bool),
}

impl Act {
    const ALL: [Act; 17] = [
        Act::StartThread,
        Act::Reply,
        Act::EditThread,
        Act::DeleteThread,
        Act::Pin,
        Act::EditPost(true),
        Act::EditPost(false),
        Act::DeletePost(true),
        Act::DeletePost(false),
        Act::Like(true),
        Act::Like(false),
        Act::Flag(true),
        Act::Flag(false),
        Act::Hide(true),
        Act::Hide(false),
        Act::History(true),
        Act::History(false),
    ];
}

/// What the API says the actor may do (all false when they cannot even look).
async fn flag(app: &TestApp, token: Option<&str>, s: &Scene, act: Act) -> bool {
    let post = |id: i64| async move {
        let resp = app.get(&format!("/posts/{id}"), token).await;
        (resp.status == 200).then(|| resp.json::<Post>())
    };
    let pick = |opener: bool| if opener { s.opener } else { s.reply };
    match act {
        Act::StartThread => {
            let resp = app.get("/categories/open", token).await;
            resp.status == 200 && resp.json::<Category>().can_post
        }
        Act::Reply | Act::EditThread | Act::DeleteThread | Act::Pin => {
            let resp = app.get(&format!("/threads/{}", s.thread), token).await;
            if resp.status != 200 {
                return false;
            }
            let t: Thread = resp.json();
            match act {
                Act::Reply => t.can_reply,
                Act::EditThread => t.can_edit,
                Act::DeleteThread => t.can_delete,
                _ => t.can_moderate,
            }
        }
        Act::EditPost(o) => post(pick(o)).await.is_some_and(|p| p.can_edit),
        Act::DeletePost(o) => post(pick(o)).await.is_some_and(|p| p.can_delete),
        Act::Like(o) => post(pick(o)).await.is_some_and(|p| p.can_like),
        Act::Flag(o) => post(pick(o)).await.is_some_and(|p| p.can_flag),
        Act::Hide(o) => post(pick(o)).await.is_some_and(|p| p.can_hide),
        Act::History(o) => post(pick(o)).await.is_some_and(|p| p.can_view_history),
    }
}

/// Tries the action; whether the API allowed it.
async fn attempt(app: &TestApp, token: Option<&str>, s: &Scene, act: Act) -> bool {
    let pick = |opener: bool| if opener { s.opener } else { s.reply };
    let resp = match act {
        Act::StartThread => {
            app.post("/threads", token, &json!({"category": "open", "title": "New", "body": "Text"})).await
        }
        Act::Reply => app.post(&format!("/threads/{}/posts", s.thread), token, &json!({"body": "Me too."})).await,
        Act::EditThread => app.patch(&format!("/threads/{}", s.thread), token, &json!({"title": "Renamed"})).await,
        Act::DeleteThread => app.delete(&format!("/threads/{}", s.thread), token).await,
        Act::Pin => app.patch(&format!("/threads/{}", s.thread), token, &json!({"pinned": true})).await,
        Act::EditPost(o) => app.patch(&format!("/posts/{}", pick(o)), token, &json!({"body": "Edited."})).await,
        Act::DeletePost(o) => app.delete(&format!("/posts/{}", pick(o)), token).await,
        Act::Like(o) => app.put_empty(&format!("/posts/{}/like", pick(o)), token).await,
        Act::Flag(o) => app.post(&format!("/posts/{}/flags", pick(o)), token, &json!({"reason": "spam"})).await,
        Act::Hide(o) => app.put(&format!("/posts/{}/hidden", pick(o)), token, &json!({"reason": "test"})).await,
        Act::History(o) => app.get(&format!("/posts/{}/revisions", pick(o)), token).await,
    };
    assert!(resp.status < 500, "{resp}");
    (200..300).contains(&resp.status)
}

both_backends! {
    async fn every_flag_matches_what_the_api_then_allows(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
        let suspended = app.member(&coop.admin, "sully", &[PARTICIPANTS]).await;
        app.put("/admin/users/sully/suspension", coop.admin.auth(), &json!({"reason": "a test"})).await.assert_status(200);
        let read_only: CreatedToken =
            app.post("/me/tokens", coop.worker.auth(), &json!({"name": "r", "scopes": ["read"]})).await.expect(201);
        let writer_mod: CreatedToken =
            app.post("/me/tokens", coop.moderator.auth(), &json!({"name": "w", "scopes": ["read", "write"]})).await.expect(201);
        let actors: Vec<(&str, Option<String>)> = vec![
            ("anonymous", None),
            ("participant (replied)", Some(coop.participant.access_token.clone())),
            ("worker (author)", Some(coop.worker.access_token.clone())),
            ("enterprise member", Some(coop.enterprise.access_token.clone())),
            ("moderator", Some(coop.moderator.access_token.clone())),
            ("admin", Some(coop.admin.access_token.clone())),
            ("suspended", Some(suspended.access_token.clone())),
            ("author's read-only token", Some(read_only.secret.clone())),
            ("moderator's write token", Some(writer_mod.secret.clone())),
        ];
        let (mut checked, mut allowed_count) = (0, 0);
        for locked in [false, true] {
            for (name, token) in &actors {
                for act in Act::ALL {
                    // A fresh scene per attempt: some actions change or destroy it.
                    let s = scene(&app, &coop, locked).await;
                    let shown = flag(&app, token.as_deref(), &s, act).await;
                    let allowed = attempt(&app, token.as_deref(), &s, act).await;
                    assert_eq!(shown, allowed, "{name} {act:?} (locked: {locked}): flag {shown}, API {allowed}");
                    checked += 1;
                    allowed_count += usize::from(allowed);
                }
            }
        }
        assert_eq!(checked, 2 * 9 * 17);
        // Neither side of the comparison is trivial.
        assert!(allowed_count > 60 && checked - allowed_count > 60, "{allowed_count} of {checked} allowed");
    }

    async fn an_author_may_delete_a_thread_only_until_others_reply(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
        let lone = app.create_thread(&coop.worker, "open", "Alone", "Nobody yet.", None).await.thread.id;
        let t: Thread = app.get(&format!("/threads/{lone}"), coop.worker.auth()).await.expect(200);
        assert!(t.can_delete);
        let listed: Page<Thread> = app.page("/threads?category=open", coop.worker.auth()).await;
        assert!(listed.items.iter().all(|t| t.can_delete), "the list's flags agree");
        app.reply(&coop.participant, lone, "Hello.", None, None).await;
        let t: Thread = app.get(&format!("/threads/{lone}"), coop.worker.auth()).await.expect(200);
        assert!(!t.can_delete);
        let listed: Page<Thread> = app.page("/threads?category=open", coop.worker.auth()).await;
        assert!(listed.items.iter().all(|t| !t.can_delete));
        assert_problem(&app.delete(&format!("/threads/{lone}"), coop.worker.auth()).await, 403, ErrorCode::Forbidden);
    }

    async fn moderation_stays_within_what_each_moderator_reads(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
        let board_mod = app.member(&coop.admin, "bea", &[BOARD, "moderators"]).await;
        let thread = app.create_thread(&coop.worker, "open", "Rota", "Who takes Friday?", None).await.thread.id;
        let spam = app.reply(&coop.participant, thread, &marker("spam"), None, None).await;
        let secret = marker("board-spam");
        let board_spam = app.reply(&coop.rep, thread, &secret, None, Some(&[BOARD])).await;
        // Flags.
        let flag: Flag = app.post(&format!("/posts/{}/flags", spam.id), coop.worker.auth(), &json!({"reason": "spam", "note": "an advert"})).await.expect(201);
        app.post(&format!("/posts/{}/flags", board_spam.id), board_mod.auth(), &json!({"reason": "off_topic"})).await.assert_status(201);
        assert_problem(&app.post(&format!("/posts/{}/flags", spam.id), coop.participant.auth(), &json!({"reason": "spam"})).await, 403, ErrorCode::Forbidden);
        // Flagging again while open changes nothing.
        let again: Flag = app.post(&format!("/posts/{}/flags", spam.id), coop.worker.auth(), &json!({"reason": "abuse"})).await.expect(201);
        assert_eq!(again.id, flag.id);
        // The queue: a moderator sees flags only on posts they can read.
        let queue: Page<Flag> = app.page("/flags", coop.moderator.auth()).await;
        assert_eq!(queue.items.iter().map(|f| f.post_id).collect::<Vec<_>>(), vec![spam.id]);
        let body = app.get("/flags", coop.moderator.auth()).await;
        assert!(!body.contains(&secret), "{body}");
        let queue: Page<Flag> = app.page("/flags", board_mod.auth()).await;
        assert_eq!(queue.items.len(), 2);
        app.get("/flags", coop.worker.auth()).await.assert_status(403);
        app.post(&format!("/flags/{}/resolve", queue.items[0].id), coop.moderator.auth(), &json!({"resolution": "dismissed"}))
            .await
            .assert_status(404);
        // Resolving with a hide: the post becomes a notice for others.
        let closed: Flag = app
            .post(&format!("/flags/{}/resolve", flag.id), coop.moderator.auth(), &json!({"resolution": "resolved", "hide_post": true}))
            .await
            .expect(200);
        assert_eq!(closed.resolution.as_deref(), Some("resolved"));
        let seen: Post = app.get(&format!("/posts/{}", spam.id), coop.worker.auth()).await.expect(200);
        assert!(seen.hidden && seen.body.is_empty() && seen.body_html.is_empty());
        assert!(seen.hidden_reason.is_some_and(|r| r.contains("spam")));
        let own: Post = app.get(&format!("/posts/{}", spam.id), coop.participant.auth()).await.expect(200);
        assert_eq!(own.body, spam.body);
        let as_moderator: Post = app.get(&format!("/posts/{}", spam.id), coop.moderator.auth()).await.expect(200);
        assert_eq!(as_moderator.body, spam.body);
        let t: Thread = app.get(&format!("/threads/{thread}"), coop.worker.auth()).await.expect(200);
        assert_eq!(t.reply_count, 0, "a hidden post is not counted");
        // Shown again.
        app.delete(&format!("/posts/{}/hidden", spam.id), coop.moderator.auth()).await.assert_status(200);
        let t: Thread = app.get(&format!("/threads/{thread}"), coop.worker.auth()).await.expect(200);
        assert_eq!(t.reply_count, 1);
        // A moderator cannot hide what they cannot read: it does not exist for them.
        app.put(&format!("/posts/{}/hidden", board_spam.id), coop.moderator.auth(), &json!({})).await.assert_status(404);
        // Restoring deleted content.
        app.delete(&format!("/posts/{}", spam.id), coop.moderator.auth()).await.assert_status(204);
        app.get(&format!("/posts/{}", spam.id), coop.worker.auth()).await.assert_status(404);
        // The moderators' list of deleted content to restore from.
        let deleted: Page<DeletedItem> = app.page("/deleted?kind=posts", coop.moderator.auth()).await;
        assert_eq!(deleted.items.iter().map(|d| (d.kind.as_str(), d.id, d.thread_id)).collect::<Vec<_>>(), vec![("post", spam.id, thread)]);
        assert_eq!(deleted.items[0].excerpt, spam.body);
        assert_problem(&app.get("/deleted?kind=posts", coop.worker.auth()).await, 403, ErrorCode::Forbidden);
        app.get("/deleted", None).await.assert_status(401);
        app.get("/deleted?kind=drafts", coop.moderator.auth()).await.assert_status(422);
        app.post_empty(&format!("/posts/{}/restore", spam.id), coop.worker.auth()).await.assert_status(403);
        app.post_empty(&format!("/posts/{}/restore", spam.id), coop.moderator.auth()).await.assert_status(200);
        let deleted: Page<DeletedItem> = app.page("/deleted?kind=posts", coop.moderator.auth()).await;
        assert!(deleted.items.is_empty(), "a restored post leaves the list");
        app.get(&format!("/posts/{}", spam.id), coop.worker.auth()).await.assert_status(200);
        app.delete(&format!("/posts/{}", board_spam.id), board_mod.auth()).await.assert_status(204);
        app.post_empty(&format!("/posts/{}/restore", board_spam.id), coop.moderator.auth()).await.assert_status(404);
        // A moderator outside the post's audience does not learn of it.
        let body = app.get("/deleted?kind=posts", coop.moderator.auth()).await;
        assert!(!body.contains(&secret), "{body}");
        let deleted: Page<DeletedItem> = body.expect(200);
        assert!(deleted.items.is_empty());
        let deleted: Page<DeletedItem> = app.page("/deleted?kind=posts", board_mod.auth()).await;
        assert_eq!(deleted.items.iter().map(|d| d.id).collect::<Vec<_>>(), vec![board_spam.id]);
        app.delete(&format!("/threads/{thread}"), coop.admin.auth()).await.assert_status(204);
        let deleted: Page<DeletedItem> = app.page("/deleted?kind=threads", coop.moderator.auth()).await;
        assert_eq!(deleted.items.iter().map(|d| (d.kind.as_str(), d.id)).collect::<Vec<_>>(), vec![("thread", thread)]);
        assert_eq!((deleted.items[0].thread_title.as_str(), deleted.items[0].excerpt.as_str()), ("Rota", "Who takes Friday?"));
        let restored: Thread = app.post_empty(&format!("/threads/{thread}/restore"), coop.moderator.auth()).await.expect(200);
        assert_eq!(restored.id, thread);
        assert!(app.page::<DeletedItem>("/deleted", coop.moderator.auth()).await.items.is_empty());
        // Every step is in the audit log, with the moderator as actor.
        let actions: Vec<String> = app
            .page::<quorum_types::AuditEntry>("/admin/audit?actor=morgan", coop.admin.auth())
            .await
            .items
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, vec!["thread.restored", "post.restored", "post.deleted", "post.unhidden", "post.hidden", "flag.resolved"]);
    }
}

/// What one can do to a thread's event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventAct {
    Change,
    Cancel,
    Answer,
}

both_backends! {
    async fn event_flags_match_what_the_api_then_allows(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
        let read_only: CreatedToken =
            app.post("/me/tokens", coop.worker.auth(), &json!({"name": "r", "scopes": ["read"]})).await.expect(201);
        let actors: Vec<(&str, Option<String>)> = vec![
            ("anonymous", None),
            ("participant", Some(coop.participant.access_token.clone())),
            ("worker (organiser)", Some(coop.worker.access_token.clone())),
            ("moderator", Some(coop.moderator.access_token.clone())),
            ("admin", Some(coop.admin.access_token.clone())),
            ("organiser's read-only token", Some(read_only.secret.clone())),
        ];
        let event = json!({"title": "Rota meeting", "start": "2030-05-04T10:00", "end": "2030-05-04T11:00", "timezone": "Europe/Madrid"});
        let (mut checked, mut allowed_count) = (0, 0);
        for (locked, cancelled) in [(false, false), (true, false), (false, true)] {
            for (name, token) in &actors {
                for act in [EventAct::Change, EventAct::Cancel, EventAct::Answer] {
                    let thread = app.create_thread(&coop.worker, "open", "Rota", "Who takes Friday?", None).await.thread.id;
                    let url = format!("/threads/{thread}/event");
                    app.put(&url, coop.worker.auth(), &event).await.assert_status(201);
                    if cancelled {
                        app.post_empty(&format!("{url}/cancel"), coop.worker.auth()).await.assert_status(200);
                    }
                    if locked {
                        app.patch(&format!("/threads/{thread}"), coop.admin.auth(), &json!({"locked": true})).await.assert_status(200);
                    }
                    let seen = app.get(&url, token.as_deref()).await;
                    let shown = seen.status == 200 && {
                        let m: quorum_types::Meeting = seen.json();
                        if act == EventAct::Answer { m.can_rsvp } else { m.can_edit }
                    };
                    let resp = match act {
                        EventAct::Change => {
                            let mut changed = event.clone();
                            changed["title"] = json!("Rota meeting, moved");
                            app.put(&url, token.as_deref(), &changed).await
                        }
                        EventAct::Cancel => app.post_empty(&format!("{url}/cancel"), token.as_deref()).await,
                        EventAct::Answer => app.put(&format!("{url}/rsvp"), token.as_deref(), &json!({"answer": "maybe"})).await,
                    };
                    assert!(resp.status < 500, "{resp}");
                    let allowed = (200..300).contains(&resp.status);
                    assert_eq!(shown, allowed, "{name} {act:?} (locked {locked}, cancelled {cancelled}): flag {shown}, API {allowed}");
                    checked += 1;
                    allowed_count += usize::from(allowed);
                }
            }
        }
        assert_eq!(checked, 3 * 6 * 3);
        assert!(allowed_count > 10 && checked - allowed_count > 10, "{allowed_count} of {checked} allowed");
    }
}
