//! Posts: read through the policy, written with revisions and soft delete.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::dsl::min;
use diesel::prelude::*;
use quorum_types::{ErrorCode, Participant, Post, Revision};

use super::audiences::{self, Builtins};
use super::events::{self, Kind, NewEvent};
use super::mentions::{self, Levels};
use super::threads::{self, ThreadRow};
use super::{now, search, users, PageRequest};
use crate::db::id_list::id_in;
use crate::db::policy::actions::{can, require, Action, PostFacts, Target};
use crate::db::policy::{narrowed_count_readable, post_readable, Viewer};
use crate::db::schema::{categories, likes, post_revisions, posts, thread_post_counts, threads as threads_t};
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::markdown;

pub const MAX_BODY_CHARS: usize = markdown::MAX_CHARS;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = posts)]
pub struct PostRow {
    pub id: i64,
    pub thread_id: i64,
    pub number: i32,
    pub author_id: i64,
    pub reply_to_id: Option<i64>,
    pub audience_id: Option<i64>,
    pub body: String,
    pub body_html: String,
    pub like_count: i64,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub hidden_at: Option<NaiveDateTime>,
    pub hidden_reason: Option<String>,
}

impl PostRow {
    /// What `policy::actions` needs to know of this post.
    pub fn facts(&self, thread_locked: bool) -> PostFacts {
        PostFacts {
            author_id: self.author_id,
            thread_locked,
            opens_thread: self.number == 1,
            hidden: self.hidden_at.is_some(),
        }
    }
}

/// Ids among `ids` that the viewer may read.
pub fn readable_ids(conn: &mut AnyConnection, viewer: &Viewer, ids: &[i64]) -> QueryResult<HashSet<i64>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let found: Vec<i64> = posts::table
        .inner_join(threads_t::table.inner_join(categories::table))
        .filter(id_in(posts::id, ids))
        .filter(post_readable(&viewer.scope))
        .select(posts::id)
        .load(conn)?;
    Ok(found.into_iter().collect())
}

/// Per thread: the live, shown posts with an audience of their own that
/// the viewer can read, and when the newest was written. Posts without one
/// are counted on the thread (`open_posts`); these come from the counters
/// the triggers on `posts` keep per thread and audience
/// (`thread_post_counts`), so a list costs the same however long its
/// threads are. The threads must be ones the viewer reads.
pub fn narrowed_readable_stats(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread_ids: &[i64],
) -> QueryResult<HashMap<i64, (i64, Option<NaiveDateTime>)>> {
    let rows: Vec<(i64, i64, Option<NaiveDateTime>)> = thread_post_counts::table
        .filter(id_in(thread_post_counts::thread_id, thread_ids))
        .filter(narrowed_count_readable(&viewer.scope))
        .select((thread_post_counts::thread_id, thread_post_counts::posts, thread_post_counts::last_created_at))
        .load(conn)?;
    let mut stats: HashMap<i64, (i64, Option<NaiveDateTime>)> = HashMap::new();
    for (id, n, last) in rows {
        let entry = stats.entry(id).or_default();
        entry.0 += n;
        entry.1 = entry.1.max(last);
    }
    Ok(stats)
}

/// Distinct audiences that live posts of these threads narrow to.
pub fn narrowed_audiences(conn: &mut AnyConnection, thread_ids: &[i64]) -> QueryResult<Vec<i64>> {
    let ids: Vec<Option<i64>> = posts::table
        .filter(posts::thread_id.eq_any(thread_ids))
        .filter(posts::deleted_at.is_null())
        .filter(posts::audience_id.is_not_null())
        .select(posts::audience_id)
        .distinct()
        .load(conn)?;
    Ok(ids.into_iter().flatten().collect())
}

/// Of `thread_ids`, those with live replies by someone other than
/// `author_id` that the viewer can read. One query per thread that stops
/// at the first such reply, so a long thread costs no more than a short one.
pub fn threads_with_readable_replies_by_others(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread_ids: &[i64],
    author_id: i64,
) -> QueryResult<HashSet<i64>> {
    let mut answered = HashSet::new();
    for &thread_id in thread_ids {
        let reply: Option<i64> = posts::table
            .inner_join(threads_t::table.inner_join(categories::table))
            .filter(posts::thread_id.eq(thread_id))
            .filter(posts::author_id.ne(author_id))
            .filter(post_readable(&viewer.scope))
            .select(posts::id)
            .first(conn)
            .optional()?;
        if reply.is_some() {
            answered.insert(thread_id);
        }
    }
    Ok(answered)
}

/// How many posts of a thread before `before_id` the viewer can read.
fn readable_before(conn: &mut AnyConnection, viewer: &Viewer, thread_id: i64, before_id: i64) -> QueryResult<i64> {
    posts::table
        .inner_join(threads_t::table.inner_join(categories::table))
        .filter(posts::thread_id.eq(thread_id))
        .filter(posts::id.lt(before_id))
        .filter(post_readable(&viewer.scope))
        .count()
        .get_result(conn)
}

/// A post the viewer may read, or 404.
pub fn readable_row(conn: &mut AnyConnection, viewer: &Viewer, id: i64) -> Result<PostRow, ApiError> {
    Ok(posts::table
        .inner_join(threads_t::table.inner_join(categories::table))
        .filter(posts::id.eq(id))
        .filter(post_readable(&viewer.scope))
        .select(PostRow::as_select())
        .first(conn)?)
}

pub fn get(conn: &mut AnyConnection, viewer: &Viewer, id: i64) -> Result<Post, ApiError> {
    let row = readable_row(conn, viewer, id)?;
    Ok(to_wire(conn, viewer, vec![row])?.remove(0))
}

/// Where a page of a thread's posts starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// The first post, or after the page's cursor.
    Start,
    /// Up to half a page of readable posts before this post id, then on.
    Around(i64),
    /// The page of readable posts just before this post id.
    Before(i64),
}

/// Most participants [`participants`] lists.
pub const MAX_PARTICIPANTS: usize = 200;

/// The authors of the thread's posts the viewer can read, with their zones,
/// in the order they first wrote (at most [`MAX_PARTICIPANTS`]).
pub fn participants(conn: &mut AnyConnection, viewer: &Viewer, thread_id: i64) -> Result<Vec<Participant>, ApiError> {
    threads::readable_row(conn, viewer, thread_id)?;
    // One row per author, in the order they first wrote: the database
    // groups, so a long thread costs no more than its participants.
    let first: Vec<(i64, Option<i64>)> = posts::table
        .inner_join(threads_t::table.inner_join(categories::table))
        .filter(posts::thread_id.eq(thread_id))
        .filter(post_readable(&viewer.scope))
        .group_by(posts::author_id)
        .select((posts::author_id, min(posts::id)))
        .order(min(posts::id).asc())
        .limit(MAX_PARTICIPANTS as i64)
        .load(conn)?;
    let authors: Vec<i64> = first.into_iter().map(|(author, _)| author).collect();
    let zones = users::zones(conn, &authors)?;
    Ok(authors
        .into_iter()
        .filter_map(|id| zones.get(&id).cloned())
        .map(|(user, time_zone)| Participant { user, time_zone })
        .collect())
}

/// A page of a thread's posts, by number.
pub fn list(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread_id: i64,
    page: &PageRequest,
    window: Window,
) -> Result<(Vec<Post>, Option<String>), ApiError> {
    threads::readable_row(conn, viewer, thread_id)?;
    // Keyset on the post id (posts of a thread are numbered in id order):
    // the cursor reveals nothing about posts the viewer cannot read.
    let readable_ids_before = |conn: &mut AnyConnection, before: i64, n: i64| -> QueryResult<Vec<i64>> {
        posts::table
            .inner_join(threads_t::table.inner_join(categories::table))
            .filter(posts::thread_id.eq(thread_id))
            .filter(posts::id.lt(before))
            .filter(post_readable(&viewer.scope))
            .order(posts::id.desc())
            .limit(n)
            .select(posts::id)
            .load(conn)
    };
    let (after, up_to) = match window {
        Window::Start => (page.after.as_ref().map_or(0, |a| a[0]), None),
        Window::Around(target) => {
            let earlier = readable_ids_before(conn, target, page.limit / 2)?;
            (earlier.last().map_or(target.saturating_sub(1), |first| first - 1), None)
        }
        Window::Before(target) => {
            let earlier = readable_ids_before(conn, target, page.limit)?;
            match earlier.last() {
                Some(first) => (first - 1, Some(target)),
                None => return Ok((Vec::new(), None)),
            }
        }
    };
    let rows: Vec<PostRow> = posts::table
        .inner_join(threads_t::table.inner_join(categories::table))
        .filter(posts::thread_id.eq(thread_id))
        .filter(posts::id.gt(after))
        .filter(posts::id.lt(up_to.unwrap_or(i64::MAX)))
        .filter(post_readable(&viewer.scope))
        .order(posts::id.asc())
        .limit(page.limit + 1)
        .select(PostRow::as_select())
        .load(conn)?;
    let (rows, next) = page.finish(rows, |p| vec![p.id]);
    let next = if up_to.is_some() { None } else { next };
    Ok((to_wire(conn, viewer, rows)?, next))
}

/// Shapes rows for the wire with a fixed number of queries: authors,
/// audiences, the viewer's likes, and which replied-to posts they can read.
pub fn to_wire(conn: &mut AnyConnection, viewer: &Viewer, rows: Vec<PostRow>) -> Result<Vec<Post>, ApiError> {
    let author_ids: Vec<i64> = rows.iter().map(|p| p.author_id).collect();
    let authors = users::summaries(conn, &author_ids)?;
    let audience_ids: Vec<i64> = rows.iter().filter_map(|p| p.audience_id).collect();
    let slugs = audiences::slugs(conn, &audience_ids)?;
    let post_ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let liked: HashSet<i64> = match viewer.user_id() {
        Some(me) => likes::table
            .filter(likes::user_id.eq(me))
            .filter(id_in(likes::post_id, &post_ids))
            .select(likes::post_id)
            .load::<i64>(conn)?
            .into_iter()
            .collect(),
        None => HashSet::new(),
    };
    let reply_ids: Vec<i64> = rows.iter().filter_map(|p| p.reply_to_id).collect();
    let readable_replies = readable_ids(conn, viewer, &reply_ids)?;
    let thread_ids: Vec<i64> = rows.iter().map(|p| p.thread_id).collect();
    let locked: HashSet<i64> = threads_t::table
        .filter(id_in(threads_t::id, &thread_ids))
        .filter(threads_t::locked.eq(true))
        .select(threads_t::id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    // Numbers count only what this viewer can read, so a gap never hints at
    // a hidden or deleted post. Rows of one thread arrive consecutive and in
    // order, so one count per thread is enough.
    let mut numbers: HashMap<i64, i64> = HashMap::new();
    let mut positions = Vec::with_capacity(rows.len());
    for p in &rows {
        let next = match numbers.get(&p.thread_id) {
            Some(previous) => previous + 1,
            None => readable_before(conn, viewer, p.thread_id, p.id)? + 1,
        };
        numbers.insert(p.thread_id, next);
        positions.push(i32::try_from(next).unwrap_or(i32::MAX));
    }
    Ok(rows
        .into_iter()
        .zip(positions)
        .map(|(p, number)| {
            let facts = Target::Post(p.facts(locked.contains(&p.thread_id)));
            let may = |action| can(viewer, action, facts);
            // A hidden post's text is for its author and the moderators.
            let shown = p.hidden_at.is_none() || viewer.user_id() == Some(p.author_id) || viewer.is_moderator();
            let dates = if shown { markdown::dates::from_html(&p.body_html) } else { Vec::new() };
            Post {
                id: p.id,
                thread_id: p.thread_id,
                number,
                author: users::summary_of(&authors, p.author_id),
                body: if shown { p.body } else { String::new() },
                body_html: if shown { p.body_html } else { String::new() },
                reply_to: p.reply_to_id.filter(|r| readable_replies.contains(r)),
                audience: p.audience_id.map(|a| slugs.get(&a).cloned().unwrap_or_default()),
                like_count: p.like_count,
                liked_by_me: liked.contains(&p.id),
                created_at: p.created_at.and_utc(),
                edited_at: p.edited_at.map(|t| t.and_utc()),
                hidden: p.hidden_at.is_some(),
                hidden_reason: p.hidden_at.and(p.hidden_reason),
                can_edit: may(Action::EditPost),
                can_delete: may(Action::DeletePost),
                can_like: may(Action::LikePost),
                can_flag: may(Action::FlagPost),
                can_hide: may(Action::HidePost),
                can_view_history: may(Action::ViewHistory),
                dates,
            }
        })
        .collect())
}

pub fn check_body(body: &str) -> Result<(), ApiError> {
    let chars = body.chars().count();
    if body.trim().is_empty() {
        Err(ApiError::field("body", "must not be empty"))
    } else if body.contains('\0') {
        Err(ApiError::field("body", "must not contain NUL characters"))
    } else if chars > MAX_BODY_CHARS {
        Err(ApiError::field("body", format!("must be at most {MAX_BODY_CHARS} characters, not {chars}")))
    } else {
        Ok(())
    }
}

/// Appends a post to a thread: next number, its HTML (rendered by the
/// caller, outside the write lock), bump. Revisions are only stored once a
/// post is edited.
pub fn insert(
    conn: &mut AnyConnection,
    thread: &ThreadRow,
    author_id: i64,
    body: &str,
    body_html: &str,
    reply_to_id: Option<i64>,
    audience_id: Option<i64>,
) -> Result<PostRow, ApiError> {
    let created = now();
    // Taking the number locks the thread row on PostgreSQL, so concurrent
    // replies get consecutive numbers.
    let number: i32 = diesel::update(threads_t::table.find(thread.id))
        .set(threads_t::post_counter.eq(threads_t::post_counter + 1))
        .returning(threads_t::post_counter)
        .get_result(conn)?;
    if audience_id.is_none() {
        // Restricted replies do not move the thread, so the thread order
        // never hints at them.
        diesel::update(threads_t::table.find(thread.id))
            .set((threads_t::bumped_at.eq(created), threads_t::open_posts.eq(threads_t::open_posts + 1)))
            .execute(conn)?;
    }
    let id: i64 = diesel::insert_into(posts::table)
        .values((
            posts::thread_id.eq(thread.id),
            posts::number.eq(number),
            posts::author_id.eq(author_id),
            posts::reply_to_id.eq(reply_to_id),
            posts::audience_id.eq(audience_id),
            posts::body.eq(body),
            posts::body_html.eq(body_html),
            posts::like_count.eq(0i64),
            posts::created_at.eq(created),
            posts::search_title.eq(search::title_text(number, &thread.title)),
            posts::search_body.eq(search::body_text(body_html)),
        ))
        .returning(posts::id)
        .get_result(conn)?;
    super::uploads::link(conn, id, author_id, body)?;
    Ok(posts::table.find(id).select(PostRow::as_select()).first(conn)?)
}

/// A post's new text, rendered, with whom it mentions and what it quotes.
pub struct NewText<'a> {
    pub body: &'a str,
    /// `body` rendered by `markdown::render_post`.
    pub body_html: &'a str,
    pub mentions: &'a [(Option<i64>, Option<i64>)],
    pub quotes: &'a [i64],
}

pub struct NewReply<'a> {
    pub body: &'a str,
    /// `body` rendered by `markdown::render_post`.
    pub body_html: &'a str,
    pub reply_to: Option<i64>,
    pub audience: Option<&'a [String]>,
    /// Whom it mentions (user or group ids) and which posts it quotes.
    pub mentions: &'a [(Option<i64>, Option<i64>)],
    pub quotes: &'a [i64],
}

pub fn create(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    builtins: &Builtins,
    thread_id: i64,
    reply: NewReply<'_>,
) -> Result<Post, ApiError> {
    let account = viewer.require_account()?;
    let (thread, category) = threads::readable_row_with_category(conn, viewer, thread_id)?;
    require(viewer, Action::Reply, Target::Thread(thread.facts(false)))?;
    check_body(reply.body)?;
    if let Some(target) = reply.reply_to {
        let in_thread = match readable_row(conn, viewer, target) {
            Ok(post) => post.thread_id == thread.id,
            Err(e) if e.code == ErrorCode::NotFound => false,
            Err(e) => return Err(e),
        };
        if !in_thread {
            return Err(ApiError::field("reply_to", "no such post in this thread"));
        }
    }
    let mut viewer = viewer.clone();
    let audience_id = match reply.audience {
        None => None,
        Some(names) => {
            let parent = thread.audience_id.unwrap_or(category.audience_id);
            Some(audiences::narrowing(conn, &mut viewer, builtins, parent, names)?)
        }
    };
    let viewer = &viewer;
    if !reply.quotes.is_empty() {
        let levels = Levels {
            category: category.audience_id,
            thread: thread.audience_id.map(|a| audiences::load(conn, a)).transpose()?.map(|a| a.group_ids),
            post: audience_id.map(|a| audiences::load(conn, a)).transpose()?.map(|a| a.group_ids),
        };
        mentions::check_quotes(conn, viewer, builtins, reply.quotes, &levels)?;
    }
    let row = insert(conn, &thread, account.id, reply.body, reply.body_html, reply.reply_to, audience_id)?;
    mentions::store(conn, row.id, reply.mentions, reply.quotes)?;
    super::following::advance_read(conn, account.id, thread.id, row.id)?;
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::PostCreated, format!("post:{}", row.id))
            .thread(category.id, thread.id)
            .post(row.id, account.id),
    )?;
    Ok(to_wire(conn, viewer, vec![row])?.remove(0))
}

/// A readable post with what `policy::actions` needs to decide on it.
pub fn readable_with_facts(conn: &mut AnyConnection, viewer: &Viewer, id: i64) -> Result<(PostRow, Target), ApiError> {
    let row = readable_row(conn, viewer, id)?;
    let locked: bool = threads_t::table.find(row.thread_id).select(threads_t::locked).first(conn)?;
    let facts = Target::Post(row.facts(locked));
    Ok((row, facts))
}

/// The category a thread is in, for events.
fn category_of(conn: &mut AnyConnection, thread_id: i64) -> Result<i64, ApiError> {
    Ok(threads_t::table.find(thread_id).select(threads_t::category_id).first(conn)?)
}

/// Edits keep every earlier text as a revision; `body_html` is `body`
/// rendered by `markdown::render`.
pub fn update(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    builtins: &Builtins,
    id: i64,
    edit: NewText<'_>,
) -> Result<Post, ApiError> {
    let NewText { body, body_html, mentions: mentioned, quotes } = edit;
    let account = viewer.require_account()?;
    let (row, facts) = readable_with_facts(conn, viewer, id)?;
    require(viewer, Action::EditPost, facts)?;
    check_body(body)?;
    if body != row.body {
        if !quotes.is_empty() {
            let levels = mentions::levels(conn, viewer, &mentions::Place::Edit { post_id: id })?
                .ok_or_else(ApiError::not_found)?;
            mentions::check_quotes(conn, viewer, builtins, quotes, &levels)?;
        }
        mentions::store(conn, id, mentioned, quotes)?;
        super::uploads::link(conn, id, row.author_id, body)?;
        let at = now();
        // Updating first locks the post row on PostgreSQL, so concurrent
        // edits number their revisions one after the other.
        diesel::update(posts::table.find(id))
            .set((
                posts::body.eq(body),
                posts::body_html.eq(body_html),
                posts::edited_at.eq(Some(at)),
                posts::search_body.eq(search::body_text(body_html)),
            ))
            .execute(conn)?;
        let last: i32 = post_revisions::table
            .filter(post_revisions::post_id.eq(id))
            .select(diesel::dsl::max(post_revisions::number))
            .first::<Option<i32>>(conn)?
            .unwrap_or(0);
        let mut rows = Vec::with_capacity(2);
        if last == 0 {
            // First edit: keep the original text as revision 1.
            rows.push((
                post_revisions::post_id.eq(id),
                post_revisions::number.eq(1),
                post_revisions::body.eq(row.body.clone()),
                post_revisions::body_html.eq(row.body_html.clone()),
                post_revisions::editor_id.eq(row.author_id),
                post_revisions::created_at.eq(row.created_at),
            ));
        }
        rows.push((
            post_revisions::post_id.eq(id),
            post_revisions::number.eq(last.max(1) + 1),
            post_revisions::body.eq(body.to_owned()),
            post_revisions::body_html.eq(body_html.to_owned()),
            post_revisions::editor_id.eq(account.id),
            post_revisions::created_at.eq(at),
        ));
        for row in rows {
            diesel::insert_into(post_revisions::table).values(row).execute(conn)?;
        }
        let category_id = category_of(conn, row.thread_id)?;
        events::record(
            conn,
            viewer,
            NewEvent::new(Kind::PostEdited, format!("post:{id}"))
                .thread(category_id, row.thread_id)
                .post(id, row.author_id),
        )?;
    }
    get(conn, viewer, id)
}

pub fn delete(conn: &mut AnyConnection, viewer: &Viewer, id: i64) -> Result<(), ApiError> {
    viewer.require_account()?;
    let (row, facts) = readable_with_facts(conn, viewer, id)?;
    require(viewer, Action::DeletePost, facts)?;
    diesel::update(posts::table.find(id)).set(posts::deleted_at.eq(Some(now()))).execute(conn)?;
    if counted(&row) {
        diesel::update(threads_t::table.find(row.thread_id))
            .set(threads_t::open_posts.eq(threads_t::open_posts - 1))
            .execute(conn)?;
    }
    threads::refresh_bump(conn, row.thread_id)?;
    let category_id = category_of(conn, row.thread_id)?;
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::PostDeleted, format!("post:{id}"))
            .thread(category_id, row.thread_id)
            .post(id, row.author_id),
    )?;
    Ok(())
}

/// Whether the post counts in its thread's `open_posts`: live, shown, and
/// without an audience of its own.
fn counted(row: &PostRow) -> bool {
    row.audience_id.is_none() && row.hidden_at.is_none()
}

/// Hides a post (a notice in its place for all but its author and the
/// moderators; not counted), or shows it again.
pub fn set_hidden(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    id: i64,
    hidden: bool,
    reason: &str,
) -> Result<Post, ApiError> {
    let (row, facts) = readable_with_facts(conn, viewer, id)?;
    require(viewer, Action::HidePost, facts)?;
    if row.hidden_at.is_some() != hidden {
        let at = hidden.then(now);
        let reason = hidden.then(|| reason.trim().to_owned());
        diesel::update(posts::table.find(id))
            .set((posts::hidden_at.eq(at), posts::hidden_reason.eq(&reason)))
            .execute(conn)?;
        if row.audience_id.is_none() {
            let delta = if hidden { -1 } else { 1 };
            diesel::update(threads_t::table.find(row.thread_id))
                .set(threads_t::open_posts.eq(threads_t::open_posts + delta))
                .execute(conn)?;
            threads::refresh_bump(conn, row.thread_id)?;
        }
        let category_id = category_of(conn, row.thread_id)?;
        let kind = if hidden { Kind::PostHidden } else { Kind::PostUnhidden };
        events::record(
            conn,
            viewer,
            NewEvent::new(kind, format!("post:{id}"))
                .thread(category_id, row.thread_id)
                .post(id, row.author_id)
                .change(None, reason.map(|r| serde_json::json!({ "reason": r }))),
        )?;
    }
    get(conn, viewer, id)
}

/// Brings back a deleted post. Its readers are decided as for any post;
/// a moderator who could not read it cannot find it either.
pub fn restore(conn: &mut AnyConnection, viewer: &Viewer, id: i64) -> Result<Post, ApiError> {
    let row: PostRow = posts::table
        .inner_join(threads_t::table.inner_join(categories::table))
        .filter(posts::id.eq(id))
        .filter(posts::deleted_at.is_not_null())
        .filter(crate::db::policy::post_readable_if_alive(&viewer.scope))
        .select(PostRow::as_select())
        .first(conn)?;
    let locked: bool = threads_t::table.find(row.thread_id).select(threads_t::locked).first(conn)?;
    require(viewer, Action::RestorePost, Target::Post(row.facts(locked)))?;
    diesel::update(posts::table.find(id)).set(posts::deleted_at.eq(None::<NaiveDateTime>)).execute(conn)?;
    if counted(&row) {
        diesel::update(threads_t::table.find(row.thread_id))
            .set(threads_t::open_posts.eq(threads_t::open_posts + 1))
            .execute(conn)?;
    }
    threads::refresh_bump(conn, row.thread_id)?;
    let category_id = category_of(conn, row.thread_id)?;
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::PostRestored, format!("post:{id}"))
            .thread(category_id, row.thread_id)
            .post(id, row.author_id),
    )?;
    get(conn, viewer, id)
}

/// Every version of a post, the original first; a post never edited has
/// one, its current text. Only the author and moderators see the history,
/// so text edited out (a figure posted in the wrong place) stays out.
pub fn revisions(conn: &mut AnyConnection, viewer: &Viewer, id: i64) -> Result<Vec<Revision>, ApiError> {
    let (post, facts) = readable_with_facts(conn, viewer, id)?;
    require(viewer, Action::ViewHistory, facts)?;
    let mut rows: Vec<(i32, String, String, i64, NaiveDateTime)> = post_revisions::table
        .filter(post_revisions::post_id.eq(id))
        .order(post_revisions::number.asc())
        .select((
            post_revisions::number,
            post_revisions::body,
            post_revisions::body_html,
            post_revisions::editor_id,
            post_revisions::created_at,
        ))
        .load(conn)?;
    if rows.is_empty() {
        rows.push((1, post.body, post.body_html, post.author_id, post.created_at));
    }
    let editor_ids: Vec<i64> = rows.iter().map(|r| r.3).collect();
    let editors: HashMap<i64, _> = users::summaries(conn, &editor_ids)?;
    Ok(rows
        .into_iter()
        .map(|(number, body, body_html, editor, created_at)| Revision {
            number,
            body,
            body_html,
            editor: users::summary_of(&editors, editor),
            created_at: created_at.and_utc(),
        })
        .collect())
}
