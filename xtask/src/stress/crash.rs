//! `cargo xtask crash`: writers post replies while the server is killed
//! with SIGKILL after a random 2–5 s; the database is checked as the crash
//! left it, the server restarts on it, and every acknowledged reply must
//! be there exactly once.

use std::ffi::OsString;
use std::process::Stdio;
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::{build, check, driver, per_backend, pg_url, start_instance, wait_for, Follower, Options};
use crate::instance::random_between;
use crate::Result;

/// Seeding the round (sign-ups hash passwords) may take this long.
const SET_UP_WITHIN: Duration = Duration::from_secs(60);

/// `cargo xtask crash [--backend sqlite|postgres|both] [--rounds 3] [--writers 16]`
pub fn crash(extra: &[OsString]) -> Result {
    let opts = Options::parse(extra, &[("rounds", 3), ("writers", 16)], true)?;
    let built = build()?;
    let pg_url = pg_url();
    per_backend("crash", &opts.backends, |backend| {
        let mut instance = start_instance(&built, backend, &pg_url, "crash")?;
        let acked = instance.database.scratch.join("acknowledged.txt");
        let rounds = opts.number("rounds");
        let mut problems = Vec::new();
        let mut restarts = Vec::new();
        for round in 1..=rounds {
            println!("--> round {round} of {rounds}");
            let mut write = driver(&built, &instance, "crash-write");
            write
                .args(["--round", &round.to_string(), "--writers", &opts.number("writers").to_string()])
                .arg("--acked")
                .arg(&acked)
                .stdout(Stdio::piped());
            let mut writer = write.spawn().map_err(|e| format!("cannot start quorum-stress: {e}"))?;
            let stdout = writer.stdout.take().ok_or("no output from quorum-stress")?;
            let output = Follower::new(stdout, "writing");
            if let Err(e) = output.wait(SET_UP_WITHIN) {
                let _ = writer.kill();
                let _ = writer.wait();
                return Err(format!("round {round}: the writers never started ({e})"));
            }
            let delay = Duration::from_millis(random_between(2_000, 5_000));
            sleep(delay);
            println!("    SIGKILL to the server after {:.1} s of writing", delay.as_secs_f64());
            instance.kill();
            if let Err(e) = wait_for(&mut writer, "quorum-stress crash-write", Duration::from_secs(60)) {
                problems.push(format!("round {round}: {e}"));
            }
            output.finish();

            println!("    the database as the crash left it:");
            if let Err(e) = check(&instance) {
                problems.push(format!("round {round}: {e}"));
            }
            let started = Instant::now();
            let ready = instance.start();
            let took = started.elapsed();
            ready.map_err(|e| format!("round {round}: the server did not come back: {e}"))?;
            println!("    restarted on the same database: ready in {:.2} s", took.as_secs_f64());
            restarts.push(format!("{:.2} s", took.as_secs_f64()));

            let mut verify = driver(&built, &instance, "crash-verify");
            verify.arg("--acked").arg(&acked).stdout(Stdio::piped());
            let mut verifier = verify.spawn().map_err(|e| format!("cannot start quorum-stress: {e}"))?;
            let output = verifier.stdout.take().map(|stdout| Follower::new(stdout, ""));
            if let Err(e) = wait_for(&mut verifier, "quorum-stress crash-verify", Duration::from_secs(120)) {
                problems.push(format!("round {round}: {e}"));
            }
            if let Some(output) = output {
                output.finish();
            }
        }
        instance.stop();
        println!("restarts took {}", restarts.join(", "));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    })
}
