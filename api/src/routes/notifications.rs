//! Notifications, watching, read tracking and unsubscribing from e-mail.

use super::JsonObject;
use actix_web::http::header;
use actix_web::{get, post, put, web, HttpResponse};
use quorum_types::{
    MarkReadRequest, Notification, NotificationQuery, Page, Problem, ReadRequest, UnreadCount, WatchRequest, WatchState,
};
use serde::Deserialize;

use crate::auth::Session;
use crate::db::queries::{following, notifications, PageRequest};
use crate::error::ApiError;
use crate::events::mail;
use crate::startup::AppState;

/// Your notifications, newest first: only about posts you can read now.
#[utoipa::path(
    tag = "notifications",
    params(NotificationQuery),
    responses((status = 200, description = "A page of notifications", body = Page<Notification>)),
    security(("bearer" = []))
)]
#[get("/notifications")]
pub async fn list_notifications(
    session: Session,
    query: web::Query<NotificationQuery>,
) -> Result<web::Json<Page<Notification>>, ApiError> {
    session.require_signed_in()?;
    let query = query.into_inner();
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let (items, next_cursor) =
        session.read(move |conn, viewer| notifications::list(conn, viewer, query.unread, &page)).await?;
    Ok(web::Json(Page { items, next_cursor }))
}

/// How many of your notifications are unread (about posts you can read).
#[utoipa::path(
    tag = "notifications",
    responses((status = 200, description = "The count", body = UnreadCount)),
    security(("bearer" = []))
)]
#[get("/notifications/unread")]
pub async fn unread_count(session: Session) -> Result<web::Json<UnreadCount>, ApiError> {
    session.require_signed_in()?;
    let unread = session.read(notifications::unread_count).await?;
    Ok(web::Json(UnreadCount { unread }))
}

/// Mark notifications read: `ids`, or `all`.
#[utoipa::path(
    tag = "notifications",
    request_body = MarkReadRequest,
    responses((status = 200, description = "How many are unread now", body = UnreadCount)),
    security(("bearer" = []))
)]
#[post("/notifications/read")]
pub async fn mark_read(
    session: Session,
    body: JsonObject<MarkReadRequest>,
) -> Result<web::Json<UnreadCount>, ApiError> {
    session.require_signed_in()?;
    let req = body.into_inner();
    if req.ids.is_none() && !req.all {
        return Err(ApiError::field("ids", "name the notifications to mark read, or send all: true"));
    }
    let unread = session
        .write(move |conn, viewer| {
            notifications::mark_read(conn, viewer, req.ids.as_deref())?;
            notifications::unread_count(conn, viewer)
        })
        .await?;
    Ok(web::Json(UnreadCount { unread }))
}

/// Follow a thread: `watching` (told of every new post), `normal` (only
/// replies to you, mentions and quotes) or `muted` (nothing). You watch
/// threads you started or replied to unless you choose otherwise.
#[utoipa::path(
    tag = "notifications",
    params(("id" = i64, Path, description = "Thread id")),
    request_body = WatchRequest,
    responses(
        (status = 200, description = "The level now", body = WatchState),
        (status = 404, description = "No such thread, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/threads/{id}/watch")]
pub async fn watch_thread(
    session: Session,
    id: web::Path<i64>,
    body: JsonObject<WatchRequest>,
) -> Result<web::Json<WatchState>, ApiError> {
    session.require_signed_in()?;
    let (id, level) = (id.into_inner(), body.into_inner().level);
    session.write(move |conn, viewer| following::watch_thread(conn, viewer, id, level)).await?;
    Ok(web::Json(WatchState { level }))
}

/// Follow a category: `watching` tells you of every new thread in it;
/// `muted` silences every thread in it.
#[utoipa::path(
    tag = "notifications",
    params(("slug" = String, Path, description = "Category slug")),
    request_body = WatchRequest,
    responses(
        (status = 200, description = "The level now", body = WatchState),
        (status = 404, description = "No such category, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/categories/{slug}/watch")]
pub async fn watch_category(
    session: Session,
    slug: web::Path<String>,
    body: JsonObject<WatchRequest>,
) -> Result<web::Json<WatchState>, ApiError> {
    session.require_signed_in()?;
    let (slug, level) = (slug.into_inner(), body.into_inner().level);
    session.write(move |conn, viewer| following::watch_category(conn, viewer, &slug, level)).await?;
    Ok(web::Json(WatchState { level }))
}

/// Record that you have read a thread up to a post (never moves backwards).
#[utoipa::path(
    tag = "notifications",
    params(("id" = i64, Path, description = "Thread id")),
    request_body = ReadRequest,
    responses(
        (status = 204, description = "Recorded"),
        (status = 404, description = "No such thread, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/threads/{id}/read")]
pub async fn read_thread(
    session: Session,
    id: web::Path<i64>,
    body: JsonObject<ReadRequest>,
) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let (id, post_id) = (id.into_inner(), body.into_inner().post_id);
    session.write(move |conn, viewer| following::mark_thread_read(conn, viewer, id, post_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Mark every post so far in a category read.
#[utoipa::path(
    tag = "notifications",
    params(("slug" = String, Path, description = "Category slug")),
    responses(
        (status = 204, description = "Recorded"),
        (status = 404, description = "No such category, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/categories/{slug}/read")]
pub async fn read_category(session: Session, slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let slug = slug.into_inner();
    session.write(move |conn, viewer| following::mark_category_read(conn, viewer, &slug)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// The token from the link in a mail.
    pub token: String,
}

fn unsubscribe_account(state: &AppState, token: &str) -> Result<i64, ApiError> {
    let key = state.mail.as_ref().map(|m| m.key.expose().as_bytes().to_vec()).unwrap_or_default();
    mail::check_unsubscribe(&key, token).ok_or_else(|| ApiError::field("token", "this unsubscribe link is not valid"))
}

async fn unsubscribe(state: &AppState, token: &str) -> Result<(), ApiError> {
    let user_id = unsubscribe_account(state, token)?;
    state.db.write(move |conn| crate::db::queries::users::set_email_notifications(conn, user_id, "off")).await
}

/// The link in every mail: no more e-mail, without signing in.
#[utoipa::path(
    tag = "notifications",
    params(UnsubscribeQuery),
    responses(
        (status = 200, description = "A page saying it is done", body = String, content_type = "text/html"),
        (status = 422, description = "Not a valid link", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/unsubscribe")]
pub async fn unsubscribe_page(
    state: web::Data<AppState>,
    query: web::Query<UnsubscribeQuery>,
) -> Result<HttpResponse, ApiError> {
    unsubscribe(&state, &query.token).await?;
    Ok(HttpResponse::Ok().insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8")).body(
        "<!doctype html><meta charset=utf-8><title>Unsubscribed</title>\
         <p>You will get no more e-mail from the forum. You can turn it on again in your profile.</p>",
    ))
}

/// One-click unsubscribe (RFC 8058), as mail programs send it.
#[utoipa::path(
    tag = "notifications",
    params(UnsubscribeQuery),
    responses(
        (status = 204, description = "Done"),
        (status = 422, description = "Not a valid link", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/unsubscribe")]
pub async fn unsubscribe_one_click(
    state: web::Data<AppState>,
    query: web::Query<UnsubscribeQuery>,
) -> Result<HttpResponse, ApiError> {
    unsubscribe(&state, &query.token).await?;
    Ok(HttpResponse::NoContent().finish())
}
