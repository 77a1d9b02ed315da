//! Audiences: sets of groups, stored once per distinct set.

use std::collections::HashMap;

use diesel::prelude::*;
use quorum_types::{AUDIENCE_EVERYONE, AUDIENCE_SIGNED_IN, GROUP_ADMINS, GROUP_MODERATORS};

use crate::db::id_list::id_in;
use crate::db::policy::Viewer;
use crate::db::schema::{audience_groups, audiences, groups};
use crate::db::{on_inner, AnyConnection};
use crate::error::ApiError;

/// More groups than any real audience needs; keeps one query's parameters bounded.
pub const MAX_AUDIENCE_NAMES: usize = 32;

/// Ids of the built-in groups; they cannot be deleted, so they are loaded once.
#[derive(Debug, Clone, Copy)]
pub struct Builtins {
    pub everyone: i64,
    pub signed_in: i64,
    pub admins: i64,
    pub moderators: i64,
}

impl Builtins {
    pub fn load(conn: &mut AnyConnection) -> QueryResult<Builtins> {
        let rows: Vec<(String, i64)> =
            groups::table.filter(groups::builtin.eq(true)).select((groups::slug, groups::id)).load(conn)?;
        let id =
            |slug: &str| rows.iter().find(|(s, _)| s == slug).map(|(_, id)| *id).ok_or(diesel::result::Error::NotFound);
        Ok(Builtins {
            everyone: id(AUDIENCE_EVERYONE)?,
            signed_in: id(AUDIENCE_SIGNED_IN)?,
            admins: id(GROUP_ADMINS)?,
            moderators: id(GROUP_MODERATORS)?,
        })
    }

    /// Whether an audience naming these groups is open to every member
    /// (so a narrower level may name any group).
    pub fn is_open(&self, group_ids: &[i64]) -> bool {
        group_ids.iter().any(|g| *g == self.everyone || *g == self.signed_in)
    }
}

/// A stored audience and the groups it names.
#[derive(Debug, Clone)]
pub struct Audience {
    pub id: i64,
    pub group_ids: Vec<i64>,
}

/// Turns audience names into a stored audience, creating it when new.
/// Unknown names are a validation error on `field`.
pub fn resolve(conn: &mut AnyConnection, names: &[String], field: &str) -> Result<Audience, ApiError> {
    let group_ids = group_ids_named(conn, names, field)?;
    of_groups(conn, group_ids)
}

/// The groups audience names name, without storing anything; unknown
/// names are a validation error on `field`.
pub fn group_ids_named(conn: &mut AnyConnection, names: &[String], field: &str) -> Result<Vec<i64>, ApiError> {
    if names.len() > MAX_AUDIENCE_NAMES {
        return Err(ApiError::field(field, format!("name at most {MAX_AUDIENCE_NAMES} groups")));
    }
    let mut wanted: Vec<String> = names.iter().map(|n| n.trim().to_lowercase()).collect();
    wanted.sort();
    wanted.dedup();
    if wanted.is_empty() || wanted.iter().any(String::is_empty) {
        return Err(ApiError::field(field, "name at least one group, or \"everyone\" or \"signed-in\""));
    }
    if let Some(bad) =
        wanted.iter().find(|w| !w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
    {
        return Err(ApiError::field(field, format!("no such group: {bad:?}")));
    }
    let found: Vec<(i64, String)> =
        groups::table.filter(groups::slug.eq_any(&wanted)).select((groups::id, groups::slug)).load(conn)?;
    let unknown: Vec<&str> =
        wanted.iter().filter(|w| !found.iter().any(|(_, s)| s == *w)).map(String::as_str).collect();
    if !unknown.is_empty() {
        return Err(ApiError::field(field, format!("no such group: {}", unknown.join(", "))));
    }
    Ok(found.into_iter().map(|(id, _)| id).collect())
}

/// The stored audience naming exactly these groups, created when new.
pub fn of_groups(conn: &mut AnyConnection, mut group_ids: Vec<i64>) -> Result<Audience, ApiError> {
    group_ids.sort_unstable();
    group_ids.dedup();
    let key = group_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let find = |conn: &mut AnyConnection| -> QueryResult<Option<i64>> {
        audiences::table.filter(audiences::key.eq(&key)).select(audiences::id).first(conn).optional()
    };
    let id = match find(conn)? {
        Some(id) => id,
        None => {
            // ON CONFLICT: two requests creating the same audience at once
            // both end up with the one row.
            on_inner!(conn, |c| diesel::insert_into(audiences::table)
                .values(audiences::key.eq(&key))
                .on_conflict_do_nothing()
                .execute(c))?;
            let id = find(conn)?.ok_or(diesel::result::Error::NotFound)?;
            for group_id in &group_ids {
                let row = (audience_groups::audience_id.eq(id), audience_groups::group_id.eq(*group_id));
                on_inner!(conn, |c| diesel::insert_into(audience_groups::table)
                    .values(row)
                    .on_conflict_do_nothing()
                    .execute(c))?;
            }
            id
        }
    };
    Ok(Audience { id, group_ids })
}

/// The groups a stored audience names.
pub fn load(conn: &mut AnyConnection, id: i64) -> QueryResult<Audience> {
    let group_ids = audience_groups::table
        .filter(audience_groups::audience_id.eq(id))
        .select(audience_groups::group_id)
        .order(audience_groups::group_id)
        .load(conn)?;
    Ok(Audience { id, group_ids })
}

/// A narrower level may only name groups of the level above, unless that
/// level is open to everyone or every member.
pub fn check_narrows(builtins: &Builtins, parent: &Audience, child: &Audience, field: &str) -> Result<(), ApiError> {
    if builtins.is_open(&parent.group_ids) || child.group_ids.iter().all(|g| parent.group_ids.contains(g)) {
        Ok(())
    } else {
        Err(ApiError::field(field, "may only name groups that can read the level above"))
    }
}

/// Group slugs of each audience, sorted, for display.
pub fn slugs(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<String>>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(i64, String)> = audience_groups::table
        .inner_join(groups::table)
        .filter(id_in(audience_groups::audience_id, ids))
        .select((audience_groups::audience_id, groups::slug))
        .order((audience_groups::audience_id, groups::slug))
        .load(conn)?;
    for (id, slug) in rows {
        out.entry(id).or_default().push(slug);
    }
    Ok(out)
}

/// Resolves the audience a member narrows a thread or post to: it must
/// narrow `parent`, and must admit its author (content nobody posting it
/// could read back is a mistake). The viewer can read it from now on.
pub fn narrowing(
    conn: &mut AnyConnection,
    viewer: &mut Viewer,
    builtins: &Builtins,
    parent_id: i64,
    names: &[String],
) -> Result<i64, ApiError> {
    let audience = resolve(conn, names, "audience")?;
    let parent = load(conn, parent_id)?;
    check_narrows(builtins, &parent, &audience, "audience")?;
    if !viewer.is_in(&audience.group_ids) {
        return Err(ApiError::field("audience", "must include a group you belong to, or you could not read it"));
    }
    viewer.admit(audience.id, &audience.group_ids);
    Ok(audience.id)
}
