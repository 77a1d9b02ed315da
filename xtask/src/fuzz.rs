//! `cargo xtask fuzz`: Schemathesis against the served OpenAPI document,
//! every check, as a demo member and as an admin, per backend, on a fresh
//! instance with the demo forum. Part of `cargo xtask test`: no server
//! error and no answer outside the document may pass.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::instance::{random_hex, Backend, Instance};
use crate::{build_server, status, target_dir, workspace_root, Result};

/// Pinned, so a new release cannot change what passes.
const SCHEMATHESIS: &str = "schemathesis==4.32.5";
/// The demo forum's members sign in with this (see api/src/seed.rs).
const DEMO_PASSWORD: &str = "demo-password-2026";
const DEMO_MEMBER: &str = "tobias";
/// Operations a generated request must not call: signing out ends the
/// token every later request uses, and the event stream never ends.
const EXCLUDED: [&str; 2] = ["logout", "live"];

fn venv() -> PathBuf {
    let home = env::var_os("HOME").map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
    home.join(".cache").join("quorum").join("fuzz-venv")
}

/// The schemathesis command, installed into a venv of its own when missing.
fn schemathesis() -> Result<PathBuf> {
    let venv = venv();
    let bin = venv.join("bin").join("schemathesis");
    let installed = Command::new(&bin).arg("--version").output().is_ok_and(|o| {
        o.status.success()
            && String::from_utf8_lossy(&o.stdout).contains(SCHEMATHESIS.trim_start_matches("schemathesis=="))
    });
    if installed {
        return Ok(bin);
    }
    println!("installing {SCHEMATHESIS} into {}", venv.display());
    let mut make = Command::new("python3");
    make.args(["-m", "venv"]).arg(&venv);
    status(make, "python3 -m venv")?;
    let mut pip = Command::new(venv.join("bin").join("pip"));
    pip.args(["install", "-q", SCHEMATHESIS]);
    status(pip, "pip install schemathesis")?;
    Ok(bin)
}

/// `cargo xtask fuzz [--backend sqlite|postgres|both] [--examples N]`
pub fn fuzz(extra: &[OsString], pg_url: &str) -> Result {
    let mut backends = vec![Backend::Sqlite, Backend::Postgres];
    let mut examples = 30u32;
    let mut args = extra.iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--backend" => {
                let value = args.next().ok_or("--backend needs a value")?;
                backends = match value.as_str() {
                    "both" => vec![Backend::Sqlite, Backend::Postgres],
                    one => vec![Backend::parse(one)?],
                };
            }
            "--examples" => {
                let value = args.next().ok_or("--examples needs a value")?;
                examples = value.parse().map_err(|_| format!("--examples takes a number, not {value:?}"))?;
            }
            other => return Err(format!("unknown option {other}; see `cargo xtask help`")),
        }
    }
    let (verdicts, outcome) = run(&backends, pg_url, examples);
    println!("xtask fuzz: {}", verdicts.join("; "));
    outcome
}

/// The fuzzing part of `cargo xtask test`: both backends.
pub fn for_xtask_test(pg_url: &str) -> (Vec<String>, Result) {
    run(&[Backend::Sqlite, Backend::Postgres], pg_url, 30)
}

fn run(backends: &[Backend], pg_url: &str, examples: u32) -> (Vec<String>, Result) {
    let prepared = schemathesis().and_then(|bin| {
        build_server(&["build", "-p", "quorum", "--bin", "quorum"])?;
        Ok(bin)
    });
    let bin = match prepared {
        Ok(bin) => bin,
        Err(e) => return (vec![format!("fuzzing could not start: {e}")], Err(e)),
    };
    let quorum = target_dir().join("debug").join("quorum");
    let mut verdicts = Vec::new();
    let mut failed = Vec::new();
    for &backend in backends {
        println!("\n==> fuzzing the API on {}", backend.label());
        let started = Instant::now();
        let outcome = one_backend(&bin, &quorum, backend, pg_url, examples);
        let took = started.elapsed().as_secs();
        match outcome {
            Ok(()) => verdicts.push(format!("fuzzing on {} passed ({took} s)", backend.label())),
            Err(e) => {
                eprintln!("fuzzing on {}: {e}", backend.label());
                verdicts.push(format!("fuzzing on {} FAILED ({took} s)", backend.label()));
                failed.push(backend.label());
            }
        }
    }
    let outcome = if failed.is_empty() { Ok(()) } else { Err(format!("fuzzing failed on {}", failed.join(", "))) };
    (verdicts, outcome)
}

fn one_backend(bin: &Path, quorum: &Path, backend: Backend, pg_url: &str, examples: u32) -> Result {
    let out_dir = workspace_root().join("target").join("fuzz");
    fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    // Generated requests sign in and sign up by the hundred: no limits here.
    let env = vec![
        ("RUST_LOG", "warn".to_string()),
        ("QUORUM_THROTTLE_ACCOUNT", "0".to_string()),
        ("QUORUM_THROTTLE_ADDRESS", "0".to_string()),
        ("QUORUM_THROTTLE_REGISTRATIONS", "0".to_string()),
        // Metrics on, behind a token nobody generated sends: /metrics then
        // answers as documented for a missing or wrong one (401), rather
        // than 404 as when it is off.
        ("QUORUM_METRICS_TOKEN", random_hex(24)),
    ];
    let log = out_dir.join(format!("server-{}.log", backend.name()));
    let mut instance = Instance::create(backend, quorum, pg_url, "fuzz", log, env)?;
    let seed = instance.command(&["seed", "--demo"]).output().map_err(|e| format!("quorum seed: {e}"))?;
    if !seed.status.success() {
        return Err(format!("quorum seed --demo failed: {}", String::from_utf8_lossy(&seed.stderr).trim()));
    }
    instance.create_admin()?;
    instance.start()?;
    let address = instance.url.trim_start_matches("http://").to_string();
    let mut failures = Vec::new();
    for (who, login, password) in [
        ("member", DEMO_MEMBER, DEMO_PASSWORD.to_string()),
        ("admin", instance.admin_username, instance.admin_password.clone()),
    ] {
        let token = sign_in(&address, login, &password)?;
        let report = out_dir.join(format!("{}-{who}.txt", backend.name()));
        let mut command = Command::new(bin);
        // Schemathesis keeps a cache in its working directory.
        command
            .current_dir(&out_dir)
            .arg("--config-file")
            .arg(workspace_root().join("tests").join("fuzz").join("schemathesis.toml"))
            .arg("run")
            .arg(format!("{}/api/openapi.json", instance.url))
            .args(["--url", &instance.url])
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .args(["--checks", "all"])
            // A create repeated with the same Idempotency-Key and body replays
            // its first 201, also after that resource was deleted by an
            // earlier scenario; Schemathesis reuses short generated keys, so
            // "created but not found" is then the documented behaviour.
            .args(["--exclude-checks", "ensure_resource_availability"])
            .args(["--max-examples", &examples.to_string()])
            .args(["--request-timeout", "20"])
            .args(["--seed", "20261201"]);
        for excluded in EXCLUDED {
            command.args(["--exclude-operation-id", excluded]);
        }
        let output = command.output().map_err(|e| format!("cannot run schemathesis: {e}"))?;
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        fs::write(&report, &text).map_err(|e| format!("cannot write {}: {e}", report.display()))?;
        let summary: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("generated") || l.contains("❌") || l.starts_with("___") || l.starts_with("- ST"))
            .take(40)
            .collect();
        println!("  as the {who} ({}):", report.display());
        for line in summary {
            println!("    {}", line.chars().take(200).collect::<String>());
        }
        if !output.status.success() {
            failures.push(format!("as the {who}: see {}", report.display()));
        }
    }
    instance.stop();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// Signs in with a plain HTTP request (xtask has no HTTP client) and picks
/// the access token out of the answer.
fn sign_in(address: &str, login: &str, password: &str) -> Result<String> {
    let body = format!(r#"{{"login":"{login}","password":"{password}"}}"#);
    let mut stream = TcpStream::connect(address).map_err(|e| format!("connecting to {address}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    write!(
        stream,
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| format!("signing in: {e}"))?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).map_err(|e| format!("signing in: {e}"))?;
    let token = answer
        .split("\"access_token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| format!("signing in as {login} failed: {}", answer.lines().next().unwrap_or("")))?;
    Ok(token.to_string())
}
