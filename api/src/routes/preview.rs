//! Markdown preview: the exact HTML a post with this body would show.

use actix_web::{post, web};
use quorum_types::{Preview, PreviewRequest, Problem};

use crate::auth::Session;
use crate::db::queries::posts::check_body;
use crate::error::ApiError;
use crate::markdown;
use crate::startup::AppState;

/// Render Markdown with the same renderer and sanitiser as posts, without
/// saving anything. An empty body renders as empty HTML.
#[utoipa::path(
    tag = "posts",
    request_body = PreviewRequest,
    responses(
        (status = 200, description = "The sanitised HTML", body = Preview),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too long, past a rendering limit (such as nesting depth), or contains NUL characters", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/preview")]
pub async fn preview(
    state: web::Data<AppState>,
    session: Session,
    body: web::Json<PreviewRequest>,
) -> Result<web::Json<Preview>, ApiError> {
    session.require_signed_in()?;
    let body = body.into_inner().body;
    if body.trim().is_empty() {
        return Ok(web::Json(Preview { body_html: String::new() }));
    }
    check_body(&body)?;
    let body_html = state.rendering.run(move || markdown::render(&body)).await?;
    Ok(web::Json(Preview { body_html }))
}
