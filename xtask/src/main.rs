//! Workspace tasks for Quorum: `cargo xtask run | test | e2e | openapi | bench | bench-markdown | soak |
//! crash | outage`.
//! Standard library only, so it builds in seconds on a fresh clone.

mod bench;
mod bench_search;
mod e2e;
mod frontend;
mod fuzz;
mod instance;
mod stress;

use std::env;
use std::ffi::OsString;
use std::fs;
use std::io::ErrorKind;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::thread::sleep;
use std::time::Duration;

const USAGE: &str = "\
Usage: cargo xtask <command> [args...]

Commands:
  run [ARGS...]   build Quorum in release mode and serve it on SQLite
                  (ARGS go to `quorum serve`, e.g. --bind 127.0.0.1:9000)
  test [ARGS...]  make sure PostgreSQL is up, then run every test on
                  SQLite and PostgreSQL (ARGS go to `cargo test`), then
                  fuzzing and the browser tests on both (QUORUM_E2E=0 skips
                  the browser tests)
  e2e [OPTS] [FILE...] [-- NODE_ARGS...]
                  only the browser tests (tests/e2e, headless Chromium);
                  OPTS: --backend sqlite|postgres (default both);
                  FILE: e.g. `audience` for audience.test.mjs; NODE_ARGS go
                  to `node --test`, e.g. --test-name-pattern=like
  bench-thread [--runs N] [--posts N]
                  time a 50-post thread page in Chromium against a release
                  server on SQLite, and print the app's gzipped sizes
                  (also `e2e --bench-thread`)
  bench-markdown [CASE]
                  render hostile and worst-case Markdown in release mode and
                  print each case's outcome and time, then the slowest
                  (CASE keeps the cases whose name contains it)
  openapi         regenerate openapi/openapi.json from the code
  frontend        build the single-page app into target/quorum-dist
  bench [OPTS]    seed 1,000 and 1,000,000 posts, load the API with wrk and
                  print req/s, p50 and p99 as ratios against a plain
                  actix-web handler, reply throughput at 16 connections and
                  the server's peak memory; OPTS: --postgres (SQLite and
                  PostgreSQL), --posts N (one size), --seconds N,
                  --connections N
  bench-search [OPTS]
                  seed 1,000,000 posts (--posts N), then print p50/p99 of
                  searches (common and rare words, phrases, prefixes) as a
                  member of two groups next to a thread page; OPTS:
                  --sqlite or --postgres (default both), --requests N (200)
  soak [OPTS]     seed a co-op forum through the API, then load it with
                  members and visitors (reads, replies, likes), checking
                  every answer: no 5xx or unexpected status, no canary
                  outside its audience; prints count, req/s, p50/p99/max
                  per operation, errors, leaks and the server's peak memory;
                  OPTS: --backend sqlite|postgres|both (default both),
                  --seconds N (60), --connections N (64)
  crash [OPTS]    writers post replies, the server is SIGKILLed after 2-5 s
                  and restarted on the same database: every acknowledged
                  reply must be stored exactly once and `quorum check` must
                  pass; prints acknowledged, found, missing, duplicated and
                  the restart time; OPTS: --backend (both), --rounds N (3),
                  --writers N (16)
  outage [OPTS]   PostgreSQL is stopped for 5 s under load and started
                  again (always, even if the run fails or is interrupted):
                  expects 503 problem+json while it is away, no request
                  over 6 s, every request succeeding again within 10 s;
                  prints a timeline; OPTS: --seconds N (40), --connections
                  N (32), --cluster scratch|main (default scratch: a cluster
                  made for the run; main stops the machine's own)
  fuzz [OPTS]     Schemathesis (installed into a venv under ~/.cache/quorum)
                  against the served OpenAPI document, every check, as a
                  demo member and as an admin; OPTS: --backend (both),
                  --examples N (30); reports in target/fuzz/
  bench-live [OPTS]
                  opens many event streams as members, then posts replies
                  that notify nobody and replies that mention 5 members in a
                  thread 10 members watch; prints posts/s, p50/p99, how fast
                  events reach a stream, and memory per open stream;
                  OPTS: --backend (both), --streams N (1000), --posts N
                  (400), --writers N (16)
  help            show this message
";

const DEFAULT_TEST_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let mut args = env::args_os().skip(1);
    let command = args.next();
    let rest: Vec<OsString> = args.collect();
    let outcome = match command.as_ref().and_then(|c| c.to_str()) {
        Some("run") => run(&rest),
        Some("test") => test(&rest),
        Some("openapi") => openapi(),
        Some("frontend") => build_frontend().map(|_| ()),
        Some("bench") => bench::bench(&rest),
        Some("bench-search") => bench_search::bench_search(&rest),
        Some("e2e") => e2e::e2e(&rest),
        Some("bench-thread") => e2e::bench_thread(&rest),
        Some("bench-markdown") => bench_markdown(&rest),
        Some("soak") => stress::soak(&rest),
        Some("crash") => stress::crash(&rest),
        Some("outage") => stress::outage(&rest),
        Some("bench-live") => stress::bench_live(&rest),
        Some("fuzz") => {
            fuzz::fuzz(&rest, &env::var("QUORUM_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_TEST_PG_URL.to_string()))
        }
        Some("help" | "--help" | "-h") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
        None => Err(USAGE.trim_end().to_string()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------- run

/// Builds the release binary (and the SPA, once it exists), then replaces
/// this process with `quorum serve` so Ctrl-C reaches the server directly.
fn run(extra: &[OsString]) -> Result {
    // The app is built into the binary; QUORUM_STATIC_DIR, when set, still
    // serves one from disk instead.
    build_frontend()?;
    build_server(&["build", "--release", "-p", "quorum"])?;

    let binary = target_dir().join("release").join("quorum");
    let mut serve = Command::new(&binary);
    serve.current_dir(workspace_root()).arg("serve").args(extra);
    println!("Quorum: starting on http://{}/", bind_address(extra));
    exec(serve)
}

/// The address `quorum serve` will listen on, for the start-up line only:
/// `--bind` wins over QUORUM_BIND, which wins over the binary's default.
fn bind_address(extra: &[OsString]) -> String {
    let mut args = extra.iter().map(|a| a.to_string_lossy());
    let mut from_flag = None;
    while let Some(arg) = args.next() {
        if let Some(value) = arg.strip_prefix("--bind=") {
            from_flag = Some(value.to_string());
        } else if arg == "--bind" {
            from_flag = args.next().map(|value| value.into_owned());
        }
    }
    from_flag.or_else(|| env::var("QUORUM_BIND").ok()).unwrap_or_else(|| "127.0.0.1:8080".to_string())
}

#[cfg(unix)]
fn exec(mut command: Command) -> Result {
    use std::os::unix::process::CommandExt;
    let error = command.exec();
    Err(format!("could not start {:?}: {error}", command.get_program()))
}

#[cfg(not(unix))]
fn exec(mut command: Command) -> Result {
    let status = command.status().map_err(|e| format!("could not start server: {e}"))?;
    status.success().then_some(()).ok_or_else(|| format!("server exited with {status}"))
}

// ------------------------------------------------------ bench-markdown

/// Runs the `hostile_markdown` example of the `quorum` package in release
/// mode, passing a case filter through.
fn bench_markdown(extra: &[OsString]) -> Result {
    let mut command = Command::new(cargo_bin());
    command
        .current_dir(workspace_root())
        .args(["run", "--release", "-p", "quorum", "--example", "hostile_markdown", "--"])
        .args(extra);
    status(command, "cargo run --example hostile_markdown")
}

// ------------------------------------------------------------ frontend

/// FRONTEND BUILD. When `frontend/Cargo.toml` exists: builds the Leptos SPA
/// for wasm32 with the size-optimised `wasm-release` profile, runs the
/// wasm-bindgen CLI whose version matches Cargo.lock, and writes
/// `index.html` plus content-hashed files under `assets/` to
/// `<target>/quorum-dist`, which it returns (server builds embed it).
/// Without a frontend crate it does nothing and prints nothing.
fn build_frontend() -> Result<Option<PathBuf>> {
    let root = workspace_root();
    let manifest = root.join("frontend").join("Cargo.toml");
    if !manifest.is_file() {
        return Ok(None);
    }
    let package =
        package_name(&read(&manifest)?).ok_or_else(|| format!("no package name in {}", manifest.display()))?;

    ensure_wasm_target()?;
    let bindgen = ensure_wasm_bindgen()?;
    cargo(&[
        "build",
        "--profile",
        frontend::PROFILE,
        "-p",
        &package,
        "--bin",
        &package,
        "--target",
        "wasm32-unknown-unknown",
    ])?;

    let out = target_dir().join("wasm32-unknown-unknown").join(frontend::PROFILE);
    let wasm = out.join(format!("{package}.wasm"));
    if !wasm.is_file() {
        return Err(format!("no {package}.wasm in {}", out.display()));
    }
    let bound = target_dir().join("quorum-bindgen");
    let _ = fs::remove_dir_all(&bound);
    let mut bind = Command::new(&bindgen);
    bind.args([
        "--target",
        "web",
        "--no-typescript",
        "--remove-name-section",
        "--remove-producers-section",
        "--out-dir",
    ])
    .arg(&bound)
    .arg(&wasm);
    status(bind, "wasm-bindgen")?;

    let dist = target_dir().join("quorum-dist");
    let built = frontend::assemble(&root.join("frontend"), &bound, &package, &dist)?;
    println!("frontend: {} ({})", dist.display(), built.summary());
    Ok(Some(dist))
}

fn ensure_wasm_target() -> Result {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup is needed for the frontend build: {e}"))?;
    if String::from_utf8_lossy(&installed.stdout).lines().any(|t| t.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    let mut add = Command::new("rustup");
    add.args(["target", "add", "wasm32-unknown-unknown"]);
    status(add, "rustup target add wasm32-unknown-unknown")
}

/// The wasm-bindgen CLI must be the exact version of the library in
/// Cargo.lock. It is installed once per version under
/// `$HOME/.cache/quorum/tools/wasm-bindgen-<version>`; not `--locked`,
/// because its own lockfile pins crates newer than some mirrors carry.
fn ensure_wasm_bindgen() -> Result<PathBuf> {
    let lock = read(&workspace_root().join("Cargo.lock"))?;
    let version = locked_version(&lock, "wasm-bindgen")
        .ok_or("Cargo.lock has no wasm-bindgen entry; build the frontend once with cargo first")?;
    let home = env::var_os("HOME").ok_or("HOME is not set")?;
    let install_root = PathBuf::from(home).join(".cache/quorum/tools").join(format!("wasm-bindgen-{version}"));
    let binary = install_root.join("bin").join("wasm-bindgen");

    let reported = Command::new(&binary).arg("--version").output();
    let ready =
        reported.is_ok_and(|out| String::from_utf8_lossy(&out.stdout).split_whitespace().nth(1) == Some(&version));
    if !ready {
        let root = install_root.to_string_lossy().into_owned();
        cargo(&["install", "wasm-bindgen-cli", "--version", &version, "--root", &root])?;
    }
    Ok(binary)
}

/// `version` of the first `[[package]]` named `name` in a Cargo.lock.
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines().map(str::trim);
    lines.find(|line| *line == wanted)?;
    let line = lines.next()?;
    Some(line.strip_prefix("version = \"")?.strip_suffix('"')?.to_string())
}

/// The `name` in a manifest's `[package]` table.
fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(value) = line.strip_prefix("name") {
                let value = value.trim_start().strip_prefix('=')?.trim();
                return Some(value.trim_matches('"').to_string());
            }
        }
    }
    None
}

// --------------------------------------------------------------- test

/// The one command that runs every test: each integration test runs on
/// SQLite and on the PostgreSQL at QUORUM_TEST_PG_URL, and so do the
/// browser tests (`e2e.rs`).
fn test(extra: &[OsString]) -> Result {
    let pg_url = env::var("QUORUM_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_TEST_PG_URL.to_string());
    let (host, port) = pg_host_port(&pg_url);
    let mut steps = Vec::new();

    if postgres_ready(&host, port) {
        steps.push(format!("PostgreSQL at {host}:{port} reachable"));
    } else if is_local(&host) && start_local_postgres() && wait_for_postgres(&host, port) {
        steps.push(format!("PostgreSQL at {host}:{port} started"));
    } else {
        eprintln!("warning: PostgreSQL at {host}:{port} is not reachable; its tests will fail");
        steps.push(format!("PostgreSQL at {host}:{port} UNREACHABLE"));
    }

    let mut cargo_test = Command::new(cargo_bin());
    cargo_test
        .current_dir(workspace_root())
        .args(["test", "--workspace", "--no-fail-fast"])
        .args(extra)
        .env("QUORUM_TEST_PG_URL", &pg_url);
    let outcome = status(cargo_test, "cargo test");
    let verdict = if outcome.is_ok() { "passed" } else { "FAILED" };
    steps.push(format!("cargo test --workspace --no-fail-fast {verdict}"));

    // Fuzzing and the browser tests run even when cargo test failed: every
    // verdict is worth having from one run.
    let (verdicts, fuzz_outcome) = fuzz::for_xtask_test(&pg_url);
    steps.extend(verdicts);
    let (verdicts, e2e_outcome) = e2e::for_xtask_test(&pg_url);
    steps.extend(verdicts);

    println!("xtask test: {}", steps.join("; "));
    outcome.and(fuzz_outcome).and(e2e_outcome)
}

/// Host and port of a `postgres://user:pass@host:port/db` URL, defaulting
/// to 127.0.0.1:5432 for the parts it leaves out.
fn pg_host_port(url: &str) -> (String, u16) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = match host_port.strip_prefix('[') {
        // [::1]:5433
        Some(bracketed) => bracketed.split_once(']').map_or((bracketed, ""), |(h, p)| (h, p)),
        None => host_port.rsplit_once(':').map_or((host_port, ""), |(h, p)| (h, p)),
    };
    let port = port.trim_start_matches(':').parse().unwrap_or(5432);
    let host = if host.is_empty() { "127.0.0.1" } else { host };
    (host.to_string(), port)
}

fn is_local(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "::1")
}

/// `pg_isready` when installed (it checks the server accepts connections),
/// otherwise a plain TCP connect.
fn postgres_ready(host: &str, port: u16) -> bool {
    let probe = Command::new("pg_isready").args(["-q", "-h", host, "-p", &port.to_string()]).status();
    match probe {
        Ok(status) => status.success(),
        Err(e) if e.kind() == ErrorKind::NotFound => (host, port)
            .to_socket_addrs()
            .map(|mut addrs| addrs.any(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok()))
            .unwrap_or(false),
        Err(_) => false,
    }
}

/// Debian's cluster wrapper, as on the development and CI machines.
fn start_local_postgres() -> bool {
    let Some(version) = stress::debian_version() else {
        return false;
    };
    eprintln!("starting PostgreSQL {version} (cluster main)");
    Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", &version, "main", "start"])
        .status()
        .is_ok_and(|s| s.success())
}

fn wait_for_postgres(host: &str, port: u16) -> bool {
    (0..20).any(|_| {
        let ready = postgres_ready(host, port);
        if !ready {
            sleep(Duration::from_millis(500));
        }
        ready
    })
}

// ------------------------------------------------------------ openapi

/// Regenerates the committed OpenAPI document; a test fails when the two drift.
fn openapi() -> Result {
    let output = Command::new(cargo_bin())
        .current_dir(workspace_root())
        .args(["run", "-q", "-p", "quorum", "--", "openapi"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!("`quorum openapi` failed with {}", output.status));
    }
    if output.stdout.iter().all(u8::is_ascii_whitespace) {
        return Err("`quorum openapi` printed nothing".to_string());
    }
    let path = workspace_root().join("openapi").join("openapi.json");
    fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).map_err(|e| e.to_string())?;
    fs::write(&path, &output.stdout).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote {} ({} bytes)", path.display(), output.stdout.len());
    Ok(())
}

// ------------------------------------------------------------- helpers

fn workspace_root() -> PathBuf {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf()
}

/// CARGO_TARGET_DIR when set (relative to the workspace), else `target/`.
fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => workspace_root().join(dir),
        _ => workspace_root().join("target"),
    }
}

/// The cargo that started us, so `cargo +toolchain xtask` stays consistent.
fn cargo_bin() -> OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Builds the server (`cargo build … -p quorum …`) with the web app built
/// into it: `QUORUM_EMBED_APP` names `<target>/quorum-dist`, whatever its
/// state, so every server build sees the same setting and none undoes
/// another's; the app is embedded when that directory holds a build.
fn build_server(args: &[&str]) -> Result {
    let mut command = Command::new(cargo_bin());
    command.current_dir(workspace_root()).args(args).env("QUORUM_EMBED_APP", target_dir().join("quorum-dist"));
    status(command, &format!("cargo {}", args.join(" ")))
}

fn cargo(args: &[&str]) -> Result {
    let mut command = Command::new(cargo_bin());
    command.current_dir(workspace_root()).args(args);
    status(command, &format!("cargo {}", args.join(" ")))
}

fn status(mut command: Command, what: &str) -> Result {
    let status = command.status().map_err(|e| format!("could not run {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_give_host_and_port() {
        let cases = [
            ("postgres://postgres@127.0.0.1:5432/test", "127.0.0.1", 5432),
            ("postgresql://u:p@db.example:6543/quorum?sslmode=disable", "db.example", 6543),
            ("postgres://localhost/test", "localhost", 5432),
            ("postgres://u@[::1]:5433/test", "::1", 5433),
            ("postgres:///test", "127.0.0.1", 5432),
        ];
        for (url, host, port) in cases {
            assert_eq!(pg_host_port(url), (host.to_string(), port), "{url}");
        }
    }

    #[test]
    fn lockfile_and_manifest_are_read() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"9\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(locked_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(locked_version(lock, "leptos"), None);

        let manifest = "[package]\nname = \"quorum-frontend\"\n\n[dependencies]\nname = \"x\"\n";
        assert_eq!(package_name(manifest).as_deref(), Some("quorum-frontend"));
    }

    #[test]
    fn bind_flag_wins() {
        let args: Vec<OsString> = vec!["--bind".into(), "0.0.0.0:9000".into()];
        assert_eq!(bind_address(&args), "0.0.0.0:9000");
        let args: Vec<OsString> = vec!["--bind=[::1]:8081".into()];
        assert_eq!(bind_address(&args), "[::1]:8081");
    }
}
