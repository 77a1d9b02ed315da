//! Running Quorum: request ids, metrics, backups, migrations under a lock.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;

use actix_web::http::Method;
use quorum_tests::{both_backends, Backend, TestApp};

fn is_generated_id(id: &str) -> bool {
    id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn spawn_behind_proxy(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| s.trusted_proxies = vec!["127.0.0.1".parse().expect("an address")]).await
}

both_backends! {
    async fn every_answer_carries_a_request_id_and_a_stranger_cannot_choose_it(app: TestApp) {
        let mut seen = std::collections::HashSet::new();
        for path in ["/healthz", "/api/v1/site", "/api/v1/threads/999999", "/api/v1/no-such-thing"] {
            let resp = app.request_with_headers(Method::GET, path, &[("X-Request-Id", "chosen-by-client")], None).await;
            let id = resp.header("x-request-id").unwrap_or_default().to_owned();
            assert!(is_generated_id(&id), "{path}: {id:?}\n{resp}");
            assert!(seen.insert(id), "ids repeat");
        }
    }
}

both_backends! {
    spawn = spawn_behind_proxy;
    async fn a_trusted_proxy_names_the_request(app: TestApp) {
        let resp = app.request_with_headers(Method::GET, "/api/v1/site", &[("X-Request-Id", "lb-7f3a.42")], None).await;
        assert_eq!(resp.header("x-request-id"), Some("lb-7f3a.42"), "{resp}");
        // An id that could forge a log line is replaced, even from the proxy.
        let resp = app.request_with_headers(Method::GET, "/api/v1/site", &[("X-Request-Id", "a b\"c")], None).await;
        assert!(is_generated_id(resp.header("x-request-id").unwrap_or_default()), "{resp}");
    }
}

const METRICS_TOKEN: &str = "metrics-token-for-tests-0123";

async fn spawn_with_metrics(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| {
        s.metrics_token = Some(quorum::config::Secret::new(METRICS_TOKEN));
        s.metrics_bind = Some("127.0.0.1:0".into());
    })
    .await
}

/// One sample: metric name, labels, value.
type Sample = (String, BTreeMap<String, String>, f64);

/// A Python with the `prometheus-client` package, in a venv of its own
/// under `~/.cache/quorum` (made once).
fn python_with_parser() -> PathBuf {
    static MADE: Mutex<()> = Mutex::new(());
    let _made = MADE.lock().unwrap_or_else(|p| p.into_inner());
    let home = PathBuf::from(std::env::var_os("HOME").expect("HOME is set"));
    let venv = home.join(".cache").join("quorum").join("metrics-venv");
    let python = venv.join("bin").join("python");
    let ready = venv.join("ready");
    if !ready.exists() {
        let status = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().expect("python3 runs");
        assert!(status.success(), "python3 -m venv {}", venv.display());
        let status = Command::new(venv.join("bin").join("pip"))
            .args(["install", "-q", "prometheus-client==0.21.1"])
            .status()
            .expect("pip runs");
        assert!(status.success(), "pip install prometheus-client");
        std::fs::write(&ready, "").expect("marking the venv ready");
    }
    python
}

/// Parses an OpenMetrics exposition with the reference parser (strict: a
/// malformed line fails the test).
fn parse_openmetrics(text: &str) -> Vec<Sample> {
    const SCRIPT: &str = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append([s.name, s.labels, s.value])
print(json.dumps(out))
"#;
    let mut child = Command::new(python_with_parser())
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the parser starts");
    child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("writing the exposition");
    let output = child.wait_with_output().expect("the parser ends");
    assert!(
        output.status.success(),
        "the exposition does not parse: {}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the parser's JSON")
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|(n, l, _)| n == name && labels.iter().all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v)))
        .map(|(_, _, v)| v)
        .sum()
}

async fn scrape(port: u16) -> Vec<Sample> {
    let client = awc::Client::default();
    let mut resp = client.get(format!("http://127.0.0.1:{port}/metrics")).send().await.expect("scraping");
    assert_eq!(resp.status().as_u16(), 200);
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(content_type.starts_with("application/openmetrics-text"), "{content_type}");
    let body = resp.body().await.expect("the body");
    parse_openmetrics(std::str::from_utf8(&body).expect("UTF-8"))
}

both_backends! {
    async fn metrics_are_off_unless_turned_on(app: TestApp) {
        app.get_root("/metrics").await.assert_status(404);
        let auth = format!("Bearer {METRICS_TOKEN}");
        app.request_root(Method::GET, "/metrics", &[("Authorization", &auth)], None).await.assert_status(404);
    }
}

both_backends! {
    spawn = spawn_with_metrics;
    async fn metrics_parse_and_move_with_traffic(app: TestApp) {
        // On the main port: only with the token.
        app.get_root("/metrics").await.assert_status(401);
        app.request_root(Method::GET, "/metrics", &[("Authorization", "Bearer wrong-token-0123456789")], None)
            .await
            .assert_status(401);
        let auth = format!("Bearer {METRICS_TOKEN}");
        let resp = app.request_root(Method::GET, "/metrics", &[("Authorization", &auth)], None).await;
        resp.assert_status(200);
        parse_openmetrics(&resp.text());

        let port = app.metrics_port.expect("a metrics address");
        let before = scrape(port).await;
        let site = [("method", "GET"), ("route", "/api/v1/site"), ("status", "200")];
        let thread = [("method", "GET"), ("route", "/api/v1/threads/{id}"), ("status", "404")];
        for _ in 0..3 {
            app.get("/site", None).await.assert_status(200);
        }
        app.get("/threads/987654", None).await.assert_status(404);
        // Wrong passwords past the free attempts of one account: refused.
        let member = app.register("metered").await;
        let login = serde_json::json!({"login": "metered", "password": "not the password at all"});
        let mut refused = false;
        for _ in 0..8 {
            refused |= app.post("/auth/login", None, &login).await.status == 429;
        }
        assert!(refused, "the login limit never answered 429");
        let _ = member;
        let after = scrape(port).await;

        let moved = |name: &str, labels: &[(&str, &str)]| value(&after, name, labels) - value(&before, name, labels);
        assert_eq!(moved("quorum_http_requests_total", &site), 3.0);
        assert_eq!(moved("quorum_http_requests_total", &thread), 1.0);
        assert_eq!(moved("quorum_http_request_duration_seconds_count", &[("route", "/api/v1/site")]), 3.0);
        assert!(value(&after, "quorum_http_request_duration_seconds_bucket", &[("route", "/api/v1/site"), ("le", "+Inf")]) >= 3.0);
        assert!(moved("quorum_throttled_total", &[("rule", "login-account")]) >= 1.0);
        for gauge in [
            "quorum_db_pool_connections",
            "quorum_db_pool_idle",
            "quorum_db_pool_waiting",
            "quorum_blocking_tasks",
            "quorum_live_streams",
            "quorum_mail_queued",
        ] {
            assert!(after.iter().any(|(n, _, _)| n == gauge), "{gauge} missing");
        }
        assert!(value(&after, "quorum_db_pool_connections", &[]) >= 1.0);
        assert!(after.iter().any(|(n, l, _)| n == "quorum_cpu_pool_pending" && l.get("pool").map(String::as_str) == Some("rendering")));
        // Raw paths never become labels: no route holds the id asked for.
        assert!(after.iter().all(|(_, l, _)| l.values().all(|v| !v.contains("987654"))));
    }
}

fn scratch_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("quorum-{name}-{:016x}", rand::random::<u64>()))
}

/// Removes a file and its SQLite companions when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", ".partial"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

both_backends! {
    async fn a_backup_taken_under_writes_restores_every_acknowledged_post(app: TestApp) {
        let admin = app.admin().await;
        app.create_category(&admin, "general", &["signed-in"], &["signed-in"]).await;
        let thread = app.create_thread(&admin, "general", "Under load", "The first post", None).await.thread;
        let backup_file = Scratch(scratch_file("backup"));
        let file = &backup_file.0;
        let (app, admin) = (&app, &admin);
        let done = &std::cell::Cell::new(false);
        let path = &format!("/threads/{}/posts", thread.id);
        let writer = |n: usize| {
            async move {
                let mut acknowledged = Vec::new();
                let mut i = 0;
                while !done.get() {
                    i += 1;
                    let body = serde_json::json!({"body": format!("writer {n}, post {i}")});
                    let resp = app.post(path, admin.auth(), &body).await;
                    if resp.status == 201 {
                        let post: quorum_types::Post = resp.json();
                        acknowledged.push((post.id, std::time::Instant::now()));
                    }
                }
                acknowledged
            }
        };
        let backup = async move {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(400)).await;
            let (url, target) = (app.database_url(), file.clone());
            let started = std::time::Instant::now();
            let summary = actix_web::rt::task::spawn_blocking(move || quorum::backup::backup(&url, &target))
                .await
                .expect("the backup task ends");
            actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
            done.set(true);
            (started, summary.unwrap_or_else(|e| panic!("backup: {e}")))
        };
        let (written, (started, summary)) =
            futures_util::future::join(futures_util::future::join_all((0..3).map(writer)), backup).await;
        let written: Vec<(i64, std::time::Instant)> = written.into_iter().flatten().collect();
        let before: Vec<i64> = written.iter().filter(|(_, at)| *at < started).map(|(id, _)| *id).collect();
        assert!(before.len() >= 3, "too few posts were written before the backup: {}", before.len());
        assert!(written.len() > before.len(), "no post was written while or after the backup ran");
        assert!(summary.bytes > 0, "{summary}");
        // Never over an existing file.
        let again = quorum::backup::backup(&app.database_url(), file).err().unwrap_or_default();
        assert!(again.contains("exists"), "{again}");

        let target = quorum_tests::EmptyDatabase::create(app.backend).expect("a database to restore into");
        let restored = quorum::backup::restore(&target.url(), file).unwrap_or_else(|e| panic!("restore: {e}"));
        assert!(restored.took.as_secs() < 60, "{restored}");
        // Into a database that holds something: refused, and it says why.
        let refused = quorum::backup::restore(&target.url(), file).err().unwrap_or_default();
        assert!(refused.contains("not empty"), "{refused}");

        let db = quorum::db::Db::connect(&target.url(), 1).expect("the restored database opens");
        let report = quorum::check::run(&db).expect("quorum check runs");
        assert!(report.passed(), "the restored database fails its checks:\n{report}");
        let ids = before.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let present = db.query_i64(&format!("SELECT COUNT(*) AS n FROM posts WHERE id IN ({ids})")).expect("counting");
        assert_eq!(present, before.len() as i64, "posts acknowledged before the backup are missing");
        let restored_posts = db.query_i64("SELECT COUNT(*) AS n FROM posts").expect("counting");
        assert!(restored_posts <= written.len() as i64 + 1, "the backup holds posts never written");
        // The restored forum is up to date with the binary: nothing to migrate.
        assert_eq!(quorum::db::pending_migrations(&target.url()).expect("listing"), Vec::<String>::new());
    }
}

/// Rows written by hand into the first schema: (table, [(column, SQL literal)]).
/// Counters agree with the rows, so `quorum check` holds before and after.
fn first_schema_rows() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    let t = "'2026-11-27 10:00:00'";
    vec![
        ("settings", vec![("key", "'site_note'"), ("value", "'kept across upgrades'")]),
        (
            "users",
            vec![
                ("id", "1001"),
                ("username", "'ada'"),
                ("email", "'ada@coop.example'"),
                ("display_name", "'Ada'"),
                ("bio", "'Engineer'"),
                ("time_zone", "'Europe/Paris'"),
                ("password_hash", "'$argon2id$placeholder'"),
                ("token_generation", "3"),
                ("created_at", t),
            ],
        ),
        (
            "users",
            vec![
                ("id", "1002"),
                ("username", "'bo'"),
                ("email", "'bo@coop.example'"),
                ("display_name", "'Bo'"),
                ("bio", "''"),
                ("time_zone", "'UTC'"),
                ("password_hash", "'$argon2id$placeholder'"),
                ("token_generation", "0"),
                ("created_at", t),
            ],
        ),
        (
            "groups",
            vec![
                ("id", "1001"),
                ("slug", "'board'"),
                ("name", "'Board'"),
                ("description", "'The board'"),
                ("builtin", "FALSE"),
                ("pseudo", "FALSE"),
                ("created_at", t),
            ],
        ),
        ("group_members", vec![("group_id", "1001"), ("user_id", "1001"), ("created_at", t)]),
        ("audiences", vec![("id", "1001"), ("key", "'1001'")]),
        ("audience_groups", vec![("audience_id", "1001"), ("group_id", "1001")]),
        (
            "categories",
            vec![
                ("id", "1001"),
                ("slug", "'general'"),
                ("name", "'General'"),
                ("description", "'Talk'"),
                ("audience_id", "1001"),
                ("posters_id", "1001"),
                ("position", "2"),
                ("created_at", t),
            ],
        ),
        (
            "threads",
            vec![
                ("id", "1001"),
                ("category_id", "1001"),
                ("author_id", "1001"),
                ("title", "'Kept'"),
                ("pinned", "TRUE"),
                ("locked", "FALSE"),
                ("post_counter", "2"),
                ("open_posts", "1"),
                ("created_at", t),
                ("bumped_at", t),
            ],
        ),
        (
            "posts",
            vec![
                ("id", "1001"),
                ("thread_id", "1001"),
                ("number", "1"),
                ("author_id", "1001"),
                ("body", "'First *post*'"),
                ("body_html", "'<p>First <em>post</em></p>'"),
                ("like_count", "1"),
                ("created_at", t),
                ("edited_at", t),
            ],
        ),
        (
            "posts",
            vec![
                ("id", "1002"),
                ("thread_id", "1001"),
                ("number", "2"),
                ("author_id", "1002"),
                ("reply_to_id", "1001"),
                ("audience_id", "1001"),
                ("body", "'For the board'"),
                ("body_html", "'<p>For the board</p>'"),
                ("like_count", "0"),
                ("created_at", t),
            ],
        ),
        (
            "post_revisions",
            vec![
                ("id", "1001"),
                ("post_id", "1001"),
                ("number", "1"),
                ("body", "'First post'"),
                ("body_html", "'<p>First post</p>'"),
                ("editor_id", "1001"),
                ("created_at", t),
            ],
        ),
        ("likes", vec![("post_id", "1001"), ("user_id", "1002"), ("created_at", t)]),
        (
            "refresh_tokens",
            vec![
                ("id", "1001"),
                ("user_id", "1001"),
                ("family", "'fam'"),
                ("generation", "3"),
                ("token_hash", "'hash-1'"),
                ("created_at", t),
                ("expires_at", "'2027-01-01 00:00:00'"),
            ],
        ),
    ]
}

fn run_sql(url: &str, sql: &str) {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let outcome = if url.starts_with("postgres") {
        diesel::PgConnection::establish(url)
            .map_err(|e| e.to_string())
            .and_then(|mut c| c.batch_execute(sql).map_err(|e| e.to_string()))
    } else {
        diesel::SqliteConnection::establish(url)
            .map_err(|e| e.to_string())
            .and_then(|mut c| c.batch_execute(sql).map_err(|e| e.to_string()))
    };
    if let Err(e) = outcome {
        panic!("{sql}: {e}");
    }
}

/// Applies only the first migration, as the first release did.
fn migrate_to_first_schema(url: &str) {
    use diesel::Connection;
    use diesel_migrations::MigrationHarness;
    let outcome = if url.starts_with("postgres") {
        let mut conn = diesel::PgConnection::establish(url).expect("connecting");
        conn.run_next_migration(quorum::db::POSTGRES_MIGRATIONS).map(|_| ())
    } else {
        let mut conn = diesel::SqliteConnection::establish(url).expect("connecting");
        conn.run_next_migration(quorum::db::SQLITE_MIGRATIONS).map(|_| ())
    };
    outcome.unwrap_or_else(|e| panic!("the first migration: {e}"));
}

fn backend_test(backend: Backend, test: impl FnOnce(quorum_tests::EmptyDatabase)) {
    if let Some(database) = quorum_tests::EmptyDatabase::create(backend) {
        test(database);
    }
}

fn upgrade_keeps_every_row(backend: Backend) {
    backend_test(backend, |database| {
        let url = database.url();
        let pending = quorum::db::pending_migrations(&url).expect("listing");
        assert!(pending.len() >= 2 && pending[0].ends_with("_core"), "{pending:?}");
        migrate_to_first_schema(&url);
        let rows = first_schema_rows();
        for (table, columns) in &rows {
            let names = columns.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ");
            let values = columns.iter().map(|(_, v)| *v).collect::<Vec<_>>().join(", ");
            run_sql(&url, &format!("INSERT INTO {table} ({names}) VALUES ({values})"));
        }
        // The dry run names what is left, and changes nothing.
        let left = quorum::db::pending_migrations(&url).expect("listing");
        assert_eq!(left, pending[1..].to_vec());
        assert_eq!(quorum::db::pending_migrations(&url).expect("listing"), left);

        let db = quorum::db::Db::connect(&url, 2).expect("connecting");
        assert_eq!(db.migrate().expect("upgrading"), left.len());
        assert!(quorum::db::pending_migrations(&url).expect("listing").is_empty());
        for (table, columns) in &rows {
            let matches = columns.iter().map(|(c, v)| format!("{c} = {v}")).collect::<Vec<_>>().join(" AND ");
            let n = db.query_i64(&format!("SELECT COUNT(*) AS n FROM {table} WHERE {matches}")).expect("counting");
            assert_eq!(n, 1, "{table} lost or changed a row: {matches}");
        }
        let report = quorum::check::run(&db).expect("quorum check runs");
        assert!(report.passed(), "the upgraded database fails its checks:\n{report}");
    });
}

#[test]
fn an_upgrade_from_the_first_schema_keeps_every_row_sqlite() {
    upgrade_keeps_every_row(Backend::Sqlite);
}

#[test]
fn an_upgrade_from_the_first_schema_keeps_every_row_postgres() {
    upgrade_keeps_every_row(Backend::Postgres);
}

fn instances_migrate_together(backend: Backend) {
    backend_test(backend, |database| {
        let url = database.url();
        let total = quorum::db::pending_migrations(&url).expect("listing").len();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
        let instances: Vec<_> = (0..4)
            .map(|_| {
                let (url, barrier) = (url.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let db = quorum::db::Db::connect(&url, 1).map_err(|e| e.to_string())?;
                    barrier.wait();
                    db.migrate().map_err(|e| e.to_string())
                })
            })
            .collect();
        let applied: Vec<usize> = instances
            .into_iter()
            .map(|h| h.join().expect("no panic").unwrap_or_else(|e| panic!("an instance failed to migrate: {e}")))
            .collect();
        assert_eq!(applied.iter().sum::<usize>(), total, "{applied:?}");
        assert!(quorum::db::pending_migrations(&url).expect("listing").is_empty());
    });
}

#[test]
fn instances_starting_together_migrate_once_sqlite() {
    instances_migrate_together(Backend::Sqlite);
}

#[test]
fn instances_starting_together_migrate_once_postgres() {
    instances_migrate_together(Backend::Postgres);
}

/// The `.db` files in `dir`, oldest first (their names sort by time).
fn backups_in(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|f| f.extension().is_some_and(|e| e == "db"));
    files.sort();
    files
}

#[actix_web::test]
async fn scheduled_backups_run_and_keep_the_newest() {
    let dir = scratch_file("scheduled");
    let every = std::time::Duration::from_secs(1);
    let configured = quorum::backup::Schedule { dir: dir.clone(), every, keep: 2 };
    let app = TestApp::spawn_with(Backend::Sqlite, move |s| s.backup = Some(configured)).await.expect("SQLite");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while backups_in(&dir).is_empty() && std::time::Instant::now() < deadline {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let first = backups_in(&dir).into_iter().next().expect("the server took a scheduled backup");
    let db = quorum::db::Db::connect(&first.to_string_lossy(), 1).expect("a backup opens");
    assert!(quorum::check::run(&db).expect("quorum check runs").passed());

    // Never more than `keep`, the newest kept.
    let by_hand = scratch_file("by-hand");
    let schedule = quorum::backup::Schedule { dir: by_hand.clone(), every, keep: 2 };
    let mut taken = Vec::new();
    for _ in 0..3 {
        taken.push(quorum::backup::scheduled_once(&app.database_url(), &schedule).expect("a backup").file);
    }
    assert_eq!(backups_in(&by_hand), taken[1..].to_vec());
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&by_hand);
}
