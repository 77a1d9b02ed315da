//! Stored answers for `Idempotency-Key` (see `crate::idempotency`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::now;
use crate::db::schema::idempotency_keys;
use crate::db::{on_inner, AnyConnection};
use crate::error::ApiError;

/// A kept answer.
#[derive(Debug, Clone)]
pub struct Stored {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What a key finds.
pub enum Claim {
    /// First use: the request goes ahead.
    New,
    /// The first request with it is still running.
    InFlight,
    /// Used with another request.
    Mismatch,
    /// Its first answer.
    Replay(Stored),
}

/// Claims `key` for this request, unless a claim younger than `expired` exists.
pub fn claim(
    conn: &mut AnyConnection,
    user_id: i64,
    key: &str,
    request_hash: &str,
    expired: NaiveDateTime,
) -> Result<Claim, ApiError> {
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::user_id.eq(user_id))
            .filter(idempotency_keys::key.eq(key))
            .filter(idempotency_keys::created_at.lt(expired)),
    )
    .execute(conn)?;
    if rand::random::<u8>() == 0 {
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(expired))).execute(conn)?;
    }
    let row = (
        idempotency_keys::user_id.eq(user_id),
        idempotency_keys::key.eq(key),
        idempotency_keys::request_hash.eq(request_hash),
        idempotency_keys::created_at.eq(now()),
    );
    // ON CONFLICT: of concurrent requests with one key, exactly one inserts.
    let inserted = on_inner!(conn, |c| diesel::insert_into(idempotency_keys::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?;
    if inserted > 0 {
        return Ok(Claim::New);
    }
    let (hash, status, headers, body): (String, Option<i32>, Option<String>, Option<String>) = idempotency_keys::table
        .find((user_id, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::status,
            idempotency_keys::headers,
            idempotency_keys::body,
        ))
        .first(conn)?;
    if hash != request_hash {
        return Ok(Claim::Mismatch);
    }
    let Some(status) = status else { return Ok(Claim::InFlight) };
    let headers: Vec<(String, String)> = headers.and_then(|h| serde_json::from_str(&h).ok()).unwrap_or_default();
    Ok(Claim::Replay(Stored { status: u16::try_from(status).unwrap_or(200), headers, body: body.unwrap_or_default() }))
}

/// Keeps the answer of the request that claimed `key`.
pub fn complete(conn: &mut AnyConnection, user_id: i64, key: &str, stored: &Stored) -> Result<(), ApiError> {
    let headers = serde_json::to_string(&stored.headers).unwrap_or_else(|_| "[]".into());
    diesel::update(idempotency_keys::table.find((user_id, key)))
        .set((
            idempotency_keys::status.eq(Some(i32::from(stored.status))),
            idempotency_keys::headers.eq(Some(headers)),
            idempotency_keys::body.eq(Some(&stored.body)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Releases a claim whose request failed on the server, so it can be retried.
pub fn forget(conn: &mut AnyConnection, user_id: i64, key: &str) -> Result<(), ApiError> {
    diesel::delete(idempotency_keys::table.find((user_id, key))).execute(conn)?;
    Ok(())
}
