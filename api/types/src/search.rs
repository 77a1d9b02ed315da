//! Full-text search.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::UserSummary;

/// `GET /search`. The query syntax: words (all must occur, stemmed, accents
/// ignored), `"a phrase"`, `prefix*`, `-excluded` (word, phrase or prefix),
/// `@username` (author), `#category-slug`; any other character separates words.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct SearchQuery {
    /// What to look for (at most 500 characters).
    pub q: String,
    /// Only in this category (slug); `#slug` in `q` does the same.
    pub category: Option<String>,
    /// Only posts by this username; `@username` in `q` does the same.
    pub author: Option<String>,
    /// `titles` (thread titles only) or `posts` (post text only); both when absent.
    #[serde(rename = "in")]
    #[cfg_attr(feature = "openapi", param(rename = "in"))]
    pub field: Option<SearchIn>,
    /// Only posts written before this time (RFC 3339).
    pub before: Option<DateTime<Utc>>,
    /// Only posts written at or after this time (RFC 3339).
    pub after: Option<DateTime<Utc>>,
    /// `relevance` (default) or `newest`.
    pub order: Option<SearchOrder>,
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1 to 100 (default 20).
    #[serde(default, deserialize_with = "crate::lenient::opt_int_query")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SearchIn {
    Titles,
    Posts,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SearchOrder {
    #[default]
    Relevance,
    Newest,
}

/// One post that matches, with its thread. Results are flat (one per
/// matching post); a thread whose title matches is found through its
/// opening post.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SearchHit {
    pub post_id: i64,
    pub thread_id: i64,
    pub thread_title: String,
    /// The thread title as HTML: escaped, matching words in `<mark>`.
    pub thread_title_html: String,
    /// Slug of the thread's category.
    pub category: String,
    pub author: UserSummary,
    pub created_at: DateTime<Utc>,
    /// Whether this is the thread's opening post.
    pub opens_thread: bool,
    /// An excerpt of the post's text as HTML: escaped, matching words in
    /// `<mark>`, no other markup.
    pub snippet: String,
}
