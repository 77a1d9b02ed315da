//! `quorum export` and `quorum import`: a forum moves between backends with
//! every row and id, readers see exactly what they saw before (no more),
//! a bad file or a non-empty database changes nothing, and no table of the
//! schema is left out of the export without a decision.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use diesel::{Connection, QueryableByName, RunQueryDsl};
use quorum::db::portable::{plan_of, Plan, RECORD_TYPES, TABLES};
use quorum::seed::DEMO_PASSWORD;
use quorum_tests::{both_backends, Account, Backend, EmptyDatabase, TestApp};
use serde_json::{json, Value};

/// The `quorum` binary of this build, built first when needed (once per run).
fn quorum_binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("the test binary's path");
            let profile_dir = exe.parent().and_then(|d| d.parent()).expect("the profile directory").to_owned();
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let status = Command::new(cargo)
                .args(["build", "--quiet", "-p", "quorum", "--bin", "quorum"])
                .status()
                .expect("cargo runs");
            assert!(status.success(), "building the quorum binary failed");
            profile_dir.join("quorum")
        })
        .clone()
}

/// Runs `quorum ARGS` on the database at `url`; its standard output and error.
fn quorum(url: &str, args: &[&str]) -> (String, String) {
    let output = Command::new(quorum_binary())
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("quorum runs");
    let (stdout, stderr) =
        (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned());
    assert!(output.status.success(), "quorum {args:?} failed:\n{stderr}");
    (stdout, stderr)
}

/// A file path removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        Scratch(std::env::temp_dir().join(format!("quorum-{name}-{:016x}.jsonl", rand::random::<u64>())))
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn arg(&self) -> &str {
        self.0.to_str().expect("a UTF-8 path")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Lets the event dispatcher catch up with every event written so far.
async fn settle(app: &TestApp) {
    // Handling events records events of its own (notifications), which the
    // dispatcher handles on its next pass: settled is the notify cursor at
    // the newest event, read afresh, several polls in a row.
    let mut quiet = 0;
    for _ in 0..200 {
        let newest = app.count("SELECT COALESCE(MAX(id), 0) AS n FROM events");
        let done = app.count(&format!(
            "SELECT COUNT(*) AS n FROM dispatch_cursors WHERE name = 'notify' AND last_event_id >= {newest}"
        ));
        quiet = if done == 1 { quiet + 1 } else { 0 };
        if quiet == 3 {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the dispatcher did not catch up");
}

/// The demo forum, a small generated set, and one or more rows in every
/// table the demo leaves empty, written through the API.
async fn populate(app: &TestApp) {
    quorum::seed::demo(app.db(), &app.files()).unwrap_or_else(|e| panic!("demo seed: {e:?}"));
    quorum::seed::bulk(app.db(), 12, 150).unwrap_or_else(|e| panic!("bulk seed: {e:?}"));
    let admin = app.admin().await;
    let kofi = app.login("kofi", DEMO_PASSWORD).await;

    let meeting = app.create_thread(&admin, "general", "Spring assembly", "Who is coming?", None).await;
    let event = json!({"title": "Spring assembly", "start": "2030-04-02T15:00", "end": "2030-04-02T17:00",
        "timezone": "Europe/London", "place": "Co-op hall", "link": "https://meet.example.coop/spring",
        "description": "Budget and rota."});
    app.put(&format!("/threads/{}/event", meeting.thread.id), admin.auth(), &event).await.assert_status(201);
    app.put(&format!("/threads/{}/event/rsvp", meeting.thread.id), kofi.auth(), &json!({"answer": "going"}))
        .await
        .assert_status(200);

    let poll = app.create_thread(&admin, "general", "When do we meet?", "Pick the slots that suit you.", None).await;
    let slots = json!({"slots": [
        {"start": "2030-03-12T15:00", "end": "2030-03-12T16:00", "timezone": "Europe/London"},
        {"start": "2030-03-14T10:00", "end": "2030-03-14T11:00", "timezone": "Africa/Accra"},
    ]});
    let proposed = app.put(&format!("/threads/{}/poll", poll.thread.id), admin.auth(), &slots).await.value();
    let slot = proposed["slots"][0]["id"].as_i64().unwrap_or_else(|| panic!("a slot id in {proposed}"));
    let answers = json!({"answers": [{"slot_id": slot, "answer": "yes"}]});
    app.put(&format!("/threads/{}/poll/answers", poll.thread.id), kofi.auth(), &answers).await.assert_status(200);

    // A reply that quotes, and notifies the thread's author.
    let quoting = format!("[quote=post:{}]\nWho is coming?\n[/quote]\n\nI am, with two delegates.", meeting.post.id);
    let reply = app.reply(&kofi, meeting.thread.id, &quoting, Some(meeting.post.id), None).await;
    app.put(&format!("/threads/{}/watch", poll.thread.id), kofi.auth(), &json!({"level": "watching"}))
        .await
        .assert_status(200);
    app.put("/categories/international/watch", kofi.auth(), &json!({"level": "muted"})).await.assert_status(200);
    app.put(&format!("/threads/{}/read", meeting.thread.id), kofi.auth(), &json!({"post_id": reply.id}))
        .await
        .assert_status(204);
    app.post_empty("/categories/general/read", kofi.auth()).await.assert_status(204);

    // Moderation: a flag acted on (the post is hidden), a deleted thread.
    let spam = app.reply(&kofi, poll.thread.id, "Cheap watches, see my profile.", None, None).await;
    let flag = app.post(&format!("/posts/{}/flags", spam.id), admin.auth(), &json!({"reason": "spam"})).await.value();
    let flag = flag["id"].as_i64().unwrap_or_else(|| panic!("a flag id in {flag}"));
    app.post(&format!("/flags/{flag}/resolve"), admin.auth(), &json!({"resolution": "resolved", "hide_post": true}))
        .await
        .assert_status(200);
    let gone = app.create_thread(&admin, "general", "Posted by mistake", "Please ignore.", None).await;
    app.delete(&format!("/threads/{}", gone.thread.id), admin.auth()).await.assert_status(204);

    // Credentials: an invitation, an access token, a calendar feed.
    app.post("/invites", admin.auth(), &json!({"groups": ["participants"], "max_uses": 2, "note": "Spring intake"}))
        .await
        .assert_status(201);
    app.post("/me/tokens", admin.auth(), &json!({"name": "newsletter", "scopes": ["read"]})).await.assert_status(201);
    app.post_empty("/me/calendar-token", kofi.auth()).await.assert_status(201);
    settle(app).await;
}

/// The lines of an export as JSON, the header without what may differ
/// between two exports of the same forum.
fn lines_of(file: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut lines: Vec<Value> = text
        .lines()
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("line {}: {e}: {l}", i + 1)))
        .collect();
    let header = lines.first_mut().and_then(Value::as_object_mut).expect("a header line");
    assert_eq!(header.get("format"), Some(&json!("quorum-export")));
    assert_eq!(header.get("version"), Some(&json!(1)));
    assert!(header.remove("exported_at").is_some() && header.remove("backend").is_some(), "{header:?}");
    lines
}

/// Every record of `a` equals the one at the same place in `b`, field by field.
fn assert_same_export(a: &[Value], b: &[Value]) {
    for (i, (left, right)) in a.iter().zip(b).enumerate() {
        assert_eq!(left, right, "line {} differs", i + 1);
    }
    assert_eq!(a.len(), b.len(), "the exports hold different numbers of lines");
}

fn kinds(lines: &[Value]) -> BTreeSet<String> {
    lines[1..].iter().filter_map(|l| l["type"].as_str().map(str::to_owned)).collect()
}

/// What `who` reads of the forum: categories, every thread list and thread page.
async fn view(app: &TestApp, who: Option<&Account>) -> Vec<Value> {
    let token = who.and_then(Account::auth);
    let mut seen = vec![app.get("/categories", token).await.value()];
    let threads: Vec<Value> = app.all("/threads?limit=100", token).await;
    for thread in &threads {
        let id = thread["id"].as_i64().expect("a thread id");
        seen.push(json!(app.all::<Value>(&format!("/threads/{id}/posts?limit=100"), token).await));
    }
    seen.push(json!(threads));
    seen
}

/// The ids of the posts `who` finds searching for `q`.
async fn found(app: &TestApp, who: Option<&Account>, q: &str) -> BTreeSet<i64> {
    let hits: Vec<Value> = app.all(&format!("/search?q={q}&order=newest&limit=100"), who.and_then(Account::auth)).await;
    hits.iter().map(|h| h["post_id"].as_i64().or_else(|| h["id"].as_i64()).expect("a hit's post id")).collect()
}

/// SQLite or PostgreSQL → export → import into the other → export: the
/// two exports agree record by record, and the imported forum shows every
/// reader what the original showed them, restricted posts included.
async fn moves_between_backends(from: Backend, to: Backend) {
    let Some(source) = TestApp::spawn(from).await else { return };
    let Some(target) = EmptyDatabase::create(to) else { return };
    populate(&source).await;

    let first = Scratch::new("export-first");
    let (out, _) = quorum(&source.database_url(), &["export", first.arg(), "--with-secrets"]);
    assert!(out.starts_with("exported ") && out.contains(" posts and "), "{out}");
    let (out, _) = quorum(&target.url(), &["import", first.arg()]);
    assert!(out.starts_with("imported ") && out.trim_end().ends_with(" s"), "{out}");
    let second = Scratch::new("export-second");
    quorum(&target.url(), &["export", second.arg(), "--with-secrets"]);

    let (a, b) = (lines_of(first.path()), lines_of(second.path()));
    assert_same_export(&a, &b);
    // Every exported table went through (the mail queue needs an SMTP server to fill).
    let mut expected: BTreeSet<String> = TABLES
        .iter()
        .filter(|(table, plan)| matches!(plan, Plan::Exported | Plan::SecretsOnly) && *table != "mail_outbox")
        .map(|(table, _)| {
            let kind = RECORD_TYPES.iter().find(|(t, _)| t == table).map(|(_, kind)| *kind);
            kind.unwrap_or_else(|| panic!("{table} is exported as no record type")).to_owned()
        })
        .collect();
    expected.insert("end".to_owned());
    let present = kinds(&a);
    let missing: Vec<&String> = expected.difference(&present).collect();
    assert!(missing.is_empty(), "the export holds no {missing:?} records");

    // The imported forum, served.
    let imported = TestApp::spawn_on(target).await;
    let report = quorum::check::run(imported.db()).expect("quorum check runs");
    assert!(report.passed(), "the imported forum fails its checks:\n{report}");
    let readers = ["ana", "kofi", "maren", "jude"];
    let (mut old, mut new) = (Vec::new(), Vec::new());
    for name in readers {
        old.push(source.login(name, DEMO_PASSWORD).await);
        new.push(imported.login(name, DEMO_PASSWORD).await);
    }
    let (ana, maren) = (&new[0], &new[2]);

    // The board-only reply: there for the board, absent for a participant.
    let long: Vec<Value> = imported.all("/threads?category=general&limit=100", maren.auth()).await;
    let long = long
        .iter()
        .find(|t| t["title"].as_str().is_some_and(|s| s.starts_with("Shared accounting")))
        .expect("the long thread");
    let path = format!("/threads/{}/posts?limit=100", long["id"]);
    let for_board: Vec<Value> = imported.all(&path, maren.auth()).await;
    let board_reply = for_board
        .iter()
        .find(|p| p["body"].as_str().is_some_and(|b| b.contains("reserve fund")))
        .expect("the board reads its reply");
    let reply_id = board_reply["id"].as_i64().expect("an id");
    let for_ana: Vec<Value> = imported.all(&path, ana.auth()).await;
    assert_eq!(for_ana.len() + 1, for_board.len());
    assert!(for_ana.iter().all(|p| p["id"].as_i64() != Some(reply_id)));
    imported.get(&format!("/posts/{reply_id}"), ana.auth()).await.assert_status(404);
    imported.get(&format!("/posts/{reply_id}"), None).await.assert_status(404);
    imported.get(&format!("/posts/{reply_id}"), maren.auth()).await.assert_status(200);
    assert!(found(&imported, Some(maren), "reserve").await.contains(&reply_id));
    assert!(!found(&imported, Some(ana), "reserve").await.contains(&reply_id));
    assert!(!found(&imported, None, "reserve").await.contains(&reply_id));

    // Lists, pages and search answer every reader as the original forum did.
    let mut pairs: Vec<(Option<&Account>, Option<&Account>, &str)> = vec![(None, None, "a visitor")];
    pairs.extend(old.iter().zip(&new).zip(readers).map(|((o, n), name)| (Some(o), Some(n), name)));
    for (old, new, name) in pairs {
        assert_eq!(view(&source, old).await, view(&imported, new).await, "{name} reads something else");
        for q in ["reserve", "report", "licence", "ref42"] {
            assert_eq!(found(&source, old, q).await, found(&imported, new, q).await, "{name} finds {q} elsewhere");
        }
    }
    // New rows get new ids past the imported ones.
    let admin = imported.login("admin", quorum_tests::PASSWORD).await;
    let created =
        imported.create_thread(&admin, "general", "After the move", "First post on the new host.", None).await;
    let highest = a.iter().filter(|l| l["type"] == "post").filter_map(|l| l["id"].as_i64()).max().unwrap_or(0);
    assert!(created.post.id > highest, "post id {} reused (highest imported: {highest})", created.post.id);
}

#[actix_web::test]
async fn a_forum_moves_from_sqlite_to_postgres_and_reads_the_same() {
    moves_between_backends(Backend::Sqlite, Backend::Postgres).await;
}

#[actix_web::test]
async fn a_forum_moves_from_postgres_to_sqlite_and_reads_the_same() {
    moves_between_backends(Backend::Postgres, Backend::Sqlite).await;
}

/// Replaces line `n` (1-based) of `text`.
fn with_line(text: &str, n: usize, line: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines[n - 1] = line;
    lines.join("\n") + "\n"
}

both_backends! {
    async fn a_bad_file_or_a_database_in_use_changes_nothing(app: TestApp) {
        quorum::seed::demo(app.db(), &app.files()).unwrap_or_else(|e| panic!("demo seed: {e:?}"));
        settle(&app).await;
        let file = Scratch::new("export");
        let summary = quorum::portable::export(&app.database_url(), Some(file.path()), false)
            .unwrap_or_else(|e| panic!("export: {e}"));
        assert_eq!(summary.count("user"), 6, "{summary}");
        let again = quorum::portable::export(&app.database_url(), Some(file.path()), false).err().unwrap_or_default();
        assert!(again.contains("exists"), "{again}");
        let text = std::fs::read_to_string(file.path()).expect("the export");

        // To standard output, with the summary on standard error.
        let (piped, said) = quorum(&app.database_url(), &["export"]);
        assert!(said.contains("exported 6 users") && said.contains("standard output"), "{said}");
        let (piped, written): (Vec<&str>, Vec<&str>) = (piped.lines().collect(), text.lines().collect());
        assert_eq!(piped[1..], written[1..], "the piped export differs from the file");

        // Without --with-secrets: no password hash, token or signing secret.
        assert!(!text.contains("$argon2") && !text.contains("password_hash") && !text.contains("token_hash"));
        assert!(!text.contains("\"jwt_secret\"") && !text.contains("\"setup_token\"") && !text.contains("code_hash"));

        // Into a forum that holds something: refused, nothing written.
        let (users, posts) = (app.count("SELECT COUNT(*) AS n FROM users"), app.count("SELECT COUNT(*) AS n FROM posts"));
        let refused = quorum::portable::import(&app.database_url(), file.path()).err().unwrap_or_default();
        assert!(refused.contains("not empty"), "{refused}");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM users"), users);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM posts"), posts);

        // Bad files, each refused with the line it is about, into one empty
        // database that the last, good import then fills: each failure left
        // it empty (import refuses any other).
        let target = EmptyDatabase::create(app.backend).expect("an empty database");
        let lines: Vec<&str> = text.lines().collect();
        let post_line = lines.iter().position(|l| l.starts_with("{\"type\":\"post\"")).expect("a post line") + 1;
        let header: Value = serde_json::from_str(lines[0]).expect("the header");
        let mut newer = header.clone();
        newer["schema"] = json!("99991231000001");
        let mut future = header.clone();
        future["version"] = json!(2);
        let cases: Vec<(String, String)> = vec![
            (with_line(&text, post_line, "{\"type\":\"post\",\"id\":"), format!("line {post_line}:")),
            (with_line(&text, post_line + 1, "{\"type\":\"poll_vote\",\"id\":1}"), format!("line {}: unknown record type \"poll_vote\"", post_line + 1)),
            (with_line(&text, 3, "{\"id\":3}"), "line 3: it has no \"type\"".into()),
            (with_line(&text, 1, &future.to_string()), "format version 2".into()),
            (with_line(&text, 1, &newer.to_string()), "newer Quorum".into()),
            (lines[..lines.len() - 1].join("\n"), "truncated".into()),
            (with_line(&text, lines.len(), "{\"type\":\"end\",\"counts\":{}}"), "end".into()),
            // A post whose thread is not in the file: the database refuses it, and the whole import.
            (with_line(&text, post_line, &lines[post_line - 1].replacen("\"thread_id\":", "\"thread_id\":9999", 1)), "nothing was imported".into()),
        ];
        for (i, (bad, expected)) in cases.iter().enumerate() {
            let bad_file = Scratch::new(&format!("bad-{i}"));
            std::fs::write(bad_file.path(), bad).expect("writing the bad file");
            let error = quorum::portable::import(&target.url(), bad_file.path()).err().unwrap_or_default();
            assert!(error.contains(expected.as_str()), "case {i}: expected {expected:?} in {error:?}");
        }
        let imported = quorum::portable::import(&target.url(), file.path()).unwrap_or_else(|e| panic!("import: {e}"));
        assert_eq!(imported.count("post"), summary.count("post"), "{imported}");

        // Accounts from an export without secrets have no password.
        let served = TestApp::spawn_on(target).await;
        let login = json!({"login": "maren", "password": DEMO_PASSWORD});
        served.post("/auth/login", None, &login).await.assert_status(401);
    }
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

fn tables_of(backend: Backend) -> Option<BTreeSet<String>> {
    let database = EmptyDatabase::create(backend)?;
    let db = quorum::db::Db::connect(&database.url(), 1).expect("connecting");
    db.migrate().expect("migrating");
    drop(db);
    let url = database.url();
    let names: Vec<Name> = match backend {
        Backend::Sqlite => diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'table'")
            .load(&mut diesel::SqliteConnection::establish(&url).expect("connecting")),
        Backend::Postgres => {
            diesel::sql_query("SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema()")
                .load(&mut diesel::PgConnection::establish(&url).expect("connecting"))
        }
    }
    .expect("listing tables");
    Some(names.into_iter().map(|n| n.name).collect())
}

/// A migration that adds a table fails this test until the table is
/// exported (`db/portable`) or left out on purpose in `TABLES`.
fn every_table_has_a_decision(backend: Backend) {
    let Some(tables) = tables_of(backend) else { return };
    let undecided: Vec<&String> = tables.iter().filter(|t| plan_of(t).is_none()).collect();
    assert!(
        undecided.is_empty(),
        "{backend:?}: no export decision for {undecided:?}: export them in api/src/db/portable, or list them in TABLES as left out"
    );
    for (table, plan) in TABLES {
        let sqlite_only = *table == "posts_fts";
        if !(sqlite_only && backend == Backend::Postgres) {
            assert!(tables.contains(*table), "{backend:?}: TABLES names {table}, which the schema does not have");
        }
        if matches!(plan, Plan::Exported | Plan::SecretsOnly) {
            assert!(!sqlite_only);
        }
    }
}

#[test]
fn every_table_is_exported_or_left_out_on_purpose_sqlite() {
    every_table_has_a_decision(Backend::Sqlite);
}

#[test]
fn every_table_is_exported_or_left_out_on_purpose_postgres() {
    every_table_has_a_decision(Backend::Postgres);
}
