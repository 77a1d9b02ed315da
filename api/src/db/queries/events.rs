//! The event log: what every write did, recorded in that write's own
//! transaction (so an event exists exactly when its change does). The
//! dispatcher (`crate::events`) follows it after commit; rows marked
//! `audited` are the audit log.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use super::now;
use crate::db::policy::Viewer;
use crate::db::schema::events;
use crate::db::{on_inner, AnyConnection};
use crate::error::ApiError;

/// What happened. The string forms are stable: clients filter the audit
/// log by them (`?action=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ThreadCreated,
    ThreadRetitled,
    ThreadDeleted,
    ThreadRestored,
    ThreadMoved,
    ThreadPinned,
    ThreadUnpinned,
    ThreadLocked,
    ThreadUnlocked,
    PostCreated,
    PostEdited,
    PostDeleted,
    PostRestored,
    PostHidden,
    PostUnhidden,
    PostLiked,
    PostUnliked,
    PostFlagged,
    FlagResolved,
    FlagDismissed,
    GroupCreated,
    GroupUpdated,
    GroupDeleted,
    MemberAdded,
    MemberRemoved,
    CategoryCreated,
    CategoryUpdated,
    CategoryDeleted,
    SettingsChanged,
    TokenCreated,
    TokenRevoked,
    UserSuspended,
    UserUnsuspended,
    InviteCreated,
    InviteRevoked,
    AccountCreated,
    PasswordChanged,
    /// Someone asked for a password-reset link for an account (the mail
    /// goes out because of this event).
    PasswordResetRequested,
    /// A member deleted their own account.
    AccountDeleted,
    /// Someone was notified (for live updates of their unread count).
    NotificationCreated,
    /// A thread's event: first scheduled, changed, cancelled; a member's answer.
    EventScheduled,
    EventChanged,
    EventCancelled,
    EventAnswered,
    /// A thread's date poll: slots proposed or changed; a member's answers.
    PollChanged,
    PollAnswered,
    /// A file uploaded; removed once no post took it up.
    UploadCreated,
    UploadRemoved,
}

impl Kind {
    pub const ALL: [Kind; 48] = [
        Kind::ThreadCreated,
        Kind::ThreadRetitled,
        Kind::ThreadDeleted,
        Kind::ThreadRestored,
        Kind::ThreadMoved,
        Kind::ThreadPinned,
        Kind::ThreadUnpinned,
        Kind::ThreadLocked,
        Kind::ThreadUnlocked,
        Kind::PostCreated,
        Kind::PostEdited,
        Kind::PostDeleted,
        Kind::PostRestored,
        Kind::PostHidden,
        Kind::PostUnhidden,
        Kind::PostLiked,
        Kind::PostUnliked,
        Kind::PostFlagged,
        Kind::FlagResolved,
        Kind::FlagDismissed,
        Kind::GroupCreated,
        Kind::GroupUpdated,
        Kind::GroupDeleted,
        Kind::MemberAdded,
        Kind::MemberRemoved,
        Kind::CategoryCreated,
        Kind::CategoryUpdated,
        Kind::CategoryDeleted,
        Kind::SettingsChanged,
        Kind::TokenCreated,
        Kind::TokenRevoked,
        Kind::UserSuspended,
        Kind::UserUnsuspended,
        Kind::InviteCreated,
        Kind::InviteRevoked,
        Kind::AccountCreated,
        Kind::PasswordChanged,
        Kind::PasswordResetRequested,
        Kind::AccountDeleted,
        Kind::NotificationCreated,
        Kind::EventScheduled,
        Kind::EventChanged,
        Kind::EventCancelled,
        Kind::EventAnswered,
        Kind::PollChanged,
        Kind::PollAnswered,
        Kind::UploadCreated,
        Kind::UploadRemoved,
    ];

    pub fn as_str(self) -> &'static str {
        use Kind::*;
        match self {
            ThreadCreated => "thread.created",
            ThreadRetitled => "thread.retitled",
            ThreadDeleted => "thread.deleted",
            ThreadRestored => "thread.restored",
            ThreadMoved => "thread.moved",
            ThreadPinned => "thread.pinned",
            ThreadUnpinned => "thread.unpinned",
            ThreadLocked => "thread.locked",
            ThreadUnlocked => "thread.unlocked",
            PostCreated => "post.created",
            PostEdited => "post.edited",
            PostDeleted => "post.deleted",
            PostRestored => "post.restored",
            PostHidden => "post.hidden",
            PostUnhidden => "post.unhidden",
            PostLiked => "post.liked",
            PostUnliked => "post.unliked",
            PostFlagged => "post.flagged",
            FlagResolved => "flag.resolved",
            FlagDismissed => "flag.dismissed",
            GroupCreated => "group.created",
            GroupUpdated => "group.updated",
            GroupDeleted => "group.deleted",
            MemberAdded => "group.member_added",
            MemberRemoved => "group.member_removed",
            CategoryCreated => "category.created",
            CategoryUpdated => "category.updated",
            CategoryDeleted => "category.deleted",
            SettingsChanged => "settings.changed",
            TokenCreated => "token.created",
            TokenRevoked => "token.revoked",
            UserSuspended => "user.suspended",
            UserUnsuspended => "user.unsuspended",
            InviteCreated => "invite.created",
            InviteRevoked => "invite.revoked",
            AccountCreated => "account.created",
            PasswordChanged => "account.password_changed",
            PasswordResetRequested => "account.password_reset_requested",
            AccountDeleted => "account.deleted",
            NotificationCreated => "notification.created",
            EventScheduled => "event.scheduled",
            EventChanged => "event.changed",
            EventCancelled => "event.cancelled",
            EventAnswered => "event.answered",
            PollChanged => "poll.changed",
            PollAnswered => "poll.answered",
            UploadCreated => "upload.created",
            UploadRemoved => "upload.removed",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Changes of rights: always in the audit log, whoever makes them.
    fn changes_rights(self) -> bool {
        use Kind::*;
        matches!(
            self,
            GroupCreated
                | GroupUpdated
                | GroupDeleted
                | MemberAdded
                | MemberRemoved
                | CategoryCreated
                | CategoryUpdated
                | CategoryDeleted
                | SettingsChanged
                | TokenCreated
                | TokenRevoked
                | UserSuspended
                | UserUnsuspended
                | InviteCreated
                | InviteRevoked
                | AccountDeleted
        )
    }

    /// Only moderators (or admins) do these.
    fn moderates(self) -> bool {
        use Kind::*;
        matches!(
            self,
            ThreadMoved
                | ThreadPinned
                | ThreadUnpinned
                | ThreadLocked
                | ThreadUnlocked
                | ThreadRestored
                | PostHidden
                | PostUnhidden
                | PostRestored
                | FlagResolved
                | FlagDismissed
        )
    }
}

/// One thing that happened, about to be recorded.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: Kind,
    pub category_id: Option<i64>,
    pub thread_id: Option<i64>,
    pub post_id: Option<i64>,
    /// The account acted upon (a member added, suspended; a token's owner).
    pub user_id: Option<i64>,
    pub group_id: Option<i64>,
    /// What was acted on, as people read it: `thread:12`, `group:board`.
    pub target: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// The author of the content acted on: a change to someone else's
    /// content is moderation, and goes into the audit log.
    pub content_author: Option<i64>,
}

impl NewEvent {
    pub fn new(kind: Kind, target: impl Into<String>) -> NewEvent {
        NewEvent {
            kind,
            category_id: None,
            thread_id: None,
            post_id: None,
            user_id: None,
            group_id: None,
            target: target.into(),
            before: None,
            after: None,
            content_author: None,
        }
    }

    pub fn category(mut self, category_id: i64) -> NewEvent {
        self.category_id = Some(category_id);
        self
    }

    pub fn thread(mut self, category_id: i64, thread_id: i64) -> NewEvent {
        self.category_id = Some(category_id);
        self.thread_id = Some(thread_id);
        self
    }

    pub fn post(mut self, post_id: i64, author_id: i64) -> NewEvent {
        self.post_id = Some(post_id);
        self.content_author = Some(author_id);
        self
    }

    pub fn author(mut self, author_id: i64) -> NewEvent {
        self.content_author = Some(author_id);
        self
    }

    pub fn user(mut self, user_id: i64) -> NewEvent {
        self.user_id = Some(user_id);
        self
    }

    pub fn group(mut self, group_id: i64) -> NewEvent {
        self.group_id = Some(group_id);
        self
    }

    pub fn change(mut self, before: Option<Value>, after: Option<Value>) -> NewEvent {
        self.before = before;
        self.after = after;
        self
    }
}

/// Records `event`, done by `viewer`, in the current transaction.
pub fn record(conn: &mut AnyConnection, viewer: &Viewer, event: NewEvent) -> Result<i64, ApiError> {
    record_as(conn, viewer.user_id(), viewer.address.as_deref(), event)
}

/// Records `event`, done by the account `actor` (none: the system), from `address`.
pub fn record_as(
    conn: &mut AnyConnection,
    actor: Option<i64>,
    address: Option<&str>,
    event: NewEvent,
) -> Result<i64, ApiError> {
    let on_others = event.content_author.is_some_and(|author| Some(author) != actor);
    let audited = event.kind.changes_rights() || event.kind.moderates() || on_others;
    let id = diesel::insert_into(events::table)
        .values((
            events::kind.eq(event.kind.as_str()),
            events::actor_id.eq(actor),
            events::category_id.eq(event.category_id),
            events::thread_id.eq(event.thread_id),
            events::post_id.eq(event.post_id),
            events::user_id.eq(event.user_id),
            events::group_id.eq(event.group_id),
            events::target.eq(&event.target),
            events::before.eq(event.before.map(|v| v.to_string())),
            events::after.eq(event.after.map(|v| v.to_string())),
            events::client_address.eq(address),
            events::audited.eq(audited),
            events::created_at.eq(now()),
        ))
        .returning(events::id)
        .get_result(conn)?;
    Ok(id)
}

/// A row of `events`, for statements that insert many.
#[derive(Insertable)]
#[diesel(table_name = events)]
#[diesel(treat_none_as_default_value = false)]
struct EventInsert {
    kind: &'static str,
    actor_id: Option<i64>,
    category_id: Option<i64>,
    thread_id: Option<i64>,
    post_id: Option<i64>,
    user_id: Option<i64>,
    group_id: Option<i64>,
    target: String,
    before: Option<String>,
    after: Option<String>,
    client_address: Option<String>,
    audited: bool,
    created_at: NaiveDateTime,
}

/// Rows a multi-row insert writes at most (bound parameters stay well
/// under either backend's limit).
const ROWS_PER_INSERT: usize = 500;

/// [`record_as`] for many events by the system, in order, many rows per
/// statement (the notifications of a reply in a long thread are hundreds).
pub fn record_many_by_system(conn: &mut AnyConnection, many: Vec<NewEvent>) -> Result<(), ApiError> {
    let at = now();
    let rows: Vec<EventInsert> = many
        .into_iter()
        .map(|event| EventInsert {
            kind: event.kind.as_str(),
            actor_id: None,
            category_id: event.category_id,
            thread_id: event.thread_id,
            post_id: event.post_id,
            user_id: event.user_id,
            group_id: event.group_id,
            audited: event.kind.changes_rights() || event.kind.moderates() || event.content_author.is_some(),
            target: event.target,
            before: event.before.map(|v| v.to_string()),
            after: event.after.map(|v| v.to_string()),
            client_address: None,
            created_at: at,
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        on_inner!(conn, |c| diesel::insert_into(events::table).values(chunk).execute(c))?;
    }
    Ok(())
}

/// A stored event.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
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

/// The audit log, newest first: by one actor (username), of one action or
/// of actions starting with a prefix ending in `.` (e.g. `group.`).
pub fn audit(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    actor: Option<&str>,
    action: Option<&str>,
    page: &super::PageRequest,
) -> Result<(Vec<quorum_types::AuditEntry>, Option<String>), ApiError> {
    use crate::db::policy::actions::{require, Action, Target};
    require(viewer, Action::ViewAudit, Target::Site)?;
    let mut query = events::table
        .filter(events::audited.eq(true))
        .select(EventRow::as_select())
        .order(events::id.desc())
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(actor) = actor {
        let user =
            super::users::find_by_username(conn, actor).map_err(|e| e.missing_as_field("actor", "no such account"))?;
        query = query.filter(events::actor_id.eq(user.id));
    }
    if let Some(action) = action.map(str::trim).filter(|a| !a.is_empty()) {
        if let Some(prefix) = action.strip_suffix('.') {
            let kinds: Vec<&str> =
                Kind::ALL.iter().map(|k| k.as_str()).filter(|k| k.starts_with(&format!("{prefix}."))).collect();
            if kinds.is_empty() {
                return Err(ApiError::field("action", format!("no action starts with {action:?}")));
            }
            query = query.filter(events::kind.eq_any(kinds));
        } else {
            let kind =
                Kind::parse(action).ok_or_else(|| ApiError::field("action", format!("no such action: {action:?}")))?;
            query = query.filter(events::kind.eq(kind.as_str()));
        }
    }
    if let Some(after) = &page.after {
        query = query.filter(events::id.lt(after[0]));
    }
    let rows: Vec<EventRow> = query.load(conn)?;
    let (rows, next) = page.finish(rows, |e| vec![e.id]);
    let actors: Vec<i64> = rows.iter().filter_map(|e| e.actor_id).collect();
    let people = super::users::summaries(conn, &actors)?;
    let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str::<Value>(&t).ok());
    Ok((
        rows.into_iter()
            .map(|e| quorum_types::AuditEntry {
                id: e.id,
                action: e.kind,
                actor: e.actor_id.map(|a| super::users::summary_of(&people, a)),
                target: e.target,
                before: parse(e.before),
                after: parse(e.after),
                client_address: e.client_address,
                created_at: e.created_at.and_utc(),
            })
            .collect(),
        next,
    ))
}

/// How long a gap in event ids is waited for: a transaction that took an
/// id may still commit (ids are handed out before commit); past this, the
/// id belonged to a rollback.
const GAP_WAIT_MILLIS: i64 = 2_000;

/// Events after `cursor`, in order, stopping before a gap that may still
/// fill (a younger event beyond it means an older id is not committed yet).
pub fn after(conn: &mut AnyConnection, cursor: i64, limit: i64) -> Result<Vec<EventRow>, ApiError> {
    let rows: Vec<EventRow> = events::table
        .filter(events::id.gt(cursor))
        .order(events::id.asc())
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?;
    let recent = now() - chrono::Duration::milliseconds(GAP_WAIT_MILLIS);
    let mut expected = cursor + 1;
    let mut ready = Vec::with_capacity(rows.len());
    for row in rows {
        if row.id != expected && row.created_at > recent {
            break;
        }
        expected = row.id + 1;
        ready.push(row);
    }
    Ok(ready)
}

/// The newest event id (0 when there is none).
pub fn newest(conn: &mut AnyConnection) -> Result<i64, ApiError> {
    let id: Option<i64> = events::table.select(diesel::dsl::max(events::id)).first(conn)?;
    Ok(id.unwrap_or(0))
}
