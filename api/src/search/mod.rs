//! Full-text search: the query syntax and the text the index and the
//! snippets are made of. The index itself and the query that reads it
//! through the policy live in `db` (`db/queries/search.rs`).

pub mod query;
pub mod rank;
pub mod text;
