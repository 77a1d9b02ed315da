//! A forum that comes to its members: notifications, watching, read
//! tracking and live updates.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::UserSummary;

/// Why a member is told about a post.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A reply to your post.
    Reply,
    /// A new post in a thread you watch.
    Watching,
    /// You were @mentioned.
    Mention,
    /// A group you are in was @mentioned.
    GroupMention,
    /// Your post was quoted.
    Quote,
    /// Your post was liked (`others` more likes folded in).
    Like,
    /// A new thread in a category you watch.
    NewThread,
    /// An event you answered going or maybe to has changed.
    EventChanged,
    /// An event you answered going or maybe to is cancelled.
    EventCancelled,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    pub post_id: i64,
    pub thread_id: i64,
    pub thread_title: String,
    /// The start of the post's text.
    pub excerpt: String,
    /// Who did it (for likes: the latest).
    pub actor: Option<UserSummary>,
    /// How many more did the same (likes: "Maren and 3 others liked …").
    pub others: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub read: bool,
}

/// `?unread=true&cursor=&limit=`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct NotificationQuery {
    /// Only unread ones.
    #[serde(default)]
    pub unread: bool,
    pub cursor: Option<String>,
    /// 1 to 100 (default 20).
    #[serde(default, deserialize_with = "crate::lenient::opt_int_query")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UnreadCount {
    pub unread: i64,
}

/// Marks notifications read: these ids, or all of them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    #[serde(default)]
    pub ids: Option<Vec<i64>>,
    /// Every notification (ignored when `ids` is given).
    #[serde(default)]
    pub all: bool,
}

/// How closely a member follows a thread or category.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WatchLevel {
    /// Told of every new post (threads) or thread (categories).
    Watching,
    /// Told only of replies to you, mentions and quotes.
    Normal,
    /// Told of nothing.
    Muted,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WatchRequest {
    pub level: WatchLevel,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WatchState {
    pub level: WatchLevel,
}

/// Reading up to this post.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    #[serde(deserialize_with = "crate::lenient::int")]
    pub post_id: i64,
}

/// A member's e-mail preference.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmailNotifications {
    /// No e-mail.
    Off,
    /// A mail per notification, when away from the forum.
    Immediate,
    /// One mail a day with what was unread.
    Daily,
}
