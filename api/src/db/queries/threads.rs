//! Threads: read through the policy; created with their first post.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use quorum_types::{CreatedThread, ErrorCode, Thread};

use super::audiences::{self, Builtins};
use super::categories::{self, CategoryRow};
use super::posts::{self, narrowed_readable_stats};
use super::set_aside::set_aside_unreadable;
use super::{now, time_from_key, time_key, users, PageRequest};
use crate::db::policy::{thread_readable, Viewer};
use crate::db::schema::{categories as categories_t, threads};
use crate::db::AnyConnection;
use crate::error::ApiError;

pub const MAX_TITLE_CHARS: usize = 200;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = threads)]
pub struct ThreadRow {
    pub id: i64,
    pub category_id: i64,
    pub author_id: i64,
    pub title: String,
    pub audience_id: Option<i64>,
    pub pinned: bool,
    pub locked: bool,
    pub open_posts: i32,
    pub created_at: NaiveDateTime,
    pub bumped_at: NaiveDateTime,
}

/// A thread the viewer may read, with its category, or 404.
pub fn readable_row_with_category(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    id: i64,
) -> Result<(ThreadRow, CategoryRow), ApiError> {
    Ok(threads::table
        .inner_join(categories_t::table)
        .filter(threads::id.eq(id))
        .filter(thread_readable(&viewer.scope))
        .select((ThreadRow::as_select(), CategoryRow::as_select()))
        .first(conn)?)
}

pub fn readable_row(conn: &mut AnyConnection, viewer: &Viewer, id: i64) -> Result<ThreadRow, ApiError> {
    Ok(readable_row_with_category(conn, viewer, id)?.0)
}

pub fn get(conn: &mut AnyConnection, viewer: &Viewer, id: i64) -> Result<Thread, ApiError> {
    let (row, category) = readable_row_with_category(conn, viewer, id)?;
    Ok(to_wire(conn, viewer, vec![(row, category.slug)])?.remove(0))
}

/// Pinned first, then most recently active; keyset on (pinned, bumped_at, id).
pub fn list(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    category: Option<&str>,
    page: &PageRequest,
) -> Result<(Vec<Thread>, Option<String>), ApiError> {
    let mut query = threads::table
        .inner_join(categories_t::table)
        .filter(thread_readable(&viewer.scope))
        .select((ThreadRow::as_select(), categories_t::slug))
        .order((threads::pinned.desc(), threads::bumped_at.desc(), threads::id.desc()))
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(slug) = category {
        let row = categories::readable_row(conn, viewer, slug)?;
        query = query.filter(threads::category_id.eq(row.id));
    }
    if let Some(after) = &page.after {
        let (pinned, bumped, id) = (after[0] != 0, time_from_key(after[1])?, after[2]);
        let same_pin_later = threads::bumped_at.lt(bumped).or(threads::bumped_at.eq(bumped).and(threads::id.lt(id)));
        query = if pinned {
            query.filter(threads::pinned.eq(false).or(threads::pinned.eq(true).and(same_pin_later)))
        } else {
            query.filter(threads::pinned.eq(false).and(same_pin_later))
        };
    }
    let rows: Vec<(ThreadRow, String)> = query.load(conn)?;
    let (rows, next) = page.finish(rows, |(t, _)| vec![i64::from(t.pinned), time_key(t.bumped_at), t.id]);
    Ok((to_wire(conn, viewer, rows)?, next))
}

/// Shapes rows with a fixed number of queries: authors, audiences, and the
/// reply count and last activity among posts the viewer can read.
fn to_wire(conn: &mut AnyConnection, viewer: &Viewer, rows: Vec<(ThreadRow, String)>) -> Result<Vec<Thread>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|(t, _)| t.id).collect();
    let narrowed: HashMap<i64, (i64, Option<NaiveDateTime>)> = narrowed_readable_stats(conn, viewer, &ids)?;
    let author_ids: Vec<i64> = rows.iter().map(|(t, _)| t.author_id).collect();
    let authors = users::summaries(conn, &author_ids)?;
    let audience_ids: Vec<i64> = rows.iter().filter_map(|(t, _)| t.audience_id).collect();
    let slugs = audiences::slugs(conn, &audience_ids)?;
    Ok(rows
        .into_iter()
        .map(|(t, category)| {
            // Open posts are readable by whoever reads the thread; add the
            // narrowed ones this viewer may read.
            let (extra, newest_narrowed) = narrowed.get(&t.id).copied().unwrap_or((0, None));
            let visible = i64::from(t.open_posts) + extra;
            let last = newest_narrowed.map_or(t.bumped_at, |n| n.max(t.bumped_at));
            Thread {
                id: t.id,
                category,
                author: users::summary_of(&authors, t.author_id),
                audience: t.audience_id.map(|a| slugs.get(&a).cloned().unwrap_or_default()),
                pinned: t.pinned,
                locked: t.locked,
                reply_count: (visible - 1).max(0),
                created_at: t.created_at.and_utc(),
                last_activity_at: last.and_utc(),
                can_reply: viewer.can_reply(t.locked),
                can_edit: viewer.can_change(t.author_id, t.locked),
                can_moderate: viewer.can_moderate(),
                title: t.title,
            }
        })
        .collect())
}

pub fn check_title(title: &str) -> Result<String, ApiError> {
    let title = title.trim();
    let chars = title.chars().count();
    if chars == 0 {
        Err(ApiError::field("title", "must not be empty"))
    } else if title.contains('\0') {
        Err(ApiError::field("title", "must not contain NUL characters"))
    } else if chars > MAX_TITLE_CHARS {
        Err(ApiError::field("title", format!("must be at most {MAX_TITLE_CHARS} characters, not {chars}")))
    } else {
        Ok(title.to_owned())
    }
}

pub struct NewThread<'a> {
    pub category: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    /// `body` rendered by `markdown::render`.
    pub body_html: &'a str,
    pub audience: Option<&'a [String]>,
}

pub fn create(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    builtins: &Builtins,
    new: NewThread<'_>,
) -> Result<CreatedThread, ApiError> {
    let account = viewer.require_account()?;
    let category = categories::readable_row(conn, viewer, new.category)
        .map_err(|e| e.missing_as_field("category", "no such category"))?;
    if !viewer.can_post_in(category.posters_id) {
        return Err(ApiError::forbidden("you may reply here but not start threads in this category"));
    }
    let title = check_title(new.title)?;
    posts::check_body(new.body)?;
    let mut viewer = viewer.clone();
    let audience_id = match new.audience {
        None => None,
        Some(names) => Some(audiences::narrowing(conn, &mut viewer, builtins, category.audience_id, names)?),
    };
    let viewer = &viewer;
    let created = now();
    let id: i64 = diesel::insert_into(threads::table)
        .values((
            threads::category_id.eq(category.id),
            threads::author_id.eq(account.id),
            threads::title.eq(&title),
            threads::audience_id.eq(audience_id),
            threads::pinned.eq(false),
            threads::locked.eq(false),
            threads::post_counter.eq(0),
            threads::open_posts.eq(0),
            threads::created_at.eq(created),
            threads::bumped_at.eq(created),
        ))
        .returning(threads::id)
        .get_result(conn)?;
    let row = threads::table.find(id).select(ThreadRow::as_select()).first(conn)?;
    let post = posts::insert(conn, &row, account.id, new.body, new.body_html, None, None)?;
    let post = posts::to_wire(conn, viewer, vec![post])?.remove(0);
    Ok(CreatedThread { thread: get(conn, viewer, id)?, post })
}

pub struct ThreadChanges<'a> {
    pub title: Option<&'a str>,
    pub pinned: Option<bool>,
    pub locked: Option<bool>,
    pub category: Option<&'a str>,
}

pub fn update(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    builtins: &Builtins,
    id: i64,
    changes: ThreadChanges<'_>,
) -> Result<Thread, ApiError> {
    viewer.require_account()?;
    let row = readable_row(conn, viewer, id)?;
    let moderates = changes.pinned.is_some() || changes.locked.is_some() || changes.category.is_some();
    if moderates && !viewer.can_moderate() {
        return Err(ApiError::forbidden("only moderators may pin, lock or move threads"));
    }
    if !viewer.can_edit(row.author_id) {
        return Err(ApiError::forbidden("only the author or a moderator may edit this thread"));
    }
    if row.locked && !viewer.can_moderate() {
        return Err(ApiError::new(ErrorCode::ThreadLocked, "this thread is locked"));
    }
    let target = threads::table.find(id);
    if let Some(title) = changes.title {
        let title = check_title(title)?;
        diesel::update(target).set(threads::title.eq(title)).execute(conn)?;
    }
    if let Some(pinned) = changes.pinned {
        diesel::update(target).set(threads::pinned.eq(pinned)).execute(conn)?;
    }
    if let Some(locked) = changes.locked {
        diesel::update(target).set(threads::locked.eq(locked)).execute(conn)?;
    }
    if let Some(slug) = changes.category {
        let category = categories::readable_row(conn, viewer, slug)
            .map_err(|e| e.missing_as_field("category", "no such category"))?;
        // Replies the mover cannot read stay where they are.
        set_aside_unreadable(conn, viewer, &row)?;
        // Every narrower level must still narrow the new category: the
        // thread's own audience, or else each audience its posts name.
        let parent = categories::audience_of(conn, &category)?;
        let below = match row.audience_id {
            Some(audience_id) => vec![audience_id],
            None => posts::narrowed_audiences(conn, &[id])?,
        };
        for audience_id in below {
            let own = audiences::load(conn, audience_id)?;
            audiences::check_narrows(builtins, &parent, &own, "category")?;
        }
        diesel::update(target).set(threads::category_id.eq(category.id)).execute(conn)?;
    }
    get(conn, viewer, id)
}

/// Moves the thread's activity time back to its newest live post without
/// an audience of its own (after a delete), so order never shows ghosts.
pub fn refresh_bump(conn: &mut AnyConnection, id: i64) -> Result<(), ApiError> {
    use crate::db::schema::posts;
    let created: NaiveDateTime = threads::table.find(id).select(threads::created_at).first(conn)?;
    let newest: Option<NaiveDateTime> = posts::table
        .filter(posts::thread_id.eq(id))
        .filter(posts::deleted_at.is_null())
        .filter(posts::audience_id.is_null())
        .select(diesel::dsl::max(posts::created_at))
        .first(conn)?;
    diesel::update(threads::table.find(id)).set(threads::bumped_at.eq(newest.unwrap_or(created))).execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut AnyConnection, viewer: &Viewer, id: i64) -> Result<(), ApiError> {
    viewer.require_account()?;
    let row = readable_row(conn, viewer, id)?;
    if !viewer.can_edit(row.author_id) {
        return Err(ApiError::forbidden("only the author or a moderator may delete this thread"));
    }
    // An author may take back a thread nobody has answered; once others
    // have replied, their posts go only by a moderator's decision.
    if !viewer.can_moderate() {
        if row.locked {
            return Err(ApiError::new(ErrorCode::ThreadLocked, "this thread is locked"));
        }
        // Only replies the author can read count: one they cannot see does
        // not exist for them, not even as a refusal.
        if posts::has_readable_replies_by_others(conn, viewer, id, row.author_id)? {
            return Err(ApiError::forbidden("others have replied: ask a moderator to remove this thread"));
        }
    }
    // Replies the deleter cannot read are not theirs to destroy: they stay,
    // in a thread of their own, for those who can read them.
    set_aside_unreadable(conn, viewer, &row)?;
    diesel::update(threads::table.find(id)).set(threads::deleted_at.eq(Some(now()))).execute(conn)?;
    Ok(())
}
