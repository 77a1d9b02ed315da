//! Accounts: creation, lookup, profile, and the per-request viewer.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;
use quorum_types::{EmailNotifications, ErrorCode, Me, UserSummary};

use super::audiences::Builtins;
use crate::db::id_list::id_in;
use crate::db::policy::{Account, Credential, ReadScope, Viewer};
use crate::db::schema::{group_members, groups, users};
use crate::db::AnyConnection;
use crate::error::ApiError;

#[derive(Debug, Clone, Queryable, Selectable)]
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
    pub suspended_until: Option<NaiveDateTime>,
    pub suspension_reason: Option<String>,
    pub email_notifications: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub bio: String,
    pub time_zone: String,
    pub password_hash: String,
    pub token_generation: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub time_zone: Option<String>,
    pub password_hash: Option<String>,
    pub email_notifications: Option<String>,
}

/// Inserts an account; a taken username or e-mail is a 409 naming the field.
pub fn insert(conn: &mut AnyConnection, new: &NewUser) -> Result<i64, ApiError> {
    let taken: Vec<(String, String)> = users::table
        .filter(users::username.eq(&new.username).or(users::email.eq(&new.email)))
        .select((users::username, users::email))
        .load(conn)?;
    if let Some((username, _)) = taken.first() {
        let field = if *username == new.username { "username" } else { "email" };
        let mut err = ApiError::new(ErrorCode::Conflict, format!("that {field} is already taken"));
        err.errors = Some([(field.to_owned(), vec!["already taken".to_owned()])].into());
        return Err(err);
    }
    let id = diesel::insert_into(users::table).values(new).returning(users::id).get_result(conn)?;
    Ok(id)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<UserRow, ApiError> {
    Ok(users::table.find(id).select(UserRow::as_select()).first(conn)?)
}

/// By username or e-mail, case-insensitively (both are stored lowercase).
pub fn find_by_login(conn: &mut AnyConnection, login: &str) -> Result<Option<UserRow>, ApiError> {
    let login = login.trim().to_lowercase();
    if login.contains('\0') {
        return Ok(None);
    }
    Ok(users::table
        .filter(users::username.eq(&login).or(users::email.eq(&login)))
        .filter(users::deleted_at.is_null())
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_username(conn: &mut AnyConnection, username: &str) -> Result<UserRow, ApiError> {
    Ok(users::table
        .filter(users::username.eq(username.trim().to_lowercase()))
        .select(UserRow::as_select())
        .first(conn)?)
}

/// Group memberships as (id, slug).
pub fn groups_of(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Vec<(i64, String)>> {
    group_members::table
        .inner_join(groups::table)
        .filter(group_members::user_id.eq(user_id))
        .select((groups::id, groups::slug))
        .order(groups::slug)
        .load(conn)
}

pub fn me(conn: &mut AnyConnection, builtins: &Builtins, user_id: i64) -> Result<Me, ApiError> {
    let user = find(conn, user_id)?;
    let groups = groups_of(conn, user_id)?;
    Ok(Me {
        id: user.id,
        username: user.username,
        email: user.email,
        display_name: user.display_name,
        bio: user.bio,
        time_zone: user.time_zone,
        is_admin: groups.iter().any(|(id, _)| *id == builtins.admins),
        is_moderator: groups.iter().any(|(id, _)| *id == builtins.moderators),
        groups: groups.into_iter().map(|(_, slug)| slug).collect(),
        created_at: user.created_at.and_utc(),
        email_notifications: match user.email_notifications.as_str() {
            "off" => EmailNotifications::Off,
            "daily" => EmailNotifications::Daily,
            _ => EmailNotifications::Immediate,
        },
    })
}

pub fn update(conn: &mut AnyConnection, user_id: i64, changes: &UserChanges) -> Result<(), ApiError> {
    if changes.display_name.is_some()
        || changes.bio.is_some()
        || changes.time_zone.is_some()
        || changes.password_hash.is_some()
        || changes.email_notifications.is_some()
    {
        diesel::update(users::table.find(user_id)).set(changes).execute(conn)?;
    }
    Ok(())
}

/// Invalidates every access token issued so far.
pub fn bump_token_generation(conn: &mut AnyConnection, user_id: i64) -> Result<(), ApiError> {
    diesel::update(users::table.find(user_id))
        .set(users::token_generation.eq(users::token_generation + 1))
        .execute(conn)?;
    Ok(())
}

/// Public summaries for a set of ids, in one query.
pub fn summaries(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, UserSummary>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<(i64, String, String)> = users::table
        .filter(id_in(users::id, &ids))
        .select((users::id, users::username, users::display_name))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, username, display_name)| (id, UserSummary { id, username, display_name })).collect())
}

/// Summaries with each account's time zone.
pub fn zones(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, (UserSummary, String)>> {
    let rows: Vec<(i64, String, String, String)> = users::table
        .filter(id_in(users::id, ids))
        .select((users::id, users::username, users::display_name, users::time_zone))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, username, display_name, zone)| (id, (UserSummary { id, username, display_name }, zone)))
        .collect())
}

pub fn summary_of(map: &HashMap<i64, UserSummary>, id: i64) -> UserSummary {
    map.get(&id).cloned().unwrap_or(UserSummary { id, username: "unknown".into(), display_name: "Unknown".into() })
}

/// The viewer for an account signed in with `credential`: current groups
/// are read now, so a membership change applies from the next request.
/// Refused when the account is suspended, or when `generation` (a signed-in
/// session's) is no longer the account's: a logout or password change
/// since ended the session.
pub fn viewer(
    conn: &mut AnyConnection,
    builtins: &Builtins,
    user_id: i64,
    generation: Option<i64>,
    credential: Credential,
    address: Option<String>,
) -> Result<Viewer, ApiError> {
    type AccountState = (String, i64, Option<NaiveDateTime>, Option<String>);
    // A deleted account's row stays for its posts, but nobody is it any more.
    let (username, current_generation, suspended_until, reason): AccountState = users::table
        .find(user_id)
        .filter(users::deleted_at.is_null())
        .select((users::username, users::token_generation, users::suspended_until, users::suspension_reason))
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "the account no longer exists"))?;
    if generation.is_some_and(|g| g != current_generation) {
        return Err(ApiError::new(ErrorCode::Unauthorized, "the access token has been revoked"));
    }
    check_not_suspended(suspended_until, reason.as_deref())?;
    let mut principals: Vec<i64> =
        group_members::table.filter(group_members::user_id.eq(user_id)).select(group_members::group_id).load(conn)?;
    let is_admin = principals.contains(&builtins.admins);
    let is_moderator = principals.contains(&builtins.moderators);
    principals.push(builtins.everyone);
    principals.push(builtins.signed_in);
    let scope = ReadScope::resolve(conn, &principals, is_admin)?;
    Ok(Viewer {
        account: Some(Account { id: user_id, username, is_admin, is_moderator }),
        principals,
        scope,
        credential,
        address,
    })
}

/// [`viewer`] for many accounts at once, as signed-in sessions: those that
/// exist and are not suspended, each with what they may read now. Three
/// queries, and one audience resolution per distinct set of groups,
/// instead of three queries per account (notifying a long thread's
/// watchers resolves hundreds).
pub fn viewers(conn: &mut AnyConnection, builtins: &Builtins, ids: &[i64]) -> Result<HashMap<i64, Viewer>, ApiError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    type AccountState = (i64, String, Option<NaiveDateTime>, Option<String>);
    let accounts: Vec<AccountState> = users::table
        .filter(id_in(users::id, ids))
        .filter(users::deleted_at.is_null())
        .select((users::id, users::username, users::suspended_until, users::suspension_reason))
        .load(conn)?;
    let memberships: Vec<(i64, i64)> = group_members::table
        .filter(id_in(group_members::user_id, ids))
        .select((group_members::user_id, group_members::group_id))
        .load(conn)?;
    let mut groups_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for (user, group) in memberships {
        groups_of.entry(user).or_default().push(group);
    }
    let mut scopes: HashMap<Vec<i64>, ReadScope> = HashMap::new();
    let mut viewers = HashMap::with_capacity(accounts.len());
    for (id, username, suspended_until, reason) in accounts {
        if check_not_suspended(suspended_until, reason.as_deref()).is_err() {
            continue;
        }
        let mut principals = groups_of.remove(&id).unwrap_or_default();
        let is_admin = principals.contains(&builtins.admins);
        let is_moderator = principals.contains(&builtins.moderators);
        principals.push(builtins.everyone);
        principals.push(builtins.signed_in);
        let mut key = principals.clone();
        key.sort_unstable();
        let scope = match scopes.get(&key) {
            Some(scope) => scope.clone(),
            None => {
                let scope = ReadScope::resolve(conn, &principals, is_admin)?;
                scopes.insert(key, scope.clone());
                scope
            }
        };
        let account = Some(Account { id, username, is_admin, is_moderator });
        viewers.insert(id, Viewer { account, principals, scope, credential: Credential::Session, address: None });
    }
    Ok(viewers)
}

/// 403 `account_suspended`, saying why and until when, while a suspension lasts.
pub fn check_not_suspended(until: Option<NaiveDateTime>, reason: Option<&str>) -> Result<(), ApiError> {
    match until {
        Some(until) if until > super::now() => {
            let when = if until.year() >= 9999 {
                "until further notice".to_owned()
            } else {
                format!("until {} UTC", until.format("%Y-%m-%d %H:%M"))
            };
            let why = reason.filter(|r| !r.is_empty()).map(|r| format!(": {r}")).unwrap_or_default();
            Err(ApiError::new(ErrorCode::AccountSuspended, format!("this account is suspended {when}{why}")))
        }
        _ => Ok(()),
    }
}

pub fn anonymous(conn: &mut AnyConnection, builtins: &Builtins, address: Option<String>) -> Result<Viewer, ApiError> {
    let principals = vec![builtins.everyone];
    let scope = ReadScope::resolve(conn, &principals, false)?;
    Ok(Viewer { account: None, principals, scope, credential: Credential::Anonymous, address })
}

/// Whether the account is suspended now.
pub fn suspension_of(conn: &mut AnyConnection, user_id: i64) -> Result<(), ApiError> {
    let (until, reason): (Option<NaiveDateTime>, Option<String>) =
        users::table.find(user_id).select((users::suspended_until, users::suspension_reason)).first(conn)?;
    check_not_suspended(until, reason.as_deref())
}

pub fn add_to_group(conn: &mut AnyConnection, user_id: i64, group_id: i64) -> Result<(), ApiError> {
    diesel::insert_into(group_members::table)
        .values((
            group_members::group_id.eq(group_id),
            group_members::user_id.eq(user_id),
            group_members::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether any account is in the built-in `admins` group.
pub fn admin_exists(conn: &mut AnyConnection, builtins: &Builtins) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(group_members::table.filter(group_members::group_id.eq(builtins.admins))))
        .get_result(conn)
}

/// Creates the forum's first admin, unless an admin exists by now: the
/// admins row is locked first (PostgreSQL; SQLite writers are serialised
/// anyway), so two setups at once cannot both succeed.
pub fn insert_first_admin(conn: &mut AnyConnection, builtins: &Builtins, new: &NewUser) -> Result<i64, ApiError> {
    diesel::update(groups::table.find(builtins.admins)).set(groups::name.eq(groups::name)).execute(conn)?;
    if admin_exists(conn, builtins)? {
        return Err(ApiError::new(ErrorCode::Conflict, "this forum already has an admin"));
    }
    let id = insert(conn, new)?;
    add_to_group(conn, id, builtins.admins)?;
    Ok(id)
}

/// Sets when an account gets e-mail (`off`, `immediate`, `daily`).
pub fn set_email_notifications(conn: &mut AnyConnection, user_id: i64, value: &str) -> Result<(), ApiError> {
    diesel::update(users::table.find(user_id)).set(users::email_notifications.eq(value)).execute(conn)?;
    Ok(())
}

/// The id of the account named `username`, if any (names are public).
pub fn id_of(conn: &mut AnyConnection, username: &str) -> QueryResult<Option<i64>> {
    users::table.filter(users::username.eq(username.trim().to_lowercase())).select(users::id).first(conn).optional()
}
