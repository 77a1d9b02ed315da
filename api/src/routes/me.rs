//! The signed-in account.

use super::JsonObject;
use actix_web::{get, patch, web};
use quorum_types::{Me, Problem, UpdateMeRequest};

use crate::auth::password;
use crate::auth::Session;
use crate::db::queries::{password_resets, tokens, users};
use crate::error::{ApiError, Validator};
use crate::startup::AppState;
use crate::throttle::Rule;
use crate::validate;

/// The signed-in account, with its groups.
#[utoipa::path(
    tag = "me",
    responses(
        (status = 200, description = "The account", body = Me),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, session: Session) -> Result<web::Json<Me>, ApiError> {
    session.require_signed_in()?;
    let builtins = state.builtins;
    Ok(web::Json(session.read(move |conn, viewer| users::me(conn, &builtins, viewer.require_account()?.id)).await?))
}

/// Change display name, bio, time zone or password. A password change needs
/// `current_password` and signs out every session, this one included: the
/// response still succeeds, then sign in again with the new password.
#[utoipa::path(
    tag = "me",
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "The updated account", body = Me),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address or at this account; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json", headers(("retry-after" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
#[patch("/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    session: Session,
    body: JsonObject<UpdateMeRequest>,
) -> Result<web::Json<Me>, ApiError> {
    session.require_signed_in()?;
    let req = body.into_inner();
    let mut v = Validator::default();
    let mut changes = users::UserChanges {
        display_name: req.display_name.as_deref().map(|d| validate::display_name(&mut v, d)),
        bio: req.bio.as_deref().map(|b| validate::bio(&mut v, b)),
        time_zone: req.time_zone.as_deref().map(|z| validate::time_zone(&mut v, z)),
        password_hash: None,
        email_notifications: req.email_notifications.map(|e| {
            match e {
                quorum_types::EmailNotifications::Off => "off",
                quorum_types::EmailNotifications::Immediate => "immediate",
                quorum_types::EmailNotifications::Daily => "daily",
            }
            .to_owned()
        }),
    };
    if let Some(new_password) = &req.password {
        validate::password(&mut v, "password", new_password);
        if req.current_password.is_none() {
            v.add("current_password", "is required to change the password");
        }
    }
    v.finish()?;
    if let (Some(new_password), Some(current)) = (req.password, req.current_password) {
        let st = state.clone();
        // Counted before the check, so parallel guesses are counted one by one.
        let (user_id, stored) = session
            .write(move |conn, viewer| {
                let user = users::find(conn, viewer.require_account()?.id)?;
                st.throttle.attempt(conn, &[(Rule::PasswordAccount, &format!("user:{}", user.id))])?;
                Ok((user.id, user.password_hash))
            })
            .await?;
        changes.password_hash = Some(
            state
                .hashing
                .run(move || {
                    if password::verify(&current, &stored) {
                        password::hash(&new_password)
                    } else {
                        Err(ApiError::field("current_password", "is not the current password"))
                    }
                })
                .await?,
        );
        let st = state.clone();
        state
            .db
            .write(move |conn| st.throttle.succeeded(conn, &[(Rule::PasswordAccount, &format!("user:{user_id}"))]))
            .await?;
    }
    let builtins = state.builtins;
    let me = session
        .write(move |conn, viewer| {
            let user_id = viewer.require_account()?.id;
            let password_changed = changes.password_hash.is_some();
            users::update(conn, user_id, &changes)?;
            if password_changed {
                tokens::revoke_all(conn, user_id)?;
                users::bump_token_generation(conn, user_id)?;
                // A reset link mailed earlier would undo this change.
                password_resets::drop_open(conn, user_id)?;
            }
            users::me(conn, &builtins, user_id)
        })
        .await?;
    Ok(web::Json(me))
}
