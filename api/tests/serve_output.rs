//! What `quorum serve` prints on a new forum: the set-up link, token
//! included, goes to the terminal (standard output) only; the log (standard
//! error, often shipped elsewhere) says that a link was printed, never the
//! token. SQLite only: where the token is printed does not depend on the
//! database.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

#[test]
fn the_setup_token_reaches_the_terminal_but_not_the_log() {
    let dir = std::env::temp_dir().join(format!("quorum-serve-output-{}", std::process::id()));
    let token = "setup-token-for-this-test-0123456789";
    let mut child = Command::new(env!("CARGO_BIN_EXE_quorum"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("QUORUM_DATA_DIR", &dir)
        .env("QUORUM_BIND", "127.0.0.1:0")
        .env("QUORUM_SETUP_TOKEN", token)
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("quorum serve starts");

    // Standard output until the set-up link (or the end, if it never comes).
    let stdout = child.stdout.take().expect("piped stdout");
    let (sender, lines) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let mut printed = Vec::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(60)) {
        let done = line.contains("/setup#");
        printed.push(line);
        if done {
            break;
        }
    }
    child.kill().expect("the server stops");
    child.wait().expect("the server is reaped");
    let mut log = String::new();
    child.stderr.take().expect("piped stderr").read_to_string(&mut log).expect("the log is readable");
    let _ = std::fs::remove_dir_all(&dir);

    let link = printed
        .iter()
        .find(|l| l.contains("/setup#"))
        .unwrap_or_else(|| panic!("no set-up link on standard output:\n{}\nlog:\n{log}", printed.join("\n")));
    assert!(link.contains(token), "the printed link lacks the token: {link}");
    assert!(log.contains("set-up link is printed"), "the log does not mention the printed link:\n{log}");
    assert!(!log.contains(token), "the token is in the log:\n{log}");
}
