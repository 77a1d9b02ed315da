//! Public profiles.

use actix_web::{get, web};
use quorum_types::{Problem, UserProfile};

use crate::auth::Session;
use crate::config::Profiles;
use crate::db::queries::users;
use crate::error::ApiError;
use crate::startup::AppState;

/// A member's profile. With `QUORUM_PROFILES=members` (the default),
/// anonymous visitors get 404 for every name, so the forum does not confirm
/// to strangers who has an account.
#[utoipa::path(
    tag = "users",
    params(("username" = String, Path, description = "Username")),
    responses(
        (status = 200, description = "The profile", body = UserProfile),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user, or profiles are for members and you are not signed in", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/users/{username}")]
pub async fn get_user(
    state: web::Data<AppState>,
    session: Session,
    username: web::Path<String>,
) -> Result<web::Json<UserProfile>, ApiError> {
    let username = username.into_inner();
    let members_only = state.profiles == Profiles::Members;
    Ok(web::Json(
        session
            .read(move |conn, viewer| {
                if members_only && viewer.account.is_none() {
                    return Err(ApiError::not_found());
                }
                users::profile(conn, &username)
            })
            .await?,
    ))
}
