//! Uploaded files: what is taken (the type read from the bytes, never the
//! client's word), where the bytes live (a [`FileStore`]; local disk by
//! default), and the sweep that removes uploads no post took up.
//!
//! Who may read an upload is decided in `db::queries::uploads` with the
//! post read predicate; this module never decides visibility.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::db::Db;
use crate::error::ApiError;

/// Where uploaded bytes are kept, by key. Local disk today; an
/// S3-compatible store implements the same three calls.
pub trait FileStore: Send + Sync + 'static {
    /// Stores `bytes` under `key`, all or nothing.
    fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()>;
    /// The bytes under `key`, or `None` when there are none.
    fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>>;
    /// Removes `key`; removing what is not there is no error.
    fn delete(&self, key: &str) -> io::Result<()>;
}

/// Files under a directory (created 0700 on first use; files 0600), one
/// per key, written to a temporary name and renamed into place.
#[derive(Debug, Clone)]
pub struct LocalStore {
    dir: PathBuf,
}

impl LocalStore {
    pub fn new(dir: impl Into<PathBuf>) -> LocalStore {
        LocalStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Keys are made here (`ab/abcdef…`, lowercase hex), so a key never
    /// names a path outside the directory; anything else is refused.
    fn path(&self, key: &str) -> io::Result<PathBuf> {
        let valid = key.len() > 3
            && key.as_bytes()[2] == b'/'
            && key.chars().enumerate().all(|(i, c)| i == 2 || (c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        if !valid {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not an upload key"));
        }
        Ok(self.dir.join(key))
    }
}

fn private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Writes `bytes` to `temporary` (0600), flushed to disk, then renames it to `path`.
fn write_then_rename(temporary: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(temporary, path)
}

impl FileStore for LocalStore {
    fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.path(key)?;
        let parent = path.parent().unwrap_or(&self.dir);
        private_dir(parent)?;
        let temporary = parent.join(format!(".{}.partial", &key[3..]));
        let written = write_then_rename(&temporary, &path, bytes);
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }

    fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        match std::fs::read(self.path(key)?) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        match std::fs::remove_file(self.path(key)?) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// The types taken, read from the first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Pdf,
    Text,
}

impl Kind {
    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
            Kind::Gif => "image/gif",
            Kind::Webp => "image/webp",
            Kind::Pdf => "application/pdf",
            Kind::Text => "text/plain; charset=utf-8",
        }
    }

    pub fn from_content_type(content_type: &str) -> Option<Kind> {
        [Kind::Png, Kind::Jpeg, Kind::Gif, Kind::Webp, Kind::Pdf, Kind::Text]
            .into_iter()
            .find(|k| k.content_type() == content_type)
    }

    /// Images are shown in the page; everything else is downloaded.
    pub fn is_image(self) -> bool {
        matches!(self, Kind::Png | Kind::Jpeg | Kind::Gif | Kind::Webp)
    }
}

/// What the bytes are, whatever the client said; `None` for anything not
/// taken. Text must be UTF-8 without control characters and must not look
/// like markup (HTML, SVG, XML), which a careless browser might render.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Kind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Kind::Jpeg);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(Kind::Gif);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(Kind::Webp);
    }
    if bytes.starts_with(b"%PDF-") {
        return Some(Kind::Pdf);
    }
    let text = std::str::from_utf8(bytes).ok()?;
    if text.trim().is_empty() || text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}')) {
        return None;
    }
    if looks_like_markup(text) {
        return None;
    }
    Some(Kind::Text)
}

/// What browsers that sniff would take for HTML, SVG or XML.
fn looks_like_markup(text: &str) -> bool {
    let head: String = text.trim_start_matches('\u{feff}').trim_start().chars().take(1024).collect();
    let lower = head.to_ascii_lowercase();
    lower.starts_with('<')
        || ["<!doctype", "<html", "<script", "<svg", "<?xml", "<body", "<iframe", "<head"]
            .iter()
            .any(|tag| lower.contains(tag))
}

/// Longest original file name kept, in characters.
pub const MAX_FILENAME_CHARS: usize = 120;

/// The client's file name, made harmless: its last path part, without
/// control characters or quotes, at most [`MAX_FILENAME_CHARS`]; `file`
/// when nothing is left.
pub fn clean_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '`'))
        .take(MAX_FILENAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned
    }
}

/// The file name as it goes in the URL: letters, digits, `.`, `-`, `_`
/// (anything else becomes `-`).
pub fn url_name(filename: &str) -> String {
    let slug: String = filename
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' })
        .collect();
    let slug = slug.trim_matches('-').to_owned();
    if slug.is_empty() || slug.chars().all(|c| c == '.') {
        "file".to_owned()
    } else {
        slug
    }
}

/// Where an upload is read: `/api/v1/uploads/{id}/{name}`.
pub fn url(id: &str, filename: &str) -> String {
    format!("{PATH_PREFIX}{id}/{}", url_name(filename))
}

pub const PATH_PREFIX: &str = "/api/v1/uploads/";

/// Length of an upload id (lowercase hex).
pub const ID_LEN: usize = 32;

/// A new random upload id.
pub fn new_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; ID_LEN / 2];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn is_id(id: &str) -> bool {
    id.len() == ID_LEN && id.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

/// The store key of an upload id.
pub fn storage_key(id: &str) -> String {
    format!("{}/{id}", &id[..2])
}

/// Ids of uploads a post's text points at (`/api/v1/uploads/{id}`), at most 100.
pub fn referenced_ids(body: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for (at, _) in body.match_indices(PATH_PREFIX) {
        let rest = &body[at + PATH_PREFIX.len()..];
        if let Some(id) = rest.get(..ID_LEN).filter(|id| is_id(id)) {
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_owned());
            }
        }
        if ids.len() >= 100 {
            break;
        }
    }
    ids
}

/// Removes uploads that no post took up and that are older than
/// `unused_after`: each row in its own transaction (with its event), then
/// its file. Returns how many went.
pub fn sweep(db: &Db, store: &dyn FileStore, unused_after: Duration) -> Result<usize, ApiError> {
    let cutoff = crate::db::queries::now()
        - chrono::Duration::from_std(unused_after).unwrap_or_else(|_| chrono::Duration::days(36_500));
    let mut removed = 0;
    loop {
        let batch = db.read_blocking(|conn| crate::db::queries::uploads::unused_before(conn, cutoff, 200))?;
        if batch.is_empty() {
            return Ok(removed);
        }
        let full = batch.len() == 200;
        for (id, key) in batch {
            let gone = db.write_blocking(|conn| crate::db::queries::uploads::remove_unused(conn, &id))?;
            if gone {
                removed += 1;
                if let Err(e) = store.delete(&key) {
                    tracing::warn!(error = %e, upload = %id, "cannot remove an unused upload's file");
                }
            }
        }
        if !full {
            return Ok(removed);
        }
    }
}

/// Sweeps every `settings.sweep_every` until `stop`, on a thread of its own.
pub fn start_sweeper(
    db: Db,
    store: Arc<dyn FileStore>,
    settings: crate::config::UploadSettings,
    stop: crate::events::Stop,
) {
    let spawned = std::thread::Builder::new().name("quorum-uploads".into()).spawn(move || {
        let step = Duration::from_millis(500);
        let mut waited = settings.sweep_every;
        while !stop.is_stopped() {
            if waited >= settings.sweep_every {
                waited = Duration::ZERO;
                match sweep(&db, store.as_ref(), settings.unused_after) {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "removed unused uploads"),
                    Err(e) => tracing::warn!(error = %e, "removing unused uploads failed; will retry"),
                }
            }
            std::thread::sleep(step);
            waited += step;
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the unused-upload sweeper");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n rest"), Some(Kind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Kind::Jpeg));
        assert_eq!(sniff(b"GIF89a..."), Some(Kind::Gif));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Kind::Webp));
        assert_eq!(sniff(b"%PDF-1.4\n"), Some(Kind::Pdf));
        assert_eq!(sniff("Minutes of the Board, 3 May\n".as_bytes()), Some(Kind::Text));
        for refused in [
            &b"<!DOCTYPE html><script>alert(1)</script>"[..],
            b"  <html><body>hi</body></html>",
            b"\xef\xbb\xbf<svg onload=alert(1)>",
            b"<?xml version=\"1.0\"?>",
            b"hello <script>alert(1)</script>",
            b"MZ\x90\0\x03\0",
            b"\xff\xfe\0\0",
            b"",
        ] {
            assert_eq!(sniff(refused), None, "{refused:?}");
        }
    }

    #[test]
    fn names_and_references() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\Users\\me\\Board \"report\".pdf"), "Board report.pdf");
        assert_eq!(clean_filename("..."), "file");
        assert_eq!(url_name("Board report (May).pdf"), "Board-report--May-.pdf");
        assert_eq!(url_name("..."), "file");
        let a = "0123456789abcdef0123456789abcdef";
        let body = format!("![x](/api/v1/uploads/{a}/x.png) and again /api/v1/uploads/{a}/y and /api/v1/uploads/short");
        assert_eq!(referenced_ids(&body), vec![a.to_owned()]);
    }

    #[test]
    fn the_local_store_keeps_to_its_directory() {
        let dir = std::env::temp_dir().join(format!("quorum-store-test-{}", std::process::id()));
        let store = LocalStore::new(&dir);
        let id = new_id();
        let key = storage_key(&id);
        store.put(&key, b"bytes").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.get(&key).ok().flatten().as_deref(), Some(&b"bytes"[..]));
        store.delete(&key).unwrap_or_else(|e| panic!("{e}"));
        store.delete(&key).unwrap_or_else(|e| panic!("{e}"));
        assert!(store.get(&key).ok().flatten().is_none());
        assert!(store.get("../../etc/passwd").is_err());
        assert!(store.put("ab/../x", b"x").is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
