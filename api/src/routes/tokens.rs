//! Personal access tokens: one's own (`/me/tokens`), and everyone's for
//! admins (`/admin/tokens`).

use super::JsonObject;
use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpResponse};
use quorum_types::{AccessToken, CreateTokenRequest, CreatedToken, Page, PageQuery, Problem, TokenListQuery};
use serde_json::json;

use crate::auth::Session;
use crate::db::policy::actions::{require, Action, Target};
use crate::db::policy::{Scope, Viewer};
use crate::db::queries::events::{self, Kind, NewEvent};
use crate::db::queries::{access_tokens, now, users, PageRequest};
use crate::db::AnyConnection;
use crate::error::{ApiError, Validator};

/// Your personal access tokens, newest first (revoked ones left out).
#[utoipa::path(
    tag = "tokens",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of tokens", body = Page<AccessToken>),
        (status = 403, description = "A personal access token cannot list tokens", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me/tokens")]
pub async fn list_my_tokens(
    session: Session,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<AccessToken>>, ApiError> {
    session.require_signed_in()?;
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let (items, next_cursor) = session
        .read(move |conn, viewer| {
            require(viewer, Action::ManageOwnTokens, Target::Site)?;
            access_tokens::list(conn, viewer.user_id(), false, &page)
        })
        .await?;
    Ok(web::Json(Page { items, next_cursor }))
}

/// Create a token for scripts. Its secret is in this answer only; send it
/// as `Authorization: Bearer <secret>`. Needs a signed-in session: a
/// token cannot make tokens.
#[utoipa::path(
    tag = "tokens",
    request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "The token and its secret, shown once", body = CreatedToken),
        (status = 403, description = "A personal access token cannot create tokens", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/me/tokens")]
pub async fn create_token(session: Session, body: JsonObject<CreateTokenRequest>) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let req = body.into_inner();
    let mut v = Validator::default();
    let name = req.name.trim().to_owned();
    v.check(
        !name.is_empty() && name.chars().count() <= 100 && !name.contains('\0'),
        "name",
        "must be 1 to 100 characters",
    );
    let mut scopes = Vec::new();
    for s in &req.scopes {
        match Scope::parse(s.trim()) {
            Some(scope) => scopes.push(scope),
            None => v.add("scopes", format!("{s:?} is not a scope: use read, write, moderate or admin")),
        }
    }
    v.check(!req.scopes.is_empty(), "scopes", "name at least one scope: a token without scopes could do nothing");
    let expires_at = req.expires_at.map(|t| t.naive_utc());
    v.check(expires_at.is_none_or(|t| t > now()), "expires_at", "must be in the future");
    v.finish()?;
    let created = session
        .write(move |conn, viewer| {
            require(viewer, Action::ManageOwnTokens, Target::Site)?;
            let account = viewer.require_account()?;
            let (row, secret) = access_tokens::create(conn, account.id, &name, &scopes, expires_at)?;
            let token = access_tokens::to_wire(conn, vec![row])?.remove(0);
            log(conn, viewer, Kind::TokenCreated, &token)?;
            Ok(CreatedToken { token, secret })
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/api/v1/me/tokens"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(created))
}

fn log(conn: &mut AnyConnection, viewer: &Viewer, kind: Kind, token: &AccessToken) -> Result<(), ApiError> {
    let described =
        json!({"name": token.name, "prefix": token.prefix, "scopes": token.scopes, "expires_at": token.expires_at});
    let (before, after) = if kind == Kind::TokenCreated { (None, Some(described)) } else { (Some(described), None) };
    let event = NewEvent::new(kind, format!("token:{}", token.prefix)).user(token.owner.id).change(before, after);
    events::record(conn, viewer, event).map(|_| ())
}

/// Revoke one of your tokens; it stops working at once.
#[utoipa::path(
    tag = "tokens",
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 200, description = "The revoked token", body = AccessToken),
        (status = 403, description = "A personal access token cannot revoke tokens", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token of yours", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/me/tokens/{id}")]
pub async fn revoke_my_token(session: Session, id: web::Path<i64>) -> Result<web::Json<AccessToken>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    Ok(web::Json(
        session
            .write(move |conn, viewer| {
                require(viewer, Action::ManageOwnTokens, Target::Site)?;
                let row = access_tokens::find(conn, id)?;
                if Some(row.user_id) != viewer.user_id() {
                    return Err(ApiError::not_found());
                }
                revoke(conn, viewer, id)
            })
            .await?,
    ))
}

fn revoke(conn: &mut AnyConnection, viewer: &Viewer, id: i64) -> Result<AccessToken, ApiError> {
    let was_live = access_tokens::find(conn, id)?.revoked_at.is_none();
    let row = access_tokens::revoke(conn, id)?;
    let token = access_tokens::to_wire(conn, vec![row])?.remove(0);
    if was_live {
        log(conn, viewer, Kind::TokenRevoked, &token)?;
    }
    Ok(token)
}

/// Everyone's tokens (admins), newest first.
#[utoipa::path(
    tag = "admin",
    params(TokenListQuery),
    responses(
        (status = 200, description = "A page of tokens", body = Page<AccessToken>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/admin/tokens")]
pub async fn list_all_tokens(
    session: Session,
    query: web::Query<TokenListQuery>,
) -> Result<web::Json<Page<AccessToken>>, ApiError> {
    session.require_signed_in()?;
    let query = query.into_inner();
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let (items, next_cursor) = session
        .read(move |conn, viewer| {
            require(viewer, Action::ManageUsers, Target::Site)?;
            let owner = match query.user.as_deref() {
                Some(name) => Some(
                    users::find_by_username(conn, name).map_err(|e| e.missing_as_field("user", "no such account"))?.id,
                ),
                None => None,
            };
            access_tokens::list(conn, owner, query.include_revoked, &page)
        })
        .await?;
    Ok(web::Json(Page { items, next_cursor }))
}

/// Revoke anyone's token (admins).
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 200, description = "The revoked token", body = AccessToken),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/admin/tokens/{id}")]
pub async fn revoke_any_token(session: Session, id: web::Path<i64>) -> Result<web::Json<AccessToken>, ApiError> {
    session.require_signed_in()?;
    let id = id.into_inner();
    Ok(web::Json(
        session
            .write(move |conn, viewer| {
                require(viewer, Action::ManageUsers, Target::Site)?;
                revoke(conn, viewer, id)
            })
            .await?,
    ))
}
