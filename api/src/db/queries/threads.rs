//! Threads: read through the policy; created with their first post.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use quorum_types::{CreatedThread, Thread};
use serde_json::json;

use super::audiences::{self, Builtins};
use super::categories::{self, CategoryRow};
use super::events::{self, Kind, NewEvent};
use super::following;
use super::mentions::{self, Levels};
use super::posts::{self, narrowed_readable_stats};
use super::set_aside::set_aside_unreadable;
use super::{now, time_from_key, time_key, users, PageRequest};
use crate::db::policy::actions::{can, require, Action, CategoryFacts, Target, ThreadFacts};
use crate::db::policy::{thread_readable, thread_readable_if_alive, Viewer};
use crate::db::schema::{categories as categories_t, threads};
use crate::db::AnyConnection;
use crate::error::ApiError;

pub const MAX_TITLE_CHARS: usize = 200;
/// A thread the viewer has never opened counts as new this long.
const NEW_FOR_DAYS: i64 = 14;

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
    pub post_counter: i32,
    pub open_posts: i32,
    pub created_at: NaiveDateTime,
    pub bumped_at: NaiveDateTime,
}

impl ThreadRow {
    /// What `policy::actions` needs to know of this thread;
    /// `replies_by_others` as the acting viewer can read them.
    pub fn facts(&self, replies_by_others: bool) -> ThreadFacts {
        ThreadFacts { author_id: self.author_id, locked: self.locked, replies_by_others }
    }
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

/// Shapes rows with a fixed number of queries: authors, audiences, the
/// reply count and last activity among posts the viewer can read, and, for
/// the viewer's own threads, whether others have replied (which decides
/// whether they may still delete them).
fn to_wire(conn: &mut AnyConnection, viewer: &Viewer, rows: Vec<(ThreadRow, String)>) -> Result<Vec<Thread>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|(t, _)| t.id).collect();
    let narrowed: HashMap<i64, (i64, Option<NaiveDateTime>)> = narrowed_readable_stats(conn, viewer, &ids)?;
    let author_ids: Vec<i64> = rows.iter().map(|(t, _)| t.author_id).collect();
    let authors = users::summaries(conn, &author_ids)?;
    let audience_ids: Vec<i64> = rows.iter().filter_map(|(t, _)| t.audience_id).collect();
    let slugs = audiences::slugs(conn, &audience_ids)?;
    let own: Vec<i64> = rows.iter().filter(|(t, _)| Some(t.author_id) == viewer.user_id()).map(|(t, _)| t.id).collect();
    let answered = match viewer.user_id() {
        Some(me) if !own.is_empty() => posts::threads_with_readable_replies_by_others(conn, viewer, &own, me)?,
        _ => Default::default(),
    };
    // Open posts are readable by whoever reads the thread; add the
    // narrowed ones this viewer may read.
    let visible = |t: &ThreadRow| i64::from(t.open_posts) + narrowed.get(&t.id).map_or(0, |(n, _)| *n);
    let placed: Vec<following::Placed> = rows
        .iter()
        .map(|(t, _)| following::Placed {
            thread_id: t.id,
            category_id: t.category_id,
            post_counter: t.post_counter,
            visible: visible(t),
        })
        .collect();
    let reads = following::read_states(conn, viewer, &placed)?;
    let levels = match viewer.user_id() {
        Some(me) => following::thread_levels(conn, me, &ids)?,
        None => Default::default(),
    };
    let recent = now() - chrono::Duration::days(NEW_FOR_DAYS);
    Ok(rows
        .into_iter()
        .map(|(t, category)| {
            let newest_narrowed = narrowed.get(&t.id).and_then(|(_, newest)| *newest);
            let visible = visible(&t);
            let last = newest_narrowed.map_or(t.bumped_at, |n| n.max(t.bumped_at));
            let facts = Target::Thread(t.facts(answered.contains(&t.id)));
            let may = |action| can(viewer, action, facts);
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
                can_reply: may(Action::Reply),
                can_edit: may(Action::EditThread),
                can_delete: may(Action::DeleteThread),
                can_moderate: may(Action::PinThread),
                watch_level: levels.get(&t.id).copied(),
                last_read_post_id: reads.get(&t.id).and_then(|r| r.last_read_post_id),
                unread_count: reads.get(&t.id).map_or(0, |r| r.unread),
                is_new: viewer.user_id().is_some() && !reads.contains_key(&t.id) && t.created_at > recent,
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
    /// `body` rendered by `markdown::render_post`.
    pub body_html: &'a str,
    pub audience: Option<&'a [String]>,
    /// Whom the first post mentions (user or group ids) and which posts it quotes.
    pub mentions: &'a [(Option<i64>, Option<i64>)],
    pub quotes: &'a [i64],
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
    require(viewer, Action::StartThread, Target::Category(CategoryFacts { posters_audience_id: category.posters_id }))?;
    let title = check_title(new.title)?;
    posts::check_body(new.body)?;
    let mut viewer = viewer.clone();
    let audience_id = match new.audience {
        None => None,
        Some(names) => Some(audiences::narrowing(conn, &mut viewer, builtins, category.audience_id, names)?),
    };
    let viewer = &viewer;
    if !new.quotes.is_empty() {
        let levels = Levels {
            category: category.audience_id,
            thread: audience_id.map(|a| audiences::load(conn, a)).transpose()?.map(|a| a.group_ids),
            post: None,
        };
        mentions::check_quotes(conn, viewer, builtins, new.quotes, &levels)?;
    }
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
    mentions::store(conn, post.id, new.mentions, new.quotes)?;
    following::advance_read(conn, account.id, id, post.id)?;
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::ThreadCreated, format!("thread:{id}")).thread(category.id, id).post(post.id, account.id),
    )?;
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
    let (row, category_row) = readable_row_with_category(conn, viewer, id)?;
    let facts = Target::Thread(row.facts(false));
    let target = threads::table.find(id);
    let record = |conn: &mut AnyConnection, kind: Kind, change: Option<(serde_json::Value, serde_json::Value)>| {
        let (before, after) = change.map_or((None, None), |(b, a)| (Some(b), Some(a)));
        let event = NewEvent::new(kind, format!("thread:{id}"))
            .thread(category_row.id, id)
            .author(row.author_id)
            .change(before, after);
        events::record(conn, viewer, event).map(|_| ())
    };
    if let Some(title) = changes.title {
        require(viewer, Action::EditThread, facts)?;
        let title = check_title(title)?;
        if title != row.title {
            diesel::update(target).set(threads::title.eq(&title)).execute(conn)?;
            super::search::retitle(conn, id, &title)?;
            record(conn, Kind::ThreadRetitled, Some((json!({"title": row.title}), json!({"title": title}))))?;
        }
    }
    if let Some(pinned) = changes.pinned {
        require(viewer, Action::PinThread, facts)?;
        if pinned != row.pinned {
            diesel::update(target).set(threads::pinned.eq(pinned)).execute(conn)?;
            record(conn, if pinned { Kind::ThreadPinned } else { Kind::ThreadUnpinned }, None)?;
        }
    }
    if let Some(locked) = changes.locked {
        require(viewer, Action::LockThread, facts)?;
        if locked != row.locked {
            diesel::update(target).set(threads::locked.eq(locked)).execute(conn)?;
            record(conn, if locked { Kind::ThreadLocked } else { Kind::ThreadUnlocked }, None)?;
        }
    }
    if let Some(slug) = changes.category {
        require(viewer, Action::MoveThread, facts)?;
        let category = categories::readable_row(conn, viewer, slug)
            .map_err(|e| e.missing_as_field("category", "no such category"))?;
        if category.id != row.category_id {
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
            record(
                conn,
                Kind::ThreadMoved,
                Some((json!({"category": category_row.slug}), json!({"category": category.slug}))),
            )?;
        }
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
        .filter(posts::hidden_at.is_null())
        .select(diesel::dsl::max(posts::created_at))
        .first(conn)?;
    diesel::update(threads::table.find(id)).set(threads::bumped_at.eq(newest.unwrap_or(created))).execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut AnyConnection, viewer: &Viewer, id: i64) -> Result<(), ApiError> {
    let account = viewer.require_account()?;
    let (row, category) = readable_row_with_category(conn, viewer, id)?;
    // Only replies the author can read count: one they cannot see does not
    // exist for them, not even as a refusal.
    let answered = row.author_id == account.id
        && posts::threads_with_readable_replies_by_others(conn, viewer, &[id], account.id)?.contains(&id);
    require(viewer, Action::DeleteThread, Target::Thread(row.facts(answered)))?;
    // Replies the deleter cannot read are not theirs to destroy: they stay,
    // in a thread of their own, for those who can read them.
    set_aside_unreadable(conn, viewer, &row)?;
    diesel::update(threads::table.find(id)).set(threads::deleted_at.eq(Some(now()))).execute(conn)?;
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::ThreadDeleted, format!("thread:{id}"))
            .thread(category.id, id)
            .author(row.author_id)
            .change(Some(json!({"title": row.title, "category": category.slug})), None),
    )?;
    Ok(())
}

/// Brings back a deleted thread (moderators who could read it).
pub fn restore(conn: &mut AnyConnection, viewer: &Viewer, id: i64) -> Result<Thread, ApiError> {
    let (row, category): (ThreadRow, CategoryRow) = threads::table
        .inner_join(categories_t::table)
        .filter(threads::id.eq(id))
        .filter(threads::deleted_at.is_not_null())
        .filter(thread_readable_if_alive(&viewer.scope))
        .select((ThreadRow::as_select(), CategoryRow::as_select()))
        .first(conn)?;
    require(viewer, Action::RestoreThread, Target::Thread(row.facts(false)))?;
    diesel::update(threads::table.find(id)).set(threads::deleted_at.eq(None::<NaiveDateTime>)).execute(conn)?;
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::ThreadRestored, format!("thread:{id}")).thread(category.id, id).author(row.author_id),
    )?;
    get(conn, viewer, id)
}
