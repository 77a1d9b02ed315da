//! Running a forum: personal access tokens, settings, invitations, people,
//! suspensions, bulk membership, flags and the audit log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::{Registration, UserSummary};

/// A personal access token, as lists show it (never its secret).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccessToken {
    pub id: i64,
    pub name: String,
    /// The first characters of the secret, e.g. `qrm_pat_Xy3k9a`.
    pub prefix: String,
    /// Any of `read`, `write`, `moderate`, `admin`.
    pub scopes: Vec<String>,
    pub owner: UserSummary,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// What the token is for, 1–100 characters.
    pub name: String,
    /// At least one of `read`, `write`, `moderate`, `admin`. A token never
    /// grants more than its owner has when it is used.
    pub scopes: Vec<String>,
    /// When it stops working; none means until revoked.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// The new token, with its secret: shown this once, never again.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreatedToken {
    pub token: AccessToken,
    /// Send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// `?user=&include_revoked=&cursor=&limit=` for the admins' token list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TokenListQuery {
    /// Only this member's tokens (username).
    pub user: Option<String>,
    /// Revoked tokens too.
    #[serde(default)]
    pub include_revoked: bool,
    pub cursor: Option<String>,
    /// 1 to 100 (default 20).
    #[serde(default, deserialize_with = "crate::lenient::opt_int_query")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
}

/// Settings an admin changes at run time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminSettings {
    pub registration: Registration,
    /// Whether e-mail can be sent (`QUORUM_SMTP_URL`); read-only.
    pub mail_configured: bool,
    /// What happens to a member's posts when they delete their account.
    pub deleted_account_posts: crate::DeletedAccountPosts,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateSettingsRequest {
    pub registration: Option<Registration>,
    /// `keep`, `anonymise` (the default) or `remove`.
    #[serde(default)]
    pub deleted_account_posts: Option<crate::DeletedAccountPosts>,
}

/// An invitation to register: the groups its users join, how long and how
/// often it works.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Invite {
    pub id: i64,
    /// The first characters of the code, to tell invitations apart.
    pub prefix: String,
    pub note: String,
    pub groups: Vec<String>,
    pub max_uses: i32,
    pub uses: i32,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_by: UserSummary,
    pub created_at: DateTime<Utc>,
    /// Usable now: not revoked, not expired, not used up.
    pub usable: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateInviteRequest {
    /// Groups (slugs) the new member joins.
    #[serde(default)]
    pub groups: Vec<String>,
    /// How many accounts it may create, 1–1000 (default 1).
    #[serde(default, deserialize_with = "crate::lenient::opt_int")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    pub max_uses: Option<i32>,
    /// When it stops working (default: in 14 days).
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// For the admins: who it is for.
    #[serde(default)]
    pub note: String,
}

/// The new invitation with its code: shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreatedInvite {
    pub invite: Invite,
    /// Give it to the person invited (`invite` on `POST /auth/register`).
    pub code: String,
    /// The web app's registration page with the code filled in.
    pub url: String,
}

/// An account, as admins see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub groups: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub suspended_until: Option<DateTime<Utc>>,
    pub suspension_reason: Option<String>,
}

/// `?q=&group=&cursor=&limit=` for the admins' list of accounts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct UserListQuery {
    /// Part of a username, display name or e-mail address.
    pub q: Option<String>,
    /// Only members of this group (slug).
    pub group: Option<String>,
    pub cursor: Option<String>,
    /// 1 to 100 (default 20).
    #[serde(default, deserialize_with = "crate::lenient::opt_int_query")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SuspendRequest {
    /// Told to the member, 1–500 characters.
    pub reason: String,
    /// When the suspension ends; none means until lifted.
    #[serde(default)]
    pub until: Option<DateTime<Utc>>,
}

/// `PUT /groups/{slug}/members` with a list of usernames.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkMembersRequest {
    /// Up to 5,000 usernames.
    pub usernames: Vec<String>,
}

/// What a bulk membership change did, in one transaction.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BulkMembersResult {
    pub added: Vec<String>,
    pub already_present: Vec<String>,
    /// With `?replace=true`: members not in the list, now removed.
    pub removed: Vec<String>,
    /// Names no account has; nothing was done for them.
    pub unknown: Vec<String>,
}

/// `?replace=true` makes the list the group's whole membership.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct BulkMembersQuery {
    #[serde(default)]
    pub replace: bool,
}

/// Why a post is flagged.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FlagReason {
    Spam,
    Abuse,
    OffTopic,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FlagRequest {
    pub reason: FlagReason,
    /// For the moderators, up to 1,000 characters.
    #[serde(default)]
    pub note: String,
}

/// A flag on a post, as the moderators' queue shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Flag {
    pub id: i64,
    pub post_id: i64,
    pub thread_id: i64,
    pub thread_title: String,
    /// The flagged post's author and an excerpt of its text.
    pub post_author: UserSummary,
    pub excerpt: String,
    pub reason: FlagReason,
    pub note: String,
    pub reporter: UserSummary,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<UserSummary>,
    /// `resolved` (acted on) or `dismissed`.
    pub resolution: Option<String>,
}

/// `?status=open|closed&cursor=&limit=`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct FlagListQuery {
    /// `open` (default) or `closed`.
    pub status: Option<String>,
    pub cursor: Option<String>,
    /// 1 to 100 (default 20).
    #[serde(default, deserialize_with = "crate::lenient::opt_int_query")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResolveFlagRequest {
    /// `resolved` (the post was dealt with) or `dismissed` (nothing wrong).
    pub resolution: String,
    /// Also hide the post (for `resolved`).
    #[serde(default)]
    pub hide_post: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HideRequest {
    /// Shown in the hidden post's place, up to 500 characters.
    #[serde(default)]
    pub reason: String,
}

/// Deleted content a moderator may bring back: a thread, or a reply in a
/// live thread. Only what the moderator could read were it not deleted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeletedItem {
    /// `thread` or `post`.
    pub kind: String,
    /// The thread's id (for a thread) or the post's id (for a post).
    pub id: i64,
    pub thread_id: i64,
    pub thread_title: String,
    /// The category's slug.
    pub category: String,
    pub author: UserSummary,
    /// The post's text, shortened; for a thread, its opening post's text.
    pub excerpt: String,
    pub deleted_at: DateTime<Utc>,
}

/// `?kind=threads|posts&cursor=&limit=`, most recently deleted first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DeletedQuery {
    /// `threads` (default) or `posts`.
    pub kind: Option<String>,
    pub cursor: Option<String>,
    /// 1 to 100 (default 20).
    #[serde(default, deserialize_with = "crate::lenient::opt_int_query")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
}

/// One entry of the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// E.g. `group.member_added`, `thread.moved`, `user.suspended`.
    pub action: String,
    pub actor: Option<UserSummary>,
    /// What was acted on, e.g. `group:board`, `thread:12`, `user:ada`.
    pub target: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
    pub client_address: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// `?actor=&action=&cursor=&limit=`, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// Username of the actor.
    pub actor: Option<String>,
    /// An action, e.g. `thread.moved`, or a prefix ending in `.`, e.g. `group.`.
    pub action: Option<String>,
    pub cursor: Option<String>,
    /// 1 to 100 (default 20).
    #[serde(default, deserialize_with = "crate::lenient::opt_int_query")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
}
