//! What a client needs to know about the forum before anyone signs in, and
//! the first-run setup that creates its first admin.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Who may create an account through `POST /auth/register`: anyone, only
/// people with an invitation, or nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Registration {
    Open,
    Invite,
    Closed,
}

impl Registration {
    pub fn as_str(self) -> &'static str {
        match self {
            Registration::Open => "open",
            Registration::Invite => "invite",
            Registration::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Registration> {
        [Registration::Open, Registration::Invite, Registration::Closed].into_iter().find(|r| r.as_str() == s)
    }
}

/// The forum as anyone may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Site {
    pub name: String,
    pub registration: Registration,
    /// No admin account exists yet: `POST /setup` creates the first one.
    pub needs_setup: bool,
    /// What happens to a member's posts when they delete their account.
    #[serde(default)]
    pub deleted_account_posts: crate::DeletedAccountPosts,
    /// The forum sends e-mail, so a forgotten password can be reset by a
    /// link mailed to the account (`POST /auth/password-reset`); when
    /// false, only an admin can help.
    #[serde(default)]
    pub password_reset: bool,
}

/// Creates the first admin account, with the setup token `quorum serve`
/// prints while no admin exists.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// The token from the setup link (the part after `#`).
    pub token: String,
    /// 3–32 characters of `a-z`, `0-9`, `_`, `-`; compared case-insensitively.
    pub username: String,
    pub email: String,
    /// 10 to 1024 characters.
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
}
