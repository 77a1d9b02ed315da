//! Personal access tokens for scripts: `qrm_pat_` and 43 random characters
//! (the prefix lets secret scanners recognise a leaked one), shown once,
//! stored as SHA-256. A token acts as its owner with at most its scopes,
//! and never with more than the owner has at the moment of use.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use quorum_types::{AccessToken, UserSummary};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{now, users, PageRequest};
use crate::db::policy::Scope;
use crate::db::schema::access_tokens;
use crate::db::AnyConnection;
use crate::error::ApiError;

/// What every secret starts with.
pub const SECRET_PREFIX: &str = "qrm_pat_";
/// How much of the secret lists show, so its owner can tell tokens apart.
const SHOWN_CHARS: usize = SECRET_PREFIX.len() + 6;
/// `last_used_at` is written at most this often per token: a script's
/// every read must not cost a write.
pub const TOUCH_EVERY_SECONDS: i64 = 60;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = access_tokens)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub scopes: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

impl TokenRow {
    pub fn scopes(&self) -> Vec<Scope> {
        self.scopes.split(',').filter_map(Scope::parse).collect()
    }
}

/// A valid token presented with a request.
#[derive(Debug, Clone)]
pub struct Presented {
    pub id: i64,
    pub user_id: i64,
    pub scopes: Vec<Scope>,
    /// Whether `last_used_at` is old enough to be written again.
    pub stale: bool,
}

fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a bearer credential looks like a personal access token.
pub fn is_access_token(bearer: &str) -> bool {
    bearer.starts_with(SECRET_PREFIX)
}

/// Stores a new token for `user_id`; returns it and its secret.
pub fn create(
    conn: &mut AnyConnection,
    user_id: i64,
    name: &str,
    scopes: &[Scope],
    expires_at: Option<NaiveDateTime>,
) -> Result<(TokenRow, String), ApiError> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let mut names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let id: i64 = diesel::insert_into(access_tokens::table)
        .values((
            access_tokens::user_id.eq(user_id),
            access_tokens::name.eq(name),
            access_tokens::prefix.eq(&secret[..SHOWN_CHARS]),
            access_tokens::token_hash.eq(digest(&secret)),
            access_tokens::scopes.eq(names.join(",")),
            access_tokens::created_at.eq(now()),
            access_tokens::expires_at.eq(expires_at),
        ))
        .returning(access_tokens::id)
        .get_result(conn)?;
    Ok((find(conn, id)?, secret))
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<TokenRow, ApiError> {
    Ok(access_tokens::table.find(id).select(TokenRow::as_select()).first(conn)?)
}

/// The live token behind `secret`, or `None` (unknown, revoked, expired).
pub fn authenticate(conn: &mut AnyConnection, secret: &str) -> Result<Option<Presented>, ApiError> {
    let row: Option<TokenRow> = access_tokens::table
        .filter(access_tokens::token_hash.eq(digest(secret)))
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?;
    let at = now();
    Ok(row.filter(|t| t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > at)).map(|t| Presented {
        id: t.id,
        user_id: t.user_id,
        scopes: t.scopes(),
        stale: t.last_used_at.is_none_or(|used| (at - used).num_seconds() >= TOUCH_EVERY_SECONDS),
    }))
}

/// Records that the token was used now.
pub fn touch(conn: &mut AnyConnection, id: i64) -> Result<(), ApiError> {
    diesel::update(access_tokens::table.find(id)).set(access_tokens::last_used_at.eq(Some(now()))).execute(conn)?;
    Ok(())
}

/// Tokens, newest first: one account's, or everyone's (`None`, for admins);
/// revoked ones only when asked.
pub fn list(
    conn: &mut AnyConnection,
    owner: Option<i64>,
    include_revoked: bool,
    page: &PageRequest,
) -> Result<(Vec<AccessToken>, Option<String>), ApiError> {
    let mut query = access_tokens::table
        .select(TokenRow::as_select())
        .order(access_tokens::id.desc())
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(user_id) = owner {
        query = query.filter(access_tokens::user_id.eq(user_id));
    }
    if !include_revoked {
        query = query.filter(access_tokens::revoked_at.is_null());
    }
    if let Some(after) = &page.after {
        query = query.filter(access_tokens::id.lt(after[0]));
    }
    let rows: Vec<TokenRow> = query.load(conn)?;
    let (rows, next) = page.finish(rows, |t| vec![t.id]);
    Ok((to_wire(conn, rows)?, next))
}

pub fn to_wire(conn: &mut AnyConnection, rows: Vec<TokenRow>) -> Result<Vec<AccessToken>, ApiError> {
    let owner_ids: Vec<i64> = rows.iter().map(|t| t.user_id).collect();
    let owners = users::summaries(conn, &owner_ids)?;
    Ok(rows
        .into_iter()
        .map(|t| AccessToken {
            id: t.id,
            scopes: t.scopes().into_iter().map(|s| s.as_str().to_owned()).collect(),
            owner: users::summary_of(&owners, t.user_id),
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at.and_utc(),
            expires_at: t.expires_at.map(|e| e.and_utc()),
            last_used_at: t.last_used_at.map(|e| e.and_utc()),
            revoked_at: t.revoked_at.map(|e| e.and_utc()),
        })
        .collect())
}

/// Revokes a token (at once: the next request with it is refused). Revoking
/// one already revoked changes nothing.
pub fn revoke(conn: &mut AnyConnection, id: i64) -> Result<TokenRow, ApiError> {
    diesel::update(access_tokens::table.find(id).filter(access_tokens::revoked_at.is_null()))
        .set(access_tokens::revoked_at.eq(Some(now())))
        .execute(conn)?;
    find(conn, id)
}

/// Summary of a token's owner, for messages.
pub fn owner_of(conn: &mut AnyConnection, row: &TokenRow) -> Result<UserSummary, ApiError> {
    let owners = users::summaries(conn, &[row.user_id])?;
    Ok(users::summary_of(&owners, row.user_id))
}

/// Every token of one account, revoked ones too, oldest first (for their
/// own archive: metadata only, as everywhere).
pub fn all_of(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<AccessToken>, ApiError> {
    let rows: Vec<TokenRow> = access_tokens::table
        .filter(access_tokens::user_id.eq(user_id))
        .select(TokenRow::as_select())
        .order(access_tokens::id)
        .load(conn)?;
    to_wire(conn, rows)
}
