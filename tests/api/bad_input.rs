//! Bad input to every write endpoint: a clear 4xx problem+json with the
//! right code, and not one row written or changed.

use actix_web::http::Method;
use quorum_tests::{assert_problem, both_backends, Response, TestApp, PASSWORD};
use quorum_types::ErrorCode;
use serde_json::{json, Map, Value};

/// A body just over the 1 MiB the server accepts.
const OVERSIZED: usize = (1 << 20) + 1024;

/// Row counts and content sizes of every table: any write shows up here.
fn snapshot(app: &TestApp) -> Vec<(String, i64)> {
    let mut sql: Vec<String> = [
        "users",
        "groups",
        "group_members",
        "audiences",
        "audience_groups",
        "categories",
        "threads",
        "posts",
        "post_revisions",
        "likes",
        "refresh_tokens",
        "settings",
    ]
    .iter()
    .map(|table| format!("SELECT COUNT(*) AS n FROM {table}"))
    .collect();
    let length = |table: &str, columns: &[&str]| {
        let sum: Vec<String> = columns.iter().map(|c| format!("LENGTH({c})")).collect();
        format!("SELECT CAST(COALESCE(SUM({}), 0) AS BIGINT) AS n FROM {table}", sum.join(" + "))
    };
    sql.push(length("users", &["username", "display_name", "bio", "time_zone", "email"]));
    sql.push(length("groups", &["slug", "name", "description"]));
    sql.push(length("categories", &["slug", "name", "description"]));
    sql.push(length("threads", &["title"]));
    sql.push(length("posts", &["body"]));
    sql.push("SELECT COUNT(*) AS n FROM posts WHERE edited_at IS NOT NULL".to_owned());
    sql.push("SELECT COUNT(*) AS n FROM threads WHERE pinned OR locked OR deleted_at IS NOT NULL".to_owned());
    sql.into_iter()
        .map(|q| {
            let n = app.count(&q);
            (q, n)
        })
        .collect()
}

/// One write endpoint and what a good request to it looks like.
struct Endpoint {
    method: Method,
    path: String,
    token: Option<String>,
    valid: Value,
    /// A required field to leave out (`None` when every field is optional).
    required: Option<&'static str>,
    /// A field and a value of the wrong JSON type for it.
    wrong_type: (&'static str, Value),
    /// A string field to blow up past the size limit.
    big: &'static str,
    /// Status of the good request, sent last to prove the endpoint was reachable.
    success: u16,
}

fn with(valid: &Value, field: &str, value: Value) -> Value {
    let mut map: Map<String, Value> = valid.as_object().cloned().unwrap_or_default();
    map.insert(field.to_owned(), value);
    Value::Object(map)
}

fn without(valid: &Value, field: &str) -> Value {
    let mut map: Map<String, Value> = valid.as_object().cloned().unwrap_or_default();
    map.remove(field);
    Value::Object(map)
}

async fn send(app: &TestApp, e: &Endpoint, content_type: &str, body: Vec<u8>) -> Response {
    app.send_bytes(e.method.clone(), &e.path, e.token.as_deref(), content_type, body).await
}

async fn check_endpoint(app: &TestApp, e: &Endpoint) {
    let before = snapshot(app);
    let json = "application/json";
    let bytes = |v: &Value| v.to_string().into_bytes();

    // Bodies that are not JSON at all: 400 bad_request.
    let unparsable: Vec<(&str, Vec<u8>)> = vec![
        ("malformed JSON", b"{,}".to_vec()),
        ("truncated JSON", {
            let mut text = e.valid.to_string();
            text.pop();
            text.into_bytes()
        }),
        ("trailing garbage", format!("{} extra", e.valid).into_bytes()),
        ("empty body", Vec::new()),
        ("invalid UTF-8", vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}']),
    ];
    for (label, body) in unparsable {
        let resp = send(app, e, json, body).await;
        assert_eq!(resp.status, 400, "{label}: {resp}");
        assert_problem(&resp, 400, ErrorCode::BadRequest);
    }

    // JSON of the wrong shape. Either a plain 400 bad_request, or a 422
    // validation_failed whose `errors` are keyed by request fields: the
    // offending one where serde names it (missing, unknown), else that
    // field or `body` (serde does not say which field has the wrong type),
    // but never a value taken from the body.
    let (wrong_field, wrong_value) = (e.wrong_type.0, e.wrong_type.1.clone());
    let mut misshapen: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        ("an array, not an object", b"[1, 2, 3]".to_vec(), vec!["body"]),
        ("a bare string", b"\"hello\"".to_vec(), vec!["body"]),
        ("wrong type", bytes(&with(&e.valid, wrong_field, wrong_value)), vec![wrong_field, "body"]),
        (
            "an object where a scalar goes",
            bytes(&with(&e.valid, wrong_field, json!({"nested": true}))),
            vec![wrong_field, "body"],
        ),
        ("unknown field", bytes(&with(&e.valid, "surprise", json!(1))), vec!["surprise"]),
    ];
    if let Some(field) = e.required {
        misshapen.push(("missing field", bytes(&without(&e.valid, field)), vec![field]));
    }
    for (label, body, allowed_keys) in misshapen {
        let resp = send(app, e, json, body).await;
        match resp.status {
            400 => {
                assert_problem(&resp, 400, ErrorCode::BadRequest);
            }
            422 => {
                let problem = assert_problem(&resp, 422, ErrorCode::ValidationFailed);
                let errors = problem.errors.unwrap_or_default();
                assert!(!errors.is_empty(), "{label}: validation_failed without errors: {resp}");
                assert!(
                    errors.keys().all(|k| allowed_keys.contains(&k.as_str())),
                    "{label}: errors should be keyed by one of {allowed_keys:?}, got {:?}: {resp}",
                    errors.keys().collect::<Vec<_>>()
                );
            }
            _ => panic!("{label}: expected 400 or 422, got {resp}"),
        }
    }

    for content_type in ["text/plain", "application/x-www-form-urlencoded", "application/xml"] {
        let resp = send(app, e, content_type, bytes(&e.valid)).await;
        assert_eq!(resp.status, 415, "{content_type}: {resp}");
        assert_problem(&resp, 415, ErrorCode::UnsupportedMediaType);
    }

    let huge = with(&e.valid, e.big, json!("x".repeat(OVERSIZED)));
    let resp = app.send_over_socket(e.method.clone(), &e.path, e.token.as_deref(), json, bytes(&huge)).await;
    assert_eq!(resp.status, 413, "oversized: {resp}");
    assert_problem(&resp, 413, ErrorCode::PayloadTooLarge);

    assert_eq!(snapshot(app), before, "{} {}: bad input changed the database", e.method, e.path);

    // The good request works, so the refusals above were about the input.
    let resp = send(app, e, json, bytes(&e.valid)).await;
    assert_eq!(resp.status, e.success, "valid request: {resp}");
}

both_backends! {
    async fn write_endpoints_refuse_bad_input_and_write_nothing(app: TestApp) {
        let admin = app.admin().await;
        app.create_group(&admin, "crew").await;
        let author = app.member(&admin, "author", &["crew"]).await;
        app.create_category(&admin, "general", &["signed-in"], &["signed-in"]).await;
        let thread = app.create_thread(&author, "general", "A thread", "Its first post.", None).await;
        let thread_id = thread.thread.id;
        let post = app.reply(&author, thread_id, "A reply.", None, None).await;
        let admin_token = Some(admin.access_token.clone());
        let author_token = Some(author.access_token.clone());

        let endpoints = vec![
            Endpoint {
                method: Method::POST,
                path: "/auth/register".into(),
                token: None,
                valid: json!({"username": "newbie", "email": "newbie@coop.example", "password": PASSWORD}),
                required: Some("email"),
                wrong_type: ("username", json!(42)),
                big: "display_name",
                success: 201,
            },
            Endpoint {
                method: Method::POST,
                path: "/auth/login".into(),
                token: None,
                valid: json!({"login": "author", "password": PASSWORD}),
                required: Some("password"),
                wrong_type: ("login", json!(["author"])),
                big: "password",
                success: 200,
            },
            Endpoint {
                method: Method::POST,
                path: "/auth/refresh".into(),
                token: None,
                valid: json!({"refresh_token": author.refresh_token}),
                required: Some("refresh_token"),
                wrong_type: ("refresh_token", json!(12)),
                big: "refresh_token",
                success: 200,
            },
            Endpoint {
                method: Method::PATCH,
                path: "/me".into(),
                token: author_token.clone(),
                valid: json!({"bio": "Making things."}),
                required: None,
                wrong_type: ("bio", json!(5)),
                big: "bio",
                success: 200,
            },
            Endpoint {
                method: Method::POST,
                path: "/groups".into(),
                token: admin_token.clone(),
                valid: json!({"slug": "newgroup", "name": "New group"}),
                required: Some("name"),
                wrong_type: ("slug", json!(true)),
                big: "description",
                success: 201,
            },
            Endpoint {
                method: Method::PATCH,
                path: "/groups/crew".into(),
                token: admin_token.clone(),
                valid: json!({"name": "The crew"}),
                required: None,
                wrong_type: ("name", json!(1)),
                big: "description",
                success: 200,
            },
            Endpoint {
                method: Method::POST,
                path: "/categories".into(),
                token: admin_token.clone(),
                valid: json!({"slug": "newcat", "name": "New category"}),
                required: Some("slug"),
                wrong_type: ("audience", json!("everyone")),
                big: "description",
                success: 201,
            },
            Endpoint {
                method: Method::PATCH,
                path: "/categories/general".into(),
                token: admin_token.clone(),
                valid: json!({"name": "General talk"}),
                required: None,
                wrong_type: ("position", json!("first")),
                big: "description",
                success: 200,
            },
            Endpoint {
                method: Method::POST,
                path: "/threads".into(),
                token: author_token.clone(),
                valid: json!({"category": "general", "title": "Another", "body": "Text."}),
                required: Some("title"),
                wrong_type: ("title", json!(3)),
                big: "body",
                success: 201,
            },
            Endpoint {
                method: Method::PATCH,
                path: format!("/threads/{thread_id}"),
                token: author_token.clone(),
                valid: json!({"title": "A better title"}),
                required: None,
                wrong_type: ("title", json!(5)),
                big: "title",
                success: 200,
            },
            Endpoint {
                method: Method::POST,
                path: format!("/threads/{thread_id}/posts"),
                token: author_token.clone(),
                valid: json!({"body": "One more."}),
                required: Some("body"),
                wrong_type: ("reply_to", json!("one")),
                big: "body",
                success: 201,
            },
            Endpoint {
                method: Method::PATCH,
                path: format!("/posts/{}", post.id),
                token: author_token.clone(),
                valid: json!({"body": "A reply, edited."}),
                required: Some("body"),
                wrong_type: ("body", json!(12)),
                big: "body",
                success: 200,
            },
        ];
        for endpoint in &endpoints {
            check_endpoint(&app, endpoint).await;
        }
    }

    async fn garbage_in_paths_and_queries_is_a_client_error(app: TestApp) {
        let user = app.register("prober").await;
        for path in [
            "/posts/abc",
            "/posts/-1",
            "/posts/99999999999999999999999",
            "/threads/1.5",
            "/threads/0/posts",
            "/posts/0/likes",
            "/categories/NOT%20A%20SLUG",
            "/threads?limit=abc",
            "/threads?limit=-3",
            "/threads?cursor=%ff%fe",
        ] {
            let resp = app.get(path, user.auth()).await;
            assert!((400..500).contains(&resp.status), "{resp}");
            assert!(resp.content_type.starts_with("application/problem+json"), "{resp}");
        }
        assert_problem(&app.get("/threads?limit=abc", user.auth()).await, 400, ErrorCode::BadRequest);
        let resp = app.send_bytes(Method::PUT, "/posts/abc/like", user.auth(), "application/json", "").await;
        assert!((400..500).contains(&resp.status), "{resp}");
    }
}
