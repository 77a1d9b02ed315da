//! Groups and membership (admins only, except listing).

use super::JsonObject;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use quorum_types::{
    BulkMembersQuery, BulkMembersRequest, BulkMembersResult, CreateGroupRequest, Group, Page, PageQuery, Problem,
    UpdateGroupRequest, UserSummary, AUDIENCE_EVERYONE, AUDIENCE_SIGNED_IN,
};

use crate::auth::Session;
use crate::db::queries::{groups, PageRequest};
use crate::error::{ApiError, Validator};
use crate::startup::AppState;
use crate::validate;

/// Every group (for audience pickers); any signed-in member may list them.
#[utoipa::path(
    tag = "groups",
    params(PageQuery),
    responses(
        (status = 200, description = "All groups, by slug", body = Page<Group>),
        (status = 400, description = "Invalid cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/groups")]
pub async fn list_groups(session: Session, query: web::Query<PageQuery>) -> Result<web::Json<Page<Group>>, ApiError> {
    session.require_signed_in()?;
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let (items, next_cursor) = page.slice(session.read(|conn, _viewer| groups::list(conn)).await?);
    Ok(web::Json(Page { items, next_cursor }))
}

/// One group.
#[utoipa::path(
    tag = "groups",
    params(("slug" = String, Path, description = "Group slug")),
    responses(
        (status = 200, description = "The group", body = Group),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/groups/{slug}")]
pub async fn get_group(session: Session, slug: web::Path<String>) -> Result<web::Json<Group>, ApiError> {
    session.require_signed_in()?;
    let slug = slug.into_inner();
    Ok(web::Json(session.read(move |conn, _viewer| groups::get(conn, &slug)).await?))
}

/// Create a group.
#[utoipa::path(
    tag = "groups",
    request_body = CreateGroupRequest,
    responses(
        (status = 201, description = "Created", body = Group),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/groups")]
pub async fn create_group(session: Session, body: JsonObject<CreateGroupRequest>) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let req = body.into_inner();
    let mut v = Validator::default();
    let slug = validate::slug(&mut v, "slug", &req.slug, 32);
    v.check(slug != AUDIENCE_EVERYONE && slug != AUDIENCE_SIGNED_IN, "slug", "is a reserved audience name");
    let name = validate::name(&mut v, "name", &req.name, 100);
    let description = validate::description(&mut v, &req.description);
    v.finish()?;
    let group = session.write(move |conn, viewer| groups::create(conn, viewer, &slug, &name, &description)).await?;
    Ok(HttpResponse::Created().insert_header((header::LOCATION, format!("/api/v1/groups/{}", group.slug))).json(group))
}

/// Rename or describe a group.
#[utoipa::path(
    tag = "groups",
    params(("slug" = String, Path, description = "Group slug")),
    request_body = UpdateGroupRequest,
    responses(
        (status = 200, description = "Updated", body = Group),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Built-in group", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/groups/{slug}")]
pub async fn update_group(
    session: Session,
    slug: web::Path<String>,
    body: JsonObject<UpdateGroupRequest>,
) -> Result<web::Json<Group>, ApiError> {
    session.require_signed_in()?;
    let req = body.into_inner();
    let mut v = Validator::default();
    let name = req.name.as_deref().map(|n| validate::name(&mut v, "name", n, 100));
    let description = req.description.as_deref().map(|d| validate::description(&mut v, d));
    v.finish()?;
    let slug = slug.into_inner();
    let group = session
        .write(move |conn, viewer| groups::update(conn, viewer, &slug, name.as_deref(), description.as_deref()))
        .await?;
    Ok(web::Json(group))
}

/// Delete a group. Audiences that named it stop naming it.
#[utoipa::path(
    tag = "groups",
    params(("slug" = String, Path, description = "Group slug")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Built-in group", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/groups/{slug}")]
pub async fn delete_group(session: Session, slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let slug = slug.into_inner();
    session.write(move |conn, viewer| groups::delete(conn, viewer, &slug)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Members of a group.
#[utoipa::path(
    tag = "groups",
    params(("slug" = String, Path, description = "Group slug"), PageQuery),
    responses(
        (status = 200, description = "Members by id", body = Page<UserSummary>),
        (status = 400, description = "Invalid cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/groups/{slug}/members")]
pub async fn list_members(
    session: Session,
    slug: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<UserSummary>>, ApiError> {
    session.require_signed_in()?;
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let slug = slug.into_inner();
    let (items, next_cursor) = session.read(move |conn, viewer| groups::members(conn, viewer, &slug, &page)).await?;
    Ok(web::Json(Page { items, next_cursor }))
}

/// Add a member (idempotent).
#[utoipa::path(
    tag = "groups",
    params(("slug" = String, Path, description = "Group slug"), ("username" = String, Path, description = "Username")),
    responses(
        (status = 204, description = "The user is a member"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group or user", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/groups/{slug}/members/{username}")]
pub async fn add_member(session: Session, path: web::Path<(String, String)>) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let (slug, username) = path.into_inner();
    session.write(move |conn, viewer| groups::add_member(conn, viewer, &slug, &username)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Remove a member (idempotent). Takes effect on that member's next request.
#[utoipa::path(
    tag = "groups",
    params(("slug" = String, Path, description = "Group slug"), ("username" = String, Path, description = "Username")),
    responses(
        (status = 204, description = "The user is not a member"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group or user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Removing the last admin", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/groups/{slug}/members/{username}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let (slug, username) = path.into_inner();
    let admins = state.builtins.admins;
    session.write(move |conn, viewer| groups::remove_member(conn, viewer, admins, &slug, &username)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Set many memberships at once (syncing from a membership register): adds
/// every named account; with `?replace=true` also removes every member not
/// named. One transaction; the answer says what happened to each name.
#[utoipa::path(
    tag = "groups",
    params(("slug" = String, Path, description = "Group slug"), BulkMembersQuery),
    request_body = BulkMembersRequest,
    responses(
        (status = 200, description = "What changed", body = BulkMembersResult),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Removing the last admin", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/groups/{slug}/members")]
pub async fn set_members(
    state: web::Data<AppState>,
    session: Session,
    slug: web::Path<String>,
    query: web::Query<BulkMembersQuery>,
    body: JsonObject<BulkMembersRequest>,
) -> Result<web::Json<BulkMembersResult>, ApiError> {
    session.require_signed_in()?;
    let slug = slug.into_inner();
    let replace = query.replace;
    let usernames = body.into_inner().usernames;
    let admins = state.builtins.admins;
    Ok(web::Json(
        session
            .write(move |conn, viewer| groups::set_members(conn, viewer, admins, &slug, &usernames, replace))
            .await?,
    ))
}
