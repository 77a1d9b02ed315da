//! Invitations to register: a code (shown once, stored as SHA-256) that
//! works until it expires, is used up or revoked, and puts whoever
//! registers with it into its groups.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use quorum_types::Invite;
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::events::{self, Kind, NewEvent};
use super::{groups, now, users, PageRequest};
use crate::db::policy::actions::{require, Action, Target};
use crate::db::policy::Viewer;
use crate::db::schema::{groups as groups_t, invite_groups, invites};
use crate::db::AnyConnection;
use crate::error::ApiError;

pub const DEFAULT_DAYS: i64 = 14;
pub const MAX_USES: i32 = 1000;
const SHOWN_CHARS: usize = 6;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invites)]
struct InviteRow {
    id: i64,
    prefix: String,
    created_by: i64,
    note: String,
    max_uses: i32,
    uses: i32,
    expires_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

impl InviteRow {
    fn usable(&self, at: NaiveDateTime) -> bool {
        self.revoked_at.is_none() && self.uses < self.max_uses && self.expires_at.is_none_or(|e| e > at)
    }
}

fn digest(code: &str) -> String {
    Sha256::digest(code.trim().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub struct NewInvite<'a> {
    pub groups: &'a [String],
    pub max_uses: Option<i32>,
    pub expires_at: Option<NaiveDateTime>,
    pub note: &'a str,
}

/// Creates an invitation; returns it and its code.
pub fn create(conn: &mut AnyConnection, viewer: &Viewer, new: NewInvite<'_>) -> Result<(Invite, String), ApiError> {
    require(viewer, Action::ManageInvites, Target::Site)?;
    let account = viewer.require_account()?;
    let max_uses = new.max_uses.unwrap_or(1);
    if !(1..=MAX_USES).contains(&max_uses) {
        return Err(ApiError::field("max_uses", format!("must be 1 to {MAX_USES}")));
    }
    let at = now();
    let expires_at = new.expires_at.unwrap_or(at + Duration::days(DEFAULT_DAYS));
    if expires_at <= at {
        return Err(ApiError::field("expires_at", "must be in the future"));
    }
    if new.note.chars().count() > 500 || new.note.contains('\0') {
        return Err(ApiError::field("note", "must be at most 500 characters, without NUL"));
    }
    let mut group_ids = Vec::new();
    for slug in new.groups {
        let group = groups::get(conn, slug.trim()).map_err(|e| e.missing_as_field("groups", "no such group"))?;
        if group.builtin {
            return Err(ApiError::field("groups", "an invitation cannot make anyone an admin or moderator"));
        }
        group_ids.push(groups::id_of(conn, &group.slug)?);
    }
    group_ids.sort_unstable();
    group_ids.dedup();
    let mut bytes = [0u8; 18];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let code = URL_SAFE_NO_PAD.encode(bytes);
    let id: i64 = diesel::insert_into(invites::table)
        .values((
            invites::code_hash.eq(digest(&code)),
            invites::prefix.eq(&code[..SHOWN_CHARS]),
            invites::created_by.eq(account.id),
            invites::note.eq(new.note.trim()),
            invites::max_uses.eq(max_uses),
            invites::uses.eq(0),
            invites::expires_at.eq(Some(expires_at)),
            invites::created_at.eq(at),
        ))
        .returning(invites::id)
        .get_result(conn)?;
    for group_id in &group_ids {
        diesel::insert_into(invite_groups::table)
            .values((invite_groups::invite_id.eq(id), invite_groups::group_id.eq(*group_id)))
            .execute(conn)?;
    }
    let invite = get(conn, id)?;
    events::record(
        conn,
        viewer,
        NewEvent::new(Kind::InviteCreated, format!("invite:{}", invite.prefix)).change(
            None,
            Some(json!({"groups": invite.groups, "max_uses": max_uses, "expires_at": invite.expires_at, "note": invite.note})),
        ),
    )?;
    Ok((invite, code))
}

fn get(conn: &mut AnyConnection, id: i64) -> Result<Invite, ApiError> {
    let row: InviteRow = invites::table.find(id).select(InviteRow::as_select()).first(conn)?;
    Ok(to_wire(conn, vec![row])?.remove(0))
}

fn to_wire(conn: &mut AnyConnection, rows: Vec<InviteRow>) -> Result<Vec<Invite>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let pairs: Vec<(i64, String)> = invite_groups::table
        .inner_join(groups_t::table)
        .filter(invite_groups::invite_id.eq_any(&ids))
        .select((invite_groups::invite_id, groups_t::slug))
        .order(groups_t::slug)
        .load(conn)?;
    let mut slugs: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, slug) in pairs {
        slugs.entry(id).or_default().push(slug);
    }
    let creators: Vec<i64> = rows.iter().map(|r| r.created_by).collect();
    let creators = users::summaries(conn, &creators)?;
    let at = now();
    Ok(rows
        .into_iter()
        .map(|r| Invite {
            id: r.id,
            usable: r.usable(at),
            groups: slugs.remove(&r.id).unwrap_or_default(),
            created_by: users::summary_of(&creators, r.created_by),
            prefix: r.prefix,
            note: r.note,
            max_uses: r.max_uses,
            uses: r.uses,
            expires_at: r.expires_at.map(|t| t.and_utc()),
            revoked_at: r.revoked_at.map(|t| t.and_utc()),
            created_at: r.created_at.and_utc(),
        })
        .collect())
}

/// Invitations, newest first.
pub fn list(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    page: &PageRequest,
) -> Result<(Vec<Invite>, Option<String>), ApiError> {
    require(viewer, Action::ManageInvites, Target::Site)?;
    let mut query =
        invites::table.select(InviteRow::as_select()).order(invites::id.desc()).limit(page.limit + 1).into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(invites::id.lt(after[0]));
    }
    let rows: Vec<InviteRow> = query.load(conn)?;
    let (rows, next) = page.finish(rows, |r| vec![r.id]);
    Ok((to_wire(conn, rows)?, next))
}

pub fn revoke(conn: &mut AnyConnection, viewer: &Viewer, id: i64) -> Result<Invite, ApiError> {
    require(viewer, Action::ManageInvites, Target::Site)?;
    let row: InviteRow = invites::table.find(id).select(InviteRow::as_select()).first(conn)?;
    if row.revoked_at.is_none() {
        diesel::update(invites::table.find(id)).set(invites::revoked_at.eq(Some(now()))).execute(conn)?;
        events::record(conn, viewer, NewEvent::new(Kind::InviteRevoked, format!("invite:{}", row.prefix)))?;
    }
    get(conn, id)
}

/// Uses one invitation for a new account: locks it, checks it, counts the
/// use and puts the account into its groups. A code that does not work
/// is a validation error on `invite`, the same whatever the reason.
pub fn redeem(conn: &mut AnyConnection, code: &str, user_id: i64, address: Option<&str>) -> Result<(), ApiError> {
    let invalid = || ApiError::field("invite", "this invitation does not work: it may have expired or been used up");
    if code.contains('\0') {
        return Err(invalid());
    }
    let hash = digest(code);
    // A write first: PostgreSQL locks the row, so the last use cannot be taken twice.
    diesel::update(invites::table.filter(invites::code_hash.eq(&hash)))
        .set(invites::uses.eq(invites::uses))
        .execute(conn)?;
    let row: InviteRow = invites::table
        .filter(invites::code_hash.eq(&hash))
        .select(InviteRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(invalid)?;
    if !row.usable(now()) {
        return Err(invalid());
    }
    diesel::update(invites::table.find(row.id)).set(invites::uses.eq(invites::uses + 1)).execute(conn)?;
    let group_ids: Vec<i64> =
        invite_groups::table.filter(invite_groups::invite_id.eq(row.id)).select(invite_groups::group_id).load(conn)?;
    for group_id in group_ids {
        if groups::add_member_unchecked(conn, group_id, user_id)? {
            let slug: String = groups_t::table.find(group_id).select(groups_t::slug).first(conn)?;
            let event = NewEvent::new(Kind::MemberAdded, format!("group:{slug}"))
                .group(group_id)
                .user(user_id)
                .change(None, Some(json!({"invite": row.prefix})));
            events::record_as(conn, Some(user_id), address, event)?;
        }
    }
    Ok(())
}

/// Every invitation `user_id` created, oldest first (for their own archive).
pub fn created_by(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<Invite>, ApiError> {
    let rows: Vec<InviteRow> = invites::table
        .filter(invites::created_by.eq(user_id))
        .select(InviteRow::as_select())
        .order(invites::id)
        .load(conn)?;
    to_wire(conn, rows)
}
