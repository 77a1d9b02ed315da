//! Instance settings stored in the database, shared by every instance.

use diesel::prelude::*;

use crate::db::schema::settings;
use crate::db::AnyConnection;
use crate::error::ApiError;

pub fn get(conn: &mut AnyConnection, key: &str) -> Result<Option<String>, ApiError> {
    Ok(settings::table.find(key).select(settings::value).first(conn).optional()?)
}

/// Returns the stored value, storing `make()` first when there is none.
/// When two instances race, the first write wins and both read it back.
pub fn get_or_insert(conn: &mut AnyConnection, key: &str, make: impl FnOnce() -> String) -> Result<String, ApiError> {
    if let Some(value) = get(conn, key)? {
        return Ok(value);
    }
    let inserted =
        diesel::insert_into(settings::table).values((settings::key.eq(key), settings::value.eq(make()))).execute(conn);
    match inserted {
        Ok(_) | Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            get(conn, key)?.ok_or_else(|| ApiError::internal(format!("setting {key} vanished")))
        }
        Err(e) => Err(e.into()),
    }
}

pub fn delete(conn: &mut AnyConnection, key: &str) -> Result<(), ApiError> {
    diesel::delete(settings::table.find(key)).execute(conn)?;
    Ok(())
}

const REGISTRATION_KEY: &str = "registration";

/// Who may register: the stored setting, or `initial` (the environment's)
/// until an admin first changes it.
pub fn registration(
    conn: &mut AnyConnection,
    initial: quorum_types::Registration,
) -> Result<quorum_types::Registration, ApiError> {
    Ok(get(conn, REGISTRATION_KEY)?.as_deref().and_then(quorum_types::Registration::parse).unwrap_or(initial))
}

/// Changes who may register; logged for the audit.
pub fn set_registration(
    conn: &mut AnyConnection,
    viewer: &crate::db::policy::Viewer,
    initial: quorum_types::Registration,
    mode: quorum_types::Registration,
) -> Result<(), ApiError> {
    use super::events::{self, Kind, NewEvent};
    use crate::db::policy::actions::{require, Action, Target};
    require(viewer, Action::ManageSettings, Target::Site)?;
    let before = registration(conn, initial)?;
    if before == mode {
        return Ok(());
    }
    let updated =
        diesel::update(settings::table.find(REGISTRATION_KEY)).set(settings::value.eq(mode.as_str())).execute(conn)?;
    if updated == 0 {
        diesel::insert_into(settings::table)
            .values((settings::key.eq(REGISTRATION_KEY), settings::value.eq(mode.as_str())))
            .execute(conn)?;
    }
    let event = NewEvent::new(Kind::SettingsChanged, "settings:registration").change(
        Some(serde_json::json!({"registration": before.as_str()})),
        Some(serde_json::json!({"registration": mode.as_str()})),
    );
    events::record(conn, viewer, event)?;
    Ok(())
}

const DELETED_ACCOUNT_POSTS_KEY: &str = "deleted_account_posts";

/// What happens to a member's posts when they delete their account
/// (`anonymise` until an admin chooses otherwise).
pub fn deleted_account_posts(conn: &mut AnyConnection) -> Result<quorum_types::DeletedAccountPosts, ApiError> {
    Ok(get(conn, DELETED_ACCOUNT_POSTS_KEY)?
        .as_deref()
        .and_then(quorum_types::DeletedAccountPosts::parse)
        .unwrap_or_default())
}

/// Changes what happens to a deleted account's posts; logged for the audit.
pub fn set_deleted_account_posts(
    conn: &mut AnyConnection,
    viewer: &crate::db::policy::Viewer,
    mode: quorum_types::DeletedAccountPosts,
) -> Result<(), ApiError> {
    use super::events::{self, Kind, NewEvent};
    use crate::db::policy::actions::{require, Action, Target};
    require(viewer, Action::ManageSettings, Target::Site)?;
    let before = deleted_account_posts(conn)?;
    if before == mode {
        return Ok(());
    }
    let updated = diesel::update(settings::table.find(DELETED_ACCOUNT_POSTS_KEY))
        .set(settings::value.eq(mode.as_str()))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(settings::table)
            .values((settings::key.eq(DELETED_ACCOUNT_POSTS_KEY), settings::value.eq(mode.as_str())))
            .execute(conn)?;
    }
    let event = NewEvent::new(Kind::SettingsChanged, "settings:deleted_account_posts").change(
        Some(serde_json::json!({"deleted_account_posts": before.as_str()})),
        Some(serde_json::json!({"deleted_account_posts": mode.as_str()})),
    );
    events::record(conn, viewer, event)?;
    Ok(())
}
