//! What admins manage over HTTP: groups, memberships and categories; and the
//! audience rules every thread and post must respect.

use std::collections::BTreeSet;

use quorum_tests::world::{BOARD, ENTERPRISE, PARTICIPANTS, WORKERS};
use quorum_tests::{assert_field_error, assert_problem, both_backends, Account, Coop, TestApp};
use quorum_types::{Category, CreatedThread, ErrorCode, Group, Page, Post, Thread, UserSummary};
use serde_json::json;

both_backends! {
    async fn groups_are_managed_by_admins(app: TestApp) {
        let admin = app.admin().await;
        let member = app.register("member").await;

        assert_problem(&app.get("/groups", None).await, 401, ErrorCode::Unauthorized);
        let groups: Page<Group> = app.page("/groups", member.auth()).await;
        let builtin: BTreeSet<&str> = groups.items.iter().filter(|g| g.builtin).map(|g| g.slug.as_str()).collect();
        assert_eq!(builtin, BTreeSet::from(["admins", "moderators"]));
        let admins = groups.items.iter().find(|g| g.slug == "admins").expect("admins listed");
        assert_eq!(admins.member_count, 1);

        let count = || app.count("SELECT COUNT(*) AS n FROM groups");
        let before = count();
        let new_group = json!({"slug": "gardeners", "name": "Gardeners", "description": "Grow things"});
        assert_problem(&app.post("/groups", None, &new_group).await, 401, ErrorCode::Unauthorized);
        assert_problem(&app.post("/groups", member.auth(), &new_group).await, 403, ErrorCode::Forbidden);
        assert_eq!(count(), before);

        let group: Group = app.post("/groups", admin.auth(), &new_group).await.expect(201);
        assert_eq!(
            group,
            Group {
                slug: "gardeners".into(),
                name: "Gardeners".into(),
                description: "Grow things".into(),
                builtin: false,
                member_count: 0
            }
        );
        assert_problem(&app.post("/groups", admin.auth(), &new_group).await, 409, ErrorCode::Conflict);
        let builtin_again = json!({"slug": "admins", "name": "Second admins"});
        assert_problem(&app.post("/groups", admin.auth(), &builtin_again).await, 409, ErrorCode::Conflict);
        for slug in ["everyone", "signed-in", "Gardeners!", "a", "with space", &"g".repeat(33)] {
            let resp = app.post("/groups", admin.auth(), &json!({"slug": slug, "name": "X"})).await;
            assert_field_error(&resp, "slug");
        }
        assert_eq!(count(), before + 1);

        // Renaming.
        let renamed: Group = app
            .patch("/groups/gardeners", admin.auth(), &json!({"name": "Growers", "description": "Still growing"}))
            .await
            .expect(200);
        assert_eq!((renamed.name.as_str(), renamed.description.as_str()), ("Growers", "Still growing"));
        assert_problem(&app.patch("/groups/gardeners", member.auth(), &json!({"name": "Mine"})).await, 403, ErrorCode::Forbidden);
        assert_problem(&app.patch("/groups/no-such-group", admin.auth(), &json!({"name": "X"})).await, 404, ErrorCode::NotFound);
        for builtin in ["admins", "moderators"] {
            let path = format!("/groups/{builtin}");
            assert_problem(&app.patch(&path, admin.auth(), &json!({"name": "Renamed"})).await, 409, ErrorCode::BuiltinGroup);
            assert_problem(&app.delete(&path, admin.auth()).await, 409, ErrorCode::BuiltinGroup);
        }

        // Memberships are idempotent both ways.
        let members_path = "/groups/gardeners/members";
        for _ in 0..2 {
            app.put_empty(&format!("{members_path}/member"), admin.auth()).await.assert_status(204);
        }
        let members: Page<UserSummary> = app.page(members_path, admin.auth()).await;
        assert_eq!(members.items.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), vec!["member"]);
        let groups: Page<Group> = app.page("/groups", member.auth()).await;
        assert_eq!(groups.items.iter().find(|g| g.slug == "gardeners").map(|g| g.member_count), Some(1));
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM group_members"), 2, "the admin in admins, member in gardeners");
        assert_problem(&app.get(members_path, member.auth()).await, 403, ErrorCode::Forbidden);
        assert_problem(&app.get(members_path, None).await, 401, ErrorCode::Unauthorized);
        assert_problem(&app.put_empty(&format!("{members_path}/member"), member.auth()).await, 403, ErrorCode::Forbidden);
        assert_problem(&app.put_empty(&format!("{members_path}/nobody"), admin.auth()).await, 404, ErrorCode::NotFound);
        assert_problem(&app.put_empty("/groups/no-such-group/members/member", admin.auth()).await, 404, ErrorCode::NotFound);
        for _ in 0..2 {
            app.delete(&format!("{members_path}/member"), admin.auth()).await.assert_status(204);
        }
        let members: Page<UserSummary> = app.page(members_path, admin.auth()).await;
        assert!(members.items.is_empty());
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM group_members"), 1);

        // Deleting.
        assert_problem(&app.delete("/groups/gardeners", member.auth()).await, 403, ErrorCode::Forbidden);
        app.delete("/groups/gardeners", admin.auth()).await.assert_status(204);
        let groups: Page<Group> = app.page("/groups", admin.auth()).await;
        assert!(groups.items.iter().all(|g| g.slug != "gardeners"));
        assert_eq!(count(), before);
        assert_problem(&app.delete("/groups/gardeners", admin.auth()).await, 404, ErrorCode::NotFound);
    }

    async fn categories_are_managed_by_admins(app: TestApp) {
        let coop = Coop::create(&app).await;
        let (admin, member) = (&coop.admin, &coop.participant);
        let count = || app.count("SELECT COUNT(*) AS n FROM categories");

        let minimal = json!({"slug": "notices", "name": "Notices"});
        assert_problem(&app.post("/categories", None, &minimal).await, 401, ErrorCode::Unauthorized);
        assert_problem(&app.post("/categories", member.auth(), &minimal).await, 403, ErrorCode::Forbidden);
        assert_eq!(count(), 0);

        let notices: Category = app.post("/categories", admin.auth(), &minimal).await.expect(201);
        assert_eq!(notices.audience, vec!["everyone".to_owned()], "default audience");
        assert_eq!(notices.posters, vec!["signed-in".to_owned()], "default posters");
        assert_eq!((notices.thread_count, notices.last_activity_at), (0, None));
        let anon_view: Category = app.get("/categories/notices", None).await.expect(200);
        assert!(!anon_view.can_post);
        assert_problem(&app.post("/categories", admin.auth(), &minimal).await, 409, ErrorCode::Conflict);

        for (body, field) in [
            (json!({"slug": "x", "name": "Too short a slug"}), "slug"),
            (json!({"slug": "Has Caps", "name": "Bad slug"}), "slug"),
            (json!({"slug": "ok-slug", "name": ""}), "name"),
            (json!({"slug": "ok-slug", "name": "Unknown group", "audience": ["no-such-group"]}), "audience"),
            (json!({"slug": "ok-slug", "name": "Unknown group", "audience": [BOARD, "no-such-group"]}), "audience"),
            (json!({"slug": "ok-slug", "name": "Unknown poster", "posters": ["no-such-group"]}), "posters"),
        ] {
            assert_field_error(&app.post("/categories", admin.auth(), &body).await, field);
        }
        assert_eq!(count(), 1);

        let board_only = app.create_category(admin, "boardroom", &[BOARD], &[BOARD]).await;
        assert_eq!(board_only.audience, vec![BOARD.to_owned()]);

        // Updating.
        let updated: Category = app
            .patch("/categories/notices", admin.auth(), &json!({"name": "Announcements", "position": 5}))
            .await
            .expect(200);
        assert_eq!((updated.name.as_str(), updated.position), ("Announcements", 5));
        assert_problem(&app.patch("/categories/notices", member.auth(), &json!({"name": "Mine"})).await, 403, ErrorCode::Forbidden);
        // A category the member cannot read does not exist for them, even to change it.
        assert_problem(&app.patch("/categories/boardroom", member.auth(), &json!({"name": "Mine"})).await, 404, ErrorCode::NotFound);
        assert_problem(&app.delete("/categories/boardroom", member.auth()).await, 404, ErrorCode::NotFound);
        assert_field_error(&app.patch("/categories/notices", admin.auth(), &json!({"audience": ["no-such-group"]})).await, "audience");

        // Widening the audience applies at once.
        assert_problem(&app.get("/categories/boardroom", member.auth()).await, 404, ErrorCode::NotFound);
        app.patch("/categories/boardroom", admin.auth(), &json!({"audience": ["signed-in"]})).await.assert_status(200);
        app.get("/categories/boardroom", member.auth()).await.assert_status(200);

        // Deleting: only when empty.
        app.create_thread(admin, "notices", "First notice", "Hello.", None).await;
        assert_problem(&app.delete("/categories/notices", admin.auth()).await, 409, ErrorCode::CategoryNotEmpty);
        assert_problem(&app.delete("/categories/boardroom", member.auth()).await, 403, ErrorCode::Forbidden);
        app.delete("/categories/boardroom", admin.auth()).await.assert_status(204);
        assert_problem(&app.get("/categories/boardroom", admin.auth()).await, 404, ErrorCode::NotFound);
        assert_eq!(count(), 1);
        let listed: Page<Category> = app.page("/categories", admin.auth()).await;
        assert_eq!(listed.items.iter().map(|c| c.slug.as_str()).collect::<Vec<_>>(), vec!["notices"]);
    }

    async fn moves_and_audience_changes_keep_every_level_narrowing(app: TestApp) {
        let app = &app;
        let coop = Coop::create(app).await;
        let (admin, rep, moderator) = (&coop.admin, &coop.rep, &coop.moderator);
        app.create_category(admin, "open", &["signed-in"], &["signed-in"]).await;
        app.create_category(admin, "public", &["everyone"], &["signed-in"]).await;
        app.create_category(admin, "members", &[ENTERPRISE, WORKERS], &[ENTERPRISE, WORKERS]).await;
        app.create_category(admin, "workers-room", &[WORKERS], &[WORKERS]).await;
        app.create_category(admin, "common-room", &[PARTICIPANTS], &["signed-in"]).await;
        let category_of = |id: i64| async move {
            let thread: Thread = app.get(&format!("/threads/{id}"), admin.auth()).await.expect(200);
            thread.category
        };

        // Moving a thread: its own audience must fit the new category …
        let board = app.create_thread(rep, "open", "Board corner", "Text.", Some(&[BOARD])).await.thread.id;
        let to = |slug: &str| json!({"category": slug});
        for slug in ["members", "workers-room"] {
            assert_field_error(&app.patch(&format!("/threads/{board}"), admin.auth(), &to(slug)).await, "category");
        }
        assert_eq!(category_of(board).await, "open");
        for slug in ["public", "open"] {
            let moved: Thread = app.patch(&format!("/threads/{board}"), admin.auth(), &to(slug)).await.expect(200);
            assert_eq!(moved.category, slug, "under everyone or signed-in any group fits");
        }
        let workers = app.create_thread(rep, "open", "Rota", "Text.", Some(&[WORKERS])).await.thread.id;
        app.reply(rep, workers, "Workers again.", None, Some(&[WORKERS])).await;
        for slug in ["members", "workers-room"] {
            let moved: Thread = app.patch(&format!("/threads/{workers}"), admin.auth(), &to(slug)).await.expect(200);
            assert_eq!(moved.category, slug);
        }

        // … and without one, so must every live post audience in it that
        // the mover can read; what they cannot read stays behind, so the
        // answer never tells them it exists.
        let mixed = app.create_thread(rep, "open", "Open with asides", "Text.", None).await.thread.id;
        app.reply(rep, mixed, "For everyone.", None, None).await;
        let aside = app.reply(rep, mixed, "For the board.", None, Some(&[BOARD])).await;
        assert_field_error(&app.patch(&format!("/threads/{mixed}"), admin.auth(), &to("members")).await, "category");
        assert_eq!(category_of(mixed).await, "open");
        let moved: Thread = app.patch(&format!("/threads/{mixed}"), moderator.auth(), &to("common-room")).await.expect(200);
        assert_eq!(moved.category, "common-room");
        let kept: Post = app.get(&format!("/posts/{}", aside.id), rep.auth()).await.expect(200);
        assert_ne!(kept.thread_id, mixed);
        assert_eq!(category_of(kept.thread_id).await, "open", "the aside stays where it was written");

        let later = app.create_thread(rep, "open", "Open again", "Text.", None).await.thread.id;
        let aside = app.reply(rep, later, "For the board.", None, Some(&[BOARD])).await;
        app.delete(&format!("/posts/{}", aside.id), admin.auth()).await.assert_status(204);
        let moved: Thread = app.patch(&format!("/threads/{later}"), admin.auth(), &to("members")).await.expect(200);
        assert_eq!(moved.category, "members", "a deleted post does not hold a thread back");

        // Changing a category's audience: every thread audience in it, and
        // every post audience in threads without one, must still fit.
        let audience_of = || async {
            let category: Category = app.get("/categories/members", admin.auth()).await.expect(200);
            category.audience
        };
        let original = vec![ENTERPRISE.to_owned(), WORKERS.to_owned()];
        app.create_thread(rep, "members", "Shift swaps", "Text.", Some(&[WORKERS])).await;
        let open_in_members = app.create_thread(rep, "members", "Members all", "Text.", None).await.thread.id;
        let enterprise_note = app.reply(rep, open_in_members, "Enterprise only.", None, Some(&[ENTERPRISE])).await;
        let gone = app.create_thread(rep, "members", "Enterprise corner", "Text.", Some(&[ENTERPRISE])).await.thread.id;
        app.delete(&format!("/threads/{gone}"), admin.auth()).await.assert_status(204);
        let audience = |names: &[&str]| json!({"audience": names});
        for names in [&[ENTERPRISE][..], &[WORKERS], &[BOARD]] {
            let resp = app.patch("/categories/members", admin.auth(), &audience(names)).await;
            assert_field_error(&resp, "audience");
            assert_eq!(audience_of().await, original, "a refused change leaves the audience as it was");
        }
        for names in [&[ENTERPRISE, WORKERS, BOARD][..], &["signed-in"], &["everyone"], &[ENTERPRISE, WORKERS]] {
            let updated: Category = app.patch("/categories/members", admin.auth(), &audience(names)).await.expect(200);
            let mut expected: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
            expected.sort();
            let mut got = updated.audience.clone();
            got.sort();
            assert_eq!(got, expected);
        }
        // Without the enterprise-only post (and with the enterprise thread
        // deleted), workers alone will do.
        app.delete(&format!("/posts/{}", enterprise_note.id), admin.auth()).await.assert_status(204);
        let updated: Category = app.patch("/categories/members", admin.auth(), &audience(&[WORKERS])).await.expect(200);
        assert_eq!(updated.audience, vec![WORKERS.to_owned()]);
    }

    async fn deleting_a_category_takes_its_deleted_threads_with_it(app: TestApp) {
        let admin = app.admin().await;
        let author = app.register("author").await;
        let other = app.register("other").await;
        let moderator = app.member(&admin, "moddy", &[quorum_types::GROUP_MODERATORS]).await;
        app.create_category(&admin, "temp", &["signed-in"], &["signed-in"]).await;
        app.create_category(&admin, "keep", &["signed-in"], &["signed-in"]).await;

        // Content with every kind of dependent row, in both categories.
        let mut content = Vec::new();
        for category in ["temp", "keep"] {
            let first = app.create_thread(&author, category, "Busy", "Opening.", None).await;
            let reply = app.reply(&other, first.thread.id, "Reply.", None, None).await;
            app.patch(&format!("/posts/{}", reply.id), other.auth(), &json!({"body": "Reply, edited."}))
                .await
                .assert_status(200);
            app.put_empty(&format!("/posts/{}/like", reply.id), author.auth()).await.assert_status(200);
            app.put_empty(&format!("/posts/{}/like", first.post.id), other.auth()).await.assert_status(200);
            let quiet = app.create_thread(&author, category, "Quiet", "Nobody answered.", None).await;
            content.push((first.thread.id, quiet.thread.id));
        }
        let (busy, quiet) = content[0];
        let rows = |threads: &str| {
            let posts = format!("SELECT id FROM posts WHERE thread_id IN ({threads})");
            [
                app.count(&format!("SELECT COUNT(*) AS n FROM threads WHERE id IN ({threads})")),
                app.count(&format!("SELECT COUNT(*) AS n FROM posts WHERE thread_id IN ({threads})")),
                app.count(&format!("SELECT COUNT(*) AS n FROM post_revisions WHERE post_id IN ({posts})")),
                app.count(&format!("SELECT COUNT(*) AS n FROM likes WHERE post_id IN ({posts})")),
            ]
        };
        let temp_threads = format!("{busy}, {quiet}");
        let keep_threads = format!("{}, {}", content[1].0, content[1].1);
        assert_eq!(rows(&temp_threads), [2, 3, 2, 2]);
        let kept = rows(&keep_threads);
        assert_eq!(kept, [2, 3, 2, 2]);

        // Live threads hold the category, however many are deleted.
        assert_problem(&app.delete("/categories/temp", admin.auth()).await, 409, ErrorCode::CategoryNotEmpty);
        app.delete(&format!("/threads/{busy}"), moderator.auth()).await.assert_status(204);
        assert_problem(&app.delete("/categories/temp", admin.auth()).await, 409, ErrorCode::CategoryNotEmpty);
        assert_eq!(rows(&temp_threads), [2, 3, 2, 2], "a refused delete removes nothing");
        app.delete(&format!("/threads/{quiet}"), author.auth()).await.assert_status(204);
        let category: Category = app.get("/categories/temp", admin.auth()).await.expect(200);
        assert_eq!(category.thread_count, 0);

        // Only deleted threads left: the category goes, and they go with it.
        app.delete("/categories/temp", admin.auth()).await.assert_status(204);
        assert_problem(&app.get("/categories/temp", admin.auth()).await, 404, ErrorCode::NotFound);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM categories WHERE slug = 'temp'"), 0);
        assert_eq!(rows(&temp_threads), [0, 0, 0, 0], "the deleted threads' rows are gone");
        assert_eq!(rows(&keep_threads), kept, "another category's content is untouched");
        let listed: Page<Category> = app.page("/categories", admin.auth()).await;
        assert_eq!(listed.items.iter().map(|c| c.slug.as_str()).collect::<Vec<_>>(), vec!["keep"]);

        // The slug is free again, for an empty category.
        let again = app.create_category(&admin, "temp", &["signed-in"], &["signed-in"]).await;
        assert_eq!(again.thread_count, 0);
        let threads: Page<Thread> = app.page("/threads?category=temp", admin.auth()).await;
        assert!(threads.items.is_empty(), "{threads:?}");
    }

    async fn a_member_can_start_a_thread_for_a_group_never_used_as_an_audience(app: TestApp) {
        let admin = app.admin().await;
        app.create_group(&admin, WORKERS).await;
        let worker = app.member(&admin, "wren", &[WORKERS]).await;
        app.create_category(&admin, "open", &["signed-in"], &["signed-in"]).await;

        // No category, thread or post has used [worker-members] before.
        let body = json!({"category": "open", "title": "Rota", "body": "Shifts.", "audience": [WORKERS]});
        let created: CreatedThread = app.post("/threads", worker.auth(), &body).await.expect(201);
        assert_eq!(created.thread.audience, Some(vec![WORKERS.to_owned()]));
        app.get(&format!("/threads/{}", created.thread.id), worker.auth()).await.assert_status(200);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM threads"), 1);
    }

    async fn audiences_only_narrow(app: TestApp) {
        let coop = Coop::create(&app).await;
        let (admin, rep) = (&coop.admin, &coop.rep);
        app.create_category(admin, "members", &[ENTERPRISE, WORKERS], &[ENTERPRISE, WORKERS]).await;
        app.create_category(admin, "open", &["signed-in"], &["signed-in"]).await;
        let threads = || app.count("SELECT COUNT(*) AS n FROM threads");
        let posts = || app.count("SELECT COUNT(*) AS n FROM posts");

        // Thread audiences stay inside a group-restricted category's groups.
        for audience in [vec![BOARD], vec![WORKERS, BOARD], vec!["no-such-group"]] {
            let body = json!({"category": "members", "title": "Narrow", "body": "Text.", "audience": audience});
            assert_field_error(&app.post("/threads", rep.auth(), &body).await, "audience");
        }
        assert_eq!((threads(), posts()), (0, 0));
        let workers_only: CreatedThread = app
            .post("/threads", rep.auth(), &json!({"category": "members", "title": "Shifts", "body": "Text.", "audience": [WORKERS]}))
            .await
            .expect(201);
        assert_eq!(workers_only.thread.audience, Some(vec![WORKERS.to_owned()]));
        let thread_id = workers_only.thread.id;

        // Post audiences stay inside the thread's.
        let path = format!("/threads/{thread_id}/posts");
        for audience in [vec![ENTERPRISE], vec![BOARD], vec!["no-such-group"]] {
            let resp = app.post(&path, rep.auth(), &json!({"body": "Narrower", "audience": audience})).await;
            assert_field_error(&resp, "audience");
        }
        assert_eq!(posts(), 1);
        app.reply(rep, thread_id, "Still workers.", None, Some(&[WORKERS])).await;

        // A thread without its own audience: posts stay inside the category's.
        let open_in_members = app.create_thread(rep, "members", "Everyone here", "Text.", None).await.thread.id;
        let path = format!("/threads/{open_in_members}/posts");
        let resp = app.post(&path, rep.auth(), &json!({"body": "Board?", "audience": [BOARD]})).await;
        assert_field_error(&resp, "audience");
        app.reply(rep, open_in_members, "Enterprise only.", None, Some(&[ENTERPRISE])).await;

        // Under signed-in, any group will do, at either level.
        let board_thread = app.create_thread(rep, "open", "Board corner", "Text.", Some(&[BOARD])).await.thread.id;
        let resp = app.post(&format!("/threads/{board_thread}/posts"), rep.auth(), &json!({"body": "x", "audience": [WORKERS]})).await;
        assert_field_error(&resp, "audience");
        let open_thread = app.create_thread(rep, "open", "Open", "Text.", None).await.thread.id;
        app.reply(rep, open_thread, "Board note.", None, Some(&[BOARD])).await;
        let resp = app.post(&format!("/threads/{open_thread}/posts"), rep.auth(), &json!({"body": "x", "audience": ["no-such-group"]})).await;
        assert_field_error(&resp, "audience");

        // reply_to must be a post of the same thread.
        let elsewhere = app.create_thread(rep, "open", "Elsewhere", "Text.", None).await.post.id;
        let resp = app
            .post(&format!("/threads/{open_thread}/posts"), rep.auth(), &json!({"body": "x", "reply_to": elsewhere}))
            .await;
        assert_field_error(&resp, "reply_to");
        assert_eq!(threads(), 5);
        assert_eq!(posts(), 8);

        audience_lists_are_bounded_and_slug_shaped(&app, admin, rep).await;
    }
}

/// At most 32 names, each slug-shaped once trimmed and lower-cased, at
/// every level; `open` is a category anyone signed in reads, `rep` is on the board.
async fn audience_lists_are_bounded_and_slug_shaped(app: &TestApp, admin: &Account, rep: &Account) {
    let thread_id = app.create_thread(rep, "open", "Lists", "Text.", None).await.thread.id;
    let rows = || {
        ["categories", "threads", "posts", "audiences", "audience_groups"]
            .map(|table| app.count(&format!("SELECT COUNT(*) AS n FROM {table}")))
    };
    let before = rows();

    let long = "x".repeat(10_000);
    let mut bad: Vec<Vec<String>> = vec![vec![BOARD.to_owned(); 33]];
    for name in ["board!", "board room", "board_x", "bo\u{0}ard", "bo%61rd", "ünïcode", "../admins", long.as_str()] {
        bad.push(vec![name.to_owned()]);
        bad.push(vec![BOARD.to_owned(), name.to_owned()]);
    }
    for names in &bad {
        let shown: String = format!("{names:?}").chars().take(80).collect();
        let category = json!({"slug": "newcat", "name": "New", "audience": names});
        let resp = app.post("/categories", admin.auth(), &category).await;
        assert_field_error(&resp, "audience");
        let posters = json!({"slug": "newcat", "name": "New", "posters": names});
        assert_field_error(&app.post("/categories", admin.auth(), &posters).await, "posters");
        let patch = app.patch("/categories/open", admin.auth(), &json!({"audience": names})).await;
        assert_field_error(&patch, "audience");
        let thread = json!({"category": "open", "title": "T", "body": "B", "audience": names});
        assert_field_error(&app.post("/threads", rep.auth(), &thread).await, "audience");
        let reply = json!({"body": "B", "audience": names});
        let resp = app.post(&format!("/threads/{thread_id}/posts"), rep.auth(), &reply).await;
        assert!(resp.status == 422, "{shown}: {resp}");
        assert_field_error(&resp, "audience");
    }
    assert_eq!(rows(), before, "refused audiences wrote something");

    // 32 names are fine (here, one group named 32 times), and names are
    // trimmed and lower-cased before they are checked.
    let most = vec![BOARD.to_owned(); 32];
    let created: CreatedThread = app
        .post("/threads", rep.auth(), &json!({"category": "open", "title": "T", "body": "B", "audience": most}))
        .await
        .expect(201);
    assert_eq!(created.thread.audience, Some(vec![BOARD.to_owned()]));
    let post: quorum_types::Post = app
        .post(&format!("/threads/{thread_id}/posts"), rep.auth(), &json!({"body": "B", "audience": [" BOARD "]}))
        .await
        .expect(201);
    assert_eq!(post.audience, Some(vec![BOARD.to_owned()]));
    let category: Category = app
        .post("/categories", admin.auth(), &json!({"slug": "most", "name": "Most", "audience": most, "posters": most}))
        .await
        .expect(201);
    assert_eq!((category.audience.clone(), category.posters.clone()), (vec![BOARD.to_owned()], vec![BOARD.to_owned()]));
}

both_backends! {
    /// Category counts come from counters kept on write: they follow new
    /// threads, replies, moves, deletes and restores, per thread audience,
    /// and `quorum check` finds them equal to the threads they count.
    async fn category_counts_follow_every_change_of_a_thread(app: TestApp) {
        let admin = app.admin().await;
        app.create_group(&admin, "board").await;
        let board = app.member(&admin, "boardie", &["board"]).await;
        let member = app.register("member").await;
        app.create_category(&admin, "alpha", &["signed-in"], &["signed-in"]).await;
        app.create_category(&admin, "beta", &["signed-in"], &["signed-in"]).await;
        let open = app.create_thread(&member, "alpha", "Open to all", "For everyone", None).await.thread.id;
        let restricted =
            app.create_thread(&board, "alpha", "Board only", "For the board", Some(&["board"])).await.thread.id;
        app.create_thread(&member, "beta", "Elsewhere", "In beta", None).await;

        let counts = |who: &Account| {
            let token = who.auth().map(str::to_owned);
            let app = &app;
            async move {
                let listed: Page<Category> = app.page("/categories", token.as_deref()).await;
                listed
                    .items
                    .into_iter()
                    .map(|c| (c.slug, (c.thread_count, c.last_activity_at)))
                    .collect::<std::collections::BTreeMap<_, _>>()
            }
        };
        let (b, m) = (counts(&board).await, counts(&member).await);
        assert_eq!((b["alpha"].0, b["beta"].0, m["alpha"].0, m["beta"].0), (2, 1, 1, 1));
        assert!(b["alpha"].1 > m["alpha"].1, "the board thread is newer: {b:?} {m:?}");

        // A reply in the board's thread moves only the board's figure.
        let before = m["alpha"].1;
        app.reply(&board, restricted, "A reply for the board", None, None).await;
        let (b, m) = (counts(&board).await, counts(&member).await);
        assert_eq!(m["alpha"].1, before);
        assert!(b["alpha"].1 > before);

        // Moved: it is counted in its new category, for those who read it.
        app.patch(&format!("/threads/{restricted}"), admin.auth(), &json!({"category": "beta"})).await.assert_status(200);
        let (b, m) = (counts(&board).await, counts(&member).await);
        assert_eq!((b["alpha"].0, b["beta"].0, m["alpha"].0, m["beta"].0), (1, 2, 1, 1));
        assert_eq!(b["alpha"].1, m["alpha"].1, "alpha's newest is the open thread again");
        assert!(b["beta"].1 > m["beta"].1);

        // Deleted: gone from the counts and from the last activity.
        app.delete(&format!("/threads/{open}"), admin.auth()).await.assert_status(204);
        let (b, m) = (counts(&board).await, counts(&member).await);
        assert_eq!((b["alpha"], m["alpha"]), ((0, None), (0, None)));
        app.post_empty(&format!("/threads/{open}/restore"), admin.auth()).await.assert_status(200);
        let m = counts(&member).await;
        assert_eq!(m["alpha"], (1, before));

        let report = quorum::check::run(app.db()).expect("quorum check runs");
        assert!(report.passed(), "{report}");
    }
}

both_backends! {
    /// A thread list's reply count and last activity per viewer come from
    /// counters of the narrowed replies kept on write; they must follow every
    /// change of such a reply, for each kind of viewer.
    async fn thread_counts_follow_every_change_of_a_narrowed_reply(app: TestApp) {
        let admin = app.admin().await;
        app.create_group(&admin, "board").await;
        let board = app.member(&admin, "boardie", &["board"]).await;
        let member = app.register("member").await;
        let moderator = app.member(&admin, "moddy", &[quorum_types::GROUP_MODERATORS]).await;
        app.create_category(&admin, "alpha", &["everyone"], &["signed-in"]).await;
        app.create_category(&admin, "beta", &["everyone"], &["signed-in"]).await;
        let created = app.create_thread(&member, "alpha", "Open to all", "For everyone", None).await;
        let (thread, opened) = (created.thread.id, created.post.created_at);

        // (reply count, last activity) of a thread in the list of every
        // category, or None when the viewer does not see it.
        let listed = |who: Option<&Account>, id: i64| {
            let token = who.and_then(Account::auth).map(str::to_owned);
            let app = &app;
            async move {
                let threads: Vec<Thread> = app.all("/threads?limit=50", token.as_deref()).await;
                threads.into_iter().find(|t| t.id == id).map(|t| (t.reply_count, t.last_activity_at))
            }
        };
        let seen = |id: i64| {
            let (board, member, admin) = (&board, &member, &admin);
            async move {
                [listed(Some(board), id).await, listed(Some(member), id).await, listed(None, id).await, listed(Some(admin), id).await]
            }
        };
        let everyone = |n: i64, at| [Some((n, at)); 4];
        assert_eq!(seen(thread).await, everyone(0, opened));

        let open = app.reply(&member, thread, "An open reply", None, None).await;
        let narrowed = app.reply(&board, thread, "For the board only", None, Some(&["board"])).await;
        assert!(narrowed.created_at > open.created_at);
        let for_board = [Some((2, narrowed.created_at)), Some((1, open.created_at)), Some((1, open.created_at)), Some((2, narrowed.created_at))];
        let without = everyone(1, open.created_at);
        assert_eq!(seen(thread).await, for_board, "after the narrowed reply");

        // Hidden, shown again.
        let hidden = format!("/posts/{}/hidden", narrowed.id);
        app.put(&hidden, admin.auth(), &json!({"reason": "check"})).await.assert_status(200);
        assert_eq!(seen(thread).await, without, "hidden replies are not counted");
        app.delete(&hidden, admin.auth()).await.assert_status(200);
        assert_eq!(seen(thread).await, for_board, "shown again");

        // Deleted, restored.
        app.delete(&format!("/posts/{}", narrowed.id), admin.auth()).await.assert_status(204);
        assert_eq!(seen(thread).await, without, "deleted");
        app.post_empty(&format!("/posts/{}/restore", narrowed.id), admin.auth()).await.assert_status(200);
        assert_eq!(seen(thread).await, for_board, "restored");

        // A newer narrowed reply, deleted: the last activity goes back to
        // the one before it.
        let newer = app.reply(&board, thread, "Another for the board", None, Some(&["board"])).await;
        assert_eq!(listed(Some(&board), thread).await, Some((3, newer.created_at)));
        assert_eq!(listed(Some(&member), thread).await, Some((1, open.created_at)));
        app.delete(&format!("/posts/{}", newer.id), board.auth()).await.assert_status(204);
        assert_eq!(seen(thread).await, for_board, "the newest narrowed reply deleted");

        // Moved by someone who reads everything: the counts go with it.
        app.patch(&format!("/threads/{thread}"), admin.auth(), &json!({"category": "beta"})).await.assert_status(200);
        assert_eq!(seen(thread).await, for_board, "moved");
        let in_beta: Page<Thread> = app.page("/threads?category=beta", board.auth()).await;
        assert_eq!(in_beta.items.iter().map(|t| (t.id, t.reply_count)).collect::<Vec<_>>(), vec![(thread, 2)]);

        // Moved by a moderator who cannot read the board's reply: it is set
        // aside into a thread of its own, which counts it instead.
        app.patch(&format!("/threads/{thread}"), moderator.auth(), &json!({"category": "alpha"})).await.assert_status(200);
        assert_eq!(seen(thread).await, without, "the board's reply was set aside");
        let aside: Page<Thread> = app.page("/threads?category=beta", board.auth()).await;
        assert_eq!(aside.items.len(), 1, "the set-aside thread stays in beta");
        let aside = aside.items[0].id;
        assert_ne!(aside, thread);
        assert_eq!(
            seen(aside).await,
            [Some((0, narrowed.created_at)), None, None, Some((0, narrowed.created_at))],
            "the set-aside thread holds the board's reply"
        );

        let report = quorum::check::run(app.db()).expect("quorum check runs");
        assert!(report.passed(), "{report}");
    }
}
