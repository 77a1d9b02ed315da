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
    pub database_url: String,
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
    /// `smtps://user:password@host:465`); none: no e-mail is sent.
    pub smtp_url: Option<Secret>,
    /// The sender of every mail, e.g. `Our Forum <forum@example.coop>`.
    pub mail_from: String,
}

type Var<'a> = &'a dyn Fn(&str) -> Option<String>;

fn parse_number<T: std::str::FromStr>(var: Var<'_>, name: &str, default: T, what: &str) -> Result<T, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| format!("{name} must be {what}, not {v:?}")),
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
            Some(url) => url,
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
        let profiles = match var("QUORUM_PROFILES").map(|v| v.to_lowercase()).as_deref() {
            None | Some("members") => Profiles::Members,
            Some("public") => Profiles::Public,
            Some(other) => return Err(format!("QUORUM_PROFILES must be members or public, not {other:?}")),
        };
        Ok(Settings {
            database_url,
            bind: var("QUORUM_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            jwt_secret: var("QUORUM_JWT_SECRET").map(Secret::new),
            registration,
            cors_origins: var("QUORUM_CORS_ORIGINS")
                .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
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
            smtp_url: var("QUORUM_SMTP_URL").map(Secret::new),
            mail_from: var("QUORUM_MAIL_FROM").unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned()),
        })
    }

    /// Settings for a test server: port 0, a fixed secret, open
    /// registration, no limits on sign-ups (tests create many accounts
    /// from one address) and the default limits on passwords.
    pub fn for_tests(database_url: impl Into<String>, jwt_secret: impl Into<String>) -> Settings {
        Settings {
            database_url: database_url.into(),
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
        ] {
            let error = settings(&[(name, value)]).err().unwrap_or_default();
            assert!(error.starts_with(name), "{name}={value}: {error}");
        }
    }

    #[test]
    fn secrets_do_not_print() {
        let s = settings(&[
            ("QUORUM_JWT_SECRET", "a-very-secret-value-of-32-bytes-or-more"),
            ("QUORUM_SETUP_TOKEN", "setup-token-0123456789"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let printed = format!("{s:?}");
        assert!(!printed.contains("a-very-secret") && !printed.contains("setup-token-01"), "{printed}");
        assert!(settings(&[("QUORUM_PUBLIC_URL", "https://forum.example.coop/")]).is_ok_and(|s| s.secure_cookies()));
        assert!(settings(&[]).is_ok_and(|s| !s.secure_cookies() && s.profiles == Profiles::Members));
    }
}
