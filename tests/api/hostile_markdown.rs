//! Hostile post bodies: each one is either rendered to sanitised HTML or
//! refused with a 422 that names the limit, never a 5xx, and a refused one
//! writes nothing. Images stay on this site; bare URLs become links.

use actix_web::http::Method;
use quorum_tests::html::assert_safe_link;
use quorum_tests::{assert_field_error, assert_problem, both_backends, Account, Response, TestApp, PASSWORD};
use quorum_types::{ErrorCode, LoginRequest, Post, Preview};
use serde_json::json;

/// What a hostile body should come to.
enum Expect {
    Rendered,
    /// Refused, with a message on `body` containing this.
    Refused(&'static str),
}

fn corpus() -> Vec<(&'static str, String, Expect)> {
    use Expect::{Refused, Rendered};
    let nested = |unit: &str, times: usize| format!("{}a", unit.repeat(times));
    let wide_table = format!("{}|\n{}|\n{}", "|a".repeat(2_000), "|-".repeat(2_000), "x\n".repeat(40));
    let open_formatting: String = (0..40).map(|n| format!("<b title=\"{n}\">")).collect();
    vec![
        ("99,000 >", ">".repeat(99_000), Refused("quotes and lists may nest at most 16 levels; this post nests 99000")),
        ("30,000 >", ">".repeat(30_000), Refused("quotes and lists may nest at most 16 levels; this post nests 30000")),
        ("lists nested by marker", nested("- ", 5_000), Refused("this post nests 5000")),
        (
            "lists nested by indentation",
            (0..300).map(|n| format!("{}- a\n", "  ".repeat(n))).collect(),
            Refused("this post nests 300"),
        ),
        ("> - 1. > mixed", nested("> - 1. ", 1_000), Refused("this post nests 3000")),
        ("16 levels, allowed", format!("{}> a", "> - 1. ".repeat(5)), Rendered),
        ("2,000 columns x 40 rows", wide_table, Refused("a table may have at most 10000 cells")),
        ("links [a](b)", "[a](https://b.example/) ".repeat(4_000), Rendered),
        ("brackets [[[[", "[".repeat(99_000), Rendered),
        ("nested brackets", format!("{}a{}", "[".repeat(40_000), "](b)".repeat(10_000)), Rendered),
        ("* runs", "*".repeat(99_000), Rendered),
        ("*a runs", "*a".repeat(49_000), Rendered),
        ("_ runs", "_a".repeat(49_000), Rendered),
        ("1 MB line", "a".repeat(1_000_000), Refused("must be at most 100000 characters, not 1000000")),
        (
            "20,000 <div>",
            "<div>".repeat(20_000),
            Refused("a post may contain at most 1000 HTML tags; this one has 20000"),
        ),
        ("open formatting tags", format!("{open_formatting}\n\n{}", "x\n\n".repeat(20_000)), Refused("repeated")),
        (
            "open <div> before paragraphs",
            format!("{}\n\n{}", "<div>".repeat(900), "x\n\n".repeat(20_000)),
            Refused("HTML elements such as <div>"),
        ),
    ]
}

#[track_caller]
fn assert_sanitised(html: &str, case: &str) {
    let lower = html.to_ascii_lowercase();
    for banned in ["<script", "javascript:", "onerror", "<iframe"] {
        assert!(!lower.contains(banned), "{case}: {banned} in the HTML");
    }
}

#[track_caller]
fn assert_refused(resp: &Response, case: &str, reason: &str) {
    let problem = assert_field_error(resp, "body");
    let messages = problem.errors.unwrap_or_default().remove("body").unwrap_or_default();
    assert!(messages.iter().any(|m| m.contains(reason)), "{case}: {messages:?} does not say {reason:?}");
}

fn posts(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) AS n FROM posts")
}

async fn forum(app: &TestApp) -> (Account, i64) {
    let admin = app.admin().await;
    app.create_category(&admin, "general", &["signed-in"], &["signed-in"]).await;
    let author = app.register("author").await;
    let thread = app.create_thread(&author, "general", "Hostile input", "Opening post.", None).await;
    (author, thread.thread.id)
}

both_backends! {
    async fn hostile_bodies_are_rendered_or_refused_with_the_limit(app: TestApp) {
        let (author, thread) = forum(&app).await;
        for (case, body, expect) in corpus() {
            let before = posts(&app);
            let preview = app.post("/api/v1/preview", author.auth(), &json!({ "body": body })).await;
            let reply = app.post(&format!("/threads/{thread}/posts"), author.auth(), &json!({ "body": body })).await;
            match expect {
                Expect::Rendered => {
                    let preview: Preview = preview.expect(200);
                    let reply: Post = reply.expect(201);
                    assert_sanitised(&preview.body_html, case);
                    assert_eq!(preview.body_html, reply.body_html, "{case}: the preview shows what posting shows");
                    assert_eq!(posts(&app), before + 1, "{case}");
                }
                Expect::Refused(reason) => {
                    assert_refused(&preview, case, reason);
                    assert_refused(&reply, case, reason);
                    assert_eq!(posts(&app), before, "{case}: a refused reply writes nothing");
                }
            }
        }
    }

    async fn nul_and_lone_surrogates_are_client_errors(app: TestApp) {
        let (author, thread) = forum(&app).await;
        let before = posts(&app);
        let nul = json!({ "body": "a\u{0}b" });
        assert_field_error(&app.post("/api/v1/preview", author.auth(), &nul).await, "body");
        assert_field_error(&app.post(&format!("/threads/{thread}/posts"), author.auth(), &nul).await, "body");
        // JSON can escape half a UTF-16 pair, which is no character at all.
        for path in ["/api/v1/preview".to_owned(), format!("/threads/{thread}/posts")] {
            for body in [r#"{"body":"\ud800"}"#, r#"{"body":"a\udfffb"}"#, r#"{"body":"\ud800\u0041"}"#] {
                let resp = app.send_bytes(Method::POST, &path, author.auth(), "application/json", body).await;
                assert_problem(&resp, 400, ErrorCode::BadRequest);
            }
        }
        assert_eq!(posts(&app), before);
    }

    async fn bodies_are_judged_before_any_lookup_or_lock(app: TestApp) {
        // Rendering happens before the database is touched, so a hostile
        // body is refused even for a thread that does not exist (which
        // tells nothing: every thread id gets the same answer), and a good
        // body reaches the lookup.
        let (author, thread) = forum(&app).await;
        let missing = thread + 1_000;
        let deep = json!({ "body": ">".repeat(30_000) });
        assert_refused(&app.post(&format!("/threads/{missing}/posts"), author.auth(), &deep).await, "missing thread", "nests 30000");
        assert_problem(
            &app.post(&format!("/threads/{missing}/posts"), author.auth(), &json!({ "body": "fine" })).await,
            404,
            ErrorCode::NotFound,
        );
        let first = app.get(&format!("/threads/{thread}/posts"), author.auth()).await.expect::<quorum_types::Page<Post>>(200);
        let edit = app.patch(&format!("/posts/{}", first.items[0].id), author.auth(), &deep).await;
        assert_refused(&edit, "edit", "nests 30000");
        let thread_start = json!({ "category": "nowhere", "title": "t", "body": ">".repeat(30_000) });
        assert_refused(&app.post("/threads", author.auth(), &thread_start).await, "new thread", "nests 30000");

        // A slow but allowed post and a login sent meanwhile both complete.
        let slow = format!("{}\n\n{}", "<div>".repeat(100), "x\n\n".repeat(19_000));
        let login = LoginRequest { login: "author".into(), password: PASSWORD.into(), refresh_cookie: false };
        let path = format!("/threads/{thread}/posts");
        let slow = json!({ "body": slow });
        let (posted, signed_in) = tokio::join!(
            app.post(&path, author.auth(), &slow),
            app.post("/auth/login", None, &login),
        );
        posted.assert_status(201);
        signed_in.assert_status(200);
    }

    async fn images_load_only_from_this_site(app: TestApp) {
        let (author, thread) = forum(&app).await;
        let reply = app
            .reply(
                &author,
                thread,
                "![logo](https://tracker.example/p.png) ![](//cdn.example/q.png)\n\n![x](/uploads/a.png)\n\n\
                 <img src=\"https://x.example/a.png\" alt=\"raw\"> <img src=\"//x.example/b.png\">",
                None,
                None,
            )
            .await;
        let html = &reply.body_html;
        assert_safe_link(html, "https://tracker.example/p.png");
        assert!(html.contains(">logo</a>"), "the alt text is the link's text: {html}");
        assert_safe_link(html, "//cdn.example/q.png");
        assert!(html.contains(r#"<img src="/uploads/a.png" alt="x">"#), "{html}");
        assert!(!html.contains("x.example"), "a raw <img> keeps no off-site source: {html}");
        for tag in html.split("<img").skip(1) {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            assert!(!tag.contains("src=\"http") && !tag.contains("src=\"//"), "off-site image source: {tag}");
        }
    }

    async fn bare_urls_become_links(app: TestApp) {
        let (author, thread) = forum(&app).await;
        let reply = app
            .reply(
                &author,
                thread,
                "Newsletter: https://example.coop/newsletter. Archive at www.example.coop!\n\n\
                 Code: `https://in.code.example/x` and javascript:alert(1)",
                None,
                None,
            )
            .await;
        let html = &reply.body_html;
        assert_safe_link(html, "https://example.coop/newsletter");
        assert!(html.contains(">https://example.coop/newsletter</a>."), "trailing punctuation stays outside: {html}");
        assert_safe_link(html, "https://www.example.coop");
        assert!(html.contains("<code>https://in.code.example/x</code>"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert_eq!(html.matches("<a ").count(), 2, "{html}");
    }
}
