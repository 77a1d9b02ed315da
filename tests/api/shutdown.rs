//! A real `quorum serve` process: SIGTERM lets requests in flight finish,
//! closes live streams with a retry hint, makes the event dispatcher's last
//! pass, and exits 0; its logs carry request ids and no secret.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use quorum_tests::{Backend, EmptyDatabase, PASSWORD};

const JWT_SECRET: &str = "jwt-secret-that-must-never-be-logged-0123456789";
const SETUP_TOKEN: &str = "setup-token-never-in-logs-0123";
const METRICS_TOKEN: &str = "metrics-token-never-in-logs-0123";
const SMTP_PASSWORD: &str = "smtp-password-never-logged";
const DB_PASSWORD: &str = "db-password-never-logged";

/// The `quorum` binary of this build, built first when needed (once per run).
fn quorum_binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(build_quorum).clone()
}

fn build_quorum() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/api-… → target/<profile>/quorum
    let profile_dir = exe.parent().and_then(|d| d.parent()).expect("the profile directory").to_owned();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Exactly the environment this test run was built with: a different
    // QUORUM_EMBED_APP would rebuild the quorum library in place, under the
    // test binaries (and doc tests) still to run.
    let status =
        Command::new(cargo).args(["build", "--quiet", "-p", "quorum", "--bin", "quorum"]).status().expect("cargo runs");
    assert!(status.success(), "building the quorum binary failed");
    profile_dir.join("quorum")
}

/// One HTTP/1.1 request on a connection of its own: (status, body).
fn http(port: u16, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> Result<(u16, String), String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(60))).map_err(|e| e.to_string())?;
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(token) = token {
        request.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() {
        request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).map_err(|e| format!("sending: {e}"))?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).map_err(|e| format!("reading: {e}"))?;
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status line in {answer:?}"))?;
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    Ok((status, body))
}

/// Logs with their terminal colour codes taken out.
fn without_colours(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn with_password(url: &str) -> String {
    // PostgreSQL in the tests trusts local connections: the password is
    // accepted and ignored, which is all this needs.
    url.replacen("postgres://postgres@", &format!("postgres://postgres:{DB_PASSWORD}@"), 1)
}

struct Server {
    child: Child,
    port: u16,
    stdout: std::sync::mpsc::Receiver<String>,
}

fn start(url: &str) -> Server {
    start_with(url, &[])
}

fn start_with(url: &str, extra: &[(&str, &str)]) -> Server {
    let mut child = Command::new(quorum_binary())
        .arg("serve")
        .envs(extra.iter().copied())
        .env("DATABASE_URL", url)
        .env("QUORUM_BIND", "127.0.0.1:0")
        .env("QUORUM_JWT_SECRET", JWT_SECRET)
        .env("QUORUM_SETUP_TOKEN", SETUP_TOKEN)
        .env("QUORUM_METRICS_TOKEN", METRICS_TOKEN)
        .env("QUORUM_SMTP_URL", format!("smtp://forum:{SMTP_PASSWORD}@127.0.0.1:9"))
        .env("QUORUM_THROTTLE_ACCOUNT", "0")
        .env("QUORUM_THROTTLE_ADDRESS", "0")
        .env("QUORUM_SHUTDOWN_TIMEOUT_SECS", "20")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("quorum serve starts");
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let port = loop {
        let line = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("quorum serve did not say where it listens");
        });
        if let Some(rest) = line.strip_prefix("Quorum is listening on http://127.0.0.1:") {
            break rest.trim_end_matches('/').parse::<u16>().expect("a port");
        }
    };
    Server { child, port, stdout: rx }
}

/// A transaction of the test's own that keeps the server from adding posts
/// until released (SQLite: the write lock; PostgreSQL: a table lock).
enum PostsLock {
    Sqlite(diesel::SqliteConnection),
    Postgres(diesel::PgConnection),
}

fn hold_posts(backend: Backend, url: &str) -> PostsLock {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    match backend {
        Backend::Sqlite => {
            let mut conn = diesel::SqliteConnection::establish(url).expect("a connection of the test's own");
            conn.batch_execute("PRAGMA busy_timeout = 10000; BEGIN IMMEDIATE").expect("the write lock");
            PostsLock::Sqlite(conn)
        }
        Backend::Postgres => {
            let mut conn = diesel::PgConnection::establish(url).expect("a connection of the test's own");
            conn.batch_execute("BEGIN; LOCK TABLE posts IN EXCLUSIVE MODE").expect("the table lock");
            PostsLock::Postgres(conn)
        }
    }
}

impl PostsLock {
    fn release(self) {
        use diesel::connection::SimpleConnection;
        let released = match self {
            PostsLock::Sqlite(mut conn) => conn.batch_execute("COMMIT"),
            PostsLock::Postgres(mut conn) => conn.batch_execute("COMMIT"),
        };
        released.expect("releasing the lock");
    }
}

fn shutdown_under_load(backend: Backend) {
    let Some(database) = EmptyDatabase::create(backend) else { return };
    let url = match backend {
        Backend::Postgres => with_password(&database.url()),
        Backend::Sqlite => database.url(),
    };
    let mut server = start(&url);
    let port = server.port;

    let setup = serde_json::json!({"token": SETUP_TOKEN, "username": "admin", "email": "admin@coop.example", "password": PASSWORD});
    let (status, body) = http(port, "POST", "/api/v1/setup", None, Some(&setup.to_string())).expect("setup");
    assert_eq!(status, 201, "{body}");
    let admin = json(&body)["access_token"].as_str().expect("a token").to_owned();
    let category = serde_json::json!({"slug": "general", "name": "General", "description": "", "audience": ["signed-in"], "posters": ["signed-in"]});
    let (status, body) =
        http(port, "POST", "/api/v1/categories", Some(&admin), Some(&category.to_string())).expect("category");
    assert_eq!(status, 201, "{body}");
    let thread = serde_json::json!({"category": "general", "title": "Shutdown", "body": "Before the restart"});
    let (status, body) =
        http(port, "POST", "/api/v1/threads", Some(&admin), Some(&thread.to_string())).expect("thread");
    assert_eq!(status, 201, "{body}");
    let thread_id = json(&body)["thread"]["id"].as_i64().expect("a thread id");

    // A live stream, read to its end.
    let stream_admin = admin.clone();
    let live = std::thread::spawn(move || http(port, "GET", "/api/v1/stream", Some(&stream_admin), None));
    std::thread::sleep(Duration::from_millis(300));

    // Requests in flight when the signal comes: replies held up by a lock
    // the test takes on the posts (so they are surely accepted and still
    // running when the signal arrives, however busy the machine), and
    // sign-ins (each hashes a password).
    let lock = hold_posts(backend, &database.url());
    let login = serde_json::json!({"login": "admin", "password": PASSWORD}).to_string();
    let mut in_flight = Vec::new();
    for i in 0..12 {
        let login = login.clone();
        let admin = admin.clone();
        in_flight.push(std::thread::spawn(move || {
            if i % 2 == 0 {
                http(port, "POST", "/api/v1/auth/login", None, Some(&login))
            } else {
                let reply = serde_json::json!({"body": format!("reply {i}")}).to_string();
                http(port, "POST", &format!("/api/v1/threads/{thread_id}/posts"), Some(&admin), Some(&reply))
            }
        }));
    }
    std::thread::sleep(Duration::from_millis(1000));
    let signalled = Instant::now();
    let killed = Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().expect("kill runs");
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));
    lock.release();

    for request in in_flight {
        let (status, body) =
            request.join().expect("no panic").unwrap_or_else(|e| panic!("a request in flight failed: {e}"));
        assert!(status == 200 || status == 201, "{status}: {body}");
    }
    let (status, streamed) = live.join().expect("no panic").expect("the live stream ends cleanly");
    assert_eq!(status, 200);
    assert!(streamed.contains("retry: 5000"), "no retry hint in {streamed:?}");

    let deadline = Instant::now() + Duration::from_secs(60);
    let exit = loop {
        if let Some(exit) = server.child.try_wait().expect("waiting") {
            break exit;
        }
        assert!(Instant::now() < deadline, "quorum serve did not exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = signalled.elapsed();
    let mut logs = String::new();
    server.child.stderr.take().expect("stderr").read_to_string(&mut logs).expect("reading the logs");
    let logs = without_colours(&logs);
    let printed: Vec<String> = server.stdout.try_iter().collect();
    assert_eq!(exit.code(), Some(0), "exit status {exit:?}; logs:\n{logs}");
    assert!(took < Duration::from_secs(20), "shutting down took {took:?}");
    // After the exit nobody answers.
    assert!(http(port, "GET", "/healthz", None, None).is_err());

    // Every event committed was dispatched before the exit.
    let db = quorum::db::Db::connect(&database.url(), 1).expect("connecting");
    let newest = db.query_i64("SELECT COALESCE(MAX(id), 0) AS n FROM events").expect("events");
    let notified = db
        .query_i64("SELECT last_event_id AS n FROM dispatch_cursors WHERE name = 'notify'")
        .expect("the notify cursor");
    assert_eq!(notified, newest, "events left undispatched at exit");

    // Logs carry request ids; secrets appear nowhere.
    assert!(logs.contains("request{id="), "no request span in the logs:\n{logs}");
    for secret in [JWT_SECRET, METRICS_TOKEN, SMTP_PASSWORD, DB_PASSWORD, SETUP_TOKEN, PASSWORD] {
        assert!(!logs.contains(secret), "a secret is in the logs: {secret}");
    }
    for secret in [JWT_SECRET, METRICS_TOKEN, SMTP_PASSWORD, DB_PASSWORD, PASSWORD] {
        assert!(!printed.iter().any(|l| l.contains(secret)), "a secret is on standard output: {secret}");
    }
}

/// With a grace period, SIGTERM first turns `/readyz` to 503 while every
/// other request, on new connections too, is still served; then the server
/// stops as without one.
fn shutdown_with_grace(backend: Backend) {
    let Some(database) = EmptyDatabase::create(backend) else { return };
    let mut server = start_with(&database.url(), &[("QUORUM_SHUTDOWN_GRACE_SECS", "4")]);
    let port = server.port;
    let (status, body) = http(port, "GET", "/readyz", None, None).expect("readyz");
    assert_eq!((status, body.as_str()), (200, "ready"));

    let signalled = Instant::now();
    let killed = Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().expect("kill runs");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(3);
    let readiness = loop {
        let answer = http(port, "GET", "/readyz", None, None).expect("readyz during the grace period");
        if answer.0 == 503 || Instant::now() > deadline {
            break answer;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!((readiness.0, readiness.1.as_str()), (503, "shutting down"));
    if signalled.elapsed() < Duration::from_secs(3) {
        // Still within the grace period: everything else is served.
        let (status, _) = http(port, "GET", "/healthz", None, None).expect("healthz during the grace period");
        assert_eq!(status, 200);
        let (status, body) =
            http(port, "GET", "/api/v1/categories", None, None).expect("a read during the grace period");
        assert_eq!(status, 200, "{body}");
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let exit = loop {
        if let Some(exit) = server.child.try_wait().expect("waiting") {
            break exit;
        }
        assert!(Instant::now() < deadline, "quorum serve did not exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(exit.code(), Some(0));
    assert!(signalled.elapsed() >= Duration::from_secs(4), "stopped before its grace period ended");
    assert!(http(port, "GET", "/healthz", None, None).is_err());
}

/// An idle server rests: the event dispatcher makes one pass per poll
/// interval (1 s on SQLite, 200 ms on PostgreSQL), not one after each of
/// its own writes (which once made it spin, holding SQLite's write lock).
fn idle_dispatcher_rests(backend: Backend) {
    let Some(database) = EmptyDatabase::create(backend) else { return };
    let mut server = start(&database.url());
    let port = server.port;
    let passes = || {
        let (status, body) = http(port, "GET", "/metrics", Some(METRICS_TOKEN), None).expect("metrics");
        assert_eq!(status, 200, "{body}");
        body.lines()
            .find_map(|l| l.strip_prefix("quorum_event_dispatcher_passes_total "))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or_else(|| panic!("no dispatcher passes in {body}"))
    };
    std::thread::sleep(Duration::from_secs(1));
    let before = passes();
    std::thread::sleep(Duration::from_secs(3));
    let made = passes() - before;
    let _ = server.child.kill();
    let _ = server.child.wait();
    assert!(made >= 1.0, "the dispatcher made no pass in 3 s");
    assert!(made <= 30.0, "an idle dispatcher made {made} passes in 3 s");
}

#[test]
fn an_idle_server_rests_sqlite() {
    idle_dispatcher_rests(Backend::Sqlite);
}

#[test]
fn an_idle_server_rests_postgres() {
    idle_dispatcher_rests(Backend::Postgres);
}

#[test]
fn sigterm_with_a_grace_period_turns_readyz_first_sqlite() {
    shutdown_with_grace(Backend::Sqlite);
}

#[test]
fn sigterm_with_a_grace_period_turns_readyz_first_postgres() {
    shutdown_with_grace(Backend::Postgres);
}

#[test]
fn sigterm_finishes_requests_in_flight_and_exits_0_sqlite() {
    shutdown_under_load(Backend::Sqlite);
}

#[test]
fn sigterm_finishes_requests_in_flight_and_exits_0_postgres() {
    shutdown_under_load(Backend::Postgres);
}
