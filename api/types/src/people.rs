//! Accounts, sessions and groups.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// 3–32 characters of `a-z`, `0-9`, `_`, `-`; compared case-insensitively.
    pub username: String,
    pub email: String,
    /// 10 to 1024 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 1024))]
    pub password: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// IANA time zone, e.g. `Europe/London`; defaults to `UTC`.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// When true, the refresh token is set as an HttpOnly cookie
    /// (`quorum_refresh`, Path=/api/v1/auth, SameSite=Strict) instead of
    /// being returned in the body. For browser apps.
    #[serde(default)]
    pub refresh_cookie: bool,
    /// An invitation code: required when registration is by invitation,
    /// and when given, the new member joins the invitation's groups.
    #[serde(default)]
    pub invite: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Username or e-mail address.
    pub login: String,
    pub password: String,
    /// When true, the refresh token is set as an HttpOnly cookie
    /// (`quorum_refresh`, Path=/api/v1/auth, SameSite=Strict) instead of
    /// being returned in the body. For browser apps.
    #[serde(default)]
    pub refresh_cookie: bool,
}

/// Asks for a password-reset link by e-mail.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// Username or e-mail address.
    pub login: String,
}

/// The same answer whether or not an account matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PasswordResetRequested {
    pub detail: String,
    /// How long the mailed link works, in minutes.
    pub expires_in_minutes: i64,
}

/// Sets a new password with the token from a reset link, and signs in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// The `token` of the link `/reset-password?token=…`.
    pub token: String,
    /// 10 to 1024 characters, as at registration.
    pub new_password: String,
    /// As in `LoginRequest`.
    #[serde(default)]
    pub refresh_cookie: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token; leave it out (send `{}`) to use the
    /// `quorum_refresh` cookie set by a sign-in with `refresh_cookie`.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// Issued by register, login and refresh.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenPair {
    /// JWT bearer token for `Authorization: Bearer …`.
    pub access_token: String,
    pub token_type: String,
    /// Seconds until `access_token` expires.
    pub expires_in: i64,
    /// Opaque, single-use: exchange it at `/auth/refresh` for a new pair.
    /// Absent when it was set as the `quorum_refresh` cookie instead.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub refresh_token: Option<String>,
    pub user: Me,
}

/// A person as other members see them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

/// The signed-in account, with its groups.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub bio: String,
    pub time_zone: String,
    /// Slugs of the groups this account belongs to.
    pub groups: Vec<String>,
    pub is_admin: bool,
    pub is_moderator: bool,
    pub created_at: DateTime<Utc>,
    /// When e-mail is sent about notifications.
    pub email_notifications: crate::EmailNotifications,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    pub display_name: Option<String>,
    /// At most 2,000 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub bio: Option<String>,
    /// IANA time zone name.
    pub time_zone: Option<String>,
    /// Changing the password needs `current_password` too, and signs out
    /// every session, this one included. 10 to 1024 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 1024))]
    pub password: Option<String>,
    pub current_password: Option<String>,
    /// `off`, `immediate` (a mail per notification while away) or `daily`.
    pub email_notifications: Option<crate::EmailNotifications>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Group {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// `admins` and `moderators` are built in.
    pub builtin: bool,
    pub member_count: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateGroupRequest {
    /// 2–32 characters of `a-z`, `0-9`, `-`; not `everyone` or `signed-in`.
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateGroupRequest {
    pub name: Option<String>,
    pub description: Option<String>,
}
