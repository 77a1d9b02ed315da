//! Public profiles.

use actix_web::{get, web};
use quorum_types::{Problem, UserProfile};

use crate::auth::Session;
use crate::db::queries::users;
use crate::error::ApiError;

/// A member's public profile.
#[utoipa::path(
    tag = "users",
    params(("username" = String, Path, description = "Username")),
    responses(
        (status = 200, description = "The profile", body = UserProfile),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/users/{username}")]
pub async fn get_user(session: Session, username: web::Path<String>) -> Result<web::Json<UserProfile>, ApiError> {
    let username = username.into_inner();
    Ok(web::Json(session.read(move |conn, _viewer| users::profile(conn, &username)).await?))
}
