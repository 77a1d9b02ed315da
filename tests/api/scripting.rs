//! What admins and scripts rely on: personal access tokens and their
//! scopes, suspension, registration modes and invitations, bulk membership,
//! the audit log and idempotent creates.

use futures_util::future::join_all;
use quorum_tests::world::{BOARD, ENTERPRISE, PARTICIPANTS, WORKERS};
use quorum_tests::{assert_field_error, assert_problem, both_backends, marker, Account, Coop, TestApp, PASSWORD};
use quorum_types::{
    AccessToken, AdminSettings, AdminUser, AuditEntry, BulkMembersResult, CreatedInvite, CreatedToken, ErrorCode, Me,
    Page, Post, Thread, TokenPair,
};
use serde_json::json;

async fn token(app: &TestApp, owner: &Account, scopes: &[&str]) -> String {
    let created: CreatedToken =
        app.post("/me/tokens", owner.auth(), &json!({"name": "script", "scopes": scopes})).await.expect(201);
    assert!(created.secret.starts_with("qrm_pat_") && created.secret.len() > 40, "{}", created.secret);
    created.secret
}

async fn audit(app: &TestApp, admin: &Account, query: &str) -> Vec<AuditEntry> {
    app.page::<AuditEntry>(&format!("/admin/audit{query}"), admin.auth()).await.items
}

async fn idempotent_post(app: &TestApp, path: &str, key: &str, body: &str, token: String) -> quorum_tests::Response {
    let authorization = format!("Bearer {token}");
    let headers = [("Authorization", authorization.as_str()), ("Idempotency-Key", key)];
    let body = json!({"body": body}).to_string().into_bytes();
    app.request_with_headers(actix_web::http::Method::POST, path, &headers, Some(("application/json", body))).await
}

both_backends! {
    async fn access_tokens_act_as_their_owner_within_their_scopes(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
        let secret_text = marker("board");
        let thread = app.create_thread(&coop.rep, "open", "Budget", "Figures soon.", None).await;
        let board_post = app.reply(&coop.rep, thread.thread.id, &secret_text, None, Some(&[BOARD])).await;

        let reader = token(&app, &coop.rep, &["read"]).await;
        let writer = token(&app, &coop.rep, &["read", "write"]).await;
        // Shown once, stored hashed.
        assert_eq!(app.count(&format!("SELECT COUNT(*) AS n FROM access_tokens WHERE token_hash = '{reader}'")), 0);
        let listed: Page<AccessToken> = app.page("/me/tokens", coop.rep.auth()).await;
        assert_eq!(listed.items.len(), 2);
        assert!(listed.items.iter().all(|t| reader.starts_with(&t.prefix) || writer.starts_with(&t.prefix)));
        let body = app.get("/me/tokens", coop.rep.auth()).await;
        assert!(!body.contains(&reader) && !body.contains(&writer), "{body}");

        // The token reads as its owner, board post included.
        let me: Me = app.get("/me", Some(&reader)).await.expect(200);
        assert_eq!(me.username, coop.rep.username);
        app.get(&format!("/posts/{}", board_post.id), Some(&reader)).await.assert_status(200);
        // A read-only token writes nothing.
        let resp = app.post(&format!("/threads/{}/posts", thread.thread.id), Some(&reader), &json!({"body": "hi"})).await;
        assert_problem(&resp, 403, ErrorCode::InsufficientScope);
        app.post(&format!("/threads/{}/posts", thread.thread.id), Some(&writer), &json!({"body": "From a script."}))
            .await
            .assert_status(201);
        // Tokens cannot make or list tokens, nor sign anyone out.
        assert_problem(&app.post("/me/tokens", Some(&writer), &json!({"name": "x", "scopes": ["read"]})).await, 403, ErrorCode::Forbidden);
        assert_problem(&app.post_empty("/auth/logout", Some(&writer)).await, 403, ErrorCode::Forbidden);

        // Losing a group loses it for the token on its next request.
        app.remove_member(&coop.admin, BOARD, &coop.rep.username).await;
        app.get(&format!("/posts/{}", board_post.id), Some(&reader)).await.assert_status(404);

        // last_used_at is recorded (after the answer, so allow it a moment).
        let mut used = false;
        for _ in 0..50 {
            if app.count("SELECT COUNT(*) AS n FROM access_tokens WHERE last_used_at IS NOT NULL") >= 2 {
                used = true;
                break;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(used, "last_used_at never written");

        // Revoking is immediate.
        let id = listed.items.iter().find(|t| reader.starts_with(&t.prefix)).map(|t| t.id).unwrap_or_default();
        app.delete(&format!("/me/tokens/{id}"), coop.rep.auth()).await.assert_status(200);
        assert_problem(&app.get("/me", Some(&reader)).await, 401, ErrorCode::Unauthorized);
        // Someone else's token is not yours to revoke: it does not exist for you.
        let other = token(&app, &coop.worker, &["read"]).await;
        let others: Page<AccessToken> = app.page("/me/tokens", coop.worker.auth()).await;
        app.delete(&format!("/me/tokens/{}", others.items[0].id), coop.rep.auth()).await.assert_status(404);
        // Admins list and revoke anyone's.
        let all: Page<AccessToken> = app.page("/admin/tokens?user=wren", coop.admin.auth()).await;
        assert_eq!(all.items.len(), 1);
        app.delete(&format!("/admin/tokens/{}", all.items[0].id), coop.admin.auth()).await.assert_status(200);
        assert_problem(&app.get("/me", Some(&other)).await, 401, ErrorCode::Unauthorized);
        app.get("/admin/tokens", coop.worker.auth()).await.assert_status(403);
    }

    async fn token_scopes_are_checked_and_fail_closed(app: TestApp) {
        let coop = Coop::create(&app).await;
        // No scopes, unknown scopes, a past expiry: refused, nothing stored.
        for body in [
            json!({"name": "none", "scopes": []}),
            json!({"name": "bad", "scopes": ["root"]}),
            json!({"name": "old", "scopes": ["read"], "expires_at": "2020-01-01T00:00:00Z"}),
        ] {
            let resp = app.post("/me/tokens", coop.admin.auth(), &body).await;
            assert_problem(&resp, 422, ErrorCode::ValidationFailed);
        }
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM access_tokens"), 0);
        // An admin token needs the admin scope for admin work, and the
        // admin scope grants nothing to a member.
        let write_only = token(&app, &coop.admin, &["write"]).await;
        let resp = app.post("/groups", Some(&write_only), &json!({"slug": "sync", "name": "Sync"})).await;
        assert_problem(&resp, 403, ErrorCode::InsufficientScope);
        let admin_token = token(&app, &coop.admin, &["admin"]).await;
        app.post("/groups", Some(&admin_token), &json!({"slug": "sync", "name": "Sync"})).await.assert_status(201);
        // Reading needs `read`, even for an admin token.
        assert_problem(&app.get("/groups/sync/members", Some(&admin_token)).await, 403, ErrorCode::InsufficientScope);
        let member_admin_scope = token(&app, &coop.worker, &["admin", "read"]).await;
        assert_problem(&app.post("/groups", Some(&member_admin_scope), &json!({"slug": "mine", "name": "Mine"})).await, 403, ErrorCode::Forbidden);
        // Losing the admin role loses it for the token too.
        app.put_empty(&format!("/groups/admins/members/{}", coop.rep.username), coop.admin.auth()).await.assert_status(204);
        let rep_admin = token(&app, &coop.rep, &["admin"]).await;
        app.post("/groups", Some(&rep_admin), &json!({"slug": "reps", "name": "Reps"})).await.assert_status(201);
        app.delete(&format!("/groups/admins/members/{}", coop.rep.username), coop.admin.auth()).await.assert_status(204);
        assert_problem(&app.post("/groups", Some(&rep_admin), &json!({"slug": "reps2", "name": "Reps"})).await, 403, ErrorCode::Forbidden);
        // An expired token is refused.
        let expiring = token(&app, &coop.worker, &["read"]).await;
        app.execute("UPDATE access_tokens SET expires_at = created_at WHERE revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE username = 'wren')");
        assert_problem(&app.get("/me", Some(&expiring)).await, 401, ErrorCode::Unauthorized);
    }

    async fn suspension_stops_every_credential_and_says_why(app: TestApp) {
        let coop = Coop::create(&app).await;
        let pat = token(&app, &coop.worker, &["read", "write"]).await;
        let resp = app
            .put("/admin/users/wren/suspension", coop.admin.auth(), &json!({"reason": "Posting adverts after two warnings"}))
            .await;
        let suspended: AdminUser = resp.expect(200);
        assert!(suspended.suspended_until.is_some());
        for resp in [
            app.get("/me", coop.worker.auth()).await,
            app.get("/me", Some(&pat)).await,
            app.post("/auth/refresh", None, &json!({"refresh_token": coop.worker.refresh_token})).await,
            app.post("/auth/login", None, &json!({"login": "wren", "password": PASSWORD})).await,
        ] {
            let problem = assert_problem(&resp, 403, ErrorCode::AccountSuspended);
            assert!(problem.detail.contains("Posting adverts") && problem.detail.contains("until further notice"), "{problem:?}");
        }
        // A wrong password learns nothing about the suspension.
        let resp = app.post("/auth/login", None, &json!({"login": "wren", "password": "not the password"})).await;
        assert_problem(&resp, 401, ErrorCode::InvalidCredentials);
        // Members cannot suspend; admins cannot suspend themselves.
        app.put("/admin/users/ezra/suspension", coop.rep.auth(), &json!({"reason": "x"})).await.assert_status(403);
        assert_field_error(&app.put("/admin/users/admin/suspension", coop.admin.auth(), &json!({"reason": "x"})).await, "username");
        // Lifting it lets every credential work again.
        app.delete("/admin/users/wren/suspension", coop.admin.auth()).await.assert_status(200);
        app.get("/me", Some(&pat)).await.assert_status(200);
        app.get("/me", coop.worker.auth()).await.assert_status(200);
        let log = audit(&app, &coop.admin, "?action=user.").await;
        assert_eq!(log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["user.unsuspended", "user.suspended"]);
        assert_eq!(log[1].target, "user:wren");
        assert_eq!(log[1].after.as_ref().and_then(|a| a["reason"].as_str()), Some("Posting adverts after two warnings"));
        assert_eq!(log[1].client_address.as_deref(), Some("127.0.0.1"));
        // A search finds people by any part of their name or address.
        let found: Page<AdminUser> = app.page("/admin/users?q=WRE", coop.admin.auth()).await;
        assert_eq!(found.items.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), vec!["wren"]);
        let board: Page<AdminUser> = app.page(&format!("/admin/users?group={BOARD}"), coop.admin.auth()).await;
        assert_eq!(board.items.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), vec!["rhiannon"]);
        let none: Page<AdminUser> = app.page("/admin/users?q=%25", coop.admin.auth()).await;
        assert!(none.items.is_empty(), "% is literal");
    }

    async fn registration_modes_and_invitations(app: TestApp) {
        let admin = app.admin().await;
        app.create_group(&admin, WORKERS).await;
        let register = |name: &str, invite: Option<&str>| {
            json!({"username": name, "email": format!("{name}@coop.example"), "password": PASSWORD, "invite": invite})
        };
        let settings: AdminSettings =
            app.patch("/admin/settings", admin.auth(), &json!({"registration": "invite"})).await.expect(200);
        assert_eq!(settings.registration, quorum_types::Registration::Invite);
        assert_problem(&app.post("/auth/register", None, &register("walkin", None)).await, 403, ErrorCode::RegistrationClosed);
        let invite: CreatedInvite = app
            .post("/invites", admin.auth(), &json!({"groups": [WORKERS], "max_uses": 2, "note": "May intake"}))
            .await
            .expect(201);
        assert!(invite.url.ends_with(&format!("/register?invite={}", invite.code)), "{}", invite.url);
        let pair: TokenPair = app.post("/auth/register", None, &register("newcomer", Some(&invite.code))).await.expect(201);
        assert_eq!(pair.user.groups, vec![WORKERS.to_owned()]);
        app.post("/auth/register", None, &register("second", Some(&invite.code))).await.assert_status(201);
        // Used up.
        assert_field_error(&app.post("/auth/register", None, &register("third", Some(&invite.code))).await, "invite");
        // Expired and revoked invitations fail the same way.
        let old: CreatedInvite = app.post("/invites", admin.auth(), &json!({})).await.expect(201);
        app.execute(&format!("UPDATE invites SET expires_at = created_at WHERE id = {}", old.invite.id));
        assert_field_error(&app.post("/auth/register", None, &register("late", Some(&old.code))).await, "invite");
        let revoked: CreatedInvite = app.post("/invites", admin.auth(), &json!({})).await.expect(201);
        app.delete(&format!("/invites/{}", revoked.invite.id), admin.auth()).await.assert_status(200);
        assert_field_error(&app.post("/auth/register", None, &register("gone", Some(&revoked.code))).await, "invite");
        assert_field_error(&app.post("/auth/register", None, &register("guess", Some("made-up-code"))).await, "invite");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM users WHERE username IN ('third', 'late', 'gone', 'guess')"), 0);
        // An invitation cannot make anyone an admin.
        assert_field_error(&app.post("/invites", admin.auth(), &json!({"groups": ["admins"]})).await, "groups");
        // Closed: even an invitation does not open the door; open: anyone.
        let fresh: CreatedInvite = app.post("/invites", admin.auth(), &json!({})).await.expect(201);
        app.patch("/admin/settings", admin.auth(), &json!({"registration": "closed"})).await.assert_status(200);
        assert_problem(&app.post("/auth/register", None, &register("shut", Some(&fresh.code))).await, 403, ErrorCode::RegistrationClosed);
        app.patch("/admin/settings", admin.auth(), &json!({"registration": "open"})).await.assert_status(200);
        app.post("/auth/register", None, &register("anyone", None)).await.assert_status(201);
        // Settings are an object: an array of the right length is refused too.
        assert_field_error(&app.patch("/admin/settings", admin.auth(), &json!([null, null])).await, "body");
        assert_field_error(&app.patch("/admin/settings", admin.auth(), &json!(["closed", null])).await, "body");
        let site: quorum_types::Site = app.get("/site", None).await.expect(200);
        assert_eq!(site.registration, quorum_types::Registration::Open);
        let log = audit(&app, &admin, "?action=settings.changed").await;
        assert_eq!(log.len(), 3);
        assert_eq!(log[2].before, Some(json!({"registration": "open"})));
        assert_eq!(log[2].after, Some(json!({"registration": "invite"})));
    }

    async fn bulk_membership_in_one_transaction(app: TestApp) {
        let coop = Coop::create(&app).await;
        let body = json!({"usernames": ["pat", "wren", "Ezra", "nobody-by-that-name", "wren"]});
        let result: BulkMembersResult =
            app.put(&format!("/groups/{PARTICIPANTS}/members"), coop.admin.auth(), &body).await.expect(200);
        assert_eq!(result.added, vec!["ezra", "wren"]);
        assert_eq!(result.already_present, vec!["pat"]);
        assert_eq!(result.unknown, vec!["nobody-by-that-name"]);
        assert!(result.removed.is_empty());
        // Replace: the list becomes the whole membership.
        let body = json!({"usernames": ["pat", "morgan"]});
        let result: BulkMembersResult =
            app.put(&format!("/groups/{PARTICIPANTS}/members?replace=true"), coop.admin.auth(), &body).await.expect(200);
        assert_eq!(result.removed, vec!["ezra", "wren"]);
        // Replacing the admins with nobody is refused, and nothing changes.
        let before = app.count("SELECT COUNT(*) AS n FROM group_members");
        let resp = app.put("/groups/admins/members?replace=true", coop.admin.auth(), &json!({"usernames": ["nobody"]})).await;
        assert_problem(&resp, 409, ErrorCode::Conflict);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM group_members"), before);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM events WHERE kind LIKE 'group.member%' AND target = 'group:admins'"), 0);
        let log = audit(&app, &coop.admin, &format!("?action=group.member_removed&actor={}", coop.admin.username)).await;
        assert_eq!(log.len(), 2);
        app.put(&format!("/groups/{ENTERPRISE}/members"), coop.rep.auth(), &json!({"usernames": ["pat"]})).await.assert_status(403);
    }

    async fn the_audit_log_records_what_happened_and_only_that(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
        app.create_category(&coop.admin, "other", &["signed-in"], &["signed-in"]).await;
        let thread = app.create_thread(&coop.worker, "open", "Rota", "Who takes Friday?", None).await;
        let id = thread.thread.id;
        app.patch(&format!("/threads/{id}"), coop.moderator.auth(), &json!({"pinned": true, "locked": true})).await.assert_status(200);
        app.patch(&format!("/threads/{id}"), coop.moderator.auth(), &json!({"category": "other"})).await.assert_status(200);
        // A refused action leaves no entry.
        let before = app.count("SELECT COUNT(*) AS n FROM events");
        app.patch(&format!("/threads/{id}"), coop.worker.auth(), &json!({"pinned": false})).await.assert_status(403);
        app.patch("/categories/open", coop.admin.auth(), &json!({"audience": ["no-such-group"]})).await.assert_status(422);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM events"), before);
        app.patch("/categories/open", coop.admin.auth(), &json!({"audience": ["everyone"]})).await.assert_status(200);

        let log = audit(&app, &coop.admin, "").await;
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(&actions[..4], &["category.updated", "thread.moved", "thread.locked", "thread.pinned"]);
        assert_eq!(log[0].before.as_ref().map(|b| b["audience"].clone()), Some(json!(["signed-in"])));
        assert_eq!(log[0].after.as_ref().map(|a| a["audience"].clone()), Some(json!(["everyone"])));
        assert_eq!(log[1].actor.as_ref().map(|a| a.username.as_str()), Some("morgan"));
        assert_eq!(log[1].after, Some(json!({"category": "other"})));
        // A member's own posts are not moderation, and stay out of it.
        assert!(!actions.contains(&"thread.created"));
        let moderator_only = audit(&app, &coop.admin, "?actor=morgan").await;
        assert_eq!(moderator_only.len(), 3);
        assert_field_error(&app.get("/admin/audit?action=nothing.like.this", coop.admin.auth()).await, "action");
        app.get("/admin/audit", coop.moderator.auth()).await.assert_status(403);
    }

    async fn a_retried_create_is_answered_not_repeated(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "open", &["signed-in"], &["signed-in"]).await;
        let thread = app.create_thread(&coop.worker, "open", "Rota", "Who takes Friday?", None).await;
        let path = format!("/api/v1/threads/{}/posts", thread.thread.id);
        let send = |key: &'static str, body: &'static str, account: &Account| {
            idempotent_post(&app, &path, key, body, account.access_token.clone())
        };
        let posts = || app.count("SELECT COUNT(*) AS n FROM posts");
        let before = posts();
        let first = send("retry-1", "I can do Friday.", &coop.participant).await;
        let created: Post = first.expect(201);
        let again = send("retry-1", "I can do Friday.", &coop.participant).await;
        assert_eq!(again.status, 201);
        assert_eq!(again.json::<Post>().id, created.id);
        assert_eq!(again.header("location"), first.header("location"));
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(posts(), before + 1);
        // The same key with another body is a mistake.
        assert_problem(&send("retry-1", "Saturday instead.", &coop.participant).await, 422, ErrorCode::IdempotencyKeyReused);
        // Keys are per account.
        send("retry-1", "I can do Friday.", &coop.worker).await.assert_status(201);
        assert_eq!(posts(), before + 2);
        // Twenty at once: exactly one post; the others wait or replay.
        let answers = join_all((0..20).map(|_| send("burst", "Count me in.", &coop.rep))).await;
        assert_eq!(posts(), before + 3);
        for resp in &answers {
            match resp.status {
                201 => {}
                409 => {
                    assert_problem(resp, 409, ErrorCode::IdempotencyKeyInUse);
                }
                other => panic!("{other}: {resp}"),
            }
        }
        // A malformed key is refused before anything happens.
        assert_problem(&send("", "x", &coop.rep).await, 400, ErrorCode::BadRequest);
        let thread_now: Thread = app.get(&format!("/threads/{}", thread.thread.id), coop.rep.auth()).await.expect(200);
        assert_eq!(thread_now.reply_count, 3);
    }
}
