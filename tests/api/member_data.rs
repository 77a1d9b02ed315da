//! A member's own data: the archive holds their content and nothing they
//! cannot read; deleting the account does what the admin setting says, in
//! the database and over HTTP, and leaves every audience rule standing.

use std::time::Duration;

use actix_web::http::Method;

use quorum_tests::world::{BOARD, WORKERS};
use quorum_tests::{assert_field_error, assert_problem, both_backends, marker, Account, Coop, TestApp, PASSWORD};
use quorum_types::{CreatedToken, ErrorCode, MemberExport, Post, Thread, FORMER_MEMBER};
use serde_json::json;

/// Lets the event dispatcher catch up with every write so far (notifications are made after commit).
async fn settle(app: &TestApp) {
    let before = app.count("SELECT COUNT(*) AS n FROM events");
    for _ in 0..100 {
        let caught_up = app.count(&format!(
            "SELECT COUNT(*) AS n FROM dispatch_cursors WHERE name = 'notify' AND last_event_id >= {before}"
        ));
        if caught_up == 1 {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the dispatcher did not catch up");
}

async fn export(app: &TestApp, who: &Account) -> (MemberExport, String) {
    let resp = app.get("/me/export", who.auth()).await;
    resp.assert_status(200);
    let disposition = resp.header("content-disposition").unwrap_or_default().to_owned();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(&format!("quorum-{}-", who.username)),
        "{disposition}"
    );
    (resp.json(), resp.text())
}

async fn delete_with(app: &TestApp, token: Option<&str>, password: &str) -> quorum_tests::Response {
    let body = json!({ "password": password }).to_string().into_bytes();
    app.request(Method::DELETE, "/me", token, Some(("application/json", body))).await
}

async fn delete_account(app: &TestApp, who: &Account, password: &str) -> quorum_tests::Response {
    delete_with(app, who.auth(), password).await
}

async fn set_deleted_posts(app: &TestApp, admin: &Account, mode: &str) {
    let settings = app.patch("/admin/settings", admin.auth(), &json!({ "deleted_account_posts": mode })).await;
    assert_eq!(settings.expect::<serde_json::Value>(200)["deleted_account_posts"], mode);
    let site = app.get("/site", None).await.expect::<serde_json::Value>(200);
    assert_eq!(site["deleted_account_posts"], mode);
}

/// Counts of everything a refused deletion must leave as it was.
fn account_state(app: &TestApp, user_id: i64) -> Vec<i64> {
    [
        format!("SELECT COUNT(*) AS n FROM users WHERE id = {user_id} AND deleted_at IS NULL AND password_hash <> ''"),
        format!("SELECT COUNT(*) AS n FROM likes WHERE user_id = {user_id}"),
        format!("SELECT COUNT(*) AS n FROM access_tokens WHERE user_id = {user_id}"),
        format!("SELECT COUNT(*) AS n FROM refresh_tokens WHERE user_id = {user_id}"),
        format!("SELECT COUNT(*) AS n FROM group_members WHERE user_id = {user_id}"),
        format!("SELECT COUNT(*) AS n FROM posts WHERE author_id = {user_id} AND deleted_at IS NULL"),
        "SELECT COUNT(*) AS n FROM events WHERE kind = 'account.deleted'".to_owned(),
    ]
    .iter()
    .map(|sql| app.count(sql))
    .collect()
}

/// What every deletion scenario starts from: `wren` (a worker member) has
/// a thread, a reply in the rep's thread, a like, an access token and a
/// Board-only post by the rep beside their reply.
struct Scene {
    coop: Coop,
    own_thread: i64,
    rep_thread: i64,
    own_reply: Post,
    rep_post: Post,
    board_post: Post,
    board_marker: String,
    own_marker: String,
    token: String,
}

async fn scene(app: &TestApp) -> Scene {
    let coop = Coop::create(app).await;
    app.create_category(&coop.admin, "lounge", &["signed-in"], &["signed-in"]).await;
    let own_marker = marker("wren-words");
    let own_thread =
        app.create_thread(&coop.worker, "lounge", "Rota ideas", &format!("Opening {own_marker}"), None).await.thread.id;
    let rep_thread = app.create_thread(&coop.rep, "lounge", "AGM", "Dates soon.", None).await.thread.id;
    let rep_post = app.reply(&coop.rep, rep_thread, "Agenda attached.", None, None).await;
    let own_reply = app.reply(&coop.worker, rep_thread, &format!("Thanks {own_marker}"), Some(rep_post.id), None).await;
    let board_marker = marker("board-only");
    let board_post = app.reply(&coop.rep, rep_thread, &board_marker, None, Some(&[BOARD])).await;
    app.put_empty(&format!("/posts/{}/like", rep_post.id), coop.worker.auth()).await.assert_status(200);
    let created: CreatedToken = app
        .post("/me/tokens", coop.worker.auth(), &json!({"name": "backup script", "scopes": ["read", "write"]}))
        .await
        .expect(201);
    // Notifications of all this are made after commit: let them be made before the deletion.
    settle(app).await;
    Scene {
        coop,
        own_thread,
        rep_thread,
        own_reply,
        rep_post,
        board_post,
        board_marker,
        own_marker,
        token: created.secret,
    }
}

/// After any deletion: no credential of the account works, nothing of
/// theirs but the posts (per the setting) remains, and restricted content
/// is still hidden from those outside its audience.
async fn assert_gone(app: &TestApp, s: &Scene) {
    let id = s.coop.worker.id();
    assert_problem(&app.get("/me", s.coop.worker.auth()).await, 401, ErrorCode::Unauthorized);
    assert_eq!(app.get("/me", Some(&s.token)).await.status, 401);
    let refreshed = app.post("/auth/refresh", None, &json!({"refresh_token": s.coop.worker.refresh_token})).await;
    assert_eq!(refreshed.status, 401, "{refreshed}");
    let login = app.post("/auth/login", None, &json!({"login": "wren", "password": PASSWORD})).await;
    assert_eq!(login.status, 401, "{login}");
    for table in
        ["likes", "access_tokens", "refresh_tokens", "group_members", "notifications", "watches", "calendar_tokens"]
    {
        assert_eq!(app.count(&format!("SELECT COUNT(*) AS n FROM {table} WHERE user_id = {id}")), 0, "{table}");
    }
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM users WHERE id = {id} AND deleted_at IS NOT NULL AND password_hash = '' \
             AND email = 'deleted.{id}@invalid' AND bio = '' AND time_zone = 'UTC'"
        )),
        1
    );
    let liked: Post = app.get(&format!("/posts/{}", s.rep_post.id), s.coop.rep.auth()).await.expect(200);
    assert_eq!(liked.like_count, 0);
    // The leak matrix still holds: the Board-only post is for the board.
    assert_problem(
        &app.get(&format!("/posts/{}", s.board_post.id), s.coop.participant.auth()).await,
        404,
        ErrorCode::NotFound,
    );
    let listed = app.get(&format!("/threads/{}/posts?limit=100", s.rep_thread), s.coop.participant.auth()).await;
    assert!(!listed.contains(&s.board_marker), "{listed}");
    let anonymous = app.get(&format!("/threads/{}/posts?limit=100", s.rep_thread), None).await;
    assert!(!anonymous.contains(&s.board_marker));
    app.get(&format!("/posts/{}", s.board_post.id), s.coop.rep.auth()).await.assert_status(200);
    // The stored counters (likes, open posts, thread order) still agree with the rows.
    let report = quorum::check::run(app.db()).unwrap_or_else(|e| panic!("quorum check could not run: {e}"));
    assert!(report.passed(), "quorum check fails after the deletion:\n{report}");
    // Memberships were rights: their removal is recorded like an admin's.
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) AS n FROM events WHERE kind = 'group.member_removed' AND user_id = {id}")),
        1
    );
    // One audit entry, naming no more than the account's id.
    let audit = app.get("/admin/audit?action=account.deleted", s.coop.admin.auth()).await;
    audit.assert_status(200);
    assert_eq!(audit.value()["items"].as_array().map(Vec::len), Some(1), "{audit}");
}

both_backends! {
    async fn export_holds_own_content_and_nothing_unreadable(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "lounge", &["signed-in"], &["signed-in"]).await;
        let thread = app.create_thread(&coop.rep, "lounge", "AGM", &marker("rep-opening"), None).await;
        let others_words = marker("rep-public");
        let rep_post = app.reply(&coop.rep, thread.thread.id, &others_words, None, None).await;
        let mine = marker("wren-public");
        let my_post = app.reply(&coop.worker, thread.thread.id, &mine, Some(rep_post.id), None).await;
        // A Board-only post by someone else in the thread they replied to.
        let board = marker("board-only");
        let board_post = app.reply(&coop.rep, thread.thread.id, &board, Some(my_post.id), Some(&[BOARD])).await;
        // Their own post for worker members, and a mention of them for worker members:
        // both about an audience they are about to leave.
        let left_behind = marker("wren-workers");
        let workers_post = app.reply(&coop.worker, thread.thread.id, &left_behind, None, Some(&[WORKERS])).await;
        let mention = app.reply(&coop.rep, thread.thread.id, "@wren see the figures", None, Some(&[WORKERS])).await;
        // A reply to their public post, which they keep reading.
        let answer = app.reply(&coop.rep, thread.thread.id, "Agreed.", Some(my_post.id), None).await;
        let own_thread = app.create_thread(&coop.worker, "lounge", "Rota ideas", &marker("wren-opening"), None).await;
        app.put_empty(&format!("/posts/{}/like", rep_post.id), coop.worker.auth()).await.assert_status(200);
        app.put(&format!("/threads/{}/watch", thread.thread.id), coop.worker.auth(), &json!({"level": "watching"}))
            .await
            .assert_status(200);
        let note = marker("flag-note");
        app.post(&format!("/posts/{}/flags", rep_post.id), coop.worker.auth(), &json!({"reason": "off_topic", "note": note}))
            .await
            .assert_status(201);
        let created: CreatedToken = app
            .post("/me/tokens", coop.worker.auth(), &json!({"name": "backup script", "scopes": ["read"]}))
            .await
            .expect(201);
        settle(&app).await;
        app.remove_member(&coop.admin, WORKERS, "wren").await;

        let (archive, text) = export(&app, &coop.worker).await;
        assert_eq!((archive.format.as_str(), archive.version), ("quorum.member-export", 1));
        assert_eq!(archive.account.username, "wren");
        assert!(archive.memberships.is_empty(), "{:?}", archive.memberships);
        // Exactly their own posts that they can still read.
        let mut post_ids: Vec<i64> = archive.posts.iter().map(|p| p.id).collect();
        post_ids.sort_unstable();
        assert_eq!(post_ids, vec![my_post.id, own_thread.post.id]);
        let exported = archive.posts.iter().find(|p| p.id == my_post.id).expect("their reply");
        assert_eq!((exported.body.as_str(), exported.reply_to), (mine.as_str(), Some(rep_post.id)));
        assert!(archive.posts.iter().any(|p| p.id == own_thread.post.id && p.opens_thread));
        assert_eq!(archive.threads.iter().map(|t| t.id).collect::<Vec<_>>(), vec![own_thread.thread.id]);
        // Nothing they cannot read, and nobody else's words.
        for absent in [&board, &left_behind, &others_words] {
            assert!(!text.contains(absent.as_str()), "the archive holds {absent}");
        }
        for post_id in [board_post.id, workers_post.id, mention.id] {
            assert!(!text.contains(&format!("\"post_id\":{post_id},")), "the archive names post {post_id}");
        }
        // A like and a notification name posts by id only.
        assert_eq!(archive.likes.iter().map(|l| l.post_id).collect::<Vec<_>>(), vec![rep_post.id]);
        let told: Vec<i64> = archive.notifications.iter().map(|n| n.post_id).collect();
        assert!(told.contains(&answer.id), "{told:?}");
        assert!(!told.contains(&mention.id), "a notification about a post they lost access to: {told:?}");
        assert_eq!(archive.watches.iter().filter_map(|w| w.thread_id).collect::<Vec<_>>(), vec![thread.thread.id]);
        assert_eq!(archive.flags.len(), 1);
        assert_eq!(archive.flags[0].note, note);
        // Token metadata, never its secret or hash.
        assert_eq!(archive.access_tokens.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), vec!["backup script"]);
        assert!(!text.contains(&created.secret));
        assert!(!text.contains("token_hash") && !text.contains("password"), "{text}");
        // Nobody else's archive: it is always the caller's.
        let (rep_archive, _) = export(&app, &coop.rep).await;
        assert!(rep_archive.posts.iter().all(|p| p.id != my_post.id));
        assert_eq!(app.get("/me/export", None).await.status, 401);
    }

    async fn wrong_password_token_or_last_admin_change_nothing(app: TestApp) {
        let s = scene(&app).await;
        let id = s.coop.worker.id();
        let before = account_state(&app, id);
        assert_field_error(&delete_account(&app, &s.coop.worker, "not the password at all").await, "password");
        // A script's token cannot delete the account, even with the password.
        let by_token = delete_with(&app, Some(&s.token), PASSWORD).await;
        assert_problem(&by_token, 403, ErrorCode::Forbidden);
        assert_eq!(account_state(&app, id), before);
        app.get("/me", s.coop.worker.auth()).await.assert_status(200);
        // The only admin cannot go; once there is another, they can.
        let admin_state = account_state(&app, s.coop.admin.id());
        let refused = delete_account(&app, &s.coop.admin, PASSWORD).await;
        let problem = assert_problem(&refused, 409, ErrorCode::Conflict);
        assert!(problem.detail.contains("only admin"), "{problem:?}");
        assert_eq!(account_state(&app, s.coop.admin.id()), admin_state);
        app.add_member(&s.coop.admin, "admins", "morgan").await;
        delete_account(&app, &s.coop.admin, PASSWORD).await.assert_status(204);
        assert_eq!(app.get("/me", s.coop.admin.auth()).await.status, 401);
        let morgan = app.login("morgan", PASSWORD).await;
        assert!(morgan.me.is_admin);
    }

    async fn anonymise_keeps_posts_as_by_a_former_member(app: TestApp) {
        let s = scene(&app).await;
        let id = s.coop.worker.id();
        delete_account(&app, &s.coop.worker, PASSWORD).await.assert_status(204);
        assert_gone(&app, &s).await;
        let post: Post = app.get(&format!("/posts/{}", s.own_reply.id), s.coop.rep.auth()).await.expect(200);
        assert_eq!(post.author.display_name, FORMER_MEMBER);
        assert_ne!(post.author.username, "wren");
        assert!(post.body.contains(&s.own_marker));
        let thread: Thread = app.get(&format!("/threads/{}", s.own_thread), s.coop.rep.auth()).await.expect(200);
        assert_eq!(thread.id, s.own_thread);
        // Nothing names them any more, and the name is free again.
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM users WHERE username = 'wren' OR display_name = 'wren'"), 0);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM events WHERE target = 'user:wren' OR after LIKE '%\"wren\"%'"), 0);
        assert_eq!(app.get("/users/wren", None).await.status, 404);
        let again = app.register("wren").await;
        assert_ne!(again.id(), id);
        let (archive, _) = export(&app, &again).await;
        assert!(archive.posts.is_empty() && archive.likes.is_empty());
    }

    async fn keep_leaves_posts_under_the_name(app: TestApp) {
        let s = scene(&app).await;
        set_deleted_posts(&app, &s.coop.admin, "keep").await;
        delete_account(&app, &s.coop.worker, PASSWORD).await.assert_status(204);
        assert_gone(&app, &s).await;
        let post: Post = app.get(&format!("/posts/{}", s.own_reply.id), s.coop.rep.auth()).await.expect(200);
        assert_eq!(post.author.username, "wren");
        assert!(post.body.contains(&s.own_marker));
        // The name still stands on their posts, so nobody else may take it;
        // the e-mail address is free.
        let taken = app
            .post("/auth/register", None, &json!({"username": "wren", "email": "new@coop.example", "password": PASSWORD}))
            .await;
        assert_problem(&taken, 409, ErrorCode::Conflict);
        app.post("/auth/register", None, &json!({"username": "wren2", "email": "wren@coop.example", "password": PASSWORD}))
            .await
            .assert_status(201);
    }

    async fn remove_erases_posts_and_keeps_answered_threads_coherent(app: TestApp) {
        let s = scene(&app).await;
        // Someone answered their thread: it stays for the reply's sake.
        let answered = app.create_thread(&s.coop.worker, "lounge", "Kept for others", &format!("Q {}", s.own_marker), None).await;
        let other_reply = app.reply(&s.coop.rep, answered.thread.id, "An answer of my own.", None, None).await;
        set_deleted_posts(&app, &s.coop.admin, "remove").await;
        delete_account(&app, &s.coop.worker, PASSWORD).await.assert_status(204);
        assert_gone(&app, &s).await;
        let id = s.coop.worker.id();
        // Their words are gone from every row, revisions and search text included.
        let like = format!("%{}%", s.own_marker);
        assert_eq!(app.count(&format!("SELECT COUNT(*) AS n FROM posts WHERE body LIKE '{like}' OR body_html LIKE '{like}' OR search_body LIKE '{like}'")), 0);
        assert_eq!(app.count(&format!("SELECT COUNT(*) AS n FROM post_revisions r JOIN posts p ON p.id = r.post_id WHERE p.author_id = {id}")), 0);
        assert_eq!(app.count(&format!("SELECT COUNT(*) AS n FROM posts WHERE author_id = {id} AND deleted_at IS NULL AND number > 1")), 0);
        assert_problem(&app.get(&format!("/posts/{}", s.own_reply.id), s.coop.rep.auth()).await, 404, ErrorCode::NotFound);
        assert_problem(&app.get(&format!("/threads/{}", s.own_thread), s.coop.rep.auth()).await, 404, ErrorCode::NotFound);
        // The answered thread keeps its title, a notice, and the answer.
        let thread: Thread = app.get(&format!("/threads/{}", answered.thread.id), s.coop.rep.auth()).await.expect(200);
        assert_eq!(thread.title, "Kept for others");
        let posts: Vec<Post> = app.all(&format!("/threads/{}/posts", answered.thread.id), s.coop.rep.auth()).await;
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[0].author.display_name, FORMER_MEMBER);
        assert!(posts[0].body.contains("removed when its author deleted their account"), "{:?}", posts[0]);
        assert_eq!(posts[1].id, other_reply.id);
        let search = app.get(&format!("/search?q={}", s.own_marker), s.coop.admin.auth()).await;
        assert_eq!(search.value()["items"].as_array().map(Vec::len), Some(0), "{search}");
    }
}
