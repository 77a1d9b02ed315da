//! The records of a portable export, one per stored row: Quorum's own
//! serde types, versioned by `FORMAT_VERSION` and independent of the wire
//! types, so the file format changes only when we say so. Ids are kept.
//! Column names are the field names; `type` names the record.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{
    access_tokens, audience_groups, audiences, calendar_tokens, categories, category_reads, dispatch_cursors, events,
    flags, group_members, groups, invite_groups, invites, likes, mail_outbox, meeting_rsvps, meetings, notifications,
    poll_answers, poll_slots, post_mentions, post_quotes, post_revisions, posts, refresh_tokens, settings,
    thread_reads, threads, uploads, users, watches,
};

/// The file's first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    pub version: u32,
    /// The newest migration of the database it was exported from.
    pub schema: String,
    pub exported_at: NaiveDateTime,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// Whether credentials and queued mail are in the file (`--with-secrets`).
    pub with_secrets: bool,
}

pub const FORMAT_NAME: &str = "quorum-export";
/// Raised whenever a record's shape changes; importers refuse versions they do not know.
pub const FORMAT_VERSION: u32 = 1;

fn is_empty(text: &str) -> bool {
    text.is_empty()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = settings, treat_none_as_default_value = false)]
pub struct Setting {
    pub key: String,
    pub value: String,
}

/// An account. `password_hash` is present only in an export made with
/// `--with-secrets`; an account imported without it cannot sign in with a
/// password (an empty hash matches none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub bio: String,
    pub time_zone: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub password_hash: String,
    pub token_generation: i64,
    pub created_at: NaiveDateTime,
    pub suspended_until: Option<NaiveDateTime>,
    pub suspension_reason: Option<String>,
    pub email_notifications: String,
    pub last_seen_at: Option<NaiveDateTime>,
    pub digest_sent_at: Option<NaiveDateTime>,
    /// When the member deleted their account (the row stays, emptied).
    #[serde(default)]
    pub deleted_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = groups, treat_none_as_default_value = false)]
pub struct Group {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub pseudo: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = group_members, treat_none_as_default_value = false)]
pub struct GroupMember {
    pub group_id: i64,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = audiences, treat_none_as_default_value = false)]
pub struct Audience {
    pub id: i64,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = audience_groups, treat_none_as_default_value = false)]
pub struct AudienceGroup {
    pub audience_id: i64,
    pub group_id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = categories, treat_none_as_default_value = false)]
pub struct Category {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub audience_id: i64,
    pub posters_id: i64,
    pub position: i32,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = threads, treat_none_as_default_value = false)]
pub struct Thread {
    pub id: i64,
    pub category_id: i64,
    pub author_id: i64,
    pub title: String,
    pub audience_id: Option<i64>,
    pub pinned: bool,
    pub locked: bool,
    pub post_counter: i32,
    pub open_posts: i32,
    pub created_at: NaiveDateTime,
    pub bumped_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// A post. Its search text is not exported: the importer derives it from
/// `body_html` and the thread's title, as `quorum reindex` does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable)]
#[diesel(table_name = posts)]
pub struct Post {
    pub id: i64,
    pub thread_id: i64,
    pub number: i32,
    pub author_id: i64,
    pub reply_to_id: Option<i64>,
    pub audience_id: Option<i64>,
    pub body: String,
    pub body_html: String,
    pub like_count: i64,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
    pub hidden_at: Option<NaiveDateTime>,
    pub hidden_reason: Option<String>,
}

/// A post as written by the importer, with its search text.
#[derive(Insertable)]
#[diesel(table_name = posts, treat_none_as_default_value = false)]
pub struct PostRow {
    pub id: i64,
    pub thread_id: i64,
    pub number: i32,
    pub author_id: i64,
    pub reply_to_id: Option<i64>,
    pub audience_id: Option<i64>,
    pub body: String,
    pub body_html: String,
    pub like_count: i64,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
    pub hidden_at: Option<NaiveDateTime>,
    pub hidden_reason: Option<String>,
    pub search_title: String,
    pub search_body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = post_revisions, treat_none_as_default_value = false)]
pub struct PostRevision {
    pub id: i64,
    pub post_id: i64,
    pub number: i32,
    pub body: String,
    pub body_html: String,
    pub editor_id: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = post_mentions, treat_none_as_default_value = false)]
pub struct PostMention {
    pub post_id: i64,
    pub user_id: Option<i64>,
    pub group_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = post_quotes, treat_none_as_default_value = false)]
pub struct PostQuote {
    pub post_id: i64,
    pub quoted_id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = likes, treat_none_as_default_value = false)]
pub struct Like {
    pub post_id: i64,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = meetings, treat_none_as_default_value = false)]
pub struct Meeting {
    pub thread_id: i64,
    pub uid: String,
    pub organiser_id: i64,
    pub title: String,
    pub start_wall: String,
    pub end_wall: String,
    pub timezone: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub place: String,
    pub link: String,
    pub description: String,
    pub status: String,
    pub sequence: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = meeting_rsvps, treat_none_as_default_value = false)]
pub struct MeetingRsvp {
    pub thread_id: i64,
    pub user_id: i64,
    pub answer: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = poll_slots, treat_none_as_default_value = false)]
pub struct PollSlot {
    pub id: i64,
    pub thread_id: i64,
    pub position: i32,
    pub start_wall: String,
    pub end_wall: String,
    pub timezone: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = poll_answers, treat_none_as_default_value = false)]
pub struct PollAnswer {
    pub slot_id: i64,
    pub user_id: i64,
    pub answer: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications, treat_none_as_default_value = false)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub post_id: i64,
    pub thread_id: i64,
    pub actor_id: Option<i64>,
    pub count: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
    pub mailed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = watches, treat_none_as_default_value = false)]
pub struct Watch {
    pub user_id: i64,
    pub thread_id: Option<i64>,
    pub category_id: Option<i64>,
    pub level: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = thread_reads, treat_none_as_default_value = false)]
pub struct ThreadRead {
    pub user_id: i64,
    pub thread_id: i64,
    pub last_read_post_id: i64,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = category_reads, treat_none_as_default_value = false)]
pub struct CategoryRead {
    pub user_id: i64,
    pub category_id: i64,
    pub read_up_to_post_id: i64,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = flags, treat_none_as_default_value = false)]
pub struct Flag {
    pub id: i64,
    pub post_id: i64,
    pub reporter_id: i64,
    pub reason: String,
    pub note: String,
    pub created_at: NaiveDateTime,
    pub resolved_at: Option<NaiveDateTime>,
    pub resolved_by: Option<i64>,
    pub resolution: Option<String>,
}

/// An invitation. `code_hash` only with `--with-secrets`; without it the
/// importer stores a value no code hashes to, so the invitation is kept
/// for the record but cannot be redeemed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = invites, treat_none_as_default_value = false)]
pub struct Invite {
    pub id: i64,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub code_hash: String,
    pub prefix: String,
    pub created_by: i64,
    pub note: String,
    pub max_uses: i32,
    pub uses: i32,
    pub expires_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = invite_groups, treat_none_as_default_value = false)]
pub struct InviteGroup {
    pub invite_id: i64,
    pub group_id: i64,
}

/// The event log: the audit log (`audited`) and what the once-per-forum
/// subscribers follow; kept with [`DispatchCursor`] so nothing is notified
/// or mailed twice, or missed, after a move.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = events, treat_none_as_default_value = false)]
pub struct Event {
    pub id: i64,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub category_id: Option<i64>,
    pub thread_id: Option<i64>,
    pub post_id: Option<i64>,
    pub user_id: Option<i64>,
    pub group_id: Option<i64>,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub client_address: Option<String>,
    pub audited: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = dispatch_cursors, treat_none_as_default_value = false)]
pub struct DispatchCursor {
    pub name: String,
    pub last_event_id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = access_tokens, treat_none_as_default_value = false)]
pub struct AccessToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub token_hash: String,
    pub scopes: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens, treat_none_as_default_value = false)]
pub struct RefreshToken {
    pub id: i64,
    pub user_id: i64,
    pub family: String,
    pub generation: i64,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_tokens, treat_none_as_default_value = false)]
pub struct CalendarToken {
    pub user_id: i64,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
}

/// An upload's metadata. Its bytes are not in the export: they stay in
/// the upload directory (`QUORUM_UPLOAD_DIR`), copied beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = uploads, treat_none_as_default_value = false)]
pub struct Upload {
    pub id: String,
    pub uploader_id: i64,
    pub post_id: Option<i64>,
    pub size: i64,
    pub content_type: String,
    pub filename: String,
    pub storage_key: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = mail_outbox, treat_none_as_default_value = false)]
pub struct Mail {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub notification_id: Option<i64>,
    pub payload: String,
    pub created_at: NaiveDateTime,
    pub send_after: NaiveDateTime,
    pub attempts: i32,
    pub sent_at: Option<NaiveDateTime>,
    pub dropped_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

/// One line after the header. The variants are in the order an export
/// writes them, each after everything it refers to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Setting(Setting),
    User(User),
    Group(Group),
    GroupMember(GroupMember),
    Audience(Audience),
    AudienceGroup(AudienceGroup),
    Category(Category),
    Thread(Thread),
    Post(Post),
    PostRevision(PostRevision),
    PostMention(PostMention),
    PostQuote(PostQuote),
    Like(Like),
    Meeting(Meeting),
    MeetingRsvp(MeetingRsvp),
    PollSlot(PollSlot),
    PollAnswer(PollAnswer),
    Notification(Notification),
    Watch(Watch),
    ThreadRead(ThreadRead),
    CategoryRead(CategoryRead),
    Flag(Flag),
    Invite(Invite),
    InviteGroup(InviteGroup),
    Event(Event),
    DispatchCursor(DispatchCursor),
    AccessToken(AccessToken),
    RefreshToken(RefreshToken),
    CalendarToken(CalendarToken),
    Mail(Mail),
    Upload(Upload),
    /// The last line: how many records of each type came before it, so a
    /// truncated file is refused rather than half-imported.
    End(End),
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct End {
    pub counts: std::collections::BTreeMap<String, u64>,
}

impl Record {
    /// The `type` of the line.
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Setting(_) => "setting",
            Record::User(_) => "user",
            Record::Group(_) => "group",
            Record::GroupMember(_) => "group_member",
            Record::Audience(_) => "audience",
            Record::AudienceGroup(_) => "audience_group",
            Record::Category(_) => "category",
            Record::Thread(_) => "thread",
            Record::Post(_) => "post",
            Record::PostRevision(_) => "post_revision",
            Record::PostMention(_) => "post_mention",
            Record::PostQuote(_) => "post_quote",
            Record::Like(_) => "like",
            Record::Meeting(_) => "meeting",
            Record::MeetingRsvp(_) => "meeting_rsvp",
            Record::PollSlot(_) => "poll_slot",
            Record::PollAnswer(_) => "poll_answer",
            Record::Notification(_) => "notification",
            Record::Watch(_) => "watch",
            Record::ThreadRead(_) => "thread_read",
            Record::CategoryRead(_) => "category_read",
            Record::Flag(_) => "flag",
            Record::Invite(_) => "invite",
            Record::InviteGroup(_) => "invite_group",
            Record::Event(_) => "event",
            Record::DispatchCursor(_) => "dispatch_cursor",
            Record::AccessToken(_) => "access_token",
            Record::RefreshToken(_) => "refresh_token",
            Record::CalendarToken(_) => "calendar_token",
            Record::Mail(_) => "mail",
            Record::Upload(_) => "upload",
            Record::End(_) => "end",
        }
    }
}
