//! `quorum export [FILE]` and `quorum import FILE`: the whole forum as
//! versioned JSON lines, to move it between hosts and between backends
//! (SQLite → PostgreSQL in two commands). A header line, then one record
//! per row in dependency order (`db::portable::records`), then an `end`
//! line with the count of each type, so a truncated file is refused.
//! The SQL, and what each table contributes, is `db::portable`'s.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::db::portable::records::{End, Header, Record, FORMAT_NAME, FORMAT_VERSION};
use crate::db::portable::{self, latest_known_migration, Sink, Source};
use crate::db::{BackendKind, Db};

/// What one export or import did.
#[derive(Debug, Clone)]
pub struct Summary {
    pub verb: &'static str,
    /// The file, or `standard output` / `standard input`.
    pub place: String,
    /// Records per type.
    pub counts: BTreeMap<String, u64>,
    pub bytes: u64,
    pub took: Duration,
}

impl Summary {
    pub fn count(&self, kind: &str) -> u64 {
        self.counts.get(kind).copied().unwrap_or(0)
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total: u64 = self.counts.values().sum();
        let (users, threads, posts) = (self.count("user"), self.count("thread"), self.count("post"));
        let others = total - users - threads - posts;
        let (preposition, verb) = if self.verb == "exported" { ("to", "exported") } else { ("from", "imported") };
        write!(
            f,
            "{verb} {users} users, {threads} threads, {posts} posts and {others} other records {preposition} {} \
             ({:.1} MB) in {:.2} s",
            self.place,
            self.bytes as f64 / 1_000_000.0,
            self.took.as_secs_f64()
        )
    }
}

fn backend_name(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::Sqlite => "sqlite",
        BackendKind::Postgres => "postgres",
    }
}

/// A progress bar on standard error when it is a terminal; nothing otherwise.
fn progress_bar(template: &str) -> ProgressBar {
    ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr()).with_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()).progress_chars("=> "),
    )
}

/// Counts bytes on their way out.
struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

struct LineSink<W: Write> {
    out: Counted<W>,
    backend: BackendKind,
    with_secrets: bool,
    counts: BTreeMap<String, u64>,
    progress: ProgressBar,
    written: u64,
}

impl<W: Write> LineSink<W> {
    fn new(out: Counted<W>, backend: BackendKind, with_secrets: bool, progress: ProgressBar) -> LineSink<W> {
        LineSink { out, backend, with_secrets, counts: BTreeMap::new(), progress, written: 0 }
    }

    fn line(&mut self, value: &impl serde::Serialize) -> Result<(), String> {
        serde_json::to_writer(&mut self.out, value).map_err(|e| format!("writing the export: {e}"))?;
        self.out.write_all(b"\n").map_err(|e| format!("writing the export: {e}"))
    }
}

impl<W: Write> Sink for LineSink<W> {
    fn begin(&mut self, schema: &str, rows: u64) -> Result<(), String> {
        let known = latest_known_migration(self.backend)?;
        if schema > known.as_str() {
            return Err(format!(
                "the database's schema ({schema}) is newer than this quorum knows ({known}); \
                 export with the release that migrated it"
            ));
        }
        if schema < known.as_str() {
            return Err(format!(
                "the database's schema ({schema}) is older than this quorum's ({known}): run `quorum migrate` first"
            ));
        }
        self.progress.set_length(rows);
        let header = Header {
            format: FORMAT_NAME.to_owned(),
            version: FORMAT_VERSION,
            schema: schema.to_owned(),
            exported_at: crate::db::queries::now(),
            backend: backend_name(self.backend).to_owned(),
            with_secrets: self.with_secrets,
        };
        self.line(&header)
    }

    fn record(&mut self, record: &Record) -> Result<(), String> {
        self.line(record)?;
        let kind = record.kind();
        match self.counts.get_mut(kind) {
            Some(n) => *n += 1,
            None => {
                self.counts.insert(kind.to_owned(), 1);
                self.progress.set_message(format!("exporting {kind} records"));
            }
        }
        self.written += 1;
        if self.written & 0x3ff == 0 {
            self.progress.set_position(self.written);
        }
        Ok(())
    }
}

/// `file` plus a suffix, beside it.
fn sibling(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A new file readable by its owner only: an export holds e-mail
/// addresses, and with `--with-secrets` password hashes.
fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn open_database(url: &str) -> Result<Db, String> {
    if BackendKind::of_url(url) == BackendKind::Sqlite {
        let path = crate::db::pool::sqlite_path(url);
        if !Path::new(path).exists() {
            return Err(format!("there is no database at {path}"));
        }
    }
    Db::connect(url, 1).map_err(|e| e.to_string())
}

/// Writes the forum at `url` to `file` (a new file, never overwritten), or
/// to standard output when `file` is `None`. Safe while the server runs:
/// everything is read in one transaction.
pub fn export(url: &str, file: Option<&Path>, with_secrets: bool) -> Result<Summary, String> {
    let started = Instant::now();
    let db = open_database(url)?;
    let progress = progress_bar("{msg} [{bar:30}] {pos}/{len} {elapsed}");
    progress.set_message("exporting");
    let backend = db.kind();
    let (counts, bytes, place) = match file {
        None => {
            let stdout = std::io::stdout().lock();
            let out = Counted { inner: BufWriter::with_capacity(1 << 20, stdout), bytes: 0 };
            let mut sink = LineSink::new(out, backend, with_secrets, progress.clone());
            finish_export(&db, with_secrets, &mut sink)?;
            (sink.counts, sink.out.bytes, "standard output".to_owned())
        }
        Some(path) => {
            if path.exists() {
                return Err(format!("{} exists; an export never overwrites a file: name a new one", path.display()));
            }
            let partial = sibling(path, ".partial");
            let _ = std::fs::remove_file(&partial);
            let created = create_private(&partial).map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
            let out = Counted { inner: BufWriter::with_capacity(1 << 20, created), bytes: 0 };
            let mut sink = LineSink::new(out, backend, with_secrets, progress.clone());
            let outcome = finish_export(&db, with_secrets, &mut sink).and_then(|()| {
                let file = sink.out.inner.get_ref();
                file.sync_all().map_err(|e| format!("writing {}: {e}", partial.display()))
            });
            if let Err(e) = outcome {
                drop(sink);
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
            std::fs::rename(&partial, path)
                .map_err(|e| format!("cannot move the export into {}: {e}", path.display()))?;
            (sink.counts, sink.out.bytes, path.display().to_string())
        }
    };
    progress.finish_and_clear();
    Ok(Summary { verb: "exported", place, counts, bytes, took: started.elapsed() })
}

fn finish_export<W: Write>(db: &Db, with_secrets: bool, sink: &mut LineSink<W>) -> Result<(), String> {
    portable::export(db, with_secrets, sink)?;
    let end = Record::End(End { counts: sink.counts.clone() });
    sink.line(&end)?;
    sink.out.flush().map_err(|e| format!("writing the export: {e}"))
}

/// The records of an export, line by line, checked against its `end` line.
struct LineSource<R: BufRead> {
    lines: R,
    /// The number of the line last read (1 is the header).
    line: u64,
    buffer: String,
    counts: BTreeMap<String, u64>,
    ended: bool,
    progress: ProgressBar,
    bytes: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: BufRead> LineSource<R> {
    /// Reads the next line into `buffer`, without its line break; false at
    /// the end of the file.
    fn read_line(&mut self) -> Result<bool, String> {
        self.buffer.clear();
        let n = self.lines.read_line(&mut self.buffer).map_err(|e| format!("reading line {}: {e}", self.line + 1))?;
        if n == 0 {
            return Ok(false);
        }
        self.line += 1;
        if self.line & 0x3ff == 0 {
            self.progress.set_position(self.bytes.get());
        }
        let kept = self.buffer.trim_end_matches(['\n', '\r']).len();
        self.buffer.truncate(kept);
        Ok(true)
    }
}

/// Why a line is not a record, in words an operator can act on.
fn explain(line: &str, error: &serde_json::Error) -> String {
    if let Ok(serde_json::Value::Object(fields)) = serde_json::from_str::<serde_json::Value>(line) {
        match fields.get("type") {
            None => return "it has no \"type\"".to_owned(),
            Some(serde_json::Value::String(kind)) if error.to_string().starts_with("unknown variant") => {
                return format!("unknown record type \"{kind}\"");
            }
            _ => {}
        }
    }
    error.to_string()
}

impl<R: BufRead> Source for LineSource<R> {
    fn next(&mut self) -> Result<Option<Record>, String> {
        if !self.read_line()? {
            return if self.ended {
                Ok(None)
            } else {
                Err(format!("the file ends after line {} without its \"end\" record: it is truncated", self.line))
            };
        };
        let line = self.line;
        if self.ended {
            return Err(format!("line {line}: nothing may follow the \"end\" record"));
        }
        let text = self.buffer.as_str();
        let record: Record = serde_json::from_str(text).map_err(|e| format!("line {line}: {}", explain(text, &e)))?;
        if let Record::End(end) = &record {
            if end.counts != self.counts {
                return Err(format!(
                    "line {line}: the \"end\" record counts {:?}, the file holds {:?}",
                    end.counts, self.counts
                ));
            }
            self.ended = true;
            return self.next();
        }
        let kind = record.kind();
        match self.counts.get_mut(kind) {
            Some(n) => *n += 1,
            None => {
                self.counts.insert(kind.to_owned(), 1);
                self.progress.set_message(format!("importing {kind} records"));
            }
        }
        Ok(Some(record))
    }
}

/// Reads an export (`-`: standard input) into the database at `url`,
/// which must be empty, in one transaction.
pub fn import(url: &str, file: &Path) -> Result<Summary, String> {
    let started = Instant::now();
    let stdin = file.as_os_str() == "-";
    let (reader, size, place): (Box<dyn Read>, Option<u64>, String) = if stdin {
        (Box::new(std::io::stdin().lock()), None, "standard input".to_owned())
    } else {
        let opened = File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let size = opened.metadata().ok().map(|m| m.len());
        (Box::new(opened), size, file.display().to_string())
    };
    let bytes = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let counted = SharedCount { inner: reader, bytes: bytes.clone() };
    let progress = progress_bar("{msg} [{bar:30}] {bytes}/{total_bytes} {elapsed}");
    progress.set_length(size.unwrap_or(0));
    progress.set_message("importing");
    let mut source = LineSource {
        lines: BufReader::with_capacity(1 << 20, counted),
        line: 0,
        buffer: String::new(),
        counts: BTreeMap::new(),
        ended: false,
        progress: progress.clone(),
        bytes: bytes.clone(),
    };

    if !source.read_line()? {
        return Err(format!("{place} is empty: it is not a Quorum export"));
    }
    let header = std::mem::take(&mut source.buffer);
    let header: Header =
        serde_json::from_str(&header).ok().filter(|h: &Header| h.format == FORMAT_NAME).ok_or_else(|| {
            // Say which version it is when the line at least names one.
            match serde_json::from_str::<serde_json::Value>(&header) {
                Ok(v) if v.get("format").and_then(|f| f.as_str()) == Some(FORMAT_NAME) => {
                    match v.get("version").and_then(serde_json::Value::as_u64) {
                        Some(version) if version != u64::from(FORMAT_VERSION) => unknown_version(version),
                        _ => format!("line 1: the header of {place} is not one this quorum reads"),
                    }
                }
                _ => format!("line 1: {place} is not a Quorum export (no \"format\": \"{FORMAT_NAME}\" header)"),
            }
        })?;
    if header.version != FORMAT_VERSION {
        return Err(unknown_version(u64::from(header.version)));
    }
    let backend = BackendKind::of_url(url);
    let known = latest_known_migration(backend)?;
    if header.schema > known {
        return Err(format!(
            "the export comes from a newer Quorum (schema {}; this quorum knows up to {known}): \
             import it with that release or a newer one",
            header.schema
        ));
    }

    let tables = crate::backup::table_count(url)?;
    if tables > 0 {
        return Err(format!(
            "the database at {} is not empty ({tables} tables); import goes into an empty database only: \
             create a new one (PostgreSQL: createdb; SQLite: a new file path) and point DATABASE_URL at it",
            crate::config::redact_password(url)
        ));
    }
    let db = Db::connect(url, 1).map_err(|e| e.to_string())?;
    let imported = portable::import(&db, &mut source);
    progress.finish_and_clear();
    let counts = imported.map_err(|e| {
        if e.starts_with("line ") || e.starts_with("the file ends") {
            format!("{e}; nothing was imported")
        } else {
            format!("after line {}: {e}; nothing was imported", source.line)
        }
    })?;
    Ok(Summary {
        verb: "imported",
        place,
        counts: counts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        bytes: bytes.get(),
        took: started.elapsed(),
    })
}

fn unknown_version(version: u64) -> String {
    format!(
        "line 1: export format version {version} is not one this quorum reads (it reads version {FORMAT_VERSION}); \
         import it with the release that wrote it or a newer one"
    )
}

/// A reader that keeps a shared count of the bytes read.
struct SharedCount<R> {
    inner: R,
    bytes: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for SharedCount<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.set(self.bytes.get() + n as u64);
        Ok(n)
    }
}
