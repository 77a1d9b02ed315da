//! Structured logs through `tracing`: JSON or text, filtered by RUST_LOG.

use tracing_subscriber::EnvFilter;

/// Dependencies that log once per element or token of their input (the
/// HTML parser inside ammonia warns on every misplaced table child), so a
/// single hostile post could write tens of thousands of lines. Silenced
/// unless RUST_LOG names them.
const CHATTY: [&str; 2] = ["html5ever", "markup5ever"];

pub fn init() {
    let json = std::env::var("QUORUM_LOG_FORMAT").is_ok_and(|f| f == "json");
    let filter = EnvFilter::new(directives(std::env::var("RUST_LOG").ok().as_deref()));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

/// RUST_LOG (or `info`), then `<crate>=error` for each chatty dependency it
/// does not mention.
fn directives(rust_log: Option<&str>) -> String {
    let base = rust_log.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("info");
    let mut directives = base.to_owned();
    for name in CHATTY {
        if !base.contains(name) {
            directives.push_str(&format!(",{name}=error"));
        }
    }
    directives
}

#[cfg(test)]
mod tests {
    use super::directives;

    #[test]
    fn chatty_crates_are_quiet_unless_named() {
        assert_eq!(directives(None), "info,html5ever=error,markup5ever=error");
        assert_eq!(directives(Some("debug")), "debug,html5ever=error,markup5ever=error");
        assert_eq!(directives(Some("warn,html5ever=debug")), "warn,html5ever=debug,markup5ever=error");
    }
}
