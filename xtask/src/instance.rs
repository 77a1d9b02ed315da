//! A throwaway Quorum instance: a scratch database (a SQLite file in a temp
//! directory, or a new PostgreSQL database) removed when dropped, even after
//! a failure, and `quorum serve` on a free port over it, which can be
//! stopped, killed and started again on the same database.

use std::collections::hash_map::RandomState;
use std::env;
use std::fs::{self, File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime};

use crate::Result;

const ADMIN_USERNAME: &str = "admin";
/// How long `quorum serve` may take to answer `/readyz`.
const READY_WITHIN: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    pub fn parse(value: &str) -> Result<Backend> {
        match value {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" | "pg" => Ok(Backend::Postgres),
            other => Err(format!("unknown backend {other}: sqlite or postgres")),
        }
    }
}

/// A scratch database, removed when dropped (also after a failure).
pub struct Database {
    pub url: String,
    /// For PostgreSQL: the admin URL and the database's name.
    pg: Option<(String, String)>,
    /// A directory of its own: the SQLite file, the server's working directory.
    pub scratch: PathBuf,
}

impl Database {
    /// `tag` names the run in temp paths and database names (`e2e`, `soak`).
    pub fn create(backend: Backend, pg_url: &str, tag: &str) -> Result<Database> {
        let id = random_hex(6);
        let scratch = env::temp_dir().join(format!("quorum-{tag}-{}-{id}", std::process::id()));
        fs::create_dir_all(&scratch).map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
        // Quorum warns about a database directory other users can read.
        fs::set_permissions(&scratch, fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("cannot restrict {}: {e}", scratch.display()))?;
        match backend {
            Backend::Sqlite => {
                let url = scratch.join("quorum.db").display().to_string();
                Ok(Database { url, pg: None, scratch })
            }
            Backend::Postgres => {
                let name = format!("quorum_{tag}_{id}");
                let database = Database {
                    url: pg_database_url(pg_url, &name),
                    pg: Some((pg_url.to_string(), name.clone())),
                    scratch,
                };
                psql(pg_url, &format!("CREATE DATABASE {name}"))?;
                Ok(database)
            }
        }
    }

    /// Runs SQL in this database (PostgreSQL only).
    pub fn psql(&self, sql: &str) -> Result {
        match &self.pg {
            Some(_) => psql(&self.url, sql),
            None => Err("psql runs on PostgreSQL databases only".into()),
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.pg {
            if let Err(error) = psql(admin_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")) {
                eprintln!("warning: could not drop database {name}: {error}");
            }
        }
        let _ = fs::remove_dir_all(&self.scratch);
    }
}

pub fn psql(url: &str, sql: &str) -> Result {
    let out = Command::new("psql")
        .args([url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .map_err(|e| format!("psql is needed for PostgreSQL runs: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("psql -c {sql:?}: {}", String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// The same server and credentials as `url`, another database.
pub fn pg_database_url(url: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (rest, query) = rest.split_once('?').map_or((rest, None), |(r, q)| (r, Some(q)));
    let authority = rest.split('/').next().unwrap_or_default();
    match query {
        Some(query) => format!("{scheme}://{authority}/{database}?{query}"),
        None => format!("{scheme}://{authority}/{database}"),
    }
}

/// `quorum` processes over one scratch database.
pub struct Instance {
    pub backend: Backend,
    /// `http://127.0.0.1:<port>`
    pub url: String,
    pub admin_username: &'static str,
    pub admin_password: String,
    /// The server's standard output and error, across restarts.
    pub log_path: PathBuf,
    quorum: PathBuf,
    bind: String,
    jwt_secret: String,
    env: Vec<(&'static str, String)>,
    server: Option<Child>,
    // Declared last: dropped after `drop` has stopped the server.
    pub database: Database,
}

impl Instance {
    /// A migrated scratch database and a free port; no server yet. `env`
    /// adds or overrides variables for every `quorum` command.
    pub fn create(
        backend: Backend,
        quorum: &Path,
        pg_url: &str,
        tag: &str,
        log_path: PathBuf,
        env: Vec<(&'static str, String)>,
    ) -> Result<Instance> {
        if let Some(dir) = log_path.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        File::create(&log_path).map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let database = Database::create(backend, pg_url, tag)?;
        let bind = format!("127.0.0.1:{}", free_port()?);
        let instance = Instance {
            backend,
            url: format!("http://{bind}"),
            admin_username: ADMIN_USERNAME,
            admin_password: format!("{tag}-admin-{}", random_hex(12)),
            log_path,
            quorum: quorum.to_path_buf(),
            bind,
            jwt_secret: format!("{tag}-{}", random_hex(24)),
            env,
            server: None,
            database,
        };
        let migrate = instance.command(&["migrate"]).output().map_err(|e| format!("cannot run quorum migrate: {e}"))?;
        if !migrate.status.success() {
            return Err(format!("quorum migrate failed: {}", String::from_utf8_lossy(&migrate.stderr).trim()));
        }
        Ok(instance)
    }

    /// A `quorum` command with this instance's environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.quorum);
        command
            .current_dir(&self.database.scratch)
            .args(args)
            .env("DATABASE_URL", &self.database.url)
            .env("QUORUM_BIND", &self.bind)
            .env("QUORUM_JWT_SECRET", &self.jwt_secret)
            .env("QUORUM_REGISTRATION", "open")
            .env("QUORUM_LOG_FORMAT", "text")
            .env_remove("QUORUM_CORS_ORIGINS")
            .env_remove("QUORUM_SETUP_TOKEN")
            .env_remove("QUORUM_STATIC_DIR")
            .env_remove("QUORUM_DATA_DIR")
            .env_remove("QUORUM_UPLOAD_DIR");
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }

    /// `quorum admin create` with the generated password on standard input.
    pub fn create_admin(&self) -> Result {
        let mut command = self.command(&[
            "admin",
            "create",
            "--username",
            self.admin_username,
            "--email",
            "admin@example.org",
            "--password-stdin",
        ]);
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run quorum admin create: {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(self.admin_password.as_bytes()).map_err(|e| format!("writing the admin password: {e}"))?;
        }
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("quorum admin create failed: {}", String::from_utf8_lossy(&out.stderr).trim()))
        }
    }

    /// Starts `quorum serve` and waits until `/readyz` answers 200; returns
    /// how long that took.
    pub fn start(&mut self) -> Result<Duration> {
        if self.server.is_some() {
            return Err("the server is already running".into());
        }
        let open = || OpenOptions::new().append(true).open(&self.log_path);
        let log = open().map_err(|e| format!("cannot open {}: {e}", self.log_path.display()))?;
        let log_err = open().map_err(|e| format!("cannot open {}: {e}", self.log_path.display()))?;
        let started = Instant::now();
        let child = self
            .command(&["serve"])
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .spawn()
            .map_err(|e| format!("cannot start quorum serve: {e}"))?;
        self.server = Some(child);
        self.wait_ready()?;
        Ok(started.elapsed())
    }

    fn wait_ready(&mut self) -> Result {
        let deadline = Instant::now() + READY_WITHIN;
        while Instant::now() < deadline {
            if http_status(&self.bind, "/readyz") == Some(200) {
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.server.as_mut().map(Child::try_wait) {
                self.server = None;
                return Err(format!("quorum serve exited ({status}):\n{}", self.log_tail(20)));
            }
            sleep(Duration::from_millis(20));
        }
        Err(format!("quorum serve on {} was not ready within 60 s (log: {})", self.bind, self.log_path.display()))
    }

    /// The last lines of the server's log.
    pub fn log_tail(&self, lines: usize) -> String {
        let log = fs::read_to_string(&self.log_path).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(lines).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    /// The server's process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.server.as_ref().map(Child::id)
    }

    /// SIGKILL: no chance to finish anything in flight.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.server.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM (a graceful stop), then SIGKILL after ten seconds.
    pub fn stop(&mut self) {
        let Some(mut child) = self.server.take() else {
            return;
        };
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// `quorum check` on the database; its report, or an error holding the
    /// report when a check failed.
    pub fn check(&self) -> Result<String> {
        let out = self.command(&["check"]).output().map_err(|e| format!("cannot run quorum check: {e}"))?;
        let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if out.status.success() {
            Ok(report.trim_end().to_string())
        } else {
            Err(report.trim_end().to_string())
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The status code of a plain GET, or None when nothing answers.
pub fn http_status(addr: &str, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").ok()?;
    let mut head = [0u8; 16];
    let n = stream.read(&mut head).ok()?;
    let line = String::from_utf8_lossy(&head[..n]).into_owned();
    line.split_whitespace().nth(1)?.parse().ok()
}

pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// Random hex for names and secrets of a throwaway instance (std's
/// per-process random hash keys, mixed with the clock).
pub fn random_hex(bytes: usize) -> String {
    let mut out = String::new();
    while out.len() < bytes * 2 {
        out.push_str(&format!("{:016x}", random_u64(out.len() as u64)));
    }
    out.truncate(bytes * 2);
    out
}

/// A random number in `low..high` (for timings, not secrets).
pub fn random_between(low: u64, high: u64) -> u64 {
    low + random_u64(0) % high.saturating_sub(low).max(1)
}

fn random_u64(salt: u64) -> u64 {
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(nanos);
    hasher.write_u64(salt);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_get_another_database() {
        assert_eq!(
            pg_database_url("postgres://postgres@127.0.0.1:5432/test", "quorum_e2e_ab"),
            "postgres://postgres@127.0.0.1:5432/quorum_e2e_ab"
        );
        assert_eq!(
            pg_database_url("postgresql://u:p@db:6543/x?sslmode=disable", "y"),
            "postgresql://u:p@db:6543/y?sslmode=disable"
        );
        assert_eq!(pg_database_url("postgres://localhost", "z"), "postgres://localhost/z");
    }

    #[test]
    fn random_names_differ() {
        let (a, b) = (random_hex(6), random_hex(6));
        assert_eq!(a.len(), 12);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!((2000..5000).contains(&random_between(2000, 5000)));
    }

    #[test]
    fn backends_parse() {
        assert_eq!(Backend::parse("sqlite"), Ok(Backend::Sqlite));
        assert_eq!(Backend::parse("postgres"), Ok(Backend::Postgres));
        assert!(Backend::parse("mysql").is_err());
    }
}
