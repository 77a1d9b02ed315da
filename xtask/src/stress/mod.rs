//! `cargo xtask soak | crash | outage`: build Quorum and the `quorum-stress`
//! drivers (tests/stress/) in release mode, then per backend start a server
//! on a fresh database (dropped afterwards, also on failure), run the
//! driver against it, and check the database with `quorum check`. Each
//! prints its figures and fails when any check failed.

mod cluster;
mod crash;
mod outage;

use std::env;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::mpsc::{self, Receiver};
use std::thread::sleep;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use cluster::debian_version;
pub use crash::crash;
pub use outage::outage;

use crate::instance::{Backend, Instance};
use crate::{cargo, target_dir, workspace_root, Result, DEFAULT_TEST_PG_URL};

/// The release binaries.
struct Built {
    quorum: PathBuf,
    stress: PathBuf,
}

fn build() -> Result<Built> {
    cargo(&["build", "--release", "-p", "quorum", "--bin", "quorum", "-p", "quorum-tests", "--bin", "quorum-stress"])?;
    let release = target_dir().join("release");
    Ok(Built { quorum: release.join("quorum"), stress: release.join("quorum-stress") })
}

/// The options of the three commands; each takes the ones it names.
struct Options {
    backends: Vec<Backend>,
    numbers: Vec<(&'static str, u64)>,
    cluster: Option<String>,
}

impl Options {
    /// `numbers` lists the numeric options with their defaults.
    fn parse(extra: &[OsString], numbers: &[(&'static str, u64)], backends: bool) -> Result<Options> {
        let mut opts = Options { backends: Vec::new(), numbers: numbers.to_vec(), cluster: None };
        let mut args = extra.iter().map(|a| a.to_string_lossy().into_owned());
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(value.to_string())),
                None => (arg.clone(), None),
            };
            let mut value = || inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"));
            match name.as_str() {
                "--backend" if backends => {
                    opts.backends = match value()?.as_str() {
                        "both" => vec![Backend::Sqlite, Backend::Postgres],
                        one => vec![Backend::parse(one)?],
                    }
                }
                "--cluster" if !backends => opts.cluster = Some(value()?),
                other => {
                    let slot = opts.numbers.iter_mut().find(|(n, _)| other.strip_prefix("--") == Some(n));
                    let Some((_, number)) = slot else {
                        return Err(format!("unknown option {other}; see `cargo xtask help`"));
                    };
                    let text = value()?;
                    *number = text.parse().map_err(|_| format!("{other} takes a number, not {text:?}"))?;
                }
            }
        }
        if opts.backends.is_empty() {
            opts.backends = vec![Backend::Sqlite, Backend::Postgres];
        }
        Ok(opts)
    }

    fn number(&self, name: &str) -> u64 {
        self.numbers.iter().find(|(n, _)| *n == name).map_or(0, |(_, v)| *v)
    }
}

fn pg_url() -> String {
    env::var("QUORUM_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_TEST_PG_URL.to_string())
}

/// A fresh instance with its admin, server started; its log under
/// target/stress/<tag>-<backend>.log.
fn start_instance(built: &Built, backend: Backend, pg_url: &str, tag: &str) -> Result<Instance> {
    let log = workspace_root().join("target").join("stress").join(format!("{tag}-{}.log", backend.name()));
    // Warnings only: a line per request would measure the log, and the
    // drivers sign up more people than the default sign-up limit allows.
    let env = vec![("RUST_LOG", "warn".to_string()), ("QUORUM_THROTTLE_REGISTRATIONS", "0".to_string())];
    let mut instance = Instance::create(backend, &built.quorum, pg_url, tag, log, env)?;
    if backend == Backend::Postgres {
        // So `quorum check` also verifies the indexes against their tables.
        if let Err(e) = instance.database.psql("CREATE EXTENSION IF NOT EXISTS amcheck") {
            println!("(no amcheck, so indexes are not verified: {e})");
        }
    }
    instance.create_admin()?;
    let took = instance.start()?;
    println!(
        "quorum serve on {} ({}, ready in {:.2} s, log in {})",
        instance.url,
        backend.label(),
        took.as_secs_f64(),
        instance.log_path.display()
    );
    Ok(instance)
}

/// A `quorum-stress` command against `instance`, signed in as its admin.
fn driver(built: &Built, instance: &Instance, command: &str) -> Command {
    let mut driver = Command::new(&built.stress);
    driver
        .args([command, "--url", &instance.url, "--admin", instance.admin_username])
        .env("QUORUM_STRESS_ADMIN_PASSWORD", &instance.admin_password);
    driver
}

/// Echoes a child's output, indented, in a thread of its own.
struct Follower {
    marker: &'static str,
    /// Each line that starts with the marker.
    marked: Receiver<String>,
    thread: JoinHandle<()>,
}

impl Follower {
    fn new(output: impl Read + Send + 'static, marker: &'static str) -> Follower {
        let (tx, marked) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            for line in BufReader::new(output).lines().map_while(std::result::Result::ok) {
                println!("    {line}");
                if line.starts_with(marker) {
                    let _ = tx.send(line);
                }
            }
        });
        Follower { marker, marked, thread }
    }

    /// Waits for the marker line.
    fn wait(&self, limit: Duration) -> Result<String> {
        self.marked
            .recv_timeout(limit)
            .map_err(|_| format!("no line starting {:?} within {} s", self.marker, limit.as_secs()))
    }

    /// Waits until the output ends (the child has exited).
    fn finish(self) {
        let _ = self.thread.join();
    }
}

/// Waits up to `limit` for a child, then kills it.
fn wait_for(child: &mut Child, what: &str, limit: Duration) -> Result {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("{what} failed ({status})")),
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{what} did not finish within {} s", limit.as_secs()));
            }
            Ok(None) => sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("waiting for {what}: {e}")),
        }
    }
}

/// Runs `one` per backend, prints a verdict per backend and a summary line,
/// and fails when any backend failed.
fn per_backend(command: &str, backends: &[Backend], mut one: impl FnMut(Backend) -> Result) -> Result {
    let mut verdicts = Vec::new();
    let mut failed = Vec::new();
    for &backend in backends {
        println!("\n==> {command} on {}", backend.label());
        let started = Instant::now();
        let outcome = one(backend);
        let took = started.elapsed().as_secs();
        match outcome {
            Ok(()) => verdicts.push(format!("{command} on {} passed ({took} s)", backend.label())),
            Err(error) => {
                eprintln!("{command} on {}: {error}", backend.label());
                verdicts.push(format!("{command} on {} FAILED ({took} s)", backend.label()));
                failed.push(backend.label());
            }
        }
    }
    println!("\nxtask {command}: {}", verdicts.join("; "));
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{command} failed on {}", failed.join(", ")))
    }
}

/// Prints `quorum check`'s report, indented; an error when a check failed.
fn check(instance: &Instance) -> Result {
    let outcome = instance.check();
    let report = match &outcome {
        Ok(report) | Err(report) => report,
    };
    for line in report.lines() {
        println!("    {line}");
    }
    outcome.map(|_| ()).map_err(|_| "quorum check failed".to_string())
}

// --------------------------------------------------------------- soak

/// `cargo xtask soak [--backend sqlite|postgres|both] [--seconds 60] [--connections 64]`
pub fn soak(extra: &[OsString]) -> Result {
    let opts = Options::parse(extra, &[("seconds", 60), ("connections", 64)], true)?;
    let built = build()?;
    let pg_url = pg_url();
    per_backend("soak", &opts.backends, |backend| {
        let mut instance = start_instance(&built, backend, &pg_url, "soak")?;
        let pid = instance.pid().ok_or("the server is not running")?;
        let mut load = driver(&built, &instance, "soak");
        load.args(["--seconds", &opts.number("seconds").to_string()])
            .args(["--connections", &opts.number("connections").to_string()])
            .args(["--pid", &pid.to_string()]);
        let loaded = crate::status(load, "quorum-stress soak");
        instance.stop();
        println!("--> the database after the load");
        let checked = check(&instance);
        loaded.and(checked)
    })
}

// --------------------------------------------------------------- live

/// `cargo xtask bench-live [--backend sqlite|postgres|both] [--streams 1000] [--posts 400]`
pub fn bench_live(extra: &[OsString]) -> Result {
    let opts = Options::parse(extra, &[("streams", 1000), ("posts", 400), ("writers", 16)], true)?;
    let built = build()?;
    let pg_url = pg_url();
    per_backend("bench-live", &opts.backends, |backend| {
        let mut instance = start_instance(&built, backend, &pg_url, "live")?;
        let pid = instance.pid().ok_or("the server is not running")?;
        let mut load = driver(&built, &instance, "live");
        for name in ["streams", "posts", "writers"] {
            load.args([format!("--{name}"), opts.number(name).to_string()]);
        }
        load.args(["--pid", &pid.to_string()]);
        let measured = crate::status(load, "quorum-stress live");
        instance.stop();
        measured
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn options_take_defaults_and_overrides() -> Result {
        let opts = Options::parse(
            &args(&["--seconds", "5", "--backend=postgres"]),
            &[("seconds", 60), ("connections", 64)],
            true,
        )?;
        assert_eq!(opts.backends, vec![Backend::Postgres]);
        assert_eq!((opts.number("seconds"), opts.number("connections")), (5, 64));
        let both = Options::parse(&args(&["--backend", "both"]), &[("rounds", 3)], true)?;
        assert_eq!(both.backends, vec![Backend::Sqlite, Backend::Postgres]);
        assert!(Options::parse(&args(&["--rounds", "x"]), &[("rounds", 3)], true).is_err());
        assert!(Options::parse(&args(&["--seconds", "5"]), &[("rounds", 3)], true).is_err());
        assert!(Options::parse(&args(&["--backend", "sqlite"]), &[("seconds", 40)], false).is_err());
        Ok(())
    }
}
