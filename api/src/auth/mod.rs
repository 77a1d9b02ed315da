//! Authentication: JWT access tokens, password hashing, and the `Viewer`
//! extractor that turns a request into "who is asking, what may they read".

pub mod jwt;
pub mod password;
mod viewer;

pub use viewer::Session;
