//! `cargo xtask bench`: seeded data sets, a load generator, and figures
//! printed as ratios against a plain actix-web JSON handler measured in the
//! same run on the same machine. Nothing here asserts a speed.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::instance::{Backend, Database};
use crate::{build_server, target_dir, Result};

const BASELINE_ADDR: &str = "127.0.0.1:18090";
pub(crate) const QUORUM_ADDR: &str = "127.0.0.1:18091";
pub(crate) const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
/// Every data set has threads of this many posts, so a thread page is
/// comparable across sizes.
const POSTS_PER_THREAD: u64 = 1000;
const PAGE: u32 = 25;
/// The deep page: thread page 30 of 40.
const DEEP_PAGE: u32 = 30;

struct Options {
    postgres: bool,
    seconds: u32,
    connections: u32,
    sizes: Vec<u64>,
}

fn options(extra: &[OsString]) -> Result<Options> {
    let mut opts = Options { postgres: false, seconds: 10, connections: 64, sizes: vec![1_000, 1_000_000] };
    let mut args = extra.iter().filter_map(|a| a.to_str());
    while let Some(arg) = args.next() {
        let mut value = |name: &str| -> Result<u64> {
            args.next().and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a number"))
        };
        match arg {
            "--postgres" => opts.postgres = true,
            "--seconds" => opts.seconds = value("--seconds")? as u32,
            "--connections" => opts.connections = value("--connections")? as u32,
            "--posts" => opts.sizes = vec![value("--posts")?],
            other => return Err(format!("unknown bench option {other}; see `cargo xtask help`")),
        }
    }
    Ok(opts)
}

/// One measured endpoint.
struct Figure {
    label: String,
    requests_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// What one data set's server used at most, as the kernel counts it.
struct Memory {
    label: String,
    peak_kib: u64,
}

pub fn bench(extra: &[OsString]) -> Result {
    let opts = options(extra)?;
    ensure_wrk()?;
    build_server(&["build", "--release", "-p", "quorum", "--bin", "quorum", "--example", "baseline"])?;
    let release = target_dir().join("release");
    let quorum = release.join("quorum");

    let mut baseline = Server::start(Command::new(release.join("examples").join("baseline")).arg(BASELINE_ADDR))?;
    baseline.wait_ready(BASELINE_ADDR, "/")?;
    let reference = wrk(&opts, "plain actix-web JSON handler (2.3 KB, no database)", BASELINE_ADDR, "/", None, None)?;
    drop(baseline);

    let mut figures = Vec::new();
    let mut memory = Vec::new();
    let backends: &[&str] = if opts.postgres { &["sqlite", "postgres"] } else { &["sqlite"] };
    for backend in backends {
        for &posts in &opts.sizes {
            let (measured, peak) = measure_data_set(&opts, &quorum, backend, posts)?;
            figures.extend(measured);
            memory.push(peak);
        }
    }

    println!(
        "\nOn this machine ({} cores), wrk -t2 -c{} -d{}s on loopback (writes: -c{WRITERS}):",
        cores(),
        opts.connections,
        opts.seconds
    );
    println!("{:<70} {:>9} {:>8} {:>8} {:>7}", "endpoint", "req/s", "p50 ms", "p99 ms", "ratio");
    for f in std::iter::once(&reference).chain(&figures) {
        println!(
            "{:<70} {:>9.0} {:>8.2} {:>8.2} {:>6.3}x",
            f.label,
            f.requests_per_second,
            f.p50_ms,
            f.p99_ms,
            f.requests_per_second / reference.requests_per_second
        );
    }
    println!("\nPeak memory of the server (VmHWM), over all of its load:");
    for m in &memory {
        println!("{:<70} {:>8.1} MB", m.label, m.peak_kib as f64 / 1024.0);
    }
    Ok(())
}

/// Connections that create replies at once.
const WRITERS: u32 = 16;

/// A bulk-seeded database and a release server on it, signed in as
/// `bulk1` (an enterprise member on the board): where every benchmark
/// starts. Stop the server before the database goes.
pub(crate) struct Seeded {
    pub server: Server,
    pub token: String,
    /// The newest thread `bulk1` reads.
    pub thread: i64,
    pub database: Database,
}

pub(crate) fn seeded(quorum: &Path, backend: &str, name: &str, threads: u64, posts: u64) -> Result<Seeded> {
    let database = Database::create(Backend::parse(backend)?, PG_ADMIN_URL, name)?;
    println!("\n== {backend}, {posts} posts in {threads} threads");
    let started = Instant::now();
    let seed = Command::new(quorum)
        .args(["seed", "--bulk", "--threads", &threads.to_string(), "--posts", &posts.to_string()])
        .env("DATABASE_URL", &database.url)
        .env("RUST_LOG", "warn")
        .output()
        .map_err(|e| format!("cannot run quorum seed: {e}"))?;
    if !seed.status.success() {
        return Err(format!("quorum seed failed: {}", String::from_utf8_lossy(&seed.stderr)));
    }
    print!("{}", String::from_utf8_lossy(&seed.stdout));
    println!("(seeding took {:.1} s)", started.elapsed().as_secs_f64());

    let mut server = Server::start(
        Command::new(quorum)
            .args(["serve", "--bind", QUORUM_ADDR])
            .env("DATABASE_URL", &database.url)
            .env("QUORUM_JWT_SECRET", "bench-secret-bench-secret-bench-secret-0123")
            // Members post as fast as the load generator asks.
            .env("QUORUM_THROTTLE_ACCOUNT", "0")
            .env("QUORUM_THROTTLE_ADDRESS", "0")
            .env("RUST_LOG", "warn"),
    )?;
    server.wait_ready(QUORUM_ADDR, "/readyz")?;
    let login = http("POST", "/api/v1/auth/login", None, Some(r#"{"login":"bulk1","password":"bulk-password-2026"}"#))?;
    let token = json_string(&login, "access_token").ok_or_else(|| format!("login failed: {login}"))?;
    let list = http("GET", "/api/v1/threads?limit=1", Some(&token), None)?;
    let thread = json_number(&list, "id").ok_or_else(|| format!("no thread listed: {list}"))?;
    Ok(Seeded { server, token, thread, database })
}

fn measure_data_set(opts: &Options, quorum: &Path, backend: &str, posts: u64) -> Result<(Vec<Figure>, Memory)> {
    let threads = (posts / POSTS_PER_THREAD).max(1);
    let Seeded { mut server, token, thread, database } = seeded(quorum, backend, "bench", threads, posts)?;
    let first_page = format!("/api/v1/threads/{thread}/posts?limit={PAGE}");
    let mut cursor = String::new();
    for _ in 1..DEEP_PAGE {
        let page = http("GET", &format!("{first_page}&cursor={cursor}"), Some(&token), None)?;
        cursor = json_string(&page, "next_cursor").ok_or_else(|| format!("thread {thread} ended early"))?;
    }
    let last_post = http("GET", &format!("{first_page}&cursor={cursor}"), Some(&token), None)?;
    let post = json_number(&last_post, "id").ok_or_else(|| "no post on the deep page".to_string())?;

    let open = http("GET", "/api/v1/threads?category=bulk-general&limit=1", None, None)?;
    let open_thread = json_number(&open, "id").ok_or_else(|| format!("no thread open to all: {open}"))?;
    let tag = format!("{backend} {posts:>7} posts:");
    let runs = [
        (format!("{tag} categories (anonymous: the home page)"), "/api/v1/categories".to_string(), None),
        (format!("{tag} categories (member)"), "/api/v1/categories".to_string(), Some(&token)),
        (format!("{tag} thread page 1 ({PAGE} posts, member)"), first_page.clone(), Some(&token)),
        (
            format!("{tag} thread page 1 ({PAGE} posts, anonymous)"),
            format!("/api/v1/threads/{open_thread}/posts?limit={PAGE}"),
            None,
        ),
        (format!("{tag} thread page {DEEP_PAGE} (member)"), format!("{first_page}&cursor={cursor}"), Some(&token)),
        (format!("{tag} thread list, 20 threads (member)"), "/api/v1/threads?limit=20".to_string(), Some(&token)),
        (
            format!("{tag} thread list, 20 threads (anonymous)"),
            "/api/v1/threads?category=bulk-general&limit=20".to_string(),
            None,
        ),
        (format!("{tag} one post (member)"), format!("/api/v1/posts/{post}"), Some(&token)),
    ];
    let mut figures = Vec::new();
    for (label, path, token) in runs {
        figures.push(wrk(opts, &label, QUORUM_ADDR, &path, token.map(String::as_str), None)?);
    }
    // Last, as it adds posts: replies spread over the member's newest
    // threads, with every side effect (events, notifications, search).
    let list = http("GET", "/api/v1/threads?limit=50", Some(&token), None)?;
    // Each thread in the list starts `{"id":…,"category":`.
    let parts: Vec<&str> = list.split(",\"category\":").collect();
    let targets: Vec<i64> = parts[..parts.len() - 1]
        .iter()
        .filter_map(|part| part.rfind("{\"id\":").and_then(|at| json_number(&part[at..], "id")))
        .collect();
    let script = reply_script(&targets)?;
    let label = format!("{tag} create a reply (member, {WRITERS} connections)");
    let writes = Options { connections: WRITERS, seconds: opts.seconds, postgres: opts.postgres, sizes: Vec::new() };
    figures.push(wrk(&writes, &label, QUORUM_ADDR, "/", Some(&token), Some(&script))?);
    let memory = Memory { label: format!("{backend} {posts:>7} posts"), peak_kib: server.peak_memory_kib() };
    server.stop();
    drop(database);
    let _ = std::fs::remove_file(script);
    Ok((figures, memory))
}

/// A wrk script posting replies to the given threads in turn.
fn reply_script(threads: &[i64]) -> Result<std::path::PathBuf> {
    if threads.is_empty() {
        return Err("no thread to reply to".into());
    }
    let ids: Vec<String> = threads.iter().map(i64::to_string).collect();
    let script = format!(
        r#"local threads = {{{}}}
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local body = '{{"body":"Benchmark reply ' .. n .. ' about the annual report and the next meeting."}}'
  return wrk.format(nil, "/api/v1/threads/" .. threads[(n % #threads) + 1] .. "/posts", nil, body)
end
"#,
        ids.join(", ")
    );
    let path = std::env::temp_dir().join(format!("quorum-bench-replies-{}.lua", std::process::id()));
    std::fs::write(&path, script).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// A child process killed when dropped.
pub(crate) struct Server(Child);

impl Server {
    pub(crate) fn start(command: &mut Command) -> Result<Server> {
        command.stdout(Stdio::null()).stderr(Stdio::inherit());
        command.spawn().map(Server).map_err(|e| format!("cannot start {command:?}: {e}"))
    }

    pub(crate) fn wait_ready(&mut self, addr: &str, path: &str) -> Result {
        for _ in 0..100 {
            if request(addr, "GET", path, None, None).is_ok_and(|r| r.starts_with("HTTP/1.1 200")) {
                return Ok(());
            }
            if let Ok(Some(status)) = self.0.try_wait() {
                return Err(format!("server on {addr} exited: {status}"));
            }
            sleep(Duration::from_millis(100));
        }
        Err(format!("server on {addr} did not become ready"))
    }

    /// The process's peak resident memory so far (VmHWM), in KiB.
    pub(crate) fn peak_memory_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.0.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0)
    }

    pub(crate) fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn ensure_wrk() -> Result {
    if Command::new("wrk").arg("--version").output().is_ok() {
        return Ok(());
    }
    println!("installing wrk (Debian package)");
    let _ = Command::new("apt-get").args(["update", "-q"]).status();
    let mut install = Command::new("apt-get");
    install.args(["install", "-y", "-q", "wrk"]);
    crate::status(install, "apt-get install wrk")
}

fn wrk(
    opts: &Options,
    label: &str,
    addr: &str,
    path: &str,
    token: Option<&str>,
    script: Option<&Path>,
) -> Result<Figure> {
    let mut command = Command::new("wrk");
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    command.args([
        "-t2",
        &format!("-c{}", opts.connections),
        &format!("-d{}s", opts.seconds),
        "--latency",
        &format!("http://{addr}{path}"),
    ]);
    if let Some(token) = token {
        command.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    let out = command.output().map_err(|e| format!("cannot run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains("Non-2xx") {
        return Err(format!("{label}: some responses were not 2xx:\n{text}"));
    }
    let requests_per_second = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("{label}: cannot read wrk's output:\n{text}"))?;
    let percentile = |name: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| milliseconds(v.trim()))
            .ok_or_else(|| format!("{label}: no {name} in wrk's output:\n{text}"))
    };
    let (p50_ms, p99_ms) = (percentile("50%")?, percentile("99%")?);
    println!("  {label}: {requests_per_second:.0} req/s, p50 {p50_ms:.2} ms, p99 {p99_ms:.2} ms");
    Ok(Figure { label: label.to_string(), requests_per_second, p50_ms, p99_ms })
}

/// wrk prints latencies as `812.00us`, `4.20ms` or `1.02s`.
fn milliseconds(value: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = value.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = value.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = value.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

pub(crate) fn http(method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> Result<String> {
    let raw = request(QUORUM_ADDR, method, path, token, body)?;
    Ok(raw.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

/// A minimal HTTP/1.1 request with `Connection: close`.
fn request(addr: &str, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> Result<String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("{addr}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    let body = body.unwrap_or("");
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(|e| e.to_string())?;
    Ok(response)
}

/// The first `"key":"value"` string in a JSON text (enough for our own responses).
pub(crate) fn json_string(json: &str, key: &str) -> Option<String> {
    let start = json.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let end = json[start..].find('"')?;
    Some(json[start..start + end].to_string())
}

pub(crate) fn json_number(json: &str, key: &str) -> Option<i64> {
    let start = json.find(&format!("\"{key}\":"))? + key.len() + 3;
    let digits: String = json[start..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_latencies_convert_to_milliseconds() {
        assert_eq!(milliseconds("812.00us"), Some(0.812));
        assert_eq!(milliseconds("4.20ms"), Some(4.2));
        assert_eq!(milliseconds("1.50s"), Some(1500.0));
        assert_eq!(milliseconds("fast"), None);
    }

    #[test]
    fn json_fields_are_found() {
        let body = r#"{"items":[{"id":42,"title":"x"}],"next_cursor":"djE6MjU"}"#;
        assert_eq!(json_number(body, "id"), Some(42));
        assert_eq!(json_string(body, "next_cursor").as_deref(), Some("djE6MjU"));
        assert_eq!(json_string(r#"{"next_cursor":null}"#, "next_cursor"), None);
    }
}
