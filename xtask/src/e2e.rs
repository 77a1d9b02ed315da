//! Browser end-to-end tests (`tests/e2e/`): build the web app and the
//! server, then per backend start `quorum serve` on a fresh, empty database
//! and a free port, with a setup token of the harness's choosing and no
//! admin. `setup.test.mjs` runs first, alone: it creates the admin through
//! the first-run page; only when it passes do the other test files run,
//! signed in as that admin, in headless Chromium (Playwright). Also the
//! thread-page timing script, against a release server whose admin is
//! created through the CLI.

use std::env;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::instance::{random_hex, Backend, Instance};
use crate::{build_frontend, build_server, target_dir, workspace_root, Result, DEFAULT_TEST_PG_URL};

/// Where Chromium is expected (Debian's `chromium` package).
const CHROMIUM: &str = "/usr/bin/chromium";
/// One whole run of the test files on one backend may take this long.
const SUITE_DEADLINE: Duration = Duration::from_secs(20 * 60);
/// The first-run test: creates the admin the other files sign in as, so it
/// runs first and alone.
const SETUP_FILE: &str = "setup.test.mjs";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Profile {
    Debug,
    Release,
}

/// How the instance gets its first admin.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum FirstAdmin {
    /// `quorum admin create` before the server starts.
    Cli,
    /// Nobody yet: the server starts with a known setup token, for the
    /// first-run page (`setup.test.mjs`).
    SetupPage,
}

/// Why a run of the test files on one backend failed.
#[derive(Debug, PartialEq, Eq)]
enum SuiteError {
    /// The first-run test failed; the other files were not run.
    Setup(String),
    /// One of the other files failed.
    Tests(String),
}

/// The built pieces a run needs.
struct Built {
    /// The server, with the web app built into it.
    quorum: PathBuf,
}

fn e2e_dir() -> PathBuf {
    workspace_root().join("tests").join("e2e")
}

fn is_ci() -> bool {
    env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

// ------------------------------------------------------- entry points

/// The browser-test part of `cargo xtask test`: both backends. Returns a
/// verdict per run for the summary line, and an error when any run failed.
/// `QUORUM_E2E=0` skips them, loudly, except under CI where it is an error;
/// without a frontend crate they are skipped outside CI and fail under CI.
pub fn for_xtask_test(pg_url: &str) -> (Vec<String>, Result) {
    if env::var("QUORUM_E2E").is_ok_and(|v| v.trim() == "0") {
        if is_ci() {
            let note = "browser tests refused to skip under CI (QUORUM_E2E=0)";
            return (vec![note.to_string()], Err(note.to_string()));
        }
        let note = "browser tests skipped (QUORUM_E2E=0)";
        eprintln!("warning: {note}");
        return (vec![note.to_string()], Ok(()));
    }
    if !workspace_root().join("frontend").join("Cargo.toml").is_file() && !is_ci() {
        let note = "browser tests skipped (no frontend/ crate yet)";
        eprintln!("warning: {note}");
        return (vec![note.to_string()], Ok(()));
    }
    run_backends(&[Backend::Sqlite, Backend::Postgres], pg_url, &[])
}

/// `cargo xtask e2e [--backend sqlite|postgres] [--bench-thread] [FILE...] [-- NODE_ARGS...]`
pub fn e2e(extra: &[OsString]) -> Result {
    let mut backends = Vec::new();
    let mut node_args: Vec<OsString> = Vec::new();
    let mut args = extra.iter();
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--backend") => {
                let value = args.next().and_then(|v| v.to_str()).ok_or("--backend needs sqlite or postgres")?;
                backends.push(Backend::parse(value)?);
            }
            Some(s) if s.starts_with("--backend=") => backends.push(Backend::parse(&s["--backend=".len()..])?),
            Some("--bench-thread") => {
                let rest: Vec<OsString> =
                    extra.iter().filter(|a| a.to_str() != Some("--bench-thread")).cloned().collect();
                return bench_thread(&rest);
            }
            Some("--") => node_args.extend(args.by_ref().cloned()),
            Some(s) if !s.starts_with('-') => node_args.push(test_file(s)?.into_os_string()),
            _ => return Err(format!("unknown e2e option {}; see `cargo xtask help`", arg.to_string_lossy())),
        }
    }
    if backends.is_empty() {
        backends = vec![Backend::Sqlite, Backend::Postgres];
    }
    let pg_url = env::var("QUORUM_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_TEST_PG_URL.to_string());
    let (verdicts, outcome) = run_backends(&backends, &pg_url, &node_args);
    println!("xtask e2e: {}", verdicts.join("; "));
    outcome
}

/// `cargo xtask bench-thread [--runs N] [--posts N]`: the thread-page timing
/// script against a fresh release server on SQLite.
pub fn bench_thread(extra: &[OsString]) -> Result {
    let built = prepare(Profile::Release)?;
    let script = e2e_dir().join("bench-thread.mjs");
    let out_dir = workspace_root().join("target").join("e2e").join("bench-thread");
    with_server(Backend::Sqlite, &built, DEFAULT_TEST_PG_URL, &out_dir, FirstAdmin::Cli, |server| {
        let mut node = Command::new("node");
        node.current_dir(e2e_dir()).arg(&script).args(extra);
        server.set_env(&mut node);
        crate::status(node, "node bench-thread.mjs")
    })?
}

/// `audience`, `audience.test.mjs` or `tests/e2e/audience.test.mjs` → the file.
fn test_file(name: &str) -> Result<PathBuf> {
    let base = Path::new(name).file_name().and_then(|f| f.to_str()).unwrap_or(name);
    let file = if base.ends_with(".mjs") { base.to_string() } else { format!("{base}.test.mjs") };
    let path = e2e_dir().join(&file);
    if path.is_file() {
        Ok(PathBuf::from(file))
    } else {
        Err(format!("no test file {}", path.display()))
    }
}

/// Builds once, then runs the test files on each backend in turn (the
/// first-run test first); one verdict per backend ("browser tests on SQLite
/// passed").
fn run_backends(backends: &[Backend], pg_url: &str, node_args: &[OsString]) -> (Vec<String>, Result) {
    let built = match prepare(Profile::Debug) {
        Ok(built) => built,
        Err(error) => {
            eprintln!("browser tests: {error}");
            let verdicts =
                backends.iter().map(|b| format!("browser tests on {} FAILED (not run)", b.label())).collect();
            return (verdicts, Err(format!("browser tests could not run: {error}")));
        }
    };
    let mut verdicts = Vec::new();
    let mut failed = Vec::new();
    for &backend in backends {
        println!("\n==> browser tests on {}", backend.label());
        let started = Instant::now();
        let out_dir = screenshot_dir(backend);
        let outcome = with_server(backend, &built, pg_url, &out_dir, FirstAdmin::SetupPage, |server| {
            run_node_tests(server, node_args)
        });
        let took = started.elapsed().as_secs();
        let label = backend.label();
        match outcome {
            Ok(Ok(())) => verdicts.push(format!("browser tests on {label} passed ({took} s)")),
            Ok(Err(SuiteError::Setup(error))) => {
                eprintln!("browser tests on {label}: the first-run setup test failed ({error}); other files not run");
                verdicts.push(format!("browser tests on {label} FAILED at first-run setup (other files not run)"));
                failed.push(label);
            }
            Ok(Err(SuiteError::Tests(error))) | Err(error) => {
                eprintln!("browser tests on {label}: {error}");
                verdicts.push(format!("browser tests on {label} FAILED"));
                failed.push(label);
            }
        }
        println!("screenshots: {}", screenshot_dir(backend).display());
    }
    let outcome =
        if failed.is_empty() { Ok(()) } else { Err(format!("browser tests failed on {}", failed.join(", "))) };
    (verdicts, outcome)
}

// ------------------------------------------------------------ building

/// Checks the tools, builds the web app and the server, installs the test
/// dependencies.
fn prepare(profile: Profile) -> Result<Built> {
    check_tools()?;
    let dist = build_frontend()?.ok_or("there is no frontend/ crate to test")?;
    if !dist.join("index.html").is_file() {
        return Err(format!("the web app build left no index.html in {}", dist.display()));
    }
    let quorum = match profile {
        Profile::Debug => {
            build_server(&["build", "-p", "quorum", "--bin", "quorum"])?;
            target_dir().join("debug").join("quorum")
        }
        Profile::Release => {
            build_server(&["build", "--release", "-p", "quorum", "--bin", "quorum"])?;
            target_dir().join("release").join("quorum")
        }
    };
    ensure_node_modules()?;
    Ok(Built { quorum })
}

fn check_tools() -> Result {
    let node = Command::new("node").arg("--version").output();
    if !node.as_ref().is_ok_and(|o| o.status.success()) {
        return Err("the browser tests need Node.js 20 or newer (`node` on PATH)".to_string());
    }
    let chromium = env::var_os("QUORUM_E2E_CHROMIUM").map_or_else(|| PathBuf::from(CHROMIUM), PathBuf::from);
    if !chromium.is_file() {
        return Err(format!(
            "the browser tests need Chromium at {} (Debian: apt-get install chromium); \
             QUORUM_E2E=0 skips them",
            chromium.display()
        ));
    }
    Ok(())
}

/// `npm ci` in tests/e2e when node_modules is missing or older than
/// package-lock.json (npm writes node_modules/.package-lock.json on install).
fn ensure_node_modules() -> Result {
    let dir = e2e_dir();
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules").join(".package-lock.json");
    let modified = |path: &Path| fs::metadata(path).and_then(|m| m.modified()).ok();
    let fresh = match (modified(&installed), modified(&lock)) {
        (Some(installed), Some(lock)) => installed >= lock,
        _ => false,
    };
    if fresh && dir.join("node_modules").join("playwright-core").is_dir() {
        return Ok(());
    }
    println!("installing the browser tests' packages (npm ci in {})", dir.display());
    let mut npm = Command::new("npm");
    npm.current_dir(&dir).args(["ci", "--no-audit", "--no-fund"]);
    crate::status(npm, "npm ci")
}

// -------------------------------------------------------------- server

/// A running `quorum serve` on its own database, and what the test files
/// need to know about it.
struct Server {
    instance: Instance,
    /// The first-run setup token, while the instance has no admin.
    setup_token: Option<String>,
    /// Screenshots and the server log.
    out_dir: PathBuf,
    /// Where the server writes its mail (`QUORUM_SMTP_URL=file://…`).
    mail_dir: PathBuf,
}

impl Server {
    /// The environment the test files and the timing script read.
    fn set_env(&self, command: &mut Command) {
        command
            .env("QUORUM_E2E_URL", &self.instance.url)
            .env("QUORUM_E2E_BACKEND", self.instance.backend.name())
            .env("QUORUM_E2E_ADMIN_PASSWORD", &self.instance.admin_password)
            .env("QUORUM_E2E_SCREENSHOTS", &self.out_dir)
            .env("QUORUM_E2E_MAIL_DIR", &self.mail_dir);
        match &self.setup_token {
            Some(token) => command.env("QUORUM_E2E_SETUP_TOKEN", token),
            None => command.env_remove("QUORUM_E2E_SETUP_TOKEN"),
        };
    }
}

fn screenshot_dir(backend: Backend) -> PathBuf {
    workspace_root().join("target").join("e2e").join(backend.name())
}

/// Creates the database (and with `FirstAdmin::Cli` the admin), starts the
/// server, runs `body`, then stops the server and removes the database,
/// whatever `body` returned.
fn with_server<T>(
    backend: Backend,
    built: &Built,
    pg_url: &str,
    out_dir: &Path,
    first_admin: FirstAdmin,
    body: impl FnOnce(&Server) -> T,
) -> Result<T> {
    let _ = fs::remove_dir_all(out_dir);
    fs::create_dir_all(out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    // 48 hex digits; QUORUM_SETUP_TOKEN takes 16 characters or more.
    let setup_token = (first_admin == FirstAdmin::SetupPage).then(|| random_hex(24));
    // The test files register dozens of accounts from one address within a
    // minute; the registration throttle has API tests of its own.
    // No QUORUM_STATIC_DIR: the server serves the app built into it, so
    // every browser test also checks the one-binary build.
    let mut env = vec![("QUORUM_THROTTLE_REGISTRATIONS", "0".to_string())];
    // Mail goes to a directory, one file per mail, which the tests read
    // (the password-reset link, for one).
    // (Not for the timing script: mail work would only blur its figures.)
    let mail_dir = out_dir.join("mail");
    if first_admin == FirstAdmin::SetupPage {
        fs::create_dir_all(&mail_dir).map_err(|e| format!("cannot create {}: {e}", mail_dir.display()))?;
        let absolute = mail_dir.canonicalize().map_err(|e| format!("{}: {e}", mail_dir.display()))?;
        env.push(("QUORUM_SMTP_URL", format!("file://{}", absolute.display())));
    }
    if let Some(token) = &setup_token {
        env.push(("QUORUM_SETUP_TOKEN", token.clone()));
    }
    let mut instance = Instance::create(backend, &built.quorum, pg_url, "e2e", out_dir.join("server.log"), env)?;
    if first_admin == FirstAdmin::Cli {
        instance.create_admin()?;
    }
    instance.start()?;
    println!("quorum serve on {} ({}, log in {})", instance.url, backend.label(), instance.log_path.display());

    let server = Server { instance, setup_token, out_dir: out_dir.to_path_buf(), mail_dir };
    let outcome = body(&server);
    drop(server);
    Ok(outcome)
}

// ---------------------------------------------------------------- node

/// Which files run in which step: the first-run test alone (with the node
/// flags only when it was named), then the other files named, or all of
/// them when none was.
struct Plan {
    setup_flags: Vec<OsString>,
    flags: Vec<OsString>,
    rest: Vec<OsString>,
}

fn plan(node_args: &[OsString], all: impl FnOnce() -> Result<Vec<OsString>>) -> Result<Plan> {
    let is_setup = |f: &OsString| f.as_os_str() == OsStr::new(SETUP_FILE);
    let (files, flags): (Vec<OsString>, Vec<OsString>) =
        node_args.iter().cloned().partition(|a| a.to_str().is_some_and(|s| s.ends_with(".mjs")));
    let setup_named = files.iter().any(is_setup);
    let files = if files.is_empty() { all()? } else { files };
    let rest: Vec<OsString> = files.into_iter().filter(|f| !is_setup(f)).collect();
    let setup_flags = if setup_named { flags.clone() } else { Vec::new() };
    Ok(Plan { setup_flags, flags, rest })
}

/// `node --test` on the first-run test, then (only when it passed) on the
/// other test files or those named, one file at a time; killed if the whole
/// outlives SUITE_DEADLINE.
fn run_node_tests(server: &Server, node_args: &[OsString]) -> std::result::Result<(), SuiteError> {
    let dir = e2e_dir();
    let plan = plan(node_args, || all_test_files(&dir)).map_err(SuiteError::Tests)?;
    let deadline = Instant::now() + SUITE_DEADLINE;
    println!("--> first-run setup: {SETUP_FILE}");
    run_node(server, &plan.setup_flags, &[OsString::from(SETUP_FILE)], deadline).map_err(SuiteError::Setup)?;
    if plan.rest.is_empty() {
        return Ok(());
    }
    println!("--> {}", plan.rest.iter().map(|f| f.to_string_lossy()).collect::<Vec<_>>().join(" "));
    run_node(server, &plan.flags, &plan.rest, deadline).map_err(SuiteError::Tests)
}

fn run_node(server: &Server, flags: &[OsString], files: &[OsString], deadline: Instant) -> Result {
    let mut node = Command::new("node");
    node.current_dir(e2e_dir())
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .args(flags)
        .args(files)
        .stdin(Stdio::null());
    server.set_env(&mut node);
    let mut child = node.spawn().map_err(|e| format!("cannot run node: {e}"))?;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("node --test failed ({status})")),
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("node --test did not finish within {} min", SUITE_DEADLINE.as_secs() / 60));
            }
            Ok(None) => sleep(Duration::from_millis(200)),
            Err(error) => return Err(format!("waiting for node: {error}")),
        }
    }
}

fn all_test_files(dir: &Path) -> Result<Vec<OsString>> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut files: Vec<OsString> = entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".test.mjs"))
        .map(OsString::from)
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no *.test.mjs files in {}", dir.display()));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_setup_file_runs_first_and_alone() -> Result {
        let all = || Ok(args(&["admin.test.mjs", "setup.test.mjs", "zeta.test.mjs"]));
        let everything = plan(&[], all)?;
        assert_eq!(everything.rest, args(&["admin.test.mjs", "zeta.test.mjs"]));
        assert!(everything.setup_flags.is_empty() && everything.flags.is_empty());

        let named = plan(&args(&["audience.test.mjs", "--test-name-pattern=x"]), all)?;
        assert_eq!(named.rest, args(&["audience.test.mjs"]));
        assert_eq!(named.flags, args(&["--test-name-pattern=x"]));
        assert!(named.setup_flags.is_empty(), "a filter meant for other files would skip the setup");

        let setup_only = plan(&args(&["setup.test.mjs", "--test-reporter=tap"]), all)?;
        assert!(setup_only.rest.is_empty());
        assert_eq!(setup_only.setup_flags, args(&["--test-reporter=tap"]));
        Ok(())
    }
}
