//! Uploads: who may read one is decided here, in SQL, with the post read
//! predicate. An upload in a post has that post's readers, as they are at
//! the moment of the request (audience narrowed, post hidden or deleted,
//! a group lost: 404); one in no post yet is its uploader's alone.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use quorum_types::Upload;

use super::events::{self, Kind, NewEvent};
use super::now;
use crate::db::policy::actions::{require, Action, Target};
use crate::db::policy::{post_readable, Viewer};
use crate::db::schema::{categories, posts, threads, uploads};
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::uploads::{self as files, Kind as FileKind};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = uploads)]
pub struct UploadRow {
    pub id: String,
    pub uploader_id: i64,
    pub post_id: Option<i64>,
    pub size: i64,
    pub content_type: String,
    pub filename: String,
    pub storage_key: String,
    pub created_at: NaiveDateTime,
}

impl UploadRow {
    pub fn to_wire(&self) -> Upload {
        let url = files::url(&self.id, &self.filename);
        let image = FileKind::from_content_type(&self.content_type).is_some_and(FileKind::is_image);
        let label = markdown_label(&self.filename);
        let markdown = if image { format!("![{label}]({url})") } else { format!("[{label}]({url})") };
        Upload {
            id: self.id.clone(),
            url,
            filename: self.filename.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
            in_post: self.post_id.is_some(),
            created_at: self.created_at.and_utc(),
            markdown,
        }
    }
}

/// A file name as link text: Markdown's brackets and escapes taken out.
fn markdown_label(filename: &str) -> String {
    filename.chars().map(|c| if matches!(c, '[' | ']' | '\\' | '*' | '_' | '!') { ' ' } else { c }).collect()
}

/// What an upload will be, its bytes already stored under `storage_key`.
pub struct NewUpload<'a> {
    pub id: &'a str,
    pub size: i64,
    pub kind: FileKind,
    pub filename: &'a str,
    pub storage_key: &'a str,
}

/// Records an upload by the viewer, with its event.
pub fn create(conn: &mut AnyConnection, viewer: &Viewer, new: NewUpload<'_>) -> Result<Upload, ApiError> {
    let account = viewer.require_account()?;
    require(viewer, Action::Upload, Target::Site)?;
    diesel::insert_into(uploads::table)
        .values((
            uploads::id.eq(new.id),
            uploads::uploader_id.eq(account.id),
            uploads::size.eq(new.size),
            uploads::content_type.eq(new.kind.content_type()),
            uploads::filename.eq(new.filename),
            uploads::storage_key.eq(new.storage_key),
            uploads::created_at.eq(now()),
        ))
        .execute(conn)?;
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::UploadCreated, format!("upload:{}", new.id))
            .author(account.id)
            .change(None, Some(serde_json::json!({ "size": new.size, "content_type": new.kind.content_type() }))),
    )?;
    Ok(find(conn, new.id)?.to_wire())
}

fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<UploadRow> {
    uploads::table.find(id).select(UploadRow::as_select()).first(conn)
}

/// An upload the viewer may read, or 404 (the same as for no such upload).
/// In a post: the post's read predicate (`post_readable`), and a hidden
/// post's files, like its text, are for its author and the moderators.
/// In no post yet: its uploader only.
pub fn readable(conn: &mut AnyConnection, viewer: &Viewer, id: &str) -> Result<UploadRow, ApiError> {
    if !files::is_id(id) {
        return Err(ApiError::not_found());
    }
    if let Some(me) = viewer.user_id() {
        let own_unused = uploads::table
            .filter(uploads::id.eq(id))
            .filter(uploads::post_id.is_null())
            .filter(uploads::uploader_id.eq(me))
            .select(UploadRow::as_select())
            .first(conn)
            .optional()?;
        if let Some(row) = own_unused {
            return Ok(row);
        }
    }
    let mut query = uploads::table
        .inner_join(posts::table.inner_join(threads::table.inner_join(categories::table)))
        .filter(uploads::id.eq(id))
        .filter(post_readable(&viewer.scope))
        .select(UploadRow::as_select())
        .into_boxed();
    if !viewer.is_moderator() {
        query = match viewer.user_id() {
            Some(me) => query.filter(posts::hidden_at.is_null().or(posts::author_id.eq(me))),
            None => query.filter(posts::hidden_at.is_null()),
        };
    }
    Ok(query.first(conn)?)
}

/// Links the uploads `body` references that `author_id` uploaded and no
/// post has yet to `post_id`: called in the transaction that writes the post.
pub fn link(conn: &mut AnyConnection, post_id: i64, author_id: i64, body: &str) -> Result<usize, ApiError> {
    let ids = files::referenced_ids(body);
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::update(uploads::table)
        .filter(uploads::id.eq_any(ids))
        .filter(uploads::uploader_id.eq(author_id))
        .filter(uploads::post_id.is_null())
        .set(uploads::post_id.eq(Some(post_id)))
        .execute(conn)?)
}

/// Uploads no post took up, made before `cutoff`: (id, storage key).
pub fn unused_before(
    conn: &mut AnyConnection,
    cutoff: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(String, String)>, ApiError> {
    Ok(uploads::table
        .filter(uploads::post_id.is_null())
        .filter(uploads::created_at.le(cutoff))
        .order(uploads::created_at.asc())
        .limit(limit)
        .select((uploads::id, uploads::storage_key))
        .load(conn)?)
}

/// Removes an upload's row if it is still in no post, with its event;
/// whether it went.
pub fn remove_unused(conn: &mut AnyConnection, id: &str) -> Result<bool, ApiError> {
    let Some(row) = uploads::table
        .filter(uploads::id.eq(id))
        .filter(uploads::post_id.is_null())
        .select(UploadRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(false);
    };
    // A post that took the upload meanwhile keeps it (PostgreSQL re-checks
    // the row after waiting for that post's transaction): then nothing goes.
    let removed =
        diesel::delete(uploads::table.filter(uploads::id.eq(id)).filter(uploads::post_id.is_null())).execute(conn)?;
    if removed == 0 {
        return Ok(false);
    }
    events::record_as(
        conn,
        None,
        None,
        NewEvent::new(Kind::UploadRemoved, format!("upload:{id}"))
            .user(row.uploader_id)
            .change(Some(serde_json::json!({ "size": row.size, "unused_since": row.created_at.and_utc() })), None),
    )?;
    Ok(true)
}
