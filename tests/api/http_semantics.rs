//! HTTP itself: 405 with `Allow` for a wrong method on a path that exists,
//! `Location` on every 201, and `WWW-Authenticate: Bearer` on every 401
//! (with the scheme read case-insensitively).

use std::collections::BTreeSet;

use actix_web::http::Method;
use quorum_tests::{assert_problem, both_backends, Account, Response, TestApp, PASSWORD};
use quorum_types::{Category, CreatedThread, ErrorCode, Group, Me, Post, Thread, TokenPair};
use serde_json::json;

fn allowed(resp: &Response) -> BTreeSet<String> {
    let allow = resp.header("allow").unwrap_or_else(|| panic!("no Allow header: {resp}"));
    allow.split(',').map(|m| m.trim().to_owned()).filter(|m| !m.is_empty()).collect()
}

fn set(methods: &[&str]) -> BTreeSet<String> {
    methods.iter().map(|m| (*m).to_owned()).collect()
}

#[track_caller]
fn assert_challenge(resp: &Response) {
    let challenge = resp.header("www-authenticate").unwrap_or_else(|| panic!("401 without WWW-Authenticate: {resp}"));
    assert!(challenge.to_ascii_lowercase().starts_with("bearer"), "{challenge:?}: {resp}");
}

/// A wrong method on a path that exists: 405 with `Allow`; unknown paths 404.
async fn a_wrong_method_is_405_with_allow(app: &TestApp, admin: &Account) {
    app.create_category(admin, "general", &["signed-in"], &["signed-in"]).await;
    let created = app.create_thread(admin, "general", "A thread", "Its first post.", None).await;
    let (thread, post) = (created.thread.id, created.post.id);
    let rows = || {
        ["threads", "posts", "likes", "categories", "groups"]
            .map(|t| app.count(&format!("SELECT COUNT(*) AS n FROM {t}")))
    };
    let before = rows();
    let cases: Vec<(Method, String, &[&str])> = vec![
        (Method::PUT, format!("/api/v1/threads/{thread}"), &["GET", "PATCH", "DELETE"]),
        (Method::PUT, "/api/v1/threads/987654321".to_owned(), &["GET", "PATCH", "DELETE"]),
        (Method::POST, format!("/api/v1/posts/{post}"), &["GET", "PATCH", "DELETE"]),
        (Method::DELETE, "/api/v1/threads".to_owned(), &["GET", "POST"]),
        (Method::PUT, format!("/api/v1/threads/{thread}/posts"), &["GET", "POST"]),
        (Method::POST, format!("/api/v1/posts/{post}/like"), &["PUT", "DELETE"]),
        (Method::GET, format!("/api/v1/posts/{post}/like"), &["PUT", "DELETE"]),
        (Method::DELETE, format!("/api/v1/posts/{post}/revisions"), &["GET"]),
        (Method::PATCH, "/api/v1/auth/login".to_owned(), &["POST"]),
        (Method::GET, "/api/v1/auth/logout".to_owned(), &["POST"]),
        (Method::GET, "/api/v1/setup".to_owned(), &["POST"]),
        (Method::DELETE, "/api/v1/site".to_owned(), &["GET"]),
        (Method::POST, "/api/v1/me".to_owned(), &["GET", "PATCH", "DELETE"]),
        (Method::PUT, "/api/v1/categories/general".to_owned(), &["GET", "PATCH", "DELETE"]),
        (Method::POST, "/api/v1/groups/admins/members/admin".to_owned(), &["PUT", "DELETE"]),
    ];
    for (method, path, methods) in &cases {
        // Signed in or not: the method is wrong before anything else is looked at.
        for token in [admin.auth(), None] {
            let resp = app.request(method.clone(), path, token, None).await;
            assert_problem(&resp, 405, ErrorCode::MethodNotAllowed);
            assert_eq!(allowed(&resp), set(methods), "Allow of {resp}");
        }
    }
    // With a body too, and the Allow header lists the methods in a stable order.
    let resp = app.put(&format!("/threads/{thread}"), admin.auth(), &json!({"title": "Replaced"})).await;
    assert_problem(&resp, 405, ErrorCode::MethodNotAllowed);
    assert_eq!(resp.header("allow"), Some("GET, PATCH, DELETE"), "{resp}");
    assert_eq!(rows(), before, "a 405 wrote something");

    // Paths that do not exist stay 404, whatever the method.
    for (method, path) in [
        (Method::GET, "/api/v1/nowhere"),
        (Method::PUT, "/api/v1/nowhere"),
        (Method::GET, "/api/v1/threads/1/nowhere"),
        (Method::POST, "/api/v1/posts/1/likes/2"),
        (Method::GET, "/api/v2/threads"),
        (Method::DELETE, "/api/v1"),
    ] {
        let resp = app.request(method, path, admin.auth(), None).await;
        assert_problem(&resp, 404, ErrorCode::NotFound);
        assert_eq!(resp.header("allow"), None, "{resp}");
    }
}

/// Every 201 says where the new resource lives.
async fn created_resources_have_a_location(app: &TestApp, admin: &Account) {
    let resp = app
        .post(
            "/auth/register",
            None,
            &json!({"username": "newbie", "email": "newbie@coop.example", "password": PASSWORD}),
        )
        .await;
    let pair: TokenPair = resp.expect(201);
    assert_eq!(resp.location(), "/api/v1/me");
    let me: Me = app.get(resp.location(), Some(&pair.access_token)).await.expect(200);
    assert_eq!(me, pair.user);

    let resp = app.post("/groups", admin.auth(), &json!({"slug": "crew", "name": "Crew"})).await;
    let group: Group = resp.expect(201);
    assert_eq!(resp.location(), "/api/v1/groups/crew");
    assert_eq!(group.slug, "crew");

    let resp = app
        .post("/categories", admin.auth(), &json!({"slug": "lounge", "name": "Lounge", "audience": ["signed-in"]}))
        .await;
    let category: Category = resp.expect(201);
    assert_eq!(resp.location(), "/api/v1/categories/lounge");
    let fetched: Category = app.get(resp.location(), admin.auth()).await.expect(200);
    assert_eq!(fetched.slug, category.slug);

    let resp =
        app.post("/threads", admin.auth(), &json!({"category": "lounge", "title": "Hello", "body": "First."})).await;
    let created: CreatedThread = resp.expect(201);
    assert_eq!(resp.location(), format!("/api/v1/threads/{}", created.thread.id));
    let fetched: Thread = app.get(resp.location(), admin.auth()).await.expect(200);
    assert_eq!(fetched, created.thread);

    let resp = app
        .post(&format!("/threads/{}/posts", created.thread.id), Some(&pair.access_token), &json!({"body": "Second."}))
        .await;
    let post: Post = resp.expect(201);
    assert_eq!(resp.location(), format!("/api/v1/posts/{}", post.id));
    let fetched: Post = app.get(resp.location(), admin.auth()).await.expect(200);
    assert_eq!(fetched.id, post.id);
    assert_eq!((fetched.number, fetched.body.as_str()), (post.number, "Second."));
}

/// Every 401 carries `WWW-Authenticate: Bearer`; the scheme is read case-insensitively.
async fn every_401_names_the_bearer_scheme(app: &TestApp) {
    let user = app.register("bearer").await;
    let mut refused = vec![
        app.get("/me", None).await,
        app.get("/me", Some("not-a-token")).await,
        app.post("/threads", None, &json!({"category": "general", "title": "T", "body": "B"})).await,
        app.post_empty("/auth/logout", None).await,
        app.get("/groups", None).await,
    ];
    for resp in refused.drain(..) {
        assert_problem(&resp, 401, ErrorCode::Unauthorized);
        assert_challenge(&resp);
    }
    for body in
        [json!({"login": "bearer", "password": "wrong password!"}), json!({"login": "nobody", "password": PASSWORD})]
    {
        let resp = app.post("/auth/login", None, &body).await;
        assert_problem(&resp, 401, ErrorCode::InvalidCredentials);
        assert_challenge(&resp);
    }
    let resp = app.post("/auth/refresh", None, &json!({"refresh_token": "not-a-refresh-token"})).await;
    assert_problem(&resp, 401, ErrorCode::InvalidRefreshToken);
    assert_challenge(&resp);

    // The scheme is case-insensitive; other schemes and malformed headers are 401.
    let token = &user.access_token;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let header = format!("{scheme} {token}");
        let resp = app.request_with_headers(Method::GET, "/me", &[("Authorization", &header)], None).await;
        let me: Me = resp.expect(200);
        assert_eq!(me.id, user.id(), "{scheme}");
    }
    for header in [
        format!("Basic {token}"),
        format!("Token {token}"),
        format!("Bearer{token}"),
        "Bearer".to_owned(),
        token.clone(),
    ] {
        let resp = app.request_with_headers(Method::GET, "/me", &[("Authorization", &header)], None).await;
        assert_problem(&resp, 401, ErrorCode::Unauthorized);
        assert_challenge(&resp);
    }
}

both_backends! {
    async fn methods_locations_and_challenges(app: TestApp) {
        let admin = app.admin().await;
        a_wrong_method_is_405_with_allow(&app, &admin).await;
        created_resources_have_a_location(&app, &admin).await;
        every_401_names_the_bearer_scheme(&app).await;
    }
}
