//! Run-time settings, from the environment (and CLI flags layered on top).

use std::path::PathBuf;

/// Who may create an account through `POST /auth/register` (the wire type,
/// so `GET /site` reports the setting as it is).
pub use quorum_types::Registration;

pub const DEFAULT_SITE_NAME: &str = "Quorum";

/// A setup token fixed through the environment must not be guessable.
const MIN_SETUP_TOKEN_LEN: usize = 16;

#[derive(Debug, Clone)]
pub struct Settings {
    /// `postgres://…`, `sqlite://path`, or a plain file path.
    pub database_url: String,
    /// Address to listen on, e.g. `127.0.0.1:8080` (port 0 picks a free one).
    pub bind: String,
    /// HS256 secret of at least 32 bytes; generated and stored in the
    /// database when absent, so instances sharing a database agree.
    pub jwt_secret: Option<String>,
    pub registration: Registration,
    /// Origins allowed by CORS; empty means any origin (bearer tokens; the
    /// refresh cookie is never allowed cross-origin).
    pub cors_origins: Vec<String>,
    /// Connections in the pool.
    pub pool_size: u32,
    /// Directory of the built single-page app, served at `/` when present.
    pub static_dir: Option<PathBuf>,
    /// The forum's name, as `GET /site` reports it.
    pub site_name: String,
    /// The first-run setup token, instead of a generated one.
    pub setup_token: Option<String>,
}

impl Settings {
    /// Reads `DATABASE_URL`, `QUORUM_DATA_DIR`, `QUORUM_BIND`,
    /// `QUORUM_JWT_SECRET`, `QUORUM_REGISTRATION`, `QUORUM_CORS_ORIGINS`,
    /// `QUORUM_POOL_SIZE`, `QUORUM_STATIC_DIR`, `QUORUM_SITE_NAME` and
    /// `QUORUM_SETUP_TOKEN`.
    pub fn from_env() -> Result<Settings, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let database_url = match var("DATABASE_URL") {
            Some(url) => url,
            None => {
                let dir = PathBuf::from(var("QUORUM_DATA_DIR").unwrap_or_else(|| "./data".into()));
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create data directory {}: {e}", dir.display()))?;
                dir.join("quorum.db").to_string_lossy().into_owned()
            }
        };
        let registration = match var("QUORUM_REGISTRATION").as_deref() {
            None | Some("open") => Registration::Open,
            Some("closed") => Registration::Closed,
            Some(other) => return Err(format!("QUORUM_REGISTRATION must be open or closed, not {other:?}")),
        };
        let pool_size = match var("QUORUM_POOL_SIZE") {
            None => 8,
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("QUORUM_POOL_SIZE must be a positive number, not {v:?}"))?,
        };
        let setup_token = var("QUORUM_SETUP_TOKEN").map(|v| v.trim().to_owned());
        if setup_token.as_ref().is_some_and(|t| t.len() < MIN_SETUP_TOKEN_LEN) {
            return Err(format!("QUORUM_SETUP_TOKEN must be at least {MIN_SETUP_TOKEN_LEN} characters"));
        }
        Ok(Settings {
            database_url,
            bind: var("QUORUM_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            jwt_secret: var("QUORUM_JWT_SECRET"),
            registration,
            cors_origins: var("QUORUM_CORS_ORIGINS")
                .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
            pool_size,
            static_dir: var("QUORUM_STATIC_DIR").map(PathBuf::from),
            site_name: var("QUORUM_SITE_NAME").map_or_else(|| DEFAULT_SITE_NAME.to_owned(), |v| v.trim().to_owned()),
            setup_token,
        })
    }

    /// Settings for a test server: port 0, a fixed secret, open registration.
    pub fn for_tests(database_url: impl Into<String>, jwt_secret: impl Into<String>) -> Settings {
        Settings {
            database_url: database_url.into(),
            bind: "127.0.0.1:0".into(),
            jwt_secret: Some(jwt_secret.into()),
            registration: Registration::Open,
            cors_origins: Vec::new(),
            pool_size: 4,
            static_dir: None,
            site_name: DEFAULT_SITE_NAME.to_owned(),
            setup_token: None,
        }
    }
}
