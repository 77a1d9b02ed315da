//! Categories: readable ones for everybody, managed by admins.

use super::JsonObject;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use quorum_types::{Category, CreateCategoryRequest, Page, PageQuery, Problem, UpdateCategoryRequest};

use crate::auth::Session;
use crate::db::queries::categories::{self, CategoryChanges, NewCategory};
use crate::db::queries::PageRequest;
use crate::error::{ApiError, Validator};
use crate::startup::AppState;
use crate::validate;

/// Categories the viewer can read, with counts of what they can read in them.
#[utoipa::path(
    tag = "categories",
    params(PageQuery),
    responses(
        (status = 200, description = "Readable categories, by position", body = Page<Category>),
        (status = 400, description = "Invalid cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/categories")]
pub async fn list_categories(
    session: Session,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<Category>>, ApiError> {
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let items = session.read(categories::list).await?;
    let (items, next_cursor) = page.slice(items);
    Ok(web::Json(Page { items, next_cursor }))
}

/// Create a category (admins).
#[utoipa::path(
    tag = "categories",
    request_body = CreateCategoryRequest,
    responses(
        (status = 201, description = "Created", body = Category),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or unknown groups", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/categories")]
pub async fn create_category(
    session: Session,
    body: JsonObject<CreateCategoryRequest>,
) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let req = body.into_inner();
    let mut v = Validator::default();
    let slug = validate::slug(&mut v, "slug", &req.slug, 48);
    let name = validate::name(&mut v, "name", &req.name, 100);
    let description = validate::description(&mut v, &req.description);
    v.finish()?;
    let category = session
        .write(move |conn, viewer| {
            categories::create(
                conn,
                viewer,
                NewCategory {
                    slug: &slug,
                    name: &name,
                    description: &description,
                    audience: req.audience.as_deref(),
                    posters: req.posters.as_deref(),
                    position: req.position,
                },
            )
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/categories/{}", category.slug)))
        .json(category))
}

/// One category.
#[utoipa::path(
    tag = "categories",
    params(("slug" = String, Path, description = "Category slug")),
    responses(
        (status = 200, description = "The category", body = Category),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category, or not readable", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/categories/{slug}")]
pub async fn get_category(session: Session, slug: web::Path<String>) -> Result<web::Json<Category>, ApiError> {
    let slug = slug.into_inner();
    Ok(web::Json(session.read(move |conn, viewer| categories::get(conn, viewer, &slug)).await?))
}

/// Change a category's name, description, audience, posters or position (admins).
#[utoipa::path(
    tag = "categories",
    params(("slug" = String, Path, description = "Category slug")),
    request_body = UpdateCategoryRequest,
    responses(
        (status = 200, description = "Updated", body = Category),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category, or not readable", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or unknown groups", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/categories/{slug}")]
pub async fn update_category(
    state: web::Data<AppState>,
    session: Session,
    slug: web::Path<String>,
    body: JsonObject<UpdateCategoryRequest>,
) -> Result<web::Json<Category>, ApiError> {
    session.require_signed_in()?;
    let req = body.into_inner();
    let mut v = Validator::default();
    let name = req.name.as_deref().map(|n| validate::name(&mut v, "name", n, 100));
    let description = req.description.as_deref().map(|d| validate::description(&mut v, d));
    v.finish()?;
    let slug = slug.into_inner();
    let builtins = state.builtins;
    let category = session
        .write(move |conn, viewer| {
            categories::update(
                conn,
                viewer,
                &builtins,
                &slug,
                CategoryChanges {
                    name: name.as_deref(),
                    description: description.as_deref(),
                    audience: req.audience.as_deref(),
                    posters: req.posters.as_deref(),
                    position: req.position,
                },
            )
        })
        .await?;
    Ok(web::Json(category))
}

/// Delete an empty category (admins).
#[utoipa::path(
    tag = "categories",
    params(("slug" = String, Path, description = "Category slug")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category, or not readable", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The category still has threads", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/categories/{slug}")]
pub async fn delete_category(session: Session, slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let slug = slug.into_inner();
    session.write(move |conn, viewer| categories::delete(conn, viewer, &slug)).await?;
    Ok(HttpResponse::NoContent().finish())
}
