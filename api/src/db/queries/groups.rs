//! Groups and their members (admin-managed).

use diesel::dsl::count_star;
use diesel::prelude::*;
use quorum_types::{BulkMembersResult, ErrorCode, Group, UserSummary};

use serde_json::json;

use super::events::{self, Kind, NewEvent};
use super::{now, users, PageRequest};
use crate::db::id_list::id_in;
use crate::db::policy::actions::{require, Action, Target};
use crate::db::policy::Viewer;
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

/// A real group's id by slug.
pub fn id_of(conn: &mut AnyConnection, slug: &str) -> Result<i64, ApiError> {
    Ok(find_row(conn, slug)?.id)
}

pub fn get(conn: &mut AnyConnection, slug: &str) -> Result<Group, ApiError> {
    let row = find_row(conn, slug)?;
    Ok(to_wire(conn, vec![row])?.remove(0))
}

/// Creates a group; without an acting viewer (seeding), nothing is checked or logged.
pub fn create(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    slug: &str,
    name: &str,
    description: &str,
) -> Result<Group, ApiError> {
    require(viewer, Action::ManageGroups, Target::Site)?;
    create_unchecked(conn, slug, name, description)?;
    let row = find_row(conn, slug)?;
    let after = json!({"slug": slug, "name": name, "description": description});
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::GroupCreated, format!("group:{slug}")).group(row.id).change(None, Some(after)),
    )?;
    get(conn, slug)
}

/// For operator commands (seeding), which act as nobody.
pub fn create_unchecked(conn: &mut AnyConnection, slug: &str, name: &str, description: &str) -> Result<(), ApiError> {
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
    Ok(())
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
    viewer: &Viewer,
    slug: &str,
    name: Option<&str>,
    description: Option<&str>,
) -> Result<Group, ApiError> {
    require(viewer, Action::ManageGroups, Target::Site)?;
    let row = editable(conn, slug)?;
    if let Some(name) = name {
        diesel::update(groups::table.find(row.id)).set(groups::name.eq(name)).execute(conn)?;
    }
    if let Some(description) = description {
        diesel::update(groups::table.find(row.id)).set(groups::description.eq(description)).execute(conn)?;
    }
    let before = json!({"name": row.name, "description": row.description});
    let after = json!({"name": name.unwrap_or(&row.name), "description": description.unwrap_or(&row.description)});
    if before != after {
        events::record(
            conn,
            viewer,
            NewEvent::new(Kind::GroupUpdated, format!("group:{slug}")).group(row.id).change(Some(before), Some(after)),
        )?;
    }
    get(conn, slug)
}

/// Deletes a group; audiences that named it simply stop naming it
/// (so content it alone could read becomes admin-only).
pub fn delete(conn: &mut AnyConnection, viewer: &Viewer, slug: &str) -> Result<(), ApiError> {
    require(viewer, Action::ManageGroups, Target::Site)?;
    let row = editable(conn, slug)?;
    let members: i64 = group_members::table.filter(group_members::group_id.eq(row.id)).count().get_result(conn)?;
    diesel::delete(group_members::table.filter(group_members::group_id.eq(row.id))).execute(conn)?;
    diesel::delete(
        crate::db::schema::audience_groups::table.filter(crate::db::schema::audience_groups::group_id.eq(row.id)),
    )
    .execute(conn)?;
    diesel::delete(groups::table.find(row.id)).execute(conn)?;
    let before = json!({"slug": slug, "name": row.name, "description": row.description, "members": members});
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::GroupDeleted, format!("group:{slug}")).group(row.id).change(Some(before), None),
    )?;
    Ok(())
}

/// Members by user id, keyset-paginated.
pub fn members(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    slug: &str,
    page: &PageRequest,
) -> Result<(Vec<UserSummary>, Option<String>), ApiError> {
    require(viewer, Action::ManageGroups, Target::Site)?;
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

/// Adds without checks or events, for seeding and registration by invitation.
pub fn add_member_unchecked(conn: &mut AnyConnection, group_id: i64, user_id: i64) -> Result<bool, ApiError> {
    let row =
        (group_members::group_id.eq(group_id), group_members::user_id.eq(user_id), group_members::created_at.eq(now()));
    let added =
        on_inner!(conn, |c| diesel::insert_into(group_members::table).values(row).on_conflict_do_nothing().execute(c))?;
    Ok(added > 0)
}

fn member_event(kind: Kind, slug: &str, group_id: i64, user_id: i64, username: &str) -> NewEvent {
    NewEvent::new(kind, format!("group:{slug}"))
        .group(group_id)
        .user(user_id)
        .change(None, Some(json!({"username": username})))
}

/// Idempotent: adding an existing member changes nothing (and logs nothing).
pub fn add_member(conn: &mut AnyConnection, viewer: &Viewer, slug: &str, username: &str) -> Result<(), ApiError> {
    require(viewer, Action::ManageGroups, Target::Site)?;
    let group = find_row(conn, slug)?;
    let user = users::find_by_username(conn, username)?;
    if add_member_unchecked(conn, group.id, user.id)? {
        events::record(conn, viewer, member_event(Kind::MemberAdded, slug, group.id, user.id, &user.username))?;
    }
    Ok(())
}

/// The forum keeps at least one admin: the admins row is locked first
/// (PostgreSQL; SQLite writers are serialised anyway), so two admins
/// removing each other at once cannot both succeed.
fn keep_an_admin(conn: &mut AnyConnection, admins: i64) -> Result<(), ApiError> {
    let remaining: i64 = group_members::table.filter(group_members::group_id.eq(admins)).count().get_result(conn)?;
    if remaining == 0 {
        return Err(ApiError::new(ErrorCode::Conflict, "the forum needs at least one admin"));
    }
    Ok(())
}

pub fn lock_admins(conn: &mut AnyConnection, admins: i64) -> Result<(), ApiError> {
    diesel::update(groups::table.find(admins)).set(groups::name.eq(groups::name)).execute(conn)?;
    Ok(())
}

/// Idempotent: removing a non-member changes nothing.
pub fn remove_member(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    admins: i64,
    slug: &str,
    username: &str,
) -> Result<(), ApiError> {
    require(viewer, Action::ManageGroups, Target::Site)?;
    lock_admins(conn, admins)?;
    let group = find_row(conn, slug)?;
    let user = users::find_by_username(conn, username)?;
    let removed = diesel::delete(
        group_members::table.filter(group_members::group_id.eq(group.id)).filter(group_members::user_id.eq(user.id)),
    )
    .execute(conn)?;
    keep_an_admin(conn, admins)?;
    if removed > 0 {
        events::record(conn, viewer, member_event(Kind::MemberRemoved, slug, group.id, user.id, &user.username))?;
    }
    Ok(())
}

/// Most usernames one bulk request may name.
pub const MAX_BULK_USERNAMES: usize = 5000;

/// Adds every named account (and with `replace`, removes every member not
/// named), in the caller's transaction; one event per change.
pub fn set_members(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    admins: i64,
    slug: &str,
    usernames: &[String],
    replace: bool,
) -> Result<BulkMembersResult, ApiError> {
    require(viewer, Action::ManageGroups, Target::Site)?;
    if usernames.len() > MAX_BULK_USERNAMES {
        return Err(ApiError::field("usernames", format!("name at most {MAX_BULK_USERNAMES} accounts")));
    }
    lock_admins(conn, admins)?;
    let group = find_row(conn, slug)?;
    let mut wanted: Vec<String> = usernames.iter().map(|u| u.trim().to_lowercase()).filter(|u| !u.is_empty()).collect();
    wanted.sort();
    wanted.dedup();
    let known: Vec<(i64, String)> =
        users_t::table.filter(users_t::username.eq_any(&wanted)).select((users_t::id, users_t::username)).load(conn)?;
    let current: Vec<(i64, String)> = group_members::table
        .inner_join(users_t::table)
        .filter(group_members::group_id.eq(group.id))
        .select((users_t::id, users_t::username))
        .load(conn)?;
    let mut result = BulkMembersResult {
        unknown: wanted.iter().filter(|w| !known.iter().any(|(_, u)| u == *w)).cloned().collect(),
        ..BulkMembersResult::default()
    };
    for (id, username) in &known {
        if current.iter().any(|(c, _)| c == id) {
            result.already_present.push(username.clone());
        } else {
            add_member_unchecked(conn, group.id, *id)?;
            events::record(conn, viewer, member_event(Kind::MemberAdded, slug, group.id, *id, username))?;
            result.added.push(username.clone());
        }
    }
    if replace {
        for (id, username) in current.iter().filter(|(id, _)| !known.iter().any(|(k, _)| k == id)) {
            diesel::delete(
                group_members::table.filter(group_members::group_id.eq(group.id)).filter(group_members::user_id.eq(id)),
            )
            .execute(conn)?;
            events::record(conn, viewer, member_event(Kind::MemberRemoved, slug, group.id, *id, username))?;
            result.removed.push(username.clone());
        }
        keep_an_admin(conn, admins)?;
    }
    for list in [&mut result.added, &mut result.already_present, &mut result.removed] {
        list.sort();
    }
    Ok(result)
}
