//! Password resets by e-mail. A reset's link carries a token derived from
//! the row's random nonce with the server's key (HMAC), built when the mail
//! is sent; the database keeps only the token's SHA-256, so it takes the
//! database and the key together to make a link. A reset works once, for
//! [`LIFETIME_MINUTES`]; asking again, or changing the password, deletes the
//! resets still open.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::events::{self, Kind, NewEvent};
use super::{now, tokens, users};
use crate::db::schema::{password_resets, users as users_t};
use crate::db::AnyConnection;
use crate::error::ApiError;

/// How long a mailed link works.
pub const LIFETIME_MINUTES: i64 = 60;

/// A reset about to be opened: the row's nonce and its token's hash.
#[derive(Debug, Clone)]
pub struct Prepared {
    nonce: String,
    token_hash: String,
}

/// Makes a nonce and derives and hashes its token. Done for every request,
/// whether or not an account matches, so both take the same work.
pub fn prepare(key: &[u8]) -> Result<Prepared, ApiError> {
    let nonce = tokens::random_token();
    let token_hash = hash(&token_of(key, &nonce)?);
    Ok(Prepared { nonce, token_hash })
}

fn token_of(key: &[u8], nonce: &str) -> Result<String, ApiError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|e| ApiError::internal(format!("reset key: {e}")))?;
    mac.update(b"quorum password reset\0");
    mac.update(nonce.as_bytes());
    Ok(URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Opens a reset for the account, replacing any still open, and records the
/// event the mail follows from. `address` is the requester's.
pub fn open(
    conn: &mut AnyConnection,
    user_id: i64,
    username: &str,
    prepared: &Prepared,
    address: Option<&str>,
) -> Result<i64, ApiError> {
    let at = now();
    drop_open(conn, user_id)?;
    // Housekeeping: used or expired resets are of no further use.
    diesel::delete(password_resets::table.filter(password_resets::expires_at.lt(at - Duration::days(1))))
        .execute(conn)?;
    let id: i64 = diesel::insert_into(password_resets::table)
        .values((
            password_resets::user_id.eq(user_id),
            password_resets::token_hash.eq(&prepared.token_hash),
            password_resets::nonce.eq(&prepared.nonce),
            password_resets::created_at.eq(at),
            password_resets::expires_at.eq(at + Duration::minutes(LIFETIME_MINUTES)),
        ))
        .returning(password_resets::id)
        .get_result(conn)?;
    let event = NewEvent::new(Kind::PasswordResetRequested, format!("user:{username}"))
        .user(user_id)
        .change(None, Some(json!({ "reset": id })));
    events::record_as(conn, None, address, event)?;
    Ok(id)
}

/// Deletes the account's open resets (its password changed, or a newer one).
pub fn drop_open(conn: &mut AnyConnection, user_id: i64) -> Result<(), ApiError> {
    diesel::delete(
        password_resets::table.filter(password_resets::user_id.eq(user_id)).filter(password_resets::used_at.is_null()),
    )
    .execute(conn)?;
    Ok(())
}

/// The refusal of a link that does not work, whatever the reason.
pub fn invalid() -> ApiError {
    ApiError::field(
        "token",
        "this reset link does not work: it was used, replaced by a newer one or is more than an hour old; ask for a new one",
    )
}

/// The account whose open, unexpired reset `token` is, if any.
pub fn check(conn: &mut AnyConnection, token: &str) -> Result<Option<i64>, ApiError> {
    Ok(password_resets::table
        .inner_join(users_t::table)
        .filter(password_resets::token_hash.eq(hash(token)))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now()))
        .filter(users_t::deleted_at.is_null())
        .select(password_resets::user_id)
        .first(conn)
        .optional()?)
}

/// Uses `token`: the account's password becomes `password_hash`, every
/// session and access token it had stops working (as a password change
/// does), its other open resets go, and the change is recorded. A token
/// that is not open any more (used meanwhile, expired, replaced) is a 422
/// on `token` and nothing changes; so is a suspended account's (403).
pub fn redeem(
    conn: &mut AnyConnection,
    token: &str,
    password_hash: &str,
    address: Option<&str>,
) -> Result<i64, ApiError> {
    let user_id = check(conn, token)?.ok_or_else(invalid)?;
    let at = now();
    let used = diesel::update(
        password_resets::table
            .filter(password_resets::token_hash.eq(hash(token)))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(Some(at)))
    .execute(conn)?;
    if used != 1 {
        return Err(invalid());
    }
    users::suspension_of(conn, user_id)?;
    drop_open(conn, user_id)?;
    let changes = users::UserChanges { password_hash: Some(password_hash.to_owned()), ..Default::default() };
    users::update(conn, user_id, &changes)?;
    tokens::revoke_all(conn, user_id)?;
    users::bump_token_generation(conn, user_id)?;
    let username = users::find(conn, user_id)?.username;
    let event = NewEvent::new(Kind::PasswordChanged, format!("user:{username}"))
        .user(user_id)
        .change(None, Some(json!({ "by": "reset" })));
    events::record_as(conn, Some(user_id), address, event)?;
    Ok(user_id)
}

/// What a reset mail needs: the account and the link's token, while reset
/// `id` is still open (else `None`: the mail is dropped).
pub fn mail_token(conn: &mut AnyConnection, key: &[u8], id: i64) -> Result<Option<(i64, String)>, ApiError> {
    let open: Option<(i64, String, NaiveDateTime)> = password_resets::table
        .find(id)
        .filter(password_resets::used_at.is_null())
        .select((password_resets::user_id, password_resets::nonce, password_resets::expires_at))
        .first(conn)
        .optional()?;
    match open {
        Some((user_id, nonce, expires_at)) if expires_at > now() => Ok(Some((user_id, token_of(key, &nonce)?))),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_come_from_the_nonce_and_the_key_together() -> Result<(), ApiError> {
        let a = token_of(b"key one", "nonce")?;
        assert_eq!(a, token_of(b"key one", "nonce")?);
        assert_ne!(a, token_of(b"key two", "nonce")?);
        assert_ne!(a, token_of(b"key one", "nonce2")?);
        let prepared = prepare(b"key one")?;
        assert_eq!(prepared.token_hash, hash(&token_of(b"key one", &prepared.nonce)?));
        assert!(!prepared.token_hash.contains(&token_of(b"key one", &prepared.nonce)?));
        Ok(())
    }
}
