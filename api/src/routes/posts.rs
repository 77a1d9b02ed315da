//! Posts, their revisions and likes.

use super::JsonObject;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use quorum_types::{
    CreatePostRequest, Like, LikeState, Page, PageQuery, Post, PostListQuery, Problem, Revision, UpdatePostRequest,
};

use crate::auth::Session;
use crate::compose::compose;
use crate::db::queries::mentions::Place;
use crate::db::queries::posts::{self, NewReply, NewText};
use crate::db::queries::{likes, PageRequest};
use crate::error::ApiError;
use crate::startup::AppState;

/// Posts of a thread the viewer can read, in order: from the start, after
/// a cursor, around one post (`around`, for links to a post) or just
/// before one (`before`, to load earlier posts from there).
#[utoipa::path(
    tag = "posts",
    params(("id" = i64, Path, description = "Thread id"), PostListQuery),
    responses(
        (status = 200, description = "A page of posts", body = Page<Post>),
        (status = 400, description = "Invalid cursor or limit, or more than one of cursor, around and before", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/threads/{id}/posts")]
pub async fn list_posts(
    session: Session,
    id: web::Path<i64>,
    query: web::Query<PostListQuery>,
) -> Result<web::Json<Page<Post>>, ApiError> {
    let id = id.into_inner();
    let query = query.into_inner();
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let from = match (page.after.is_some(), query.around, query.before) {
        (_, None, None) => posts::Window::Start,
        (false, Some(post), None) => posts::Window::Around(post),
        (false, None, Some(post)) => posts::Window::Before(post),
        _ => return Err(ApiError::bad_request("give at most one of cursor, around and before")),
    };
    let (items, next_cursor) = session.read(move |conn, viewer| posts::list(conn, viewer, id, &page, from)).await?;
    Ok(web::Json(Page { items, next_cursor }))
}

/// Reply in a thread, optionally to a post and to a narrower audience.
#[utoipa::path(
    tag = "posts",
    params(("id" = i64, Path, description = "Thread id")),
    request_body = CreatePostRequest,
    responses(
        (status = 201, description = "The new post", body = Post),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such thread, or not readable", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or the thread is locked", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/threads/{id}/posts")]
pub async fn create_post(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    body: JsonObject<CreatePostRequest>,
) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    let req = body.into_inner();
    let builtins = state.builtins;
    let place = Place::Reply { thread_id: id, audience: req.audience.clone() };
    let composed = compose(&state, &session, req.body.clone(), place).await?;
    let post = session
        .write(move |conn, viewer| {
            let reply = NewReply {
                body: &req.body,
                body_html: &composed.html,
                reply_to: req.reply_to,
                audience: req.audience.as_deref(),
                mentions: &composed.mentions,
                quotes: &composed.quotes,
            };
            posts::create(conn, viewer, &builtins, id, reply)
        })
        .await?;
    Ok(HttpResponse::Created().insert_header((header::LOCATION, format!("/api/v1/posts/{}", post.id))).json(post))
}

/// One post.
#[utoipa::path(
    tag = "posts",
    params(("id" = i64, Path, description = "Post id")),
    responses(
        (status = 200, description = "The post", body = Post),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/posts/{id}")]
pub async fn get_post(session: Session, id: web::Path<i64>) -> Result<web::Json<Post>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(session.read(move |conn, viewer| posts::get(conn, viewer, id)).await?))
}

/// Edit a post (author, moderators); the earlier text stays as a revision.
#[utoipa::path(
    tag = "posts",
    params(("id" = i64, Path, description = "Post id")),
    request_body = UpdatePostRequest,
    responses(
        (status = 200, description = "The edited post", body = Post),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the author or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not readable", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/posts/{id}")]
pub async fn update_post(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    body: JsonObject<UpdatePostRequest>,
) -> Result<web::Json<Post>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    let text = body.into_inner().body;
    let composed = compose(&state, &session, text.clone(), Place::Edit { post_id: id }).await?;
    let builtins = state.builtins;
    Ok(web::Json(
        session
            .write(move |conn, viewer| {
                let edit = NewText {
                    body: &text,
                    body_html: &composed.html,
                    mentions: &composed.mentions,
                    quotes: &composed.quotes,
                };
                posts::update(conn, viewer, &builtins, id, edit)
            })
            .await?,
    ))
}

/// Soft-delete a reply (author, moderators). The first post goes with its thread.
#[utoipa::path(
    tag = "posts",
    params(("id" = i64, Path, description = "Post id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the author or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not readable", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The first post: delete the thread instead", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/posts/{id}")]
pub async fn delete_post(session: Session, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    session.write(move |conn, viewer| posts::delete(conn, viewer, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every version of a post, the original first.
#[utoipa::path(
    tag = "posts",
    params(("id" = i64, Path, description = "Post id"), PageQuery),
    responses(
        (status = 200, description = "Revisions, oldest first", body = Page<Revision>),
        (status = 400, description = "Invalid cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not readable", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The edit history is for the author and moderators", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/posts/{id}/revisions")]
pub async fn list_revisions(
    session: Session,
    id: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<Revision>>, ApiError> {
    let id = id.into_inner();
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let (items, next_cursor) = page.slice(session.read(move |conn, viewer| posts::revisions(conn, viewer, id)).await?);
    Ok(web::Json(Page { items, next_cursor }))
}

/// Like a post (idempotent). Your own posts cannot be liked.
#[utoipa::path(
    tag = "likes",
    params(("id" = i64, Path, description = "Post id")),
    responses(
        (status = 200, description = "Liked", body = LikeState),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not readable", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Your own post", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/posts/{id}/like")]
pub async fn like_post(session: Session, id: web::Path<i64>) -> Result<web::Json<LikeState>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    Ok(web::Json(session.write(move |conn, viewer| likes::like(conn, viewer, id)).await?))
}

/// Take a like back (idempotent).
#[utoipa::path(
    tag = "likes",
    params(("id" = i64, Path, description = "Post id")),
    responses(
        (status = 200, description = "Not liked", body = LikeState),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/posts/{id}/like")]
pub async fn unlike_post(session: Session, id: web::Path<i64>) -> Result<web::Json<LikeState>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    Ok(web::Json(session.write(move |conn, viewer| likes::unlike(conn, viewer, id)).await?))
}

/// Who liked a post, oldest first.
#[utoipa::path(
    tag = "likes",
    params(("id" = i64, Path, description = "Post id"), PageQuery),
    responses(
        (status = 200, description = "A page of likes", body = Page<Like>),
        (status = 400, description = "Invalid cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/posts/{id}/likes")]
pub async fn list_likes(
    session: Session,
    id: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<Like>>, ApiError> {
    let id = id.into_inner();
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 2)?;
    let (items, next_cursor) = session.read(move |conn, viewer| likes::list(conn, viewer, id, &page)).await?;
    Ok(web::Json(Page { items, next_cursor }))
}
