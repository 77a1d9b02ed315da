//! A member deleting their own account, in one transaction. The account
//! row stays (posts, events and invitations point at it) but is emptied of
//! everything personal and can never sign in again; what happens to the
//! posts is the admin setting `deleted_account_posts`. Everything else of
//! theirs goes: likes, tokens and sessions, calendar feed, memberships,
//! watches and read marks, notifications, mail, answers to events and polls.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use quorum_types::{DeletedAccountPosts, ErrorCode, FORMER_MEMBER};
use serde_json::{json, Value};

use super::events::{self, Kind, NewEvent};
use super::{groups, now, settings};
use crate::db::id_list::id_in;
use crate::db::policy::actions::{require, Action, Target};
use crate::db::policy::Viewer;
use crate::db::schema::{
    access_tokens, calendar_tokens, category_reads, events as events_t, group_members, groups as groups_t,
    idempotency_keys, likes, mail_outbox, meeting_rsvps, notifications, poll_answers, post_mentions, post_quotes,
    post_revisions, posts, refresh_tokens, thread_reads, threads, users, watches,
};
use crate::db::AnyConnection;
use crate::error::ApiError;

/// What stands in for the first post of a thread others replied to, when
/// its author's posts are removed.
pub const REMOVED_NOTICE: &str = "This post was removed when its author deleted their account.";
/// The title a removed thread keeps (it is deleted; only moderators see it).
const REMOVED_TITLE: &str = "Removed thread";

/// What was done, for the audit entry and the answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Deleted {
    pub posts_removed: usize,
    pub threads_removed: usize,
    pub likes: usize,
}

/// Deletes the viewer's account as `deleted_account_posts` says. The last
/// admin cannot go (409): the forum would have nobody to run it.
pub fn delete_own_account(conn: &mut AnyConnection, viewer: &Viewer, admins: i64) -> Result<Deleted, ApiError> {
    require(viewer, Action::DeleteOwnAccount, Target::Site)?;
    let me = viewer.require_account()?.id;
    groups::lock_admins(conn, admins)?;
    let is_admin: bool = diesel::select(diesel::dsl::exists(
        group_members::table.filter(group_members::group_id.eq(admins)).filter(group_members::user_id.eq(me)),
    ))
    .get_result(conn)?;
    if is_admin {
        let admin_count: i64 =
            group_members::table.filter(group_members::group_id.eq(admins)).count().get_result(conn)?;
        if admin_count <= 1 {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "you are the forum's only admin: make someone else an admin before deleting your account",
            ));
        }
    }
    let mode = settings::deleted_account_posts(conn)?;
    let old_username: String = users::table.find(me).select(users::username).first(conn)?;
    let mut done = Deleted::default();
    if mode == DeletedAccountPosts::Remove {
        remove_posts(conn, viewer, me, &mut done)?;
    }
    done.likes = remove_likes(conn, viewer, me)?;

    diesel::delete(access_tokens::table.filter(access_tokens::user_id.eq(me))).execute(conn)?;
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::user_id.eq(me))).execute(conn)?;
    diesel::delete(calendar_tokens::table.filter(calendar_tokens::user_id.eq(me))).execute(conn)?;
    // Memberships are rights: each removal is an event of its own, as when an admin removes one.
    let memberships: Vec<(i64, String)> = group_members::table
        .inner_join(groups_t::table)
        .filter(group_members::user_id.eq(me))
        .select((groups_t::id, groups_t::slug))
        .load(conn)?;
    diesel::delete(group_members::table.filter(group_members::user_id.eq(me))).execute(conn)?;
    for (group_id, slug) in memberships {
        let event = NewEvent::new(Kind::MemberRemoved, format!("group:{slug}"))
            .group(group_id)
            .user(me)
            .change(None, Some(json!({"username": old_username})));
        events::record(conn, viewer, event)?;
    }
    diesel::delete(watches::table.filter(watches::user_id.eq(me))).execute(conn)?;
    diesel::delete(thread_reads::table.filter(thread_reads::user_id.eq(me))).execute(conn)?;
    diesel::delete(category_reads::table.filter(category_reads::user_id.eq(me))).execute(conn)?;
    diesel::delete(mail_outbox::table.filter(mail_outbox::user_id.eq(me))).execute(conn)?;
    diesel::delete(notifications::table.filter(notifications::user_id.eq(me))).execute(conn)?;
    diesel::delete(meeting_rsvps::table.filter(meeting_rsvps::user_id.eq(me))).execute(conn)?;
    diesel::delete(poll_answers::table.filter(poll_answers::user_id.eq(me))).execute(conn)?;
    diesel::delete(post_mentions::table.filter(post_mentions::user_id.eq(me))).execute(conn)?;
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::user_id.eq(me))).execute(conn)?;

    // Nothing personal stays on the row, and no password can match an
    // empty hash; the generation bump ends every session at once.
    let anonymous_name = format!("deleted.{me}");
    diesel::update(users::table.find(me))
        .set((
            users::email.eq(format!("deleted.{me}@invalid")),
            users::bio.eq(""),
            users::time_zone.eq("UTC"),
            users::password_hash.eq(""),
            users::token_generation.eq(users::token_generation + 1),
            users::email_notifications.eq("off"),
            users::suspended_until.eq(None::<NaiveDateTime>),
            users::suspension_reason.eq(None::<String>),
            users::last_seen_at.eq(None::<NaiveDateTime>),
            users::digest_sent_at.eq(None::<NaiveDateTime>),
            users::deleted_at.eq(Some(now())),
        ))
        .execute(conn)?;
    if mode != DeletedAccountPosts::Keep {
        diesel::update(users::table.find(me))
            .set((users::username.eq(&anonymous_name), users::display_name.eq(FORMER_MEMBER)))
            .execute(conn)?;
        forget_name_in_events(conn, me, &old_username, &anonymous_name)?;
    }
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::AccountDeleted, format!("user:{me}")).user(me).change(
            None,
            Some(json!({
                "posts": mode.as_str(),
                "posts_removed": done.posts_removed,
                "threads_removed": done.threads_removed,
                "likes_removed": done.likes,
            })),
        ),
    )?;
    Ok(done)
}

/// Likes given go, each recorded as an unlike (so open pages update).
fn remove_likes(conn: &mut AnyConnection, viewer: &Viewer, me: i64) -> Result<usize, ApiError> {
    let liked: Vec<(i64, i64, i64)> = likes::table
        .inner_join(posts::table.inner_join(threads::table))
        .filter(likes::user_id.eq(me))
        .select((likes::post_id, posts::thread_id, threads::category_id))
        .load(conn)?;
    for (post_id, thread_id, category_id) in &liked {
        diesel::delete(likes::table.filter(likes::post_id.eq(post_id)).filter(likes::user_id.eq(me))).execute(conn)?;
        diesel::update(posts::table.find(post_id)).set(posts::like_count.eq(posts::like_count - 1)).execute(conn)?;
        let event = NewEvent::new(Kind::PostUnliked, format!("post:{post_id}")).thread(*category_id, *thread_id);
        events::record(conn, viewer, NewEvent { post_id: Some(*post_id), ..event })?;
    }
    Ok(liked.len())
}

/// Type of a row of one's own posts: id, thread, number, audience, hidden, deleted, thread's category.
type OwnPost = (i64, i64, i32, Option<i64>, Option<NaiveDateTime>, Option<NaiveDateTime>, i64);

/// `remove`: every post's text is erased and its revisions go. A reply is
/// deleted; a thread nobody else posted in is deleted; the first post of
/// a thread others replied to stays as a notice, so their replies keep
/// their context (the title stays too: it heads their discussion).
fn remove_posts(conn: &mut AnyConnection, viewer: &Viewer, me: i64, done: &mut Deleted) -> Result<(), ApiError> {
    let own: Vec<OwnPost> = posts::table
        .inner_join(threads::table)
        .filter(posts::author_id.eq(me))
        .select((
            posts::id,
            posts::thread_id,
            posts::number,
            posts::audience_id,
            posts::hidden_at,
            posts::deleted_at,
            threads::category_id,
        ))
        .order(posts::id)
        .load(conn)?;
    let ids: Vec<i64> = own.iter().map(|p| p.0).collect();
    diesel::delete(post_revisions::table.filter(id_in(post_revisions::post_id, &ids))).execute(conn)?;
    diesel::delete(post_mentions::table.filter(id_in(post_mentions::post_id, &ids))).execute(conn)?;
    diesel::delete(post_quotes::table.filter(id_in(post_quotes::post_id, &ids))).execute(conn)?;
    let at = now();
    let mut touched_threads = Vec::new();
    for &(id, thread_id, number, audience_id, hidden_at, deleted_at, category_id) in &own {
        let others_posted = number == 1
            && diesel::select(diesel::dsl::exists(
                posts::table
                    .filter(posts::thread_id.eq(thread_id))
                    .filter(posts::author_id.ne(me))
                    .filter(posts::deleted_at.is_null()),
            ))
            .get_result::<bool>(conn)?;
        if others_posted {
            diesel::update(posts::table.find(id))
                .set((
                    posts::body.eq(REMOVED_NOTICE),
                    posts::body_html.eq(format!("<p>{REMOVED_NOTICE}</p>")),
                    posts::search_body.eq(""),
                ))
                .execute(conn)?;
            continue;
        }
        diesel::update(posts::table.find(id))
            .set((
                posts::body.eq(""),
                posts::body_html.eq(""),
                posts::search_body.eq(""),
                posts::search_title.eq(""),
                posts::deleted_at.eq(Some(deleted_at.unwrap_or(at))),
            ))
            .execute(conn)?;
        if deleted_at.is_some() {
            continue;
        }
        done.posts_removed += 1;
        if audience_id.is_none() && hidden_at.is_none() {
            diesel::update(threads::table.find(thread_id))
                .set(threads::open_posts.eq(threads::open_posts - 1))
                .execute(conn)?;
        }
        touched_threads.push(thread_id);
        if number == 1 {
            let thread_deleted_at: Option<NaiveDateTime> =
                threads::table.find(thread_id).select(threads::deleted_at).first(conn)?;
            diesel::update(threads::table.find(thread_id))
                .set((threads::deleted_at.eq(Some(thread_deleted_at.unwrap_or(at))), threads::title.eq(REMOVED_TITLE)))
                .execute(conn)?;
            if thread_deleted_at.is_none() {
                done.threads_removed += 1;
                events::record(
                    conn,
                    viewer,
                    NewEvent::new(Kind::ThreadDeleted, format!("thread:{thread_id}"))
                        .thread(category_id, thread_id)
                        .author(me),
                )?;
            }
        } else {
            events::record(
                conn,
                viewer,
                NewEvent::new(Kind::PostDeleted, format!("post:{id}")).thread(category_id, thread_id).post(id, me),
            )?;
        }
    }
    touched_threads.sort_unstable();
    touched_threads.dedup();
    for thread_id in touched_threads {
        super::threads::refresh_bump(conn, thread_id)?;
    }
    Ok(())
}

/// The old username leaves the event log too: targets and member-change
/// records that named the account now give its new name.
fn forget_name_in_events(conn: &mut AnyConnection, me: i64, old: &str, new: &str) -> Result<(), ApiError> {
    type EventText = (i64, String, Option<String>, Option<String>);
    let rows: Vec<EventText> = events_t::table
        .filter(events_t::user_id.eq(me).or(events_t::actor_id.eq(me)))
        .select((events_t::id, events_t::target, events_t::before, events_t::after))
        .load(conn)?;
    let rename = |text: &Option<String>| -> Option<Option<String>> {
        let mut value: Value = serde_json::from_str(text.as_deref()?).ok()?;
        let field = value.get_mut("username")?;
        if field.as_str() != Some(old) {
            return None;
        }
        *field = Value::String(new.to_owned());
        Some(Some(value.to_string()))
    };
    for (id, target, before, after) in rows {
        let new_target = (target == format!("user:{old}")).then(|| format!("user:{new}"));
        let (new_before, new_after) = (rename(&before), rename(&after));
        if new_target.is_none() && new_before.is_none() && new_after.is_none() {
            continue;
        }
        diesel::update(events_t::table.find(id))
            .set((
                events_t::target.eq(new_target.unwrap_or(target)),
                events_t::before.eq(new_before.unwrap_or(before)),
                events_t::after.eq(new_after.unwrap_or(after)),
            ))
            .execute(conn)?;
    }
    Ok(())
}
