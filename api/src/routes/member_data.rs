//! A member's own data: the archive of it, and deleting the account.

use super::JsonObject;
use actix_web::http::header;
use actix_web::{delete, get, web, HttpResponse};
use quorum_types::{DeleteAccountRequest, MemberExport, Problem};

use super::auth::clear_refresh_cookie;
use crate::auth::password;
use crate::auth::Session;
use crate::db::policy::actions::{require, Action, Target};
use crate::db::queries::{account_deletion, member_export, users};
use crate::error::ApiError;
use crate::startup::AppState;
use crate::throttle::Rule;

/// Download everything of yours, as one JSON file (`format`
/// `quorum.member-export`, `version` 1): profile and settings, group
/// memberships, the threads you started and your posts (as written, in
/// Markdown), the posts you liked, your notifications, what you follow or
/// mute, your answers to events and date polls, the posts you flagged,
/// invitations you created, and your access tokens (names, scopes and
/// dates; secrets are never stored, so never exported).
///
/// It holds your own content and nothing you cannot read now, decided by
/// the same rule as every other read: a post of yours in a thread or
/// post audience you have since left, or one deleted, is not in it (the
/// content belongs to that group's space, and an export must not be a way
/// around losing access); notifications, likes, watches, answers and flags
/// about content you can no longer read are left out too. Other people's
/// posts never appear: a like or notification names the post and thread by
/// id only, a reply gives the id of the post it answers only when you can
/// read that post, and a post of yours carries its thread's title for
/// context. A personal access token needs the `read` scope.
#[utoipa::path(
    tag = "me",
    responses(
        (status = 200, description = "The archive, as an attachment", body = MemberExport, headers(
            ("content-disposition" = String, description = "`attachment; filename=\"quorum-<username>-<date>.json\"`")
        )),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the read scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me/export")]
pub async fn export_me(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let (builtins, site) = (state.builtins, state.site_name.clone());
    let archive = session.read(move |conn, viewer| member_export::export(conn, &builtins, viewer, &site)).await?;
    let filename = format!("quorum-{}-{}.json", archive.account.username, archive.exported_at.format("%Y-%m-%d"));
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")))
        .json(archive))
}

/// Delete your account, confirmed with your password. What happens to your
/// posts is the forum's setting `deleted_account_posts` (shown in
/// `GET /site`): `keep` leaves them under your username and display name
/// (the name stays taken); `anonymise` shows them as by "a former member"
/// and frees your username; `remove` erases them (a thread nobody else
/// posted in goes; one others replied to keeps its title and a notice in
/// place of your first post) and frees your username. Either way your
/// e-mail address, bio, time zone and password go, and so do your likes,
/// sessions and access tokens (every token stops working at once),
/// calendar feed, group memberships, watches, read marks, notifications,
/// pending mail, and answers to events and polls. Flags you raised stay for
/// the moderators. Your e-mail address can register again.
///
/// Only a signed-in session can do this, never a personal access token.
/// The forum's only admin cannot (409): make someone else an admin first.
/// A wrong password is a 422 on `password`, and changes nothing.
#[utoipa::path(
    tag = "me",
    request_body = DeleteAccountRequest,
    responses(
        (status = 204, description = "Deleted; the refresh cookie is cleared", headers(
            ("set-cookie" = String, description = "Clears the `quorum_refresh` cookie")
        )),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A personal access token cannot delete an account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The forum's only admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address or at this account; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json", headers(("retry-after" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
#[delete("/me")]
pub async fn delete_me(
    state: web::Data<AppState>,
    session: Session,
    body: JsonObject<DeleteAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let presented = body.into_inner().password;
    let st = state.clone();
    // Refused tokens and counted attempts come before the (slow) check, so
    // parallel guesses are counted one by one.
    let (user_id, stored) = session
        .write(move |conn, viewer| {
            require(viewer, Action::DeleteOwnAccount, Target::Site)?;
            let user = users::find(conn, viewer.require_account()?.id)?;
            st.throttle.attempt(conn, &[(Rule::PasswordAccount, &format!("user:{}", user.id))])?;
            Ok((user.id, user.password_hash))
        })
        .await?;
    state
        .hashing
        .run(move || {
            if password::verify(&presented, &stored) {
                Ok(())
            } else {
                Err(ApiError::field("password", "is not your password"))
            }
        })
        .await?;
    let (st, admins) = (state.clone(), state.builtins.admins);
    session
        .write(move |conn, viewer| {
            st.throttle.succeeded(conn, &[(Rule::PasswordAccount, &format!("user:{user_id}"))])?;
            account_deletion::delete_own_account(conn, viewer, admins)
        })
        .await?;
    Ok(clear_refresh_cookie(&state, HttpResponse::NoContent().finish()))
}
