//! `cargo xtask outage`: PostgreSQL is stopped under load and started
//! again; the driver (`quorum-stress outage`) hears when, on its standard
//! input, and judges every request against that timeline.

use std::ffi::OsString;
use std::io::Write;
use std::process::{ChildStdin, Stdio};
use std::thread::sleep;
use std::time::{Duration, SystemTime};

use super::cluster::{Cluster, Kind};
use super::{build, check, driver, pg_url, start_instance, wait_for, Follower, Options};
use crate::instance::Backend;
use crate::Result;

/// Load before the stop, and how long the database stays down.
const LEAD: Duration = Duration::from_secs(5);
const DOWN: Duration = Duration::from_secs(5);
/// A request slower than this hangs: the server waits up to 5 s for a
/// database connection (QUORUM_DB_TIMEOUT_SECS) before it knows the
/// database is away, plus a second for everything else.
const SLOWEST: Duration = Duration::from_secs(6);

/// `cargo xtask outage [--seconds 40] [--connections 32] [--cluster scratch|main]`
pub fn outage(extra: &[OsString]) -> Result {
    let opts = Options::parse(extra, &[("seconds", 40), ("connections", 32)], false)?;
    let seconds = opts.number("seconds");
    if seconds < 20 {
        return Err("--seconds must be at least 20: 5 s of load, 5 s down, the rest to recover".into());
    }
    let kind = match opts.cluster.as_deref() {
        None | Some("scratch") => Kind::Scratch,
        Some("main") => Kind::Main,
        Some(other) => return Err(format!("--cluster takes scratch or main, not {other}")),
    };
    let built = build()?;
    println!("\n==> outage on PostgreSQL");
    // Declared first, so it is dropped (started again, or removed) last.
    let mut cluster = Cluster::open(kind, &pg_url())?;
    println!("the database runs in {}", cluster.label());
    let mut instance = start_instance(&built, Backend::Postgres, &cluster.url, "outage")?;

    let mut load = driver(&built, &instance, "outage");
    load.args(["--seconds", &seconds.to_string(), "--connections", &opts.number("connections").to_string()])
        .args(["--slowest-ms", &SLOWEST.as_millis().to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = load.spawn().map_err(|e| format!("cannot start quorum-stress: {e}"))?;
    let stdout = child.stdout.take().ok_or("no output from quorum-stress")?;
    let mut events = child.stdin.take().ok_or("no input to quorum-stress")?;
    let output = Follower::new(stdout, "load:");
    if let Err(e) = output.wait(Duration::from_secs(120)) {
        let _ = child.kill();
        return Err(format!("the load never started: {e}"));
    }

    sleep(LEAD);
    tell(&mut events, "stopping");
    let stopped = cluster.stop();
    tell(&mut events, "stopped");
    println!("    {} stopped: {}", cluster.label(), if stopped.is_ok() { "yes" } else { "FAILED" });
    sleep(DOWN);
    tell(&mut events, "starting");
    let started = cluster.start();
    tell(&mut events, "started");
    println!("    {} started again: {}", cluster.label(), if started.is_ok() { "yes" } else { "FAILED" });
    stopped?;
    started?;

    let loaded = wait_for(&mut child, "quorum-stress outage", Duration::from_secs(seconds + 120));
    output.finish();
    instance.stop();
    println!("--> the database after the outage");
    let checked = check(&instance);
    let verdict = if loaded.is_ok() && checked.is_ok() { "passed" } else { "FAILED" };
    println!("\nxtask outage: outage on PostgreSQL {verdict} (server log in {})", instance.log_path.display());
    loaded.and(checked)
}

/// Tells the driver what happened to the database, and when.
fn tell(events: &mut ChildStdin, what: &str) {
    let at = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let _ = writeln!(events, "{what} {at}");
    let _ = events.flush();
}
