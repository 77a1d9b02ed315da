//! What a database outage looked like from the clients: every request
//! placed on a timeline against the moments the database was stopped and
//! started, then judged by phase (before, during, after) and summarised.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One request, in milliseconds since the load began.
#[derive(Debug, Clone, Copy)]
pub struct Record {
    pub at: u64,
    pub took: u64,
    /// None when no answer came.
    pub status: Option<u16>,
    pub problem: bool,
    /// The answer the viewer should get in normal times.
    pub ok: bool,
}

impl Record {
    fn end(&self) -> u64 {
        self.at + self.took
    }

    /// 503 problem+json: what a request must get while the database is away.
    fn unavailable(&self) -> bool {
        self.status == Some(503) && self.problem
    }

    fn kind(&self) -> &'static str {
        match self.status {
            _ if self.ok => "ok",
            None => "none",
            Some(503) if self.problem => "503",
            Some(s) if s >= 500 => "5xx",
            Some(_) => "other",
        }
    }
}

/// Milliseconds since the load began.
#[derive(Debug, Clone, Copy)]
pub struct Outage {
    pub stopping: u64,
    pub stopped: u64,
    pub starting: u64,
    pub started: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// No request may take longer (none hangs).
    pub slowest: u64,
    /// Every request must succeed again this soon after the restart.
    pub recovery: u64,
}

pub struct Analysis {
    pub summary: String,
    pub failures: Vec<String>,
}

pub fn analyse(records: &[Record], outage: Outage, bounds: Bounds, load_ms: u64) -> Analysis {
    let mut failures = Vec::new();
    let before: Vec<&Record> = records.iter().filter(|r| r.end() < outage.stopping).collect();
    let during: Vec<&Record> =
        records.iter().filter(|r| r.end() >= outage.stopping && r.at <= outage.started).collect();
    let after: Vec<&Record> = records.iter().filter(|r| r.at > outage.started).collect();
    let mut out = String::new();

    let failed_before = before.iter().filter(|r| !r.ok).count();
    let _ = writeln!(out, "before the stop: {} requests, {failed_before} failed", before.len());
    if failed_before > 0 {
        failures.push(format!("{failed_before} requests failed before the database was stopped"));
    }

    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    for r in &during {
        let label = match r.status {
            None => "no answer".to_string(),
            Some(s) if r.problem => format!("{s} problem+json"),
            Some(s) => s.to_string(),
        };
        *statuses.entry(label).or_default() += 1;
    }
    let shown: Vec<String> = statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect();
    let slowest_during = during.iter().map(|r| r.took).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "during the outage ({:.1} s to {:.1} s): {} requests; {}; slowest {slowest_during} ms",
        secs(outage.stopping),
        secs(outage.started),
        during.len(),
        if shown.is_empty() { "none".to_string() } else { shown.join(", ") }
    );
    let wrong_during = during.iter().filter(|r| !r.ok && !r.unavailable()).count();
    if wrong_during > 0 {
        failures
            .push(format!("{wrong_during} requests during the outage got neither their answer nor 503 problem+json"));
    }

    let slowest = records.iter().max_by_key(|r| r.took);
    if let Some(r) = slowest.filter(|r| r.took > bounds.slowest) {
        failures.push(format!("a request took {} ms (bound {} ms), from {:.1} s", r.took, bounds.slowest, secs(r.at)));
    }
    let server_errors = records.iter().filter(|r| r.status.is_some_and(|s| s >= 500) && !r.unavailable()).count();
    if server_errors > 0 {
        failures.push(format!("{server_errors} 5xx answers other than 503 problem+json"));
    }
    let stray_503 = records.iter().filter(|r| r.status == Some(503) && !r.problem).count();
    if stray_503 > 0 {
        failures.push(format!("{stray_503} 503 answers were not problem+json"));
    }

    // Recovery counts from the start command: requests may succeed before
    // the command returns, once PostgreSQL accepts connections.
    let restarting: Vec<&Record> = records.iter().filter(|r| r.at >= outage.starting).collect();
    let first_success = restarting.iter().filter(|r| r.ok).map(|r| r.end()).min();
    let last_failure = restarting.iter().filter(|r| !r.ok).map(|r| r.end()).max();
    let recovered = match last_failure {
        None => Some(outage.starting),
        Some(last) if restarting.iter().any(|r| r.ok && r.at > last) => Some(last),
        Some(_) => None,
    };
    let failed_after = after.iter().filter(|r| !r.ok).count();
    let _ = writeln!(
        out,
        "restart: start command at {:.2} s, PostgreSQL ready at {:.2} s (the command returned)",
        secs(outage.starting),
        secs(outage.started)
    );
    let _ = match first_success {
        Some(at) => writeln!(
            out,
            "  first success at {:.2} s, {:.2} s after the start command",
            secs(at),
            secs(at - outage.starting)
        ),
        None => writeln!(out, "  no request succeeded after the start command"),
    };
    let _ = match recovered {
        Some(at) => writeln!(
            out,
            "  every request succeeds from {:.2} s on: {:.2} s after PostgreSQL was ready; {failed_after} failed after it was ready",
            secs(at),
            secs(at.saturating_sub(outage.started))
        ),
        None => writeln!(out, "  requests still fail at the end of the load ({failed_after} failed after PostgreSQL was ready)"),
    };
    match recovered {
        Some(at) if at.saturating_sub(outage.started) <= bounds.recovery => {}
        Some(at) => failures.push(format!(
            "failures continued {:.1} s after PostgreSQL was ready (bound {:.0} s)",
            secs(at - outage.started),
            secs(bounds.recovery)
        )),
        None => failures.push("requests still fail at the end of the load".into()),
    }

    out.push_str(&table(records, outage, recovered, load_ms));
    Analysis { summary: out, failures }
}

/// Per second from two seconds before the stop to a few after recovery.
fn table(records: &[Record], outage: Outage, recovered: Option<u64>, load_ms: u64) -> String {
    let first = (outage.stopping / 1000).saturating_sub(2);
    let last = (recovered.unwrap_or(load_ms).max(outage.started) / 1000 + 3).min(load_ms / 1000);
    let mut rows: BTreeMap<u64, BTreeMap<&'static str, u64>> = BTreeMap::new();
    let mut slowest: BTreeMap<u64, u64> = BTreeMap::new();
    for r in records.iter().filter(|r| (first..=last).contains(&(r.at / 1000))) {
        *rows.entry(r.at / 1000).or_default().entry(r.kind()).or_default() += 1;
        let max = slowest.entry(r.at / 1000).or_default();
        *max = (*max).max(r.took);
    }
    let mut out =
        format!("{:>5} {:>7} {:>7} {:>5} {:>6} {:>5} {:>8}\n", "t (s)", "ok", "503", "5xx", "other", "none", "max ms");
    for second in first..=last {
        let row = rows.get(&second);
        let n = |kind| row.and_then(|r| r.get(kind)).copied().unwrap_or(0);
        let mut marks = Vec::new();
        for (label, at) in [
            ("stopping PostgreSQL", outage.stopping),
            ("stopped", outage.stopped),
            ("starting", outage.starting),
            ("started", outage.started),
        ] {
            if at / 1000 == second {
                marks.push(format!("{label} at {:.2}", secs(at)));
            }
        }
        let _ = writeln!(
            out,
            "{second:>5} {:>7} {:>7} {:>5} {:>6} {:>5} {:>8}  {}",
            n("ok"),
            n("503"),
            n("5xx"),
            n("other"),
            n("none"),
            slowest.get(&second).copied().unwrap_or(0),
            marks.join(", ")
        );
    }
    out
}

fn secs(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTAGE: Outage = Outage { stopping: 5_000, stopped: 5_300, starting: 10_300, started: 12_000 };
    const BOUNDS: Bounds = Bounds { slowest: 5_000, recovery: 10_000 };

    fn ok(at: u64) -> Record {
        Record { at, took: 5, status: Some(200), problem: false, ok: true }
    }

    fn status(at: u64, status: u16, problem: bool) -> Record {
        Record { at, took: 5, status: Some(status), problem, ok: false }
    }

    #[test]
    fn a_clean_outage_passes() {
        let mut records: Vec<Record> = (0..50).map(|s| ok(s * 100)).collect();
        records.extend((55..120).map(|s| status(s * 100, 503, true)));
        records.extend((121..300).map(|s| ok(s * 100)));
        let analysis = analyse(&records, OUTAGE, BOUNDS, 30_000);
        assert!(analysis.failures.is_empty(), "{:?}\n{}", analysis.failures, analysis.summary);
        assert!(analysis.summary.contains("503 problem+json: 65"), "{}", analysis.summary);
    }

    #[test]
    fn lingering_failures_hangs_and_500s_fail() {
        let mut records: Vec<Record> = (0..50).map(|s| ok(s * 100)).collect();
        records.push(Record { at: 6_000, took: 9_000, status: None, problem: false, ok: false });
        records.push(status(7_000, 500, true));
        records.extend((121..300).map(|s| status(s * 100, 500, true)));
        let analysis = analyse(&records, OUTAGE, BOUNDS, 30_000);
        let all = analysis.failures.join("\n");
        assert!(all.contains("took 9000 ms"), "{all}");
        assert!(all.contains("other than 503"), "{all}");
        assert!(all.contains("still fail at the end"), "{all}");
        assert!(analysis.summary.contains("no request succeeded"), "{}", analysis.summary);
    }

    #[test]
    fn slow_recovery_is_measured() {
        let mut records: Vec<Record> = (0..50).map(|s| ok(s * 100)).collect();
        records.extend((121..250).map(|s| status(s * 100, 503, true)));
        records.extend((250..300).map(|s| ok(s * 100)));
        let analysis = analyse(&records, OUTAGE, BOUNDS, 30_000);
        assert!(analysis.failures.iter().any(|f| f.contains("continued 12.9 s")), "{:?}", analysis.failures);
        assert!(analysis.summary.contains("first success at 25.0"), "{}", analysis.summary);
    }
}
