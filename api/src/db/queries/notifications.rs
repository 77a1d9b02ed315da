//! Notifications: stored per recipient, but shown and counted only while the
//! recipient can read the post they are about (the same predicate as every
//! read), so one about a post they lost access to disappears and stops counting.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use quorum_types::{Notification, NotificationKind};

use super::{now, users, PageRequest};
use crate::db::policy::{post_readable, Viewer};
use crate::db::schema::{categories, notifications, posts, threads};
use crate::db::{on_inner, AnyConnection};
use crate::error::ApiError;

const EXCERPT_CHARS: usize = 160;

pub fn kind_str(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Reply => "reply",
        NotificationKind::Watching => "watching",
        NotificationKind::Mention => "mention",
        NotificationKind::GroupMention => "group_mention",
        NotificationKind::Quote => "quote",
        NotificationKind::Like => "like",
        NotificationKind::NewThread => "new_thread",
        NotificationKind::EventChanged => "event_changed",
        NotificationKind::EventCancelled => "event_cancelled",
    }
}

pub fn kind_of(s: &str) -> NotificationKind {
    match s {
        "reply" => NotificationKind::Reply,
        "mention" => NotificationKind::Mention,
        "group_mention" => NotificationKind::GroupMention,
        "quote" => NotificationKind::Quote,
        "like" => NotificationKind::Like,
        "new_thread" => NotificationKind::NewThread,
        "event_changed" => NotificationKind::EventChanged,
        "event_cancelled" => NotificationKind::EventCancelled,
        _ => NotificationKind::Watching,
    }
}

/// A row of `notifications`, for statements that insert many.
#[derive(Insertable)]
#[diesel(table_name = notifications)]
#[diesel(treat_none_as_default_value = false)]
struct NotificationInsert {
    user_id: i64,
    kind: &'static str,
    post_id: i64,
    thread_id: i64,
    actor_id: Option<i64>,
    count: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Stores notifications about one post, many rows per statement; likes,
/// which fold, go through [`create`].
pub fn create_many(
    conn: &mut AnyConnection,
    told: &[(i64, NotificationKind)],
    post_id: i64,
    thread_id: i64,
    actor_id: i64,
) -> Result<(), ApiError> {
    let at = now();
    let mut rows = Vec::with_capacity(told.len());
    for &(user_id, kind) in told {
        if kind == NotificationKind::Like {
            create(conn, user_id, kind, post_id, thread_id, actor_id)?;
            continue;
        }
        rows.push(NotificationInsert {
            user_id,
            kind: kind_str(kind),
            post_id,
            thread_id,
            actor_id: Some(actor_id),
            count: 1,
            created_at: at,
            updated_at: at,
        });
    }
    for chunk in rows.chunks(500) {
        on_inner!(conn, |c| diesel::insert_into(notifications::table).values(chunk).execute(c))?;
    }
    Ok(())
}

/// Stores a notification; likes on one post fold into the one unread
/// "liked" notification. Returns its id.
pub fn create(
    conn: &mut AnyConnection,
    user_id: i64,
    kind: NotificationKind,
    post_id: i64,
    thread_id: i64,
    actor_id: i64,
) -> Result<i64, ApiError> {
    let at = now();
    if kind == NotificationKind::Like {
        let folded = diesel::update(
            notifications::table
                .filter(notifications::user_id.eq(user_id))
                .filter(notifications::post_id.eq(post_id))
                .filter(notifications::kind.eq("like"))
                .filter(notifications::read_at.is_null()),
        )
        .set((
            notifications::count.eq(notifications::count + 1),
            notifications::actor_id.eq(Some(actor_id)),
            notifications::updated_at.eq(at),
        ))
        .returning(notifications::id)
        .get_results::<i64>(conn)?;
        if let Some(id) = folded.first() {
            return Ok(*id);
        }
    }
    let row = (
        notifications::user_id.eq(user_id),
        notifications::kind.eq(kind_str(kind)),
        notifications::post_id.eq(post_id),
        notifications::thread_id.eq(thread_id),
        notifications::actor_id.eq(Some(actor_id)),
        notifications::count.eq(1),
        notifications::created_at.eq(at),
        notifications::updated_at.eq(at),
    );
    Ok(diesel::insert_into(notifications::table).values(row).returning(notifications::id).get_result(conn)?)
}

/// Whether `user_id` was already told of `post_id` in any of these ways.
pub fn already(
    conn: &mut AnyConnection,
    user_id: i64,
    post_id: i64,
    kinds: &[NotificationKind],
) -> Result<bool, ApiError> {
    let kinds: Vec<&str> = kinds.iter().map(|k| kind_str(*k)).collect();
    Ok(diesel::select(diesel::dsl::exists(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::post_id.eq(post_id))
            .filter(notifications::kind.eq_any(kinds)),
    ))
    .get_result(conn)?)
}

type Row = (i64, String, i64, i64, Option<i64>, i32, NaiveDateTime, NaiveDateTime, Option<NaiveDateTime>);

/// The viewer's notifications about posts they can read, newest first.
pub fn list(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    unread_only: bool,
    page: &PageRequest,
) -> Result<(Vec<Notification>, Option<String>), ApiError> {
    let me = viewer.require_account()?.id;
    let mut query = notifications::table
        .inner_join(posts::table.inner_join(threads::table.inner_join(categories::table)))
        .filter(notifications::user_id.eq(me))
        .filter(post_readable(&viewer.scope))
        .select((
            (
                notifications::id,
                notifications::kind,
                notifications::post_id,
                notifications::thread_id,
                notifications::actor_id,
                notifications::count,
                notifications::created_at,
                notifications::updated_at,
                notifications::read_at,
            ),
            threads::title,
            posts::body,
            posts::hidden_at,
            posts::author_id,
        ))
        .order(notifications::id.desc())
        .limit(page.limit + 1)
        .into_boxed();
    if unread_only {
        query = query.filter(notifications::read_at.is_null());
    }
    if let Some(after) = &page.after {
        query = query.filter(notifications::id.lt(after[0]));
    }
    type Loaded = (Row, String, String, Option<NaiveDateTime>, i64);
    let rows: Vec<Loaded> = query.load(conn)?;
    let (rows, next) = page.finish(rows, |(r, ..)| vec![r.0]);
    let actors: Vec<i64> = rows.iter().filter_map(|(r, ..)| r.4).collect();
    let people = users::summaries(conn, &actors)?;
    let items = rows
        .into_iter()
        .map(|((id, kind, post_id, thread_id, actor, count, created, updated, read), title, body, hidden, author)| {
            let shown = hidden.is_none() || Some(author) == viewer.user_id() || viewer.is_moderator();
            Notification {
                id,
                kind: kind_of(&kind),
                post_id,
                thread_id,
                thread_title: title,
                excerpt: if shown { body.chars().take(EXCERPT_CHARS).collect() } else { String::new() },
                actor: actor.map(|a| users::summary_of(&people, a)),
                others: i64::from(count - 1).max(0),
                created_at: created.and_utc(),
                updated_at: updated.and_utc(),
                read: read.is_some(),
            }
        })
        .collect();
    Ok((items, next))
}

/// Unread notifications about posts the viewer can read.
pub fn unread_count(conn: &mut AnyConnection, viewer: &Viewer) -> Result<i64, ApiError> {
    let me = viewer.require_account()?.id;
    Ok(notifications::table
        .inner_join(posts::table.inner_join(threads::table.inner_join(categories::table)))
        .filter(notifications::user_id.eq(me))
        .filter(notifications::read_at.is_null())
        .filter(post_readable(&viewer.scope))
        .select(count_star())
        .first(conn)?)
}

/// Marks some (or, with `None`, all) of the viewer's notifications read.
pub fn mark_read(conn: &mut AnyConnection, viewer: &Viewer, ids: Option<&[i64]>) -> Result<usize, ApiError> {
    let me = viewer.require_account()?.id;
    let mine = notifications::table.filter(notifications::user_id.eq(me)).filter(notifications::read_at.is_null());
    let done = match ids {
        Some(ids) => diesel::update(mine.filter(notifications::id.eq_any(ids)))
            .set(notifications::read_at.eq(Some(now())))
            .execute(conn)?,
        None => diesel::update(mine).set(notifications::read_at.eq(Some(now()))).execute(conn)?,
    };
    Ok(done)
}
