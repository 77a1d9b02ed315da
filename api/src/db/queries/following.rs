//! What members follow and have read: watch levels per thread and category
//! (you watch threads you started or replied to unless you say otherwise),
//! and per thread the newest post read (a category's mark reads every post
//! up to it). Unread counts count only posts the viewer can read.

use std::collections::{HashMap, HashSet};

use diesel::dsl::max;
use diesel::prelude::*;
use quorum_types::WatchLevel;

use super::{categories, now, threads};
use crate::db::id_list::id_in;
use crate::db::policy::{post_readable, Viewer};
use crate::db::schema::{
    categories as categories_t, category_reads, posts, thread_reads, threads as threads_t, watches,
};
use crate::db::{on_inner, AnyConnection};
use crate::error::ApiError;

pub fn level_str(level: WatchLevel) -> &'static str {
    match level {
        WatchLevel::Watching => "watching",
        WatchLevel::Normal => "normal",
        WatchLevel::Muted => "muted",
    }
}

pub fn level_of(s: &str) -> WatchLevel {
    match s {
        "watching" => WatchLevel::Watching,
        "muted" => WatchLevel::Muted,
        _ => WatchLevel::Normal,
    }
}

/// Sets the viewer's watch level on a thread they can read.
pub fn watch_thread(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread_id: i64,
    level: WatchLevel,
) -> Result<(), ApiError> {
    let me = viewer.require_account()?.id;
    threads::readable_row(conn, viewer, thread_id)?;
    diesel::delete(watches::table.filter(watches::user_id.eq(me)).filter(watches::thread_id.eq(thread_id)))
        .execute(conn)?;
    diesel::insert_into(watches::table)
        .values((
            watches::user_id.eq(me),
            watches::thread_id.eq(Some(thread_id)),
            watches::level.eq(level_str(level)),
            watches::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets the viewer's watch level on a category they can read.
pub fn watch_category(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    slug: &str,
    level: WatchLevel,
) -> Result<(), ApiError> {
    let me = viewer.require_account()?.id;
    let category = categories::readable_row(conn, viewer, slug)?;
    diesel::delete(watches::table.filter(watches::user_id.eq(me)).filter(watches::category_id.eq(category.id)))
        .execute(conn)?;
    diesel::insert_into(watches::table)
        .values((
            watches::user_id.eq(me),
            watches::category_id.eq(Some(category.id)),
            watches::level.eq(level_str(level)),
            watches::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The viewer's level on a category (normal unless set).
pub fn category_level(conn: &mut AnyConnection, user_id: i64, category_id: i64) -> Result<WatchLevel, ApiError> {
    let level: Option<String> = watches::table
        .filter(watches::user_id.eq(user_id))
        .filter(watches::category_id.eq(category_id))
        .select(watches::level)
        .first(conn)
        .optional()?;
    Ok(level.as_deref().map_or(WatchLevel::Normal, level_of))
}

/// Levels on these categories for one member: what they set, else normal.
pub fn category_levels(
    conn: &mut AnyConnection,
    user_id: i64,
    category_ids: &[i64],
) -> Result<HashMap<i64, WatchLevel>, ApiError> {
    let explicit: Vec<(Option<i64>, String)> = watches::table
        .filter(watches::user_id.eq(user_id))
        .filter(watches::category_id.eq_any(category_ids))
        .select((watches::category_id, watches::level))
        .load(conn)?;
    let mut levels: HashMap<i64, WatchLevel> = category_ids.iter().map(|c| (*c, WatchLevel::Normal)).collect();
    levels.extend(explicit.into_iter().filter_map(|(c, l)| Some((c?, level_of(&l)))));
    Ok(levels)
}

/// Effective levels on these threads for one member: what they set, else
/// watching where they have posted, else normal.
pub fn thread_levels(
    conn: &mut AnyConnection,
    user_id: i64,
    thread_ids: &[i64],
) -> Result<HashMap<i64, WatchLevel>, ApiError> {
    let explicit: Vec<(Option<i64>, String)> = watches::table
        .filter(watches::user_id.eq(user_id))
        .filter(watches::thread_id.eq_any(thread_ids))
        .select((watches::thread_id, watches::level))
        .load(conn)?;
    let posted: HashSet<i64> = posts::table
        .filter(posts::author_id.eq(user_id))
        .filter(posts::thread_id.eq_any(thread_ids))
        .filter(posts::deleted_at.is_null())
        .select(posts::thread_id)
        .distinct()
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let mut levels: HashMap<i64, WatchLevel> = thread_ids
        .iter()
        .map(|t| (*t, if posted.contains(t) { WatchLevel::Watching } else { WatchLevel::Normal }))
        .collect();
    for (thread, level) in explicit {
        if let Some(thread) = thread {
            levels.insert(thread, level_of(&level));
        }
    }
    Ok(levels)
}

/// Who watches a thread: those who chose to, and those who posted in it
/// and did not choose otherwise.
pub fn thread_watchers(conn: &mut AnyConnection, thread_id: i64) -> Result<Vec<i64>, ApiError> {
    let explicit: Vec<(i64, String)> = watches::table
        .filter(watches::thread_id.eq(thread_id))
        .select((watches::user_id, watches::level))
        .load(conn)?;
    let posted: Vec<i64> = posts::table
        .filter(posts::thread_id.eq(thread_id))
        .filter(posts::deleted_at.is_null())
        .select(posts::author_id)
        .distinct()
        .load(conn)?;
    let chosen: HashMap<i64, WatchLevel> = explicit.into_iter().map(|(u, l)| (u, level_of(&l))).collect();
    let mut watchers: HashSet<i64> = posted.into_iter().filter(|u| !chosen.contains_key(u)).collect();
    watchers.extend(chosen.iter().filter(|(_, l)| **l == WatchLevel::Watching).map(|(u, _)| *u));
    let mut watchers: Vec<i64> = watchers.into_iter().collect();
    watchers.sort_unstable();
    Ok(watchers)
}

/// Who chose to watch a category.
pub fn category_watchers(conn: &mut AnyConnection, category_id: i64) -> Result<Vec<i64>, ApiError> {
    Ok(watches::table
        .filter(watches::category_id.eq(category_id))
        .filter(watches::level.eq("watching"))
        .select(watches::user_id)
        .load(conn)?)
}

/// Of `user_ids`, those who muted this thread or its category.
pub fn muted_among(
    conn: &mut AnyConnection,
    user_ids: &[i64],
    thread_id: i64,
    category_id: i64,
) -> Result<HashSet<i64>, ApiError> {
    if user_ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(watches::table
        .filter(watches::level.eq("muted"))
        .filter(watches::thread_id.eq(thread_id).or(watches::category_id.eq(category_id)))
        .filter(id_in(watches::user_id, user_ids))
        .select(watches::user_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}

/// Records that the viewer has read a thread up to `post_id` (never backwards).
pub fn mark_thread_read(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread_id: i64,
    post_id: i64,
) -> Result<(), ApiError> {
    let me = viewer.require_account()?.id;
    threads::readable_row(conn, viewer, thread_id)?;
    advance_read(conn, me, thread_id, post_id)
}

/// Moves a member's read mark in a thread forward to `post_id` (writing a
/// post reads the thread up to it).
pub fn advance_read(conn: &mut AnyConnection, me: i64, thread_id: i64, post_id: i64) -> Result<(), ApiError> {
    let row = (
        thread_reads::user_id.eq(me),
        thread_reads::thread_id.eq(thread_id),
        thread_reads::last_read_post_id.eq(post_id),
        thread_reads::updated_at.eq(now()),
    );
    on_inner!(conn, |c| diesel::insert_into(thread_reads::table).values(row).on_conflict_do_nothing().execute(c))?;
    diesel::update(
        thread_reads::table
            .filter(thread_reads::user_id.eq(me))
            .filter(thread_reads::thread_id.eq(thread_id))
            .filter(thread_reads::last_read_post_id.lt(post_id)),
    )
    .set((thread_reads::last_read_post_id.eq(post_id), thread_reads::updated_at.eq(now())))
    .execute(conn)?;
    Ok(())
}

/// Marks every post so far in a category read.
pub fn mark_category_read(conn: &mut AnyConnection, viewer: &Viewer, slug: &str) -> Result<(), ApiError> {
    let me = viewer.require_account()?.id;
    let category = categories::readable_row(conn, viewer, slug)?;
    let newest: Option<i64> = posts::table.select(max(posts::id)).first(conn)?;
    let newest = newest.unwrap_or(0);
    diesel::delete(
        category_reads::table
            .filter(category_reads::user_id.eq(me))
            .filter(category_reads::category_id.eq(category.id)),
    )
    .execute(conn)?;
    diesel::insert_into(category_reads::table)
        .values((
            category_reads::user_id.eq(me),
            category_reads::category_id.eq(category.id),
            category_reads::read_up_to_post_id.eq(newest),
            category_reads::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Per thread: the newest post read (or `None`, never opened) and how many
/// posts after it the viewer can read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadState {
    pub last_read_post_id: Option<i64>,
    pub unread: i64,
}

/// A thread whose read state is asked for.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub thread_id: i64,
    pub category_id: i64,
    /// The highest post number given in it (`threads.post_counter`).
    pub post_counter: i32,
    /// How many of its posts the viewer can read and are not hidden (its
    /// open posts and the narrowed ones they read, from the counters).
    pub visible: i64,
}

/// Posts the viewer can read and are not hidden: what unread counts count.
fn readable_unhidden(
    viewer: &Viewer,
) -> diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::InnerJoin<posts::table, diesel::dsl::InnerJoin<threads_t::table, categories_t::table>>,
    crate::db::Backend,
> {
    posts::table
        .inner_join(threads_t::table.inner_join(categories_t::table))
        .filter(posts::hidden_at.is_null())
        .filter(post_readable(&viewer.scope))
        .into_boxed()
}

/// Read state of `threads` for the viewer. An unread count is counted on
/// the shorter side of the mark: the posts after it, or, when the mark is
/// early in a long thread, the posts up to it, taken from `visible`; so
/// neither a mark near the end nor one near the start walks the thread.
pub fn read_states(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    threads: &[Placed],
) -> Result<HashMap<i64, ReadState>, ApiError> {
    let Some(me) = viewer.user_id() else { return Ok(HashMap::new()) };
    let thread_ids: Vec<i64> = threads.iter().map(|t| t.thread_id).collect();
    let category_ids: Vec<i64> = threads.iter().map(|t| t.category_id).collect();
    let read: HashMap<i64, i64> = thread_reads::table
        .filter(thread_reads::user_id.eq(me))
        .filter(thread_reads::thread_id.eq_any(&thread_ids))
        .select((thread_reads::thread_id, thread_reads::last_read_post_id))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let marks: HashMap<i64, i64> = category_reads::table
        .filter(category_reads::user_id.eq(me))
        .filter(category_reads::category_id.eq_any(&category_ids))
        .select((category_reads::category_id, category_reads::read_up_to_post_id))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let mut states: HashMap<i64, ReadState> = HashMap::new();
    let (mut after, mut through) = (Vec::new(), Vec::new());
    for t in threads {
        let mark = [read.get(&t.thread_id), marks.get(&t.category_id)].into_iter().flatten().max().copied();
        let Some(mark) = mark else { continue };
        states.insert(t.thread_id, ReadState { last_read_post_id: Some(mark), unread: 0 });
        // Where the mark falls: the stored number of the thread's last
        // post up to it (numbers follow ids within a thread).
        let at: Option<i32> = posts::table
            .filter(posts::thread_id.eq(t.thread_id))
            .filter(posts::id.le(mark))
            .order(posts::id.desc())
            .select(posts::number)
            .first(conn)
            .optional()?;
        let at = at.unwrap_or(0);
        if t.post_counter - at <= at {
            after.push((t.thread_id, mark));
        } else {
            through.push((t.thread_id, mark, t.visible));
        }
    }
    // One statement per thread, the same text each time (a cached
    // statement): a range of the thread's index, where an OR of ranges was
    // planned as a walk through every post.
    for (thread, mark) in after {
        let n: i64 = readable_unhidden(viewer)
            .filter(posts::thread_id.eq(thread))
            .filter(posts::id.gt(mark))
            .count()
            .get_result(conn)?;
        if let Some(state) = states.get_mut(&thread) {
            state.unread = n;
        }
    }
    for (thread, mark, visible) in through {
        let n: i64 = readable_unhidden(viewer)
            .filter(posts::thread_id.eq(thread))
            .filter(posts::id.le(mark))
            .count()
            .get_result(conn)?;
        if let Some(state) = states.get_mut(&thread) {
            state.unread = (visible - n).max(0);
        }
    }
    Ok(states)
}
