//! `quorum-stress`: drivers that load a running `quorum serve` and judge
//! every answer. `cargo xtask soak | crash | outage` start and stop the
//! server and its database around them; each prints its figures and exits
//! 1 when a check fails.
//!
//! ```text
//! quorum-stress soak --url URL --admin NAME [--seconds 60] [--connections 64] [--pid PID]
//! quorum-stress crash-write --url URL --admin NAME --round N --acked FILE [--writers 16]
//! quorum-stress crash-verify --url URL --admin NAME --acked FILE
//! quorum-stress outage --url URL --admin NAME [--seconds 40] [--connections 32] ...
//! quorum-stress live --url URL --admin NAME [--streams 1000] [--posts 400] [--writers 16] [--pid PID]
//! ```
//! The admin's password comes from QUORUM_STRESS_ADMIN_PASSWORD.

mod args;
mod client;
mod crash;
mod live;
mod memory;
mod outage;
mod soak;
mod stats;
mod timeline;
mod workload;
mod world;

use std::process::ExitCode;

use args::Args;

const PASSWORD_VAR: &str = "QUORUM_STRESS_ADMIN_PASSWORD";

fn admin_password() -> Result<String, String> {
    std::env::var(PASSWORD_VAR).map_err(|_| format!("{PASSWORD_VAR} must hold the admin's password"))
}

fn main() -> ExitCode {
    let mut raw = std::env::args().skip(1);
    let command = raw.next().unwrap_or_default();
    let outcome = Args::parse(raw).and_then(|args| {
        actix_web::rt::System::new().block_on(async move {
            match command.as_str() {
                "soak" => soak::run(args).await,
                "crash-write" => crash::write(args).await,
                "crash-verify" => crash::verify(args).await,
                "outage" => outage::run(args).await,
                "live" => live::run(args).await,
                other => Err(format!("unknown command {other:?}: soak, crash-write, crash-verify, outage or live")),
            }
        })
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
