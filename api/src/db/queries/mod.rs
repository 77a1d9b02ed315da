//! The only read and write API over storage. Every function that returns
//! user content takes the `Viewer` and filters through `policy`.

pub mod access_tokens;
pub mod account_deletion;
pub mod accounts;
pub mod audiences;
pub mod calendar_tokens;
pub mod categories;
pub mod deleted;
pub mod events;
pub mod flags;
pub mod following;
pub mod groups;
pub mod idempotency;
pub mod invites;
pub mod likes;
pub mod meetings;
pub mod member_export;
pub mod mentions;
pub mod notifications;
pub mod password_resets;
pub mod polls;
pub mod posts;
pub mod profiles;
pub mod search;
pub mod set_aside;
pub mod settings;
pub mod threads;
pub mod throttles;
pub mod tokens;
pub mod uploads;
pub mod users;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{NaiveDateTime, SubsecRound, Utc};
use quorum_types::{ErrorCode, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT};

use crate::error::ApiError;

/// Now, in UTC, at the microsecond precision both backends store.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A validated `?cursor=&limit=` pair: the decoded cursor keys and the limit.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub after: Option<Vec<i64>>,
    pub limit: i64,
}

impl PageRequest {
    /// `keys` is how many integers this list's cursor holds.
    pub fn parse(cursor: Option<&str>, limit: Option<u32>, keys: usize) -> Result<PageRequest, ApiError> {
        let limit = match limit {
            None => DEFAULT_PAGE_LIMIT,
            Some(n) if (1..=MAX_PAGE_LIMIT).contains(&n) => n,
            Some(n) => {
                return Err(ApiError::bad_request(format!("limit must be between 1 and {MAX_PAGE_LIMIT}, not {n}")))
            }
        };
        let after = match cursor {
            None | Some("") => None,
            Some(c) => Some(decode_cursor(c, keys)?),
        };
        Ok(PageRequest { after, limit: i64::from(limit) })
    }

    /// Splits one extra fetched row off `rows` and turns it into the next cursor.
    pub fn finish<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> Vec<i64>) -> (Vec<T>, Option<String>) {
        let has_more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next = if has_more { rows.last().map(|last| encode_cursor(&key(last))) } else { None };
        (rows, next)
    }
}

impl PageRequest {
    /// For short, bounded lists (categories, groups, revisions) loaded
    /// whole: the cursor is an offset into the ordered list.
    pub fn slice<T>(&self, items: Vec<T>) -> (Vec<T>, Option<String>) {
        let offset = self.after.as_ref().map_or(0, |a| usize::try_from(a[0]).unwrap_or(0));
        let mut rest: Vec<T> = items.into_iter().skip(offset).collect();
        let limit = self.limit as usize;
        let next = (rest.len() > limit).then(|| encode_cursor(&[(offset + limit) as i64]));
        rest.truncate(limit);
        (rest, next)
    }
}

fn encode_cursor(keys: &[i64]) -> String {
    let text = keys.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    URL_SAFE_NO_PAD.encode(format!("v1:{text}"))
}

fn decode_cursor(cursor: &str, keys: usize) -> Result<Vec<i64>, ApiError> {
    let invalid = || ApiError::new(ErrorCode::InvalidCursor, "the cursor is not one this list issued");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let body = text.strip_prefix("v1:").ok_or_else(invalid)?;
    let values =
        body.split(',').map(|part| part.parse::<i64>().map_err(|_| invalid())).collect::<Result<Vec<_>, _>>()?;
    if values.len() == keys {
        Ok(values)
    } else {
        Err(invalid())
    }
}

/// A timestamp as a cursor key (microseconds since the epoch).
pub fn time_key(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

/// Only times both backends can store (years 1970 to 9999) come back from a cursor.
pub fn time_from_key(micros: i64) -> Result<NaiveDateTime, ApiError> {
    const YEAR_10000_MICROS: i64 = 253_402_300_800_000_000;
    (0..YEAR_10000_MICROS)
        .contains(&micros)
        .then(|| chrono::DateTime::from_timestamp_micros(micros))
        .flatten()
        .map(|t| t.naive_utc())
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidCursor, "the cursor is not one this list issued"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = encode_cursor(&[1, -5, 1_700_000_000_000_000]);
        assert_eq!(decode_cursor(&c, 3).ok(), Some(vec![1, -5, 1_700_000_000_000_000]));
        assert!(decode_cursor(&c, 2).is_err());
        assert!(decode_cursor("not base64!", 1).is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("v1:x"), 1).is_err());
        assert!(time_from_key(-1_000_000_000_000_000_000).is_err());
        assert!(time_from_key(1_700_000_000_000_000).is_ok());
    }

    #[test]
    fn limit_bounds() {
        assert_eq!(PageRequest::parse(None, None, 1).map(|p| p.limit).ok(), Some(20));
        assert!(PageRequest::parse(None, Some(0), 1).is_err());
        assert!(PageRequest::parse(None, Some(101), 1).is_err());
        assert_eq!(PageRequest::parse(None, Some(100), 1).map(|p| p.limit).ok(), Some(100));
    }
}
