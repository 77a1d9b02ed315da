//! Groups and their members (admin-managed).

use diesel::dsl::count_star;
use diesel::prelude::*;
use quorum_types::{ErrorCode, Group, UserSummary};

use super::{now, users, PageRequest};
use crate::db::id_list::id_in;
use crate::db::schema::{group_members, groups, users as users_t};
use crate::db::{on_inner, AnyConnection};
use crate::error::ApiError;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = groups)]
struct GroupRow {
    id: i64,
    slug: String,
    name: String,
    description: String,
    builtin: bool,
}

fn to_wire(conn: &mut AnyConnection, rows: Vec<GroupRow>) -> QueryResult<Vec<Group>> {
    let ids: Vec<i64> = rows.iter().map(|g| g.id).collect();
    let counts: Vec<(i64, i64)> = group_members::table
        .filter(id_in(group_members::group_id, &ids))
        .group_by(group_members::group_id)
        .select((group_members::group_id, count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|g| Group {
            member_count: counts.iter().find(|(id, _)| *id == g.id).map_or(0, |(_, n)| *n),
            slug: g.slug,
            name: g.name,
            description: g.description,
            builtin: g.builtin,
        })
        .collect())
}

/// Every real group (not the `everyone`/`signed-in` pseudo-groups), by slug.
pub fn list(conn: &mut AnyConnection) -> Result<Vec<Group>, ApiError> {
    let rows =
        groups::table.filter(groups::pseudo.eq(false)).order(groups::slug).select(GroupRow::as_select()).load(conn)?;
    Ok(to_wire(conn, rows)?)
}

fn find_row(conn: &mut AnyConnection, slug: &str) -> Result<GroupRow, ApiError> {
    if slug.contains('\0') {
        return Err(ApiError::not_found());
    }
    Ok(groups::table
        .filter(groups::slug.eq(slug))
        .filter(groups::pseudo.eq(false))
        .select(GroupRow::as_select())
        .first(conn)?)
}

pub fn get(conn: &mut AnyConnection, slug: &str) -> Result<Group, ApiError> {
    let row = find_row(conn, slug)?;
    Ok(to_wire(conn, vec![row])?.remove(0))
}

pub fn create(conn: &mut AnyConnection, slug: &str, name: &str, description: &str) -> Result<Group, ApiError> {
    let exists: i64 = groups::table.filter(groups::slug.eq(slug)).count().get_result(conn)?;
    if exists > 0 {
        return Err(ApiError::new(ErrorCode::Conflict, format!("a group named {slug:?} already exists")));
    }
    diesel::insert_into(groups::table)
        .values((
            groups::slug.eq(slug),
            groups::name.eq(name),
            groups::description.eq(description),
            groups::builtin.eq(false),
            groups::pseudo.eq(false),
            groups::created_at.eq(now()),
        ))
        .execute(conn)?;
    get(conn, slug)
}

fn editable(conn: &mut AnyConnection, slug: &str) -> Result<GroupRow, ApiError> {
    let row = find_row(conn, slug)?;
    if row.builtin {
        return Err(ApiError::new(ErrorCode::BuiltinGroup, "built-in groups cannot be changed or deleted"));
    }
    Ok(row)
}

pub fn update(
    conn: &mut AnyConnection,
    slug: &str,
    name: Option<&str>,
    description: Option<&str>,
) -> Result<Group, ApiError> {
    let row = editable(conn, slug)?;
    if let Some(name) = name {
        diesel::update(groups::table.find(row.id)).set(groups::name.eq(name)).execute(conn)?;
    }
    if let Some(description) = description {
        diesel::update(groups::table.find(row.id)).set(groups::description.eq(description)).execute(conn)?;
    }
    get(conn, slug)
}

/// Deletes a group; audiences that named it simply stop naming it
/// (so content it alone could read becomes admin-only).
pub fn delete(conn: &mut AnyConnection, slug: &str) -> Result<(), ApiError> {
    let row = editable(conn, slug)?;
    diesel::delete(group_members::table.filter(group_members::group_id.eq(row.id))).execute(conn)?;
    diesel::delete(
        crate::db::schema::audience_groups::table.filter(crate::db::schema::audience_groups::group_id.eq(row.id)),
    )
    .execute(conn)?;
    diesel::delete(groups::table.find(row.id)).execute(conn)?;
    Ok(())
}

/// Members by user id, keyset-paginated.
pub fn members(
    conn: &mut AnyConnection,
    slug: &str,
    page: &PageRequest,
) -> Result<(Vec<UserSummary>, Option<String>), ApiError> {
    let group = find_row(conn, slug)?;
    let mut query = group_members::table
        .inner_join(users_t::table)
        .filter(group_members::group_id.eq(group.id))
        .select((users_t::id, users_t::username, users_t::display_name))
        .order(users_t::id)
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(users_t::id.gt(after[0]));
    }
    let rows: Vec<(i64, String, String)> = query.load(conn)?;
    let (rows, next) = page.finish(rows, |r| vec![r.0]);
    Ok((
        rows.into_iter().map(|(id, username, display_name)| UserSummary { id, username, display_name }).collect(),
        next,
    ))
}

/// Idempotent: adding an existing member changes nothing.
pub fn add_member(conn: &mut AnyConnection, slug: &str, username: &str) -> Result<(), ApiError> {
    let group = find_row(conn, slug)?;
    let user = users::find_by_username(conn, username)?;
    let row =
        (group_members::group_id.eq(group.id), group_members::user_id.eq(user.id), group_members::created_at.eq(now()));
    on_inner!(conn, |c| diesel::insert_into(group_members::table).values(row).on_conflict_do_nothing().execute(c))?;
    Ok(())
}

/// Idempotent: removing a non-member changes nothing. The forum keeps at
/// least one admin: the admins row is locked first (PostgreSQL; SQLite
/// writers are serialised anyway), so two admins removing each other at
/// once cannot both succeed.
pub fn remove_member(conn: &mut AnyConnection, admins: i64, slug: &str, username: &str) -> Result<(), ApiError> {
    diesel::update(groups::table.find(admins)).set(groups::name.eq(groups::name)).execute(conn)?;
    let group = find_row(conn, slug)?;
    let user = users::find_by_username(conn, username)?;
    diesel::delete(
        group_members::table.filter(group_members::group_id.eq(group.id)).filter(group_members::user_id.eq(user.id)),
    )
    .execute(conn)?;
    let remaining: i64 = group_members::table.filter(group_members::group_id.eq(admins)).count().get_result(conn)?;
    if remaining == 0 {
        return Err(ApiError::new(ErrorCode::Conflict, "the forum needs at least one admin"));
    }
    Ok(())
}
