//! The built web app (`QUORUM_STATIC_DIR`): `index.html` and the files of
//! `assets/`, read into memory at start. Assets are served at
//! `/assets/{name}` with a year-long immutable cache (their names carry a
//! content hash); every other GET or HEAD outside `/api/` gets `index.html`,
//! so the app's own routes (`/t/12`, `/c/general`) load on a fresh visit.

use std::collections::HashMap;
use std::path::Path;

use actix_web::http::{header, Method};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use sha2::{Digest, Sha256};

/// What the HTML may load: its own scripts, styles, fonts and WebAssembly
/// (compiled, hence `'wasm-unsafe-eval'`), images from anywhere secure, and
/// nothing inline.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data: https:; connect-src 'self'; font-src 'self'; manifest-src 'self'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const ASSET_CACHE: &str = "public, max-age=31536000, immutable";
const ASSETS_PREFIX: &str = "/assets/";

/// One file, ready to send.
struct File {
    bytes: Bytes,
    content_type: &'static str,
    /// Strong validator, quoted: a digest of the bytes.
    etag: String,
}

impl File {
    fn new(bytes: Vec<u8>, content_type: &'static str) -> File {
        let digest = Sha256::digest(&bytes);
        let etag = format!("\"{}\"", digest[..16].iter().map(|b| format!("{b:02x}")).collect::<String>());
        File { bytes: Bytes::from(bytes), content_type, etag }
    }

    /// 200 with the bytes, or 304 when the client's copy is current.
    fn respond(&self, req: &HttpRequest, mut builder: HttpResponseBuilder) -> HttpResponse {
        builder
            .insert_header((header::ETAG, self.etag.as_str()))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
        if self.matches(req) {
            return builder.status(actix_web::http::StatusCode::NOT_MODIFIED).finish();
        }
        builder.content_type(self.content_type).body(self.bytes.clone())
    }

    /// `If-None-Match` names this version (weak comparison, RFC 9110 §13.1.2).
    fn matches(&self, req: &HttpRequest) -> bool {
        req.headers().get_all(header::IF_NONE_MATCH).filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
            |tag| {
                let tag = tag.trim();
                tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == self.etag
            },
        )
    }
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
        let mut assets = HashMap::new();
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
                assets.insert(name.clone(), File::new(bytes, content_type(&name)));
            }
        }
        Ok(Spa { index: File::new(index, "text/html; charset=utf-8"), assets })
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
    use super::content_type;

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("app-0123.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("app-0123_bg.wasm"), "application/wasm");
        assert_eq!(content_type("STYLE.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("site.webmanifest"), "application/manifest+json");
        assert_eq!(content_type("README"), "application/octet-stream");
        assert_eq!(content_type("archive.tar.gz"), "application/octet-stream");
    }
}
