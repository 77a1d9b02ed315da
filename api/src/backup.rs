//! `quorum backup FILE`, `quorum restore FILE`, and scheduled backups of a
//! SQLite forum.
//!
//! SQLite: `VACUUM INTO` copies the database as one read transaction sees
//! it, so a backup taken while the server writes is consistent (every
//! commit before it began, none after), compact, and a database file of its
//! own; restoring copies it into place once `PRAGMA integrity_check` passes.
//! PostgreSQL: `pg_dump --format=custom` (compressed; `pg_restore` reads it,
//! into another PostgreSQL version too), restored with `pg_restore
//! --single-transaction`. Both refuse to overwrite: a backup goes to a new
//! file, a restore into an empty database.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::db::pool::{prepare_sqlite_file, sqlite_path};
use crate::db::BackendKind;
use crate::events::Stop;

/// What one backup or restore did.
#[derive(Debug, Clone)]
pub struct Summary {
    pub verb: &'static str,
    pub file: PathBuf,
    pub bytes: u64,
    pub took: Duration,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({:.1} MB) in {:.2} s",
            self.verb,
            self.file.display(),
            self.bytes as f64 / 1_000_000.0,
            self.took.as_secs_f64()
        )
    }
}

/// Shows progress on a terminal (standard error); draws nothing otherwise.
struct Progress(ProgressBar);

impl Progress {
    fn new(message: &str, total: Option<u64>) -> Progress {
        let bar = match total {
            Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{spinner} {msg} {bytes} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_message(message.to_owned());
        Progress(bar)
    }

    /// Runs `work` on a thread of its own, showing the size of `file` as it grows.
    fn watch<T: Send + 'static>(
        &self,
        file: &Path,
        work: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Result<T, String> {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("quorum-backup".into())
            .spawn(move || {
                let _ = tx.send(work());
            })
            .map_err(|e| format!("cannot start the backup thread: {e}"))?;
        loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(outcome) => {
                    self.0.finish_and_clear();
                    return outcome;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Ok(meta) = std::fs::metadata(file) {
                        self.0.set_position(meta.len());
                    }
                    self.0.tick();
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    self.0.finish_and_clear();
                    return Err("the backup thread died".into());
                }
            }
        }
    }
}

/// `file` plus a suffix, beside it (same file system, so a rename is atomic).
fn sibling(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn size_of(file: &Path) -> u64 {
    std::fs::metadata(file).map_or(0, |m| m.len())
}

/// Writes a consistent copy of the database at `url` to `file`, which must
/// not exist yet. Safe while the server runs.
pub fn backup(url: &str, file: &Path) -> Result<Summary, String> {
    if file.exists() {
        return Err(format!("{} exists; a backup never overwrites a file: name a new one", file.display()));
    }
    let started = Instant::now();
    let partial = sibling(file, ".partial");
    let _ = std::fs::remove_file(&partial);
    let outcome = match BackendKind::of_url(url) {
        BackendKind::Sqlite => backup_sqlite(url, &partial),
        BackendKind::Postgres => backup_postgres(url, &partial),
    };
    if let Err(e) = outcome {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, file).map_err(|e| format!("cannot move the backup into {}: {e}", file.display()))?;
    Ok(Summary { verb: "backed up to", file: file.to_owned(), bytes: size_of(file), took: started.elapsed() })
}

fn quoted(path: &Path) -> Result<String, String> {
    let text = path.to_str().ok_or_else(|| format!("{} is not a UTF-8 path", path.display()))?;
    Ok(format!("'{}'", text.replace('\'', "''")))
}

fn open_sqlite(path: &str) -> Result<SqliteConnection, String> {
    let mut conn = SqliteConnection::establish(path).map_err(|e| format!("cannot open {path}: {e}"))?;
    conn.batch_execute("PRAGMA busy_timeout = 10000;").map_err(|e| e.to_string())?;
    Ok(conn)
}

fn backup_sqlite(url: &str, partial: &Path) -> Result<(), String> {
    let source = sqlite_path(url).to_owned();
    if !Path::new(&source).exists() {
        return Err(format!("there is no database at {source}"));
    }
    // Created readable by its owner only: it holds password hashes.
    prepare_sqlite_file(&partial.to_string_lossy()).map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
    let mut conn = open_sqlite(&source)?;
    #[derive(QueryableByName)]
    struct Size {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let size: Size =
        diesel::sql_query("SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()")
            .get_result(&mut conn)
            .map_err(|e| format!("reading the database size: {e}"))?;
    let target = quoted(partial)?;
    let progress = Progress::new("backing up", u64::try_from(size.n).ok());
    progress.watch(partial, move || {
        conn.batch_execute(&format!("VACUUM INTO {target}")).map_err(|e| format!("VACUUM INTO failed: {e}"))
    })
}

/// The parts of a PostgreSQL URL the tools need: the URL without its
/// password (command lines are visible to other local users) and the password.
fn pg_url_and_password(url: &str) -> (String, Option<String>) {
    let Some(start) = url.find("://").map(|i| i + 3) else { return (url.to_owned(), None) };
    let authority_end = url[start..].find(['/', '?']).map_or(url.len(), |i| start + i);
    let Some(at) = url[start..authority_end].rfind('@').map(|i| start + i) else { return (url.to_owned(), None) };
    let Some(colon) = url[start..at].find(':').map(|i| start + i) else { return (url.to_owned(), None) };
    let password = percent_decode(&url[colon + 1..at]);
    (format!("{}{}", &url[..colon], &url[at..]), Some(password))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A PostgreSQL client tool, with the password in the environment.
fn pg_tool(tool: &str, url: &str) -> (Command, String) {
    let (url, password) = pg_url_and_password(url);
    let mut command = Command::new(tool);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    (command, url)
}

fn run_tool(mut command: Command, tool: &'static str, progress: &Progress, file: &Path) -> Result<(), String> {
    let output = progress.watch(file, move || {
        command.output().map_err(|e| format!("cannot run {tool} (is it installed and on PATH?): {e}"))
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{tool} failed: {}", String::from_utf8_lossy(&output.stderr).trim()))
    }
}

fn backup_postgres(url: &str, partial: &Path) -> Result<(), String> {
    let (mut command, url) = pg_tool("pg_dump", url);
    command.args(["--format=custom", "--no-owner", "--no-privileges", "--file"]).arg(partial).arg("--dbname").arg(url);
    run_tool(command, "pg_dump", &Progress::new("backing up", None), partial)?;
    restrict(partial)
}

#[cfg(unix)]
fn restrict(file: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| format!("cannot restrict {}: {e}", file.display()))
}

#[cfg(not(unix))]
fn restrict(_file: &Path) -> Result<(), String> {
    Ok(())
}

/// What a backup file holds, from its first bytes.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Sqlite,
    PgDump,
    Unknown,
}

fn kind_of(file: &Path) -> Result<Kind, String> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let n = f.read(&mut head).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    Ok(if head[..n].starts_with(b"SQLite format 3\0") {
        Kind::Sqlite
    } else if head[..n].starts_with(b"PGDMP") {
        Kind::PgDump
    } else {
        Kind::Unknown
    })
}

/// Restores `file` (written by `backup`) into the database at `url`, which
/// must be empty: no tables (a new PostgreSQL database, or a SQLite path
/// with no file or an empty one).
pub fn restore(url: &str, file: &Path) -> Result<Summary, String> {
    let kind = kind_of(file)?;
    let backend = BackendKind::of_url(url);
    match (&kind, backend) {
        (Kind::Sqlite, BackendKind::Sqlite) | (Kind::PgDump, BackendKind::Postgres) => {}
        (Kind::Unknown, _) => {
            return Err(format!("{} is neither a SQLite backup nor a pg_dump archive", file.display()));
        }
        (Kind::Sqlite, BackendKind::Postgres) | (Kind::PgDump, BackendKind::Sqlite) => {
            return Err(format!(
                "{} is a backup of the other backend; restore it into a database of the same kind",
                file.display()
            ));
        }
    }
    let tables = table_count(url)?;
    if tables > 0 {
        return Err(format!(
            "the database at {} is not empty ({tables} tables); restore goes into an empty database only: \
             create a new one (PostgreSQL: createdb; SQLite: a new file path) and point DATABASE_URL at it",
            crate::config::redact_password(url)
        ));
    }
    let started = Instant::now();
    match backend {
        BackendKind::Sqlite => restore_sqlite(url, file)?,
        BackendKind::Postgres => {
            let (mut command, url) = pg_tool("pg_restore", url);
            command
                .args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname"])
                .arg(url)
                .arg(file);
            run_tool(command, "pg_restore", &Progress::new("restoring", None), file)?;
        }
    }
    Ok(Summary { verb: "restored from", file: file.to_owned(), bytes: size_of(file), took: started.elapsed() })
}

/// Tables in the database; 0 for a SQLite path with no file yet.
pub(crate) fn table_count(url: &str) -> Result<i64, String> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    match BackendKind::of_url(url) {
        BackendKind::Sqlite => {
            let path = sqlite_path(url);
            if size_of(Path::new(path)) == 0 {
                return Ok(0);
            }
            let mut conn = open_sqlite(path)?;
            let count: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'")
                .get_result(&mut conn)
                .map_err(|e| format!("{path} is not a SQLite database: {e}"))?;
            Ok(count.n)
        }
        BackendKind::Postgres => {
            let mut conn = PgConnection::establish(url)
                .map_err(|e| format!("cannot connect to {}: {e}", crate::config::redact_password(url)))?;
            let count: Count = diesel::sql_query(
                "SELECT COUNT(*) AS n FROM pg_catalog.pg_tables \
                 WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
            )
            .get_result(&mut conn)
            .map_err(|e| e.to_string())?;
            Ok(count.n)
        }
    }
}

fn restore_sqlite(url: &str, file: &Path) -> Result<(), String> {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text)]
        line: String,
    }
    let backup = file.to_str().ok_or_else(|| format!("{} is not a UTF-8 path", file.display()))?;
    let mut conn = open_sqlite(backup)?;
    let lines: Vec<Line> = diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check LIMIT 5")
        .load(&mut conn)
        .map_err(|e| format!("{backup}: {e}"))?;
    if !(lines.len() == 1 && lines[0].line == "ok") {
        let found: Vec<String> = lines.into_iter().map(|l| l.line).collect();
        return Err(format!("{backup} fails its integrity check: {}", found.join("; ")));
    }
    drop(conn);
    let target = PathBuf::from(sqlite_path(url));
    let partial = sibling(&target, ".restoring");
    let _ = std::fs::remove_file(&partial);
    prepare_sqlite_file(&partial.to_string_lossy()).map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
    let progress = Progress::new("restoring", Some(size_of(file)));
    let (from, to) = (file.to_owned(), partial.clone());
    progress.watch(&partial, move || {
        std::fs::copy(&from, &to).map(|_| ()).map_err(|e| format!("cannot copy {}: {e}", from.display()))
    })?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sibling(&target, suffix));
    }
    std::fs::rename(&partial, &target).map_err(|e| format!("cannot move the database into place: {e}"))?;
    restrict(&target)
}

/// Scheduled backups of a SQLite forum (`QUORUM_BACKUP_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub dir: PathBuf,
    pub every: Duration,
    /// Backups kept; older ones are removed after each new one.
    pub keep: usize,
}

const SCHEDULED_PREFIX: &str = "quorum-";
const SCHEDULED_SUFFIX: &str = ".db";

/// Starts the thread that backs up every `schedule.every` until stopped.
pub fn start_schedule(url: String, schedule: Schedule, stop: Stop) {
    let spawned = std::thread::Builder::new().name("quorum-backups".into()).spawn(move || {
        let mut next = Instant::now() + schedule.every;
        while !stop.is_stopped() {
            std::thread::sleep(Duration::from_millis(500).min(schedule.every));
            if Instant::now() < next || stop.is_stopped() {
                continue;
            }
            next = Instant::now() + schedule.every;
            match scheduled_once(&url, &schedule) {
                Ok(summary) => tracing::info!(%summary, "scheduled backup"),
                Err(e) => tracing::error!(error = %e, "scheduled backup failed"),
            }
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the backup thread");
    }
}

/// One scheduled backup, then the oldest beyond `keep` are removed.
pub fn scheduled_once(url: &str, schedule: &Schedule) -> Result<Summary, String> {
    std::fs::create_dir_all(&schedule.dir).map_err(|e| format!("cannot create {}: {e}", schedule.dir.display()))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let file = schedule.dir.join(format!("{SCHEDULED_PREFIX}{stamp}{SCHEDULED_SUFFIX}"));
    let summary = backup(url, &file)?;
    let mut existing: Vec<PathBuf> = std::fs::read_dir(&schedule.dir)
        .map_err(|e| format!("cannot list {}: {e}", schedule.dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(SCHEDULED_PREFIX) && n.ends_with(SCHEDULED_SUFFIX) && !n.contains(".partial")
            })
        })
        .collect();
    // The stamp sorts by time.
    existing.sort();
    let excess = existing.len().saturating_sub(schedule.keep.max(1));
    for old in existing.into_iter().take(excess) {
        if let Err(e) = std::fs::remove_file(&old) {
            tracing::warn!(file = %old.display(), error = %e, "cannot remove an old backup");
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_command_line() {
        assert_eq!(
            pg_url_and_password("postgres://quorum:p%40ss@db:5432/forum?sslmode=disable"),
            ("postgres://quorum@db:5432/forum?sslmode=disable".to_owned(), Some("p@ss".to_owned()))
        );
        assert_eq!(pg_url_and_password("postgres://quorum@db/forum"), ("postgres://quorum@db/forum".to_owned(), None));
    }
}
