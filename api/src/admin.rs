//! Operator actions run from the command line.

use crate::auth::password;
use crate::db::queries::audiences::Builtins;
use crate::db::queries::{now, users};
use crate::db::Db;
use crate::error::{ApiError, Validator};
use crate::validate;

/// Creates an account in the built-in `admins` group: how a new install
/// gets its first administrator.
pub fn create_admin(db: &Db, username: &str, email: &str, password: &str) -> Result<i64, ApiError> {
    let mut v = Validator::default();
    let username = validate::username(&mut v, username);
    let email = validate::email(&mut v, email);
    validate::password(&mut v, "password", password);
    v.finish()?;
    let hash = password::hash(password)?;
    db.write_blocking(move |conn| {
        let builtins = Builtins::load(conn)?;
        let id = users::insert(
            conn,
            &users::NewUser {
                display_name: username.clone(),
                username,
                email,
                bio: String::new(),
                time_zone: "UTC".into(),
                password_hash: hash,
                token_generation: 0,
                created_at: now(),
            },
        )?;
        users::add_to_group(conn, id, builtins.admins)?;
        Ok(id)
    })
}
