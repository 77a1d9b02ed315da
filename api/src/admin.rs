//! Operator actions run from the command line.

use crate::auth;
use crate::db::queries::audiences::Builtins;
use crate::db::queries::users;
use crate::db::Db;
use crate::error::ApiError;

/// Creates an account in the built-in `admins` group: how a new install
/// gets its first administrator.
pub fn create_admin(db: &Db, username: &str, email: &str, password: &str) -> Result<i64, ApiError> {
    let new = auth::new_account(username, email, password, None, None)?;
    db.write_blocking(move |conn| {
        let builtins = Builtins::load(conn)?;
        let id = users::insert(conn, &new)?;
        users::add_to_group(conn, id, builtins.admins)?;
        Ok(id)
    })
}
