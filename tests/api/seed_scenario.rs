//! The seed thread end to end: an "International" category everyone signed in
//! can read, where enterprise and worker members post; a newsletter link; a
//! Board report only enterprise and worker members see; a like.

use std::collections::BTreeSet;

use quorum_tests::html::assert_safe_link;
use quorum_tests::world::{BOARD, ENTERPRISE, PARTICIPANTS, WORKERS};
use quorum_tests::{assert_problem, both_backends, Coop, TestApp};
use quorum_types::ErrorCode;
use quorum_types::{Category, Group, Like, LikeState, Me, Page, Post, Thread, UserSummary};

const NEWSLETTER: &str = "https://federation.example/newsletters/summer";

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

both_backends! {
    async fn international_thread(app: TestApp) {
        let coop = Coop::create(&app).await;
        let Coop { admin, participant, worker, enterprise, rep, moderator } = &coop;

        // The groups exist beside the two built-in ones.
        let groups: Page<Group> = app.page("/groups?limit=100", admin.auth()).await;
        let slugs: BTreeSet<String> = groups.items.iter().map(|g| g.slug.clone()).collect();
        for slug in ["admins", "moderators", ENTERPRISE, WORKERS, PARTICIPANTS, BOARD] {
            assert!(slugs.contains(slug), "GET /groups lacks {slug}: {slugs:?}");
        }
        for group in &groups.items {
            assert_eq!(group.builtin, group.slug == "admins" || group.slug == "moderators", "{group:?}");
        }
        let workers = groups.items.iter().find(|g| g.slug == WORKERS).expect("worker-members listed");
        assert_eq!(workers.member_count, 2, "wren and rhiannon: {workers:?}");

        let me: Me = app.get("/me", rep.auth()).await.expect(200);
        assert_eq!(me.username, "rhiannon");
        assert_eq!(me.groups.iter().cloned().collect::<BTreeSet<_>>(), set(&[BOARD, ENTERPRISE, WORKERS]));
        assert!(!me.is_admin && !me.is_moderator);
        let me: Me = app.get("/me", moderator.auth()).await.expect(200);
        assert!(me.is_moderator && !me.is_admin, "{me:?}");

        // Readable by anyone signed in, open for posting to enterprise and worker members.
        let category = app.create_category(admin, "international", &["signed-in"], &[ENTERPRISE, WORKERS]).await;
        assert_eq!(category.slug, "international");
        assert_eq!(category.audience, vec!["signed-in".to_owned()]);
        assert_eq!(category.posters.iter().cloned().collect::<BTreeSet<_>>(), set(&[ENTERPRISE, WORKERS]));
        assert_eq!(category.thread_count, 0);

        let seen: Category = app.get("/categories/international", participant.auth()).await.expect(200);
        assert!(!seen.can_post, "participants may read but not start threads: {seen:?}");
        let seen: Category = app.get("/categories/international", worker.auth()).await.expect(200);
        assert!(seen.can_post, "{seen:?}");
        assert_problem(&app.get("/categories/international", None).await, 404, ErrorCode::NotFound);
        let listed: Page<Category> = app.page("/categories", None).await;
        assert!(listed.items.iter().all(|c| c.slug != "international"), "anonymous visitors see it: {listed:?}");

        // A participant may not start a thread here.
        let refused = app
            .post(
                "/threads",
                participant.auth(),
                &serde_json::json!({"category": "international", "title": "Hello", "body": "May I?"}),
            )
            .await;
        assert_problem(&refused, 403, ErrorCode::Forbidden);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM threads"), 0);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM posts"), 0);

        let opening = "One place for news from our federations, the reps' reports to the Board, \
                       and anyone's notes on working with co-ops abroad.";
        let created = app
            .create_thread(rep, "international", "Cross-border news, reports and representation", opening, None)
            .await;
        let thread_id = created.thread.id;
        assert_eq!(created.thread.category, "international");
        assert_eq!(created.thread.audience, None);
        assert_eq!(created.thread.reply_count, 0);
        assert_eq!(created.post.number, 1);
        assert_eq!(created.post.thread_id, thread_id);
        assert_eq!(created.post.body, opening);
        assert_eq!(created.post.author.username, "rhiannon");

        // A worker member shares the federation newsletter.
        let link_body = format!("The federation's [summer newsletter]({NEWSLETTER}) is out, with a section on buyouts.");
        let link = app.reply(worker, thread_id, &link_body, None, None).await;
        assert_eq!(link.number, 2);
        assert_eq!(link.body, link_body);
        assert_safe_link(&link.body_html, NEWSLETTER);
        assert!(link.body_html.contains(">summer newsletter</a>"), "{}", link.body_html);

        // The Board report is for enterprise and worker members only.
        let report_body = "Board update: our application to the sector network was accepted, \
                           and the exchange programme idea goes to the next meeting.";
        let report = app.reply(rep, thread_id, report_body, None, Some(&[ENTERPRISE, WORKERS])).await;
        assert_eq!(report.number, 3);
        let audience: BTreeSet<String> = report.audience.clone().unwrap_or_default().into_iter().collect();
        assert_eq!(audience, set(&[ENTERPRISE, WORKERS]));

        // "1 Like"
        let liked: LikeState = app.put_empty(&format!("/posts/{}/like", link.id), enterprise.auth()).await.expect(200);
        assert_eq!(liked, LikeState { post_id: link.id, like_count: 1, liked_by_me: true });
        let as_participant: Post = app.get(&format!("/posts/{}", link.id), participant.auth()).await.expect(200);
        assert_eq!((as_participant.like_count, as_participant.liked_by_me), (1, false));
        let as_liker: Post = app.get(&format!("/posts/{}", link.id), enterprise.auth()).await.expect(200);
        assert_eq!((as_liker.like_count, as_liker.liked_by_me), (1, true));
        let likes: Page<Like> = app.page(&format!("/posts/{}/likes", link.id), participant.auth()).await;
        let likers: Vec<&UserSummary> = likes.items.iter().map(|l| &l.user).collect();
        assert_eq!(likers.len(), 1);
        assert_eq!(likers[0].username, "ezra");

        // The participant reads the thread without the report.
        let posts: Page<Post> = app.page(&format!("/threads/{thread_id}/posts"), participant.auth()).await;
        assert_eq!(posts.items.iter().map(|p| p.number).collect::<Vec<_>>(), vec![1, 2]);
        assert!(posts.items.iter().all(|p| !p.body.contains("Board update")));
        assert_problem(&app.get(&format!("/posts/{}", report.id), participant.auth()).await, 404, ErrorCode::NotFound);
        let thread: Thread = app.get(&format!("/threads/{thread_id}"), participant.auth()).await.expect(200);
        assert_eq!(thread.reply_count, 1);
        let thread: Thread = app.get(&format!("/threads/{thread_id}"), moderator.auth()).await.expect(200);
        assert_eq!(thread.reply_count, 1, "moderators have no read bypass");
        assert_problem(&app.get(&format!("/posts/{}", report.id), moderator.auth()).await, 404, ErrorCode::NotFound);

        // The worker member (and the admin) read all of it.
        for who in [worker, enterprise, admin] {
            let posts: Page<Post> = app.page(&format!("/threads/{thread_id}/posts"), who.auth()).await;
            assert_eq!(posts.items.iter().map(|p| p.number).collect::<Vec<_>>(), vec![1, 2, 3], "{}", who.username);
            let got: Post = app.get(&format!("/posts/{}", report.id), who.auth()).await.expect(200);
            assert_eq!(got.body, report_body);
            let thread: Thread = app.get(&format!("/threads/{thread_id}"), who.auth()).await.expect(200);
            assert_eq!(thread.reply_count, 2, "{}", who.username);
        }

        // The list of threads agrees for both.
        let for_participant: Page<Thread> = app.page("/threads?category=international", participant.auth()).await;
        assert_eq!(for_participant.items.len(), 1);
        assert_eq!(for_participant.items[0].reply_count, 1);
        let for_worker: Page<Thread> = app.page("/threads?category=international", worker.auth()).await;
        assert_eq!(for_worker.items[0].reply_count, 2);

        // What the database holds.
        assert_eq!(app.count(&format!("SELECT COUNT(*) AS n FROM posts WHERE thread_id = {thread_id}")), 3);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM likes"), 1);
        assert_eq!(app.count(&format!("SELECT CAST(like_count AS BIGINT) AS n FROM posts WHERE id = {}", link.id)), 1);
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) AS n FROM posts WHERE id = {} AND audience_id IS NOT NULL", report.id)),
            1
        );
    }
}
