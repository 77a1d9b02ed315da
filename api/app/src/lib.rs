//! The web app built into the `quorum` binary, when it was built with
//! `QUORUM_EMBED_APP` (see `build.rs`); empty otherwise.

include!(concat!(env!("OUT_DIR"), "/files.rs"));
