//! `cargo xtask bench-search`: p50 and p99 latency of searches for common
//! words, rare words, phrases and prefixes, as a signed-in member of two
//! groups, next to a plain thread page measured the same way in the same
//! run, on a bulk-seeded data set (`quorum seed --bulk`). One client, one
//! request at a time: the figures are latencies, not throughput.

use std::ffi::OsString;
use std::time::Instant;

use crate::bench::{http, seeded, Seeded};
use crate::{build_server, target_dir, Result};

struct Options {
    posts: u64,
    requests: usize,
    backends: Vec<&'static str>,
}

fn options(extra: &[OsString]) -> Result<Options> {
    let mut opts = Options { posts: 1_000_000, requests: 200, backends: vec!["sqlite", "postgres"] };
    let mut args = extra.iter().filter_map(|a| a.to_str());
    while let Some(arg) = args.next() {
        let mut value = |name: &str| -> Result<u64> {
            args.next().and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a number"))
        };
        match arg {
            "--posts" => opts.posts = value("--posts")?,
            "--requests" => opts.requests = value("--requests")? as usize,
            "--sqlite" => opts.backends = vec!["sqlite"],
            "--postgres" => opts.backends = vec!["postgres"],
            other => return Err(format!("unknown bench-search option {other}; see `cargo xtask help`")),
        }
    }
    Ok(opts)
}

/// Queries of each kind; a run cycles through them. `ref…` words are in
/// about one post in 50,000 (`seed::RARE_WORDS`).
const KINDS: [(&str, &[&str]); 4] = [
    ("common words", &["meeting", "federation", "budget", "exchange", "translation"]),
    ("rare words", &["ref123", "ref4567", "ref20001", "ref33333", "ref49999"]),
    ("phrases", &["%22general+meeting%22", "%22annual+report%22", "%22worker+exchange%22", "%22time+zones%22"]),
    ("prefixes", &["feder*", "transl*", "bake*", "summar*"]),
];

pub fn bench_search(extra: &[OsString]) -> Result {
    let opts = options(extra)?;
    build_server(&["build", "--release", "-p", "quorum", "--bin", "quorum"])?;
    let quorum = target_dir().join("release").join("quorum");
    let mut table = Vec::new();
    for backend in &opts.backends {
        table.extend(measure(&opts, &quorum, backend)?);
    }
    println!("\n{} requests each, one at a time, as a member of two groups (ms):", opts.requests);
    println!("{:<46} {:>9} {:>9}", "", "p50", "p99");
    for (label, p50, p99) in table {
        println!("{label:<46} {p50:>9.2} {p99:>9.2}");
    }
    Ok(())
}

fn measure(opts: &Options, quorum: &std::path::Path, backend: &str) -> Result<Vec<(String, f64, f64)>> {
    let threads = (opts.posts / 20).max(1);
    let Seeded { mut server, token, thread, database } = seeded(quorum, backend, "benchsearch", threads, opts.posts)?;

    let tag = format!("{backend} {:>7} posts:", opts.posts);
    let mut rows = Vec::new();
    let page = format!("/api/v1/threads/{thread}/posts?limit=20");
    let (p50, p99) = timed(opts.requests, |_| page.clone(), &token)?;
    rows.push((format!("{tag} thread page (20 posts)"), p50, p99));
    for (kind, queries) in KINDS {
        let (p50, p99) =
            timed(opts.requests, |i| format!("/api/v1/search?q={}&limit=20", queries[i % queries.len()]), &token)?;
        rows.push((format!("{tag} search, {kind}"), p50, p99));
    }
    let (p50, p99) = timed(opts.requests, |i| format!("/api/v1/search?q=meeting&order=newest&limit=20&x={i}"), &token)?;
    rows.push((format!("{tag} search, common word, newest"), p50, p99));
    for (label, p50, p99) in &rows {
        println!("  {label}: p50 {p50:.2} ms, p99 {p99:.2} ms");
    }
    server.stop();
    drop(database);
    Ok(rows)
}

/// p50 and p99 in milliseconds of `n` requests (after a few to warm up).
fn timed(n: usize, path: impl Fn(usize) -> String, token: &str) -> Result<(f64, f64)> {
    for i in 0..5 {
        http("GET", &path(i), Some(token), None)?;
    }
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let p = path(i);
        let started = Instant::now();
        let body = http("GET", &p, Some(token), None)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        if !body.starts_with("{\"items\"") {
            return Err(format!("{p}: {body}"));
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1).min(times.len() - 1)];
    Ok((at(0.50), at(0.99)))
}
