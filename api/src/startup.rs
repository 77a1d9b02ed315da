//! Builds the HTTP server: state, middleware, routes.

use std::net::{IpAddr, TcpListener};
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
    /// Where the forum's mail queue and password-reset links point.
    pub mail: Option<MailSettings>,
    /// Derives a refresh token's one successor (see `tokens::rotate`).
    pub refresh_key: Secret,
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

pub struct Application {
    port: u16,
    db: Db,
    setup_token: Option<String>,
    server: Server,
    stop: Stop,
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
        None => None,
    };
    let options =
        DbOptions { pool_size: settings.pool_size, timeout: settings.db_timeout, sqlite_sync: settings.sqlite_sync };
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
        throttle: Throttle::new(settings.throttle),
        trusted_proxies: settings.trusted_proxies.clone(),
        secure_cookies: settings.secure_cookies(),
        refresh_grace: settings.refresh_grace,
        profiles: settings.profiles,
        public_url: settings.public_url.clone(),
        mail_configured: settings.smtp_url.is_some(),
        hub: Arc::new(Hub::default()),
        mail: settings.smtp_url.clone().map(|smtp_url| MailSettings {
            smtp_url,
            from: settings.mail_from.clone(),
            public_url: settings.public_url.clone().unwrap_or_else(|| format!("http://{}", settings.bind)),
            key: Secret::new(secret.clone()),
        }),
        refresh_key: Secret::new(secret.clone()),
    };
    Ok((db, state))
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Application, StartupError> {
        let prepared = settings.clone();
        let (db, state) = actix_web::rt::task::spawn_blocking(move || prepare(&prepared))
            .await
            .map_err(|e| StartupError::Config(format!("startup task failed: {e}")))??;
        let listener = TcpListener::bind(&settings.bind)
            .map_err(|source| StartupError::Bind { addr: settings.bind.clone(), source })?;
        let port =
            listener.local_addr().map_err(|source| StartupError::Bind { addr: settings.bind.clone(), source })?.port();
        let setup_token = state.setup_token.clone();
        let stop = Stop::default();
        let mailer = match &state.mail {
            Some(mail) => Some(
                Mailer::start(db.clone(), state.builtins, mail.clone(), stop.clone()).map_err(StartupError::Config)?,
            ),
            None => None,
        };
        events::start(db.clone(), state.builtins, state.hub.clone(), mailer, stop.clone());
        let state = web::Data::new(state);
        let api = openapi::document();
        let route_table = web::Data::new(routes::RouteTable::from_document(&api));
        let document = web::Data::new(Document(openapi::document_json()));
        let origins = settings.cors_origins.clone();
        let server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure))
                .service(routes::health::healthz)
                .service(routes::health::readyz)
                .service(routes::health::openapi_json)
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
                .wrap(
                    middleware::Logger::new("%{request}xi %s %b %Dms")
                        .custom_request_replace("request", request_line)
                        .log_target("quorum::http"),
                )
        })
        .listen(listener)
        .map_err(|source| StartupError::Bind { addr: settings.bind.clone(), source })?
        .shutdown_timeout(10)
        .run();
        Ok(Application { port, db, setup_token, server, stop })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> Db {
        self.db.clone()
    }

    /// The token `POST /setup` takes, when no admin existed at start.
    pub fn setup_token(&self) -> Option<&str> {
        self.setup_token.as_deref()
    }

    /// Serves until SIGTERM/SIGINT, then drains in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let stop = self.stop.clone();
        let outcome = self.server.await;
        stop.stop();
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
    let cors = Cors::default().allow_any_method().allow_any_header().expose_headers(["content-type"]).max_age(3600);
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

/// The request line as logged: a calendar feed's secret never reaches the log.
fn request_line(req: &actix_web::dev::ServiceRequest) -> String {
    let target = req.uri().path_and_query().map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned());
    let shown = match target.strip_prefix("/api/v1/calendar/") {
        Some(_) => "/api/v1/calendar/<secret>.ics".to_owned(),
        None => target,
    };
    format!("{} {shown} {:?}", req.method(), req.version())
}
