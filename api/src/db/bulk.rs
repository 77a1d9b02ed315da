//! Multi-row inserts for generated data sets (`quorum seed --bulk`).
//! Batch inserts do not compile over the multi-backend connection, so each
//! runs on the inner SQLite or PostgreSQL connection.

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::schema::{group_members, likes, posts, threads, users};
use super::{on_inner, AnyConnection};

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub bio: String,
    pub time_zone: String,
    pub password_hash: String,
    pub token_generation: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = group_members)]
pub struct MemberRow {
    pub group_id: i64,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = threads)]
#[diesel(treat_none_as_default_value = false)]
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
    pub deleted_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = posts)]
#[diesel(treat_none_as_default_value = false)]
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
    pub deleted_at: Option<NaiveDateTime>,
    /// `search::title_text` / `search::body_text` of the post.
    pub search_title: String,
    pub search_body: String,
}

#[derive(Insertable)]
#[diesel(table_name = likes)]
pub struct LikeRow {
    pub post_id: i64,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
}

pub fn insert_users(conn: &mut AnyConnection, rows: &[UserRow]) -> QueryResult<usize> {
    on_inner!(conn, |c| diesel::insert_into(users::table).values(rows).execute(c))
}

pub fn insert_members(conn: &mut AnyConnection, rows: &[MemberRow]) -> QueryResult<usize> {
    on_inner!(conn, |c| diesel::insert_into(group_members::table).values(rows).execute(c))
}

pub fn insert_threads(conn: &mut AnyConnection, rows: &[ThreadRow]) -> QueryResult<usize> {
    on_inner!(conn, |c| diesel::insert_into(threads::table).values(rows).execute(c))
}

pub fn insert_posts(conn: &mut AnyConnection, rows: &[PostRow]) -> QueryResult<usize> {
    on_inner!(conn, |c| diesel::insert_into(posts::table).values(rows).execute(c))
}

pub fn insert_likes(conn: &mut AnyConnection, rows: &[LikeRow]) -> QueryResult<usize> {
    on_inner!(conn, |c| diesel::insert_into(likes::table).values(rows).execute(c))
}

/// The largest id in each bulk table, so new rows can carry explicit ids.
pub fn max_ids(conn: &mut AnyConnection) -> QueryResult<(i64, i64, i64)> {
    use diesel::dsl::max;
    let user: Option<i64> = users::table.select(max(users::id)).first(conn)?;
    let thread: Option<i64> = threads::table.select(max(threads::id)).first(conn)?;
    let post: Option<i64> = posts::table.select(max(posts::id)).first(conn)?;
    Ok((user.unwrap_or(0), thread.unwrap_or(0), post.unwrap_or(0)))
}

/// After explicit ids, PostgreSQL's identity sequences must catch up
/// (SQLite's AUTOINCREMENT follows by itself).
pub fn sync_sequences(conn: &mut AnyConnection) -> QueryResult<()> {
    if let AnyConnection::Postgresql(c) = conn {
        c.batch_execute(
            "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT COALESCE(MAX(id), 1) FROM users));
             SELECT setval(pg_get_serial_sequence('threads', 'id'), (SELECT COALESCE(MAX(id), 1) FROM threads));
             SELECT setval(pg_get_serial_sequence('posts', 'id'), (SELECT COALESCE(MAX(id), 1) FROM posts));",
        )?;
    }
    Ok(())
}

/// Refreshes the planner's statistics after a large load.
pub fn analyze(conn: &mut AnyConnection) -> QueryResult<()> {
    conn.batch_execute("ANALYZE")
}
