//! Uploads: what is taken (size, types read from the bytes), how it is
//! served (never as a page), and who reads it: an upload has the audience
//! of the post it is in, decided at every request, so its URL answers 404
//! once the audience narrows, the post is hidden or deleted, or the viewer
//! loses the group; before it is in a post, only its uploader reads it.
//! Unused uploads are swept; a refused upload leaves nothing behind.

use std::path::Path;
use std::time::Duration;

use actix_web::http::Method;
use quorum_tests::{assert_problem, both_backends, Account, Backend, Response, TestApp, PASSWORD};
use quorum_types::{CreatedToken, ErrorCode, LoginRequest, Post, Problem, TokenPair, Upload};
use serde_json::json;

/// The size limit of these tests' servers.
const MAX_BYTES: u64 = 64 * 1024;

/// A real 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xd0, 0xab, 0x35, 0x02, 0x00, 0x01, 0xba, 0x00, 0xde, 0xc4, 0x8a, 0xbf, 0x88,
    0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn spawn(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| s.uploads.max_bytes = MAX_BYTES).await
}

/// `POST /uploads?filename=…` with these bytes and this claimed type.
async fn upload(app: &TestApp, token: Option<&str>, filename: &str, content_type: &str, bytes: &[u8]) -> Response {
    let path = format!("/uploads?filename={}", quorum_tests::query_value(filename));
    app.send_bytes(Method::POST, &path, token, content_type, bytes.to_vec()).await
}

async fn uploaded(app: &TestApp, who: &Account, filename: &str, bytes: &[u8]) -> Upload {
    upload(app, who.auth(), filename, "application/octet-stream", bytes).await.expect(201)
}

/// Files under the server's upload directory (temporary ones included).
fn files_on_disk(app: &TestApp) -> usize {
    fn walk(dir: &Path) -> usize {
        let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
        entries.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum()
    }
    app.upload_dir.as_deref().map_or(0, walk)
}

fn rows(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) AS n FROM uploads")
}

/// What a missing resource answers this viewer: the body an unreadable
/// upload must answer too.
async fn missing(app: &TestApp, token: Option<&str>) -> Problem {
    let resp = app.get("/uploads/00000000000000000000000000000000/nothing.png", token).await;
    assert_problem(&resp, 404, ErrorCode::NotFound)
}

#[track_caller]
fn assert_serves(resp: &Response, bytes: &[u8]) {
    assert_eq!(resp.status, 200, "{resp}");
    assert_eq!(resp.body, bytes, "{}", resp.request);
}

/// 404, with exactly the body of a missing resource, and no byte of the file.
async fn assert_hidden(app: &TestApp, url: &str, token: Option<&str>, who: &str) {
    let resp = app.get(url, token).await;
    assert_eq!(resp.status, 404, "{who} must get 404 for {url}: {resp}");
    assert_eq!(resp.problem(), missing(app, token).await, "{who}: the 404 must be that of a missing resource");
}

both_backends! {
    spawn = spawn;

    async fn types_come_from_the_bytes_and_nothing_is_served_as_a_page(app: TestApp) {
        let admin = app.admin().await;
        let member = app.register("uploader").await;

        // A PNG claimed to be HTML is a PNG, shown inline, never sniffed.
        let image = upload(&app, member.auth(), "pixel.png", "text/html", PNG).await.expect::<Upload>(201);
        assert_eq!(image.content_type, "image/png");
        assert_eq!(image.size, PNG.len() as i64);
        assert!(!image.in_post);
        assert!(image.url.starts_with(&format!("/api/v1/uploads/{}/", image.id)), "{image:?}");
        assert_eq!(image.markdown, format!("![pixel.png]({})", image.url));
        let resp = app.get(&image.url, member.auth()).await;
        assert_serves(&resp, PNG);
        assert_eq!(resp.header("content-type"), Some("image/png"));
        assert_eq!(resp.header("x-content-type-options"), Some("nosniff"));
        let csp = resp.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("sandbox") && csp.contains("default-src 'none'"), "{csp}");
        assert!(resp.header("content-disposition").unwrap_or_default().starts_with("inline"), "{resp:?}");
        assert_eq!(resp.header("cache-control"), Some("private, no-cache"));

        // A PDF and text are downloaded, never shown in the page.
        let pdf = uploaded(&app, &member, "Board report.pdf", PDF).await;
        assert_eq!((pdf.content_type.as_str(), pdf.markdown.starts_with('[')), ("application/pdf", true), "{pdf:?}");
        let resp = app.get(&pdf.url, member.auth()).await;
        assert_serves(&resp, PDF);
        assert_eq!(resp.header("content-type"), Some("application/pdf"));
        let disposition = resp.header("content-disposition").unwrap_or_default();
        assert!(disposition.starts_with("attachment;") && disposition.contains("Board%20report.pdf"), "{disposition}");
        let text = uploaded(&app, &member, "minutes.txt", "Minutes: agreed.\n".as_bytes()).await;
        let resp = app.get(&text.url, member.auth()).await;
        assert_eq!(resp.header("content-type"), Some("text/plain; charset=utf-8"));
        assert!(resp.header("content-disposition").unwrap_or_default().starts_with("attachment;"));

        // Names lose their paths; the name in the URL does not matter.
        let odd = uploaded(&app, &member, "../../etc/passwd", b"root:x:0:0\n").await;
        assert_eq!(odd.filename, "passwd");
        assert_serves(&app.get(&format!("/api/v1/uploads/{}/anything.html", odd.id), member.auth()).await, b"root:x:0:0\n");

        let (before_rows, before_files) = (rows(&app), files_on_disk(&app));
        assert_eq!(before_files as i64, before_rows, "one file per upload");
        // HTML, SVG, scripts in text, executables: refused whatever their name or claimed type.
        for (name, claimed, bytes) in [
            ("cat.png", "image/png", &b"<!DOCTYPE html><html><script>alert(document.cookie)</script>"[..]),
            ("logo.svg", "image/svg+xml", b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"),
            ("notes.txt", "text/plain", b"see <script>alert(1)</script>"),
            ("setup.exe", "application/octet-stream", b"MZ\x90\x00\x03\x00\x00\x00"),
            ("data.bin", "application/octet-stream", b"\x00\x01\x02\x03"),
        ] {
            let resp = upload(&app, member.auth(), name, claimed, bytes).await;
            assert_problem(&resp, 415, ErrorCode::UnsupportedMediaType);
        }
        // Too large (by the announced length): 413, saying the limit.
        let big = vec![b'a'; MAX_BYTES as usize + 1];
        let resp = upload(&app, member.auth(), "big.txt", "text/plain", &big).await;
        let problem = assert_problem(&resp, 413, ErrorCode::PayloadTooLarge);
        assert!(problem.detail.contains("64 KiB"), "{problem:?}");
        // Exactly the limit is taken.
        let fits = vec![b'a'; MAX_BYTES as usize];
        upload(&app, member.auth(), "fits.txt", "text/plain", &fits).await.assert_status(201);
        // Empty: 422.
        let resp = upload(&app, member.auth(), "empty.txt", "text/plain", b"").await;
        assert_problem(&resp, 422, ErrorCode::ValidationFailed);
        // No name: 400.
        let resp = app.send_bytes(Method::POST, "/uploads", member.auth(), "image/png", PNG.to_vec()).await;
        assert_problem(&resp, 400, ErrorCode::BadRequest);
        // Nobody signed in, and a token that may only read: refused before anything is stored.
        let resp = upload(&app, None, "pixel.png", "image/png", PNG).await;
        assert_problem(&resp, 401, ErrorCode::Unauthorized);
        let token: CreatedToken =
            app.post("/me/tokens", member.auth(), &json!({"name": "reader", "scopes": ["read"]})).await.expect(201);
        let resp = upload(&app, Some(&token.secret), "pixel.png", "image/png", PNG).await;
        assert_problem(&resp, 403, ErrorCode::InsufficientScope);
        // A suspended member uploads nothing.
        app.put(
            &format!("/admin/users/{}/suspension", member.username),
            admin.auth(),
            &json!({"reason": "cooling off"}),
        )
        .await
        .assert_status(200);
        let resp = upload(&app, member.auth(), "pixel.png", "image/png", PNG).await;
        assert_problem(&resp, 403, ErrorCode::AccountSuspended);

        // Of all the refused uploads, not a row and not a file.
        assert_eq!(rows(&app), before_rows + 1, "only `fits.txt` was added");
        assert_eq!(files_on_disk(&app) as i64, before_rows + 1, "no file of a refused upload stays on disk");
        // Each upload recorded its event.
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM events WHERE kind = 'upload.created'"), before_rows + 1);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) AS n FROM events WHERE kind = 'upload.created' AND actor_id = {} AND target = 'upload:{}'",
                member.id(),
                image.id
            )),
            1
        );
    }

    async fn an_attachment_has_the_audience_of_its_post(app: TestApp) {
        let admin = app.admin().await;
        app.create_group(&admin, "board").await;
        app.create_group(&admin, "workers").await;
        let author = app.member(&admin, "author", &["board", "workers"]).await;
        let board = app.member(&admin, "boardmember", &["board", "workers"]).await;
        let worker = app.member(&admin, "worker", &["workers"]).await;
        let outsider = app.register("outsider").await;
        let suspended = app.member(&admin, "suspended", &["board", "workers"]).await;
        app.create_category(&admin, "news", &["everyone"], &["signed-in"]).await;

        // Before it is in a post: the uploader's alone (not even an admin's).
        let photo = uploaded(&app, &author, "site visit.png", PNG).await;
        let report = uploaded(&app, &author, "board-report.pdf", PDF).await;
        assert_serves(&app.get(&photo.url, author.auth()).await, PNG);
        for (who, token) in [("admin", admin.auth()), ("board", board.auth()), ("anonymous", None)] {
            assert_hidden(&app, &photo.url, token, who).await;
        }

        // Someone else referencing it does not take it: it stays the uploader's.
        let thread = app.create_thread(&worker, "news", "Site visit", &format!("Look: {}", photo.markdown), None).await;
        assert_hidden(&app, &photo.url, None, "anonymous, after another member's post").await;
        assert_eq!(app.count(&format!("SELECT COUNT(*) AS n FROM uploads WHERE id = '{}' AND post_id IS NULL", photo.id)), 1);

        // The author's public reply takes the photo; a Board-only reply the report.
        let public = app.reply(&author, thread.thread.id, &format!("Photos: {}", photo.markdown), None, None).await;
        assert!(public.body_html.contains(&format!("<img src=\"{}\"", photo.url)), "inline: {}", public.body_html);
        let private = app
            .reply(&author, thread.thread.id, &format!("The report: {}", report.markdown), None, Some(&["board"]))
            .await;
        assert!(private.body_html.contains(&format!("href=\"{}\"", report.url)), "a link: {}", private.body_html);
        assert!(!private.body_html.contains("<img"), "{}", private.body_html);

        // Who reads what: exactly who reads the post.
        for (who, token) in [
            ("author", author.auth()),
            ("board", board.auth()),
            ("worker", worker.auth()),
            ("outsider", outsider.auth()),
            ("anonymous", None),
            ("admin", admin.auth()),
        ] {
            assert_serves(&app.get(&photo.url, token).await, PNG);
            let readable = app.get(&format!("/posts/{}", private.id), token).await.status == 200;
            if readable {
                assert_serves(&app.get(&report.url, token).await, PDF);
            } else {
                assert_hidden(&app, &report.url, token, who).await;
            }
            assert_eq!(readable, ["author", "board", "admin"].contains(&who), "{who}");
        }

        // A suspended member reads nothing (as for the post itself), the file included.
        app.put("/admin/users/suspended/suspension", admin.auth(), &json!({"reason": "r"})).await.assert_status(200);
        let as_post = app.get(&format!("/posts/{}", private.id), suspended.auth()).await;
        let resp = app.get(&report.url, suspended.auth()).await;
        assert_eq!((resp.status, resp.problem().code), (as_post.status, as_post.problem().code), "{resp}");
        assert_ne!(resp.body, PDF);

        // The thread's category narrows to the workers: the photo goes with it.
        app.patch("/categories/news", admin.auth(), &json!({"audience": ["workers", "board"], "posters": ["workers"]}))
            .await
            .assert_status(200);
        assert_hidden(&app, &photo.url, None, "anonymous after narrowing").await;
        // A cached copy is never confirmed to one who may not read it: 404, not 304.
        let etag = format!("\"{}\"", photo.id);
        let resp = app.request_with_headers(Method::GET, &photo.url, &[("If-None-Match", etag.as_str())], None).await;
        assert_eq!(resp.status, 404, "{resp}");
        let auth = format!("Bearer {}", worker.access_token);
        let headers = [("If-None-Match", etag.as_str()), ("Authorization", auth.as_str())];
        let resp = app.request_with_headers(Method::GET, &photo.url, &headers, None).await;
        assert_eq!(resp.status, 304, "{resp}");
        assert_hidden(&app, &photo.url, outsider.auth(), "outsider after narrowing").await;
        assert_serves(&app.get(&photo.url, worker.auth()).await, PNG);

        // The Board member loses the group: the report is gone for them at once.
        assert_serves(&app.get(&report.url, board.auth()).await, PDF);
        app.remove_member(&admin, "board", "boardmember").await;
        assert_hidden(&app, &report.url, board.auth(), "a former Board member").await;

        // Hidden by a moderator: gone for readers, still there for its author and moderators.
        app.put(&format!("/posts/{}/hidden", public.id), admin.auth(), &json!({"reason": "wrong place"}))
            .await
            .assert_status(200);
        assert_hidden(&app, &photo.url, worker.auth(), "a worker, post hidden").await;
        assert_serves(&app.get(&photo.url, author.auth()).await, PNG);
        assert_serves(&app.get(&photo.url, admin.auth()).await, PNG);
        app.delete(&format!("/posts/{}/hidden", public.id), admin.auth()).await.assert_status(200);
        assert_serves(&app.get(&photo.url, worker.auth()).await, PNG);

        // Deleted: gone for everyone, its author too.
        app.delete(&format!("/posts/{}", private.id), author.auth()).await.assert_status(204);
        for (who, token) in [("author", author.auth()), ("admin", admin.auth())] {
            assert_hidden(&app, &report.url, token, who).await;
        }
        // The thread deleted: the photo too.
        app.delete(&format!("/threads/{}", thread.thread.id), admin.auth()).await.assert_status(204);
        assert_hidden(&app, &photo.url, author.auth(), "author, thread deleted").await;
    }

    async fn edits_link_uploads_and_the_browser_reads_them_by_cookie(app: TestApp) {
        let admin = app.admin().await;
        app.create_group(&admin, "board").await;
        let author = app.member(&admin, "author", &["board"]).await;
        let member = app.member(&admin, "member", &["board"]).await;
        let outsider = app.register("outsider").await;
        app.create_category(&admin, "board-room", &["board"], &["board"]).await;
        let thread = app.create_thread(&author, "board-room", "Minutes", "Draft to follow.", None).await;

        // Added by an edit: linked in the edit's transaction.
        let chart = uploaded(&app, &author, "chart.png", PNG).await;
        assert_hidden(&app, &chart.url, member.auth(), "member, before the edit").await;
        let edited: Post = app
            .patch(&format!("/posts/{}", thread.post.id), author.auth(), &json!({"body": format!("Chart: {}", chart.markdown)}))
            .await
            .expect(200);
        assert!(edited.body_html.contains("<img"), "{}", edited.body_html);
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) AS n FROM uploads WHERE id = '{}' AND post_id = {}", chart.id, thread.post.id)),
            1
        );
        assert_serves(&app.get(&chart.url, member.auth()).await, PNG);

        // A browser signs in with the refresh cookie and gets the media cookie beside it.
        let login = LoginRequest { login: "member".into(), password: PASSWORD.into(), refresh_cookie: true };
        let resp = app.post("/auth/login", None, &login).await;
        let _: TokenPair = resp.expect(200);
        let media = media_cookie(&resp);
        let raw = resp.headers.iter().find(|(n, v)| n == "set-cookie" && v.starts_with("quorum_media=")).map(|(_, v)| v.clone()).unwrap_or_default();
        let lower = raw.to_ascii_lowercase();
        assert!(lower.contains("httponly") && lower.contains("samesite=strict") && lower.contains("path=/api/v1/uploads"), "{raw}");
        let with_cookie = |cookie: String| {
            let app = &app;
            let url = chart.url.clone();
            async move {
                let header = format!("quorum_media={cookie}");
                app.request_with_headers(Method::GET, &url, &[("Cookie", header.as_str())], None).await
            }
        };
        assert_serves(&with_cookie(media.clone()).await, PNG);
        // The cookie's token reads uploads and nothing else.
        let resp = app.get("/me", Some(&media)).await;
        assert_problem(&resp, 401, ErrorCode::Unauthorized);
        // An outsider's cookie, a forged one, none: 404 like a missing file.
        let login = LoginRequest { login: "outsider".into(), password: PASSWORD.into(), refresh_cookie: true };
        let outsider_media = media_cookie(&app.post("/auth/login", None, &login).await);
        let _ = outsider;
        for cookie in [outsider_media, "forged".to_owned(), String::new()] {
            let resp = with_cookie(cookie).await;
            assert_eq!(resp.status, 404, "{resp}");
            assert_eq!(resp.problem(), missing(&app, None).await);
        }
        // Signing out ends the cookie's token too.
        let resp = app.post_empty("/auth/logout", app.login("member", PASSWORD).await.auth()).await;
        assert!(resp.headers.iter().any(|(n, v)| n == "set-cookie" && v.starts_with("quorum_media=;")), "{:?}", resp.headers);
        assert_eq!(with_cookie(media).await.status, 404);
    }

    async fn unused_uploads_are_swept(app: TestApp) {
        let member = app.register("member").await;
        let category = {
            let admin = app.admin().await;
            app.create_category(&admin, "general", &["signed-in"], &["signed-in"]).await
        };
        let used = uploaded(&app, &member, "used.png", PNG).await;
        let unused = uploaded(&app, &member, "unused.pdf", PDF).await;
        app.create_thread(&member, &category.slug, "With a picture", &used.markdown, None).await;
        assert_eq!((rows(&app), files_on_disk(&app)), (2, 2));

        let store = app.files();
        // Younger than the age given: kept.
        let removed = quorum::uploads::sweep(app.db(), &store, Duration::from_secs(3600)).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(removed, 0);
        assert_serves(&app.get(&unused.url, member.auth()).await, PDF);
        // Old enough: the unused one goes, row, file and all; the used one stays.
        let removed = quorum::uploads::sweep(app.db(), &store, Duration::ZERO).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(removed, 1);
        assert_eq!((rows(&app), files_on_disk(&app)), (1, 1));
        assert_hidden(&app, &unused.url, member.auth(), "the uploader, after the sweep").await;
        assert_serves(&app.get(&used.url, member.auth()).await, PNG);
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) AS n FROM events WHERE kind = 'upload.removed' AND target = 'upload:{}' AND actor_id IS NULL", unused.id)),
            1
        );
        // A post that references a swept upload later takes nothing.
        app.create_thread(&member, &category.slug, "Late", &unused.markdown, None).await;
        assert_eq!(rows(&app), 1);
    }
}

/// The `quorum_media` cookie's value set by a sign-in.
#[track_caller]
fn media_cookie(resp: &Response) -> String {
    let set = resp
        .headers
        .iter()
        .find(|(name, value)| name == "set-cookie" && value.starts_with("quorum_media="))
        .map(|(_, value)| value.clone())
        .unwrap_or_else(|| panic!("no quorum_media cookie: {:?}", resp.headers));
    let value = set.trim_start_matches("quorum_media=").split(';').next().unwrap_or_default().to_owned();
    assert!(!value.is_empty(), "{set}");
    value
}
