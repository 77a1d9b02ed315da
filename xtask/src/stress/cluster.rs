//! A PostgreSQL cluster the outage run may stop: one created for the run
//! (the default, so nobody else's tests lose their database) or the
//! machine's `main` cluster. Whatever happens it is started again: by
//! `start` on the normal path, by `Drop` on errors and panics, and by
//! watchdog shells outside this process (their own process group, deaf to
//! Ctrl-C and hang-ups) when this process dies or stalls.

use std::fs;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::instance::{free_port, random_hex};
use crate::Result;

/// A watchdog starts a stopped cluster this long after the stop, even if
/// this process is still alive (but stuck).
const DOWN_AT_MOST: Duration = Duration::from_secs(45);

pub enum Kind {
    /// `pg_createcluster` for this run, dropped at the end.
    Scratch,
    /// The machine's `main` cluster, shared with everything else.
    Main,
}

pub struct Cluster {
    version: String,
    name: String,
    kind: Kind,
    /// Where the server's admin database is reached (user postgres, trust).
    pub url: String,
    down: bool,
}

/// The newest PostgreSQL version Debian's cluster tools know of.
pub fn debian_version() -> Option<String> {
    let mut versions: Vec<String> =
        fs::read_dir("/etc/postgresql").ok()?.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
    versions.sort_by_key(|v| v.parse::<u32>().unwrap_or(0));
    versions.pop()
}

impl Cluster {
    /// The cluster to stop, running. `main_url` is how the main cluster is reached.
    pub fn open(kind: Kind, main_url: &str) -> Result<Cluster> {
        let version = debian_version().ok_or("no PostgreSQL under /etc/postgresql (Debian's cluster tools)")?;
        let cluster = match kind {
            Kind::Main => Cluster { version, name: "main".into(), kind, url: main_url.to_string(), down: false },
            Kind::Scratch => {
                let port = free_port()?;
                let name = format!("quorum-outage-{}", random_hex(3));
                println!("creating PostgreSQL {version} cluster {name} on port {port}");
                let mut create = Command::new("pg_createcluster");
                create
                    .args([&version, &name, "--port", &port.to_string(), "--start", "--", "--auth=trust"])
                    .stdout(Stdio::null());
                let cluster = Cluster {
                    version,
                    name,
                    kind,
                    url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
                    down: false,
                };
                // From here on `Drop` removes the cluster, even half-made.
                crate::status(create, "pg_createcluster")?;
                cluster
            }
        };
        cluster.watch(&format!(
            "while kill -0 {} 2>/dev/null; do sleep 1; done; {}",
            std::process::id(),
            cluster.cleanup()
        ));
        Ok(cluster)
    }

    pub fn label(&self) -> String {
        format!("PostgreSQL {} cluster {}", self.version, self.name)
    }

    /// `pg_ctlcluster stop -m fast`: connections are cut, as in a crash of
    /// the database server or a failover.
    pub fn stop(&mut self) -> Result {
        self.down = true;
        let start_later = format!("sleep {}; {}", DOWN_AT_MOST.as_secs(), self.ctl("start"));
        self.watch(&start_later);
        crate::status(self.command(&["stop", "-m", "fast"]), "pg_ctlcluster stop")
    }

    /// Starts the cluster; one a watchdog started meanwhile counts too.
    pub fn start(&mut self) -> Result {
        let started = crate::status(self.command(&["start"]), "pg_ctlcluster start");
        let running = || self.command(&["status"]).stdout(Stdio::null()).status().is_ok_and(|s| s.success());
        if started.is_err() && !running() {
            return started;
        }
        self.down = false;
        Ok(())
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("pg_ctlcluster");
        command.args(["--skip-systemctl-redirect", &self.version, &self.name]).args(args);
        command
    }

    fn ctl(&self, action: &str) -> String {
        format!("pg_ctlcluster --skip-systemctl-redirect {} {} {action}", self.version, self.name)
    }

    /// What the watchdog does once this process is gone.
    fn cleanup(&self) -> String {
        match self.kind {
            Kind::Main => self.ctl("start"),
            Kind::Scratch => format!("pg_dropcluster --stop {} {}", self.version, self.name),
        }
    }

    /// Runs `script` in a shell of its own process group that ignores
    /// SIGINT, SIGTERM and SIGHUP, so neither Ctrl-C nor a closed terminal
    /// stops it; it is never waited for.
    fn watch(&self, script: &str) {
        let spawned = Command::new("sh")
            .args(["-c", &format!("trap '' INT TERM HUP; {script}")])
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        if let Err(e) = spawned {
            eprintln!("warning: no watchdog for {} ({e}); if this run dies, start it by hand", self.label());
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.down {
            if let Err(e) = self.start() {
                eprintln!("warning: could not start {} again: {e}", self.label());
            }
        }
        if let Kind::Scratch = self.kind {
            let mut drop = Command::new("pg_dropcluster");
            drop.args(["--stop", &self.version, &self.name]);
            if let Err(e) = crate::status(drop, "pg_dropcluster") {
                eprintln!("warning: {e}");
            }
        }
    }
}
