//! Personal calendar feeds: one secret per member (`qrm_cal_` and 43
//! random characters), shown once, stored as SHA-256. The secret opens the
//! member's feed and nothing else: it is never accepted as a bearer
//! credential, and the feed holds what the member may read when it is fetched.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::events::{self, Kind, NewEvent};
use super::now;
use crate::db::policy::actions::{require, Action, Target};
use crate::db::policy::Viewer;
use crate::db::schema::calendar_tokens;
use crate::db::AnyConnection;
use crate::error::ApiError;

pub const SECRET_PREFIX: &str = "qrm_cal_";

fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates the viewer's feed secret, replacing (and so revoking) any older one.
pub fn rotate(conn: &mut AnyConnection, viewer: &Viewer) -> Result<String, ApiError> {
    let account = viewer.require_account()?;
    require(viewer, Action::ManageOwnTokens, Target::Site)?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    diesel::delete(calendar_tokens::table.find(account.id)).execute(conn)?;
    diesel::insert_into(calendar_tokens::table)
        .values((
            calendar_tokens::user_id.eq(account.id),
            calendar_tokens::token_hash.eq(digest(&secret)),
            calendar_tokens::created_at.eq(now()),
        ))
        .execute(conn)?;
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::TokenCreated, format!("calendar-feed:{}", account.username)).user(account.id),
    )?;
    Ok(secret)
}

/// Revokes the viewer's feed secret; `false` when there was none.
pub fn revoke(conn: &mut AnyConnection, viewer: &Viewer) -> Result<bool, ApiError> {
    let account = viewer.require_account()?;
    require(viewer, Action::ManageOwnTokens, Target::Site)?;
    let gone = diesel::delete(calendar_tokens::table.find(account.id)).execute(conn)? > 0;
    if gone {
        events::record(
            conn,
            viewer,
            NewEvent::new(Kind::TokenRevoked, format!("calendar-feed:{}", account.username)).user(account.id),
        )?;
    }
    Ok(gone)
}

/// The member a feed secret belongs to, if it is live.
pub fn owner(conn: &mut AnyConnection, secret: &str) -> Result<Option<i64>, ApiError> {
    if !secret.starts_with(SECRET_PREFIX) {
        return Ok(None);
    }
    Ok(calendar_tokens::table
        .filter(calendar_tokens::token_hash.eq(digest(secret)))
        .select(calendar_tokens::user_id)
        .first(conn)
        .optional()?)
}
