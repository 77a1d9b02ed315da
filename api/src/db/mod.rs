//! Storage: one diesel schema over SQLite or PostgreSQL, picked at run time
//! from the database URL. `schema` is private to this module tree, so the
//! only way to read user content is through `queries`, which applies
//! `policy` inside every SQL statement.

pub mod bulk;
pub mod id_list;
pub mod policy;
pub mod pool;
pub mod portable;
pub mod queries;
pub(crate) mod schema;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::ApiError;
pub use pool::{Conn, ConnectionManager, Health, SqliteSync};

/// The version of the migration that adds full-text search.
const SEARCH_MIGRATION: &str = "20261205000001";
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// A connection to whichever backend the URL names.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type Backend = MultiBackend;

/// Runs the same diesel statement on whichever connection is inside, for
/// what the multi-backend connection cannot express (batch inserts,
/// `ON CONFLICT`).
macro_rules! on_inner {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            AnyConnection::Sqlite($c) => $body,
            AnyConnection::Postgresql($c) => $body,
        }
    };
}
pub(crate) use on_inner;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Postgres,
    Sqlite,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("database query: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("migrations failed: {0}")]
    Migrations(String),
}

impl BackendKind {
    pub fn of_url(url: &str) -> BackendKind {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            BackendKind::Postgres
        } else {
            BackendKind::Sqlite
        }
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;

/// The pool plus what it takes to write safely on either backend.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    kind: BackendKind,
    health: Arc<Health>,
    /// How long a request waits for a connection while the database answers.
    timeout: Duration,
    /// SQLite allows one writer: writes queue here instead of failing
    /// with "database is locked".
    write_lock: Arc<Mutex<()>>,
    /// Counts commits, and wakes whoever waits for one (the event dispatcher).
    commits: Arc<Commits>,
    /// Database work slower than this is logged.
    slow_query: Option<Duration>,
    /// Callers waiting for a pooled connection now.
    waiting: Arc<std::sync::atomic::AtomicI64>,
}

/// The pool now, for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolState {
    pub connections: u32,
    pub idle: u32,
    pub waiting: i64,
}

/// A commit counter to wait on.
#[derive(Default)]
pub struct Commits {
    count: Mutex<u64>,
    changed: std::sync::Condvar,
}

impl Commits {
    fn bump(&self) {
        let mut count = self.count.lock().unwrap_or_else(|p| p.into_inner());
        *count = count.wrapping_add(1);
        self.changed.notify_all();
    }

    /// Waits until the count differs from `seen` or `timeout` passes; returns the count.
    pub fn wait_after(&self, seen: u64, timeout: Duration) -> u64 {
        let count = self.count.lock().unwrap_or_else(|p| p.into_inner());
        let (count, _) =
            self.changed.wait_timeout_while(count, timeout, |c| *c == seen).unwrap_or_else(|p| p.into_inner());
        *count
    }

    pub fn current(&self) -> u64 {
        *self.count.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// How to open the database.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub pool_size: u32,
    /// Longest wait for a pooled connection while the database answers.
    pub timeout: Duration,
    pub sqlite_sync: SqliteSync,
    /// Database work slower than this is logged with its duration.
    pub slow_query: Option<Duration>,
}

impl DbOptions {
    pub fn with_pool_size(pool_size: u32) -> DbOptions {
        DbOptions { pool_size, timeout: Duration::from_secs(5), sqlite_sync: SqliteSync::Normal, slow_query: None }
    }
}

/// The PostgreSQL advisory lock migrations run under ("quorum" in ASCII).
const MIGRATION_LOCK: i64 = 0x71_75_6f_72_75_6d;

/// The migrations the binary holds that the database at `url` has not
/// applied, in the order they would run. Changes nothing: a SQLite file
/// that does not exist yet is not created.
pub fn pending_migrations(url: &str) -> Result<Vec<String>, DbError> {
    use diesel::migration::MigrationSource;
    let listing = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migrations(e.to_string());
    let kind = BackendKind::of_url(url);
    let known: Vec<(String, String)> = match kind {
        BackendKind::Postgres => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
            .map_err(listing)?
            .iter()
            .map(|m| (m.name().version().to_string(), m.name().to_string()))
            .collect(),
        BackendKind::Sqlite => MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
            .map_err(listing)?
            .iter()
            .map(|m| (m.name().version().to_string(), m.name().to_string()))
            .collect(),
    };
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
    const READ: &str = "SELECT CAST(version AS TEXT) AS version FROM __diesel_schema_migrations";
    let connect = |e: diesel::ConnectionError| DbError::Connect(e.to_string());
    let applied: Vec<Version> = match kind {
        BackendKind::Postgres => {
            let mut conn = PgConnection::establish(url).map_err(connect)?;
            let table: Count = diesel::sql_query(
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = '__diesel_schema_migrations'",
            )
            .get_result(&mut conn)?;
            if table.n == 0 {
                Vec::new()
            } else {
                diesel::sql_query(READ).load(&mut conn)?
            }
        }
        BackendKind::Sqlite => {
            let path = pool::sqlite_path(url);
            if !std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
                Vec::new()
            } else {
                let mut conn = SqliteConnection::establish(path).map_err(connect)?;
                let table: Count = diesel::sql_query(
                    "SELECT COUNT(*) AS n FROM sqlite_master WHERE name = '__diesel_schema_migrations'",
                )
                .get_result(&mut conn)?;
                if table.n == 0 {
                    Vec::new()
                } else {
                    diesel::sql_query(READ).load(&mut conn)?
                }
            }
        }
    };
    let applied: std::collections::HashSet<String> = applied.into_iter().map(|v| v.version).collect();
    Ok(known.into_iter().filter(|(version, _)| !applied.contains(version)).map(|(_, name)| name).collect())
}

/// While the database is known to be away, requests fail this fast.
const DOWN_TIMEOUT: Duration = Duration::from_millis(250);

impl Db {
    pub fn connect(url: &str, pool_size: u32) -> Result<Db, DbError> {
        Db::connect_with(url, &DbOptions::with_pool_size(pool_size))
    }

    pub fn connect_with(url: &str, options: &DbOptions) -> Result<Db, DbError> {
        let kind = BackendKind::of_url(url);
        if kind == BackendKind::Sqlite {
            let warnings = pool::prepare_sqlite_file(url)
                .map_err(|e| DbError::Connect(format!("cannot create the database file {url}: {e}")))?;
            for warning in warnings {
                tracing::warn!("{warning}");
            }
        }
        let health = Arc::new(Health::default());
        let manager =
            ConnectionManager { url: url.to_owned(), kind, sqlite_sync: options.sqlite_sync, health: health.clone() };
        let pool = r2d2::Pool::builder()
            .max_size(options.pool_size.max(1))
            .min_idle(Some(1))
            // Proving every checkout would cost a round trip per request;
            // after a failure, `conn` proves them for a while instead.
            .test_on_check_out(false)
            .connection_timeout(options.timeout)
            .build(manager)
            .map_err(|e| DbError::Connect(e.to_string()))?;
        Ok(Db {
            pool,
            kind,
            health,
            timeout: options.timeout,
            write_lock: Arc::new(Mutex::new(())),
            commits: Arc::new(Commits::default()),
            slow_query: options.slow_query,
            waiting: Arc::new(std::sync::atomic::AtomicI64::new(0)),
        })
    }

    pub fn kind(&self) -> BackendKind {
        self.kind
    }

    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            connections: state.connections,
            idle: state.idle_connections,
            waiting: self.waiting.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Whether the database failed to answer lately.
    pub fn is_down(&self) -> bool {
        self.health.is_down()
    }

    /// A pooled connection. While the database is known to be away this
    /// fails fast; for a while after a failure each connection is proven
    /// first, and dead ones are replaced rather than handed out.
    pub fn conn(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, DbError> {
        let attempts = self.pool.max_size() + 1;
        for _ in 0..attempts {
            let timeout = if self.health.is_down() { DOWN_TIMEOUT } else { self.timeout };
            self.waiting.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let got = self.pool.get_timeout(timeout);
            self.waiting.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            let mut conn = got?;
            if !self.health.is_suspect() {
                return Ok(conn);
            }
            match conn.batch_execute("SELECT 1") {
                Ok(()) => {
                    self.health.answered();
                    return Ok(conn);
                }
                Err(_) => {
                    conn.mark_broken();
                    self.health.failed();
                }
            }
        }
        Err(DbError::Connect("no connection to the database answers".into()))
    }

    /// After a server-side failure, finds out whether the connection itself
    /// died (then it is replaced, and the next checkouts are proven).
    fn after_failure<T>(&self, conn: &mut Conn, result: &Result<T, ApiError>) {
        if matches!(result, Err(e) if e.code.status() >= 500) && conn.batch_execute("SELECT 1").is_err() {
            conn.mark_broken();
            self.health.failed();
        }
    }

    /// Applies pending migrations under a lock, so instances starting
    /// together take turns (the later ones find nothing left to do);
    /// returns how many ran. PostgreSQL: a session advisory lock. SQLite:
    /// the database's write lock, taken up front (`BEGIN IMMEDIATE`), with
    /// every migration inside that one transaction. When the one adding
    /// full-text search ran, existing posts are indexed right away (their
    /// text is prepared in Rust, which SQL alone cannot do).
    pub fn migrate(&self) -> Result<usize, DbError> {
        let mut conn = self.conn()?;
        let failed = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migrations(e.to_string());
        let versions: Vec<String> = match &mut **conn {
            AnyConnection::Postgresql(c) => {
                c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
                let applied = c
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|v| v.iter().map(ToString::to_string).collect())
                    .map_err(failed);
                let unlocked = c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
                let applied = applied?;
                unlocked?;
                applied
            }
            AnyConnection::Sqlite(c) => {
                let _guard = self.write_lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                c.immediate_transaction(|c| {
                    c.run_pending_migrations(SQLITE_MIGRATIONS)
                        .map(|v| v.iter().map(ToString::to_string).collect())
                        .map_err(failed)
                })?
            }
        };
        drop(conn);
        if versions.iter().any(|v| v.starts_with(SEARCH_MIGRATION)) {
            queries::search::reindex(self, |_| ()).map_err(|e| DbError::Migrations(e.to_string()))?;
        }
        Ok(versions.len())
    }

    /// Runs `f` in a transaction; on SQLite one writer at a time with
    /// the write lock taken up front, so concurrent writers wait instead of failing.
    pub fn write_blocking<T>(&self, f: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError>) -> Result<T, ApiError> {
        self.write_announced(f, true)
    }

    /// [`Db::write_blocking`] for the background threads' own bookkeeping
    /// (subscriber places, notifications, the mail queue): writes that
    /// record no event, so they do not wake the event dispatcher, which
    /// would otherwise wake itself with every pass and never rest.
    pub fn write_blocking_quiet<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.write_announced(f, false)
    }

    fn write_announced<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
        announce: bool,
    ) -> Result<T, ApiError> {
        let mut conn = self.conn()?;
        let result = match &mut **conn {
            AnyConnection::Sqlite(_) => {
                let _guard = self.write_lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let conn: &mut AnyConnection = &mut conn;
                let started = std::time::Instant::now();
                let result = conn.transaction(|conn| {
                    // A write as the first statement takes SQLite's write lock
                    // now (like BEGIN IMMEDIATE), so a writer in another
                    // process makes us wait (busy_timeout) rather than fail
                    // half-way; diesel's own transaction manager stays in
                    // charge, so nested savepoints keep working.
                    conn.batch_execute("UPDATE settings SET value = value WHERE 0")?;
                    f(conn)
                });
                self.note_duration("write", started);
                result
            }
            AnyConnection::Postgresql(_) => {
                let conn: &mut AnyConnection = &mut conn;
                let started = std::time::Instant::now();
                let result = conn.transaction(f);
                self.note_duration("write", started);
                result
            }
        };
        self.after_failure(&mut conn, &result);
        if announce && result.is_ok() {
            self.commits.bump();
        }
        result
    }

    /// The commit counter, to wait for writes.
    pub fn commits(&self) -> Arc<Commits> {
        self.commits.clone()
    }

    /// Reads on a pooled connection.
    pub fn read_blocking<T>(&self, f: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let mut conn = self.conn()?;
        let started = std::time::Instant::now();
        let result = f(&mut conn);
        self.note_duration("read", started);
        self.after_failure(&mut conn, &result);
        result
    }

    /// Logs database work (a request's reads, or one write transaction
    /// from its first statement to its commit) slower than the setting.
    fn note_duration(&self, kind: &'static str, started: std::time::Instant) {
        let elapsed = started.elapsed();
        if self.slow_query.is_some_and(|limit| elapsed > limit) {
            let ms = elapsed.as_secs_f64() * 1000.0;
            tracing::warn!(target: "quorum::db", kind, ms, "slow database work");
        }
    }

    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let db = self.clone();
        blocking(move || db.read_blocking(f)).await
    }

    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let db = self.clone();
        blocking(move || db.write_blocking(f)).await
    }

    /// One BIGINT from a read-only statement whose result column is `n`.
    /// For operators and tests asserting what is stored.
    pub fn query_i64(&self, sql: &str) -> Result<i64, DbError> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.conn()?;
        let row: Row = diesel::sql_query(sql).get_result(&mut **conn)?;
        Ok(row.n)
    }
}

/// Runs blocking work (diesel, argon2) off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let task = crate::metrics::BlockingTask::start();
    let f = crate::observe::carry_span(f);
    actix_web::rt::task::spawn_blocking(move || {
        let _task = task;
        f()
    })
    .await
    .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
}
