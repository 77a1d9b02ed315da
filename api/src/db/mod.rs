//! Storage: one diesel schema over SQLite or PostgreSQL, picked at run time
//! from the database URL. `schema` is private to this module tree, so the
//! only way to read user content is through `queries`, which applies
//! `policy` inside every SQL statement.

pub mod bulk;
pub mod id_list;
pub mod policy;
pub mod pool;
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
}

impl DbOptions {
    pub fn with_pool_size(pool_size: u32) -> DbOptions {
        DbOptions { pool_size, timeout: Duration::from_secs(5), sqlite_sync: SqliteSync::Normal }
    }
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
        })
    }

    pub fn kind(&self) -> BackendKind {
        self.kind
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
            let mut conn = self.pool.get_timeout(timeout)?;
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

    /// Applies pending migrations; returns how many ran. When the one
    /// adding full-text search ran, existing posts are indexed right away
    /// (their text is prepared in Rust, which SQL alone cannot do).
    pub fn migrate(&self) -> Result<usize, DbError> {
        let mut conn = self.conn()?;
        let applied = match &mut **conn {
            AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
            AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        }
        .map_err(|e| DbError::Migrations(e.to_string()))?;
        let versions: Vec<String> = applied.iter().map(ToString::to_string).collect();
        drop(conn);
        if versions.iter().any(|v| v.starts_with(SEARCH_MIGRATION)) {
            queries::search::reindex(self, |_| ()).map_err(|e| DbError::Migrations(e.to_string()))?;
        }
        Ok(versions.len())
    }

    /// Runs `f` in a transaction; on SQLite one writer at a time with
    /// the write lock taken up front, so concurrent writers wait instead of failing.
    pub fn write_blocking<T>(&self, f: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let mut conn = self.conn()?;
        let result = match &mut **conn {
            AnyConnection::Sqlite(_) => {
                let _guard = self.write_lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let conn: &mut AnyConnection = &mut conn;
                conn.transaction(|conn| {
                    // A write as the first statement takes SQLite's write lock
                    // now (like BEGIN IMMEDIATE), so a writer in another
                    // process makes us wait (busy_timeout) rather than fail
                    // half-way; diesel's own transaction manager stays in
                    // charge, so nested savepoints keep working.
                    conn.batch_execute("UPDATE settings SET value = value WHERE 0")?;
                    f(conn)
                })
            }
            AnyConnection::Postgresql(_) => {
                let conn: &mut AnyConnection = &mut conn;
                conn.transaction(f)
            }
        };
        self.after_failure(&mut conn, &result);
        if result.is_ok() {
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
        let result = f(&mut conn);
        self.after_failure(&mut conn, &result);
        result
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
    actix_web::rt::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
}
