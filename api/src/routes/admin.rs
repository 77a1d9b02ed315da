//! Administration: run-time settings, people and suspensions, the audit log.

use super::JsonObject;
use actix_web::{delete, get, patch, put, web};
use quorum_types::{
    AdminSettings, AdminUser, AuditEntry, AuditQuery, Page, Problem, SuspendRequest, UpdateSettingsRequest,
    UserListQuery,
};

use crate::auth::Session;
use crate::db::policy::actions::{require, Action, Target};
use crate::db::queries::{accounts, events, settings, PageRequest};
use crate::error::ApiError;
use crate::startup::AppState;

fn current_settings(
    state: &AppState,
    (registration, deleted_account_posts): (quorum_types::Registration, quorum_types::DeletedAccountPosts),
) -> AdminSettings {
    AdminSettings { registration, mail_configured: state.mail_configured, deleted_account_posts }
}

/// The settings an admin can change at run time.
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, description = "The settings", body = AdminSettings),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/admin/settings")]
pub async fn get_settings(state: web::Data<AppState>, session: Session) -> Result<web::Json<AdminSettings>, ApiError> {
    session.require_signed_in()?;
    let initial = state.registration;
    let current = session
        .read(move |conn, viewer| {
            require(viewer, Action::ManageSettings, Target::Site)?;
            Ok((settings::registration(conn, initial)?, settings::deleted_account_posts(conn)?))
        })
        .await?;
    Ok(web::Json(current_settings(&state, current)))
}

/// Change settings: who may register (`open`, `invite`, `closed`; the
/// environment's `QUORUM_REGISTRATION` only gives the initial value), and
/// what happens to a member's posts when they delete their account
/// (`deleted_account_posts`: `keep` under their name, `anonymise` to "a
/// former member", or `remove`; see `DELETE /me`).
#[utoipa::path(
    tag = "admin",
    request_body = UpdateSettingsRequest,
    responses(
        (status = 200, description = "The settings now", body = AdminSettings),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/admin/settings")]
pub async fn update_settings(
    state: web::Data<AppState>,
    session: Session,
    body: JsonObject<UpdateSettingsRequest>,
) -> Result<web::Json<AdminSettings>, ApiError> {
    session.require_signed_in()?;
    let req = body.into_inner();
    let initial = state.registration;
    let current = session
        .write(move |conn, viewer| {
            require(viewer, Action::ManageSettings, Target::Site)?;
            if let Some(mode) = req.registration {
                settings::set_registration(conn, viewer, initial, mode)?;
            }
            if let Some(mode) = req.deleted_account_posts {
                settings::set_deleted_account_posts(conn, viewer, mode)?;
            }
            Ok((settings::registration(conn, initial)?, settings::deleted_account_posts(conn)?))
        })
        .await?;
    Ok(web::Json(current_settings(&state, current)))
}

/// Accounts by id: search (`q`, in usernames, names and e-mail addresses)
/// and filter by group.
#[utoipa::path(
    tag = "admin",
    params(UserListQuery),
    responses(
        (status = 200, description = "A page of accounts", body = Page<AdminUser>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such group", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/admin/users")]
pub async fn list_users(
    session: Session,
    query: web::Query<UserListQuery>,
) -> Result<web::Json<Page<AdminUser>>, ApiError> {
    session.require_signed_in()?;
    let query = query.into_inner();
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let (items, next_cursor) = session
        .read(move |conn, viewer| accounts::list(conn, viewer, query.q.as_deref(), query.group.as_deref(), &page))
        .await?;
    Ok(web::Json(Page { items, next_cursor }))
}

/// Suspend an account, with a reason it is told, until a time or until
/// lifted. Every session and token of it stops on its next request.
#[utoipa::path(
    tag = "admin",
    params(("username" = String, Path, description = "Username")),
    request_body = SuspendRequest,
    responses(
        (status = 200, description = "The account, suspended", body = AdminUser),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/admin/users/{username}/suspension")]
pub async fn suspend_user(
    session: Session,
    username: web::Path<String>,
    body: JsonObject<SuspendRequest>,
) -> Result<web::Json<AdminUser>, ApiError> {
    session.require_signed_in()?;
    let username = username.into_inner();
    let req = body.into_inner();
    let until = req.until.map(|t| t.naive_utc());
    Ok(web::Json(
        session.write(move |conn, viewer| accounts::suspend(conn, viewer, &username, &req.reason, until)).await?,
    ))
}

/// Lift a suspension.
#[utoipa::path(
    tag = "admin",
    params(("username" = String, Path, description = "Username")),
    responses(
        (status = 200, description = "The account, not suspended", body = AdminUser),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/admin/users/{username}/suspension")]
pub async fn unsuspend_user(session: Session, username: web::Path<String>) -> Result<web::Json<AdminUser>, ApiError> {
    session.require_signed_in()?;
    let username = username.into_inner();
    Ok(web::Json(session.write(move |conn, viewer| accounts::unsuspend(conn, viewer, &username)).await?))
}

/// The audit log, newest first: every admin and moderator action and every
/// change of rights, with who, what, before and after, when and from where.
#[utoipa::path(
    tag = "admin",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of entries", body = Page<AuditEntry>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such actor or action", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/admin/audit")]
pub async fn audit_log(
    session: Session,
    query: web::Query<AuditQuery>,
) -> Result<web::Json<Page<AuditEntry>>, ApiError> {
    session.require_signed_in()?;
    let query = query.into_inner();
    let page = PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?;
    let (items, next_cursor) = session
        .read(move |conn, viewer| events::audit(conn, viewer, query.actor.as_deref(), query.action.as_deref(), &page))
        .await?;
    Ok(web::Json(Page { items, next_cursor }))
}
