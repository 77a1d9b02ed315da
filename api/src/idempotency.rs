//! `Idempotency-Key` on POST: a client that retries over a flaky network
//! gets the first answer again (status, headers, body) instead of a second
//! post. Keys are per account, kept 24 hours, and stored in the database,
//! so they hold across restarts and across instances sharing it.
//!
//! The same key with a different request is 422; while the first request
//! still runs, 409. A first attempt that failed on the server (5xx) leaves
//! no record, so it can be retried. Answers that carry a secret (marked
//! `Cache-Control: no-store` by their handler, e.g. a new access token)
//! are not kept: a retry makes another one.

use actix_web::body::{to_bytes_limited, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse, ResponseError};
use chrono::Duration;
use futures_util::StreamExt;
use quorum_types::ErrorCode;
use sha2::{Digest, Sha256};

use crate::auth::presented_account;
use crate::db::queries::{idempotency, now};
use crate::error::ApiError;
use crate::startup::AppState;

pub const HEADER: &str = "idempotency-key";
const MAX_KEY_CHARS: usize = 255;
/// Bodies beyond what any endpoint accepts are refused as such by the handler.
const MAX_BODY_BYTES: usize = (1 << 20) + 1;
const KEPT_HOURS: i64 = 24;
/// Response headers replayed with the body.
const KEPT_HEADERS: [HeaderName; 2] = [header::CONTENT_TYPE, header::LOCATION];

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req.headers().get(HEADER).cloned();
    let applies = req.method() == Method::POST && req.path().starts_with("/api/v1/") && key.is_some();
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned().filter(|_| applies) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let key = match key.as_ref().and_then(|k| k.to_str().ok()).map(str::trim) {
        Some(k) if !k.is_empty() && k.len() <= MAX_KEY_CHARS && k.chars().all(|c| c.is_ascii_graphic()) => k.to_owned(),
        _ => {
            let e =
                ApiError::bad_request(format!("Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible ASCII characters"));
            return Ok(req.into_response(e.error_response()));
        }
    };
    // Anonymous requests (and bad credentials, which the handler refuses) have no account to key on.
    let Some(user_id) = presented_account(req.request(), &state).await? else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let body = match read_body(&mut req).await {
        Ok(body) => body,
        Err(e) => return Ok(req.into_response(e.error_response())),
    };
    let mut hasher = Sha256::new();
    hasher.update(req.path().as_bytes());
    hasher.update([0]);
    hasher.update(req.query_string().as_bytes());
    hasher.update([0]);
    hasher.update(&body);
    let request_hash: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    req.set_payload(Payload::from(body));

    let (k, h) = (key.clone(), request_hash.clone());
    let claim = state
        .db
        .write(move |conn| idempotency::claim(conn, user_id, &k, &h, now() - Duration::hours(KEPT_HOURS)))
        .await;
    match claim {
        Ok(idempotency::Claim::New) => {}
        Ok(idempotency::Claim::Replay(stored)) => return Ok(req.into_response(replay(stored))),
        Ok(idempotency::Claim::InFlight) => {
            let mut e = ApiError::new(
                ErrorCode::IdempotencyKeyInUse,
                "a request with this Idempotency-Key is still being handled; retry shortly",
            );
            e.retry_after = Some(1);
            return Ok(req.into_response(e.error_response()));
        }
        Ok(idempotency::Claim::Mismatch) => {
            let e = ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used with a different request; use a new key",
            );
            return Ok(req.into_response(e.error_response()));
        }
        Err(e) => return Ok(req.into_response(e.error_response())),
    }

    let response = next.call(req).await;
    let response = match response {
        Ok(response) => response.map_into_boxed_body(),
        Err(e) => {
            forget(&state, user_id, key).await;
            return Err(e);
        }
    };
    let keep = !response.status().is_server_error()
        && response.headers().get(header::CACHE_CONTROL).is_none_or(|v| v.as_bytes() != b"no-store");
    if !keep {
        forget(&state, user_id, key).await;
        return Ok(response);
    }
    let (http_req, res) = response.into_parts();
    let status = res.status();
    let headers: Vec<(String, String)> = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            res.headers().get(name).and_then(|v| v.to_str().ok()).map(|v| (name.to_string(), v.to_owned()))
        })
        .collect();
    let (res, body) = res.into_parts();
    let bytes = match to_bytes_limited(body, 16 << 20).await {
        Ok(Ok(bytes)) => bytes,
        _ => {
            forget(&state, user_id, key).await;
            return Ok(ServiceResponse::new(http_req, ApiError::internal("reading a response").error_response()));
        }
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let stored = idempotency::Stored { status: status.as_u16(), headers, body: text };
    let (k, s) = (key.clone(), stored);
    if let Err(e) = state.db.write(move |conn| idempotency::complete(conn, user_id, &k, &s)).await {
        tracing::warn!(error = %e, "cannot keep an idempotent answer");
    }
    let res = res.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(http_req, res))
}

async fn read_body(req: &mut ServiceRequest) -> Result<web::Bytes, ApiError> {
    let (_, payload) = req.parts_mut();
    let mut payload = std::mem::replace(payload, Payload::None);
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("unreadable body: {e}")))?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ApiError::new(ErrorCode::PayloadTooLarge, "the JSON body must be at most 1 MiB"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

async fn forget(state: &AppState, user_id: i64, key: String) {
    if let Err(e) = state.db.write(move |conn| idempotency::forget(conn, user_id, &key)).await {
        tracing::warn!(error = %e, "cannot release an idempotency key");
    }
}

fn replay(stored: idempotency::Stored) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    for (name, value) in &stored.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::from_str(value)) {
            response.insert_header((name, value));
        }
    }
    response.insert_header(("idempotent-replayed", "true"));
    response.body(stored.body)
}
