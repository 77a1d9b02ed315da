//! Spawning a Quorum server over a database that exists only for one test.

use std::path::PathBuf;

use diesel::{Connection, PgConnection, RunQueryDsl};
use quorum::config::Settings;
use quorum::db::Db;
use quorum::startup::Application;

/// The secret every test server signs its JWTs with, so tests can forge tokens.
pub const JWT_SECRET: &str = "quorum-integration-tests-hs256-secret-0123456789";

const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running server and a handle on its database.
pub struct TestApp {
    pub backend: Backend,
    pub port: u16,
    /// `http://127.0.0.1:{port}`
    pub address: String,
    pub jwt_secret: String,
    /// What `POST /setup` takes, when the server started without an admin.
    pub setup_token: Option<String>,
    /// The separate metrics address's port (`Settings::metrics_bind`).
    pub metrics_port: Option<u16>,
    /// Where this server keeps uploaded files (removed when the app is dropped).
    pub upload_dir: Option<PathBuf>,
    db: Db,
    /// Stops the server's background threads when the test ends.
    stop: quorum::events::Stop,
    // Declared last so the pool above is dropped before the database goes.
    database: TestDatabase,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop.stop();
        if let Some(dir) = &self.upload_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl TestApp {
    /// A server on the current actix system, over a fresh database.
    /// `None` when PostgreSQL was asked for, is unreachable, and `CI` is unset.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like [`TestApp::spawn`], with a chance to adjust the settings first.
    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Option<TestApp> {
        let database = TestDatabase::create(backend)?;
        let mut settings = Settings::for_tests(database.url(), JWT_SECRET);
        configure(&mut settings);
        let upload_dir = settings.uploads.dir.clone();
        let app = match Application::build(settings).await {
            Ok(app) => app,
            Err(e) => panic!("cannot start Quorum on {backend:?}: {e}"),
        };
        let port = app.port();
        let db = app.db();
        let setup_token = app.setup_token().map(str::to_owned);
        let stop = app.stopper();
        let metrics_port = app.metrics_port();
        actix_web::rt::spawn(async move {
            if let Err(e) = app.run_until_stopped().await {
                eprintln!("test server stopped with an error: {e}");
            }
        });
        let mut app = TestApp::new(backend, port, db, database, setup_token, stop);
        app.metrics_port = metrics_port;
        app.upload_dir = Some(upload_dir);
        Some(app)
    }

    /// Another instance of the server on this test's database (several
    /// instances behind one load balancer): its address, and what stops it.
    pub async fn another_instance(&self) -> (String, quorum::events::Stop) {
        let settings = Settings::for_tests(self.database.url(), JWT_SECRET);
        let app = match Application::build(settings).await {
            Ok(app) => app,
            Err(e) => panic!("cannot start a second instance: {e}"),
        };
        let (port, stop) = (app.port(), app.stopper());
        actix_web::rt::spawn(async move {
            let _ = app.run_until_stopped().await;
        });
        (format!("http://127.0.0.1:{port}"), stop)
    }

    /// A SQLite server over the database file at `path` (created when
    /// missing); the files are removed when the app is dropped.
    pub async fn spawn_with_url(path: &str) -> TestApp {
        let database = TestDatabase::Sqlite(PathBuf::from(path));
        let settings = Settings::for_tests(database.url(), JWT_SECRET);
        let app = match Application::build(settings).await {
            Ok(app) => app,
            Err(e) => panic!("cannot start Quorum on {path}: {e}"),
        };
        let (port, db, setup_token) = (app.port(), app.db(), app.setup_token().map(str::to_owned));
        let stop = app.stopper();
        actix_web::rt::spawn(async move {
            if let Err(e) = app.run_until_stopped().await {
                eprintln!("test server stopped with an error: {e}");
            }
        });
        TestApp::new(Backend::Sqlite, port, db, database, setup_token, stop)
    }

    /// A server over a database the test filled itself (imported or
    /// restored into an [`EmptyDatabase`]); the database goes with the app.
    pub async fn spawn_on(database: EmptyDatabase) -> TestApp {
        let database = database.0;
        let backend = match &database {
            TestDatabase::Sqlite(_) => Backend::Sqlite,
            TestDatabase::Postgres { .. } => Backend::Postgres,
        };
        let settings = Settings::for_tests(database.url(), JWT_SECRET);
        let app = match Application::build(settings).await {
            Ok(app) => app,
            Err(e) => panic!("cannot start Quorum on the prepared {backend:?} database: {e}"),
        };
        let (port, db, setup_token) = (app.port(), app.db(), app.setup_token().map(str::to_owned));
        let stop = app.stopper();
        actix_web::rt::spawn(async move {
            if let Err(e) = app.run_until_stopped().await {
                eprintln!("test server stopped with an error: {e}");
            }
        });
        TestApp::new(backend, port, db, database, setup_token, stop)
    }

    /// A server that also serves a web app made of `files` (paths relative
    /// to its directory, `index.html` among them, as `QUORUM_STATIC_DIR`
    /// expects). The directory is removed once the server has read it.
    pub async fn spawn_with_web_app(backend: Backend, files: &[(&str, &[u8])]) -> Option<TestApp> {
        let dir = std::env::temp_dir().join(format!("quorum-test-dist-{:016x}", rand::random::<u64>()));
        for (path, bytes) in files {
            let file = dir.join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("creating {}: {e}", parent.display()));
            }
            std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", file.display()));
        }
        let static_dir = dir.clone();
        let app = Self::spawn_with(backend, move |s| s.static_dir = Some(static_dir)).await;
        let _ = std::fs::remove_dir_all(&dir);
        app
    }

    /// A server on its own thread and actix system, for tests that are not
    /// async themselves (proptest runs each case in a fresh system).
    pub fn spawn_in_background(backend: Backend) -> Option<TestApp> {
        let database = TestDatabase::create(backend)?;
        let settings = Settings::for_tests(database.url(), JWT_SECRET);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                match Application::build(settings).await {
                    Ok(app) => {
                        let _ =
                            tx.send(Ok((app.port(), app.db(), app.setup_token().map(str::to_owned), app.stopper())));
                        if let Err(e) = app.run_until_stopped().await {
                            eprintln!("test server stopped with an error: {e}");
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string()));
                    }
                }
            })
        });
        let (port, db, setup_token, stop) = match rx.recv() {
            Ok(Ok(started)) => started,
            Ok(Err(e)) => panic!("cannot start Quorum on {backend:?}: {e}"),
            Err(_) => panic!("the server thread for {backend:?} died before it started"),
        };
        Some(TestApp::new(backend, port, db, database, setup_token, stop))
    }

    fn new(
        backend: Backend,
        port: u16,
        db: Db,
        database: TestDatabase,
        setup_token: Option<String>,
        stop: quorum::events::Stop,
    ) -> TestApp {
        TestApp {
            backend,
            port,
            address: format!("http://127.0.0.1:{port}"),
            jwt_secret: JWT_SECRET.to_owned(),
            setup_token,
            metrics_port: None,
            upload_dir: None,
            db,
            stop,
            database,
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The server's file store for uploads (what `quorum seed` and the
    /// unused-upload sweep are handed).
    pub fn files(&self) -> quorum::uploads::LocalStore {
        let dir = self.upload_dir.clone();
        quorum::uploads::LocalStore::new(dir.unwrap_or_else(|| std::env::temp_dir().join("quorum-test-uploads")))
    }

    /// The URL of this test's database, for a connection of the test's own
    /// (to hold locks while the server works, say).
    pub fn database_url(&self) -> String {
        self.database.url()
    }

    /// Runs one writing SQL statement behind the server's back, to stage
    /// states the API cannot reach on its own (a race lost, say); returns
    /// the rows it touched.
    pub fn execute(&self, sql: &str) -> usize {
        let done =
            self.db.write_blocking(|conn| diesel::sql_query(sql).execute(conn).map_err(quorum::error::ApiError::from));
        match done {
            Ok(n) => n,
            Err(e) => panic!("{sql}: {e:?}"),
        }
    }

    /// Runs a read-only SQL whose single column is aliased `n`.
    pub fn count(&self, sql: &str) -> i64 {
        match self.db.query_i64(sql) {
            Ok(n) => n,
            Err(e) => panic!("{sql}: {e:?}"),
        }
    }
}

/// A database with no tables, removed when dropped: where a test restores
/// a backup or runs migrations itself.
pub struct EmptyDatabase(TestDatabase);

impl EmptyDatabase {
    /// `None` when PostgreSQL was asked for, is unreachable, and `CI` is unset.
    pub fn create(backend: Backend) -> Option<EmptyDatabase> {
        TestDatabase::create(backend).map(EmptyDatabase)
    }

    pub fn url(&self) -> String {
        self.0.url()
    }
}

/// A database that is removed when the test ends.
enum TestDatabase {
    Sqlite(PathBuf),
    Postgres { server_url: String, name: String },
}

impl TestDatabase {
    fn create(backend: Backend) -> Option<TestDatabase> {
        let suffix = format!("{:016x}", rand::random::<u64>());
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("quorum-test-{suffix}.db"));
                Some(TestDatabase::Sqlite(path))
            }
            Backend::Postgres => {
                let server_url = std::env::var("QUORUM_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned());
                let mut conn = match PgConnection::establish(&server_url) {
                    Ok(conn) => conn,
                    Err(e) => {
                        if std::env::var_os("CI").is_some() {
                            panic!("PostgreSQL is unreachable at {server_url} and CI is set: {e}");
                        }
                        eprintln!("skipped: PostgreSQL is unreachable at {server_url} ({e})");
                        return None;
                    }
                };
                let name = format!("quorum_t_{suffix}");
                if let Err(e) = diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn) {
                    panic!("CREATE DATABASE {name} on {server_url}: {e}");
                }
                Some(TestDatabase::Postgres { server_url, name })
            }
        }
    }

    fn url(&self) -> String {
        match self {
            TestDatabase::Sqlite(path) => path.to_string_lossy().into_owned(),
            // Plain TCP: libpq then never touches OpenSSL, whose clean-up at
            // exit can race connections still open on other threads.
            TestDatabase::Postgres { server_url, name } => without_tls(with_database(server_url, name)),
        }
    }
}

fn without_tls(url: String) -> String {
    if url.contains("sslmode=") {
        url
    } else if url.contains('?') {
        url + "&sslmode=disable"
    } else {
        url + "?sslmode=disable"
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self {
            TestDatabase::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            TestDatabase::Postgres { server_url, name } => {
                let dropped = PgConnection::establish(server_url).map_err(|e| e.to_string()).and_then(|mut c| {
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut c)
                        .map_err(|e| e.to_string())
                });
                if let Err(e) = dropped {
                    eprintln!("could not drop test database {name}: {e}");
                }
            }
        }
    }
}

/// `postgres://u@h:p/anything?x=y` with its database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (main, query) = match url.split_once('?') {
        Some((main, query)) => (main, Some(query)),
        None => (url, None),
    };
    let authority_start = main.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match main[authority_start..].find('/') {
        Some(i) => &main[..authority_start + i],
        None => main,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(with_database("postgres://p@h:5432/test", "x"), "postgres://p@h:5432/x");
        assert_eq!(with_database("postgres://p@h:5432", "x"), "postgres://p@h:5432/x");
        assert_eq!(with_database("postgres://p@h/db?sslmode=disable", "x"), "postgres://p@h/x?sslmode=disable");
    }
}
