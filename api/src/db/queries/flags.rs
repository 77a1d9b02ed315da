//! Flags on posts and the moderators' review queue. A moderator's queue
//! holds only flags on posts they can read (the same predicate as every
//! other read), so moderation never reveals restricted content.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use quorum_types::{ErrorCode, Flag, FlagReason};
use serde_json::json;

use super::events::{self, Kind, NewEvent};
use super::posts::{self, readable_with_facts};
use super::{now, users, PageRequest};
use crate::db::policy::actions::{require, Action, Target};
use crate::db::policy::{post_readable, Viewer};
use crate::db::schema::{categories, flags, posts as posts_t, threads};
use crate::db::AnyConnection;
use crate::error::ApiError;

const MAX_NOTE_CHARS: usize = 1000;
const EXCERPT_CHARS: usize = 280;

fn reason_str(reason: FlagReason) -> &'static str {
    match reason {
        FlagReason::Spam => "spam",
        FlagReason::Abuse => "abuse",
        FlagReason::OffTopic => "off_topic",
        FlagReason::Other => "other",
    }
}

fn reason_of(s: &str) -> FlagReason {
    match s {
        "spam" => FlagReason::Spam,
        "abuse" => FlagReason::Abuse,
        "off_topic" => FlagReason::OffTopic,
        _ => FlagReason::Other,
    }
}

/// Flags a post for the moderators; flagging it again while the first is
/// open changes nothing (and answers with that flag).
pub fn create(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    post_id: i64,
    reason: FlagReason,
    note: &str,
) -> Result<Flag, ApiError> {
    let account = viewer.require_account()?;
    let (post, facts) = readable_with_facts(conn, viewer, post_id)?;
    require(viewer, Action::FlagPost, facts)?;
    if note.chars().count() > MAX_NOTE_CHARS || note.contains('\0') {
        return Err(ApiError::field("note", format!("must be at most {MAX_NOTE_CHARS} characters, without NUL")));
    }
    let open: Option<i64> = flags::table
        .filter(flags::post_id.eq(post_id))
        .filter(flags::reporter_id.eq(account.id))
        .filter(flags::resolved_at.is_null())
        .select(flags::id)
        .first(conn)
        .optional()?;
    let id = match open {
        Some(id) => id,
        None => {
            let id: i64 = diesel::insert_into(flags::table)
                .values((
                    flags::post_id.eq(post_id),
                    flags::reporter_id.eq(account.id),
                    flags::reason.eq(reason_str(reason)),
                    flags::note.eq(note.trim()),
                    flags::created_at.eq(now()),
                ))
                .returning(flags::id)
                .get_result(conn)?;
            let category_id: i64 = threads::table.find(post.thread_id).select(threads::category_id).first(conn)?;
            let event = NewEvent::new(Kind::PostFlagged, format!("post:{post_id}"))
                .thread(category_id, post.thread_id)
                .post(post_id, post.author_id)
                .change(None, Some(json!({"reason": reason_str(reason)})));
            // Flagging is a member's own act, not moderation.
            events::record(conn, viewer, NewEvent { content_author: None, ..event })?;
            id
        }
    };
    Ok(load(conn, viewer, &[id])?.remove(0))
}

type FlagRow = (i64, i64, i64, String, String, NaiveDateTime, Option<NaiveDateTime>, Option<i64>, Option<String>);

/// Flags by id, on posts the viewer can read, shaped for the wire.
fn load(conn: &mut AnyConnection, viewer: &Viewer, ids: &[i64]) -> Result<Vec<Flag>, ApiError> {
    let rows: Vec<(FlagRow, (i64, i64, String), String)> = flags::table
        .inner_join(posts_t::table.inner_join(threads::table.inner_join(categories::table)))
        .filter(flags::id.eq_any(ids))
        .filter(post_readable(&viewer.scope))
        .select((
            (
                flags::id,
                flags::post_id,
                flags::reporter_id,
                flags::reason,
                flags::note,
                flags::created_at,
                flags::resolved_at,
                flags::resolved_by,
                flags::resolution,
            ),
            (posts_t::thread_id, posts_t::author_id, posts_t::body),
            threads::title,
        ))
        .order(flags::id.desc())
        .load(conn)?;
    let people: Vec<i64> = rows
        .iter()
        .flat_map(|((_, _, reporter, .., by, _), (_, author, _), _)| [Some(*reporter), Some(*author), *by])
        .flatten()
        .collect();
    let people = users::summaries(conn, &people)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                (id, post_id, reporter, reason, note, created, resolved_at, resolved_by, resolution),
                (thread_id, author, body),
                title,
            )| Flag {
                id,
                post_id,
                thread_id,
                thread_title: title,
                post_author: users::summary_of(&people, author),
                excerpt: body.chars().take(EXCERPT_CHARS).collect(),
                reason: reason_of(&reason),
                note,
                reporter: users::summary_of(&people, reporter),
                created_at: created.and_utc(),
                resolved_at: resolved_at.map(|t| t.and_utc()),
                resolved_by: resolved_by.map(|u| users::summary_of(&people, u)),
                resolution,
            },
        )
        .collect())
}

/// The review queue: open (or closed) flags on posts the moderator can read,
/// newest first.
pub fn queue(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    open: bool,
    page: &PageRequest,
) -> Result<(Vec<Flag>, Option<String>), ApiError> {
    require(viewer, Action::ReviewFlags, Target::Site)?;
    let mut query = flags::table
        .inner_join(posts_t::table.inner_join(threads::table.inner_join(categories::table)))
        .filter(post_readable(&viewer.scope))
        .select(flags::id)
        .order(flags::id.desc())
        .limit(page.limit + 1)
        .into_boxed();
    query =
        if open { query.filter(flags::resolved_at.is_null()) } else { query.filter(flags::resolved_at.is_not_null()) };
    if let Some(after) = &page.after {
        query = query.filter(flags::id.lt(after[0]));
    }
    let ids: Vec<i64> = query.load(conn)?;
    let (ids, next) = page.finish(ids, |id| vec![*id]);
    Ok((load(conn, viewer, &ids)?, next))
}

/// Closes a flag (and every other open flag on the same post) as resolved
/// or dismissed; `hide` also hides the post.
pub fn resolve(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    flag_id: i64,
    resolution: &str,
    hide: bool,
) -> Result<Flag, ApiError> {
    require(viewer, Action::ReviewFlags, Target::Site)?;
    let kind = match resolution {
        "resolved" => Kind::FlagResolved,
        "dismissed" => Kind::FlagDismissed,
        _ => return Err(ApiError::field("resolution", "must be resolved or dismissed")),
    };
    if hide && kind == Kind::FlagDismissed {
        return Err(ApiError::field("hide_post", "a dismissed flag leaves the post as it is"));
    }
    // Only flags on posts the moderator can read exist for them.
    let Some(flag) = load(conn, viewer, &[flag_id])?.pop() else {
        return Err(ApiError::not_found());
    };
    if flag.resolved_at.is_some() {
        return Err(ApiError::new(ErrorCode::Conflict, "this flag is closed already"));
    }
    let account = viewer.require_account()?;
    diesel::update(flags::table.filter(flags::post_id.eq(flag.post_id)).filter(flags::resolved_at.is_null()))
        .set((
            flags::resolved_at.eq(Some(now())),
            flags::resolved_by.eq(Some(account.id)),
            flags::resolution.eq(resolution),
        ))
        .execute(conn)?;
    let category_id: i64 = threads::table.find(flag.thread_id).select(threads::category_id).first(conn)?;
    events::record(
        conn,
        viewer,
        NewEvent::new(kind, format!("post:{}", flag.post_id))
            .thread(category_id, flag.thread_id)
            .post(flag.post_id, flag.post_author.id)
            .change(None, Some(json!({"flag": flag_id, "reason": reason_str(flag.reason)}))),
    )?;
    if hide {
        posts::set_hidden(
            conn,
            viewer,
            flag.post_id,
            true,
            &format!("flagged as {}", reason_str(flag.reason).replace('_', "-")),
        )?;
    }
    Ok(load(conn, viewer, &[flag_id])?.remove(0))
}
