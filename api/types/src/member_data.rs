//! A member's own data: the archive `GET /me/export` gives them, and the
//! account deletion `DELETE /me` carries out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::{AccessToken, Invite, Me, NotificationKind, PollAnswer, RsvpAnswer, WatchLevel};

/// The `format` of every member archive.
pub const MEMBER_EXPORT_FORMAT: &str = "quorum.member-export";
/// The archive's version: raised when a field changes meaning or goes away
/// (new fields may appear within a version).
pub const MEMBER_EXPORT_VERSION: u32 = 1;

/// What happens to a member's posts and threads when they delete their
/// account (an admin setting; everything else of theirs goes either way).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DeletedAccountPosts {
    /// Posts stay, under the member's username and display name (nothing
    /// else of theirs remains; the name cannot be registered again).
    Keep,
    /// Posts stay, shown as by "a former member"; the username is freed.
    #[default]
    Anonymise,
    /// Posts are removed (their text erased); a thread others replied to
    /// keeps its title and a notice in place of its first post. Shown as
    /// by "a former member"; the username is freed.
    Remove,
}

impl DeletedAccountPosts {
    pub const ALL: [DeletedAccountPosts; 3] =
        [DeletedAccountPosts::Keep, DeletedAccountPosts::Anonymise, DeletedAccountPosts::Remove];

    pub fn as_str(self) -> &'static str {
        match self {
            DeletedAccountPosts::Keep => "keep",
            DeletedAccountPosts::Anonymise => "anonymise",
            DeletedAccountPosts::Remove => "remove",
        }
    }

    pub fn parse(s: &str) -> Option<DeletedAccountPosts> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The display name every anonymised account takes.
pub const FORMER_MEMBER: &str = "a former member";

/// Delete the signed-in account, confirmed with its password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteAccountRequest {
    pub password: String,
}

/// Everything of one member's that they may still read, as of `exported_at`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MemberExport {
    /// Always `quorum.member-export`.
    pub format: String,
    /// `1` for this layout.
    pub version: u32,
    pub exported_at: DateTime<Utc>,
    /// The forum's name.
    pub site: String,
    /// Profile and settings (time zone, e-mail notifications, groups).
    pub account: Me,
    /// Groups the member is in, with when they joined.
    pub memberships: Vec<ExportedMembership>,
    /// Threads the member started and can read.
    pub threads: Vec<ExportedThread>,
    /// The member's posts they can read, opening posts included, as written (Markdown).
    pub posts: Vec<ExportedPost>,
    /// Posts the member liked, by id only: other people's posts are not theirs to export.
    pub likes: Vec<ExportedLike>,
    pub notifications: Vec<ExportedNotification>,
    /// Threads and categories followed or muted.
    pub watches: Vec<ExportedWatch>,
    pub rsvps: Vec<ExportedRsvp>,
    pub poll_answers: Vec<ExportedPollAnswer>,
    /// Posts the member flagged for moderators, with their own reason and note.
    pub flags: Vec<ExportedFlag>,
    /// Invitations the member created (codes are never stored, so never here).
    pub invites: Vec<Invite>,
    /// Personal access tokens: names, scopes and dates, never secrets.
    pub access_tokens: Vec<AccessToken>,
    /// When the member's calendar feed address was made, if they have one.
    pub calendar_feed_created_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ExportedMembership {
    pub group: String,
    pub name: String,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ExportedThread {
    pub id: i64,
    /// The category's slug.
    pub category: String,
    pub title: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ExportedPost {
    pub id: i64,
    pub thread_id: i64,
    pub thread_title: String,
    /// Whether this post opened its thread.
    pub opens_thread: bool,
    /// The post answered, when the member can read it.
    pub reply_to: Option<i64>,
    /// The groups the post was limited to, when it was.
    pub audience: Option<Vec<String>>,
    /// The Markdown as last saved.
    pub body: String,
    /// Whether a moderator hid it.
    pub hidden: bool,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ExportedLike {
    pub post_id: i64,
    pub thread_id: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ExportedNotification {
    pub id: i64,
    pub kind: NotificationKind,
    pub post_id: i64,
    pub thread_id: i64,
    /// How many events were folded into it (likes).
    pub count: i32,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ExportedWatch {
    /// Set for a thread.
    pub thread_id: Option<i64>,
    /// A category's slug, set for a category.
    pub category: Option<String>,
    pub level: WatchLevel,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ExportedRsvp {
    /// The thread carrying the event.
    pub thread_id: i64,
    pub answer: RsvpAnswer,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ExportedPollAnswer {
    pub thread_id: i64,
    pub slot_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub answer: PollAnswer,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ExportedFlag {
    pub id: i64,
    pub post_id: i64,
    pub reason: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// `resolved` or `dismissed`, once a moderator decided.
    pub resolution: Option<String>,
}
