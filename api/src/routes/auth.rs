//! Register, log in, refresh, log out. The refresh token travels in the
//! body, or, for browser apps that ask for it, in an HttpOnly cookie
//! scoped to `/api/v1/auth` that scripts cannot read.

use super::JsonObject;
use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse, HttpResponseBuilder, ResponseError};
use quorum_types::{
    ErrorCode, LoginRequest, PasswordResetConfirm, PasswordResetRequest, PasswordResetRequested, Problem,
    RefreshRequest, RegisterRequest, TokenPair,
};

use crate::auth::jwt::{ACCESS_TOKEN_SECONDS, MEDIA_TOKEN_SECONDS};
use crate::auth::password;
use crate::auth::Session;
use crate::config::Registration;
use crate::db::policy::Credential;
use crate::db::queries::events::{self, Kind, NewEvent};
use crate::db::queries::tokens::{self, Refresh, REFRESH_LIFETIME_DAYS};
use crate::db::queries::{invites, password_resets, settings, users};
use crate::db::AnyConnection;
use crate::error::{ApiError, Validator};
use crate::startup::AppState;
use crate::throttle::{self, client_address, Rule};

/// The cookie that carries the refresh token in cookie mode.
pub const REFRESH_COOKIE: &str = "quorum_refresh";
/// Only the refresh and logout endpoints ever see the cookie.
const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";
/// The cookie that lets the browser read uploads, set beside the refresh cookie.
pub const MEDIA_COOKIE: &str = "quorum_media";
const MEDIA_COOKIE_PATH: &str = "/api/v1/uploads";

/// A new access token with `refresh_token`, or with a new refresh token
/// family when `None`. With a rotated token, `generation` is the one its
/// rotation checked; a fresh sign-in uses the account's current one.
pub(crate) fn token_pair(
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
        refresh_token: Some(refresh_token),
        user: users::me(conn, &state.builtins, user_id)?,
    })
}

/// `quorum_refresh=<token>`, HttpOnly, SameSite=Strict, for the auth
/// endpoints only, as long as the token lives; `Secure` when the forum's
/// public URL is HTTPS (`QUORUM_PUBLIC_URL`), never on a client's say-so.
fn refresh_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, token)
        .path(REFRESH_COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.secure_cookies)
        .max_age(CookieDuration::days(REFRESH_LIFETIME_DAYS))
        .finish()
}

/// `quorum_media=<token>`: what lets the browser's `<img src>` and file
/// links read uploads (they send no bearer header). HttpOnly,
/// SameSite=Strict, sent to `/api/v1/uploads` only; its token reads
/// uploads and nothing else (`jwt::MEDIA_AUDIENCE`).
fn media_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build(MEDIA_COOKIE, token)
        .path(MEDIA_COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.secure_cookies)
        .max_age(CookieDuration::seconds(MEDIA_TOKEN_SECONDS))
        .finish()
}

/// Adds `Set-Cookie`s that remove the refresh and media cookies.
pub(crate) fn clear_refresh_cookie(state: &AppState, mut response: HttpResponse) -> HttpResponse {
    for mut cookie in [refresh_cookie(state, String::new()), media_cookie(state, String::new())] {
        cookie.make_removal();
        if let Err(e) = response.add_cookie(&cookie) {
            tracing::error!(error = %e, "cannot clear a session cookie");
        }
    }
    response
}

/// Sends a token pair, never to be stored by a cache; in cookie mode its
/// refresh token goes into the cookie and leaves the body.
pub(crate) fn signed_in(
    state: &AppState,
    mut response: HttpResponseBuilder,
    mut pair: TokenPair,
    cookie: bool,
) -> HttpResponse {
    if cookie {
        if let Some(token) = pair.refresh_token.take() {
            response.cookie(refresh_cookie(state, token));
        }
        let media =
            state.jwt.verify(&pair.access_token).and_then(|(user, generation)| state.jwt.issue_media(user, generation));
        match media {
            Ok(token) => {
                response.cookie(media_cookie(state, token));
            }
            Err(e) => tracing::error!(error = %e, "cannot issue the media cookie"),
        }
    }
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    response.json(pair)
}

/// A new account's fields, validated, then its password hashed on the
/// bounded pool; `before_hashing` runs in between (a throttle, say), so
/// nothing slow happens for a request that will be refused.
pub(crate) async fn new_user<F: std::future::Future<Output = Result<(), ApiError>>>(
    state: &AppState,
    fields: NewAccountFields<'_>,
    password: String,
    before_hashing: F,
) -> Result<users::NewUser, ApiError> {
    let mut new =
        crate::auth::check_account(fields.username, fields.email, &password, fields.display_name, fields.time_zone)?;
    before_hashing.await?;
    new.password_hash = state.hashing.run(move || password::hash(&password)).await?;
    Ok(new)
}

/// The fields of a new account as the request named them.
pub(crate) struct NewAccountFields<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub display_name: Option<&'a str>,
    pub time_zone: Option<&'a str>,
}

fn invalid_refresh_token() -> ApiError {
    ApiError::new(ErrorCode::InvalidRefreshToken, "the refresh token is not valid; sign in again")
}

/// Create an account and sign in.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created and signed in", body = TokenPair, headers(
            ("set-cookie" = String, description = "The `quorum_refresh` cookie, with `refresh_cookie`")
        )),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Registration is closed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Username or e-mail taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address or at this account; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json", headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/register")]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonObject<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let initial = state.registration;
    let mode = state.db.read(move |conn| settings::registration(conn, initial)).await?;
    match mode {
        Registration::Closed => {
            return Err(ApiError::new(ErrorCode::RegistrationClosed, "this forum does not take new registrations"))
        }
        Registration::Invite if body.invite.as_deref().is_none_or(|c| c.trim().is_empty()) => {
            return Err(ApiError::new(
                ErrorCode::RegistrationClosed,
                "this forum takes new members by invitation: register with the link you were sent",
            ))
        }
        _ => {}
    }
    let address = client_address(&req, &state.trusted_proxies);
    let (st, addr) = (state.clone(), address.clone());
    // Every sign-up counts against its address, whatever the outcome.
    let throttled = state.db.write(move |conn| st.throttle.attempt(conn, &[(Rule::RegisterAddress, addr.as_str())]));
    let fields = NewAccountFields {
        username: &body.username,
        email: &body.email,
        display_name: body.display_name.as_deref(),
        time_zone: body.time_zone.as_deref(),
    };
    let new = new_user(&state, fields, body.password.clone(), throttled).await?;
    let st = state.clone();
    let invite = body.invite.clone().filter(|c| !c.trim().is_empty());
    let pair = state
        .db
        .write(move |conn| {
            // Checked again in the transaction: an admin may have closed
            // registration meanwhile.
            let mode = settings::registration(conn, st.registration)?;
            if mode == Registration::Closed || (mode == Registration::Invite && invite.is_none()) {
                return Err(ApiError::new(ErrorCode::RegistrationClosed, "this forum does not take new registrations"));
            }
            let id = users::insert(conn, &new)?;
            if let Some(code) = &invite {
                invites::redeem(conn, code, id, Some(&address))?;
            }
            let event = NewEvent::new(Kind::AccountCreated, format!("user:{}", new.username)).user(id);
            events::record_as(conn, Some(id), Some(&address), event)?;
            token_pair(conn, &st, id, None)
        })
        .await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, "/api/v1/me"));
    Ok(signed_in(&state, created, pair, body.refresh_cookie))
}

/// Sign in with username or e-mail and password.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenPair, headers(
            ("set-cookie" = String, description = "The `quorum_refresh` cookie, with `refresh_cookie`")
        )),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong login or password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address or at this account; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json", headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 403, description = "The account is suspended (`account_suspended`; `detail` says why and until when)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonObject<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { login, password, refresh_cookie } = body.into_inner();
    let address = client_address(&req, &state.trusted_proxies);
    let st = state.clone();
    let addr = address.clone();
    // The attempt is counted before the password is checked, so a burst of
    // guesses in parallel is counted one by one.
    let (found, subject) = state
        .db
        .write(move |conn| {
            let found = users::find_by_login(conn, &login)?;
            let subject = throttle::account_subject(found.as_ref().map(|u| u.id), &login);
            st.throttle
                .attempt(conn, &[(Rule::LoginAccount, subject.as_str()), (Rule::LoginAddress, addr.as_str())])?;
            Ok((found, subject))
        })
        .await?;
    let user_id = state
        .hashing
        .run(move || match found {
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
    let pair = state
        .db
        .write(move |conn| {
            st.throttle
                .succeeded(conn, &[(Rule::LoginAccount, subject.as_str()), (Rule::LoginAddress, address.as_str())])?;
            // The right password from a suspended account: told why, and no tokens.
            users::suspension_of(conn, user_id)?;
            token_pair(conn, &st, user_id, None)
        })
        .await?;
    Ok(signed_in(&state, HttpResponse::Ok(), pair, refresh_cookie))
}

/// Exchange a refresh token for a new pair. Each refresh token works once;
/// presenting a used one revokes every token descended from the same login.
/// With no token in the body (`{}`), the `quorum_refresh` cookie is used, and
/// its successor is set as the cookie again; a refused cookie is cleared.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New token pair", body = TokenPair, headers(
            ("set-cookie" = String, description = "The rotated `quorum_refresh` cookie, when the token came from it")
        )),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, expired, used or revoked refresh token, or none", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is suspended", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonObject<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let (presented, from_cookie) = match body.into_inner().refresh_token {
        Some(token) => (token, false),
        None => match req.cookie(REFRESH_COOKIE) {
            Some(cookie) => (cookie.value().to_owned(), true),
            None => return Err(invalid_refresh_token()),
        },
    };
    let st = state.clone();
    let grace = chrono::Duration::from_std(state.refresh_grace).unwrap_or_else(|_| chrono::Duration::seconds(30));
    // The outcome commits even when it is a refusal: a reuse must revoke the family.
    let outcome = state
        .db
        .write(move |conn| match tokens::rotate(conn, &presented, st.refresh_key.expose().as_bytes(), grace)? {
            Refresh::Rotated { user_id, token, generation } => {
                users::suspension_of(conn, user_id)?;
                token_pair(conn, &st, user_id, Some((token, generation))).map(Some)
            }
            Refresh::Reused | Refresh::Invalid => Ok(None),
        })
        .await?;
    match outcome {
        Some(pair) => Ok(signed_in(&state, HttpResponse::Ok(), pair, from_cookie)),
        None if from_cookie => Ok(clear_refresh_cookie(&state, invalid_refresh_token().error_response())),
        None => Err(invalid_refresh_token()),
    }
}

/// Sign out everywhere: revokes every refresh token and access token of the
/// account, and clears the refresh cookie. Without a valid access token
/// nothing changes, the cookie included.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 204, description = "Signed out", headers(
            ("set-cookie" = String, description = "Clears the `quorum_refresh` cookie")
        )),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A personal access token cannot sign out", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    session
        .write(move |conn, viewer| {
            let user_id = viewer.require_account()?.id;
            if !matches!(viewer.credential, Credential::Session) {
                return Err(ApiError::forbidden("a personal access token cannot sign out: revoke it instead"));
            }
            tokens::revoke_all(conn, user_id)?;
            users::bump_token_generation(conn, user_id)
        })
        .await?;
    Ok(clear_refresh_cookie(&state, HttpResponse::NoContent().finish()))
}

/// Ask for a password-reset link by e-mail, naming the account by username
/// or e-mail address. The answer is the same whether or not an account
/// matched (202); when one did, a link to `/reset-password?token=…` is
/// mailed to its address, working once, for an hour, and replacing any
/// earlier link. Counted per login as typed and per client address. A
/// forum that sends no e-mail answers 403: only an admin can help there
/// (`Site.password_reset` says so beforehand).
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If an account matched, a link is on its way", body = PasswordResetRequested),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "This forum sends no e-mail: ask an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests for this login or from this address; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json", headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/password-reset")]
pub async fn request_password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonObject<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let typed = body.into_inner().login;
    let mut v = Validator::default();
    let trimmed = typed.trim();
    v.check(!trimmed.is_empty() && trimmed.chars().count() <= 320, "login", "give your username or e-mail address");
    v.check(!typed.contains('\0'), "login", "must not contain NUL characters");
    v.finish()?;
    let Some(mail) = &state.mail else {
        return Err(ApiError::forbidden(
            "this forum does not send e-mail, so a password cannot be reset by mail: ask an admin of the forum",
        ));
    };
    // The same work whether or not an account matches: the token is made
    // and hashed either way, and both ways write (the throttle's counters).
    let prepared = password_resets::prepare(mail.key.expose().as_bytes())?;
    let address = client_address(&req, &state.trusted_proxies);
    let st = state.clone();
    state
        .db
        .write(move |conn| {
            let subject = throttle::account_subject(None, &typed);
            st.throttle
                .attempt(conn, &[(Rule::ResetLogin, subject.as_str()), (Rule::ResetAddress, address.as_str())])?;
            if let Some(user) = users::find_by_login(conn, &typed)? {
                password_resets::open(conn, user.id, &user.username, &prepared, Some(&address))?;
            }
            Ok(())
        })
        .await?;
    let minutes = password_resets::LIFETIME_MINUTES;
    Ok(HttpResponse::Accepted().insert_header((header::CACHE_CONTROL, "no-store")).json(PasswordResetRequested {
        detail: format!(
            "if an account has that username or e-mail address, a link to choose a new password is on its way \
             to the account's e-mail address; it works for {minutes} minutes"
        ),
        expires_in_minutes: minutes,
    }))
}

/// Choose a new password with the token of a reset link, and sign in. Every
/// other session and access token of the account stops working, as with a
/// password change; the link works once. A link used, replaced by a newer
/// one or expired is a 422 on `token`, and nothing changes.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetConfirm,
    responses(
        (status = 200, description = "Password set, and signed in", body = TokenPair, headers(
            ("set-cookie" = String, description = "The `quorum_refresh` cookie, with `refresh_cookie`")
        )),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is suspended; nothing changed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: the new password, or a token that does not work", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many links that did not work from this address; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json", headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonObject<PasswordResetConfirm>,
) -> Result<HttpResponse, ApiError> {
    let PasswordResetConfirm { token, new_password, refresh_cookie } = body.into_inner();
    let mut v = Validator::default();
    v.check(!token.trim().is_empty() && token.len() <= 200, "token", "open the link from the mail");
    crate::validate::password(&mut v, "new_password", &new_password);
    v.finish()?;
    let address = client_address(&req, &state.trusted_proxies);
    let (st, addr, presented) = (state.clone(), address.clone(), token.clone());
    // Counted before the check and committed either way, like a wrong password.
    let valid = state
        .db
        .write(move |conn| {
            st.throttle.attempt(conn, &[(Rule::ResetAddress, addr.as_str())])?;
            Ok(password_resets::check(conn, &presented)?.is_some())
        })
        .await?;
    if !valid {
        return Err(password_resets::invalid());
    }
    let hash = state.hashing.run(move || password::hash(&new_password)).await?;
    let st = state.clone();
    let pair = state
        .db
        .write(move |conn| {
            let user_id = password_resets::redeem(conn, &token, &hash, Some(&address))?;
            st.throttle.succeeded(conn, &[(Rule::ResetAddress, address.as_str())])?;
            token_pair(conn, &st, user_id, None)
        })
        .await?;
    Ok(signed_in(&state, HttpResponse::Ok(), pair, refresh_cookie))
}
