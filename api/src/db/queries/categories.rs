//! Categories: read through the policy; written by admins.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use quorum_types::{Category, ErrorCode, AUDIENCE_EVERYONE, AUDIENCE_SIGNED_IN};

use serde_json::{json, Value};

use super::audiences::{self, Builtins};
use super::events::{self, Kind, NewEvent};
use super::now;
use crate::db::id_list::id_in;
use crate::db::policy::actions::{can, require, Action, CategoryFacts, Target};
use crate::db::policy::{category_readable, thread_count_readable, Viewer};
use crate::db::schema::{
    categories, category_thread_counts, flags, likes, notifications, post_mentions, post_quotes, post_revisions, posts,
    thread_reads, threads, uploads, watches,
};
use crate::db::AnyConnection;
use crate::error::ApiError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub audience_id: i64,
    pub posters_id: i64,
    pub position: i32,
}

/// Readable categories with what the viewer can read in them.
pub fn list(conn: &mut AnyConnection, viewer: &Viewer) -> Result<Vec<Category>, ApiError> {
    let rows: Vec<CategoryRow> = categories::table
        .filter(category_readable(&viewer.scope))
        .order((categories::position, categories::name, categories::id))
        .select(CategoryRow::as_select())
        .load(conn)?;
    to_wire(conn, viewer, rows)
}

/// A category the viewer may read, or 404.
pub fn readable_row(conn: &mut AnyConnection, viewer: &Viewer, slug: &str) -> Result<CategoryRow, ApiError> {
    if slug.contains('\0') {
        // No slug holds NUL; PostgreSQL would refuse to even compare it.
        return Err(ApiError::not_found());
    }
    Ok(categories::table
        .filter(categories::slug.eq(slug))
        .filter(category_readable(&viewer.scope))
        .select(CategoryRow::as_select())
        .first(conn)?)
}

pub fn get(conn: &mut AnyConnection, viewer: &Viewer, slug: &str) -> Result<Category, ApiError> {
    let row = readable_row(conn, viewer, slug)?;
    Ok(to_wire(conn, viewer, vec![row])?.remove(0))
}

fn to_wire(conn: &mut AnyConnection, viewer: &Viewer, rows: Vec<CategoryRow>) -> Result<Vec<Category>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    // Counters kept by triggers on `threads` (migration `counters`): the
    // cost does not grow with the forum.
    let counted: Vec<(i64, i64, Option<NaiveDateTime>)> = category_thread_counts::table
        .filter(id_in(category_thread_counts::category_id, &ids))
        .filter(thread_count_readable(&viewer.scope))
        .select((
            category_thread_counts::category_id,
            category_thread_counts::threads,
            category_thread_counts::last_bumped_at,
        ))
        .load(conn)?;
    let mut stats: HashMap<i64, (i64, Option<NaiveDateTime>)> = HashMap::new();
    for (id, n, last) in counted {
        let entry = stats.entry(id).or_default();
        entry.0 += n;
        entry.1 = entry.1.max(last);
    }
    let mut audience_ids: Vec<i64> = rows.iter().flat_map(|c| [c.audience_id, c.posters_id]).collect();
    audience_ids.sort_unstable();
    audience_ids.dedup();
    let slugs = audiences::slugs(conn, &audience_ids)?;
    let levels = match viewer.user_id() {
        Some(user_id) => super::following::category_levels(conn, user_id, &ids)?,
        None => HashMap::new(),
    };
    Ok(rows
        .into_iter()
        .map(|c| {
            let (thread_count, last) = stats.get(&c.id).copied().unwrap_or((0, None));
            Category {
                audience: slugs.get(&c.audience_id).cloned().unwrap_or_default(),
                posters: slugs.get(&c.posters_id).cloned().unwrap_or_default(),
                can_post: can(
                    viewer,
                    Action::StartThread,
                    Target::Category(CategoryFacts { posters_audience_id: c.posters_id }),
                ),
                watch_level: levels.get(&c.id).copied(),
                slug: c.slug,
                name: c.name,
                description: c.description,
                position: c.position,
                thread_count,
                last_activity_at: last.map(|t| t.and_utc()),
            }
        })
        .collect())
}

pub struct NewCategory<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub audience: Option<&'a [String]>,
    pub posters: Option<&'a [String]>,
    pub position: Option<i32>,
}

pub fn create(conn: &mut AnyConnection, viewer: &Viewer, new: NewCategory<'_>) -> Result<Category, ApiError> {
    require(viewer, Action::ManageCategories, Target::Site)?;
    let exists: i64 = categories::table.filter(categories::slug.eq(new.slug)).count().get_result(conn)?;
    if exists > 0 {
        return Err(ApiError::new(ErrorCode::Conflict, format!("a category {:?} already exists", new.slug)));
    }
    let everyone = [AUDIENCE_EVERYONE.to_owned()];
    let signed_in = [AUDIENCE_SIGNED_IN.to_owned()];
    let audience = audiences::resolve(conn, new.audience.unwrap_or(&everyone), "audience")?;
    let posters = audiences::resolve(conn, new.posters.unwrap_or(&signed_in), "posters")?;
    diesel::insert_into(categories::table)
        .values((
            categories::slug.eq(new.slug),
            categories::name.eq(new.name),
            categories::description.eq(new.description),
            categories::audience_id.eq(audience.id),
            categories::posters_id.eq(posters.id),
            categories::position.eq(new.position.unwrap_or(0)),
            categories::created_at.eq(now()),
        ))
        .execute(conn)?;
    let row: CategoryRow =
        categories::table.filter(categories::slug.eq(new.slug)).select(CategoryRow::as_select()).first(conn)?;
    let after = described(conn, &row)?;
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::CategoryCreated, format!("category:{}", new.slug))
            .category(row.id)
            .change(None, Some(after)),
    )?;
    get(conn, viewer, new.slug)
}

/// What the audit log keeps of a category.
fn described(conn: &mut AnyConnection, row: &CategoryRow) -> Result<Value, ApiError> {
    let slugs = audiences::slugs(conn, &[row.audience_id, row.posters_id])?;
    Ok(json!({
        "slug": row.slug,
        "name": row.name,
        "description": row.description,
        "audience": slugs.get(&row.audience_id),
        "posters": slugs.get(&row.posters_id),
        "position": row.position,
    }))
}

pub struct CategoryChanges<'a> {
    pub name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub audience: Option<&'a [String]>,
    pub posters: Option<&'a [String]>,
    pub position: Option<i32>,
}

pub fn update(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    builtins: &Builtins,
    slug: &str,
    changes: CategoryChanges<'_>,
) -> Result<Category, ApiError> {
    let row = readable_row(conn, viewer, slug)?;
    require(viewer, Action::ManageCategories, Target::Site)?;
    let before = described(conn, &row)?;
    let target = categories::table.find(row.id);
    if let Some(name) = changes.name {
        diesel::update(target).set(categories::name.eq(name)).execute(conn)?;
    }
    if let Some(description) = changes.description {
        diesel::update(target).set(categories::description.eq(description)).execute(conn)?;
    }
    if let Some(names) = changes.audience {
        let audience = audiences::resolve(conn, names, "audience")?;
        check_levels_below(conn, builtins, row.id, &audience)?;
        diesel::update(target).set(categories::audience_id.eq(audience.id)).execute(conn)?;
    }
    if let Some(names) = changes.posters {
        let posters = audiences::resolve(conn, names, "posters")?;
        diesel::update(target).set(categories::posters_id.eq(posters.id)).execute(conn)?;
    }
    if let Some(position) = changes.position {
        diesel::update(target).set(categories::position.eq(position)).execute(conn)?;
    }
    let now_row: CategoryRow = target.select(CategoryRow::as_select()).first(conn)?;
    let after = described(conn, &now_row)?;
    if before != after {
        events::record(
            conn,
            viewer,
            NewEvent::new(Kind::CategoryUpdated, format!("category:{slug}"))
                .category(row.id)
                .change(Some(before), Some(after)),
        )?;
    }
    get(conn, viewer, slug)
}

/// A new category audience must still be narrowed by every thread
/// audience in it, and by the post audiences of threads without one.
fn check_levels_below(
    conn: &mut AnyConnection,
    builtins: &Builtins,
    category_id: i64,
    audience: &audiences::Audience,
) -> Result<(), ApiError> {
    let live = threads::table.filter(threads::category_id.eq(category_id)).filter(threads::deleted_at.is_null());
    let thread_audiences: Vec<Option<i64>> =
        live.filter(threads::audience_id.is_not_null()).select(threads::audience_id).distinct().load(conn)?;
    let post_audiences: Vec<Option<i64>> = posts::table
        .filter(posts::thread_id.eq_any(live.filter(threads::audience_id.is_null()).select(threads::id)))
        .filter(posts::deleted_at.is_null())
        .filter(posts::audience_id.is_not_null())
        .select(posts::audience_id)
        .distinct()
        .load(conn)?;
    for id in thread_audiences.into_iter().chain(post_audiences).flatten() {
        let below = audiences::load(conn, id)?;
        audiences::check_narrows(builtins, audience, &below, "audience")
            .map_err(|_| ApiError::field("audience", "threads or posts in this category name groups outside it"))?;
    }
    Ok(())
}

/// Admins only; only an empty category can go, so threads are never
/// deleted by accident. Unreadable is 404 before not-allowed is 403.
pub fn delete(conn: &mut AnyConnection, viewer: &Viewer, slug: &str) -> Result<(), ApiError> {
    let row = readable_row(conn, viewer, slug)?;
    require(viewer, Action::ManageCategories, Target::Site)?;
    let before = described(conn, &row)?;
    let live: i64 = threads::table
        .filter(threads::category_id.eq(row.id))
        .filter(threads::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    if live > 0 {
        return Err(ApiError::new(
            ErrorCode::CategoryNotEmpty,
            format!("{slug} still holds {live} thread(s); move or delete them first"),
        ));
    }
    // Threads deleted earlier go for good with their category.
    let gone = threads::table.filter(threads::category_id.eq(row.id)).select(threads::id);
    let gone_posts = posts::table.filter(posts::thread_id.eq_any(gone)).select(posts::id);
    diesel::delete(likes::table.filter(likes::post_id.eq_any(gone_posts))).execute(conn)?;
    diesel::delete(flags::table.filter(flags::post_id.eq_any(gone_posts))).execute(conn)?;
    diesel::delete(notifications::table.filter(notifications::post_id.eq_any(gone_posts))).execute(conn)?;
    diesel::delete(post_mentions::table.filter(post_mentions::post_id.eq_any(gone_posts))).execute(conn)?;
    diesel::delete(
        post_quotes::table
            .filter(post_quotes::post_id.eq_any(gone_posts).or(post_quotes::quoted_id.eq_any(gone_posts))),
    )
    .execute(conn)?;
    diesel::delete(thread_reads::table.filter(thread_reads::thread_id.eq_any(gone))).execute(conn)?;
    let gone_ids = threads::table.filter(threads::category_id.eq(row.id)).select(threads::id.nullable());
    diesel::delete(watches::table.filter(watches::thread_id.eq_any(gone_ids))).execute(conn)?;
    diesel::delete(post_revisions::table.filter(post_revisions::post_id.eq_any(gone_posts))).execute(conn)?;
    // Their files are in no post any more: the unused-upload sweep removes them.
    let gone_post_ids = posts::table.filter(posts::thread_id.eq_any(gone)).select(posts::id.nullable());
    diesel::update(uploads::table.filter(uploads::post_id.eq_any(gone_post_ids)))
        .set(uploads::post_id.eq(None::<i64>))
        .execute(conn)?;
    diesel::delete(posts::table.filter(posts::thread_id.eq_any(gone))).execute(conn)?;
    diesel::delete(threads::table.filter(threads::category_id.eq(row.id))).execute(conn)?;
    diesel::delete(category_thread_counts::table.filter(category_thread_counts::category_id.eq(row.id)))
        .execute(conn)?;
    diesel::delete(categories::table.find(row.id)).execute(conn)?;
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::CategoryDeleted, format!("category:{slug}")).category(row.id).change(Some(before), None),
    )?;
    Ok(())
}

/// The category's audience, for checking a thread's narrowing.
pub fn audience_of(conn: &mut AnyConnection, row: &CategoryRow) -> QueryResult<audiences::Audience> {
    audiences::load(conn, row.audience_id)
}
