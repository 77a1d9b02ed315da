//! Embeds the built web app: when `QUORUM_EMBED_APP` names a directory
//! holding `index.html` (and `assets/`), every file becomes an
//! `include_bytes!` in `FILES`; otherwise `FILES` is empty and the binary
//! serves the API alone. `cargo xtask` sets the variable for the server
//! builds it makes, after building the app.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    println!("cargo::rerun-if-env-changed=QUORUM_EMBED_APP");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("files.rs");
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    if let Some(dir) = env::var_os("QUORUM_EMBED_APP").filter(|d| !d.is_empty()).map(PathBuf::from) {
        // A directory is scanned whole: any file changed, added or removed
        // under it builds this crate again.
        println!("cargo::rerun-if-changed={}", dir.display());
        let index = dir.join("index.html");
        if index.is_file() {
            files.push(("index.html".into(), index));
            collect_assets(&dir.join("assets"), &mut files);
        }
    }
    let mut code = String::from(
        "/// `index.html` and `assets/<name>`, with their bytes.\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (name, path) in &files {
        let path = path.canonicalize().expect("an embedded file has a path");
        writeln!(code, "    ({name:?}, include_bytes!({:?})),", path.display().to_string())
            .expect("writing to a String");
    }
    code.push_str("];\n");
    fs::write(&out, code).expect("OUT_DIR is writable");
}

fn collect_assets(dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut found: Vec<(String, PathBuf)> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .filter_map(|path| Some((format!("assets/{}", path.file_name()?.to_str()?), path.clone())))
        .collect();
    found.sort();
    files.extend(found);
}
