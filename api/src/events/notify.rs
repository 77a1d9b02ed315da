//! Who is told of what: replies, mentions (of people and of groups),
//! quotes, likes, new posts in watched threads and new threads in watched
//! categories. Only people who can read the post at this moment are told,
//! each once per post (the most specific reason wins), never the author.

use std::collections::HashMap;

use diesel::prelude::*;
use quorum_types::NotificationKind;

use crate::db::policy::{ReadScope, Viewer};
use crate::db::queries::audiences::Builtins;
use crate::db::queries::events::{self, EventRow, Kind, NewEvent};
use crate::db::queries::{following, meetings, notifications, posts, users};
use crate::db::schema::{group_members, post_mentions, post_quotes, posts as posts_t};
use crate::db::AnyConnection;
use crate::error::ApiError;

/// Which reason wins when one person has several.
fn rank(kind: NotificationKind) -> u8 {
    match kind {
        NotificationKind::EventCancelled => 8,
        NotificationKind::EventChanged => 7,
        NotificationKind::Mention => 6,
        NotificationKind::Quote => 5,
        NotificationKind::Reply => 4,
        NotificationKind::GroupMention => 3,
        NotificationKind::Watching => 2,
        NotificationKind::NewThread => 1,
        NotificationKind::Like => 0,
    }
}

pub fn handle(conn: &mut AnyConnection, builtins: &Builtins, batch: &[EventRow]) -> Result<(), ApiError> {
    let mut readers: HashMap<i64, Option<Viewer>> = HashMap::new();
    for event in batch {
        let Some(kind) = Kind::parse(&event.kind) else { continue };
        let (Some(post_id), Some(thread_id), Some(actor)) = (event.post_id, event.thread_id, event.actor_id) else {
            continue;
        };
        let mut told: Vec<(i64, NotificationKind)> = Vec::new();
        match kind {
            Kind::ThreadCreated => {
                if let Some(category) = event.category_id {
                    for user in following::category_watchers(conn, category)? {
                        told.push((user, NotificationKind::NewThread));
                    }
                }
                mentions(conn, post_id, &mut told)?;
            }
            Kind::PostCreated => {
                let reply_to: Option<i64> = posts_t::table.find(post_id).select(posts_t::reply_to_id).first(conn)?;
                if let Some(parent) = reply_to {
                    let author: i64 = posts_t::table.find(parent).select(posts_t::author_id).first(conn)?;
                    told.push((author, NotificationKind::Reply));
                }
                for user in following::thread_watchers(conn, thread_id)? {
                    told.push((user, NotificationKind::Watching));
                }
                mentions(conn, post_id, &mut told)?;
                quotes(conn, post_id, &mut told)?;
            }
            // New mentions and quotes in an edit; those already told are skipped below.
            Kind::PostEdited => {
                mentions(conn, post_id, &mut told)?;
                quotes(conn, post_id, &mut told)?;
            }
            Kind::EventChanged | Kind::EventCancelled => {
                let why = if kind == Kind::EventCancelled {
                    NotificationKind::EventCancelled
                } else {
                    NotificationKind::EventChanged
                };
                for user in meetings::attendees_to_tell(conn, thread_id)? {
                    told.push((user, why));
                }
            }
            Kind::PostLiked => {
                let author: i64 = posts_t::table.find(post_id).select(posts_t::author_id).first(conn)?;
                told.push((author, NotificationKind::Like));
            }
            _ => continue,
        }
        // The most specific reason per person; never the one who acted.
        let mut best: HashMap<i64, NotificationKind> = HashMap::new();
        for (user, why) in told {
            if user == actor {
                continue;
            }
            let entry = best.entry(user).or_insert(why);
            if rank(why) > rank(*entry) {
                *entry = why;
            }
        }
        let mut recipients: Vec<(i64, NotificationKind)> = best.into_iter().collect();
        recipients.sort_unstable_by_key(|(user, _)| *user);
        // What each check needs, read for all the recipients at once: a
        // long thread's watchers are hundreds.
        let users_told: Vec<i64> = recipients.iter().map(|(user, _)| *user).collect();
        let category = event.category_id.unwrap_or_default();
        let muted = following::muted_among(conn, &users_told, thread_id, category)?;
        let unknown: Vec<i64> = users_told.iter().filter(|u| !readers.contains_key(u)).copied().collect();
        let mut found = users::viewers(conn, builtins, &unknown)?;
        for user in unknown {
            readers.insert(user, found.remove(&user));
        }
        // Whether the post is readable depends on the reader's audiences
        // only: asked once per distinct set.
        let mut readable_to: HashMap<ReadScope, bool> = HashMap::new();
        let mut notified: Vec<(i64, NotificationKind)> = Vec::with_capacity(recipients.len());
        for (user, why) in recipients {
            if kind == Kind::PostEdited
                && notifications::already(
                    conn,
                    user,
                    post_id,
                    &[why, NotificationKind::Mention, NotificationKind::Quote],
                )?
            {
                continue;
            }
            if muted.contains(&user) {
                continue;
            }
            let Some(reader) = readers.get(&user).and_then(Option::as_ref) else { continue };
            let readable = match readable_to.get(&reader.scope) {
                Some(readable) => *readable,
                None => {
                    let readable = match posts::readable_row(conn, reader, post_id) {
                        Ok(row) => row.hidden_at.is_none(),
                        Err(e) if e.code == quorum_types::ErrorCode::NotFound => false,
                        Err(e) => return Err(e),
                    };
                    readable_to.insert(reader.scope.clone(), readable);
                    readable
                }
            };
            if !readable {
                continue;
            }
            notified.push((user, why));
        }
        // Stored many rows per statement, with an event each (for live
        // updates of the unread count), in the order of the recipients.
        notifications::create_many(conn, &notified, post_id, thread_id, actor)?;
        let told = notified.iter().map(|(user, _)| {
            let told = NewEvent::new(Kind::NotificationCreated, format!("user:{user}")).user(*user);
            NewEvent { post_id: Some(post_id), thread_id: Some(thread_id), category_id: event.category_id, ..told }
        });
        events::record_many_by_system(conn, told.collect())?;
    }
    Ok(())
}

/// People mentioned in a post, directly or through a group.
fn mentions(conn: &mut AnyConnection, post_id: i64, told: &mut Vec<(i64, NotificationKind)>) -> Result<(), ApiError> {
    let rows: Vec<(Option<i64>, Option<i64>)> = post_mentions::table
        .filter(post_mentions::post_id.eq(post_id))
        .select((post_mentions::user_id, post_mentions::group_id))
        .load(conn)?;
    for (user, group) in rows {
        if let Some(user) = user {
            told.push((user, NotificationKind::Mention));
        }
        if let Some(group) = group {
            let members: Vec<i64> = group_members::table
                .filter(group_members::group_id.eq(group))
                .select(group_members::user_id)
                .load(conn)?;
            told.extend(members.into_iter().map(|m| (m, NotificationKind::GroupMention)));
        }
    }
    Ok(())
}

/// Authors of the posts a post quotes.
fn quotes(conn: &mut AnyConnection, post_id: i64, told: &mut Vec<(i64, NotificationKind)>) -> Result<(), ApiError> {
    let authors: Vec<i64> = post_quotes::table
        .inner_join(posts_t::table.on(posts_t::id.eq(post_quotes::quoted_id)))
        .filter(post_quotes::post_id.eq(post_id))
        .select(posts_t::author_id)
        .load(conn)?;
    told.extend(authors.into_iter().map(|a| (a, NotificationKind::Quote)));
    Ok(())
}
