//! iCalendar read back by a real parser: Python's `icalendar` (pinned),
//! installed on first use into a venv of its own under
//! `$HOME/.cache/quorum/ics-venv`, the way `cargo xtask fuzz` installs
//! Schemathesis, so CI needs no step of its own.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// Pinned, so a new release cannot change what passes.
const ICALENDAR: &str = "icalendar==7.3.0";
const SCRIPT: &str = include_str!("ics_parse.py");

static INSTALL: Mutex<()> = Mutex::new(());

fn venv() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
    home.join(".cache").join("quorum").join("ics-venv")
}

/// The venv's python, with `icalendar` installed.
fn python() -> PathBuf {
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let venv = venv();
    let python = venv.join("bin").join("python");
    let version = ICALENDAR.trim_start_matches("icalendar==");
    let installed = Command::new(&python)
        .args(["-c", "import icalendar; print(icalendar.__version__)"])
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == version);
    if !installed {
        let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status();
        assert!(made.is_ok_and(|s| s.success()), "python3 -m venv {} failed", venv.display());
        let pip = Command::new(venv.join("bin").join("pip")).args(["install", "-q", ICALENDAR]).status();
        assert!(pip.is_ok_and(|s| s.success()), "pip install {ICALENDAR} failed");
    }
    python
}

/// Parses `ics`; panics with the parser's message when it cannot.
pub fn parse(ics: &str) -> serde_json::Value {
    let mut child = Command::new(python())
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python starts");
    child.stdin.take().expect("stdin").write_all(ics.as_bytes()).expect("writing the calendar");
    let out = child.wait_with_output().expect("python ends");
    assert!(out.status.success(), "icalendar refused:\n{ics}\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}
