//! Posts as content: Markdown sanitising, edits with revisions, soft
//! deletion, pinning, locking and moving, likes, and cursor pagination.

use std::collections::BTreeSet;
use std::time::Duration;

use quorum_tests::html::assert_safe_link;
use quorum_tests::{assert_field_error, assert_problem, both_backends, query_value, Account, TestApp};
use quorum_types::{Category, ErrorCode, Like, LikeState, Page, Post, Revision, Thread};
use serde_json::json;

/// Long enough that any store keeps the order of what happens either side.
async fn tick() {
    actix_web::rt::time::sleep(Duration::from_millis(1100)).await;
}

/// Enough for the next timestamp to differ (both stores keep microseconds).
async fn short_tick() {
    actix_web::rt::time::sleep(Duration::from_millis(20)).await;
}

/// Admin, a `general` category anyone signed in reads and posts in, an
/// author, another member and a moderator.
async fn forum(app: &TestApp) -> (Account, Account, Account, Account) {
    let admin = app.admin().await;
    app.create_category(&admin, "general", &["signed-in"], &["signed-in"]).await;
    let author = app.register("author").await;
    let other = app.register("other").await;
    let moderator = app.member(&admin, "moddy", &[quorum_types::GROUP_MODERATORS]).await;
    (admin, author, other, moderator)
}

const HOSTILE: &str = "**bold** and <script>alert('pwned')</script>\n\n\
<img src=\"x.png\" onerror=\"alert(1)\">\n\n\
[click me](javascript:alert(1)) and [shout](JaVaScRiPt:alert(2)) and [our site](https://coop.example/page)\n\n\
<a href=\"javascript:void(0)\" onclick=\"steal()\">raw link</a> <span onmouseover=\"x()\">hover</span>\n\n\
<iframe src=\"https://evil.example/\"></iframe>";

#[track_caller]
fn assert_sanitised(html: &str) {
    let lower = html.to_ascii_lowercase();
    for banned in ["<script", "onerror", "onclick", "onmouseover", "javascript:", "<iframe"] {
        assert!(!lower.contains(banned), "{banned} survived sanitising: {html}");
    }
    assert!(html.contains("<strong>bold</strong>"), "Markdown not rendered: {html}");
    assert_safe_link(html, "https://coop.example/page");
}

fn numbers(posts: &[Post]) -> Vec<i32> {
    posts.iter().map(|p| p.number).collect()
}

both_backends! {
    async fn preview_renders_like_a_post_and_saves_nothing(app: TestApp) {
        let (_admin, author, _other, _moderator) = forum(&app).await;
        let before = app.count("SELECT COUNT(*) AS n FROM posts");
        let preview: quorum_types::Preview =
            app.post("/api/v1/preview", author.auth(), &json!({ "body": HOSTILE })).await.expect(200);
        assert_sanitised(&preview.body_html);
        let created = app.create_thread(&author, "general", "Same HTML", HOSTILE, None).await;
        assert_eq!(preview.body_html, created.post.body_html, "the preview shows what posting shows");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM posts"), before + 1, "only the real post was written");

        let empty: quorum_types::Preview =
            app.post("/api/v1/preview", author.auth(), &json!({ "body": "  " })).await.expect(200);
        assert_eq!(empty.body_html, "");
        assert_problem(&app.post("/api/v1/preview", None, &json!({ "body": "hi" })).await, 401, ErrorCode::Unauthorized);
        let too_long = "x".repeat(200_000);
        assert_field_error(&app.post("/api/v1/preview", author.auth(), &json!({ "body": too_long })).await, "body");
        assert_field_error(&app.post("/api/v1/preview", author.auth(), &json!({ "body": "a\u{0}b" })).await, "body");
    }

    async fn markdown_is_rendered_to_safe_html(app: TestApp) {
        let (_admin, author, other, _moderator) = forum(&app).await;
        let created = app.create_thread(&author, "general", "Careful now", HOSTILE, None).await;
        assert_eq!(created.post.body, HOSTILE, "the Markdown is kept as written");
        assert_sanitised(&created.post.body_html);

        let reply = app.reply(&other, created.thread.id, HOSTILE, None, None).await;
        assert_sanitised(&reply.body_html);
        let fetched: Post = app.get(&format!("/posts/{}", reply.id), author.auth()).await.expect(200);
        assert_sanitised(&fetched.body_html);

        let edited: Post = app
            .patch(&format!("/posts/{}", reply.id), other.auth(), &json!({"body": format!("{HOSTILE}\n\nedited")}))
            .await
            .expect(200);
        assert_sanitised(&edited.body_html);
        let revisions: Page<Revision> = app.page(&format!("/posts/{}/revisions", reply.id), other.auth()).await;
        for revision in &revisions.items {
            assert_sanitised(&revision.body_html);
        }
        let listed: Page<Post> = app.page(&format!("/threads/{}/posts", created.thread.id), other.auth()).await;
        for post in &listed.items {
            assert_sanitised(&post.body_html);
        }
    }

    async fn edits_keep_revisions(app: TestApp) {
        let (admin, author, other, moderator) = forum(&app).await;
        let created = app.create_thread(&author, "general", "Drafts", "Opening.", None).await;
        let post = app.reply(&author, created.thread.id, "first draft", None, None).await;
        assert_eq!(post.edited_at, None);
        let path = format!("/posts/{}", post.id);

        // Never edited: exactly one revision, the current text.
        let unedited: Page<Revision> = app.page(&format!("{path}/revisions"), author.auth()).await;
        assert_eq!(unedited.items.len(), 1, "{unedited:?}");
        assert_eq!((unedited.items[0].number, unedited.items[0].body.as_str()), (1, "first draft"));
        assert_eq!(unedited.items[0].editor.username, "author");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM post_revisions"), 0, "nothing is stored until an edit");

        let second: Post = app.patch(&path, author.auth(), &json!({"body": "second *draft*"})).await.expect(200);
        assert_eq!(second.body, "second *draft*");
        assert!(second.body_html.contains("<em>draft</em>"), "{}", second.body_html);
        assert!(second.edited_at.is_some());
        assert_eq!((second.id, second.number), (post.id, post.number));

        // Someone else who can read it may not edit it; a moderator may.
        let before = app.count("SELECT COUNT(*) AS n FROM post_revisions");
        assert_problem(&app.patch(&path, other.auth(), &json!({"body": "vandalised"})).await, 403, ErrorCode::Forbidden);
        assert_problem(&app.patch(&path, None, &json!({"body": "vandalised"})).await, 401, ErrorCode::Unauthorized);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM post_revisions"), before);
        let third: Post = app.patch(&path, moderator.auth(), &json!({"body": "third draft"})).await.expect(200);
        assert_eq!(third.author.username, "author", "editing does not change the author");

        // The history is for the author, moderators and admins: other readers
        // get 403, and those who cannot read the post at all 404.
        let history = format!("{path}/revisions");
        assert_problem(&app.get(&history, other.auth()).await, 403, ErrorCode::Forbidden);
        assert_problem(&app.get(&history, None).await, 404, ErrorCode::NotFound);
        let revisions: Page<Revision> = app.page(&history, author.auth()).await;
        for who in [&moderator, &admin] {
            let seen: Page<Revision> = app.page(&history, who.auth()).await;
            assert_eq!(seen, revisions, "{} sees the same history as the author", who.username);
        }
        let items = &revisions.items;
        let bodies: Vec<&str> = items.iter().map(|r| r.body.as_str()).collect();
        // Revision 1 is the original; the list holds every earlier text, and may end with the current one.
        assert!(
            bodies == ["first draft", "second *draft*"] || bodies == ["first draft", "second *draft*", "third draft"],
            "revisions: {bodies:?}"
        );
        assert_eq!(items.iter().map(|r| r.number).collect::<Vec<_>>(), (1..=items.len() as i32).collect::<Vec<_>>());
        assert_eq!(items[0].editor.username, "author");
        assert_eq!(items[1].editor.username, "author");
        if let Some(last) = items.get(2) {
            assert_eq!(last.editor.username, "moddy");
        }
        assert!(items.windows(2).all(|w| w[0].created_at <= w[1].created_at));
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) AS n FROM post_revisions WHERE post_id = {}", post.id)),
            items.len() as i64
        );
        let current: Post = app.get(&path, other.auth()).await.expect(200);
        assert_eq!(current.body, "third draft");

        // Length limits, on edit and on create.
        let count_before = app.count("SELECT COUNT(*) AS n FROM post_revisions");
        assert_field_error(&app.patch(&path, author.auth(), &json!({"body": ""})).await, "body");
        assert_field_error(&app.patch(&path, author.auth(), &json!({"body": "x".repeat(100_001)})).await, "body");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM post_revisions"), count_before);
        let reply_path = format!("/threads/{}/posts", created.thread.id);
        assert_field_error(&app.post(&reply_path, author.auth(), &json!({"body": ""})).await, "body");
        assert_field_error(&app.post(&reply_path, author.auth(), &json!({"body": "y".repeat(100_001)})).await, "body");
        let longest: Post = app.post(&reply_path, author.auth(), &json!({"body": "z".repeat(100_000)})).await.expect(201);
        assert_eq!(longest.body.len(), 100_000);
        for (title, ok) in [(String::new(), false), ("t".repeat(201), false), ("t".repeat(200), true)] {
            let resp = app
                .post("/threads", author.auth(), &json!({"category": "general", "title": title, "body": "Body."}))
                .await;
            if ok {
                resp.assert_status(201);
            } else {
                assert_field_error(&resp, "title");
            }
        }
        let empty_body = app.post("/threads", author.auth(), &json!({"category": "general", "title": "T", "body": ""})).await;
        assert_field_error(&empty_body, "body");
        assert_field_error(&app.patch(&format!("/threads/{}", created.thread.id), author.auth(), &json!({"title": ""})).await, "title");
    }

    async fn deleting_is_soft_and_final(app: TestApp) {
        let (admin, author, other, moderator) = forum(&app).await;
        let created = app.create_thread(&author, "general", "Short-lived", "Opening.", None).await;
        let thread_id = created.thread.id;
        let by_other = app.reply(&other, thread_id, "From other.", None, None).await;
        let by_author = app.reply(&author, thread_id, "From author.", None, None).await;
        let answer = app.reply(&other, thread_id, "Answering the author.", Some(by_author.id), None).await;

        // Not yours: refused. Yours: gone.
        let path = format!("/posts/{}", by_author.id);
        assert_problem(&app.delete(&path, other.auth()).await, 403, ErrorCode::Forbidden);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM posts WHERE deleted_at IS NOT NULL"), 0);
        app.delete(&path, author.auth()).await.assert_status(204);
        for who in [&author, &other] {
            assert_problem(&app.get(&path, who.auth()).await, 404, ErrorCode::NotFound);
        }
        assert_problem(&app.delete(&path, author.auth()).await, 404, ErrorCode::NotFound);
        assert_problem(&app.put_empty(&format!("{path}/like"), other.auth()).await, 404, ErrorCode::NotFound);
        assert_problem(&app.patch(&path, author.auth(), &json!({"body": "back"})).await, 404, ErrorCode::NotFound);
        assert_problem(&app.get(&format!("{path}/revisions"), author.auth()).await, 404, ErrorCode::NotFound);
        // Numbers count what is left: no gap where the deleted post was, and
        // the post after it moves down, in the list and by id alike.
        assert_eq!(answer.number, 4);
        let listed: Page<Post> = app.page(&format!("/threads/{thread_id}/posts"), other.auth()).await;
        assert_eq!(numbers(&listed.items), vec![1, 2, 3]);
        assert_eq!(listed.items.iter().map(|p| p.id).collect::<Vec<_>>(), vec![created.post.id, by_other.id, answer.id]);
        let answer_now = listed.items.iter().find(|p| p.id == answer.id).expect("answer listed");
        assert_eq!(answer_now.reply_to, None, "a reply to a deleted post shows no target");
        assert_eq!(answer_now.number, 3);
        for who in [&author, &other, &moderator, &admin] {
            let by_id: Post = app.get(&format!("/posts/{}", answer.id), who.auth()).await.expect(200);
            assert_eq!(by_id.number, 3, "{}: GET /posts/{{id}} after the delete", who.username);
        }
        let thread: Thread = app.get(&format!("/threads/{thread_id}"), other.auth()).await.expect(200);
        assert_eq!(thread.reply_count, 2);
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) AS n FROM posts WHERE id = {} AND deleted_at IS NOT NULL", by_author.id)),
            1,
            "the row stays, marked deleted"
        );

        // The first post goes with its thread, not alone.
        let first = app.delete(&format!("/posts/{}", created.post.id), author.auth()).await;
        assert_eq!(first.status, 422, "{first}");
        assert!(first.content_type.starts_with("application/problem+json"), "{first}");

        // A moderator may delete what they can read.
        app.delete(&format!("/posts/{}", by_other.id), moderator.auth()).await.assert_status(204);

        // Threads: not the other member's to delete; the author's only once
        // no one else has a live reply in it.
        let thread_path = format!("/threads/{thread_id}");
        assert_problem(&app.delete(&thread_path, other.auth()).await, 403, ErrorCode::Forbidden);
        assert_problem(&app.delete(&thread_path, author.auth()).await, 403, ErrorCode::Forbidden);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM threads WHERE deleted_at IS NOT NULL"), 0);
        app.delete(&format!("/posts/{}", answer.id), other.auth()).await.assert_status(204);
        app.delete(&thread_path, author.auth()).await.assert_status(204);
        for who in [&author, &other, &moderator, &admin] {
            assert_problem(&app.get(&thread_path, who.auth()).await, 404, ErrorCode::NotFound);
            assert_problem(&app.get(&format!("{thread_path}/posts"), who.auth()).await, 404, ErrorCode::NotFound);
            assert_problem(&app.get(&format!("/posts/{}", created.post.id), who.auth()).await, 404, ErrorCode::NotFound);
            let threads: Page<Thread> = app.page("/threads", who.auth()).await;
            assert!(threads.items.is_empty(), "{threads:?}");
            let category: Category = app.get("/categories/general", who.auth()).await.expect(200);
            assert_eq!(category.thread_count, 0);
        }
        let reply = app.post(&format!("{thread_path}/posts"), other.auth(), &json!({"body": "Hello?"})).await;
        assert_problem(&reply, 404, ErrorCode::NotFound);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM threads WHERE deleted_at IS NOT NULL"), 1);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM threads"), 1);
        assert_eq!(app.count(&format!("SELECT COUNT(*) AS n FROM posts WHERE thread_id = {thread_id}")), 4);
    }

    async fn locked_threads_freeze_their_authors_not_moderators(app: TestApp) {
        let (admin, author, other, moderator) = forum(&app).await;
        let created = app.create_thread(&author, "general", "Agenda", "Item one.", None).await;
        let thread = format!("/threads/{}", created.thread.id);
        let first = format!("/posts/{}", created.post.id);
        let mine = format!("/posts/{}", app.reply(&author, created.thread.id, "My reply.", None, None).await.id);
        let theirs = format!("/posts/{}", app.reply(&other, created.thread.id, "Their reply.", None, None).await.id);
        app.patch(&thread, moderator.auth(), &json!({"locked": true})).await.assert_status(200);

        let state = || {
            [
                "SELECT COUNT(*) AS n FROM posts WHERE deleted_at IS NOT NULL",
                "SELECT COUNT(*) AS n FROM posts WHERE edited_at IS NOT NULL",
                "SELECT COUNT(*) AS n FROM post_revisions",
                "SELECT COUNT(*) AS n FROM threads WHERE title = 'Agenda'",
            ]
            .map(|sql| app.count(sql))
        };
        let before = state();
        // What each viewer is told it may do matches what the API then allows.
        let flags = |who: &Account| {
            let who = who.clone();
            let (app, thread, mine) = (&app, thread.clone(), mine.clone());
            async move {
                let t: Thread = app.get(&thread, who.auth()).await.expect(200);
                let p: Post = app.get(&mine, who.auth()).await.expect(200);
                (t.can_edit, t.can_moderate, p.can_edit)
            }
        };
        assert_eq!(flags(&author).await, (false, false, false), "the author, while locked");
        assert_eq!(flags(&other).await, (false, false, false), "another member");
        assert_eq!(flags(&moderator).await, (true, true, true), "a moderator");
        // Authors may neither edit nor delete their posts, nor retitle the thread.
        let edit = json!({"body": "Changed my mind."});
        for path in [&first, &mine] {
            assert_problem(&app.patch(path, author.auth(), &edit).await, 422, ErrorCode::ThreadLocked);
        }
        assert_problem(&app.delete(&mine, author.auth()).await, 422, ErrorCode::ThreadLocked);
        assert_problem(&app.patch(&theirs, other.auth(), &edit).await, 422, ErrorCode::ThreadLocked);
        assert_problem(&app.delete(&theirs, other.auth()).await, 422, ErrorCode::ThreadLocked);
        assert_problem(&app.patch(&thread, author.auth(), &json!({"title": "Renamed"})).await, 422, ErrorCode::ThreadLocked);
        // Others' content stays not theirs to touch, locked or not.
        assert_problem(&app.patch(&mine, other.auth(), &edit).await, 403, ErrorCode::Forbidden);
        assert_problem(&app.patch(&thread, other.auth(), &json!({"title": "Renamed"})).await, 403, ErrorCode::Forbidden);
        assert_eq!(state(), before, "refusals in a locked thread changed something");
        let unchanged: Post = app.get(&mine, author.auth()).await.expect(200);
        assert_eq!((unchanged.body.as_str(), unchanged.edited_at), ("My reply.", None));

        // Moderators and admins still can.
        let edited: Post = app.patch(&mine, moderator.auth(), &json!({"body": "Tidied by a moderator."})).await.expect(200);
        assert_eq!(edited.body, "Tidied by a moderator.");
        let renamed: Thread = app.patch(&thread, moderator.auth(), &json!({"title": "Agenda (final)"})).await.expect(200);
        assert_eq!((renamed.title.as_str(), renamed.locked), ("Agenda (final)", true));
        app.patch(&first, admin.auth(), &json!({"body": "Item one, minuted."})).await.assert_status(200);
        app.delete(&theirs, moderator.auth()).await.assert_status(204);
        app.delete(&mine, admin.auth()).await.assert_status(204);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM posts WHERE deleted_at IS NOT NULL"), 2);

        // Unlocked, the author has their rights back.
        app.patch(&thread, moderator.auth(), &json!({"locked": false})).await.assert_status(200);
        let first_post: Post = app.get(&first, author.auth()).await.expect(200);
        let unlocked: Thread = app.get(&thread, author.auth()).await.expect(200);
        assert_eq!((unlocked.can_edit, unlocked.can_moderate, first_post.can_edit), (true, false, true));
        app.patch(&first, author.auth(), &json!({"body": "Item one, amended."})).await.assert_status(200);
        let retitled: Thread = app.patch(&thread, author.auth(), &json!({"title": "Agenda again"})).await.expect(200);
        assert_eq!(retitled.title, "Agenda again");
    }

    async fn thread_deletion_and_activity_order_follow_live_replies(app: TestApp) {
        let (admin, author, other, moderator) = forum(&app).await;
        let order = |page: &Page<Thread>| page.items.iter().map(|t| t.id).collect::<Vec<_>>();
        let older = app.create_thread(&author, "general", "Older", "One.", None).await;
        short_tick().await;
        let own_reply = app.reply(&author, older.thread.id, "Bumped by its author.", None, None).await;
        short_tick().await;
        let newer = app.create_thread(&author, "general", "Newer", "Two.", None).await.thread;
        let listed: Page<Thread> = app.page("/threads", other.auth()).await;
        assert_eq!(order(&listed), vec![newer.id, older.thread.id]);

        // Another member's reply bumps the older thread to the top …
        short_tick().await;
        let answer = app.reply(&other, older.thread.id, "Bumped by someone else.", None, None).await;
        let listed: Page<Thread> = app.page("/threads", other.auth()).await;
        assert_eq!(order(&listed), vec![older.thread.id, newer.id]);
        let older_path = format!("/threads/{}", older.thread.id);
        // A later reply for a group only never moved the thread, and does not count below.
        app.create_group(&admin, "crew").await;
        app.add_member(&admin, "crew", "other").await;
        short_tick().await;
        let aside = app.reply(&other, older.thread.id, "Crew only.", None, Some(&["crew"])).await;

        // … and while it is there the author may not delete the thread.
        assert_problem(&app.delete(&older_path, author.auth()).await, 403, ErrorCode::Forbidden);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM threads WHERE deleted_at IS NOT NULL"), 0);

        // Deleting that reply puts the thread back where its newest remaining
        // unrestricted post has it: below the newer thread, at its author's
        // own reply (the crew-only reply is newer, but never bumps).
        app.delete(&format!("/posts/{}", answer.id), other.auth()).await.assert_status(204);
        for (who, reads_aside) in [(&author, false), (&other, true), (&moderator, false), (&admin, true)] {
            let listed: Page<Thread> = app.page("/threads", who.auth()).await;
            assert_eq!(order(&listed), vec![newer.id, older.thread.id], "{}: order after the delete", who.username);
            let in_category: Page<Thread> = app.page("/threads?category=general", who.auth()).await;
            assert_eq!(order(&in_category), vec![newer.id, older.thread.id], "{}", who.username);
            let (last, replies) = if reads_aside { (aside.created_at, 2) } else { (own_reply.created_at, 1) };
            assert_eq!(listed.items[1].last_activity_at, last, "{}", who.username);
            assert_eq!(listed.items[1].reply_count, replies, "{}", who.username);
        }

        // Only the author's own reply is left live: now they may delete it.
        app.delete(&format!("/posts/{}", aside.id), other.auth()).await.assert_status(204);
        let listed: Page<Thread> = app.page("/threads", other.auth()).await;
        assert_eq!(order(&listed), vec![newer.id, older.thread.id]);
        app.delete(&older_path, author.auth()).await.assert_status(204);
        assert_problem(&app.get(&older_path, author.auth()).await, 404, ErrorCode::NotFound);

        // Moderators and admins may delete threads others have replied to.
        let newer_path = format!("/threads/{}", newer.id);
        app.reply(&other, newer.id, "A reply.", None, None).await;
        assert_problem(&app.delete(&newer_path, author.auth()).await, 403, ErrorCode::Forbidden);
        app.delete(&newer_path, moderator.auth()).await.assert_status(204);
        let third = app.create_thread(&author, "general", "Third", "Three.", None).await.thread;
        app.reply(&moderator, third.id, "A moderator's reply.", None, None).await;
        app.delete(&format!("/threads/{}", third.id), admin.auth()).await.assert_status(204);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM threads WHERE deleted_at IS NOT NULL"), 3);
        let listed: Page<Thread> = app.page("/threads", admin.auth()).await;
        assert!(listed.items.is_empty(), "{listed:?}");
    }

    async fn pinning_locking_and_moving(app: TestApp) {
        let (admin, author, other, moderator) = forum(&app).await;
        app.create_category(&admin, "archive", &["signed-in"], &["signed-in"]).await;
        let first = app.create_thread(&author, "general", "First", "One.", None).await.thread;
        tick().await;
        let second = app.create_thread(&other, "general", "Second", "Two.", None).await.thread;
        tick().await;
        let third = app.create_thread(&author, "general", "Third", "Three.", None).await.thread;
        let order = |page: &Page<Thread>| page.items.iter().map(|t| t.id).collect::<Vec<_>>();

        let listed: Page<Thread> = app.page("/threads?category=general", author.auth()).await;
        assert_eq!(order(&listed), vec![third.id, second.id, first.id], "newest activity first");

        // Pinning is for moderators.
        let pin = json!({"pinned": true});
        assert_problem(&app.patch(&format!("/threads/{}", first.id), author.auth(), &pin).await, 403, ErrorCode::Forbidden);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM threads WHERE pinned"), 0);
        let pinned: Thread = app.patch(&format!("/threads/{}", first.id), moderator.auth(), &pin).await.expect(200);
        assert!(pinned.pinned);
        let listed: Page<Thread> = app.page("/threads?category=general", other.auth()).await;
        assert_eq!(order(&listed), vec![first.id, third.id, second.id], "pinned first");

        // A reply moves a thread up (below the pinned one).
        tick().await;
        app.reply(&author, second.id, "Bump.", None, None).await;
        let listed: Page<Thread> = app.page("/threads?category=general", other.auth()).await;
        assert_eq!(order(&listed), vec![first.id, second.id, third.id]);
        let all: Page<Thread> = app.page("/threads", other.auth()).await;
        assert_eq!(order(&all), vec![first.id, second.id, third.id]);

        // Titles: the author may change theirs; locking is for moderators.
        let renamed: Thread = app
            .patch(&format!("/threads/{}", second.id), other.auth(), &json!({"title": "Second, renamed"}))
            .await
            .expect(200);
        assert_eq!(renamed.title, "Second, renamed");
        let lock = json!({"locked": true});
        assert_problem(&app.patch(&format!("/threads/{}", second.id), other.auth(), &lock).await, 403, ErrorCode::Forbidden);
        assert_problem(
            &app.patch(&format!("/threads/{}", second.id), author.auth(), &json!({"title": "Not mine"})).await,
            403,
            ErrorCode::Forbidden,
        );
        let locked: Thread = app.patch(&format!("/threads/{}", second.id), moderator.auth(), &lock).await.expect(200);
        assert!(locked.locked);

        let posts_before = app.count("SELECT COUNT(*) AS n FROM posts");
        let refused = app.post(&format!("/threads/{}/posts", second.id), other.auth(), &json!({"body": "Wait!"})).await;
        assert_problem(&refused, 422, ErrorCode::ThreadLocked);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM posts"), posts_before);
        let seen: Thread = app.get(&format!("/threads/{}", second.id), other.auth()).await.expect(200);
        assert!(seen.locked && !seen.can_reply, "{seen:?}");
        let seen: Thread = app.get(&format!("/threads/{}", second.id), moderator.auth()).await.expect(200);
        assert!(seen.can_reply, "moderators still reply in locked threads: {seen:?}");
        app.reply(&moderator, second.id, "Locked while we tidy up.", None, None).await;
        app.reply(&admin, second.id, "Noted.", None, None).await;

        let unlocked: Thread = app
            .patch(&format!("/threads/{}", second.id), moderator.auth(), &json!({"locked": false}))
            .await
            .expect(200);
        assert!(!unlocked.locked);
        app.reply(&other, second.id, "Thanks.", None, None).await;

        // Moving is for moderators.
        let to_archive = json!({"category": "archive"});
        assert_problem(&app.patch(&format!("/threads/{}", third.id), author.auth(), &to_archive).await, 403, ErrorCode::Forbidden);
        let moved: Thread = app.patch(&format!("/threads/{}", third.id), moderator.auth(), &to_archive).await.expect(200);
        assert_eq!(moved.category, "archive");
        let archive: Page<Thread> = app.page("/threads?category=archive", author.auth()).await;
        assert_eq!(order(&archive), vec![third.id]);
        let general: Category = app.get("/categories/general", author.auth()).await.expect(200);
        assert_eq!(general.thread_count, 2);
        let nowhere = app.patch(&format!("/threads/{}", third.id), moderator.auth(), &json!({"category": "no-such-place"})).await;
        assert!(nowhere.status == 404 || nowhere.status == 422, "{nowhere}");
        let moved: Thread = app.get(&format!("/threads/{}", third.id), author.auth()).await.expect(200);
        assert_eq!(moved.category, "archive");
    }

    async fn likes_are_idempotent_and_not_for_yourself(app: TestApp) {
        let (_admin, author, other, moderator) = forum(&app).await;
        let created = app.create_thread(&author, "general", "Likeable", "Like me.", None).await;
        let post = created.post;
        let like = format!("/posts/{}/like", post.id);

        for _ in 0..2 {
            let state: LikeState = app.put_empty(&like, other.auth()).await.expect(200);
            assert_eq!(state, LikeState { post_id: post.id, like_count: 1, liked_by_me: true });
        }
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM likes"), 1);
        assert_eq!(app.count(&format!("SELECT CAST(like_count AS BIGINT) AS n FROM posts WHERE id = {}", post.id)), 1);

        assert_problem(&app.put_empty(&like, author.auth()).await, 422, ErrorCode::CannotLikeOwnPost);
        assert_problem(&app.put_empty(&like, None).await, 401, ErrorCode::Unauthorized);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM likes"), 1);

        let state: LikeState = app.put_empty(&like, moderator.auth()).await.expect(200);
        assert_eq!(state.like_count, 2);
        let likes: Page<Like> = app.page(&format!("/posts/{}/likes", post.id), author.auth()).await;
        let likers: BTreeSet<String> = likes.items.iter().map(|l| l.user.username.clone()).collect();
        assert_eq!(likers, BTreeSet::from(["other".to_owned(), "moddy".to_owned()]));

        let as_author: Post = app.get(&format!("/posts/{}", post.id), author.auth()).await.expect(200);
        assert_eq!((as_author.like_count, as_author.liked_by_me), (2, false));
        let listed: Page<Post> = app.page(&format!("/threads/{}/posts", created.thread.id), other.auth()).await;
        assert_eq!((listed.items[0].like_count, listed.items[0].liked_by_me), (2, true));

        for _ in 0..2 {
            let state: LikeState = app.delete(&like, other.auth()).await.expect(200);
            assert_eq!(state, LikeState { post_id: post.id, like_count: 1, liked_by_me: false });
        }
        let state: LikeState = app.delete(&like, author.auth()).await.expect(200);
        assert_eq!(state, LikeState { post_id: post.id, like_count: 1, liked_by_me: false }, "never liked: no change");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM likes"), 1);
        assert_eq!(app.count(&format!("SELECT CAST(like_count AS BIGINT) AS n FROM posts WHERE id = {}", post.id)), 1);

        assert_problem(&app.put_empty("/posts/987654321/like", other.auth()).await, 404, ErrorCode::NotFound);
        assert_problem(&app.get("/posts/987654321/likes", other.auth()).await, 404, ErrorCode::NotFound);
    }

    async fn posts_paginate_by_cursor(app: TestApp) {
        let (admin, author, other, _moderator) = forum(&app).await;
        let created = app.create_thread(&author, "general", "Long thread", "Post 1.", None).await;
        let thread_id = created.thread.id;
        for n in 2..=45 {
            let who = if n % 2 == 0 { &other } else { &author };
            app.reply(who, thread_id, &format!("Post {n}."), None, None).await;
        }
        let base = format!("/threads/{thread_id}/posts");

        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = Vec::new();
        loop {
            let url = match &cursor {
                Some(c) => format!("{base}?limit=20&cursor={}", query_value(c)),
                None => format!("{base}?limit=20"),
            };
            let page: Page<Post> = app.page(&url, other.auth()).await;
            pages.push(page.items.len());
            seen.extend(numbers(&page.items));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
            assert!(pages.len() < 10, "next_cursor never ends");
        }
        assert_eq!(pages, vec![20, 20, 5]);
        assert_eq!(seen, (1..=45).collect::<Vec<_>>(), "every post once, in order");

        let default: Page<Post> = app.page(&base, other.auth()).await;
        assert_eq!(default.items.len(), 20, "default limit");
        assert!(default.next_cursor.is_some());
        let everything: Page<Post> = app.page(&format!("{base}?limit=100"), other.auth()).await;
        assert_eq!(numbers(&everything.items), (1..=45).collect::<Vec<_>>());
        assert_eq!(everything.next_cursor, None);

        // A cursor carries on the same way however often it is used.
        let first: Page<Post> = app.page(&format!("{base}?limit=20"), other.auth()).await;
        let cursor = first.next_cursor.expect("a second page");
        let again: Page<Post> = app.page(&format!("{base}?limit=20&cursor={}", query_value(&cursor)), other.auth()).await;
        let and_again: Page<Post> = app.page(&format!("{base}?limit=20&cursor={}", query_value(&cursor)), other.auth()).await;
        assert_eq!(again, and_again);
        assert_eq!(again.items[0].number, 21);

        // Every list refuses a bad limit or cursor the same way; collect all
        // departures before failing, so one report names every list.
        let mut wrong = Vec::new();
        for list in [base.as_str(), "/threads", "/categories", "/groups", "/groups/moderators/members", "/posts/1/likes", "/posts/1/revisions"] {
            for (query, code) in [
                ("limit=0", ErrorCode::BadRequest),
                ("limit=101", ErrorCode::BadRequest),
                ("limit=-1", ErrorCode::BadRequest),
                ("limit=many", ErrorCode::BadRequest),
                ("cursor=garbage", ErrorCode::InvalidCursor),
                ("cursor=AAAA", ErrorCode::InvalidCursor),
                ("cursor=%20", ErrorCode::InvalidCursor),
                ("cursor=!!!", ErrorCode::InvalidCursor),
            ] {
                let token = if list.starts_with("/groups/") { admin.auth() } else { other.auth() };
                let resp = app.get(&format!("{list}?{query}"), token).await;
                let ok = resp.status == code.status()
                    && resp.content_type.starts_with("application/problem+json")
                    && resp.problem().code == code;
                if !ok {
                    wrong.push(format!("expected {} {}: {resp}", code.status(), code.as_str()));
                }
            }
        }
        assert!(wrong.is_empty(), "{} lists mishandle limit/cursor:\n{}", wrong.len(), wrong.join("\n"));
        app.page::<Post>(&format!("{base}?limit=1"), other.auth()).await;
        app.page::<Post>(&format!("{base}?limit=100"), other.auth()).await;
    }

    async fn threads_paginate_by_cursor(app: TestApp) {
        let (_admin, author, _other, _moderator) = forum(&app).await;
        for n in 0..5 {
            app.create_thread(&author, "general", &format!("Thread {n}"), "Body.", None).await;
        }
        let whole: Page<Thread> = app.page("/threads?limit=100", author.auth()).await;
        assert_eq!(whole.items.len(), 5);
        let paged: Vec<Thread> = app.all("/threads?limit=2", author.auth()).await;
        assert_eq!(
            paged.iter().map(|t| t.id).collect::<Vec<_>>(),
            whole.items.iter().map(|t| t.id).collect::<Vec<_>>(),
            "pages of 2 concatenate to the whole list"
        );
        let in_category: Vec<Thread> = app.all("/threads?category=general&limit=2", author.auth()).await;
        assert_eq!(in_category.len(), 5);
        let first: Page<Thread> = app.page("/threads?limit=5", author.auth()).await;
        assert_eq!(first.items.len(), 5);
        if let Some(cursor) = first.next_cursor {
            let rest: Page<Thread> = app.page(&format!("/threads?limit=5&cursor={}", query_value(&cursor)), author.auth()).await;
            assert!(rest.items.is_empty() && rest.next_cursor.is_none(), "{rest:?}");
        }
    }
}
