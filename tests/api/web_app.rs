//! The web app served by `quorum serve` (`QUORUM_STATIC_DIR`): hashed
//! assets with a year-long immutable cache, `index.html` (with its security
//! headers and an ETag) for every client route, text-like files gzipped once
//! at start for the clients that take gzip, and the API untouched.

use std::io::Read;

use actix_web::http::Method;
use quorum::config::Settings;
use quorum::startup::Application;
use quorum_tests::{assert_problem, both_backends, Backend, Response, TestApp, JWT_SECRET};
use quorum_types::ErrorCode;

const INDEX: &[u8] = b"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Quorum</title>\n\
<link rel=\"preload\" href=\"/assets/app-0123abcd.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin>\n\
<link rel=\"modulepreload\" href=\"/assets/app-0123abcd.js\">\n\
<link rel=\"stylesheet\" href=\"/assets/style-0123abcd.css\">\n\
<script type=\"module\" src=\"/assets/app-0123abcd.js\"></script></head>\n\
<body data-marker=\"quorum-index-0f1e2d\"></body></html>\n";
const JS: &[u8] = b"export const answer = 42;\n";
const WASM: &[u8] = b"\0asm\x01\0\0\0";
const CSS: &[u8] = b"body { margin: 0; }\n";
const BLOB: &[u8] = b"\x01\x02\x03";
/// Repetitive, but an image: sent as it is.
const PNG: &[u8] = &[0x89; 4096];
const BIG_JS: &str = "big-0123abcd.js";

const FILES: &[(&str, &[u8])] = &[
    ("index.html", INDEX),
    ("assets/app-0123abcd.js", JS),
    ("assets/app-0123abcd.wasm", WASM),
    ("assets/style-0123abcd.css", CSS),
    ("assets/blob-0123abcd.bin", BLOB),
    ("assets/logo-0123abcd.png", PNG),
    ("assets/nested/deep-0123abcd.js", JS),
    // Outside `assets/`: not served.
    ("secret.txt", b"not for the web"),
];

const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                   img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; \
                   base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

async fn with_web_app(backend: Backend) -> Option<TestApp> {
    let big = big_js();
    let path = format!("assets/{BIG_JS}");
    let mut files = FILES.to_vec();
    files.push((&path, &big));
    TestApp::spawn_with_web_app(backend, &files).await
}

/// A script large and repetitive enough for gzip to pay off.
fn big_js() -> Vec<u8> {
    (0..4000).map(|i| format!("export const value{i} = \"quorum-{}\";\n", i % 7)).collect::<String>().into_bytes()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap_or_else(|e| panic!("not gzip: {e}"));
    out
}

/// `Vary` names `Accept-Encoding` (other middleware may add to the list).
#[track_caller]
fn assert_varies_on_encoding(resp: &Response) {
    let vary = resp.header("vary").unwrap_or_else(|| panic!("no Vary: {resp}"));
    assert!(vary.split(',').any(|name| name.trim().eq_ignore_ascii_case("accept-encoding")), "Vary: {vary}");
}

/// Not gzipped, by us or by the middleware: no coding other than `identity`.
#[track_caller]
fn assert_not_encoded(resp: &Response) {
    let encoding = resp.header("content-encoding").unwrap_or("identity");
    assert!(encoding.eq_ignore_ascii_case("identity"), "Content-Encoding: {encoding}: {resp}");
}

async fn at(app: &TestApp, method: Method, path: &str, headers: &[(&str, &str)]) -> Response {
    app.request_root(method, path, headers, None).await
}

fn is_index(resp: &Response) -> bool {
    resp.contains("quorum-index-0f1e2d")
}

/// `index.html` with its headers; returns its ETag.
#[track_caller]
fn assert_index(resp: &Response) -> String {
    resp.assert_status(200);
    assert_eq!(resp.body, INDEX, "{resp}");
    assert_eq!(resp.content_type, "text/html; charset=utf-8", "{resp}");
    assert_eq!(resp.header("cache-control"), Some("no-cache"), "{resp}");
    let csp = resp.header("content-security-policy").unwrap_or_else(|| panic!("no CSP: {resp}"));
    assert_eq!(csp, CSP);
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(resp.header("referrer-policy"), Some("same-origin"), "{resp}");
    assert_eq!(resp.header("x-content-type-options"), Some("nosniff"), "{resp}");
    let etag = resp.header("etag").unwrap_or_else(|| panic!("no ETag: {resp}"));
    assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() > 2, "a strong ETag: {etag}");
    etag.to_owned()
}

both_backends! {
    spawn = with_web_app;

    async fn client_routes_get_index_html(app: TestApp) {
        let etag = assert_index(&at(&app, Method::GET, "/", &[]).await);
        for path in ["/t/42", "/c/general", "/c/general/new", "/admin/groups/board", "/setup", "/t/42?page=2", "/assets"] {
            let resp = at(&app, Method::GET, path, &[]).await;
            assert_eq!(assert_index(&resp), etag, "one document, one ETag: {path}");
        }

        // Revalidation.
        let resp = at(&app, Method::GET, "/t/42", &[("If-None-Match", &etag)]).await;
        assert_eq!(resp.status, 304, "{resp}");
        assert!(resp.body.is_empty(), "{resp}");
        assert_eq!(resp.header("etag"), Some(etag.as_str()));
        assert_eq!(resp.header("cache-control"), Some("no-cache"));
        let listed = format!("\"something-else\", {etag}");
        assert_eq!(at(&app, Method::GET, "/", &[("If-None-Match", &listed)]).await.status, 304);
        let stale = at(&app, Method::GET, "/", &[("If-None-Match", "\"0000\"")]).await;
        assert_index(&stale);

        // HEAD: the headers without the body.
        let head = at(&app, Method::HEAD, "/c/general", &[]).await;
        head.assert_status(200);
        assert!(head.body.is_empty(), "{head}");
        assert_eq!(head.content_type, "text/html; charset=utf-8");
        assert_eq!(head.header("etag"), Some(etag.as_str()));
    }

    async fn assets_are_served_with_an_immutable_cache(app: TestApp) {
        for (name, bytes, content_type) in [
            ("app-0123abcd.js", JS, "text/javascript; charset=utf-8"),
            ("app-0123abcd.wasm", WASM, "application/wasm"),
            ("style-0123abcd.css", CSS, "text/css; charset=utf-8"),
            ("blob-0123abcd.bin", BLOB, "application/octet-stream"),
            ("logo-0123abcd.png", PNG, "image/png"),
        ] {
            let path = format!("/assets/{name}");
            let resp = at(&app, Method::GET, &path, &[]).await;
            resp.assert_status(200);
            assert_eq!(resp.body, bytes, "{resp}");
            assert_eq!(resp.content_type, content_type, "{resp}");
            assert_eq!(resp.header("cache-control"), Some("public, max-age=31536000, immutable"), "{resp}");
            assert_eq!(resp.header("x-content-type-options"), Some("nosniff"), "{resp}");
            let etag = resp.header("etag").unwrap_or_else(|| panic!("no ETag: {resp}")).to_owned();
            assert_eq!(at(&app, Method::GET, &path, &[("If-None-Match", &etag)]).await.status, 304);
            let head = at(&app, Method::HEAD, &path, &[]).await;
            head.assert_status(200);
            assert!(head.body.is_empty(), "{head}");
        }
        // Unknown assets, files in subdirectories and files outside assets/: the API's 404.
        for path in ["/assets/nope-0123abcd.js", "/assets/nested/deep-0123abcd.js", "/assets/", "/assets/..%2Fsecret.txt"] {
            let resp = at(&app, Method::GET, path, &[]).await;
            assert_problem(&resp, 404, ErrorCode::NotFound);
        }
        let resp = at(&app, Method::GET, "/secret.txt", &[]).await;
        assert!(!resp.contains("not for the web"), "{resp}");
    }

    async fn text_files_are_precompressed_for_clients_that_take_gzip(app: TestApp) {
        let big = big_js();
        let path = format!("/assets/{BIG_JS}");
        let gzipped = at(&app, Method::GET, &path, &[("Accept-Encoding", "gzip, deflate, br")]).await;
        gzipped.assert_status(200);
        assert_eq!(gzipped.header("content-encoding"), Some("gzip"), "{gzipped}");
        assert_eq!(gzipped.content_type, "text/javascript; charset=utf-8");
        assert_eq!(gzipped.header("cache-control"), Some("public, max-age=31536000, immutable"));
        assert_varies_on_encoding(&gzipped);
        assert!(gzipped.body.len() < big.len() / 4, "{} of {} bytes", gzipped.body.len(), big.len());
        assert_eq!(gunzip(&gzipped.body), big, "gzip of exactly the file");
        let gz_etag = gzipped.header("etag").unwrap_or_else(|| panic!("no ETag: {gzipped}")).to_owned();
        assert!(gz_etag.starts_with('"') && gz_etag.ends_with("-gz\""), "{gz_etag}");

        // No gzip: the file as it is, and not compressed on the way either.
        let mut identity_etag = None;
        for accept in [None, Some("gzip;q=0"), Some("gzip;q=0, deflate"), Some("identity")] {
            let headers: Vec<(&str, &str)> = accept.iter().map(|a| ("Accept-Encoding", *a)).collect();
            let resp = at(&app, Method::GET, &path, &headers).await;
            resp.assert_status(200);
            assert_not_encoded(&resp);
            assert_varies_on_encoding(&resp);
            assert_eq!(resp.body, big, "{accept:?}: {resp}");
            let etag = resp.header("etag").unwrap_or_else(|| panic!("no ETag: {resp}")).to_owned();
            assert_ne!(etag, gz_etag, "one ETag per variant");
            assert_eq!(identity_etag.get_or_insert_with(|| etag.clone()), &etag, "{accept:?}");
        }
        let identity_etag = identity_etag.unwrap_or_default();

        // Any wording that takes gzip gets it.
        for accept in ["gzip", "GZIP;Q=0.5", "deflate, gzip;q=0.001", "identity;q=0.5, gzip", "gzip, deflate, br, zstd"] {
            let resp = at(&app, Method::GET, &path, &[("Accept-Encoding", accept)]).await;
            assert_eq!(resp.header("content-encoding"), Some("gzip"), "{accept}: {resp}");
            assert_eq!(resp.header("etag"), Some(gz_etag.as_str()), "{accept}");
            assert_eq!(resp.body, gzipped.body, "{accept}");
        }

        // Revalidation, per variant.
        let gz = [("Accept-Encoding", "gzip"), ("If-None-Match", gz_etag.as_str())];
        let resp = at(&app, Method::GET, &path, &gz).await;
        assert_eq!(resp.status, 304, "{resp}");
        assert!(resp.body.is_empty(), "{resp}");
        assert_eq!(resp.header("etag"), Some(gz_etag.as_str()));
        assert_varies_on_encoding(&resp);
        let resp = at(&app, Method::GET, &path, &[("If-None-Match", identity_etag.as_str())]).await;
        assert_eq!(resp.status, 304, "{resp}");
        assert_eq!(resp.header("etag"), Some(identity_etag.as_str()));
        assert_varies_on_encoding(&resp);
        let refused = [("Accept-Encoding", "gzip;q=0"), ("If-None-Match", identity_etag.as_str())];
        assert_eq!(at(&app, Method::GET, &path, &refused).await.status, 304);
        // The other variant's ETag does not validate this one.
        let crossed = [("Accept-Encoding", "gzip"), ("If-None-Match", identity_etag.as_str())];
        let resp = at(&app, Method::GET, &path, &crossed).await;
        resp.assert_status(200);
        assert_eq!(resp.header("content-encoding"), Some("gzip"), "{resp}");
        let resp = at(&app, Method::GET, &path, &[("If-None-Match", gz_etag.as_str())]).await;
        resp.assert_status(200);
        assert_eq!(resp.body, big);

        // HEAD: the gzip variant's headers, no body.
        let head = at(&app, Method::HEAD, &path, &[("Accept-Encoding", "gzip")]).await;
        head.assert_status(200);
        assert!(head.body.is_empty(), "{head}");
        assert_eq!(head.header("content-encoding"), Some("gzip"), "{head}");
        assert_eq!(head.header("etag"), Some(gz_etag.as_str()));
        let head = at(&app, Method::HEAD, &path, &[]).await;
        head.assert_status(200);
        assert!(head.body.is_empty(), "{head}");
        assert_not_encoded(&head);
        assert_eq!(head.header("etag"), Some(identity_etag.as_str()));

        // index.html too, on every client route, with its headers.
        let plain = at(&app, Method::GET, "/c/general", &[]).await;
        let plain_etag = assert_index(&plain);
        assert_not_encoded(&plain);
        assert_varies_on_encoding(&plain);
        let resp = at(&app, Method::GET, "/c/general", &[("Accept-Encoding", "gzip, deflate, br, zstd")]).await;
        resp.assert_status(200);
        assert_eq!(resp.header("content-encoding"), Some("gzip"), "{resp}");
        assert_eq!(gunzip(&resp.body), INDEX);
        assert_eq!(resp.header("cache-control"), Some("no-cache"));
        assert_eq!(resp.header("content-security-policy"), Some(CSP));
        assert_varies_on_encoding(&resp);
        let index_gz_etag = resp.header("etag").unwrap_or_else(|| panic!("no ETag: {resp}")).to_owned();
        assert_ne!(index_gz_etag, plain_etag);
        let gz = [("Accept-Encoding", "gzip"), ("If-None-Match", index_gz_etag.as_str())];
        let revalidated = at(&app, Method::GET, "/t/42", &gz).await;
        assert_eq!(revalidated.status, 304, "{revalidated}");
        assert_eq!(revalidated.header("etag"), Some(index_gz_etag.as_str()));

        // Files gzip does not shrink, and images, go as they are, even to a
        // client that takes gzip.
        for (name, bytes) in [
            ("app-0123abcd.js", JS),
            ("app-0123abcd.wasm", WASM),
            ("logo-0123abcd.png", PNG),
            ("blob-0123abcd.bin", BLOB),
        ] {
            let path = format!("/assets/{name}");
            let resp = at(&app, Method::GET, &path, &[("Accept-Encoding", "gzip, deflate")]).await;
            resp.assert_status(200);
            assert_not_encoded(&resp);
            assert_eq!(resp.body, bytes, "{resp}");
        }
    }

    async fn the_api_is_untouched(app: TestApp) {
        for path in ["/api/v1/nope", "/api/v1/threads/1/nowhere", "/api/nope", "/api", "/api/v2/threads"] {
            let resp = at(&app, Method::GET, path, &[]).await;
            assert_problem(&resp, 404, ErrorCode::NotFound);
            assert!(!is_index(&resp), "{resp}");
        }
        let resp = at(&app, Method::HEAD, "/api/v1/nope", &[]).await;
        assert_eq!(resp.status, 404, "{resp}");
        let resp = at(&app, Method::GET, "/api/v1/categories", &[]).await;
        resp.assert_status(200);
        assert!(resp.content_type.starts_with("application/json"), "{resp}");
        assert!(at(&app, Method::GET, "/api/openapi.json", &[]).await.content_type.starts_with("application/json"));
        let health = at(&app, Method::GET, "/healthz", &[]).await;
        assert_eq!((health.status, health.text().as_str()), (200, "ok"));
        let head = at(&app, Method::HEAD, "/healthz", &[]).await;
        assert_ne!(head.status, 200, "HEAD /healthz is not the web app's: {head}");

        // Other methods never get the page.
        for (method, path) in [
            (Method::POST, "/t/42"),
            (Method::PUT, "/"),
            (Method::DELETE, "/c/general"),
            (Method::PATCH, "/setup"),
            (Method::POST, "/assets/app-0123abcd.js"),
        ] {
            let resp = app.request_root(method, path, &[], Some(("application/json", b"{}".to_vec()))).await;
            assert!(resp.status == 404 || resp.status == 405, "{resp}");
            assert!(resp.content_type.starts_with("application/problem+json"), "{resp}");
            assert!(!is_index(&resp), "{resp}");
        }
    }
}

both_backends! {
    async fn without_a_static_dir_nothing_is_served_at_the_root(app: TestApp) {
        for path in ["/", "/t/42", "/assets/app-0123abcd.js"] {
            assert_problem(&app.get_root(path).await, 404, ErrorCode::NotFound);
        }
    }
}

#[actix_web::test]
async fn a_static_dir_without_index_html_is_a_startup_error() {
    let suffix = format!("{:016x}", rand::random::<u64>());
    let dir = std::env::temp_dir().join(format!("quorum-test-dist-{suffix}"));
    std::fs::create_dir_all(dir.join("assets")).expect("a temp dir");
    let database = std::env::temp_dir().join(format!("quorum-test-{suffix}.db"));
    let mut settings = Settings::for_tests(database.to_string_lossy(), JWT_SECRET);
    settings.static_dir = Some(dir.clone());
    let failed = Application::build(settings).await.err().map(|e| e.to_string());
    let _ = std::fs::remove_dir_all(&dir);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
    }
    let message = failed.expect("the server must not start without index.html");
    assert!(message.contains("index.html") && message.contains("QUORUM_STATIC_DIR"), "{message}");
}
