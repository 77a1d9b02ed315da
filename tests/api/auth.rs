//! Accounts and sessions: registration rules, forged and stale access
//! tokens, refresh-token rotation with family revocation, logout, password
//! change, and group changes that apply on the very next request.

use quorum::config::Registration;
use quorum_tests::jwt::{self, sign, tamper_signature, unsigned, valid_claims, with_payload};
use quorum_tests::{assert_field_error, assert_problem, both_backends, Backend, TestApp, PASSWORD};
use quorum_types::{ErrorCode, Me, RegisterRequest, TokenPair};
use serde_json::{json, Value};

fn registration(username: &str, email: &str, password: &str) -> RegisterRequest {
    RegisterRequest {
        username: username.to_owned(),
        email: email.to_owned(),
        password: password.to_owned(),
        display_name: None,
        time_zone: None,
        refresh_cookie: false,
        invite: None,
    }
}

/// The refresh token of a body-mode pair.
fn token_of(pair: &TokenPair) -> &str {
    pair.refresh_token.as_deref().expect("a body-mode token pair carries its refresh token")
}

async fn refresh(app: &TestApp, token: &str) -> quorum_tests::Response {
    app.post("/auth/refresh", None, &json!({"refresh_token": token})).await
}

async fn closed_registration(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.registration = Registration::Closed).await else { return };
    let resp = app.post("/auth/register", None, &registration("newcomer", "new@coop.example", PASSWORD)).await;
    assert_problem(&resp, 403, ErrorCode::RegistrationClosed);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM users"), 0);
    // Admins made from the command line still sign in.
    let admin = app.admin().await;
    app.get("/me", admin.auth()).await.assert_status(200);
}

#[actix_web::test]
async fn closed_registration_refuses_newcomers_sqlite() {
    closed_registration(Backend::Sqlite).await;
}

#[actix_web::test]
async fn closed_registration_refuses_newcomers_postgres() {
    closed_registration(Backend::Postgres).await;
}

both_backends! {
    async fn registration_and_login_rules(app: TestApp) {
        let req = RegisterRequest {
            username: "Carys_1".to_owned(),
            email: "carys@coop.example".to_owned(),
            password: PASSWORD.to_owned(),
            display_name: Some("Carys".to_owned()),
            time_zone: Some("Europe/London".to_owned()),
            refresh_cookie: false,
            invite: None,
        };
        let pair: TokenPair = app.post("/auth/register", None, &req).await.expect(201);
        assert_eq!(pair.token_type.to_ascii_lowercase(), "bearer");
        assert!(pair.expires_in > 0 && pair.expires_in <= 15 * 60, "{}", pair.expires_in);
        assert_eq!(pair.user.username, "carys_1", "usernames are stored in lower case");
        assert_eq!(pair.user.display_name, "Carys");
        assert_eq!(pair.user.time_zone, "Europe/London");
        assert!(pair.user.groups.is_empty() && !pair.user.is_admin);
        let me: Me = app.get("/me", Some(&pair.access_token)).await.expect(200);
        assert_eq!(me, pair.user);

        let plain = app.register("dylan").await;
        assert_eq!(plain.me.time_zone, "UTC");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM users"), 2);

        // Refused registrations write nothing.
        let dup = app.post("/auth/register", None, &registration("CARYS_1", "other@coop.example", PASSWORD)).await;
        assert_problem(&dup, 409, ErrorCode::Conflict);
        let dup_email = app.post("/auth/register", None, &registration("someone", "carys@coop.example", PASSWORD)).await;
        assert_problem(&dup_email, 409, ErrorCode::Conflict);
        for (req, field) in [
            (registration("ab", "ab@coop.example", PASSWORD), "username"),
            (registration("no spaces", "sp@coop.example", PASSWORD), "username"),
            (registration("bang!", "bang@coop.example", PASSWORD), "username"),
            (registration(&"x".repeat(33), "long@coop.example", PASSWORD), "username"),
            (registration("shortpw", "pw@coop.example", "123456789"), "password"),
            (registration("longpw", "lpw@coop.example", &"p".repeat(1025)), "password"),
            (registration("noemail", "not-an-address", PASSWORD), "email"),
        ] {
            assert_field_error(&app.post("/auth/register", None, &req).await, field);
        }
        let mut bad_zone = registration("zoned", "zoned@coop.example", PASSWORD);
        bad_zone.time_zone = Some("Mars/Olympus_Mons".to_owned());
        assert_field_error(&app.post("/auth/register", None, &bad_zone).await, "time_zone");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM users"), 2);

        // Login by username (any case) or e-mail.
        let by_name = app.login("CARYS_1", PASSWORD).await;
        assert_eq!(by_name.me.id, pair.user.id);
        let by_email = app.login("carys@coop.example", PASSWORD).await;
        assert_eq!(by_email.me.id, pair.user.id);
        for (login, password) in [("carys_1", "wrong password!"), ("nobody", PASSWORD)] {
            let resp = app.post("/auth/login", None, &json!({"login": login, "password": password})).await;
            assert_problem(&resp, 401, ErrorCode::InvalidCredentials);
        }

        // No token, no /me.
        assert_problem(&app.get("/me", None).await, 401, ErrorCode::Unauthorized);
    }

    async fn forged_and_stale_access_tokens_are_refused(app: TestApp) {
        let alice = app.register("alice").await;
        let bob = app.register("bob").await;
        let secret = app.jwt_secret.clone();

        // Sanity: a token forged with the right secret and claims is accepted,
        // so each refusal below is down to the one thing changed.
        let good = sign(&valid_claims(alice.id()), &secret);
        let me: Me = app.get("/me", Some(&good)).await.expect(200);
        assert_eq!(me.id, alice.id());

        let now = chrono::Utc::now().timestamp();
        let mut cases: Vec<(&str, String)> = Vec::new();
        cases.push(("signature tampered", tamper_signature(&alice.access_token)));
        cases.push(("signed with another secret", sign(&valid_claims(alice.id()), "some-other-secret-some-other-secret!!")));
        cases.push(("payload swapped to another user", with_payload(&alice.access_token, &valid_claims(bob.id()))));
        cases.push(("alg none", unsigned(&valid_claims(alice.id()))));
        cases.push(("alg none, signature kept", {
            let signed = sign(&valid_claims(alice.id()), &secret);
            let none = unsigned(&valid_claims(alice.id()));
            format!("{}{}", none, signed.rsplit('.').next().unwrap_or_default())
        }));
        let mut edit = |label: &'static str, change: &dyn Fn(&mut serde_json::Map<String, Value>)| {
            let mut claims = valid_claims(alice.id());
            change(&mut claims);
            cases.push((label, sign(&claims, &secret)));
        };
        edit("expired an hour ago", &|c| {
            c.insert("iat".into(), json!(now - 2 * 3600));
            c.insert("exp".into(), json!(now - 3600));
        });
        edit("expired five minutes ago", &|c| {
            c.insert("iat".into(), json!(now - 1200));
            c.insert("exp".into(), json!(now - 300));
        });
        edit("wrong audience", &|c| {
            c.insert("aud".into(), json!("someone-else"));
        });
        edit("wrong issuer", &|c| {
            c.insert("iss".into(), json!("not-quorum"));
        });
        edit("user that does not exist", &|c| {
            c.insert("sub".into(), json!("987654321"));
        });
        edit("sub not a number", &|c| {
            c.insert("sub".into(), json!("alice"));
        });
        edit("old generation from the future", &|c| {
            c.insert("gen".into(), json!(7));
        });
        for claim in ["sub", "exp", "aud", "iss", "gen"] {
            let mut claims = valid_claims(alice.id());
            claims.remove(claim);
            cases.push((claim, sign(&claims, &secret)));
        }
        cases.push(("not a JWT", "definitely-not-a-token".to_owned()));
        cases.push(("empty", String::new()));

        for (label, token) in &cases {
            let resp = app.get("/me", Some(token)).await;
            assert_eq!(resp.status, 401, "{label}: {resp}");
            assert_problem(&resp, 401, ErrorCode::Unauthorized);
        }
        // A scheme other than Bearer.
        let basic = awc::Client::default()
            .get(format!("{}/api/v1/me", app.address))
            .insert_header(("Authorization", format!("Basic {}", jwt::base64url(b"alice:password"))))
            .send()
            .await
            .map(|r| r.status().as_u16());
        assert_eq!(basic.ok(), Some(401));

        // The real token still works: none of the above broke the account.
        app.get("/me", alice.auth()).await.assert_status(200);
    }

    async fn refresh_tokens_rotate_and_reuse_revokes_the_family(app: TestApp) {
        let first = app.register("rotor").await;
        let other_session = app.login("rotor", PASSWORD).await;

        let second: TokenPair = refresh(&app, &first.refresh_token).await.expect(200);
        assert_ne!(token_of(&second), first.refresh_token);
        assert_eq!(second.user.id, first.id());
        app.get("/me", Some(&second.access_token)).await.assert_status(200);
        let third: TokenPair = refresh(&app, token_of(&second)).await.expect(200);
        assert_ne!(token_of(&third), token_of(&second));

        // Reusing a spent token: refused, and the newest token of that family dies too.
        assert_problem(&refresh(&app, &first.refresh_token).await, 401, ErrorCode::InvalidRefreshToken);
        assert_problem(&refresh(&app, token_of(&third)).await, 401, ErrorCode::InvalidRefreshToken);
        assert_problem(&refresh(&app, token_of(&second)).await, 401, ErrorCode::InvalidRefreshToken);

        // Another family (another login) is untouched.
        let renewed: TokenPair = refresh(&app, &other_session.refresh_token).await.expect(200);
        app.get("/me", Some(&renewed.access_token)).await.assert_status(200);

        for garbage in ["", "not-a-refresh-token", &first.access_token] {
            assert_problem(&refresh(&app, garbage).await, 401, ErrorCode::InvalidRefreshToken);
        }
    }

    async fn logout_ends_every_session(app: TestApp) {
        let laptop = app.register("leaver").await;
        let phone = app.login("leaver", PASSWORD).await;
        app.get("/me", phone.auth()).await.assert_status(200);

        assert_problem(&app.post_empty("/auth/logout", None).await, 401, ErrorCode::Unauthorized);
        app.post_empty("/auth/logout", laptop.auth()).await.assert_status(204);

        for session in [&laptop, &phone] {
            assert_problem(&app.get("/me", session.auth()).await, 401, ErrorCode::Unauthorized);
            assert_problem(&refresh(&app, &session.refresh_token).await, 401, ErrorCode::InvalidRefreshToken);
        }
        // A token forged for the old generation is dead as well.
        let stale = sign(&valid_claims(laptop.id()), &app.jwt_secret);
        assert_problem(&app.get("/me", Some(&stale)).await, 401, ErrorCode::Unauthorized);

        let again = app.login("leaver", PASSWORD).await;
        app.get("/me", again.auth()).await.assert_status(200);
    }

    async fn refresh_tokens_issued_before_a_logout_or_password_change_stay_dead(app: TestApp) {
        let laptop = app.register("gener").await;
        let phone = app.login("gener", PASSWORD).await;
        // Rotated just before the logout: the newest token of its family.
        let rotated: TokenPair = refresh(&app, &laptop.refresh_token).await.expect(200);
        app.post_empty("/auth/logout", Some(&rotated.access_token)).await.assert_status(204);
        let before_logout = [laptop.refresh_token.clone(), token_of(&rotated).to_owned(), phone.refresh_token.clone()];
        for token in &before_logout {
            assert_problem(&refresh(&app, token).await, 401, ErrorCode::InvalidRefreshToken);
        }
        // Had any of them escaped the revocation (a race lost), the
        // generation it was issued at still gives it away.
        let escaped = "UPDATE refresh_tokens SET revoked_at = NULL";
        assert!(app.execute(escaped) >= 3);
        for token in &before_logout {
            assert_problem(&refresh(&app, token).await, 401, ErrorCode::InvalidRefreshToken);
        }
        assert_eq!(
            app.count("SELECT COUNT(*) AS n FROM refresh_tokens r JOIN users u ON u.id = r.user_id WHERE r.generation = u.token_generation"),
            0,
            "every token so far was issued before the logout"
        );

        // The same after a password change.
        let fresh = app.login("gener", PASSWORD).await;
        let kept: TokenPair = refresh(&app, &fresh.refresh_token).await.expect(200);
        let rotated: TokenPair = refresh(&app, token_of(&kept)).await.expect(200);
        let new_password = "another long passphrase 9";
        app.patch("/me", Some(&rotated.access_token), &json!({"password": new_password, "current_password": PASSWORD}))
            .await
            .assert_status(200);
        app.execute(escaped);
        for token in [fresh.refresh_token.as_str(), token_of(&kept), token_of(&rotated)] {
            assert_problem(&refresh(&app, token).await, 401, ErrorCode::InvalidRefreshToken);
        }

        // Tokens issued since work, and keep working after the staging above.
        let after = app.login("gener", new_password).await;
        let renewed: TokenPair = refresh(&app, &after.refresh_token).await.expect(200);
        app.execute(escaped);
        let again: TokenPair = refresh(&app, token_of(&renewed)).await.expect(200);
        app.get("/me", Some(&again.access_token)).await.assert_status(200);
    }

    async fn password_change_needs_the_current_one_and_signs_out_old_sessions(app: TestApp) {
        let user = app.register("changer").await;
        let new_password = "a brand new passphrase 7";

        let wrong = app
            .patch("/me", user.auth(), &json!({"password": new_password, "current_password": "not my password"}))
            .await;
        assert_field_error(&wrong, "current_password");
        let missing = app.patch("/me", user.auth(), &json!({"password": new_password})).await;
        assert_field_error(&missing, "current_password");
        let short = app.patch("/me", user.auth(), &json!({"password": "short", "current_password": PASSWORD})).await;
        assert_field_error(&short, "password");
        // Nothing changed: the old password and token still work.
        app.get("/me", user.auth()).await.assert_status(200);
        app.login("changer", PASSWORD).await;

        let me: Me = app
            .patch("/me", user.auth(), &json!({"password": new_password, "current_password": PASSWORD, "bio": "Hello"}))
            .await
            .expect(200);
        assert_eq!(me.bio, "Hello");

        assert_problem(&app.get("/me", user.auth()).await, 401, ErrorCode::Unauthorized);
        assert_problem(&refresh(&app, &user.refresh_token).await, 401, ErrorCode::InvalidRefreshToken);
        let old = app.post("/auth/login", None, &json!({"login": "changer", "password": PASSWORD})).await;
        assert_problem(&old, 401, ErrorCode::InvalidCredentials);
        let fresh = app.login("changer", new_password).await;
        let me: Me = app.get("/me", fresh.auth()).await.expect(200);
        assert_eq!(me.bio, "Hello");
    }

    async fn profile_updates(app: TestApp) {
        let user = app.register("profiled").await;
        let me: Me = app
            .patch("/me", user.auth(), &json!({"display_name": "Pro Filed", "time_zone": "Europe/Paris"}))
            .await
            .expect(200);
        assert_eq!((me.display_name.as_str(), me.time_zone.as_str()), ("Pro Filed", "Europe/Paris"));
        assert_field_error(&app.patch("/me", user.auth(), &json!({"time_zone": "Europe/Atlantis"})).await, "time_zone");
        let me: Me = app.get("/me", user.auth()).await.expect(200);
        assert_eq!(me.time_zone, "Europe/Paris", "a refused update changes nothing");
        assert_problem(&app.patch("/me", None, &json!({"bio": "x"})).await, 401, ErrorCode::Unauthorized);

        let profile: quorum_types::UserProfile = app.get("/users/profiled", user.auth()).await.expect(200);
        assert_eq!((profile.id, profile.display_name.as_str()), (user.id(), "Pro Filed"));
        let body = app.get("/users/profiled", user.auth()).await.text();
        assert!(!body.contains("profiled@coop.example"), "profiles do not show e-mail addresses: {body}");
        assert_problem(&app.get("/users/nobody-here", user.auth()).await, 404, ErrorCode::NotFound);
    }

    async fn group_changes_apply_on_the_next_request(app: TestApp) {
        let admin = app.admin().await;
        app.create_group(&admin, "board").await;
        let member = app.member(&admin, "boardie", &["board"]).await;
        let author = app.member(&admin, "chair", &["board"]).await;
        app.create_category(&admin, "general", &["signed-in"], &["signed-in"]).await;
        app.create_category(&admin, "boardroom", &["board"], &["board"]).await;
        let open = app.create_thread(&author, "general", "Open thread", "Hello all.", None).await;
        let report = app.reply(&author, open.thread.id, "For the board only.", None, Some(&["board"])).await;
        let minutes = app.create_thread(&author, "boardroom", "Minutes", "Minutes of the meeting.", None).await;

        let token = member.auth();
        app.get(&format!("/posts/{}", report.id), token).await.assert_status(200);
        app.get(&format!("/threads/{}", minutes.thread.id), token).await.assert_status(200);

        app.remove_member(&admin, "board", "boardie").await;
        // Same access token, next request.
        assert_problem(&app.get(&format!("/posts/{}", report.id), token).await, 404, ErrorCode::NotFound);
        assert_problem(&app.get(&format!("/threads/{}", minutes.thread.id), token).await, 404, ErrorCode::NotFound);
        assert_problem(&app.get("/categories/boardroom", token).await, 404, ErrorCode::NotFound);
        let me: Me = app.get("/me", token).await.expect(200);
        assert!(!me.groups.contains(&"board".to_owned()), "{me:?}");
        let refused = app.put_empty(&format!("/posts/{}/like", report.id), token).await;
        assert_problem(&refused, 404, ErrorCode::NotFound);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM likes"), 0);

        app.add_member(&admin, "board", "boardie").await;
        app.get(&format!("/posts/{}", report.id), token).await.assert_status(200);
        app.put_empty(&format!("/posts/{}/like", report.id), token).await.assert_status(200);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM likes"), 1);

        // Becoming an admin (and ceasing to be one) applies at once too.
        let outsider = app.register("outsider").await;
        assert_problem(&app.get(&format!("/threads/{}", minutes.thread.id), outsider.auth()).await, 404, ErrorCode::NotFound);
        app.add_member(&admin, "admins", "outsider").await;
        app.get(&format!("/threads/{}", minutes.thread.id), outsider.auth()).await.assert_status(200);
        app.remove_member(&admin, "admins", "outsider").await;
        assert_problem(&app.get(&format!("/threads/{}", minutes.thread.id), outsider.auth()).await, 404, ErrorCode::NotFound);
    }
}

/// A refresh that reads its token just before a logout commits, and
/// finishes just after, must not leave a live successor behind. PostgreSQL
/// only (SQLite runs one writer at a time): a connection of the test's own
/// holds the account row, so the logout stops between revoking the tokens
/// and bumping the generation, and the refresh is made to run into it there.
#[actix_web::test]
async fn a_refresh_racing_a_logout_leaves_no_live_token_postgres() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;

    let Some(app) = TestApp::spawn(Backend::Postgres).await else { return };
    let user = app.register("racer").await;
    let mut locker = diesel::PgConnection::establish(&app.database_url()).expect("a connection of the test's own");
    let tag = format!("locker-{:016x}", rand::random::<u64>());
    locker
        .batch_execute(&format!(
            "SET application_name = '{tag}'; BEGIN; SELECT id FROM users WHERE id = {} FOR UPDATE;",
            user.id()
        ))
        .expect("lock the account row");
    // Backends waiting on the locker (the logout), and on those (the refresh).
    let on_locker = format!(
        "SELECT COUNT(*) AS n FROM pg_stat_activity a JOIN pg_stat_activity l \
         ON l.application_name = '{tag}' AND l.pid = ANY(pg_blocking_pids(a.pid))"
    );
    let behind_that = format!(
        "SELECT COUNT(*) AS n FROM pg_stat_activity a JOIN pg_stat_activity b ON b.pid = ANY(pg_blocking_pids(a.pid)) \
         JOIN pg_stat_activity l ON l.application_name = '{tag}' AND l.pid = ANY(pg_blocking_pids(b.pid))"
    );
    let wait_for = |sql: String| {
        let app = &app;
        async move {
            for _ in 0..500 {
                if app.count(&sql) >= 1 {
                    return;
                }
                actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            panic!("nothing came to wait: {sql}");
        }
    };

    let address = app.address.clone();
    let access = user.access_token.clone();
    let logout = actix_web::rt::spawn(async move {
        awc::Client::default()
            .post(format!("{address}/api/v1/auth/logout"))
            .insert_header(("Authorization", format!("Bearer {access}")))
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    wait_for(on_locker).await;
    let address = app.address.clone();
    let refresh_token = user.refresh_token.clone();
    let refreshing = actix_web::rt::spawn(async move {
        let mut resp = awc::Client::default()
            .post(format!("{address}/api/v1/auth/refresh"))
            .send_json(&json!({"refresh_token": refresh_token}))
            .await
            .expect("refresh sent");
        let body = resp.body().await.expect("refresh body");
        (resp.status().as_u16(), String::from_utf8_lossy(&body).into_owned())
    });
    wait_for(behind_that).await;
    locker.batch_execute("COMMIT;").expect("release the account row");

    assert_eq!(logout.await.expect("logout task").ok(), Some(204));
    let (status, body) = refreshing.await.expect("refresh task");
    if status == 200 {
        // The refresh won its race: whatever it handed out is already dead.
        let pair: TokenPair = serde_json::from_str(&body).expect("a token pair");
        let me = app.get("/me", Some(&pair.access_token)).await;
        let renewed = refresh(&app, token_of(&pair)).await;
        assert!(me.status == 401 && renewed.status == 401, "the logout's race left a live session:\n{me}\n{renewed}");
    } else {
        assert_eq!(status, 401, "{body}");
    }
    assert_problem(&refresh(&app, &user.refresh_token).await, 401, ErrorCode::InvalidRefreshToken);
}
