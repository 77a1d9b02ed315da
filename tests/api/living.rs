//! A forum that comes to its members, and never tells anyone about
//! something they may not read: mentions, quotes, notifications, watching,
//! read tracking and live updates.

use std::time::Duration;

use quorum_tests::world::{BOARD, PARTICIPANTS, WORKERS};
use quorum_tests::{assert_field_error, both_backends, marker, Account, Coop, TestApp};
use quorum_types::{Category, Notification, NotificationKind, Page, Post, Preview, Thread, UnreadCount, WatchLevel};
use serde_json::json;

/// Notifications are made after commit: ask until they are there.
async fn notifications(app: &TestApp, who: &Account, at_least: usize) -> Vec<Notification> {
    let mut last = Vec::new();
    for _ in 0..60 {
        last = app.page::<Notification>("/notifications?limit=100", who.auth()).await.items;
        if last.len() >= at_least {
            return last;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    last
}

/// Lets the dispatcher catch up, then gives everyone's notifications.
async fn settle(app: &TestApp) {
    let before = app.count("SELECT COUNT(*) AS n FROM events");
    for _ in 0..60 {
        let behind = app.count(&format!(
            "SELECT COUNT(*) AS n FROM dispatch_cursors WHERE name = 'notify' AND last_event_id >= {before}"
        ));
        if behind == 1 {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the dispatcher did not catch up");
}

fn kinds(list: &[Notification]) -> Vec<(NotificationKind, i64)> {
    list.iter().map(|n| (n.kind, n.post_id)).collect()
}

both_backends! {
    async fn mentions_notify_only_those_who_can_read(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
        let thread = app.create_thread(&coop.rep, "open", "AGM", "Dates soon.", None).await.thread.id;
        // The preview warns before posting.
        let preview: Preview = app
            .post("/preview", coop.rep.auth(), &json!({"body": "@wren and @pat, see the figures.", "thread_id": thread, "audience": [WORKERS]}))
            .await
            .expect(200);
        assert_eq!(preview.warnings.len(), 1, "{preview:?}");
        assert!(preview.warnings[0].contains("@pat") && preview.warnings[0].contains("cannot read"), "{preview:?}");
        assert!(preview.body_html.contains(r#"href="/u/wren""#) && !preview.body_html.contains(r#"href="/u/pat""#), "{}", preview.body_html);
        // Posted: the worker is told, the participant (who cannot read it) is not.
        let secret = marker("figures");
        let post = app
            .reply(&coop.rep, thread, &format!("@wren and @pat, {secret}"), None, Some(&[WORKERS]))
            .await;
        assert!(post.body_html.contains("class=\"mention\""), "{}", post.body_html);
        let told = notifications(&app, &coop.worker, 1).await;
        assert_eq!(kinds(&told), vec![(NotificationKind::Mention, post.id)]);
        assert_eq!(told[0].actor.as_ref().map(|a| a.username.as_str()), Some("rhiannon"));
        settle(&app).await;
        let participant = app.get("/notifications", coop.participant.auth()).await;
        assert!(!participant.contains(&secret), "{participant}");
        assert_eq!(participant.json::<Page<Notification>>().items.len(), 0);
        // A group mention tells the group's members who can read.
        app.reply(&coop.rep, thread, &format!("@{BOARD} please review."), None, None).await;
        let board_only: Post = app.reply(&coop.rep, thread, &format!("@{PARTICIPANTS} for the board: {}", marker("x")), None, Some(&[BOARD])).await;
        settle(&app).await;
        let pat = app.page::<Notification>("/notifications", coop.participant.auth()).await.items;
        assert!(pat.iter().all(|n| n.post_id != board_only.id), "{pat:?}");
        // Only members of a group (and moderators) may mention it.
        let preview: Preview = app
            .post("/preview", coop.worker.auth(), &json!({"body": "@board hello", "thread_id": thread}))
            .await
            .expect(200);
        assert!(preview.warnings.iter().any(|w| w.contains("@board")), "{preview:?}");
    }

    async fn notifications_disappear_when_access_goes(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
        let thread = app.create_thread(&coop.worker, "open", "Rota", "Who takes Friday?", None).await.thread.id;
        let first = app.reply(&coop.rep, thread, "@wren open note", None, None).await;
        let secret = marker("workers-only");
        let hidden = app.reply(&coop.rep, thread, &format!("@wren {secret}"), None, Some(&[WORKERS])).await;
        let told = notifications(&app, &coop.worker, 2).await;
        assert_eq!(told.len(), 2);
        let unread: UnreadCount = app.get("/notifications/unread", coop.worker.auth()).await.expect(200);
        assert_eq!(unread.unread, 2);
        // Losing the group: the workers-only notification stops existing.
        app.remove_member(&coop.admin, WORKERS, "wren").await;
        let now = app.get("/notifications", coop.worker.auth()).await;
        assert!(!now.contains(&secret), "{now}");
        assert_eq!(kinds(&now.json::<Page<Notification>>().items), vec![(NotificationKind::Mention, first.id)]);
        let unread: UnreadCount = app.get("/notifications/unread", coop.worker.auth()).await.expect(200);
        assert_eq!(unread.unread, 1);
        // Marking read.
        let after: UnreadCount = app.post("/notifications/read", coop.worker.auth(), &json!({"all": true})).await.expect(200);
        assert_eq!(after.unread, 0);
        assert_field_error(&app.post("/notifications/read", coop.worker.auth(), &json!({})).await, "ids");
        let _ = hidden;
    }

    async fn replies_quotes_likes_and_watching(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
        app.create_category(&coop.admin, "news", &["signed-in"], &["signed-in"]).await;
        let created = app.create_thread(&coop.worker, "open", "Rota", "Who takes Friday?", None).await;
        let (thread, opener) = (created.thread.id, created.post.id);
        // The participant replies to the opener: the author is told (reply),
        // and now watches the thread they replied in.
        let reply = app.reply(&coop.participant, thread, "I can.", Some(opener), None).await;
        let told = notifications(&app, &coop.worker, 1).await;
        assert_eq!(kinds(&told), vec![(NotificationKind::Reply, reply.id)]);
        let later = app.reply(&coop.enterprise, thread, "Me too.", None, None).await;
        let pat = notifications(&app, &coop.participant, 1).await;
        assert_eq!(kinds(&pat), vec![(NotificationKind::Watching, later.id)]);
        // Muting stops it.
        app.put(&format!("/threads/{thread}/watch"), coop.participant.auth(), &json!({"level": "muted"})).await.assert_status(200);
        app.reply(&coop.enterprise, thread, "And me.", None, None).await;
        settle(&app).await;
        assert_eq!(app.page::<Notification>("/notifications", coop.participant.auth()).await.items.len(), 1);
        // A quote tells the quoted author.
        let quoting = app.reply(&coop.enterprise, thread, &format!("[quote=post:{opener}]\nWho takes Friday?\n[/quote]\nNot me."), None, None).await;
        assert!(quoting.body_html.contains(&format!("href=\"/p/{opener}\"")), "{}", quoting.body_html);
        let told = notifications(&app, &coop.worker, 4).await;
        assert!(kinds(&told).contains(&(NotificationKind::Quote, quoting.id)), "{told:?}");
        // Quoting a workers-only post into an open one is refused.
        let narrow = app.reply(&coop.rep, thread, "For workers.", None, Some(&[WORKERS])).await;
        let resp = app
            .post(&format!("/threads/{thread}/posts"), coop.rep.auth(), &json!({"body": format!("[quote=post:{}]\nx\n[/quote]", narrow.id)}))
            .await;
        assert_field_error(&resp, "body");
        app.post(
            &format!("/threads/{thread}/posts"),
            coop.rep.auth(),
            &json!({"body": format!("[quote=post:{}]\nx\n[/quote]", narrow.id), "audience": [WORKERS]}),
        )
        .await
        .assert_status(201);
        // Likes fold into one notification.
        app.put_empty(&format!("/posts/{opener}/like"), coop.participant.auth()).await.assert_status(200);
        app.put_empty(&format!("/posts/{opener}/like"), coop.enterprise.auth()).await.assert_status(200);
        settle(&app).await;
        let likes: Vec<Notification> = app
            .page::<Notification>("/notifications", coop.worker.auth())
            .await
            .items
            .into_iter()
            .filter(|n| n.kind == NotificationKind::Like)
            .collect();
        assert_eq!(likes.len(), 1, "{likes:?}");
        assert_eq!(likes[0].others, 1);
        // Watching a category tells of new threads, and the category says so to the watcher alone.
        let level = |c: Category| c.watch_level;
        let before: Category = app.get("/categories/news", coop.moderator.auth()).await.expect(200);
        assert_eq!(level(before), Some(WatchLevel::Normal));
        app.put("/categories/news/watch", coop.moderator.auth(), &json!({"level": "watching"})).await.assert_status(200);
        let after: Category = app.get("/categories/news", coop.moderator.auth()).await.expect(200);
        assert_eq!(level(after), Some(WatchLevel::Watching));
        let listed: Page<Category> = app.get("/categories", coop.moderator.auth()).await.expect(200);
        assert_eq!(listed.items.into_iter().find(|c| c.slug == "news").and_then(level), Some(WatchLevel::Watching));
        let others: Category = app.get("/categories/news", coop.rep.auth()).await.expect(200);
        assert_eq!(level(others), Some(WatchLevel::Normal));
        let news = app.create_thread(&coop.rep, "news", "Federation newsletter", "Out now.", None).await;
        let told = notifications(&app, &coop.moderator, 1).await;
        assert_eq!(kinds(&told), vec![(NotificationKind::NewThread, news.post.id)]);
    }

    async fn unread_counts_count_only_what_each_viewer_reads(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
        let created = app.create_thread(&coop.worker, "open", "Rota", "Who takes Friday?", None).await;
        let thread = created.thread.id;
        let listed = |who: &Account| {
            let token = who.access_token.clone();
            let app = &app;
            async move {
                let page: Page<Thread> = app.page("/threads?category=open", Some(&token)).await;
                page.items.into_iter().find(|t| t.id == thread).unwrap_or_else(|| panic!("thread not listed"))
            }
        };
        // Never opened: new, nothing counted; the author has read their own.
        let t = listed(&coop.participant).await;
        assert!(t.is_new && t.unread_count == 0 && t.last_read_post_id.is_none());
        let t = listed(&coop.worker).await;
        assert!(!t.is_new && t.unread_count == 0 && t.last_read_post_id == Some(created.post.id));
        app.put(&format!("/threads/{thread}/read"), coop.participant.auth(), &json!({"post_id": created.post.id})).await.assert_status(204);
        app.reply(&coop.rep, thread, "Open reply.", None, None).await;
        app.reply(&coop.rep, thread, "Board aside.", None, Some(&[BOARD])).await;
        let t = listed(&coop.participant).await;
        assert_eq!((t.is_new, t.unread_count), (false, 1), "the board's reply is not counted for a participant");
        let t = listed(&coop.worker).await;
        assert_eq!(t.unread_count, 1);
        // Never backwards; and a category mark reads everything.
        app.put(&format!("/threads/{thread}/read"), coop.participant.auth(), &json!({"post_id": 1})).await.assert_status(204);
        assert_eq!(listed(&coop.participant).await.unread_count, 1);
        app.post_empty("/categories/open/read", coop.participant.auth()).await.assert_status(204);
        assert_eq!(listed(&coop.participant).await.unread_count, 0);
        app.put(&format!("/threads/{thread}/read"), coop.participant.auth(), &json!({"post_id": "x"})).await.assert_status(422);
    }

    async fn live_updates_reach_only_those_who_may_read(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
        let thread = app.create_thread(&coop.worker, "open", "Rota", "Who takes Friday?", None).await.thread.id;
        let mut worker = app.stream(&coop.worker.access_token, None).await;
        let mut participant = app.stream(&coop.participant.access_token, None).await;
        assert!(worker.content_type.starts_with("text/event-stream"));
        let hello = worker.until(Duration::from_secs(5), |e| e.event == "notifications").await;
        assert_eq!(hello.map(|e| e.data["unread"].clone()), Some(json!(0)));
        let open = app.reply(&coop.rep, thread, "Open reply.", None, None).await;
        let board = app.reply(&coop.rep, thread, &marker("board"), None, Some(&[BOARD])).await;
        let workers = app.reply(&coop.rep, thread, "For workers.", None, Some(&[WORKERS])).await;
        let seen = |events: &[quorum_tests::sse::Sse]| {
            // (The thread's opening may arrive too: it happened just before the streams opened.)
            events
                .iter()
                .filter(|e| e.event == "post" && e.data["kind"] != "thread.created")
                .filter_map(|e| e.data["post_id"].as_i64())
                .collect::<Vec<_>>()
        };
        let got = participant.drain(Duration::from_secs(3)).await;
        assert_eq!(seen(&got), vec![open.id], "{got:?}");
        let got = worker.drain(Duration::from_secs(1)).await;
        assert_eq!(seen(&got), vec![open.id, workers.id], "{got:?}");
        // From the next event on, a viewer who lost access gets nothing more about it.
        app.remove_member(&coop.admin, WORKERS, "wren").await;
        let again = app.reply(&coop.rep, thread, "Workers again.", None, Some(&[WORKERS])).await;
        let got = worker.drain(Duration::from_secs(2)).await;
        assert!(!seen(&got).contains(&again.id), "{got:?}");
        // Reconnecting with Last-Event-ID replays what was missed, as the viewer may see it now.
        let last = got.iter().chain(std::iter::empty()).filter_map(|e| e.id).max().unwrap_or(0);
        let open_again = app.reply(&coop.rep, thread, "Missed while away.", None, None).await;
        let _ = board;
        let mut back = app.stream(&coop.worker.access_token, Some(last)).await;
        let got = back.drain(Duration::from_secs(2)).await;
        assert!(seen(&got).contains(&open_again.id) && !seen(&got).contains(&again.id), "{got:?}");
    }
}

/// Two servers on one PostgreSQL database: a post through one reaches a
/// stream of the other.
#[actix_web::test]
async fn live_updates_cross_instances_on_postgres() {
    let Some(app) = TestApp::spawn(quorum_tests::Backend::Postgres).await else { return };
    let coop = Coop::create(&app).await;
    app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
    let thread = app.create_thread(&coop.worker, "open", "Rota", "Who takes Friday?", None).await.thread.id;
    let (other, stop) = app.another_instance().await;
    let mut stream = quorum_tests::sse::open(&other, &coop.participant.access_token, None).await;
    stream.until(Duration::from_secs(5), |e| e.event == "notifications").await;
    let started = std::time::Instant::now();
    let post = app.reply(&coop.rep, thread, "Across instances.", None, None).await;
    let got = stream
        .until(Duration::from_secs(5), |e| e.event == "post" && e.data["post_id"].as_i64() == Some(post.id))
        .await;
    assert!(got.is_some(), "the other instance never delivered the post");
    eprintln!("delivered across instances after {:?}", started.elapsed());
    stop.stop();
}
