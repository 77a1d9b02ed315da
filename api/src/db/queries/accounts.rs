//! Accounts as admins manage them: finding people, suspending them.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use quorum_types::AdminUser;
use serde_json::json;

use super::events::{self, Kind, NewEvent};
use super::{groups, now, users, PageRequest};
use crate::db::policy::actions::{require, Action, Target};
use crate::db::policy::Viewer;
use crate::db::schema::{group_members, groups as groups_t, users as users_t};
use crate::db::AnyConnection;
use crate::error::ApiError;

/// A suspension without an end lasts until this moment (year 9999).
pub fn indefinitely() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default()
}

/// Accounts by id, filtered by a search in usernames, display names and
/// e-mail addresses, and by group.
pub fn list(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    q: Option<&str>,
    group: Option<&str>,
    page: &PageRequest,
) -> Result<(Vec<AdminUser>, Option<String>), ApiError> {
    require(viewer, Action::ManageUsers, Target::Site)?;
    let mut query =
        users_t::table.select(users::UserRow::as_select()).order(users_t::id.asc()).limit(page.limit + 1).into_boxed();
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        if q.contains('\0') {
            return Err(ApiError::bad_request("q must not contain NUL characters"));
        }
        // LIKE patterns are built from escaped text: `%` and `_` are literal.
        let escaped = q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        query = query.filter(
            users_t::username
                .like(pattern.clone())
                .escape('\\')
                .or(users_t::email.like(pattern.clone()).escape('\\'))
                .or(diesel::dsl::sql::<diesel::sql_types::Bool>("LOWER(display_name) LIKE ")
                    .bind::<diesel::sql_types::Text, _>(pattern)
                    .sql(" ESCAPE '\\'")),
        );
    }
    if let Some(slug) = group {
        let group_id = groups::id_of(conn, slug).map_err(|e| e.missing_as_field("group", "no such group"))?;
        query =
            query.filter(users_t::id.eq_any(
                group_members::table.filter(group_members::group_id.eq(group_id)).select(group_members::user_id),
            ));
    }
    if let Some(after) = &page.after {
        query = query.filter(users_t::id.gt(after[0]));
    }
    let rows: Vec<users::UserRow> = query.load(conn)?;
    let (rows, next) = page.finish(rows, |u| vec![u.id]);
    Ok((to_wire(conn, rows)?, next))
}

fn to_wire(conn: &mut AnyConnection, rows: Vec<users::UserRow>) -> Result<Vec<AdminUser>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|u| u.id).collect();
    let memberships: Vec<(i64, String)> = group_members::table
        .inner_join(groups_t::table)
        .filter(group_members::user_id.eq_any(&ids))
        .select((group_members::user_id, groups_t::slug))
        .order(groups_t::slug)
        .load(conn)?;
    let mut by_user: HashMap<i64, Vec<String>> = HashMap::new();
    for (user, slug) in memberships {
        by_user.entry(user).or_default().push(slug);
    }
    let at = now();
    Ok(rows
        .into_iter()
        .map(|u| {
            let suspended = u.suspended_until.filter(|t| *t > at);
            AdminUser {
                id: u.id,
                groups: by_user.remove(&u.id).unwrap_or_default(),
                username: u.username,
                display_name: u.display_name,
                email: u.email,
                created_at: u.created_at.and_utc(),
                suspended_until: suspended.map(|t| t.and_utc()),
                suspension_reason: suspended.and(u.suspension_reason),
            }
        })
        .collect())
}

pub fn get(conn: &mut AnyConnection, username: &str) -> Result<AdminUser, ApiError> {
    let row = users::find_by_username(conn, username)?;
    Ok(to_wire(conn, vec![row])?.remove(0))
}

/// Suspends an account (`until: None`: until lifted). Its sessions and
/// tokens stop working on their next request; it cannot sign in, and is told why.
pub fn suspend(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    username: &str,
    reason: &str,
    until: Option<NaiveDateTime>,
) -> Result<AdminUser, ApiError> {
    require(viewer, Action::ManageUsers, Target::Site)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 || reason.contains('\0') {
        return Err(ApiError::field("reason", "must be 1 to 500 characters, without NUL"));
    }
    let until = until.unwrap_or_else(indefinitely);
    if until <= now() {
        return Err(ApiError::field("until", "must be in the future"));
    }
    let user = users::find_by_username(conn, username)?;
    if Some(user.id) == viewer.user_id() {
        return Err(ApiError::field("username", "you cannot suspend yourself"));
    }
    diesel::update(users_t::table.find(user.id))
        .set((users_t::suspended_until.eq(Some(until)), users_t::suspension_reason.eq(Some(reason))))
        .execute(conn)?;
    let before = user
        .suspended_until
        .filter(|t| *t > now())
        .map(|t| json!({"until": t.and_utc(), "reason": user.suspension_reason}));
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::UserSuspended, format!("user:{}", user.username))
            .user(user.id)
            .change(before, Some(json!({"until": until.and_utc(), "reason": reason}))),
    )?;
    get(conn, &user.username)
}

/// Lifts a suspension (doing nothing when there is none).
pub fn unsuspend(conn: &mut AnyConnection, viewer: &Viewer, username: &str) -> Result<AdminUser, ApiError> {
    require(viewer, Action::ManageUsers, Target::Site)?;
    let user = users::find_by_username(conn, username)?;
    if user.suspended_until.is_some() {
        diesel::update(users_t::table.find(user.id))
            .set((users_t::suspended_until.eq(None::<NaiveDateTime>), users_t::suspension_reason.eq(None::<String>)))
            .execute(conn)?;
        let before = json!({"until": user.suspended_until.map(|t| t.and_utc()), "reason": user.suspension_reason});
        events::record(
            conn,
            viewer,
            NewEvent::new(Kind::UserUnsuspended, format!("user:{}", user.username))
                .user(user.id)
                .change(Some(before), None),
        )?;
    }
    get(conn, &user.username)
}
