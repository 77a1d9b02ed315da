//! Refresh tokens: opaque, stored as SHA-256, rotated on every use.
//!
//! Reuse detection keys on what the client has demonstrably received: a
//! token is spent once a *younger* token of its family has been presented.
//! Presenting a spent token, or one revoked because the chain went on
//! without it, revokes the whole family. Presenting a token again while its
//! successors are still unused (the answer never arrived: a reload or a
//! dropped connection mid-refresh) retires those successors and issues a
//! new one, instead of signing the person out.

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
    /// Spent (a younger token of its family was used): the family is now revoked.
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
    let revoke_family = |conn: &mut AnyConnection| -> Result<(), ApiError> {
        diesel::update(refresh_tokens::table.filter(refresh_tokens::family.eq(&family)))
            .filter(refresh_tokens::revoked_at.is_null())
            .set(refresh_tokens::revoked_at.eq(at))
            .execute(conn)?;
        Ok(())
    };
    if revoked_at.is_some() {
        // Revoked by a logout (then nothing else lives) or because the chain
        // went on without it: whoever holds the rest of the chain is suspect.
        revoke_family(conn)?;
        return Ok(Refresh::Invalid);
    }
    // A logout or password change since issue ends the chain, even if it
    // raced the refresh that produced this token.
    if expires_at <= at || issued_generation != generation {
        return Ok(Refresh::Invalid);
    }
    let younger = refresh_tokens::table.filter(refresh_tokens::family.eq(&family)).filter(refresh_tokens::id.gt(id));
    let successor_used: i64 = younger.filter(refresh_tokens::used_at.is_not_null()).count().get_result(conn)?;
    if successor_used > 0 {
        revoke_family(conn)?;
        return Ok(Refresh::Reused);
    }
    // Successors nobody has presented: their answers never arrived.
    diesel::update(younger.filter(refresh_tokens::revoked_at.is_null()))
        .set(refresh_tokens::revoked_at.eq(at))
        .execute(conn)?;
    // Re-checked on the row as it is when the lock is granted: a logout
    // that revoked it meanwhile wins.
    let claimed = diesel::update(refresh_tokens::table.find(id).filter(refresh_tokens::revoked_at.is_null()))
        .set(refresh_tokens::used_at.eq(used_at.unwrap_or(at)))
        .execute(conn)?;
    if claimed == 0 {
        return Ok(Refresh::Invalid);
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
