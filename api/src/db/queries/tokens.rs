//! Refresh tokens: opaque, stored as SHA-256, rotated on every use; a
//! reused token revokes its whole family.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::now;
use crate::db::schema::{refresh_tokens, users};
use crate::db::AnyConnection;
use crate::error::ApiError;

pub const REFRESH_LIFETIME_DAYS: i64 = 30;

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Refresh {
    /// Valid: here is its successor, for this account, at the token
    /// generation that was checked (never one read later).
    Rotated { user_id: i64, token: String, generation: i64 },
    /// Already used: the family is now revoked.
    Reused,
    /// Unknown, expired or revoked.
    Invalid,
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Issues a token at `generation`; `family` continues a rotation chain,
/// `None` starts one.
pub fn issue(
    conn: &mut AnyConnection,
    user_id: i64,
    generation: i64,
    family: Option<String>,
) -> Result<String, ApiError> {
    let token = random_token();
    let created = now();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family.eq(family.unwrap_or_else(random_token)),
            refresh_tokens::generation.eq(generation),
            refresh_tokens::token_hash.eq(hash(&token)),
            refresh_tokens::created_at.eq(created),
            refresh_tokens::expires_at.eq(created + Duration::days(REFRESH_LIFETIME_DAYS)),
        ))
        .execute(conn)?;
    Ok(token)
}

/// id, user, family, expiry, used, revoked, generation issued at, the account's generation now.
type StoredToken = (i64, i64, String, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>, i64, i64);

pub fn rotate(conn: &mut AnyConnection, presented: &str) -> Result<Refresh, ApiError> {
    let row: Option<StoredToken> = refresh_tokens::table
        .inner_join(users::table)
        .filter(refresh_tokens::token_hash.eq(hash(presented)))
        .select((
            refresh_tokens::id,
            refresh_tokens::user_id,
            refresh_tokens::family,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            refresh_tokens::revoked_at,
            refresh_tokens::generation,
            users::token_generation,
        ))
        .first(conn)
        .optional()?;
    let Some((id, user_id, family, expires_at, used_at, revoked_at, issued_generation, generation)) = row else {
        return Ok(Refresh::Invalid);
    };
    let at = now();
    // A logout or password change since issue ends the chain, even if it
    // raced the refresh that produced this token.
    if revoked_at.is_some() || expires_at <= at || issued_generation != generation {
        return Ok(Refresh::Invalid);
    }
    // Claim the token; zero rows means someone used it first.
    let claimed = if used_at.is_none() {
        // Re-checked on the row as it is when the lock is granted: a logout
        // that revoked it meanwhile wins.
        diesel::update(
            refresh_tokens::table
                .find(id)
                .filter(refresh_tokens::used_at.is_null())
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::used_at.eq(at))
        .execute(conn)?
    } else {
        0
    };
    if claimed == 0 {
        diesel::update(refresh_tokens::table.filter(refresh_tokens::family.eq(&family)))
            .set(refresh_tokens::revoked_at.eq(at))
            .execute(conn)?;
        return Ok(Refresh::Reused);
    }
    let token = issue(conn, user_id, generation, Some(family))?;
    Ok(Refresh::Rotated { user_id, token, generation })
}

/// Signs an account out everywhere.
pub fn revoke_all(conn: &mut AnyConnection, user_id: i64) -> Result<(), ApiError> {
    diesel::update(
        refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)).filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(conn)?;
    Ok(())
}
