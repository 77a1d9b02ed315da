//! Register, log in, refresh, log out.

use actix_web::http::header;
use actix_web::{post, web, HttpResponse};
use quorum_types::{ErrorCode, LoginRequest, Problem, RefreshRequest, RegisterRequest, TokenPair};

use crate::auth::jwt::ACCESS_TOKEN_SECONDS;
use crate::auth::password;
use crate::auth::Session;
use crate::config::Registration;
use crate::db::queries::tokens::{self, Refresh};
use crate::db::queries::{now, users};
use crate::db::{blocking, AnyConnection};
use crate::error::{ApiError, Validator};
use crate::startup::AppState;
use crate::validate;

/// A new access token with `refresh_token`, or with a new refresh token
/// family when `None`. With a rotated token, `generation` is the one its
/// rotation checked; a fresh sign-in uses the account's current one.
fn token_pair(
    conn: &mut AnyConnection,
    state: &AppState,
    user_id: i64,
    rotated: Option<(String, i64)>,
) -> Result<TokenPair, ApiError> {
    let (refresh_token, generation) = match rotated {
        Some(pair) => pair,
        None => {
            let generation = users::find(conn, user_id)?.token_generation;
            (tokens::issue(conn, user_id, generation, None)?, generation)
        }
    };
    Ok(TokenPair {
        access_token: state.jwt.issue(user_id, generation)?,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TOKEN_SECONDS,
        refresh_token,
        user: users::me(conn, &state.builtins, user_id)?,
    })
}

/// Create an account and sign in.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created and signed in", body = TokenPair),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Registration is closed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Username or e-mail taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/register")]
pub async fn register(state: web::Data<AppState>, body: web::Json<RegisterRequest>) -> Result<HttpResponse, ApiError> {
    if state.registration == Registration::Closed {
        return Err(ApiError::new(ErrorCode::RegistrationClosed, "this forum does not take new registrations"));
    }
    let req = body.into_inner();
    let mut v = Validator::default();
    let username = validate::username(&mut v, &req.username);
    let email = validate::email(&mut v, &req.email);
    validate::password(&mut v, "password", &req.password);
    let display_name = validate::display_name(&mut v, req.display_name.as_deref().unwrap_or(&username));
    let time_zone = validate::time_zone(&mut v, req.time_zone.as_deref().unwrap_or("UTC"));
    v.finish()?;
    let password = req.password;
    let hash = blocking(move || password::hash(&password)).await?;
    let st = state.clone();
    let pair = state
        .db
        .write(move |conn| {
            let id = users::insert(
                conn,
                &users::NewUser {
                    username,
                    email,
                    display_name,
                    bio: String::new(),
                    time_zone,
                    password_hash: hash,
                    token_generation: 0,
                    created_at: now(),
                },
            )?;
            token_pair(conn, &st, id, None)
        })
        .await?;
    Ok(HttpResponse::Created().insert_header((header::LOCATION, "/api/v1/me")).json(pair))
}

/// Sign in with username or e-mail and password.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong login or password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let req = body.into_inner();
    let login = req.login;
    let found = state.db.read(move |conn| users::find_by_login(conn, &login)).await?;
    let password = req.password;
    let user_id = blocking(move || match found {
        Some(user) if password::verify(&password, &user.password_hash) => Ok(Some(user.id)),
        Some(_) => Ok(None),
        None => {
            password::verify_dummy(&password);
            Ok(None)
        }
    })
    .await?
    .ok_or_else(|| ApiError::new(ErrorCode::InvalidCredentials, "wrong username, e-mail or password"))?;
    let st = state.clone();
    Ok(web::Json(state.db.write(move |conn| token_pair(conn, &st, user_id, None)).await?))
}

/// Exchange a refresh token for a new pair. Each refresh token works once;
/// presenting a used one revokes every token descended from the same login.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New token pair", body = TokenPair),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, expired, used or revoked refresh token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let presented = body.into_inner().refresh_token;
    let st = state.clone();
    // The outcome commits even when it is a refusal: a reuse must revoke the family.
    let outcome = state
        .db
        .write(move |conn| match tokens::rotate(conn, &presented)? {
            Refresh::Rotated { user_id, token, generation } => {
                token_pair(conn, &st, user_id, Some((token, generation))).map(Some)
            }
            Refresh::Reused | Refresh::Invalid => Ok(None),
        })
        .await?;
    outcome
        .map(web::Json)
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidRefreshToken, "the refresh token is not valid; sign in again"))
}

/// Sign out everywhere: revokes every refresh token and access token of the account.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/auth/logout")]
pub async fn logout(session: Session) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    session
        .write(move |conn, viewer| {
            let user_id = viewer.require_account()?.id;
            tokens::revoke_all(conn, user_id)?;
            users::bump_token_generation(conn, user_id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
