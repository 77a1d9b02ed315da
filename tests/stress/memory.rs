//! The server's memory, from /proc/<pid>/status: the high-water mark
//! (VmHWM) sampled through the run, and the resident set (VmRSS).

use std::time::{Duration, Instant};

#[derive(Debug, Default, Clone, Copy)]
pub struct Memory {
    /// KiB: the largest VmHWM seen.
    pub peak: u64,
    /// KiB: VmRSS at the last sample.
    pub rss: u64,
    pub samples: u32,
}

/// `(VmHWM, VmRSS)` in KiB, or None when the process is gone.
pub fn read(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// Samples every `every` until `until`.
pub async fn sample(pid: u32, until: Instant, every: Duration) -> Memory {
    let mut memory = Memory::default();
    loop {
        if let Some((hwm, rss)) = read(pid) {
            memory.peak = memory.peak.max(hwm);
            memory.rss = rss;
            memory.samples += 1;
        }
        if Instant::now() >= until {
            return memory;
        }
        tokio::time::sleep(every).await;
    }
}

pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::read;

    #[test]
    fn reads_this_process() {
        let (hwm, rss) = read(std::process::id()).unwrap_or_default();
        assert!(hwm >= rss && rss > 0, "VmHWM {hwm} kB, VmRSS {rss} kB");
    }
}
