//! The OpenAPI document (served and committed must agree) and the
//! service endpoints outside `/api/v1`.

use quorum_tests::{both_backends, TestApp};

both_backends! {
    async fn openapi_document_is_served(app: TestApp) {
        let resp = app.get_root("/api/openapi.json").await;
        resp.assert_status(200);
        assert!(resp.content_type.starts_with("application/json"), "{resp}");
        let doc = resp.value();
        assert_eq!(doc["openapi"], "3.1.0", "{resp}");
        let paths = doc["paths"].as_object().expect("paths object");
        for path in ["/api/v1/threads/{id}/posts", "/api/v1/posts/{id}/like", "/api/v1/auth/login", "/api/v1/categories"] {
            assert!(paths.contains_key(path), "{path} missing from the served document");
        }
        let generated: serde_json::Value =
            serde_json::from_str(&quorum::openapi::document_json()).expect("document_json() is JSON");
        assert!(doc == generated, "the served document differs from quorum::openapi::document_json()");
    }

    async fn health_and_readiness(app: TestApp) {
        app.get_root("/healthz").await.assert_status(200);
        app.get_root("/readyz").await.assert_status(200);
    }
}

#[test]
fn committed_openapi_document_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = quorum::openapi::document_json();
    assert!(generated.ends_with('\n'), "document_json() should end with a newline");
    assert!(
        committed == generated,
        "{} is out of date (or missing); regenerate it with:\n    cargo run -p quorum -- openapi > openapi/openapi.json",
        path.display()
    );
}
