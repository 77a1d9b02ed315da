//! Run-time settings, from the environment (and CLI flags layered on top).
//! Every value is checked at start, and a bad one stops the server with a
//! message naming the variable.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Who may create an account through `POST /auth/register` (the wire type,
/// so `GET /site` reports the setting as it is).
pub use quorum_types::Registration;

pub use crate::db::SqliteSync;
pub use crate::throttle::ThrottleSettings;

pub const DEFAULT_SITE_NAME: &str = "Quorum";
pub const DEFAULT_MAIL_FROM: &str = "Quorum <quorum@localhost>";

/// Tells test servers' upload directories apart.
static NEXT_TEST_DIR: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A setup token fixed through the environment must not be guessable.
const MIN_SETUP_TOKEN_LEN: usize = 16;

/// A value that must never reach a log: `Debug` prints no part of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// The database URL. Its password (PostgreSQL's `user:password@`) never
/// prints: `Debug` shows the URL with the password replaced.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> DatabaseUrl {
        DatabaseUrl(url.into())
    }

    /// The URL with any password replaced by `***`, for messages and logs.
    pub fn redacted(&self) -> String {
        redact_password(&self.0)
    }
}

impl std::ops::Deref for DatabaseUrl {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

/// `scheme://user:password@host/…` → `scheme://user:***@host/…`; a URL
/// without a password is returned as it is. Also covers `?password=`.
pub fn redact_password(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some(start) = url.find("://").map(|i| i + 3) {
        let authority_end = url[start..].find(['/', '?']).map_or(url.len(), |i| start + i);
        if let Some(at) = url[start..authority_end].rfind('@').map(|i| start + i) {
            if let Some(colon) = url[start..at].find(':').map(|i| start + i) {
                out = format!("{}***{}", &url[..=colon], &url[at..]);
            }
        }
    }
    if let Some(query_start) = out.find('?') {
        let (head, query) = out.split_at(query_start + 1);
        let query = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("&");
        out = format!("{head}{query}");
    }
    out
}

/// Who may read a member's profile (`GET /users/{username}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profiles {
    /// Anyone, signed in or not.
    Public,
    /// Signed-in members only; to anonymous visitors every name is 404, so
    /// the forum does not confirm who has an account.
    Members,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// `postgres://…`, `sqlite://path`, or a plain file path.
    pub database_url: DatabaseUrl,
    /// Address to listen on, e.g. `127.0.0.1:8080` (port 0 picks a free one).
    pub bind: String,
    /// HS256 secret of at least 32 bytes; generated and stored in the
    /// database when absent, so instances sharing a database agree.
    pub jwt_secret: Option<Secret>,
    pub registration: Registration,
    /// Origins allowed by CORS; empty means any origin (bearer tokens; the
    /// refresh cookie is never allowed cross-origin).
    pub cors_origins: Vec<String>,
    /// Connections in the pool.
    pub pool_size: u32,
    /// Longest wait for a database connection while the database answers.
    pub db_timeout: Duration,
    /// SQLite durability: `normal` survives a crash of Quorum, `full` a power cut.
    pub sqlite_sync: SqliteSync,
    /// Directory of the built single-page app, served at `/` when present.
    pub static_dir: Option<PathBuf>,
    /// The forum's name, as `GET /site` reports it.
    pub site_name: String,
    /// The first-run setup token, instead of a generated one.
    pub setup_token: Option<Secret>,
    /// Where members reach the forum, e.g. `https://forum.example.coop`;
    /// with `https`, cookies are marked `Secure`.
    pub public_url: Option<String>,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Limits on password guessing and sign-ups.
    pub throttle: ThrottleSettings,
    /// How long a used refresh token may be presented again while its
    /// successor is unused (its answer was lost), before it counts as stolen.
    pub refresh_grace: Duration,
    /// Who may read profiles.
    pub profiles: Profiles,
    /// Where e-mail goes out (`smtp://host:25`, `smtp://…?tls=required`,
    /// `smtps://user:password@host:465`, or for development and tests
    /// `file:///a/directory`, one `.eml` file per mail); none: no e-mail is sent.
    pub smtp_url: Option<Secret>,
    /// The sender of every mail, e.g. `Our Forum <forum@example.coop>`.
    pub mail_from: String,
    /// Requests that take longer are logged with their duration (`None`: never).
    pub slow_request: Option<Duration>,
    /// Database work (one unit: a request's reads or its write transaction)
    /// that takes longer is logged with its duration (`None`: never).
    pub slow_query: Option<Duration>,
    /// An address of its own where `/metrics` is served to anyone who reaches it.
    pub metrics_bind: Option<String>,
    /// A bearer token that reads `/metrics` on the main port.
    pub metrics_token: Option<Secret>,
    /// Scheduled backups (SQLite): where, how often, how many kept.
    pub backup: Option<crate::backup::Schedule>,
    /// On SIGTERM: how long requests in flight may take to finish, and then
    /// queued events and mail to go out, before the process exits.
    pub shutdown_timeout: Duration,
    /// On SIGTERM, before anything stops: how long `/readyz` answers 503
    /// while everything else is still served, so a load balancer takes the
    /// instance out before it stops accepting connections.
    pub shutdown_grace: Duration,
    /// Where uploaded files go and what is taken.
    pub uploads: UploadSettings,
}

/// Uploaded files: the local store's directory, the size limit, and when
/// an upload no post references is removed.
#[derive(Debug, Clone)]
pub struct UploadSettings {
    /// `QUORUM_UPLOAD_DIR`, default `uploads` under `QUORUM_DATA_DIR`.
    pub dir: PathBuf,
    /// `QUORUM_UPLOAD_MAX_BYTES`, default 8 MiB.
    pub max_bytes: u64,
    /// `QUORUM_UPLOAD_UNUSED_AFTER` (`90s`, `30m`, `24h`, `1d`): an upload
    /// no post references is removed once it is this old.
    pub unused_after: Duration,
    /// How often unused uploads are looked for (`QUORUM_UPLOAD_SWEEP_INTERVAL`, default 1h).
    pub sweep_every: Duration,
}

pub const DEFAULT_UPLOAD_MAX_BYTES: u64 = 8 << 20;

impl UploadSettings {
    /// Defaults under `data_dir`.
    pub fn under(data_dir: &std::path::Path) -> UploadSettings {
        UploadSettings {
            dir: data_dir.join("uploads"),
            max_bytes: DEFAULT_UPLOAD_MAX_BYTES,
            unused_after: Duration::from_secs(86_400),
            sweep_every: Duration::from_secs(3600),
        }
    }
}

fn upload_settings(var: Var<'_>) -> Result<UploadSettings, String> {
    let data_dir = PathBuf::from(var("QUORUM_DATA_DIR").unwrap_or_else(|| "./data".into()));
    let mut uploads = UploadSettings::under(&data_dir);
    if let Some(dir) = var("QUORUM_UPLOAD_DIR") {
        uploads.dir = PathBuf::from(dir.trim());
    }
    uploads.max_bytes =
        parse_number(var, "QUORUM_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES, "a positive number of bytes")?;
    if uploads.max_bytes == 0 {
        return Err("QUORUM_UPLOAD_MAX_BYTES must be a positive number of bytes, not 0".into());
    }
    for (name, slot) in [
        ("QUORUM_UPLOAD_UNUSED_AFTER", &mut uploads.unused_after),
        ("QUORUM_UPLOAD_SWEEP_INTERVAL", &mut uploads.sweep_every),
    ] {
        if let Some(v) = var(name) {
            *slot = parse_interval(&v).ok_or_else(|| format!("{name} must be like 90s, 30m, 6h or 1d, not {v:?}"))?;
        }
    }
    Ok(uploads)
}

type Var<'a> = &'a dyn Fn(&str) -> Option<String>;

fn parse_number<T: std::str::FromStr>(var: Var<'_>, name: &str, default: T, what: &str) -> Result<T, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| format!("{name} must be {what}, not {v:?}")),
    }
}

/// A duration in milliseconds; 0 means "never".
fn milliseconds(var: Var<'_>, name: &str, default: u64) -> Result<Option<Duration>, String> {
    let ms: u64 = parse_number(var, name, default, "a number of milliseconds (0: off)")?;
    Ok((ms > 0).then(|| Duration::from_millis(ms)))
}

/// `90s`, `30m`, `6h`, `1d`, or a number of seconds.
fn parse_interval(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

/// `QUORUM_BACKUP_DIR`, `QUORUM_BACKUP_INTERVAL` (default a day) and
/// `QUORUM_BACKUP_KEEP` (default 7): SQLite only.
fn backup_schedule(var: Var<'_>, database_url: &str) -> Result<Option<crate::backup::Schedule>, String> {
    let Some(dir) = var("QUORUM_BACKUP_DIR") else {
        for name in ["QUORUM_BACKUP_INTERVAL", "QUORUM_BACKUP_KEEP"] {
            if var(name).is_some() {
                return Err(format!("{name} is set but QUORUM_BACKUP_DIR is not"));
            }
        }
        return Ok(None);
    };
    if crate::db::BackendKind::of_url(database_url) == crate::db::BackendKind::Postgres {
        return Err("QUORUM_BACKUP_DIR: scheduled backups are for SQLite; on PostgreSQL run `quorum backup` (pg_dump) from cron or use the server's own backups".into());
    }
    let every = match var("QUORUM_BACKUP_INTERVAL") {
        None => Duration::from_secs(86_400),
        Some(v) => parse_interval(&v)
            .ok_or_else(|| format!("QUORUM_BACKUP_INTERVAL must be like 90s, 30m, 6h or 1d, not {v:?}"))?,
    };
    let keep: usize = parse_number(var, "QUORUM_BACKUP_KEEP", 7, "a positive number")?;
    if keep == 0 {
        return Err("QUORUM_BACKUP_KEEP must be a positive number, not 0".into());
    }
    Ok(Some(crate::backup::Schedule { dir: PathBuf::from(dir.trim()), every, keep }))
}

/// `host:port`, with a port number (0 picks a free one).
pub fn check_bind(name: &str, bind: &str) -> Result<(), String> {
    match bind.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => Ok(()),
        _ => Err(format!("{name} must be host:port, e.g. 127.0.0.1:8080, not {bind:?}")),
    }
}

impl Settings {
    /// Reads the `QUORUM_*` variables and `DATABASE_URL` (see the README's
    /// configuration table).
    pub fn from_env() -> Result<Settings, String> {
        Settings::from_vars(&|name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    fn from_vars(var: Var<'_>) -> Result<Settings, String> {
        let database_url = match var("DATABASE_URL") {
            Some(url) => {
                let url = url.trim().to_owned();
                if let Some((scheme, _)) = url.split_once("://") {
                    if !["postgres", "postgresql", "sqlite"].contains(&scheme) {
                        return Err(format!(
                            "DATABASE_URL must start with postgres://, postgresql:// or sqlite:// (or be a file path), not {scheme}://"
                        ));
                    }
                }
                url
            }
            None => {
                // Created on first start, readable by its owner only (see db::pool).
                let dir = PathBuf::from(var("QUORUM_DATA_DIR").unwrap_or_else(|| "./data".into()));
                dir.join("quorum.db").to_string_lossy().into_owned()
            }
        };
        let registration = match var("QUORUM_REGISTRATION").as_deref() {
            None | Some("open") => Registration::Open,
            Some("invite") => Registration::Invite,
            Some("closed") => Registration::Closed,
            Some(other) => return Err(format!("QUORUM_REGISTRATION must be open, invite or closed, not {other:?}")),
        };
        let pool_size: u32 = parse_number(var, "QUORUM_POOL_SIZE", 8, "a positive number")?;
        if pool_size == 0 {
            return Err("QUORUM_POOL_SIZE must be a positive number, not 0".into());
        }
        let db_timeout: u64 = parse_number(var, "QUORUM_DB_TIMEOUT_SECS", 5, "a number of seconds")?;
        let sqlite_sync = match var("QUORUM_SQLITE_SYNCHRONOUS").map(|v| v.to_lowercase()).as_deref() {
            None | Some("normal") => SqliteSync::Normal,
            Some("full") => SqliteSync::Full,
            Some(other) => return Err(format!("QUORUM_SQLITE_SYNCHRONOUS must be normal or full, not {other:?}")),
        };
        let setup_token = var("QUORUM_SETUP_TOKEN").map(|v| v.trim().to_owned());
        if setup_token.as_ref().is_some_and(|t| t.len() < MIN_SETUP_TOKEN_LEN) {
            return Err(format!("QUORUM_SETUP_TOKEN must be at least {MIN_SETUP_TOKEN_LEN} characters"));
        }
        let public_url = var("QUORUM_PUBLIC_URL").map(|v| v.trim().trim_end_matches('/').to_owned());
        if let Some(url) = &public_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(format!("QUORUM_PUBLIC_URL must start with https:// or http://, not {url:?}"));
            }
        }
        let trusted_proxies = match var("QUORUM_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| s.parse::<IpAddr>().map_err(|_| format!("QUORUM_TRUSTED_PROXIES: {s:?} is not an IP address")))
                .collect::<Result<_, _>>()?,
        };
        let defaults = ThrottleSettings::default();
        let throttle = ThrottleSettings {
            account_failures: parse_number(var, "QUORUM_THROTTLE_ACCOUNT", defaults.account_failures, "a number")?,
            address_failures: parse_number(var, "QUORUM_THROTTLE_ADDRESS", defaults.address_failures, "a number")?,
            registrations: parse_number(var, "QUORUM_THROTTLE_REGISTRATIONS", defaults.registrations, "a number")?,
            max_block_seconds: parse_number(
                var,
                "QUORUM_THROTTLE_MAX_BLOCK_SECS",
                defaults.max_block_seconds,
                "a number of seconds",
            )?,
        };
        let refresh_grace: u64 = parse_number(var, "QUORUM_REFRESH_GRACE_SECS", 30, "a number of seconds")?;
        let bind = var("QUORUM_BIND").map_or_else(|| "127.0.0.1:8080".to_owned(), |v| v.trim().to_owned());
        check_bind("QUORUM_BIND", &bind)?;
        let cors_origins: Vec<String> = var("QUORUM_CORS_ORIGINS")
            .map(|v| {
                v.split(',').map(|s| s.trim().trim_end_matches('/').to_owned()).filter(|s| !s.is_empty()).collect()
            })
            .unwrap_or_default();
        if let Some(origin) = cors_origins.iter().find(|o| !(o.starts_with("https://") || o.starts_with("http://"))) {
            return Err(format!("QUORUM_CORS_ORIGINS: {origin:?} is not an origin like https://forum.example.coop"));
        }
        let smtp_url = var("QUORUM_SMTP_URL").map(|v| v.trim().to_owned());
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://") || url.starts_with("file:///")) {
                // The value may hold a password: only its scheme is named.
                let scheme = url.split_once("://").map_or("", |(s, _)| s);
                return Err(format!(
                    "QUORUM_SMTP_URL must start with smtp://, smtps:// or file:/// (a directory), not {scheme:?}"
                ));
            }
        }
        let mail_from = var("QUORUM_MAIL_FROM").map_or_else(|| DEFAULT_MAIL_FROM.to_owned(), |v| v.trim().to_owned());
        if let Err(e) = mail_from.parse::<lettre::message::Mailbox>() {
            return Err(format!("QUORUM_MAIL_FROM must be an address like `Forum <forum@example.coop>`: {e}"));
        }
        match var("QUORUM_LOG_FORMAT").map(|v| v.to_lowercase()).as_deref() {
            None | Some("text") | Some("json") => {}
            Some(other) => return Err(format!("QUORUM_LOG_FORMAT must be text or json, not {other:?}")),
        }
        if let Some(filter) = var("RUST_LOG") {
            tracing_subscriber::EnvFilter::try_new(&filter).map_err(|e| format!("RUST_LOG {filter:?}: {e}"))?;
        }
        let slow_request = milliseconds(var, "QUORUM_SLOW_REQUEST_MS", 1000)?;
        let slow_query = milliseconds(var, "QUORUM_SLOW_QUERY_MS", 250)?;
        let metrics_bind = var("QUORUM_METRICS_BIND").map(|v| v.trim().to_owned());
        if let Some(address) = &metrics_bind {
            check_bind("QUORUM_METRICS_BIND", address)?;
            if *address == bind {
                return Err("QUORUM_METRICS_BIND must differ from QUORUM_BIND (use QUORUM_METRICS_TOKEN to serve metrics on the main port)".into());
            }
        }
        let metrics_token = var("QUORUM_METRICS_TOKEN").map(|v| v.trim().to_owned());
        if metrics_token.as_ref().is_some_and(|t| t.len() < MIN_SETUP_TOKEN_LEN) {
            return Err(format!("QUORUM_METRICS_TOKEN must be at least {MIN_SETUP_TOKEN_LEN} characters"));
        }
        let profiles = match var("QUORUM_PROFILES").map(|v| v.to_lowercase()).as_deref() {
            None | Some("members") => Profiles::Members,
            Some("public") => Profiles::Public,
            Some(other) => return Err(format!("QUORUM_PROFILES must be members or public, not {other:?}")),
        };
        let backup = backup_schedule(var, &database_url)?;
        let uploads = upload_settings(var)?;
        let shutdown_timeout: u64 = parse_number(var, "QUORUM_SHUTDOWN_TIMEOUT_SECS", 10, "a number of seconds")?;
        let shutdown_grace: u64 = parse_number(var, "QUORUM_SHUTDOWN_GRACE_SECS", 0, "a number of seconds")?;
        let jwt_secret = var("QUORUM_JWT_SECRET");
        if jwt_secret.as_ref().is_some_and(|s| s.len() < 32) {
            return Err("QUORUM_JWT_SECRET must be at least 32 bytes (e.g. `openssl rand -hex 32`)".into());
        }
        Ok(Settings {
            database_url: DatabaseUrl::new(database_url),
            bind,
            jwt_secret: jwt_secret.map(Secret::new),
            registration,
            cors_origins,
            pool_size,
            db_timeout: Duration::from_secs(db_timeout.max(1)),
            sqlite_sync,
            static_dir: var("QUORUM_STATIC_DIR").map(PathBuf::from),
            site_name: var("QUORUM_SITE_NAME").map_or_else(|| DEFAULT_SITE_NAME.to_owned(), |v| v.trim().to_owned()),
            setup_token: setup_token.map(Secret::new),
            public_url,
            trusted_proxies,
            throttle,
            refresh_grace: Duration::from_secs(refresh_grace),
            profiles,
            smtp_url: smtp_url.map(Secret::new),
            mail_from,
            slow_request,
            slow_query,
            metrics_bind,
            metrics_token: metrics_token.map(Secret::new),
            backup,
            shutdown_timeout: Duration::from_secs(shutdown_timeout),
            shutdown_grace: Duration::from_secs(shutdown_grace),
            uploads,
        })
    }

    /// Settings for a test server: port 0, a fixed secret, open
    /// registration, no limits on sign-ups (tests create many accounts
    /// from one address) and the default limits on passwords.
    pub fn for_tests(database_url: impl Into<String>, jwt_secret: impl Into<String>) -> Settings {
        Settings {
            database_url: DatabaseUrl::new(database_url),
            bind: "127.0.0.1:0".into(),
            jwt_secret: Some(Secret::new(jwt_secret)),
            registration: Registration::Open,
            cors_origins: Vec::new(),
            pool_size: 4,
            db_timeout: Duration::from_secs(5),
            sqlite_sync: SqliteSync::Normal,
            static_dir: None,
            site_name: DEFAULT_SITE_NAME.to_owned(),
            setup_token: None,
            public_url: None,
            trusted_proxies: Vec::new(),
            throttle: ThrottleSettings { registrations: 0, ..ThrottleSettings::default() },
            refresh_grace: Duration::from_secs(30),
            profiles: Profiles::Members,
            smtp_url: None,
            mail_from: DEFAULT_MAIL_FROM.to_owned(),
            slow_request: Some(Duration::from_secs(1)),
            slow_query: Some(Duration::from_millis(250)),
            metrics_bind: None,
            metrics_token: None,
            backup: None,
            shutdown_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::ZERO,
            uploads: UploadSettings::under(&std::env::temp_dir().join(format!(
                "quorum-test-{}-{}",
                std::process::id(),
                NEXT_TEST_DIR.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            ))),
        }
    }

    /// Whether cookies must be marked `Secure`: the forum is reached over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Settings::from_vars(&|name: &str| map.get(name).cloned())
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("QUORUM_POOL_SIZE", "0"),
            ("QUORUM_THROTTLE_ACCOUNT", "five"),
            ("QUORUM_TRUSTED_PROXIES", "10.0.0.1, proxy.local"),
            ("QUORUM_PUBLIC_URL", "forum.example.coop"),
            ("QUORUM_PROFILES", "everyone"),
            ("QUORUM_SQLITE_SYNCHRONOUS", "off"),
            ("QUORUM_BIND", "8080"),
            ("QUORUM_BIND", "localhost:http"),
            ("QUORUM_CORS_ORIGINS", "https://a.example, b.example"),
            ("QUORUM_SMTP_URL", "mail.example.coop:25"),
            ("QUORUM_MAIL_FROM", "not an address"),
            ("QUORUM_LOG_FORMAT", "xml"),
            ("QUORUM_SLOW_REQUEST_MS", "1s"),
            ("QUORUM_SLOW_QUERY_MS", "-1"),
            ("QUORUM_JWT_SECRET", "short"),
            ("DATABASE_URL", "mysql://u:p@h/db"),
            ("RUST_LOG", "quorum=loud"),
            ("QUORUM_METRICS_BIND", "9090"),
            ("QUORUM_METRICS_TOKEN", "short"),
            ("QUORUM_BACKUP_INTERVAL", "6h"),
            ("QUORUM_BACKUP_KEEP", "3"),
            ("QUORUM_UPLOAD_MAX_BYTES", "8MiB"),
            ("QUORUM_UPLOAD_MAX_BYTES", "0"),
            ("QUORUM_UPLOAD_UNUSED_AFTER", "a day"),
        ] {
            let error = settings(&[(name, value)]).err().unwrap_or_default();
            assert!(error.starts_with(name), "{name}={value}: {error}");
        }
    }

    #[test]
    fn backups_are_scheduled_on_sqlite_only() {
        let s = settings(&[("QUORUM_BACKUP_DIR", "/var/backups/quorum"), ("QUORUM_BACKUP_INTERVAL", "6h")])
            .unwrap_or_else(|e| panic!("{e}"));
        let schedule = s.backup.unwrap_or_else(|| panic!("no schedule"));
        assert_eq!((schedule.every, schedule.keep), (Duration::from_secs(6 * 3600), 7));
        for (bad, name) in [
            (vec![("QUORUM_BACKUP_DIR", "/b"), ("DATABASE_URL", "postgres://h/db")], "QUORUM_BACKUP_DIR"),
            (vec![("QUORUM_BACKUP_DIR", "/b"), ("QUORUM_BACKUP_INTERVAL", "often")], "QUORUM_BACKUP_INTERVAL"),
            (vec![("QUORUM_BACKUP_DIR", "/b"), ("QUORUM_BACKUP_KEEP", "0")], "QUORUM_BACKUP_KEEP"),
        ] {
            let error = settings(&bad).err().unwrap_or_default();
            assert!(error.starts_with(name), "{error}");
        }
        assert_eq!(parse_interval("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_interval("1d"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_interval("0m"), None);
    }

    #[test]
    fn secrets_do_not_print() {
        let s = settings(&[
            ("QUORUM_JWT_SECRET", "a-very-secret-value-of-32-bytes-or-more"),
            ("QUORUM_SETUP_TOKEN", "setup-token-0123456789"),
            ("DATABASE_URL", "postgres://quorum:db-pass-w0rd@db.example:5432/quorum?sslmode=require"),
            ("QUORUM_SMTP_URL", "smtps://forum:smtp-pass-w0rd@mail.example:465"),
            ("QUORUM_METRICS_TOKEN", "metrics-token-0123456789"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let printed = format!("{s:?}");
        for secret in ["a-very-secret", "setup-token-01", "db-pass-w0rd", "smtp-pass-w0rd", "metrics-token-01"] {
            assert!(!printed.contains(secret), "{secret} printed in {printed}");
        }
        assert!(printed.contains("postgres://quorum:***@db.example:5432/quorum?sslmode=require"), "{printed}");
        // The URL itself still reaches the code that connects.
        assert!(s.database_url.contains("db-pass-w0rd"));
        assert_eq!(redact_password("postgres://h/db?user=u&password=x"), "postgres://h/db?user=u&password=***");
        assert_eq!(redact_password("/var/lib/quorum/quorum.db"), "/var/lib/quorum/quorum.db");
        assert_eq!(redact_password("postgres://u@h/db"), "postgres://u@h/db");
        assert!(settings(&[("QUORUM_PUBLIC_URL", "https://forum.example.coop/")]).is_ok_and(|s| s.secure_cookies()));
        assert!(settings(&[]).is_ok_and(|s| !s.secure_cookies() && s.profiles == Profiles::Members));
    }
}
