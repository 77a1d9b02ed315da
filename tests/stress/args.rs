//! `--name value` options, read by name; whatever is left over is an error.

use std::collections::BTreeMap;
use std::str::FromStr;

pub struct Args {
    values: BTreeMap<String, String>,
}

impl Args {
    pub fn parse(raw: impl IntoIterator<Item = String>) -> Result<Args, String> {
        let mut values = BTreeMap::new();
        let mut raw = raw.into_iter();
        while let Some(arg) = raw.next() {
            let name = arg.strip_prefix("--").ok_or_else(|| format!("expected an --option, not {arg:?}"))?;
            let (name, value) = match name.split_once('=') {
                Some((name, value)) => (name.to_owned(), value.to_owned()),
                None => (name.to_owned(), raw.next().ok_or_else(|| format!("--{name} needs a value"))?),
            };
            values.insert(name, value);
        }
        Ok(Args { values })
    }

    pub fn required(&mut self, name: &str) -> Result<String, String> {
        self.values.remove(name).ok_or_else(|| format!("--{name} is required"))
    }

    pub fn number<T: FromStr>(&mut self, name: &str, default: T) -> Result<T, String> {
        match self.values.remove(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| format!("--{name} takes a number, not {v:?}")),
        }
    }

    /// Fails on options nobody asked for (a typo must not pass silently).
    pub fn finish(self) -> Result<(), String> {
        match self.values.keys().next() {
            None => Ok(()),
            Some(name) => Err(format!("unknown option --{name}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, String> {
        Args::parse(list.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn options_are_read_once_and_leftovers_refused() -> Result<(), String> {
        let mut a = args(&["--url", "http://x", "--seconds=5"])?;
        assert_eq!(a.required("url")?, "http://x");
        assert_eq!(a.number("seconds", 60u64)?, 5);
        assert_eq!(a.number("connections", 64usize)?, 64);
        a.finish()?;
        assert!(args(&["--url"]).is_err());
        assert!(args(&["url"]).is_err());
        let mut typo = args(&["--secnds", "5"])?;
        assert_eq!(typo.number("seconds", 60u64)?, 60);
        assert!(typo.finish().is_err());
        Ok(())
    }
}
