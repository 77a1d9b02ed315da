//! Likes: idempotent like/unlike with a counter kept on the post.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use quorum_types::{Like, LikeState};

use super::events::{self, Kind, NewEvent};
use super::posts::{readable_row, readable_with_facts, PostRow};
use super::{now, time_from_key, time_key, users, PageRequest};
use crate::db::policy::actions::{require, Action};
use crate::db::policy::Viewer;
use crate::db::schema::{likes, posts, threads};
use crate::db::{on_inner, AnyConnection};
use crate::error::ApiError;

fn state(conn: &mut AnyConnection, post_id: i64, liked_by_me: bool) -> Result<LikeState, ApiError> {
    let like_count = posts::table.find(post_id).select(posts::like_count).first(conn)?;
    Ok(LikeState { post_id, like_count, liked_by_me })
}

pub fn like(conn: &mut AnyConnection, viewer: &Viewer, post_id: i64) -> Result<LikeState, ApiError> {
    let account = viewer.require_account()?;
    let (post, facts) = readable_with_facts(conn, viewer, post_id)?;
    require(viewer, Action::LikePost, facts)?;
    let row = (likes::post_id.eq(post_id), likes::user_id.eq(account.id), likes::created_at.eq(now()));
    // ON CONFLICT: a concurrent identical PUT must not fail or double-count.
    let added = on_inner!(conn, |c| diesel::insert_into(likes::table).values(row).on_conflict_do_nothing().execute(c))?;
    if added > 0 {
        diesel::update(posts::table.find(post_id)).set(posts::like_count.eq(posts::like_count + 1)).execute(conn)?;
        record(conn, viewer, Kind::PostLiked, &post)?;
    }
    state(conn, post_id, true)
}

pub fn unlike(conn: &mut AnyConnection, viewer: &Viewer, post_id: i64) -> Result<LikeState, ApiError> {
    let account = viewer.require_account()?;
    let post = readable_row(conn, viewer, post_id)?;
    let removed = diesel::delete(likes::table.filter(likes::post_id.eq(post_id)).filter(likes::user_id.eq(account.id)))
        .execute(conn)?;
    if removed > 0 {
        diesel::update(posts::table.find(post_id)).set(posts::like_count.eq(posts::like_count - 1)).execute(conn)?;
        record(conn, viewer, Kind::PostUnliked, &post)?;
    }
    state(conn, post_id, false)
}

fn record(conn: &mut AnyConnection, viewer: &Viewer, kind: Kind, post: &PostRow) -> Result<(), ApiError> {
    let category_id: i64 = threads::table.find(post.thread_id).select(threads::category_id).first(conn)?;
    let event = NewEvent::new(kind, format!("post:{}", post.id))
        .thread(category_id, post.thread_id)
        .post(post.id, post.author_id);
    // A like is the liker's own act, not moderation of the author's post.
    let event = NewEvent { content_author: None, ..event };
    events::record(conn, viewer, event).map(|_| ())
}

/// Who liked a post, oldest first; keyset on (created_at, user_id).
pub fn list(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    post_id: i64,
    page: &PageRequest,
) -> Result<(Vec<Like>, Option<String>), ApiError> {
    readable_row(conn, viewer, post_id)?;
    let mut query = likes::table
        .filter(likes::post_id.eq(post_id))
        .select((likes::user_id, likes::created_at))
        .order((likes::created_at.asc(), likes::user_id.asc()))
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(after) = &page.after {
        let (at, user) = (time_from_key(after[0])?, after[1]);
        query = query.filter(likes::created_at.gt(at).or(likes::created_at.eq(at).and(likes::user_id.gt(user))));
    }
    let rows: Vec<(i64, NaiveDateTime)> = query.load(conn)?;
    let (rows, next) = page.finish(rows, |(user, at)| vec![time_key(*at), *user]);
    let ids: Vec<i64> = rows.iter().map(|(u, _)| *u).collect();
    let people = users::summaries(conn, &ids)?;
    Ok((
        rows.into_iter()
            .map(|(user, at)| Like { user: users::summary_of(&people, user), created_at: at.and_utc() })
            .collect(),
        next,
    ))
}
