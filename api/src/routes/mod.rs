//! The one place that maps paths to handlers. Handlers are thin: parse,
//! call `db::queries` with the `Viewer`, shape the response.

pub mod auth;
pub mod categories;
pub mod groups;
pub mod health;
pub mod me;
pub mod posts;
pub mod threads;
pub mod users;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{web, HttpRequest, HttpResponse};
use quorum_types::ErrorCode;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

/// Everything under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(auth::register)
        .service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(me::get_me)
        .service(me::update_me)
        .service(users::get_user)
        .service(groups::list_groups)
        .service(groups::create_group)
        .service(groups::update_group)
        .service(groups::delete_group)
        .service(groups::list_members)
        .service(groups::add_member)
        .service(groups::remove_member)
        .service(categories::list_categories)
        .service(categories::create_category)
        .service(categories::get_category)
        .service(categories::update_category)
        .service(categories::delete_category)
        .service(threads::list_threads)
        .service(threads::create_thread)
        .service(threads::get_thread)
        .service(threads::update_thread)
        .service(threads::delete_thread)
        .service(posts::list_posts)
        .service(posts::create_post)
        .service(posts::get_post)
        .service(posts::update_post)
        .service(posts::delete_post)
        .service(posts::list_revisions)
        .service(posts::like_post)
        .service(posts::unlike_post)
        .service(posts::list_likes);
}

/// JSON bodies: at most 1 MiB; every parse failure is problem+json.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().limit(1 << 20).error_handler(|err, _req| json_error(err).into())
}

fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::new(ErrorCode::PayloadTooLarge, "the JSON body must be at most 1 MiB")
        }
        JsonPayloadError::ContentType => {
            ApiError::new(ErrorCode::UnsupportedMediaType, "send the body as application/json")
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            let message = e.to_string();
            // serde names the field between backticks for missing and
            // unknown fields; other data errors quote values there.
            let field = if message.starts_with("missing field") || message.starts_with("unknown field") {
                message.split('`').nth(1).unwrap_or("body")
            } else {
                "body"
            };
            ApiError::field(field, message.clone())
        }
        JsonPayloadError::Deserialize(e) => ApiError::bad_request(format!("malformed JSON: {e}")),
        other => ApiError::bad_request(format!("unreadable body: {other}")),
    }
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        ApiError::bad_request(format!("invalid query string: {err}")).into()
    })
}

/// A path that does not parse (`/threads/abc`) names nothing: 404.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err: PathError, _req| ApiError::not_found().into())
}

pub async fn not_found(_req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found())
}
