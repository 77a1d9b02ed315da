//! Refresh tokens: opaque, stored as SHA-256, rotated on every use.
//!
//! A token's successor is derived from it with a server key (HMAC), so it
//! is the same however often the token is presented: concurrent refreshes
//! of one token all get the one successor, and a client whose answer was
//! lost (a reload or a dropped connection mid-refresh) gets it again —
//! but only within a short grace after the first use, and only while that
//! successor is unused. Any other presentation of a used token means
//! someone else holds a copy: the whole family is revoked.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
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
    store(conn, &token, user_id, generation, family.unwrap_or_else(random_token), now())?;
    Ok(token)
}

fn store(
    conn: &mut AnyConnection,
    token: &str,
    user_id: i64,
    generation: i64,
    family: String,
    created: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family.eq(family),
            refresh_tokens::generation.eq(generation),
            refresh_tokens::token_hash.eq(hash(token)),
            refresh_tokens::created_at.eq(created),
            refresh_tokens::expires_at.eq(created + Duration::days(REFRESH_LIFETIME_DAYS)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The one successor of `presented`.
fn successor_of(key: &[u8], presented: &str) -> Result<String, ApiError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|e| ApiError::internal(format!("refresh key: {e}")))?;
    mac.update(b"quorum refresh successor\0");
    mac.update(presented.as_bytes());
    Ok(URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

/// user, family, expiry, used, revoked, generation issued at, the account's generation now.
type StoredToken = (i64, String, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>, i64, i64);

/// Presents a refresh token. `key` derives successors; `grace` is how long
/// after its first use a token may be presented again (its answer was lost).
pub fn rotate(conn: &mut AnyConnection, presented: &str, key: &[u8], grace: Duration) -> Result<Refresh, ApiError> {
    let presented_hash = hash(presented);
    // A write first: PostgreSQL locks the row until this transaction ends,
    // so concurrent presentations of one token are decided one at a time
    // (SQLite serialises writers anyway).
    let found = diesel::update(refresh_tokens::table.filter(refresh_tokens::token_hash.eq(&presented_hash)))
        .set(refresh_tokens::used_at.eq(refresh_tokens::used_at))
        .execute(conn)?;
    if found == 0 {
        return Ok(Refresh::Invalid);
    }
    let (user_id, family, expires_at, used_at, revoked_at, issued_generation, generation): StoredToken =
        refresh_tokens::table
            .inner_join(users::table)
            .filter(refresh_tokens::token_hash.eq(&presented_hash))
            .select((
                refresh_tokens::user_id,
                refresh_tokens::family,
                refresh_tokens::expires_at,
                refresh_tokens::used_at,
                refresh_tokens::revoked_at,
                refresh_tokens::generation,
                users::token_generation,
            ))
            .first(conn)?;
    let at = now();
    let revoke_family = |conn: &mut AnyConnection| -> Result<(), ApiError> {
        diesel::update(refresh_tokens::table.filter(refresh_tokens::family.eq(&family)))
            .filter(refresh_tokens::revoked_at.is_null())
            .set(refresh_tokens::revoked_at.eq(at))
            .execute(conn)?;
        Ok(())
    };
    if revoked_at.is_some() {
        // Revoked by a logout (then nothing else lives) or with its family:
        // whoever holds the rest of the chain is suspect.
        revoke_family(conn)?;
        return Ok(Refresh::Invalid);
    }
    // A logout or password change since issue ends the chain, even if it
    // raced the refresh that produced this token.
    if expires_at <= at || issued_generation != generation {
        return Ok(Refresh::Invalid);
    }
    let successor = successor_of(key, presented)?;
    match used_at {
        None => {
            diesel::update(refresh_tokens::table.filter(refresh_tokens::token_hash.eq(&presented_hash)))
                .set(refresh_tokens::used_at.eq(at))
                .execute(conn)?;
            store(conn, &successor, user_id, generation, family.clone(), at)?;
            Ok(Refresh::Rotated { user_id, token: successor, generation })
        }
        Some(first_use) => {
            let next: Option<(Option<NaiveDateTime>, Option<NaiveDateTime>)> = refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(hash(&successor)))
                .select((refresh_tokens::used_at, refresh_tokens::revoked_at))
                .first(conn)
                .optional()?;
            let answer_was_lost = at - first_use <= grace && next == Some((None, None));
            if answer_was_lost {
                Ok(Refresh::Rotated { user_id, token: successor, generation })
            } else {
                revoke_family(conn)?;
                Ok(Refresh::Reused)
            }
        }
    }
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
