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
