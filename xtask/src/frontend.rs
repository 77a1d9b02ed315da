//! Assembling the SPA's dist directory: every asset gets a content hash in
//! its name (so `quorum serve` can cache it for a year), and `index.html`
//! names them (it is served with `no-cache`). No inline script: a tiny
//! `boot-<hash>.js` module starts the wasm-bindgen glue, so the page works
//! under a Content-Security-Policy without `'unsafe-inline'`.

use std::fs;
use std::path::Path;

use crate::Result;

/// The cargo profile the SPA is built with (see the workspace Cargo.toml).
pub const PROFILE: &str = "wasm-release";

/// What went into `dist/`, for the build's one-line report.
pub struct Built {
    pub files: Vec<(String, usize)>,
}

impl Built {
    pub fn summary(&self) -> String {
        self.files
            .iter()
            .map(|(name, size)| format!("{name} {} KB", size.div_ceil(1024)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// 64-bit FNV-1a: a stable content hash for cache-busting names (not security).
fn content_hash(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")[..12].to_string()
}

fn hashed_name(stem: &str, ext: &str, bytes: &[u8]) -> String {
    format!("{stem}-{}.{ext}", content_hash(bytes))
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result {
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Writes `dist/index.html` and `dist/assets/*` from the frontend sources
/// (`index.html`, `style.css`, `icon.svg`) and wasm-bindgen's output.
pub fn assemble(frontend: &Path, bound: &Path, package: &str, dist: &Path) -> Result<Built> {
    let assets = dist.join("assets");
    let _ = fs::remove_dir_all(dist);
    fs::create_dir_all(&assets).map_err(|e| format!("cannot create {}: {e}", assets.display()))?;
    let mut built = Built { files: Vec::new() };
    let mut put = |stem: &str, ext: &str, bytes: &[u8]| -> Result<String> {
        let name = hashed_name(stem, ext, bytes);
        write(&assets.join(&name), bytes)?;
        built.files.push((name.clone(), bytes.len()));
        Ok(format!("/assets/{name}"))
    };

    let wasm = put("quorum", "wasm", &read_bytes(&bound.join(format!("{package}_bg.wasm")))?)?;
    let glue = put("quorum", "js", &read_bytes(&bound.join(format!("{package}.js")))?)?;
    let boot_source =
        format!("import init from \"{glue}\";\ninit({{ module_or_path: new URL(\"{wasm}\", import.meta.url) }});\n");
    let boot = put("boot", "js", boot_source.as_bytes())?;
    let style = put("style", "css", &read_bytes(&frontend.join("style.css"))?)?;
    let icon = put("icon", "svg", &read_bytes(&frontend.join("icon.svg"))?)?;

    let template = String::from_utf8(read_bytes(&frontend.join("index.html"))?)
        .map_err(|_| "frontend/index.html is not UTF-8".to_string())?;
    let index =
        fill(&template, &[("wasm", &wasm), ("glue", &glue), ("boot", &boot), ("style", &style), ("icon", &icon)])?;
    write(&dist.join("index.html"), index.as_bytes())?;
    Ok(built)
}

/// Replaces each `{{key}}` in `template`; a placeholder left over is an error.
fn fill(template: &str, values: &[(&str, &str)]) -> Result<String> {
    let mut out = template.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{{{{key}}}}}"), value);
    }
    match out.find("{{") {
        Some(at) => Err(format!("frontend/index.html: unknown placeholder at byte {at}")),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_change_with_content_only() {
        assert_eq!(hashed_name("style", "css", b"a"), hashed_name("style", "css", b"a"));
        assert_ne!(hashed_name("style", "css", b"a"), hashed_name("style", "css", b"b"));
        assert!(
            hashed_name("boot", "js", b"x").starts_with("boot-") && hashed_name("boot", "js", b"x").ends_with(".js")
        );
    }

    #[test]
    fn every_placeholder_is_filled() {
        let filled =
            fill("<link href=\"{{style}}\"><script src=\"{{boot}}\">", &[("style", "/s.css"), ("boot", "/b.js")]);
        assert_eq!(filled.as_deref(), Ok("<link href=\"/s.css\"><script src=\"/b.js\">"));
        assert!(fill("{{nope}}", &[]).is_err());
    }
}
