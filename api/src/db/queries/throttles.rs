//! Counters of attempts per hashed key, for `crate::throttle`. Rows are
//! locked while counted (PostgreSQL), so instances sharing one database
//! agree, and concurrent attempts are counted one by one.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::throttles;
use crate::db::{on_inner, AnyConnection};
use crate::error::ApiError;

/// How attempts under one key are limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Attempts allowed before waiting starts; 0 turns the limit off.
    pub free: u32,
    /// The first wait; each further attempt doubles it, up to `max_block`.
    pub first_block: Duration,
    pub max_block: Duration,
    /// Attempts are forgotten after this long without one.
    pub forget_after: Duration,
}

/// Counts an attempt under `key` unless it must wait: then `Err(seconds)`
/// and nothing is counted. The attempt that uses up the free ones goes
/// ahead and starts the wait for the next.
pub fn attempt(
    conn: &mut AnyConnection,
    key: &str,
    limit: &Limit,
    at: NaiveDateTime,
) -> Result<Result<(), u64>, ApiError> {
    if limit.free == 0 {
        return Ok(Ok(()));
    }
    on_inner!(conn, |c| diesel::insert_into(throttles::table)
        .values((
            throttles::key.eq(key),
            throttles::attempts.eq(0),
            throttles::last_attempt_at.eq(at),
            throttles::blocked_until.eq(None::<NaiveDateTime>),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    // A write first, so PostgreSQL locks the row until this transaction ends.
    diesel::update(throttles::table.find(key)).set(throttles::attempts.eq(throttles::attempts)).execute(conn)?;
    let (mut attempts, last, blocked_until): (i32, NaiveDateTime, Option<NaiveDateTime>) = throttles::table
        .find(key)
        .select((throttles::attempts, throttles::last_attempt_at, throttles::blocked_until))
        .first(conn)?;
    if let Some(until) = blocked_until.filter(|until| *until > at) {
        let seconds = (until - at).num_milliseconds().div_euclid(1000) + 1;
        return Ok(Err(u64::try_from(seconds).unwrap_or(1)));
    }
    if at - last > limit.forget_after {
        attempts = 0;
    }
    attempts = attempts.saturating_add(1);
    let over = i64::from(attempts) - i64::from(limit.free);
    let blocked_until = (over > 0).then(|| {
        let doublings = u32::try_from(over - 1).unwrap_or(u32::MAX).min(30);
        let wait = limit.first_block.num_seconds().saturating_mul(1_i64 << doublings);
        at + Duration::seconds(wait.min(limit.max_block.num_seconds()))
    });
    diesel::update(throttles::table.find(key))
        .set((
            throttles::attempts.eq(attempts),
            throttles::last_attempt_at.eq(at),
            throttles::blocked_until.eq(blocked_until),
        ))
        .execute(conn)?;
    Ok(Ok(()))
}

/// Takes back one attempt that turned out well (a right password from a
/// shared address must not bring its other users closer to a wait).
pub fn refund(conn: &mut AnyConnection, key: &str) -> Result<(), ApiError> {
    diesel::update(throttles::table.find(key).filter(throttles::attempts.gt(0)))
        .set(throttles::attempts.eq(throttles::attempts - 1))
        .execute(conn)?;
    Ok(())
}

/// Forgets every attempt under `key` (the account's owner got in).
pub fn clear(conn: &mut AnyConnection, key: &str) -> Result<(), ApiError> {
    diesel::delete(throttles::table.find(key)).execute(conn)?;
    Ok(())
}

/// Drops counters nobody has touched for `older_than` and that no longer block.
pub fn forget_idle(conn: &mut AnyConnection, older_than: NaiveDateTime, at: NaiveDateTime) -> Result<usize, ApiError> {
    Ok(diesel::delete(
        throttles::table
            .filter(throttles::last_attempt_at.lt(older_than))
            .filter(throttles::blocked_until.is_null().or(throttles::blocked_until.lt(at))),
    )
    .execute(conn)?)
}
