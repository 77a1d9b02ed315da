//! What a hostile member, a bot or an unlucky operator could do to the
//! server: actions on content the actor cannot read, password guessing,
//! bursts of expensive requests, replayed refresh tokens, dead database
//! connections, and files other local users could read.

use futures_util::future::join_all;
use quorum_tests::world::{BOARD, WORKERS};
use quorum_tests::{assert_problem, both_backends, marker, Coop, TestApp, PASSWORD};
use quorum_types::{ErrorCode, Post, Thread, TokenPair};
use serde_json::json;

/// Sends a login and returns the response.
async fn try_login(app: &TestApp, login: &str, password: &str) -> quorum_tests::Response {
    app.post("/auth/login", None, &json!({"login": login, "password": password})).await
}

fn retry_after(resp: &quorum_tests::Response) -> u64 {
    resp.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no numeric Retry-After: {resp}"))
}

both_backends! {
    async fn deleting_a_thread_keeps_the_replies_the_deleter_cannot_read(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "international", &["signed-in"], &["signed-in"]).await;
        // A member of no group starts a thread; the Board answers inside it.
        let loner = app.register("lonely").await;
        let thread = app.create_thread(&loner, "international", "Exchange visit", "Who can host?", None).await;
        let secret = marker("board-report");
        let report = app.reply(&coop.rep, thread.thread.id, &secret, None, Some(&[BOARD])).await;

        // The author sees no reply by anyone else, so may delete; the answer
        // is the plain 204 either way.
        app.delete(&format!("/threads/{}", thread.thread.id), loner.auth()).await.assert_status(204);
        app.get(&format!("/threads/{}", thread.thread.id), loner.auth()).await.assert_status(404);

        // The Board keeps its report, in a thread of its own in the same category.
        let kept: Post = app.get(&format!("/posts/{}", report.id), coop.rep.auth()).await.expect(200);
        assert_eq!(kept.body, secret);
        assert_ne!(kept.thread_id, thread.thread.id);
        let home: Thread = app.get(&format!("/threads/{}", kept.thread_id), coop.rep.auth()).await.expect(200);
        assert_eq!((home.category.as_str(), home.title.as_str()), ("international", "Exchange visit"));
        assert_eq!(home.audience, Some(vec![BOARD.to_owned()]));
        let posts: Vec<Post> = app.all(&format!("/threads/{}/posts", kept.thread_id), coop.rep.auth()).await;
        assert_eq!(posts.iter().map(|p| (p.id, p.number)).collect::<Vec<_>>(), vec![(report.id, 1)]);

        // Nobody else learns of it: not the deleter, not a worker.
        for viewer in [&loner, &coop.worker, &coop.participant] {
            app.get(&format!("/threads/{}", kept.thread_id), viewer.auth()).await.assert_status(404);
            let listed = app.get("/threads?category=international", viewer.auth()).await;
            assert!(!listed.contains(&secret) && !listed.contains("Exchange visit"), "{listed}");
        }
    }

    async fn a_moderator_deleting_a_thread_leaves_what_they_cannot_read(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
        let thread = app.create_thread(&coop.worker, "open", "Rota", "Shifts for May", None).await;
        let open_reply = app.reply(&coop.participant, thread.thread.id, "I can do Tuesday", None, None).await;
        let report = app.reply(&coop.rep, thread.thread.id, &marker("board"), None, Some(&[BOARD])).await;
        app.delete(&format!("/threads/{}", thread.thread.id), coop.moderator.auth()).await.assert_status(204);
        // What the moderator could read is gone; the Board's report is not.
        app.get(&format!("/posts/{}", open_reply.id), coop.rep.auth()).await.assert_status(404);
        app.get(&format!("/posts/{}", report.id), coop.rep.auth()).await.assert_status(200);
        // An admin reads everything, so an admin's delete takes everything.
        let other = app.create_thread(&coop.worker, "open", "Budget", "Draft", None).await;
        let report = app.reply(&coop.rep, other.thread.id, &marker("board"), None, Some(&[BOARD])).await;
        app.delete(&format!("/threads/{}", other.thread.id), coop.admin.auth()).await.assert_status(204);
        app.get(&format!("/posts/{}", report.id), coop.rep.auth()).await.assert_status(404);
    }

    async fn moving_a_thread_answers_alike_with_or_without_hidden_replies(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
        app.create_category(&coop.admin, "workers", &[WORKERS, "moderators"], &[WORKERS]).await;
        let plain = app.create_thread(&coop.worker, "open", "Tools", "Who has a drill?", None).await;
        let mixed = app.create_thread(&coop.worker, "open", "Pay", "Scales for next year", None).await;
        let secret = marker("board");
        let report = app.reply(&coop.rep, mixed.thread.id, &secret, None, Some(&[BOARD])).await;

        // `board` does not narrow `worker-members`: the report could not
        // move there, but the moderator cannot know it exists.
        let mut answers = Vec::new();
        for id in [plain.thread.id, mixed.thread.id] {
            let resp = app.patch(&format!("/threads/{id}"), coop.moderator.auth(), &json!({"category": "workers"})).await;
            assert!(!resp.contains(&secret), "{resp}");
            let moved: Thread = resp.expect(200);
            answers.push((moved.category, moved.reply_count));
        }
        assert_eq!(answers, vec![("workers".to_owned(), 0), ("workers".to_owned(), 0)]);
        // The report stayed in the category it was written in.
        let kept: Post = app.get(&format!("/posts/{}", report.id), coop.rep.auth()).await.expect(200);
        let home: Thread = app.get(&format!("/threads/{}", kept.thread_id), coop.rep.auth()).await.expect(200);
        assert_eq!(home.category, "open");
        assert_ne!(home.id, mixed.thread.id);
    }

    async fn wrong_passwords_lead_to_waits_whether_or_not_the_account_exists(app: TestApp) {
        let _ada = app.register("ada").await;
        for login in ["ada", "nobody-here"] {
            let mut statuses = Vec::new();
            for _ in 0..7 {
                statuses.push(try_login(&app, login, "wrong password!").await.status);
            }
            // Five free attempts, a sixth that starts the wait, then 429.
            assert_eq!(statuses, vec![401, 401, 401, 401, 401, 401, 429], "{login}");
            let resp = try_login(&app, login, PASSWORD).await;
            let problem = assert_problem(&resp, 429, ErrorCode::TooManyRequests);
            let wait = retry_after(&resp);
            assert!((1..=30).contains(&wait), "{wait}");
            assert!(problem.detail.contains(&wait.to_string()), "{problem:?}");
        }
        // The typed names are not stored, only digests.
        assert!(app.count("SELECT COUNT(*) AS n FROM throttles") >= 2);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM throttles WHERE LENGTH(key) <> 64 OR key LIKE '%nobody%'"), 0);
        // Once the wait is over, the right password works and starts the count afresh.
        app.execute("UPDATE throttles SET blocked_until = NULL");
        app.login("ada", PASSWORD).await;
        assert_eq!(try_login(&app, "ada", "wrong password!").await.status, 401);
    }

    async fn parallel_guesses_are_counted_one_by_one(app: TestApp) {
        app.register("target").await;
        let guesses = (0..20).map(|_| try_login(&app, "target", "guess-guess-guess"));
        let mut statuses: Vec<u16> = join_all(guesses).await.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 6, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 14, "{statuses:?}");
    }

    async fn concurrent_refreshes_of_one_token_get_one_successor(app: TestApp) {
        let user = app.register("tabs").await;
        let presented = json!({"refresh_token": user.refresh_token});
        let answers = join_all((0..8).map(|_| app.post("/auth/refresh", None, &presented))).await;
        let mut successors = Vec::new();
        for resp in &answers {
            assert_eq!(resp.header("cache-control"), Some("no-store"), "{resp}");
            let pair: TokenPair = resp.expect(200);
            successors.push(pair.refresh_token.unwrap_or_default());
        }
        successors.dedup();
        assert_eq!(successors.len(), 1, "{successors:?}");
        let live = app.count(&format!(
            "SELECT COUNT(*) AS n FROM refresh_tokens WHERE user_id = {} AND revoked_at IS NULL AND used_at IS NULL",
            user.id()
        ));
        assert_eq!(live, 1);
        // The successor works, and once it is used the old token is spent for good.
        let next: TokenPair = app.post("/auth/refresh", None, &json!({"refresh_token": successors[0]})).await.expect(200);
        let resp = app.post("/auth/refresh", None, &presented).await;
        assert_problem(&resp, 401, ErrorCode::InvalidRefreshToken);
        let resp = app.post("/auth/refresh", None, &json!({"refresh_token": next.refresh_token})).await;
        assert_problem(&resp, 401, ErrorCode::InvalidRefreshToken);
    }

    async fn tokens_are_never_cached_and_logout_needs_a_session(app: TestApp) {
        let user = app.register("cachey").await;
        let login = try_login(&app, "cachey", PASSWORD).await;
        assert_eq!(login.header("cache-control"), Some("no-store"), "{login}");
        let register = app
            .post("/auth/register", None, &json!({"username": "second", "email": "second@coop.example", "password": PASSWORD}))
            .await;
        assert_eq!(register.header("cache-control"), Some("no-store"), "{register}");
        // A logout without a valid token changes nothing, the cookie included.
        let resp = app.post_empty("/auth/logout", None).await;
        assert_problem(&resp, 401, ErrorCode::Unauthorized);
        assert!(resp.header("set-cookie").is_none(), "{resp}");
        app.get("/me", user.auth()).await.assert_status(200);
    }

    async fn profiles_are_for_members_by_default(app: TestApp) {
        let member = app.register("maren").await;
        for name in ["maren", "no-such-member"] {
            assert_problem(&app.get(&format!("/users/{name}"), None).await, 404, ErrorCode::NotFound);
        }
        app.get("/users/maren", member.auth()).await.assert_status(200);
        app.get("/users/no-such-member", member.auth()).await.assert_status(404);
    }

    async fn dead_database_connections_are_replaced(app: TestApp) {
        if app.backend != quorum_tests::Backend::Postgres {
            return;
        }
        let user = app.register("steady").await;
        for _ in 0..8 {
            app.get("/categories", user.auth()).await.assert_status(200);
        }
        // What a PostgreSQL restart does to the server's pooled connections.
        let killed = app.count(
            "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        );
        assert!(killed > 0, "no server connection to end");
        // Rounds of concurrent requests, so every pooled connection is used.
        let mut rounds = Vec::new();
        for _ in 0..5 {
            let answers = join_all((0..4).map(|_| app.get("/categories", user.auth()))).await;
            for resp in answers.iter().filter(|r| r.status != 200) {
                assert_problem(resp, 503, ErrorCode::ServiceUnavailable);
                assert!(resp.header("retry-after").is_some(), "{resp}");
            }
            rounds.push(answers.iter().map(|r| r.status).collect::<Vec<_>>());
        }
        // Only the first round may meet dead connections: each is replaced
        // when it fails, and the checkouts after it are proven first.
        assert!(rounds[1..].iter().flatten().all(|s| *s == 200), "{rounds:?}");
        app.get_root("/readyz").await.assert_status(200);
    }
}
