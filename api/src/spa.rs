//! The built web app: `index.html` and the files of `assets/`, built into
//! the binary (`quorum-app`) or read from `QUORUM_STATIC_DIR`, which wins,
//! into memory at start. Assets are served at
//! `/assets/{name}` with a year-long immutable cache (their names carry a
//! content hash); every other GET or HEAD outside `/api/` gets `index.html`,
//! so the app's own routes (`/t/12`, `/c/general`) load on a fresh visit.
//!
//! Text-like files (scripts, WebAssembly, styles, SVG, HTML, JSON) are also
//! gzipped once at start, at the best level, and that copy goes to clients
//! whose `Accept-Encoding` takes gzip. Every response here carries a
//! `Content-Encoding` when the client named any coding, so the on-the-fly
//! `Compress` middleware (weaker, and repeated on every request) leaves it
//! alone.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use actix_web::http::header::{AcceptEncoding, Encoding, Header};
use actix_web::http::{header, Method};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use flate2::write::GzEncoder;
use flate2::Compression;
use sha2::{Digest, Sha256};

/// What the HTML may load: its own scripts, styles, fonts and WebAssembly
/// (compiled, hence `'wasm-unsafe-eval'`), images from this site only (an
/// image elsewhere would tell its host who reads a post), and nothing inline.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const ASSET_CACHE: &str = "public, max-age=31536000, immutable";
const ASSETS_PREFIX: &str = "/assets/";

/// One encoding of a file's bytes.
struct Variant {
    bytes: Bytes,
    /// Strong validator, quoted; each variant has its own, so caches never
    /// take one for the other.
    etag: String,
}

/// One file, ready to send.
struct File {
    content_type: &'static str,
    identity: Variant,
    /// The gzipped bytes, when the type compresses and gzip made them smaller.
    gzip: Option<Variant>,
}

impl File {
    fn new(bytes: Vec<u8>, content_type: &'static str) -> File {
        let digest = Sha256::digest(&bytes);
        let tag = digest[..16].iter().map(|b| format!("{b:02x}")).collect::<String>();
        let gzip = if compresses(content_type) { gzip_best(&bytes) } else { None };
        File {
            content_type,
            identity: Variant { bytes: Bytes::from(bytes), etag: format!("\"{tag}\"") },
            gzip: gzip.map(|bytes| Variant { bytes: Bytes::from(bytes), etag: format!("\"{tag}-gz\"") }),
        }
    }

    /// 200 with the bytes in the encoding the client takes, or 304 when its
    /// copy of that variant is current.
    fn respond(&self, req: &HttpRequest, mut builder: HttpResponseBuilder) -> HttpResponse {
        let gzip = self.gzip.as_ref().filter(|_| accepts_gzip(req));
        let variant = gzip.unwrap_or(&self.identity);
        builder
            .insert_header((header::ETAG, variant.etag.as_str()))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
        if self.gzip.is_some() {
            builder.insert_header((header::VARY, "Accept-Encoding"));
        }
        if not_modified(req, &variant.etag) {
            return builder.status(actix_web::http::StatusCode::NOT_MODIFIED).finish();
        }
        if gzip.is_some() {
            builder.insert_header((header::CONTENT_ENCODING, "gzip"));
        } else if req.headers().contains_key(header::ACCEPT_ENCODING) {
            // `Compress` encodes any response without a Content-Encoding for
            // a client that takes some coding; these bytes are sent as they are.
            builder.insert_header((header::CONTENT_ENCODING, "identity"));
        }
        builder.content_type(self.content_type).body(variant.bytes.clone())
    }
}

/// `If-None-Match` names this version (weak comparison, RFC 9110 §13.1.2).
fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    req.headers().get_all(header::IF_NONE_MATCH).filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|tag| {
        let tag = tag.trim();
        tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag
    })
}

/// Whether the request's `Accept-Encoding` prefers gzip to the bytes as
/// they are (actix's RFC 9110 negotiation, weights included). No header: no.
fn accepts_gzip(req: &HttpRequest) -> bool {
    AcceptEncoding::parse(req)
        .ok()
        .and_then(|accept| accept.negotiate([Encoding::gzip(), Encoding::identity()].iter()))
        .is_some_and(|chosen| chosen == Encoding::gzip())
}

/// Whether gzip is worth trying on this type (not on images other than SVG,
/// fonts or archives: those are compressed already).
fn compresses(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || matches!(
            content_type,
            "application/wasm" | "application/json" | "application/manifest+json" | "image/svg+xml"
        )
}

/// The bytes gzipped at the best level, when that makes them smaller.
fn gzip_best(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 2), Compression::best());
    encoder.write_all(bytes).ok()?;
    let gzipped = encoder.finish().ok()?;
    (gzipped.len() < bytes.len()).then_some(gzipped)
}

/// The web app, in memory.
pub struct Spa {
    index: File,
    assets: HashMap<String, File>,
}

impl Spa {
    /// Reads `<dir>/index.html` (required) and every regular file directly
    /// under `<dir>/assets/` (optional).
    pub fn load(dir: &Path) -> Result<Spa, String> {
        let index_path = dir.join("index.html");
        let index = std::fs::read(&index_path).map_err(|e| {
            format!("QUORUM_STATIC_DIR: cannot read {} ({e}); build the web app or unset it", index_path.display())
        })?;
        let mut assets = Vec::new();
        let assets_dir = dir.join("assets");
        if assets_dir.is_dir() {
            let entries = std::fs::read_dir(&assets_dir)
                .map_err(|e| format!("QUORUM_STATIC_DIR: cannot list {}: {e}", assets_dir.display()))?;
            for entry in entries {
                let path = entry.map_err(|e| format!("QUORUM_STATIC_DIR: {}: {e}", assets_dir.display()))?.path();
                if !path.is_file() {
                    continue;
                }
                let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                    tracing::warn!(path = %path.display(), "skipped an asset whose name is not UTF-8");
                    continue;
                };
                let bytes = std::fs::read(&path)
                    .map_err(|e| format!("QUORUM_STATIC_DIR: cannot read {}: {e}", path.display()))?;
                assets.push((name, bytes));
            }
        }
        Ok(Spa::from_files(index, assets))
    }

    /// The web app built into this binary (`quorum-app`), if it was built
    /// with one.
    pub fn embedded() -> Option<Spa> {
        let files = quorum_app::FILES;
        let index = files.iter().find(|(name, _)| *name == "index.html")?.1.to_vec();
        let assets = files
            .iter()
            .filter_map(|(name, bytes)| Some((name.strip_prefix("assets/")?.to_string(), bytes.to_vec())))
            .collect();
        Some(Spa::from_files(index, assets))
    }

    /// The app from its `index.html` and its assets (name, bytes),
    /// precompressed once.
    pub fn from_files(index: Vec<u8>, assets: Vec<(String, Vec<u8>)>) -> Spa {
        let started = Instant::now();
        let assets: HashMap<String, File> =
            assets.into_iter().map(|(name, bytes)| (name.clone(), File::new(bytes, content_type(&name)))).collect();
        let spa = Spa { index: File::new(index, "text/html; charset=utf-8"), assets };
        let files = std::iter::once(("index.html", &spa.index)).chain(spa.assets.iter().map(|(n, f)| (n.as_str(), f)));
        let (mut bytes, mut sent) = (0, 0);
        for (name, file) in files {
            let size = file.identity.bytes.len();
            bytes += size;
            sent += file.gzip.as_ref().map_or(size, |gzip| gzip.bytes.len());
            if let Some(gzip) = &file.gzip {
                tracing::info!(file = name, bytes = size, gzip = gzip.bytes.len(), "precompressed");
            }
        }
        tracing::info!(bytes, gzip = sent, elapsed = ?started.elapsed(), "web app read and precompressed");
        spa
    }

    pub fn asset_count(&self) -> usize {
        self.assets.len()
    }

    /// The response for a request no route took, or `None` when it is not
    /// the web app's to answer (API paths, other methods).
    pub fn serve(&self, req: &HttpRequest) -> Option<HttpResponse> {
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return None;
        }
        let path = req.path();
        if path == "/api" || path.starts_with("/api/") || path == "/healthz" || path == "/readyz" {
            return None;
        }
        if let Some(name) = path.strip_prefix(ASSETS_PREFIX) {
            let file = self.assets.get(name)?;
            let mut builder = HttpResponse::Ok();
            builder.insert_header((header::CACHE_CONTROL, ASSET_CACHE));
            return Some(file.respond(req, builder));
        }
        let mut builder = HttpResponse::Ok();
        builder
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
            .insert_header((header::REFERRER_POLICY, "same-origin"));
        Some(self.index.respond(req, builder))
    }
}

/// By extension; anything unknown is plain bytes.
fn content_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use actix_web::http::header;
    use actix_web::test::TestRequest;

    use super::{accepts_gzip, compresses, content_type, gzip_best};

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("app-0123.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("app-0123_bg.wasm"), "application/wasm");
        assert_eq!(content_type("STYLE.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("site.webmanifest"), "application/manifest+json");
        assert_eq!(content_type("README"), "application/octet-stream");
        assert_eq!(content_type("archive.tar.gz"), "application/octet-stream");
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        let takes = |values: &[&str]| {
            let req = values
                .iter()
                .fold(TestRequest::default(), |req, v| req.append_header((header::ACCEPT_ENCODING, *v)))
                .to_http_request();
            accepts_gzip(&req)
        };
        for yes in [
            &["gzip"][..],
            &["gzip, deflate, br, zstd"],
            &["br;q=1.0, gzip;q=0.8, *;q=0.1"],
            &["deflate", "gzip;q=0.5"],
            &["identity;q=0.5, gzip"],
        ] {
            assert!(takes(yes), "{yes:?}");
        }
        for no in [
            &[][..],
            &["identity"],
            &["deflate, br"],
            &["gzip;q=0"],
            &["gzip;q=0.000, deflate"],
            &["gzip;q=0, *"],
            &["gzip;q=0.5, identity"],
        ] {
            assert!(!takes(no), "{no:?}");
        }
    }

    #[test]
    fn text_like_types_are_gzipped_when_that_pays() {
        for name in ["a.js", "a.mjs", "a.wasm", "a.css", "a.svg", "a.json", "a.txt", "a.webmanifest", "a.map"] {
            assert!(compresses(content_type(name)), "{name}");
        }
        assert!(compresses("text/html; charset=utf-8"));
        for name in ["a.png", "a.ico", "a.jpg", "a.webp", "a.woff2", "a.bin"] {
            assert!(!compresses(content_type(name)), "{name}");
        }
        let text = "export const x = 1;\n".repeat(100).into_bytes();
        let gzipped = gzip_best(&text).expect("repetitive text shrinks");
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(gzipped.as_slice()).read_to_end(&mut back).expect("gzip");
        assert_eq!(back, text);
        assert_eq!(gzip_best(b"x = 1;\n"), None, "gzip would be larger");
    }
}
