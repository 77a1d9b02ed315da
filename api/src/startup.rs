//! Builds the HTTP server: state, middleware, routes.

use std::net::{IpAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::{middleware, web, App, HttpServer};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use utoipa_actix_web::AppExt;

use crate::auth::jwt::JwtKeys;
use crate::config::{Profiles, Registration, Secret, Settings};
use crate::cpu::CpuPool;
use crate::db::queries::audiences::Builtins;
use crate::db::queries::{settings, tokens, users};
use crate::db::{Db, DbError, DbOptions};
use crate::events::{
    self,
    mail::{MailSettings, Mailer},
    stream::Hub,
    Stop,
};
use crate::metrics::{self, Metrics};
use crate::openapi::{self, Document};
use crate::routes;
use crate::spa::Spa;
use crate::throttle::Throttle;

/// What every handler can reach.
pub struct AppState {
    pub db: Db,
    pub jwt: JwtKeys,
    pub builtins: Builtins,
    pub registration: Registration,
    pub site_name: String,
    /// Set while no admin existed at start: what `POST /setup` asks for.
    pub setup_token: Option<String>,
    /// The web app, when `QUORUM_STATIC_DIR` is set.
    pub spa: Option<Spa>,
    /// Argon2 runs here: its threads bound the memory hashing can take.
    pub hashing: CpuPool,
    /// Markdown is rendered here, before any database lock is taken.
    pub rendering: CpuPool,
    pub throttle: Throttle,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// Cookies carry `Secure` (the forum's public URL is HTTPS).
    pub secure_cookies: bool,
    pub refresh_grace: Duration,
    pub profiles: Profiles,
    /// Where members reach the forum (`QUORUM_PUBLIC_URL`), for links.
    pub public_url: Option<String>,
    /// Whether e-mail can be sent.
    pub mail_configured: bool,
    /// Open live streams.
    pub hub: Arc<Hub>,
    /// Set on SIGTERM: `/readyz` answers 503 from then on.
    pub draining: Arc<AtomicBool>,
    /// Where the forum's mail queue and password-reset links point.
    pub mail: Option<MailSettings>,
    /// Derives a refresh token's one successor (see `tokens::rotate`).
    pub refresh_key: Secret,
    /// Counters and gauges behind `/metrics`, when it is on.
    pub metrics: Option<Arc<Metrics>>,
    /// Where uploaded files are kept.
    pub files: Arc<dyn crate::uploads::FileStore>,
    /// The largest upload taken, in bytes.
    pub upload_max_bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Config(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
}

fn bind(addr: &str) -> Result<(TcpListener, u16), StartupError> {
    let failed = |source| StartupError::Bind { addr: addr.to_owned(), source };
    let listener = TcpListener::bind(addr).map_err(failed)?;
    let port = listener.local_addr().map_err(failed)?.port();
    Ok((listener, port))
}

pub struct Application {
    port: u16,
    db: Db,
    setup_token: Option<String>,
    server: Server,
    /// `/metrics` on an address of its own (`QUORUM_METRICS_BIND`).
    metrics_server: Option<(Server, u16)>,
    stop: Stop,
    hub: Arc<Hub>,
    draining: Arc<AtomicBool>,
    /// How long `/readyz` says 503 before the server stops accepting.
    grace: Duration,
    /// The threads that must finish their work before the process exits.
    background: Background,
}

/// The event dispatcher and the mail thread, finished in that order on
/// shutdown (events first: they queue mail).
struct Background {
    dispatcher: Option<std::thread::JoinHandle<()>>,
    mailer: Option<(std::thread::JoinHandle<()>, Stop)>,
    within: Duration,
}

impl Background {
    /// Waits for each thread's last pass, at most `within` each.
    fn finish(self) {
        let wait = |handle: std::thread::JoinHandle<()>, what: &str| {
            let deadline = std::time::Instant::now() + self.within;
            while !handle.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if handle.is_finished() {
                let _ = handle.join();
            } else {
                tracing::warn!("{what} did not finish in time; what is left stays queued in the database");
            }
        };
        if let Some(handle) = self.dispatcher {
            wait(handle, "the event dispatcher");
        }
        if let Some((handle, stop)) = self.mailer {
            stop.stop();
            wait(handle, "sending mail");
        }
    }
}

/// SIGTERM (or SIGINT).
async fn shutdown_signal() -> std::io::Result<&'static str> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            _ = term.recv() => Ok("SIGTERM"),
            interrupted = tokio::signal::ctrl_c() => interrupted.map(|()| "SIGINT"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map(|()| "Ctrl-C")
    }
}

const JWT_SECRET_KEY: &str = "jwt_secret";
/// A generated setup token is stored, so every instance sharing the
/// database accepts the one printed; the setup that uses it deletes it.
pub const SETUP_TOKEN_KEY: &str = "setup_token";

/// Connects, migrates and loads what the server needs before it listens.
pub fn prepare(settings: &Settings) -> Result<(Db, AppState), StartupError> {
    // First, so a missing build fails before anything touches the database.
    let spa = match &settings.static_dir {
        Some(dir) => {
            let spa = Spa::load(dir).map_err(StartupError::Config)?;
            tracing::info!(dir = %dir.display(), assets = spa.asset_count(), "serving the web app");
            Some(spa)
        }
        None => match Spa::embedded() {
            Some(spa) => {
                tracing::info!(assets = spa.asset_count(), "serving the web app built into this binary");
                Some(spa)
            }
            None => {
                tracing::warn!(
                    "this binary was built without the web app: serving the API alone \
                     (`cargo xtask run` builds both; QUORUM_STATIC_DIR serves a built app from disk)"
                );
                None
            }
        },
    };
    let options = DbOptions {
        pool_size: settings.pool_size,
        timeout: settings.db_timeout,
        sqlite_sync: settings.sqlite_sync,
        slow_query: settings.slow_query,
    };
    let db = Db::connect_with(&settings.database_url, &options)?;
    let applied = db.migrate()?;
    if applied > 0 {
        tracing::info!(applied, "applied database migrations");
    }
    let mut conn = db.conn()?;
    let builtins = Builtins::load(&mut conn).map_err(DbError::Query)?;
    let secret = match &settings.jwt_secret {
        Some(secret) => secret.expose().to_owned(),
        // Stored, so every instance sharing this database accepts the same tokens.
        None => settings::get_or_insert(&mut conn, JWT_SECRET_KEY, || {
            let mut bytes = [0u8; 48];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            URL_SAFE_NO_PAD.encode(bytes)
        })
        .map_err(|e| StartupError::Config(format!("cannot load the JWT secret: {e}")))?,
    };
    let setup_token = if users::admin_exists(&mut conn, &builtins).map_err(DbError::Query)? {
        None
    } else {
        Some(match &settings.setup_token {
            Some(token) => token.expose().to_owned(),
            None => settings::get_or_insert(&mut conn, SETUP_TOKEN_KEY, tokens::random_token)
                .map_err(|e| StartupError::Config(format!("cannot store the setup token: {e}")))?,
        })
    };
    drop(conn);
    let throttle = Throttle::new(settings.throttle);
    let metrics = (settings.metrics_bind.is_some() || settings.metrics_token.is_some())
        .then(|| Arc::new(Metrics::new(throttle.refused.clone())));
    let jwt = JwtKeys::new(secret.as_bytes()).map_err(StartupError::Config)?;
    let state = AppState {
        db: db.clone(),
        jwt,
        builtins,
        registration: settings.registration,
        site_name: settings.site_name.clone(),
        setup_token,
        spa,
        hashing: CpuPool::per_core("hashing passwords", 16),
        rendering: CpuPool::per_core("rendering posts", 16),
        throttle,
        trusted_proxies: settings.trusted_proxies.clone(),
        secure_cookies: settings.secure_cookies(),
        refresh_grace: settings.refresh_grace,
        profiles: settings.profiles,
        public_url: settings.public_url.clone(),
        mail_configured: settings.smtp_url.is_some(),
        hub: Arc::new(Hub::default()),
        draining: Arc::new(AtomicBool::new(false)),
        mail: settings.smtp_url.clone().map(|smtp_url| MailSettings {
            smtp_url,
            from: settings.mail_from.clone(),
            public_url: settings.public_url.clone().unwrap_or_else(|| format!("http://{}", settings.bind)),
            key: Secret::new(secret.clone()),
        }),
        refresh_key: Secret::new(secret.clone()),
        metrics,
        files: Arc::new(crate::uploads::LocalStore::new(&settings.uploads.dir)),
        upload_max_bytes: settings.uploads.max_bytes,
    };
    Ok((db, state))
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Application, StartupError> {
        let prepared = settings.clone();
        let (db, state) = actix_web::rt::task::spawn_blocking(move || prepare(&prepared))
            .await
            .map_err(|e| StartupError::Config(format!("startup task failed: {e}")))??;
        let (listener, port) = bind(&settings.bind)?;
        let setup_token = state.setup_token.clone();
        let stop = Stop::default();
        let mail_stop = Stop::default();
        let (mailer, mail_thread) = match &state.mail {
            Some(mail) => {
                let (mailer, thread) = Mailer::start(
                    db.clone(),
                    state.builtins,
                    mail.clone(),
                    mail_stop.clone(),
                    settings.shutdown_timeout,
                )
                .map_err(StartupError::Config)?;
                (Some(mailer), Some((thread, mail_stop)))
            }
            None => (None, None),
        };
        let dispatcher = events::start(db.clone(), state.builtins, state.hub.clone(), mailer, stop.clone());
        let background = Background { dispatcher, mailer: mail_thread, within: settings.shutdown_timeout };
        let hub = state.hub.clone();
        let draining = state.draining.clone();
        crate::uploads::start_sweeper(db.clone(), state.files.clone(), settings.uploads.clone(), stop.clone());
        if let Some(schedule) = &settings.backup {
            tracing::info!(dir = %schedule.dir.display(), every_secs = schedule.every.as_secs(), keep = schedule.keep, "scheduled backups");
            crate::backup::start_schedule((*settings.database_url).to_owned(), schedule.clone(), stop.clone());
        }
        let state = web::Data::new(state);
        let api = openapi::document();
        let route_table = web::Data::new(routes::RouteTable::from_document(&api));
        let document = web::Data::new(Document(openapi::document_json()));
        let origins = settings.cors_origins.clone();
        let observe = web::Data::new(crate::observe::Observe {
            trusted_proxies: settings.trusted_proxies.clone(),
            slow_request: settings.slow_request,
            metrics: state.metrics.clone(),
        });
        let metrics_access = web::Data::new(metrics::Access::Token(settings.metrics_token.clone()));
        let metrics_server = match &settings.metrics_bind {
            Some(addr) => {
                let (listener, port) = bind(addr)?;
                let state = state.clone();
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(state.clone())
                        .app_data(web::Data::new(metrics::Access::Open))
                        .service(metrics::metrics)
                })
                .workers(1)
                .disable_signals()
                .listen(listener)
                .map_err(|source| StartupError::Bind { addr: addr.clone(), source })?
                .run();
                tracing::info!(address = %addr, port, "serving metrics");
                Some((server, port))
            }
            None => None,
        };
        let server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure))
                .service(routes::health::healthz)
                .service(routes::health::readyz)
                .service(routes::health::openapi_json)
                .service(metrics::metrics)
                .split_for_parts();
            app.service(api_docs())
                .service(web::resource("/api/docs").route(web::get().to(|| async {
                    actix_web::HttpResponse::PermanentRedirect()
                        .insert_header((header::LOCATION, "/api/docs/"))
                        .finish()
                })))
                .app_data(state.clone())
                .app_data(document.clone())
                .app_data(route_table.clone())
                .app_data(observe.clone())
                .app_data(metrics_access.clone())
                .app_data(routes::json_config())
                .app_data(routes::query_config())
                .app_data(routes::path_config())
                .default_service(web::to(routes::not_found))
                .wrap(middleware::from_fn(crate::idempotency::middleware))
                .wrap(middleware::from_fn(routes::reject_nul))
                // API answers are private and some carry tokens: no cache
                // keeps them unless a handler says otherwise (the web app's
                // files do).
                .wrap(
                    middleware::DefaultHeaders::new()
                        .add((header::CACHE_CONTROL, "no-store"))
                        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")),
                )
                .wrap(cors(&origins))
                .wrap(middleware::Compress::default())
                .wrap(middleware::from_fn(crate::observe::middleware))
        })
        .listen(listener)
        .map_err(|source| StartupError::Bind { addr: settings.bind.clone(), source })?
        // Signals are handled in `run_until_stopped`: live streams close first.
        .disable_signals()
        .shutdown_timeout(settings.shutdown_timeout.as_secs())
        .run();
        Ok(Application {
            port,
            db,
            setup_token,
            server,
            metrics_server,
            stop,
            hub,
            draining,
            grace: settings.shutdown_grace,
            background,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the separate metrics address, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_server.as_ref().map(|(_, port)| *port)
    }

    pub fn db(&self) -> Db {
        self.db.clone()
    }

    /// The token `POST /setup` takes, when no admin existed at start.
    pub fn setup_token(&self) -> Option<&str> {
        self.setup_token.as_deref()
    }

    /// Serves until SIGTERM/SIGINT, then shuts down in order: `/readyz`
    /// answers 503 (for `QUORUM_SHUTDOWN_GRACE_SECS` while all else is still
    /// served), live streams are closed with a retry hint, no new connection is accepted, requests
    /// in flight finish (within `QUORUM_SHUTDOWN_TIMEOUT_SECS`), the event
    /// dispatcher makes its last pass and due mail goes out.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Application { server, metrics_server, stop, hub, draining, grace, background, .. } = self;
        let metrics = metrics_server.map(|(server, _)| {
            let handle = server.handle();
            actix_web::rt::spawn(server);
            handle
        });
        let handle = server.handle();
        let watcher = actix_web::rt::spawn(async move {
            match shutdown_signal().await {
                Ok(signal) => {
                    draining.store(true, Ordering::SeqCst);
                    if !grace.is_zero() {
                        tracing::info!(
                            signal,
                            grace_secs = grace.as_secs(),
                            "shutting down: /readyz answers 503 from now"
                        );
                        actix_web::rt::time::sleep(grace).await;
                    }
                    tracing::info!(signal, "shutting down: closing live streams, finishing requests in flight");
                    hub.close_all();
                    handle.stop(true).await;
                }
                Err(e) => tracing::warn!(error = %e, "cannot listen for shutdown signals"),
            }
        });
        let outcome = server.await;
        watcher.abort();
        if let Some(metrics) = metrics {
            metrics.stop(false).await;
        }
        stop.stop();
        let finished = actix_web::rt::task::spawn_blocking(move || background.finish()).await;
        if finished.is_err() {
            tracing::warn!("the background threads did not finish cleanly");
        }
        tracing::info!("stopped");
        outcome
    }

    /// Stops the background threads (the event dispatcher, mail) when
    /// asked: for servers that are dropped rather than shut down (tests).
    pub fn stopper(&self) -> Stop {
        self.stop.clone()
    }
}

/// Bearer tokens work from any origin unless the operator narrows it.
fn cors(origins: &[String]) -> Cors {
    // No `supports_credentials()`: the refresh cookie must never be usable from another site.
    let cors = Cors::default()
        .allow_any_method()
        .allow_any_header()
        .expose_headers(["content-type", "x-request-id"])
        .max_age(3600);
    if origins.is_empty() {
        cors.allow_any_origin()
    } else {
        origins.iter().fold(cors, |cors, origin| cors.allowed_origin(origin))
    }
}

/// The OpenAPI document rendered at `/api/docs` (Swagger UI, served from
/// the binary), reading `/api/openapi.json`; "Authorize" takes a bearer
/// token or a personal access token.
fn api_docs() -> utoipa_swagger_ui::SwaggerUi {
    use utoipa_swagger_ui::{Config, SwaggerUi};
    SwaggerUi::new("/api/docs/{_:.*}").config(
        Config::new(["/api/openapi.json"])
            .persist_authorization(false)
            .try_it_out_enabled(true)
            .display_request_duration(true),
    )
}
