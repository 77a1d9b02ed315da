//! The archive of a member's own data (`GET /me/export`). Everything in it
//! about content is read through the same predicates as every other read,
//! with the member's scope of now: what they can no longer read (a post
//! whose audience they left, a deleted thread) is left out, their own words
//! included, and other people's posts are never in it (a post of theirs
//! carries its thread's title, for context).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use quorum_types::{
    ExportedFlag, ExportedLike, ExportedMembership, ExportedNotification, ExportedPollAnswer, ExportedPost,
    ExportedRsvp, ExportedThread, ExportedWatch, MemberExport, PollAnswer, RsvpAnswer, MEMBER_EXPORT_FORMAT,
    MEMBER_EXPORT_VERSION,
};

use super::audiences::{self, Builtins};
use super::{access_tokens, following, invites, notifications, now, posts as post_queries, users};
use crate::db::policy::actions::{require, Action, Target};
use crate::db::policy::{category_readable, post_readable, thread_readable, Viewer};
use crate::db::schema::{
    calendar_tokens, categories, flags, group_members, groups, likes, meeting_rsvps, notifications as notes,
    poll_answers, poll_slots, posts, threads, watches,
};
use crate::db::AnyConnection;
use crate::error::ApiError;

type PostLine = (
    i64,
    i64,
    String,
    i32,
    Option<i64>,
    Option<i64>,
    String,
    Option<NaiveDateTime>,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

/// The signed-in member's archive, as of now.
pub fn export(
    conn: &mut AnyConnection,
    builtins: &Builtins,
    viewer: &Viewer,
    site: &str,
) -> Result<MemberExport, ApiError> {
    require(viewer, Action::ExportOwnData, Target::Site)?;
    let me = viewer.require_account()?.id;
    let scope = &viewer.scope;

    let memberships = group_members::table
        .inner_join(groups::table)
        .filter(group_members::user_id.eq(me))
        .select((groups::slug, groups::name, group_members::created_at))
        .order(groups::slug)
        .load::<(String, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(group, name, at)| ExportedMembership { group, name, joined_at: at.and_utc() })
        .collect();

    let threads_started = threads::table
        .inner_join(categories::table)
        .filter(threads::author_id.eq(me))
        .filter(thread_readable(scope))
        .select((threads::id, categories::slug, threads::title, threads::created_at))
        .order(threads::id)
        .load::<(i64, String, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, category, title, at)| ExportedThread { id, category, title, created_at: at.and_utc() })
        .collect();

    let lines: Vec<PostLine> = posts::table
        .inner_join(threads::table.inner_join(categories::table))
        .filter(posts::author_id.eq(me))
        .filter(post_readable(scope))
        .select((
            posts::id,
            posts::thread_id,
            threads::title,
            posts::number,
            posts::reply_to_id,
            posts::audience_id,
            posts::body,
            posts::hidden_at,
            posts::created_at,
            posts::edited_at,
        ))
        .order(posts::id)
        .load(conn)?;
    let reply_ids: Vec<i64> = lines.iter().filter_map(|l| l.4).collect();
    let readable_replies = post_queries::readable_ids(conn, viewer, &reply_ids)?;
    let audience_ids: Vec<i64> = lines.iter().filter_map(|l| l.5).collect();
    let slugs = audiences::slugs(conn, &audience_ids)?;
    let own_posts = lines
        .into_iter()
        .map(|(id, thread_id, thread_title, number, reply_to, audience, body, hidden_at, created_at, edited_at)| {
            ExportedPost {
                id,
                thread_id,
                thread_title,
                opens_thread: number == 1,
                reply_to: reply_to.filter(|r| readable_replies.contains(r)),
                audience: audience.map(|a| slugs.get(&a).cloned().unwrap_or_default()),
                body,
                hidden: hidden_at.is_some(),
                created_at: created_at.and_utc(),
                edited_at: edited_at.map(|t| t.and_utc()),
            }
        })
        .collect();

    let liked = likes::table
        .inner_join(posts::table.inner_join(threads::table.inner_join(categories::table)))
        .filter(likes::user_id.eq(me))
        .filter(post_readable(scope))
        .select((likes::post_id, posts::thread_id, likes::created_at))
        .order(likes::post_id)
        .load::<(i64, i64, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(post_id, thread_id, at)| ExportedLike { post_id, thread_id, created_at: at.and_utc() })
        .collect();

    let told = notes::table
        .inner_join(posts::table.inner_join(threads::table.inner_join(categories::table)))
        .filter(notes::user_id.eq(me))
        .filter(post_readable(scope))
        .select((
            notes::id,
            notes::kind,
            notes::post_id,
            notes::thread_id,
            notes::count,
            notes::created_at,
            notes::read_at,
        ))
        .order(notes::id)
        .load::<(i64, String, i64, i64, i32, NaiveDateTime, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .map(|(id, kind, post_id, thread_id, count, created_at, read_at)| ExportedNotification {
            id,
            kind: notifications::kind_of(&kind),
            post_id,
            thread_id,
            count,
            created_at: created_at.and_utc(),
            read_at: read_at.map(|t| t.and_utc()),
        })
        .collect();

    let mut watched: Vec<ExportedWatch> = watches::table
        .inner_join(threads::table.on(watches::thread_id.eq(threads::id.nullable())))
        .inner_join(categories::table.on(categories::id.eq(threads::category_id)))
        .filter(watches::user_id.eq(me))
        .filter(thread_readable(scope))
        .select((threads::id, watches::level, watches::updated_at))
        .order(threads::id)
        .load::<(i64, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(thread_id, level, at)| ExportedWatch {
            thread_id: Some(thread_id),
            category: None,
            level: following::level_of(&level),
            updated_at: at.and_utc(),
        })
        .collect();
    let category_watches = watches::table
        .inner_join(categories::table.on(watches::category_id.eq(categories::id.nullable())))
        .filter(watches::user_id.eq(me))
        .filter(category_readable(scope))
        .select((categories::slug, watches::level, watches::updated_at))
        .order(categories::slug)
        .load::<(String, String, NaiveDateTime)>(conn)?;
    watched.extend(category_watches.into_iter().map(|(slug, level, at)| ExportedWatch {
        thread_id: None,
        category: Some(slug),
        level: following::level_of(&level),
        updated_at: at.and_utc(),
    }));

    let rsvps = meeting_rsvps::table
        .inner_join(threads::table.on(threads::id.eq(meeting_rsvps::thread_id)))
        .inner_join(categories::table.on(categories::id.eq(threads::category_id)))
        .filter(meeting_rsvps::user_id.eq(me))
        .filter(thread_readable(scope))
        .select((meeting_rsvps::thread_id, meeting_rsvps::answer, meeting_rsvps::updated_at))
        .order(meeting_rsvps::thread_id)
        .load::<(i64, String, NaiveDateTime)>(conn)?
        .into_iter()
        .filter_map(|(thread_id, answer, at)| {
            Some(ExportedRsvp { thread_id, answer: RsvpAnswer::parse(&answer)?, updated_at: at.and_utc() })
        })
        .collect();

    let poll = poll_answers::table
        .inner_join(poll_slots::table)
        .inner_join(threads::table.on(threads::id.eq(poll_slots::thread_id)))
        .inner_join(categories::table.on(categories::id.eq(threads::category_id)))
        .filter(poll_answers::user_id.eq(me))
        .filter(thread_readable(scope))
        .select((
            poll_slots::thread_id,
            poll_slots::id,
            poll_slots::starts_at,
            poll_slots::ends_at,
            poll_answers::answer,
            poll_answers::updated_at,
        ))
        .order(poll_slots::id)
        .load::<(i64, i64, NaiveDateTime, NaiveDateTime, String, NaiveDateTime)>(conn)?
        .into_iter()
        .filter_map(|(thread_id, slot_id, starts_at, ends_at, answer, at)| {
            Some(ExportedPollAnswer {
                thread_id,
                slot_id,
                starts_at: starts_at.and_utc(),
                ends_at: ends_at.and_utc(),
                answer: PollAnswer::parse(&answer)?,
                updated_at: at.and_utc(),
            })
        })
        .collect();

    let flagged = flags::table
        .inner_join(posts::table.inner_join(threads::table.inner_join(categories::table)))
        .filter(flags::reporter_id.eq(me))
        .filter(post_readable(scope))
        .select((
            flags::id,
            flags::post_id,
            flags::reason,
            flags::note,
            flags::created_at,
            flags::resolved_at,
            flags::resolution,
        ))
        .order(flags::id)
        .load::<(i64, i64, String, String, NaiveDateTime, Option<NaiveDateTime>, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, post_id, reason, note, created_at, resolved_at, resolution)| ExportedFlag {
            id,
            post_id,
            reason,
            note,
            created_at: created_at.and_utc(),
            resolved_at: resolved_at.map(|t| t.and_utc()),
            resolution,
        })
        .collect();

    let calendar_feed_created_at: Option<NaiveDateTime> =
        calendar_tokens::table.find(me).select(calendar_tokens::created_at).first(conn).optional()?;

    Ok(MemberExport {
        format: MEMBER_EXPORT_FORMAT.to_owned(),
        version: MEMBER_EXPORT_VERSION,
        exported_at: now().and_utc(),
        site: site.to_owned(),
        account: users::me(conn, builtins, me)?,
        memberships,
        threads: threads_started,
        posts: own_posts,
        likes: liked,
        notifications: told,
        watches: watched,
        rsvps,
        poll_answers: poll,
        flags: flagged,
        invites: invites::created_by(conn, me)?,
        access_tokens: access_tokens::all_of(conn, me)?,
        calendar_feed_created_at: calendar_feed_created_at.map(|t| t.and_utc()),
    })
}
