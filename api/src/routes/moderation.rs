//! Moderation: flags and the review queue, hiding and restoring content.

use super::JsonObject;
use actix_web::http::header;
use actix_web::{delete, get, post, put, web, HttpResponse};
use quorum_types::{
    DeletedItem, DeletedQuery, Flag, FlagListQuery, FlagRequest, HideRequest, Page, Post, Problem, ResolveFlagRequest,
    Thread,
};

use crate::auth::Session;
use crate::db::queries::deleted::{self, DeletedKind};
use crate::db::queries::{flags, posts, threads, PageRequest};
use crate::error::ApiError;

/// Flag a post for the moderators. Flagging it again while your flag is
/// open changes nothing.
#[utoipa::path(
    tag = "moderation",
    params(("id" = i64, Path, description = "Post id")),
    request_body = FlagRequest,
    responses(
        (status = 201, description = "The flag", body = Flag),
        (status = 403, description = "Your own post, or hidden already", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/posts/{id}/flags")]
pub async fn flag_post(
    session: Session,
    id: web::Path<i64>,
    body: JsonObject<FlagRequest>,
) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    let req = body.into_inner();
    let flag = session.write(move |conn, viewer| flags::create(conn, viewer, id, req.reason, &req.note)).await?;
    Ok(HttpResponse::Created().insert_header((header::LOCATION, format!("/api/v1/flags/{}", flag.id))).json(flag))
}

/// The review queue (moderators): flags on posts you can read, newest first.
#[utoipa::path(
    tag = "moderation",
    params(FlagListQuery),
    responses(
        (status = 200, description = "A page of flags", body = Page<Flag>),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/flags")]
pub async fn list_flags(session: Session, query: web::Query<FlagListQuery>) -> Result<web::Json<Page<Flag>>, ApiError> {
    session.require_signed_in()?;
    let query = query.into_inner();
    let open = match query.status.as_deref() {
        None | Some("open") => true,
        Some("closed") => false,
        Some(_) => return Err(ApiError::field("status", "must be open or closed")),
    };
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let (items, next_cursor) = session.read(move |conn, viewer| flags::queue(conn, viewer, open, &page)).await?;
    Ok(web::Json(Page { items, next_cursor }))
}

/// Close a flag, and every other open flag on the same post: `resolved`
/// (optionally hiding the post) or `dismissed`.
#[utoipa::path(
    tag = "moderation",
    params(("id" = i64, Path, description = "Flag id")),
    request_body = ResolveFlagRequest,
    responses(
        (status = 200, description = "The closed flag", body = Flag),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such flag, or on a post you cannot read", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Closed already", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/flags/{id}/resolve")]
pub async fn resolve_flag(
    session: Session,
    id: web::Path<i64>,
    body: JsonObject<ResolveFlagRequest>,
) -> Result<web::Json<Flag>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    let req = body.into_inner();
    Ok(web::Json(
        session.write(move |conn, viewer| flags::resolve(conn, viewer, id, &req.resolution, req.hide_post)).await?,
    ))
}

/// Hide a post (moderators): its author and the moderators still see it;
/// everyone else sees a notice with the reason, and it is not counted.
#[utoipa::path(
    tag = "moderation",
    params(("id" = i64, Path, description = "Post id")),
    request_body = HideRequest,
    responses(
        (status = 200, description = "The post, hidden", body = Post),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/posts/{id}/hidden")]
pub async fn hide_post(
    session: Session,
    id: web::Path<i64>,
    body: JsonObject<HideRequest>,
) -> Result<web::Json<Post>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    let reason = body.into_inner().reason;
    if reason.chars().count() > 500 || reason.contains('\0') {
        return Err(ApiError::field("reason", "must be at most 500 characters, without NUL"));
    }
    Ok(web::Json(session.write(move |conn, viewer| posts::set_hidden(conn, viewer, id, true, &reason)).await?))
}

/// Show a hidden post again (moderators).
#[utoipa::path(
    tag = "moderation",
    params(("id" = i64, Path, description = "Post id")),
    responses(
        (status = 200, description = "The post, shown", body = Post),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/posts/{id}/hidden")]
pub async fn unhide_post(session: Session, id: web::Path<i64>) -> Result<web::Json<Post>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    Ok(web::Json(session.write(move |conn, viewer| posts::set_hidden(conn, viewer, id, false, "")).await?))
}

/// Bring back a deleted post (moderators who could read it).
#[utoipa::path(
    tag = "moderation",
    params(("id" = i64, Path, description = "Post id")),
    responses(
        (status = 200, description = "The post", body = Post),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deleted post you could read", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/posts/{id}/restore")]
pub async fn restore_post(session: Session, id: web::Path<i64>) -> Result<web::Json<Post>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    Ok(web::Json(session.write(move |conn, viewer| posts::restore(conn, viewer, id)).await?))
}

/// Bring back a deleted thread (moderators who could read it).
#[utoipa::path(
    tag = "moderation",
    params(("id" = i64, Path, description = "Thread id")),
    responses(
        (status = 200, description = "The thread", body = Thread),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deleted thread you could read", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/threads/{id}/restore")]
pub async fn restore_thread(session: Session, id: web::Path<i64>) -> Result<web::Json<Thread>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    Ok(web::Json(session.write(move |conn, viewer| threads::restore(conn, viewer, id)).await?))
}

/// Deleted threads, or deleted replies in live threads, that you could read
/// were they not deleted (moderators), most recently deleted first: what
/// `POST /threads/{id}/restore` and `POST /posts/{id}/restore` bring back.
#[utoipa::path(
    tag = "moderation",
    params(DeletedQuery),
    responses(
        (status = 200, description = "A page of deleted threads or posts", body = Page<DeletedItem>),
        (status = 400, description = "Bad cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/deleted")]
pub async fn list_deleted(
    session: Session,
    query: web::Query<DeletedQuery>,
) -> Result<web::Json<Page<DeletedItem>>, ApiError> {
    session.require_signed_in()?;
    let query = query.into_inner();
    let kind = match query.kind.as_deref() {
        None | Some("threads") => DeletedKind::Threads,
        Some("posts") => DeletedKind::Posts,
        Some(_) => return Err(ApiError::field("kind", "must be threads or posts")),
    };
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 2)?;
    let (items, next_cursor) = session.read(move |conn, viewer| deleted::list(conn, viewer, kind, &page)).await?;
    Ok(web::Json(Page { items, next_cursor }))
}
