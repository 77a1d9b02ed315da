//! Categories, threads, posts, likes and revisions.
//!
//! An audience is a list of group slugs, or one of the reserved names
//! `everyone` and `signed-in`. On a category it is required (default
//! `["everyone"]`); on a thread or post it is optional and narrows the level
//! above (`null` means "whoever can read the level above").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::UserSummary;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Category {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// Who can read the category.
    pub audience: Vec<String>,
    /// Who can start threads in it.
    pub posters: Vec<String>,
    pub position: i32,
    /// Threads in this category the viewer can read.
    pub thread_count: i64,
    /// Last activity among those threads.
    pub last_activity_at: Option<DateTime<Utc>>,
    /// Whether the viewer may start a thread here.
    pub can_post: bool,
    /// How closely the signed-in viewer follows this category (`normal`
    /// unless they chose otherwise); `null` for anonymous viewers.
    #[serde(default)]
    pub watch_level: Option<crate::WatchLevel>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateCategoryRequest {
    /// 2–48 characters of `a-z`, `0-9`, `-`.
    pub slug: String,
    /// 1–100 characters.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Default `["everyone"]`.
    #[serde(default)]
    pub audience: Option<Vec<String>>,
    /// Default `["signed-in"]`.
    #[serde(default)]
    pub posters: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::lenient::opt_int")]
    pub position: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateCategoryRequest {
    pub name: Option<String>,
    pub description: Option<String>,
    pub audience: Option<Vec<String>>,
    pub posters: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::lenient::opt_int")]
    pub position: Option<i32>,
}

/// A thread as it appears in lists and on its own page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Thread {
    pub id: i64,
    /// Slug of the category.
    pub category: String,
    pub title: String,
    pub author: UserSummary,
    /// Narrowed audience, or `null` when the category's applies.
    pub audience: Option<Vec<String>>,
    pub pinned: bool,
    pub locked: bool,
    /// Replies (posts after the first) the viewer can read.
    pub reply_count: i64,
    pub created_at: DateTime<Utc>,
    /// Newest post the viewer can read.
    pub last_activity_at: DateTime<Utc>,
    /// What the viewer may do with it (the API allows exactly these).
    pub can_reply: bool,
    /// Retitle: its author or a moderator, only moderators once locked.
    pub can_edit: bool,
    /// An author may delete their thread while nobody else has replied.
    pub can_delete: bool,
    /// Pin, lock and move (moderators).
    pub can_moderate: bool,
    /// How the signed-in viewer follows it (`null` when signed out).
    pub watch_level: Option<crate::WatchLevel>,
    /// The newest post the viewer has read, once they have opened the
    /// thread (or marked its category read).
    pub last_read_post_id: Option<i64>,
    /// Posts after that one the viewer can read.
    pub unread_count: i64,
    /// Never opened by the viewer, and started in the last 14 days.
    pub is_new: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateThreadRequest {
    /// Category slug.
    pub category: String,
    /// 1–200 characters.
    pub title: String,
    /// Markdown of the first post, 1–100,000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100_000))]
    pub body: String,
    #[serde(default)]
    pub audience: Option<Vec<String>>,
}

/// Returned by `POST /threads`: the thread and its first post.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreatedThread {
    pub thread: Thread,
    pub post: Post,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateThreadRequest {
    /// Author, moderators, admins.
    pub title: Option<String>,
    /// Moderators and admins.
    pub pinned: Option<bool>,
    /// Moderators and admins.
    pub locked: Option<bool>,
    /// Move to another category (slug); moderators and admins.
    pub category: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Post {
    pub id: i64,
    pub thread_id: i64,
    /// Position among the posts of this thread that the viewer can read,
    /// from 1: never a gap where a hidden or deleted post sits. Stable
    /// references use `id`.
    pub number: i32,
    pub author: UserSummary,
    /// Markdown as written.
    pub body: String,
    /// Sanitised HTML rendered from `body`.
    pub body_html: String,
    /// The post this replies to, when the viewer can read it.
    pub reply_to: Option<i64>,
    /// Narrowed audience, or `null` when the thread's applies.
    pub audience: Option<Vec<String>>,
    pub like_count: i64,
    pub liked_by_me: bool,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    /// Hidden by a moderator: only its author and moderators see its text;
    /// everyone else gets empty `body` and `body_html`, and `hidden_reason`.
    pub hidden: bool,
    pub hidden_reason: Option<String>,
    /// What the viewer may do with it (the API allows exactly these).
    pub can_edit: bool,
    pub can_delete: bool,
    pub can_like: bool,
    pub can_flag: bool,
    /// Hide, unhide (moderators).
    pub can_hide: bool,
    pub can_view_history: bool,
    /// The times written in the post (`[date=…]`, `[date-range …]`),
    /// resolved to UTC when it was saved; empty when its text is not shown.
    #[serde(default)]
    pub dates: Vec<PostDate>,
}

/// A time written in a post: `[date=2023-12-14 time=15:00
/// timezone="Europe/London"]` or `[date-range from=2023-12-14T15:00
/// to=2023-12-14T16:30 timezone="Europe/London"]`. The HTML holds it as a
/// `<time datetime="…Z">` element that reads right without JavaScript.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PostDate {
    pub start_utc: DateTime<Utc>,
    /// For a range.
    pub end_utc: Option<DateTime<Utc>>,
    /// The IANA zone it was written in.
    pub timezone: String,
    /// As written in that zone: `2023-12-14T15:00`, or
    /// `2023-12-14T15:00/2023-12-14T16:30` for a range.
    pub wall_time: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreatePostRequest {
    /// Markdown, 1–100,000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100_000))]
    pub body: String,
    /// Id of a post in the same thread.
    #[serde(default, deserialize_with = "crate::lenient::opt_int")]
    pub reply_to: Option<i64>,
    #[serde(default)]
    pub audience: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdatePostRequest {
    /// New Markdown, 1–100,000 characters; the old text is kept as a revision.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100_000))]
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Revision {
    /// 1 is the text as first posted.
    pub number: i32,
    pub body: String,
    pub body_html: String,
    pub editor: UserSummary,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Like {
    pub user: UserSummary,
    pub created_at: DateTime<Utc>,
}

/// State of the viewer's like after `PUT`/`DELETE /posts/{id}/like`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LikeState {
    pub post_id: i64,
    pub like_count: i64,
    pub liked_by_me: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserProfile {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub bio: String,
    /// The zone of the member's profile (`Europe/London`), so others can
    /// see their local time.
    pub time_zone: String,
    /// The groups they belong to (built-in ones included), by slug; empty
    /// for anonymous viewers, who may not list groups.
    pub groups: Vec<GroupBadge>,
    pub created_at: DateTime<Utc>,
}

/// A group as named on a member's profile.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GroupBadge {
    pub slug: String,
    pub name: String,
}

/// A post on its author's profile: where it is and the start of its text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserPost {
    pub post_id: i64,
    pub thread_id: i64,
    pub thread_title: String,
    /// Slug of the thread's category.
    pub category: String,
    /// Whether this post opens the thread.
    pub opens_thread: bool,
    pub created_at: DateTime<Utc>,
    /// The post's text without markup, cut at about 200 characters.
    pub excerpt: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ThreadListQuery {
    /// Category slug; all readable categories when absent.
    pub category: Option<String>,
    pub cursor: Option<String>,
    /// 1 to 100 (default 20).
    #[serde(default, deserialize_with = "crate::lenient::opt_int_query")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
}

/// `GET /threads/{id}/posts`: a page from the start, after a cursor, around
/// one post, or just before one.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PostListQuery {
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1 to 100 (default 20).
    #[serde(default, deserialize_with = "crate::lenient::opt_int_query")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
    /// A post id: the page holds up to half of `limit` readable posts
    /// before it, then it and the posts after it (for a link to one post).
    /// `next_cursor` continues after the page as usual.
    #[serde(default, deserialize_with = "crate::lenient::opt_int_query")]
    pub around: Option<i64>,
    /// A post id: the page holds the `limit` readable posts just before it,
    /// oldest first, and `next_cursor` is null (the posts after it are the
    /// ones already loaded). Earlier posts remain while the first one's
    /// `number` is above 1.
    #[serde(default, deserialize_with = "crate::lenient::opt_int_query")]
    pub before: Option<i64>,
}

/// Markdown to render exactly as a post would be, without saving it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// Markdown, up to the same length a post may have.
    #[cfg_attr(feature = "openapi", schema(max_length = 100_000))]
    pub body: String,
    /// Where the post would go: a reply in this thread …
    #[serde(default, deserialize_with = "crate::lenient::opt_int")]
    pub thread_id: Option<i64>,
    /// … or a new thread in this category (slug).
    #[serde(default)]
    pub category: Option<String>,
    /// The audience it would have (the reply's, or the new thread's).
    #[serde(default)]
    pub audience: Option<Vec<String>>,
}

/// The sanitised HTML a post with this body would show.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Preview {
    pub body_html: String,
    /// Things the author should know before posting, e.g. that someone
    /// mentioned cannot read the post (their mention stays plain text).
    pub warnings: Vec<String>,
    /// The times the post names, as they would be saved.
    #[serde(default)]
    pub dates: Vec<PostDate>,
}

/// A file uploaded to be put in a post. Until a post references its `url`
/// only its uploader can read it; from then on, whoever can read that post.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Upload {
    /// Random, 32 lowercase hex digits.
    pub id: String,
    /// Where it is read: `/api/v1/uploads/{id}/{name}`.
    pub url: String,
    /// The file name as uploaded (cleaned of paths and control characters).
    pub filename: String,
    /// The type read from the bytes: `image/png`, `image/jpeg`, `image/gif`,
    /// `image/webp`, `application/pdf` or `text/plain; charset=utf-8`.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Whether a post references it yet.
    pub in_post: bool,
    pub created_at: DateTime<Utc>,
    /// What to put in a post: `![name](url)` for an image, `[name](url)` otherwise.
    pub markdown: String,
}

/// `POST /uploads?filename=…`: the file's name (the body is the file itself).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct UploadQuery {
    /// The file's name, e.g. `board-report.pdf` (paths and control
    /// characters are dropped; at most 120 characters are kept).
    pub filename: String,
}

/// A request or response body that is a file's bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = String, format = Binary))]
pub struct FileBytes(pub Vec<u8>);
