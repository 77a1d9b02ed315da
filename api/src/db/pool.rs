//! The connection pool: opening connections on the backend the URL names,
//! noticing when they break (a PostgreSQL restart leaves every pooled
//! connection dead), and keeping the SQLite file private to its owner.

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ManageConnection, R2D2Connection};

use super::{AnyConnection, BackendKind};

/// How long after a connection failure every checkout is proven with a
/// round trip first, so the dead connections left in the pool are weeded
/// out before a request gets them.
const SUSPECT_FOR_MILLIS: i64 = 30_000;

/// libpq waits forever for an unreachable host unless told otherwise.
const PG_CONNECT_TIMEOUT_SECONDS: u32 = 5;

/// A pooled connection, and whether it failed in a way that leaves it unusable.
pub struct Conn {
    inner: AnyConnection,
    broken: bool,
}

impl Conn {
    /// Marks the connection for replacement when it goes back to the pool.
    pub fn mark_broken(&mut self) {
        self.broken = true;
    }
}

impl Deref for Conn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

/// Whether the database has been answering, shared by the pool and its users.
#[derive(Debug, Default)]
pub struct Health {
    /// The last attempt to connect or to prove a connection failed.
    down: AtomicBool,
    /// Until when (Unix milliseconds) checkouts prove their connection first.
    suspect_until: AtomicI64,
}

impl Health {
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }

    pub fn is_suspect(&self) -> bool {
        self.suspect_until.load(Ordering::Relaxed) > now_millis()
    }

    pub fn failed(&self) {
        self.down.store(true, Ordering::Relaxed);
        self.suspect_until.store(now_millis() + SUSPECT_FOR_MILLIS, Ordering::Relaxed);
    }

    pub fn answered(&self) {
        self.down.store(false, Ordering::Relaxed);
    }
}

fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// How SQLite makes commits durable (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteSync {
    /// Survives a crash of Quorum; a power cut may lose the last commits.
    Normal,
    /// Survives a power cut too, at the cost of an fsync per commit.
    Full,
}

/// Opens connections for r2d2, choosing the backend from the URL scheme
/// (the derived `establish` would silently fall back to a SQLite file).
#[derive(Debug)]
pub struct ConnectionManager {
    pub(super) url: String,
    pub(super) kind: BackendKind,
    pub(super) sqlite_sync: SqliteSync,
    pub(super) health: Arc<Health>,
}

impl ConnectionManager {
    fn open(&self) -> Result<AnyConnection, diesel::r2d2::Error> {
        match self.kind {
            BackendKind::Postgres => diesel::PgConnection::establish(&with_connect_timeout(&self.url))
                .map(AnyConnection::Postgresql)
                .map_err(diesel::r2d2::Error::ConnectionError),
            BackendKind::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(sqlite_path(&self.url))
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                let synchronous = match self.sqlite_sync {
                    SqliteSync::Normal => "NORMAL",
                    SqliteSync::Full => "FULL",
                };
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = 10000;
                     PRAGMA journal_mode = WAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA synchronous = {synchronous};"
                ))
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        match self.open() {
            Ok(inner) => {
                self.health.answered();
                Ok(Conn { inner, broken: false })
            }
            Err(e) => {
                self.health.failed();
                Err(e)
            }
        }
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1").map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        // diesel's own check: a transaction left open or in error.
        conn.broken || conn.inner.is_broken()
    }
}

/// The file path in a SQLite URL (`sqlite://path` or a plain path).
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").unwrap_or(url)
}

/// `url` with libpq's `connect_timeout`, unless it sets one already.
fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={PG_CONNECT_TIMEOUT_SECONDS}")
}

/// Creates a new SQLite database file readable by its owner only (0600, in
/// a 0700 directory when that is created too), whatever the umask: it holds
/// password hashes and the token signing secret. SQLite gives its `-wal`
/// and `-shm` files the database file's mode. Returns warnings about an
/// existing file or directory that others can read.
pub fn prepare_sqlite_file(url: &str) -> std::io::Result<Vec<String>> {
    let path = Path::new(sqlite_path(url));
    if path.as_os_str().is_empty() || path.to_string_lossy().starts_with(":memory:") {
        return Ok(Vec::new());
    }
    let mut warnings = Vec::new();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if dir.exists() {
            warnings.extend(wider_than_owner(dir, 0o700));
        } else {
            create_private_dir(dir)?;
        }
    }
    if path.exists() {
        warnings.extend(wider_than_owner(path, 0o600));
        for suffix in ["-wal", "-shm"] {
            let mut side = path.as_os_str().to_owned();
            side.push(suffix);
            let side = Path::new(&side);
            if side.exists() {
                warnings.extend(wider_than_owner(side, 0o600));
            }
        }
    } else {
        create_private_file(path)?;
    }
    Ok(warnings)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    // The umask may have narrowed the mode further, never widened it; make it exact.
    set_mode(dir, 0o700)
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(_) => set_mode(path, 0o600),
        // Another process created it meanwhile: theirs to keep.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(unix)]
fn wider_than_owner(path: &Path, wanted: u32) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} has mode {mode:04o}: other local users can read it; run `chmod {wanted:04o} {}`",
            path.display(),
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new().write(true).create(true).open(path).map(|_| ())
}

#[cfg(not(unix))]
fn wider_than_owner(_path: &Path, _wanted: u32) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_timeout_is_added_once() {
        assert_eq!(with_connect_timeout("postgres://u@h/db"), "postgres://u@h/db?connect_timeout=5");
        assert_eq!(
            with_connect_timeout("postgres://u@h/db?sslmode=disable"),
            "postgres://u@h/db?sslmode=disable&connect_timeout=5"
        );
        assert_eq!(with_connect_timeout("postgres://u@h/db?connect_timeout=2"), "postgres://u@h/db?connect_timeout=2");
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_private_and_wide_ones_are_reported() {
        use std::os::unix::fs::PermissionsExt;
        let root = std::env::temp_dir().join(format!("quorum-perm-{:016x}", rand::random::<u64>()));
        let db = root.join("data").join("quorum.db");
        let url = db.to_string_lossy().into_owned();
        assert_eq!(prepare_sqlite_file(&url).ok(), Some(Vec::new()));
        let mode = |p: &Path| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777).ok();
        assert_eq!(mode(&root.join("data")), Some(0o700));
        assert_eq!(mode(&db), Some(0o600));
        let _ = set_mode(&db, 0o644);
        let warnings = prepare_sqlite_file(&url).unwrap_or_default();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("0644"), "{warnings:?}");
        let _ = std::fs::remove_dir_all(&root);
    }
}
