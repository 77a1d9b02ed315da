//! What admins manage over HTTP: groups, memberships and categories; and the
//! audience rules every thread and post must respect.

use std::collections::BTreeSet;

use quorum_tests::world::{BOARD, ENTERPRISE, WORKERS};
use quorum_tests::{assert_field_error, assert_problem, both_backends, Coop, TestApp};
use quorum_types::{Category, CreatedThread, ErrorCode, Group, Page, UserSummary};
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
    }
}
