//! Deleted threads and replies, for the moderators who may restore them.
//! A moderator sees only what they could read were it not deleted (the
//! same predicates as restoring), so this list never reveals restricted
//! content either.

use chrono::{DateTime, NaiveDateTime};
use diesel::prelude::*;
use quorum_types::DeletedItem;

use super::{users, PageRequest};
use crate::db::policy::actions::{require, Action, Target};
use crate::db::policy::{post_readable_if_alive, thread_readable_if_alive, Viewer};
use crate::db::schema::{categories, posts, threads};
use crate::db::AnyConnection;
use crate::error::ApiError;

const EXCERPT_CHARS: usize = 280;

/// Which deleted things to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletedKind {
    Threads,
    Posts,
}

/// The cursor's keys: the deletion time in microseconds, then the id.
fn keys(deleted_at: NaiveDateTime, id: i64) -> Vec<i64> {
    vec![deleted_at.and_utc().timestamp_micros(), id]
}

fn after(page: &PageRequest) -> Result<Option<(NaiveDateTime, i64)>, ApiError> {
    let Some(after) = &page.after else { return Ok(None) };
    let at = DateTime::from_timestamp_micros(after[0]).ok_or_else(|| {
        ApiError::new(quorum_types::ErrorCode::InvalidCursor, "the cursor is not one this list issued")
    })?;
    Ok(Some((at.naive_utc(), after[1])))
}

/// A page of deleted threads or replies, most recently deleted first.
pub fn list(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    kind: DeletedKind,
    page: &PageRequest,
) -> Result<(Vec<DeletedItem>, Option<String>), ApiError> {
    require(viewer, Action::ReviewDeleted, Target::Site)?;
    let after = after(page)?;
    // (id, thread id, thread title, category slug, author, text, deleted at)
    type Row = (i64, i64, String, String, i64, String, NaiveDateTime);
    let rows: Vec<Row> = match kind {
        DeletedKind::Threads => {
            let mut query = threads::table
                .inner_join(categories::table)
                .filter(threads::deleted_at.is_not_null())
                .filter(thread_readable_if_alive(&viewer.scope))
                .select((
                    threads::id,
                    threads::id,
                    threads::title,
                    categories::slug,
                    threads::author_id,
                    threads::title,
                    threads::deleted_at.assume_not_null(),
                ))
                .order((threads::deleted_at.desc(), threads::id.desc()))
                .limit(page.limit + 1)
                .into_boxed();
            if let Some((at, id)) = after {
                let at_col = threads::deleted_at.assume_not_null();
                query = query.filter(at_col.lt(at).or(at_col.eq(at).and(threads::id.lt(id))));
            }
            let mut rows: Vec<Row> = query.load(conn)?;
            // A thread's excerpt is its opening post's text.
            let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
            let openings: Vec<(i64, String)> = posts::table
                .filter(posts::thread_id.eq_any(&ids))
                .filter(posts::number.eq(1))
                .select((posts::thread_id, posts::body))
                .load(conn)?;
            for row in &mut rows {
                if let Some((_, body)) = openings.iter().find(|(t, _)| *t == row.0) {
                    row.5.clone_from(body);
                }
            }
            rows
        }
        DeletedKind::Posts => {
            let mut query = posts::table
                .inner_join(threads::table.inner_join(categories::table))
                .filter(posts::deleted_at.is_not_null())
                .filter(post_readable_if_alive(&viewer.scope))
                .select((
                    posts::id,
                    posts::thread_id,
                    threads::title,
                    categories::slug,
                    posts::author_id,
                    posts::body,
                    posts::deleted_at.assume_not_null(),
                ))
                .order((posts::deleted_at.desc(), posts::id.desc()))
                .limit(page.limit + 1)
                .into_boxed();
            if let Some((at, id)) = after {
                let at_col = posts::deleted_at.assume_not_null();
                query = query.filter(at_col.lt(at).or(at_col.eq(at).and(posts::id.lt(id))));
            }
            query.load(conn)?
        }
    };
    let (rows, next) = page.finish(rows, |r| keys(r.6, r.0));
    let authors: Vec<i64> = rows.iter().map(|r| r.4).collect();
    let people = users::summaries(conn, &authors)?;
    let kind = match kind {
        DeletedKind::Threads => "thread",
        DeletedKind::Posts => "post",
    };
    let items = rows
        .into_iter()
        .map(|(id, thread_id, thread_title, category, author, text, deleted_at)| DeletedItem {
            kind: kind.to_string(),
            id,
            thread_id,
            thread_title,
            category,
            author: users::summary_of(&people, author),
            excerpt: text.chars().take(EXCERPT_CHARS).collect(),
            deleted_at: deleted_at.and_utc(),
        })
        .collect();
    Ok((items, next))
}
