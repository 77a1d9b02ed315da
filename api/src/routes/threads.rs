//! Threads.

use super::JsonObject;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use quorum_types::{
    CreateThreadRequest, CreatedThread, Page, Participant, Problem, Thread, ThreadListQuery, UpdateThreadRequest,
};

use crate::auth::Session;
use crate::compose::compose;
use crate::db::queries::mentions::Place;
use crate::db::queries::posts;
use crate::db::queries::threads::{self, NewThread, ThreadChanges};
use crate::db::queries::PageRequest;
use crate::error::ApiError;
use crate::startup::AppState;

/// Threads the viewer can read, pinned first, then by last activity.
#[utoipa::path(
    tag = "threads",
    params(ThreadListQuery),
    responses(
        (status = 200, description = "A page of threads", body = Page<Thread>),
        (status = 400, description = "Invalid cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/threads")]
pub async fn list_threads(
    session: Session,
    query: web::Query<ThreadListQuery>,
) -> Result<web::Json<Page<Thread>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 3)?;
    let (items, next_cursor) =
        session.read(move |conn, viewer| threads::list(conn, viewer, query.category.as_deref(), &page)).await?;
    Ok(web::Json(Page { items, next_cursor }))
}

/// Start a thread; needs posting rights in the category.
#[utoipa::path(
    tag = "threads",
    request_body = CreateThreadRequest,
    responses(
        (status = 201, description = "The thread and its first post", body = CreatedThread),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "May read but not start threads in this category", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, unknown category or audience", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/threads")]
pub async fn create_thread(
    state: web::Data<AppState>,
    session: Session,
    body: JsonObject<CreateThreadRequest>,
) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let req = body.into_inner();
    let builtins = state.builtins;
    let place = Place::NewThread { category: req.category.clone(), audience: req.audience.clone() };
    let composed = compose(&state, &session, req.body.clone(), place).await?;
    let created = session
        .write(move |conn, viewer| {
            threads::create(
                conn,
                viewer,
                &builtins,
                NewThread {
                    category: &req.category,
                    title: &req.title,
                    body: &req.body,
                    body_html: &composed.html,
                    audience: req.audience.as_deref(),
                    mentions: &composed.mentions,
                    quotes: &composed.quotes,
                },
            )
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/threads/{}", created.thread.id)))
        .json(created))
}

/// One thread.
#[utoipa::path(
    tag = "threads",
    params(("id" = i64, Path, description = "Thread id")),
    responses(
        (status = 200, description = "The thread", body = Thread),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/threads/{id}")]
pub async fn get_thread(session: Session, id: web::Path<i64>) -> Result<web::Json<Thread>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(session.read(move |conn, viewer| threads::get(conn, viewer, id)).await?))
}

/// Who wrote the thread's posts that the viewer can read, in the order they
/// first wrote, each with the time zone of their profile (at most 200):
/// the zones a meeting time in the thread must suit.
#[utoipa::path(
    tag = "threads",
    params(("id" = i64, Path, description = "Thread id")),
    responses(
        (status = 200, description = "The participants", body = Vec<Participant>),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/threads/{id}/participants")]
pub async fn list_participants(session: Session, id: web::Path<i64>) -> Result<web::Json<Vec<Participant>>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(session.read(move |conn, viewer| posts::participants(conn, viewer, id)).await?))
}

/// Retitle (author, moderators), pin, lock or move (moderators).
#[utoipa::path(
    tag = "threads",
    params(("id" = i64, Path, description = "Thread id")),
    request_body = UpdateThreadRequest,
    responses(
        (status = 200, description = "Updated", body = Thread),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to change this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, or not readable", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/threads/{id}")]
pub async fn update_thread(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    body: JsonObject<UpdateThreadRequest>,
) -> Result<web::Json<Thread>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    let req = body.into_inner();
    let builtins = state.builtins;
    let thread = session
        .write(move |conn, viewer| {
            threads::update(
                conn,
                viewer,
                &builtins,
                id,
                ThreadChanges {
                    title: req.title.as_deref(),
                    pinned: req.pinned,
                    locked: req.locked,
                    category: req.category.as_deref(),
                },
            )
        })
        .await?;
    Ok(web::Json(thread))
}

/// Soft-delete a thread (author, moderators).
#[utoipa::path(
    tag = "threads",
    params(("id" = i64, Path, description = "Thread id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the author or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/threads/{id}")]
pub async fn delete_thread(session: Session, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    session.write(move |conn, viewer| threads::delete(conn, viewer, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
