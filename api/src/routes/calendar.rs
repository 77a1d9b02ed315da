//! Personal calendar feeds: a secret URL per member that calendar apps
//! (`webcal://`) fetch without any other credential. The secret opens the
//! feed and nothing else; the feed holds the events its member may read at
//! the moment it is fetched.

use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use quorum_types::{CalendarFeed, ErrorCode, Problem};

use super::meetings::{base_url, ics_response};
use crate::auth::Session;
use crate::calendar::ics;
use crate::db::policy::Credential;
use crate::db::queries::{calendar_tokens, meetings, users};
use crate::error::ApiError;
use crate::startup::AppState;

/// Create your calendar feed's secret URL, or replace it (the old one stops
/// working at once). Shown this once.
#[utoipa::path(
    tag = "events",
    responses(
        (status = 201, description = "The feed's URL, with its secret", body = CalendarFeed),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A personal access token cannot manage the feed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/me/calendar-token")]
pub async fn create_calendar_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let token = session.write(calendar_tokens::rotate).await?;
    let url = format!("{}/api/v1/calendar/{token}.ics", base_url(&req, &state));
    let webcal_url = match url.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => url.clone(),
    };
    // Carries a secret: never kept for an idempotent replay.
    Ok(HttpResponse::Created().insert_header((header::CACHE_CONTROL, "no-store")).json(CalendarFeed {
        token,
        url,
        webcal_url,
    }))
}

/// Revoke your calendar feed: its URL stops working at once.
#[utoipa::path(
    tag = "events",
    responses(
        (status = 204, description = "Revoked (or there was none)"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A personal access token cannot manage the feed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/me/calendar-token")]
pub async fn revoke_calendar_token(session: Session) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    session.write(calendar_tokens::revoke).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A member's calendar feed (iCalendar), authenticated by the secret in its
/// URL alone: the events of the threads the member may read now, from 90
/// days ago on, cancelled ones marked so.
#[utoipa::path(
    tag = "events",
    params(("token" = String, Path, description = "The feed's secret")),
    responses(
        (status = 200, description = "The feed", body = String, content_type = "text/calendar"),
        (status = 403, description = "The member is suspended", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such feed (unknown, replaced or revoked)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/calendar/{token}.ics")]
pub async fn calendar_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let secret = token.into_inner();
    let builtins = state.builtins;
    let rows = state
        .db
        .read(move |conn| {
            let owner = calendar_tokens::owner(conn, &secret)?
                .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such calendar feed"))?;
            // Read rights only: this viewer never leaves this request.
            let viewer = users::viewer(conn, &builtins, owner, None, Credential::Session, None)?;
            meetings::feed(conn, &viewer)
        })
        .await?;
    let base = base_url(&req, &state);
    let entries: Vec<ics::Entry<'_>> =
        rows.iter().map(|m| ics::Entry { meeting: m, page_url: format!("{base}/t/{}", m.thread_id) }).collect();
    Ok(ics_response(ics::calendar(&state.site_name, &entries), "quorum.ics"))
}
