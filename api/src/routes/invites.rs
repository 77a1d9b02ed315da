//! Invitations to register (admins).

use super::JsonObject;
use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpResponse};
use quorum_types::{CreateInviteRequest, CreatedInvite, Invite, Page, PageQuery, Problem};

use crate::auth::Session;
use crate::db::queries::invites::{self, NewInvite};
use crate::db::queries::PageRequest;
use crate::error::ApiError;
use crate::startup::AppState;

/// Create an invitation: the groups its users join, how many accounts it
/// may create (default 1), until when (default 14 days). The code is in
/// this answer only.
#[utoipa::path(
    tag = "admin",
    request_body = CreateInviteRequest,
    responses(
        (status = 201, description = "The invitation and its code", body = CreatedInvite),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/invites")]
pub async fn create_invite(
    state: web::Data<AppState>,
    session: Session,
    body: JsonObject<CreateInviteRequest>,
) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let req = body.into_inner();
    let (invite, code) = session
        .write(move |conn, viewer| {
            invites::create(
                conn,
                viewer,
                NewInvite {
                    groups: &req.groups,
                    max_uses: req.max_uses,
                    expires_at: req.expires_at.map(|t| t.naive_utc()),
                    note: &req.note,
                },
            )
        })
        .await?;
    let base = state.public_url.clone().unwrap_or_default();
    let url = format!("{base}/register?invite={code}");
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/api/v1/invites"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedInvite { invite, code, url }))
}

/// Invitations, newest first.
#[utoipa::path(
    tag = "admin",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of invitations", body = Page<Invite>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/invites")]
pub async fn list_invites(session: Session, query: web::Query<PageQuery>) -> Result<web::Json<Page<Invite>>, ApiError> {
    session.require_signed_in()?;
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let (items, next_cursor) = session.read(move |conn, viewer| invites::list(conn, viewer, &page)).await?;
    Ok(web::Json(Page { items, next_cursor }))
}

/// Revoke an invitation; it stops working at once.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "Invitation id")),
    responses(
        (status = 200, description = "The revoked invitation", body = Invite),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invitation", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/invites/{id}")]
pub async fn revoke_invite(session: Session, id: web::Path<i64>) -> Result<web::Json<Invite>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    Ok(web::Json(session.write(move |conn, viewer| invites::revoke(conn, viewer, id)).await?))
}
