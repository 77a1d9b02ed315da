//! Reading every table out for `quorum export`, and writing it back for
//! `quorum import`, on either backend. The file itself (lines, header,
//! progress) is `crate::portable`'s; this module owns the SQL and the
//! decision, table by table, of what a portable export holds ([`TABLES`]).

pub mod records;

use std::collections::{BTreeMap, HashMap};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::MigrationHarness;

use self::records::*;
use super::schema::{
    access_tokens, audience_groups, audiences, calendar_tokens, categories, category_reads, dispatch_cursors, events,
    flags, group_members, groups, invite_groups, invites, likes, mail_outbox, meeting_rsvps, meetings, notifications,
    poll_answers, poll_slots, post_mentions, post_quotes, post_revisions, posts, refresh_tokens, settings,
    thread_reads, threads, uploads, users, watches,
};
use super::{on_inner, AnyConnection, BackendKind, Db, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use crate::db::queries::search::{body_text, title_text};

/// What a portable export does with a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Every row, always.
    Exported,
    /// Every row, only with `--with-secrets` (credentials, or mail holding them).
    SecretsOnly,
    /// Left out: short-lived state the new forum rebuilds or does without.
    Ephemeral,
    /// Left out: derived from exported rows, rebuilt by the importer.
    Derived,
}

/// Every table the migrations create, and what an export does with it.
/// A test compares this list with the tables of a migrated database on
/// both backends, so a table added later cannot be forgotten silently.
pub const TABLES: &[(&str, Plan)] = &[
    ("settings", Plan::Exported),
    ("users", Plan::Exported),
    ("groups", Plan::Exported),
    ("group_members", Plan::Exported),
    ("audiences", Plan::Exported),
    ("audience_groups", Plan::Exported),
    ("categories", Plan::Exported),
    ("threads", Plan::Exported),
    ("posts", Plan::Exported),
    ("post_revisions", Plan::Exported),
    ("post_mentions", Plan::Exported),
    ("post_quotes", Plan::Exported),
    ("likes", Plan::Exported),
    // Metadata only: the files stay in the upload directory, which is
    // copied beside the export (see the README's backup section).
    ("uploads", Plan::Exported),
    ("meetings", Plan::Exported),
    ("meeting_rsvps", Plan::Exported),
    ("poll_slots", Plan::Exported),
    ("poll_answers", Plan::Exported),
    ("notifications", Plan::Exported),
    ("watches", Plan::Exported),
    ("thread_reads", Plan::Exported),
    ("category_reads", Plan::Exported),
    ("flags", Plan::Exported),
    ("invites", Plan::Exported),
    ("invite_groups", Plan::Exported),
    ("events", Plan::Exported),
    ("dispatch_cursors", Plan::Exported),
    ("access_tokens", Plan::SecretsOnly),
    ("refresh_tokens", Plan::SecretsOnly),
    ("calendar_tokens", Plan::SecretsOnly),
    ("mail_outbox", Plan::SecretsOnly),
    ("throttles", Plan::Ephemeral),
    ("idempotency_keys", Plan::Ephemeral),
    // Open password resets last an hour and are secrets: a moved forum's
    // members ask again, so not even `--with-secrets` carries them.
    ("password_resets", Plan::Ephemeral),
    // Live threads per category and audience: the triggers on `threads`
    // rebuild them as the import writes the threads.
    ("category_thread_counts", Plan::Derived),
    // Narrowed posts per thread and audience: the triggers on `posts`
    // rebuild them as the import writes the posts.
    ("thread_post_counts", Plan::Derived),
    // SQLite's full-text index (and FTS5's own `posts_fts_*` tables).
    ("posts_fts", Plan::Derived),
    ("__diesel_schema_migrations", Plan::Derived),
];

/// The record `type` each exported table's rows are written as.
pub const RECORD_TYPES: &[(&str, &str)] = &[
    ("settings", "setting"),
    ("users", "user"),
    ("groups", "group"),
    ("group_members", "group_member"),
    ("audiences", "audience"),
    ("audience_groups", "audience_group"),
    ("categories", "category"),
    ("threads", "thread"),
    ("posts", "post"),
    ("post_revisions", "post_revision"),
    ("post_mentions", "post_mention"),
    ("post_quotes", "post_quote"),
    ("likes", "like"),
    ("uploads", "upload"),
    ("meetings", "meeting"),
    ("meeting_rsvps", "meeting_rsvp"),
    ("poll_slots", "poll_slot"),
    ("poll_answers", "poll_answer"),
    ("notifications", "notification"),
    ("watches", "watch"),
    ("thread_reads", "thread_read"),
    ("category_reads", "category_read"),
    ("flags", "flag"),
    ("invites", "invite"),
    ("invite_groups", "invite_group"),
    ("events", "event"),
    ("dispatch_cursors", "dispatch_cursor"),
    ("access_tokens", "access_token"),
    ("refresh_tokens", "refresh_token"),
    ("calendar_tokens", "calendar_token"),
    ("mail_outbox", "mail"),
];

/// Settings that are secrets: the token signing key and the first-run
/// setup token. Exported only with `--with-secrets`.
pub const SECRET_SETTINGS: &[&str] = &["jwt_secret", "setup_token"];

/// The plan for a table found in a database, `None` for one nobody decided on.
pub fn plan_of(table: &str) -> Option<Plan> {
    // Tables the database engine keeps for itself.
    if table.starts_with("sqlite_") || table.starts_with("posts_fts_") {
        return Some(Plan::Derived);
    }
    TABLES.iter().find(|(name, _)| *name == table).map(|(_, plan)| *plan)
}

/// Tables with an identity id, whose PostgreSQL sequences must pass the
/// imported ids.
const IDENTITY_TABLES: &[&str] = &[
    "users",
    "groups",
    "audiences",
    "categories",
    "threads",
    "posts",
    "post_revisions",
    "refresh_tokens",
    "access_tokens",
    "invites",
    "flags",
    "events",
    "notifications",
    "mail_outbox",
    "poll_slots",
];

#[derive(Debug)]
pub enum PortError {
    Db(diesel::result::Error),
    Other(String),
}

impl From<diesel::result::Error> for PortError {
    fn from(e: diesel::result::Error) -> Self {
        PortError::Db(e)
    }
}

impl From<String> for PortError {
    fn from(e: String) -> Self {
        PortError::Other(e)
    }
}

impl std::fmt::Display for PortError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortError::Db(e) => write!(f, "database: {e}"),
            PortError::Other(e) => f.write_str(e),
        }
    }
}

/// The newest migration this binary holds.
pub fn latest_known_migration(kind: BackendKind) -> Result<String, String> {
    use diesel::migration::MigrationSource;
    let versions: Vec<String> = match kind {
        BackendKind::Postgres => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
            .map_err(|e| e.to_string())?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
        BackendKind::Sqlite => MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
            .map_err(|e| e.to_string())?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
    };
    versions.into_iter().max().ok_or_else(|| "the binary holds no migrations".to_owned())
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Where exported rows go.
pub trait Sink {
    /// Called once, before any record: the database's newest migration and
    /// how many rows the export will hold.
    fn begin(&mut self, schema: &str, rows: u64) -> Result<(), String>;
    fn record(&mut self, record: &Record) -> Result<(), String>;
}

/// Rows per statement when reading and writing.
const BATCH: i64 = 2000;
/// Rows per INSERT: under both backends' bound-parameter limits at 16 columns.
const INSERT_CHUNK: usize = 1000;

/// Reads the whole forum, table by table in dependency order, inside one
/// read transaction (a consistent snapshot while the server keeps writing).
pub fn export(db: &Db, with_secrets: bool, sink: &mut dyn Sink) -> Result<(), String> {
    let mut pooled = db.conn().map_err(|e| e.to_string())?;
    let conn: &mut AnyConnection = &mut pooled;
    let postgres = matches!(conn, AnyConnection::Postgresql(_));
    conn.transaction::<_, PortError, _>(|conn| {
        if postgres {
            conn.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        let schema: Version =
            diesel::sql_query("SELECT CAST(MAX(version) AS TEXT) AS version FROM __diesel_schema_migrations")
                .get_result(conn)?;
        let mut rows = 0i64;
        for (table, plan) in TABLES {
            if *plan == Plan::Exported || (*plan == Plan::SecretsOnly && with_secrets) {
                rows += diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).get_result::<Count>(conn)?.n;
            }
        }
        sink.begin(&schema.version, u64::try_from(rows).unwrap_or(0))?;
        export_tables(conn, with_secrets, sink)
    })
    .map_err(|e| e.to_string())
}

/// Pages through a table with an `id` key.
macro_rules! by_id {
    ($conn:expr, $sink:expr, $table:ident, $record:ident) => {{
        let mut after = i64::MIN;
        loop {
            let rows: Vec<$record> = $table::table
                .select($record::as_select())
                .filter($table::id.gt(after))
                .order($table::id)
                .limit(BATCH)
                .load($conn)?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            let full = rows.len() as i64 == BATCH;
            for row in rows {
                $sink.record(&Record::$record(row))?;
            }
            if !full {
                break;
            }
        }
    }};
}

/// Pages through a table with a two-column integer key.
macro_rules! by_pair {
    ($conn:expr, $sink:expr, $table:ident, $record:ident, $first:ident, $second:ident) => {{
        let mut after = (i64::MIN, i64::MIN);
        loop {
            let rows: Vec<$record> = $table::table
                .select($record::as_select())
                .filter($table::$first.gt(after.0).or($table::$first.eq(after.0).and($table::$second.gt(after.1))))
                .order(($table::$first, $table::$second))
                .limit(BATCH)
                .load($conn)?;
            let Some(last) = rows.last() else { break };
            after = (last.$first, last.$second);
            let full = rows.len() as i64 == BATCH;
            for row in rows {
                $sink.record(&Record::$record(row))?;
            }
            if !full {
                break;
            }
        }
    }};
}

/// Reads a small table or one without a unique key whole, sorted in Rust
/// by `$key` (collations and NULL ordering differ between the backends).
macro_rules! whole {
    ($conn:expr, $sink:expr, $table:ident, $record:ident, |$row:ident| $key:expr) => {{
        let mut rows: Vec<$record> = $table::table.select($record::as_select()).load($conn)?;
        rows.sort_by(|a, b| {
            let key = |$row: &$record| $key;
            key(a).cmp(&key(b))
        });
        for row in rows {
            $sink.record(&Record::$record(row))?;
        }
    }};
}

fn export_tables(conn: &mut AnyConnection, with_secrets: bool, sink: &mut dyn Sink) -> Result<(), PortError> {
    {
        let mut rows: Vec<Setting> = settings::table.select(Setting::as_select()).load(conn)?;
        rows.retain(|s| with_secrets || !SECRET_SETTINGS.contains(&s.key.as_str()));
        rows.sort_by(|a, b| a.key.cmp(&b.key));
        for row in rows {
            sink.record(&Record::Setting(row))?;
        }
    }
    let mut after = i64::MIN;
    loop {
        let rows: Vec<User> = users::table
            .select(User::as_select())
            .filter(users::id.gt(after))
            .order(users::id)
            .limit(BATCH)
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let full = rows.len() as i64 == BATCH;
        for mut row in rows {
            if !with_secrets {
                row.password_hash.clear();
            }
            sink.record(&Record::User(row))?;
        }
        if !full {
            break;
        }
    }
    by_id!(conn, sink, groups, Group);
    by_pair!(conn, sink, group_members, GroupMember, group_id, user_id);
    by_id!(conn, sink, audiences, Audience);
    by_pair!(conn, sink, audience_groups, AudienceGroup, audience_id, group_id);
    by_id!(conn, sink, categories, Category);
    by_id!(conn, sink, threads, Thread);
    by_id!(conn, sink, posts, Post);
    by_id!(conn, sink, post_revisions, PostRevision);
    whole!(conn, sink, post_mentions, PostMention, |m| (m.post_id, m.user_id, m.group_id));
    by_pair!(conn, sink, post_quotes, PostQuote, post_id, quoted_id);
    by_pair!(conn, sink, likes, Like, post_id, user_id);
    whole!(conn, sink, uploads, Upload, |u| u.id.clone());
    whole!(conn, sink, meetings, Meeting, |m| m.thread_id);
    by_pair!(conn, sink, meeting_rsvps, MeetingRsvp, thread_id, user_id);
    by_id!(conn, sink, poll_slots, PollSlot);
    by_pair!(conn, sink, poll_answers, PollAnswer, slot_id, user_id);
    by_id!(conn, sink, notifications, Notification);
    whole!(conn, sink, watches, Watch, |w| (w.user_id, w.thread_id, w.category_id));
    by_pair!(conn, sink, thread_reads, ThreadRead, user_id, thread_id);
    by_pair!(conn, sink, category_reads, CategoryRead, user_id, category_id);
    by_id!(conn, sink, flags, Flag);
    let mut after = i64::MIN;
    loop {
        let rows: Vec<Invite> = invites::table
            .select(Invite::as_select())
            .filter(invites::id.gt(after))
            .order(invites::id)
            .limit(BATCH)
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let full = rows.len() as i64 == BATCH;
        for mut row in rows {
            if !with_secrets {
                row.code_hash.clear();
            }
            sink.record(&Record::Invite(row))?;
        }
        if !full {
            break;
        }
    }
    by_pair!(conn, sink, invite_groups, InviteGroup, invite_id, group_id);
    by_id!(conn, sink, events, Event);
    whole!(conn, sink, dispatch_cursors, DispatchCursor, |c| c.name.clone());
    if with_secrets {
        by_id!(conn, sink, access_tokens, AccessToken);
        by_id!(conn, sink, refresh_tokens, RefreshToken);
        whole!(conn, sink, calendar_tokens, CalendarToken, |t| t.user_id);
        by_id!(conn, sink, mail_outbox, Mail);
    }
    Ok(())
}

/// Where records to import come from: `Ok(None)` at the end.
pub trait Source {
    fn next(&mut self) -> Result<Option<Record>, String>;
}

/// Rows written per record type.
pub type Counts = BTreeMap<&'static str, u64>;

/// Creates the schema and writes every record of `source` in ONE
/// transaction: on any error nothing stays behind, not even the tables.
/// Ids are kept; PostgreSQL's sequences are moved past them; the search
/// index is written with each post (FTS5 triggers, or PostgreSQL's
/// generated column) from text derived as `quorum reindex` derives it.
/// The database must be empty (the caller checks).
pub fn import(db: &Db, source: &mut dyn Source) -> Result<Counts, String> {
    let mut pooled = db.conn().map_err(|e| e.to_string())?;
    let conn: &mut AnyConnection = &mut pooled;
    let counts = conn
        .transaction::<_, PortError, _>(|conn| {
            let migrated = match conn {
                AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
                AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
            };
            migrated.map_err(|e| PortError::Other(format!("creating the schema: {e}")))?;
            // The built-in groups the first migration made come back from the file, ids and all.
            diesel::delete(groups::table).execute(conn)?;
            let mut writer = Writer { counts: Counts::new(), titles: HashMap::new(), pending: Vec::new() };
            while let Some(record) = source.next()? {
                if writer.pending.first().is_some_and(|p| p.kind() != record.kind())
                    || writer.pending.len() >= INSERT_CHUNK
                {
                    writer.flush(conn)?;
                }
                writer.pending.push(record);
            }
            writer.flush(conn)?;
            if let AnyConnection::Postgresql(c) = conn {
                for table in IDENTITY_TABLES {
                    c.batch_execute(&format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                         COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                    ))?;
                }
            }
            Ok(writer.counts)
        })
        .map_err(|e| e.to_string())?;
    // Fresh statistics for the planner after a large load.
    conn.batch_execute("ANALYZE").map_err(|e| e.to_string())?;
    Ok(counts)
}

struct Writer {
    counts: Counts,
    /// Thread titles, for the search text of each opening post.
    titles: HashMap<i64, String>,
    /// Records of one type waiting to be written together.
    pending: Vec<Record>,
}

/// Takes the `$variant` rows out of `$pending` (all of one type).
macro_rules! take {
    ($pending:expr, $variant:ident) => {
        $pending
            .drain(..)
            .filter_map(|r| match r {
                Record::$variant(row) => Some(row),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
}

fn insert_all<T>(
    conn: &mut AnyConnection,
    rows: &[T],
    insert: impl Fn(&mut AnyConnection, &[T]) -> QueryResult<usize>,
) -> Result<u64, PortError> {
    let mut written = 0u64;
    for chunk in rows.chunks(INSERT_CHUNK) {
        written += insert(conn, chunk)? as u64;
    }
    Ok(written)
}

macro_rules! insert_into {
    ($table:ident) => {
        |conn: &mut AnyConnection, chunk| {
            on_inner!(conn, |c| diesel::insert_into($table::table).values(chunk).execute(c))
        }
    };
}

impl Writer {
    fn flush(&mut self, conn: &mut AnyConnection) -> Result<(), PortError> {
        let Some(kind) = self.pending.first().map(Record::kind) else { return Ok(()) };
        let pending = &mut self.pending;
        let written = match kind {
            "setting" => insert_all(conn, &take!(pending, Setting), insert_into!(settings))?,
            "user" => insert_all(conn, &take!(pending, User), insert_into!(users))?,
            "group" => insert_all(conn, &take!(pending, Group), insert_into!(groups))?,
            "group_member" => insert_all(conn, &take!(pending, GroupMember), insert_into!(group_members))?,
            "audience" => insert_all(conn, &take!(pending, Audience), insert_into!(audiences))?,
            "audience_group" => insert_all(conn, &take!(pending, AudienceGroup), insert_into!(audience_groups))?,
            "category" => insert_all(conn, &take!(pending, Category), insert_into!(categories))?,
            "thread" => {
                let rows = take!(pending, Thread);
                self.titles.extend(rows.iter().map(|t| (t.id, t.title.clone())));
                insert_all(conn, &rows, insert_into!(threads))?
            }
            "post" => {
                let titles = &self.titles;
                let rows: Vec<PostRow> = take!(pending, Post)
                    .into_iter()
                    .map(|p| {
                        let title = titles.get(&p.thread_id).map_or("", String::as_str);
                        PostRow {
                            search_title: title_text(p.number, title),
                            search_body: body_text(&p.body_html),
                            id: p.id,
                            thread_id: p.thread_id,
                            number: p.number,
                            author_id: p.author_id,
                            reply_to_id: p.reply_to_id,
                            audience_id: p.audience_id,
                            body: p.body,
                            body_html: p.body_html,
                            like_count: p.like_count,
                            created_at: p.created_at,
                            edited_at: p.edited_at,
                            deleted_at: p.deleted_at,
                            hidden_at: p.hidden_at,
                            hidden_reason: p.hidden_reason,
                        }
                    })
                    .collect();
                insert_all(conn, &rows, insert_into!(posts))?
            }
            "post_revision" => insert_all(conn, &take!(pending, PostRevision), insert_into!(post_revisions))?,
            "post_mention" => insert_all(conn, &take!(pending, PostMention), insert_into!(post_mentions))?,
            "post_quote" => insert_all(conn, &take!(pending, PostQuote), insert_into!(post_quotes))?,
            "like" => insert_all(conn, &take!(pending, Like), insert_into!(likes))?,
            "upload" => insert_all(conn, &take!(pending, Upload), insert_into!(uploads))?,
            "meeting" => insert_all(conn, &take!(pending, Meeting), insert_into!(meetings))?,
            "meeting_rsvp" => insert_all(conn, &take!(pending, MeetingRsvp), insert_into!(meeting_rsvps))?,
            "poll_slot" => insert_all(conn, &take!(pending, PollSlot), insert_into!(poll_slots))?,
            "poll_answer" => insert_all(conn, &take!(pending, PollAnswer), insert_into!(poll_answers))?,
            "notification" => insert_all(conn, &take!(pending, Notification), insert_into!(notifications))?,
            "watch" => insert_all(conn, &take!(pending, Watch), insert_into!(watches))?,
            "thread_read" => insert_all(conn, &take!(pending, ThreadRead), insert_into!(thread_reads))?,
            "category_read" => insert_all(conn, &take!(pending, CategoryRead), insert_into!(category_reads))?,
            "flag" => insert_all(conn, &take!(pending, Flag), insert_into!(flags))?,
            "invite" => {
                let mut rows = take!(pending, Invite);
                for row in &mut rows {
                    if row.code_hash.is_empty() {
                        // Not a SHA-256 in hex: no code redeems it.
                        row.code_hash = format!("not-exported-{}", row.id);
                    }
                }
                insert_all(conn, &rows, insert_into!(invites))?
            }
            "invite_group" => insert_all(conn, &take!(pending, InviteGroup), insert_into!(invite_groups))?,
            "event" => insert_all(conn, &take!(pending, Event), insert_into!(events))?,
            "dispatch_cursor" => insert_all(conn, &take!(pending, DispatchCursor), insert_into!(dispatch_cursors))?,
            "access_token" => insert_all(conn, &take!(pending, AccessToken), insert_into!(access_tokens))?,
            "refresh_token" => insert_all(conn, &take!(pending, RefreshToken), insert_into!(refresh_tokens))?,
            "calendar_token" => insert_all(conn, &take!(pending, CalendarToken), insert_into!(calendar_tokens))?,
            "mail" => insert_all(conn, &take!(pending, Mail), insert_into!(mail_outbox))?,
            other => return Err(PortError::Other(format!("a {other} record cannot be written"))),
        };
        *self.counts.entry(kind).or_default() += written;
        Ok(())
    }
}
