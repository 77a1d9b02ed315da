//! Figures of a load run: per operation and overall count, requests per
//! second, p50/p99/max latency and errors; the errors and leaks, grouped,
//! with an example of each.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::workload::{Op, Step};

#[derive(Default)]
struct Row {
    /// Microseconds, one per request.
    latencies: Vec<u32>,
    errors: u64,
}

#[derive(Default)]
pub struct Stats {
    rows: BTreeMap<Op, Row>,
    /// "op: status" → how many, and the first message.
    faults: BTreeMap<String, (u64, String)>,
    pub errors: u64,
    pub leaks: u64,
    leak_examples: Vec<String>,
}

impl Stats {
    pub fn record(&mut self, step: &Step) {
        let row = self.rows.entry(step.op).or_default();
        row.latencies.push(u32::try_from(step.took.as_micros()).unwrap_or(u32::MAX));
        if let Some(fault) = &step.fault {
            row.errors += 1;
            self.errors += 1;
            let status = step.status.map_or("no answer".to_string(), |s| s.to_string());
            let entry = self.faults.entry(format!("{}: {status}", step.op.name())).or_insert((0, fault.clone()));
            entry.0 += 1;
        }
        if !step.leaks.is_empty() {
            self.leaks += 1;
            if self.leak_examples.len() < 10 {
                self.leak_examples.extend(step.leaks.iter().cloned());
            }
        }
    }

    pub fn requests(&self) -> usize {
        self.rows.values().map(|r| r.latencies.len()).sum()
    }

    /// The table, then the errors and leaks by kind.
    pub fn report(&mut self, elapsed: Duration) -> String {
        let mut out = format!(
            "{:<14} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7}\n",
            "operation", "count", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
        );
        let mut all = Row::default();
        for (op, row) in &mut self.rows {
            out.push_str(&line(op.name(), row, elapsed));
            all.latencies.extend_from_slice(&row.latencies);
            all.errors += row.errors;
        }
        out.push_str(&line("all", &mut all, elapsed));
        out.push_str(&format!("errors: {}; leaks: {} (every answer searched for canaries)\n", self.errors, self.leaks));
        for (kind, (count, example)) in &self.faults {
            out.push_str(&format!("  {count:>7} x {kind}, e.g. {example}\n"));
        }
        for leak in &self.leak_examples {
            out.push_str(&format!("  LEAK {leak}\n"));
        }
        out
    }
}

fn line(name: &str, row: &mut Row, elapsed: Duration) -> String {
    row.latencies.sort_unstable();
    let ms = |p: f64| percentile(&row.latencies, p) as f64 / 1000.0;
    let per_second = row.latencies.len() as f64 / elapsed.as_secs_f64().max(0.001);
    format!(
        "{name:<14} {:>9} {per_second:>9.0} {:>9.2} {:>9.2} {:>9.2} {:>7}\n",
        row.latencies.len(),
        ms(0.50),
        ms(0.99),
        ms(1.0),
        row.errors
    )
}

/// Nearest-rank percentile of sorted values; 0 for none.
pub fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&values, 0.50), 50);
        assert_eq!(percentile(&values, 0.99), 99);
        assert_eq!(percentile(&values, 1.0), 100);
        assert_eq!(percentile(&[7], 0.99), 7);
        assert_eq!(percentile(&[], 0.5), 0);
    }
}
