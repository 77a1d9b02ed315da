//! Operator actions run from the command line.

use crate::auth;
use crate::db::queries::audiences::Builtins;
use crate::db::queries::events::{self, Kind, NewEvent};
use crate::db::queries::{password_resets, tokens, users};
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

/// Sets a member's password from the command line (a member who forgot it,
/// on a forum that sends no e-mail): the registration rules apply, every
/// session and access token of theirs stops working, open reset links
/// close, and the change is recorded.
pub fn set_password(db: &Db, username: &str, password: &str) -> Result<(), ApiError> {
    let mut v = crate::error::Validator::default();
    crate::validate::password(&mut v, "password", password);
    v.finish()?;
    let hash = crate::auth::password::hash(password)?;
    let username = username.trim().to_lowercase();
    db.write_blocking(move |conn| {
        let user = users::find_by_username(conn, &username)?;
        let changes = users::UserChanges { password_hash: Some(hash), ..Default::default() };
        users::update(conn, user.id, &changes)?;
        tokens::revoke_all(conn, user.id)?;
        users::bump_token_generation(conn, user.id)?;
        password_resets::drop_open(conn, user.id)?;
        let event = NewEvent::new(Kind::PasswordChanged, format!("user:{}", user.username))
            .user(user.id)
            .change(None, Some(serde_json::json!({ "by": "command line" })));
        events::record_as(conn, None, None, event)?;
        Ok(())
    })
}
