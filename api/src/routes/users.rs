//! Public profiles, and the posts of a member the viewer may read.

use actix_web::{get, web};
use quorum_types::{Page, PageQuery, Problem, UserPost, UserProfile};

use crate::auth::Session;
use crate::config::Profiles;
use crate::db::queries::{profiles, PageRequest};
use crate::error::ApiError;
use crate::startup::AppState;

/// A member's profile: name, bio, time zone, and (for signed-in viewers)
/// their groups. With `QUORUM_PROFILES=members` (the default), anonymous
/// visitors get 404 for every name, so the forum does not confirm to
/// strangers who has an account.
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
                profiles::profile(conn, viewer, &username)
            })
            .await?,
    ))
}

/// The member's posts that the viewer may read, newest first (hidden posts
/// left out). Posts whose audience excludes the viewer are not counted,
/// shown or hinted at.
#[utoipa::path(
    tag = "users",
    params(("username" = String, Path, description = "Username"), PageQuery),
    responses(
        (status = 200, description = "A page of posts, newest first", body = Page<UserPost>),
        (status = 400, description = "Invalid cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user, or profiles are for members and you are not signed in", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/users/{username}/posts")]
pub async fn user_posts(
    state: web::Data<AppState>,
    session: Session,
    username: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<UserPost>>, ApiError> {
    let username = username.into_inner();
    let query = query.into_inner();
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let members_only = state.profiles == Profiles::Members;
    let (items, next_cursor) = session
        .read(move |conn, viewer| {
            if members_only && viewer.account.is_none() {
                return Err(ApiError::not_found());
            }
            profiles::recent_posts(conn, viewer, &username, &page)
        })
        .await?;
    Ok(web::Json(Page { items, next_cursor }))
}
