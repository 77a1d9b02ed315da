//! No action may destroy, move or reveal content its actor cannot read.
//! Before a thread is deleted or moved, the replies in it that the actor
//! cannot read (a Board-only report inside an open thread) are set aside
//! into a thread of their own, left where the thread was, readable by
//! exactly the people who could read them before; the action then applies
//! to what the actor can read, and its answer is the same either way.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audiences;
use super::threads::ThreadRow;
use crate::db::policy::{narrowed_unreadable, Viewer};
use crate::db::schema::{posts, threads};
use crate::db::AnyConnection;
use crate::error::ApiError;

/// Moves the live replies of `thread` that `viewer` cannot read into a new
/// thread in the same category; returns its id, or `None` when the viewer
/// can read everything.
///
/// Each of those replies narrows the thread's audience, so the new
/// thread's audience (every group their audiences name) admits exactly
/// their former readers, and nobody who could not read any of them sees it.
pub fn set_aside_unreadable(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread: &ThreadRow,
) -> Result<Option<i64>, ApiError> {
    let Some(unreadable) = narrowed_unreadable(&viewer.scope) else {
        return Ok(None);
    };
    let hidden: Vec<(i64, i64, Option<i64>, NaiveDateTime)> = posts::table
        .filter(posts::thread_id.eq(thread.id))
        .filter(unreadable)
        .order(posts::id.asc())
        .select((posts::id, posts::author_id, posts::audience_id, posts::created_at))
        .load(conn)?;
    let Some(&(_, first_author, _, first_created)) = hidden.first() else {
        return Ok(None);
    };
    let mut group_ids = Vec::new();
    for audience_id in hidden.iter().filter_map(|(_, _, audience, _)| *audience) {
        group_ids.extend(audiences::load(conn, audience_id)?.group_ids);
    }
    let audience = audiences::of_groups(conn, group_ids)?;
    let count = i32::try_from(hidden.len()).unwrap_or(i32::MAX);
    let new_id: i64 = diesel::insert_into(threads::table)
        .values((
            threads::category_id.eq(thread.category_id),
            threads::author_id.eq(first_author),
            threads::title.eq(&thread.title),
            threads::audience_id.eq(Some(audience.id)),
            threads::pinned.eq(false),
            threads::locked.eq(thread.locked),
            threads::post_counter.eq(count),
            // Every post in it has an audience of its own.
            threads::open_posts.eq(0),
            threads::created_at.eq(first_created),
            threads::bumped_at.eq(first_created),
        ))
        .returning(threads::id)
        .get_result(conn)?;
    for (number, (post_id, ..)) in (1..).zip(&hidden) {
        diesel::update(posts::table.find(*post_id))
            .set((
                posts::thread_id.eq(new_id),
                posts::number.eq(number),
                posts::search_title.eq(super::search::title_text(number, &thread.title)),
            ))
            .execute(conn)?;
    }
    Ok(Some(new_id))
}
