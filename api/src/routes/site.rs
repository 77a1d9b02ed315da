//! What the forum is, and the first-run setup of its first admin.

use super::JsonObject;
use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use quorum_types::{ErrorCode, Problem, SetupRequest, Site, TokenPair};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::auth::{new_user, signed_in, token_pair, NewAccountFields};
use crate::db::queries::{settings, users};
use crate::error::ApiError;
use crate::startup::{AppState, SETUP_TOKEN_KEY};
use crate::throttle::{client_address, Rule};

/// The forum's name, whether it takes registrations, whether it still
/// needs its first admin, and what happens to a member's posts when they
/// delete their account (so the app can say so before they do).
#[utoipa::path(
    tag = "site",
    responses((status = 200, description = "The forum", body = Site))
)]
#[get("/site")]
pub async fn get_site(state: web::Data<AppState>) -> Result<web::Json<Site>, ApiError> {
    let (builtins, initial) = (state.builtins, state.registration);
    let (has_admin, registration, deleted_account_posts) = state
        .db
        .read(move |conn| {
            Ok((
                users::admin_exists(conn, &builtins)?,
                settings::registration(conn, initial)?,
                settings::deleted_account_posts(conn)?,
            ))
        })
        .await?;
    Ok(web::Json(Site {
        name: state.site_name.clone(),
        registration,
        needs_setup: !has_admin,
        deleted_account_posts,
        password_reset: state.mail.is_some(),
    }))
}

/// Whether `presented` is the setup token, in time that does not depend on
/// how much of it is right.
fn is_setup_token(expected: Option<&str>, presented: &str) -> bool {
    let Some(expected) = expected else { return false };
    // Digests first: equal lengths, so only the bytes are compared, in constant time.
    let (a, b) = (Sha256::digest(expected.as_bytes()), Sha256::digest(presented.as_bytes()));
    a[..].ct_eq(&b[..]).into()
}

/// Create the first admin account and sign in, with the setup token that
/// `quorum serve` prints while the forum has no admin. Works whether or
/// not registration is open.
#[utoipa::path(
    tag = "site",
    request_body = SetupRequest,
    responses(
        (status = 201, description = "Admin account created and signed in", body = TokenPair, headers(
            ("set-cookie" = String, description = "The `quorum_refresh` cookie, with `refresh_cookie`")
        )),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Wrong setup token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The forum already has an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address or at this account; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json", headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/setup")]
pub async fn setup(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonObject<SetupRequest>,
) -> Result<HttpResponse, ApiError> {
    let builtins = state.builtins;
    if state.db.read(move |conn| Ok(users::admin_exists(conn, &builtins)?)).await? {
        return Err(ApiError::new(ErrorCode::Conflict, "this forum already has an admin"));
    }
    let body = body.into_inner();
    let address = client_address(&req, &state.trusted_proxies);
    let (st, addr) = (state.clone(), address.clone());
    state.db.write(move |conn| st.throttle.attempt(conn, &[(Rule::SetupAddress, addr.as_str())])).await?;
    if !is_setup_token(state.setup_token.as_deref(), &body.token) {
        return Err(ApiError::forbidden("that is not the setup token; use the link quorum serve printed"));
    }
    let fields = NewAccountFields {
        username: &body.username,
        email: &body.email,
        display_name: body.display_name.as_deref(),
        time_zone: body.time_zone.as_deref(),
    };
    let new = new_user(&state, fields, body.password.clone(), async { Ok(()) }).await?;
    let st = state.clone();
    let pair = state
        .db
        .write(move |conn| {
            let id = users::insert_first_admin(conn, &st.builtins, &new)?;
            settings::delete(conn, SETUP_TOKEN_KEY)?;
            st.throttle.succeeded(conn, &[(Rule::SetupAddress, address.as_str())])?;
            token_pair(conn, &st, id, None)
        })
        .await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, "/api/v1/me"));
    Ok(signed_in(&state, created, pair, body.refresh_cookie))
}

#[cfg(test)]
mod tests {
    use super::is_setup_token;

    #[test]
    fn setup_token_comparison() {
        assert!(is_setup_token(Some("abc-123"), "abc-123"));
        assert!(!is_setup_token(Some("abc-123"), "abc-124"));
        assert!(!is_setup_token(Some("abc-123"), ""));
        assert!(!is_setup_token(None, "abc-123"));
    }
}
