//! Profile pages: a member's name, bio, zone and groups, and the posts of
//! theirs the viewer may read, and nothing of those they may not.

use quorum::config::Profiles;
use quorum_tests::{assert_problem, both_backends, Backend, TestApp};
use quorum_types::{ErrorCode, UserPost, UserProfile};
use serde_json::json;

both_backends! {
    async fn profiles_show_zone_groups_and_readable_posts_only(app: TestApp) {
        let admin = app.admin().await;
        app.create_group(&admin, "board").await;
        let chair = app.member(&admin, "chair", &["board"]).await;
        let outsider = app.register("outsider").await;
        let boardie = app.member(&admin, "boardie", &["board"]).await;
        app.create_category(&admin, "general", &["signed-in"], &["signed-in"]).await;
        app.create_category(&admin, "boardroom", &["board"], &["board"]).await;
        app.patch("/me", chair.auth(), &json!({"time_zone": "Europe/Lisbon", "bio": "Chair of the board."}))
            .await
            .assert_status(200);

        let open = app.create_thread(&chair, "general", "Spring gathering", "Who is coming to the gathering?", None).await;
        let board_reply = app
            .reply(&chair, open.thread.id, "BOARDONLY-REPLY the budget is tight.", None, Some(&["board"]))
            .await;
        let minutes = app.create_thread(&chair, "boardroom", "Minutes", "BOARDONLY-THREAD minutes.", None).await;
        let public_reply = app.reply(&chair, open.thread.id, "I will bring bread.", None, None).await;

        // The profile: zone and groups, no e-mail.
        let profile: UserProfile = app.get("/users/chair", outsider.auth()).await.expect(200);
        assert_eq!(profile.time_zone, "Europe/Lisbon");
        assert_eq!(profile.bio, "Chair of the board.");
        let groups: Vec<&str> = profile.groups.iter().map(|g| g.slug.as_str()).collect();
        assert_eq!(groups, ["board"], "pseudo-groups are not listed: {groups:?}");

        // A non-member of the board: only what they may read, newest first.
        let resp = app.get("/users/chair/posts", outsider.auth()).await;
        assert!(!resp.contains("BOARDONLY"), "a board-only post leaks on the profile: {resp}");
        let posts: Vec<UserPost> = app.all("/users/chair/posts?limit=1", outsider.auth()).await;
        let ids: Vec<i64> = posts.iter().map(|p| p.post_id).collect();
        assert_eq!(ids, [public_reply.id, open.post.id]);
        assert!(posts[1].opens_thread && !posts[0].opens_thread);
        assert_eq!((posts[1].thread_title.as_str(), posts[1].category.as_str()), ("Spring gathering", "general"));
        assert_eq!(posts[1].excerpt, "Who is coming to the gathering?");

        // A board member reads all four.
        let posts: Vec<UserPost> = app.all("/users/chair/posts?limit=2", boardie.auth()).await;
        let ids: Vec<i64> = posts.iter().map(|p| p.post_id).collect();
        assert_eq!(ids, [public_reply.id, minutes.post.id, board_reply.id, open.post.id]);

        // Hidden posts leave the profile.
        app.put(&format!("/posts/{}/hidden", public_reply.id), admin.auth(), &json!({"reason": "test"}))
            .await
            .assert_status(200);
        let posts: Vec<UserPost> = app.all("/users/chair/posts", outsider.auth()).await;
        assert_eq!(posts.iter().map(|p| p.post_id).collect::<Vec<_>>(), [open.post.id]);

        // Anonymous visitors: 404 for profiles and posts by default.
        assert_problem(&app.get("/users/chair/posts", None).await, 404, ErrorCode::NotFound);
        assert_problem(&app.get("/users/nobody/posts", outsider.auth()).await, 404, ErrorCode::NotFound);
        assert_problem(&app.get("/users/chair/posts?cursor=nonsense", outsider.auth()).await, 400, ErrorCode::InvalidCursor);
    }
}

async fn public_profiles(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| s.profiles = Profiles::Public).await
}

both_backends! {
    spawn = public_profiles;

    async fn public_profiles_show_anonymous_visitors_public_posts_and_no_groups(app: TestApp) {
        let admin = app.admin().await;
        app.create_group(&admin, "board").await;
        let chair = app.member(&admin, "chair", &["board"]).await;
        app.create_category(&admin, "news", &["everyone"], &["signed-in"]).await;
        app.create_category(&admin, "members", &["signed-in"], &["signed-in"]).await;
        let public = app.create_thread(&chair, "news", "Open day", "Everyone is welcome.", None).await;
        app.create_thread(&chair, "members", "Members' meeting", "MEMBERS-ONLY agenda.", None).await;

        let profile: UserProfile = app.get("/users/chair", None).await.expect(200);
        assert!(profile.groups.is_empty(), "anonymous visitors may not list groups: {:?}", profile.groups);
        let resp = app.get("/users/chair/posts", None).await;
        assert!(!resp.contains("MEMBERS-ONLY"), "a members-only post shows to anonymous visitors: {resp}");
        let posts: Vec<UserPost> = app.all("/users/chair/posts", None).await;
        assert_eq!(posts.iter().map(|p| p.post_id).collect::<Vec<_>>(), [public.post.id]);
    }
}
