//! Liveness, readiness and the OpenAPI document.

use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;

use crate::startup::AppState;

/// The process is up.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Up", body = String)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// The database answers and the instance is not shutting down: from
/// SIGTERM on this says 503 (for `QUORUM_SHUTDOWN_GRACE_SECS` while every
/// other request is still served), so a load balancer sends no more.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = String),
        (status = 503, description = "Database unreachable, or shutting down", body = String)
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        return HttpResponse::ServiceUnavailable().content_type("text/plain").body("shutting down");
    }
    let ready = state.db.read(|conn| Ok(conn.batch_execute("SELECT 1").is_ok())).await.unwrap_or(false);
    if ready {
        HttpResponse::Ok().content_type("text/plain").body("ready")
    } else {
        HttpResponse::ServiceUnavailable().content_type("text/plain").body("database unreachable")
    }
}

/// This document.
#[utoipa::path(tag = "operations", responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
#[get("/api/openapi.json")]
pub async fn openapi_json(doc: web::Data<crate::openapi::Document>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.0.clone())
}
