//! Markdown preview: the exact HTML a post with this body would show.

use super::JsonObject;
use actix_web::{post, web};
use quorum_types::{Preview, PreviewRequest, Problem};

use crate::auth::Session;
use crate::compose::{compose, Composed};
use crate::db::queries::mentions::Place;
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
    body: JsonObject<PreviewRequest>,
) -> Result<web::Json<Preview>, ApiError> {
    session.require_signed_in()?;
    let req = body.into_inner();
    if req.body.trim().is_empty() {
        return Ok(web::Json(Preview { body_html: String::new(), warnings: Vec::new(), dates: Vec::new() }));
    }
    check_body(&req.body)?;
    let place = match (req.thread_id, req.category) {
        (Some(thread_id), _) => Some(Place::Reply { thread_id, audience: req.audience }),
        (None, Some(category)) => Some(Place::NewThread { category, audience: req.audience }),
        (None, None) => None,
    };
    let composed = match place {
        Some(place) => compose(&state, &session, req.body, place).await?,
        None => {
            let body = req.body;
            let html = state.rendering.run(move || markdown::render(&body)).await?;
            Composed { html, ..Composed::default() }
        }
    };
    let dates = markdown::dates::from_html(&composed.html);
    Ok(web::Json(Preview { body_html: composed.html, warnings: composed.warnings, dates }))
}
