//! Bad input to every write endpoint: a clear 4xx problem+json with the
//! right code, and not one row written or changed.

use actix_web::http::Method;
use quorum_tests::{assert_problem, both_backends, jwt, query_value, Account, Response, TestApp, PASSWORD};
use quorum_types::{ErrorCode, Like, Page, Thread};
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
    let values: Vec<Value> = e.valid.as_object().map(|o| o.values().cloned().collect()).unwrap_or_default();
    let field_count = values.len().max(1);
    let mut misshapen: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        ("an array, not an object", b"[1, 2, 3]".to_vec(), vec!["body"]),
        ("a bare string", b"\"hello\"".to_vec(), vec!["body"]),
        // serde reads a struct from an array of its fields in order; a
        // body is an object, whatever the array holds.
        ("an array of nulls, one per field", bytes(&json!(vec![Value::Null; field_count])), vec!["body"]),
        ("an array of the fields' values", bytes(&Value::Array(values)), vec!["body"]),
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
                // `{}` is a refresh with the cookie.
                required: None,
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

    async fn setup_refuses_bad_input_and_writes_nothing(app: TestApp) {
        let token = app.setup_token.clone().expect("a forum without an admin has a setup token");
        let valid = json!({"token": token, "username": "founder", "email": "founder@coop.example", "password": PASSWORD});
        let nul = |field: &str, value: &str| {
            let mut body = valid.clone();
            body[field] = json!(format!("{value}\u{0}"));
            body
        };
        let before = snapshot(&app);
        let resp = app.post("/setup", None, &nul("token", &token)).await;
        assert_problem(&resp, 403, ErrorCode::Forbidden);
        for field in ["username", "email", "password", "display_name", "time_zone"] {
            let value = valid.get(field).and_then(Value::as_str).unwrap_or("UTC");
            quorum_tests::assert_field_error(&app.post("/setup", None, &nul(field, value)).await, field);
        }
        assert_eq!(snapshot(&app), before, "a NUL character got something written");
        check_endpoint(
            &app,
            &Endpoint {
                method: Method::POST,
                path: "/setup".into(),
                token: None,
                valid,
                required: Some("username"),
                wrong_type: ("email", json!(7)),
                big: "display_name",
                success: 201,
            },
        )
        .await;
    }

    async fn nul_characters_are_refused_and_write_nothing(app: TestApp) {
        let admin = app.admin().await;
        app.create_group(&admin, "crew").await;
        let author = app.member(&admin, "author", &["crew"]).await;
        let moderator = app.member(&admin, "moddy", &[quorum_types::GROUP_MODERATORS]).await;
        app.create_category(&admin, "general", &["signed-in"], &["signed-in"]).await;
        app.create_category(&admin, "other", &["signed-in"], &["signed-in"]).await;
        let thread_id = app.create_thread(&author, "general", "A thread", "Its first post.", None).await.thread.id;
        let post_id = app.reply(&author, thread_id, "A reply.", None, None).await.id;
        let (admin_token, author_token) = (admin.auth(), author.auth());
        let nul = |s: &str| format!("{s}\u{0}");

        enum Expect {
            /// 422 validation_failed naming the field.
            Field(&'static str),
            Problem(u16, ErrorCode),
            /// A reference to something by name: 422 naming the field, or 400
            /// bad_request (PostgreSQL refuses the NUL before any lookup).
            Reference(&'static str),
        }
        use Expect::{Field, Problem, Reference};
        let register = |field: &'static str, value: String| {
            let mut body = json!({"username": "newbie", "email": "newbie@coop.example", "password": PASSWORD});
            body[field] = json!(value);
            (Method::POST, "/auth/register".to_owned(), None, body, Field(field))
        };
        let threads = format!("/threads/{thread_id}");
        let posts = format!("/threads/{thread_id}/posts");
        let post = format!("/posts/{post_id}");
        type Case<'a> = (Method, String, Option<&'a str>, Value, Expect);
        fn by<'a>(token: Option<&'a str>) -> impl Fn(Method, &str, Value, Expect) -> Case<'a> + 'a {
            move |method, path, body, expect| (method, path.to_owned(), token, body, expect)
        }
        let (anyone, as_admin, as_author, as_moderator) = (by(None), by(admin_token), by(author_token), by(moderator.auth()));
        let bad_login = || Problem(401, ErrorCode::InvalidCredentials);
        let (post_, patch) = (Method::POST, Method::PATCH);
        let cases: Vec<Case> = vec![
            register("username", nul("newbie")),
            register("username", "new\u{0}bie".to_owned()),
            register("email", "newbie\u{0}@coop.example".to_owned()),
            register("password", nul(PASSWORD)),
            register("display_name", "New\u{0}bie".to_owned()),
            register("time_zone", nul("Europe/London")),
            anyone(post_.clone(), "/auth/login", json!({"login": nul("author"), "password": PASSWORD}), bad_login()),
            anyone(post_.clone(), "/auth/login", json!({"login": "\u{0}", "password": PASSWORD}), bad_login()),
            anyone(post_.clone(), "/auth/login", json!({"login": "author", "password": nul(PASSWORD)}), bad_login()),
            anyone(
                post_.clone(),
                "/auth/refresh",
                json!({"refresh_token": nul(&author.refresh_token)}),
                Problem(401, ErrorCode::InvalidRefreshToken),
            ),
            as_author(patch.clone(), "/me", json!({"display_name": nul("Author")}), Field("display_name")),
            as_author(patch.clone(), "/me", json!({"bio": nul("Bio")}), Field("bio")),
            as_author(patch.clone(), "/me", json!({"time_zone": nul("UTC")}), Field("time_zone")),
            as_author(
                patch.clone(),
                "/me",
                json!({"password": nul("a brand new passphrase"), "current_password": PASSWORD}),
                Field("password"),
            ),
            as_admin(post_.clone(), "/groups", json!({"slug": nul("newgroup"), "name": "New"}), Field("slug")),
            as_admin(post_.clone(), "/groups", json!({"slug": "newgroup", "name": nul("New")}), Field("name")),
            as_admin(
                post_.clone(),
                "/groups",
                json!({"slug": "newgroup", "name": "New", "description": nul("About")}),
                Field("description"),
            ),
            as_admin(patch.clone(), "/groups/crew", json!({"name": nul("Crew")}), Field("name")),
            as_admin(patch.clone(), "/groups/crew", json!({"description": nul("Crew")}), Field("description")),
            as_admin(post_.clone(), "/categories", json!({"slug": nul("newcat"), "name": "New"}), Field("slug")),
            as_admin(post_.clone(), "/categories", json!({"slug": "newcat", "name": nul("New")}), Field("name")),
            as_admin(
                post_.clone(),
                "/categories",
                json!({"slug": "newcat", "name": "New", "description": nul("About")}),
                Field("description"),
            ),
            as_admin(
                post_.clone(),
                "/categories",
                json!({"slug": "newcat", "name": "New", "audience": [nul("crew")]}),
                Field("audience"),
            ),
            as_admin(
                post_.clone(),
                "/categories",
                json!({"slug": "newcat", "name": "New", "posters": [nul("crew")]}),
                Field("posters"),
            ),
            as_admin(patch.clone(), "/categories/general", json!({"name": nul("General")}), Field("name")),
            as_admin(patch.clone(), "/categories/general", json!({"description": nul("About")}), Field("description")),
            as_admin(patch.clone(), "/categories/general", json!({"audience": [nul("crew")]}), Field("audience")),
            as_author(
                post_.clone(),
                "/threads",
                json!({"category": "general", "title": nul("Title"), "body": "Body."}),
                Field("title"),
            ),
            as_author(
                post_.clone(),
                "/threads",
                json!({"category": "general", "title": "Title", "body": nul("Body.")}),
                Field("body"),
            ),
            as_author(
                post_.clone(),
                "/threads",
                json!({"category": nul("general"), "title": "Title", "body": "Body."}),
                Reference("category"),
            ),
            as_author(
                post_.clone(),
                "/threads",
                json!({"category": "general", "title": "Title", "body": "Body.", "audience": [nul("crew")]}),
                Field("audience"),
            ),
            as_author(patch.clone(), &threads, json!({"title": nul("Title")}), Field("title")),
            as_moderator(patch.clone(), &threads, json!({"category": nul("other")}), Reference("category")),
            as_author(post_.clone(), &posts, json!({"body": nul("Reply.")}), Field("body")),
            as_author(post_.clone(), &posts, json!({"body": "Reply.", "audience": [nul("crew")]}), Field("audience")),
            as_author(patch.clone(), &post, json!({"body": nul("Edited.")}), Field("body")),
        ];
        let before = snapshot(&app);
        let mut wrong = Vec::new();
        for (method, path, token, body, expect) in &cases {
            let resp = app.send_bytes(method.clone(), path, *token, "application/json", body.to_string()).await;
            let problem_json = resp.content_type.starts_with("application/problem+json");
            let names = |field: &str| {
                resp.status == 422
                    && problem_json
                    && resp.problem().code == ErrorCode::ValidationFailed
                    && resp.problem().errors.unwrap_or_default().get(field).is_some_and(|m| !m.is_empty())
            };
            let ok = match expect {
                Field(field) => names(field),
                Problem(status, code) => resp.status == *status && problem_json && resp.problem().code == *code,
                Reference(field) => {
                    names(field) || (resp.status == 400 && problem_json && resp.problem().code == ErrorCode::BadRequest)
                }
            };
            if !ok {
                let wanted = match expect {
                    Field(field) => format!("422 validation_failed on {field}"),
                    Problem(status, code) => format!("{status} {}", code.as_str()),
                    Reference(field) => format!("400 bad_request or 422 on {field}"),
                };
                wrong.push(format!("expected {wanted}: {resp}"));
            }
        }
        assert!(wrong.is_empty(), "{} NUL cases mishandled:\n{}", wrong.len(), wrong.join("\n"));
        assert_eq!(snapshot(&app), before, "a NUL character got something written");
        // The account still works as before.
        app.login("author", PASSWORD).await;
    }

    async fn garbage_in_paths_and_queries_is_a_client_error(app: TestApp) {
        let user = app.register("prober").await;
        let admin = app.admin().await;
        app.create_category(&admin, "general", &["signed-in"], &["signed-in"]).await;
        let created = app.create_thread(&admin, "general", "A thread", "Its first post.", None).await;
        for n in 0..3 {
            app.create_thread(&admin, "general", &format!("Thread {n}"), "Body.", None).await;
        }
        app.put_empty(&format!("/posts/{}/like", created.post.id), user.auth()).await.assert_status(200);
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

        nul_in_a_url_is_a_bad_request(&app, &admin, created.thread.id).await;
        crafted_cursors_out_of_range_are_invalid_cursors(&app, &user, created.post.id).await;
    }
}

/// `%00` anywhere in the URL: 400 bad_request, whatever the route.
async fn nul_in_a_url_is_a_bad_request(app: &TestApp, admin: &Account, thread_id: i64) {
    let before = snapshot(app);
    let token = admin.auth();
    for (method, path) in [
        (Method::GET, format!("/threads/{thread_id}%00")),
        (Method::GET, "/categories/general%00".to_owned()),
        (Method::GET, "/users/admin%00".to_owned()),
        (Method::GET, "/groups/admins%00/members".to_owned()),
        (Method::GET, "/threads?category=general%00".to_owned()),
        (Method::GET, "/threads?category=%00".to_owned()),
        (Method::GET, "/threads?cursor=%00".to_owned()),
        (Method::GET, format!("/threads/{thread_id}/posts?limit=%00")),
        (Method::GET, "/nowhere%00".to_owned()),
        (Method::DELETE, "/categories/general%00".to_owned()),
        (Method::PUT, "/groups/admins/members/admin%00".to_owned()),
        (Method::DELETE, format!("/threads/{thread_id}?x=%00")),
    ] {
        let resp = app.request(method, &path, token, None).await;
        assert_problem(&resp, 400, ErrorCode::BadRequest);
    }
    assert_problem(&app.get("/threads?category=%00", None).await, 400, ErrorCode::BadRequest);
    assert_eq!(snapshot(app), before);
    // Without the NUL the same requests are fine.
    app.get("/categories/general", token).await.assert_status(200);
    app.get(&format!("/threads/{thread_id}"), token).await.assert_status(200);
}

/// Cursors that decode, but to times no store holds: 400 invalid_cursor.
/// `liked_post` has a like, and `general` more than two threads.
async fn crafted_cursors_out_of_range_are_invalid_cursors(app: &TestApp, other: &Account, liked_post: i64) {
    let cursor = |raw: &str| query_value(&jwt::base64url(raw.as_bytes()));
    let likes = format!("/posts/{liked_post}/likes");
    let mut cases: Vec<String> = Vec::new();
    for time in ["-1000000000000000000", "-1", "9223372036854775807", "-9223372036854775808", "253402300800000000"] {
        for list in ["/threads", "/threads?category=general&"] {
            let separator = if list.ends_with('&') { "" } else { "?" };
            cases.push(format!("{list}{separator}cursor={}", cursor(&format!("v1:0,{time},1"))));
            cases.push(format!("{list}{separator}cursor={}", cursor(&format!("v1:1,{time},1"))));
        }
        cases.push(format!("{likes}?cursor={}", cursor(&format!("v1:{time},1"))));
    }
    let mut wrong = Vec::new();
    for path in &cases {
        let resp = app.get(path, other.auth()).await;
        let ok = resp.status == 400
            && resp.content_type.starts_with("application/problem+json")
            && resp.problem().code == ErrorCode::InvalidCursor;
        if !ok {
            wrong.push(resp.to_string());
        }
    }
    assert!(wrong.is_empty(), "{} crafted cursors not refused as invalid_cursor:\n{}", wrong.len(), wrong.join("\n"));

    // Sanity: cursors of the same shape the lists issue are accepted.
    let page: Page<Thread> = app.page("/threads?limit=2", other.auth()).await;
    let issued = page.next_cursor.expect("a second page");
    app.page::<Thread>(&format!("/threads?limit=2&cursor={}", query_value(&issued)), other.auth()).await;
    app.page::<Like>(&format!("{likes}?cursor={}", cursor("v1:1700000000000000,1")), other.auth()).await;
}
