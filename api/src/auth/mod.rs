//! Authentication: JWT access tokens, password hashing, and the `Viewer`
//! extractor that turns a request into "who is asking, what may they read".

pub mod jwt;
pub mod password;
mod viewer;

pub use viewer::{presented_account, Session};

use crate::db::queries::{now, users};
use crate::error::{ApiError, Validator};
use crate::validate;

/// A new account's fields, validated, with the password hashed: what
/// registration, first-run setup and `quorum admin create` all store.
/// Hashing is slow; the server calls [`check_account`] first and hashes on
/// its bounded pool.
pub fn new_account(
    username: &str,
    email: &str,
    password: &str,
    display_name: Option<&str>,
    time_zone: Option<&str>,
) -> Result<users::NewUser, ApiError> {
    let mut new = check_account(username, email, password, display_name, time_zone)?;
    new.password_hash = password::hash(password)?;
    Ok(new)
}

/// A new account's fields, validated; `password_hash` is still empty.
pub fn check_account(
    username: &str,
    email: &str,
    password: &str,
    display_name: Option<&str>,
    time_zone: Option<&str>,
) -> Result<users::NewUser, ApiError> {
    let mut v = Validator::default();
    let username = validate::username(&mut v, username);
    let email = validate::email(&mut v, email);
    validate::password(&mut v, "password", password);
    let display_name = validate::display_name(&mut v, display_name.unwrap_or(&username));
    let time_zone = validate::time_zone(&mut v, time_zone.unwrap_or("UTC"));
    v.finish()?;
    Ok(users::NewUser {
        username,
        email,
        display_name,
        bio: String::new(),
        time_zone,
        password_hash: String::new(),
        token_generation: 0,
        created_at: now(),
    })
}
