//! Writing a post: mentions resolved against who could read it (before any
//! lock), the Markdown rendered on the bounded pool, and what the author
//! should be warned of.

use crate::auth::Session;
use crate::db::queries::mentions::{self, Place, Resolved};
use crate::error::ApiError;
use crate::markdown;
use crate::startup::AppState;

/// A post ready to store.
#[derive(Debug, Clone, Default)]
pub struct Composed {
    pub html: String,
    /// (user id, group id) of each mention that became a link.
    pub mentions: Vec<(Option<i64>, Option<i64>)>,
    pub quotes: Vec<i64>,
    pub warnings: Vec<String>,
}

pub async fn compose(state: &AppState, session: &Session, body: String, place: Place) -> Result<Composed, ApiError> {
    let names = markdown::mentions::candidates(&body);
    let resolved = if names.is_empty() || session.require_signed_in().is_err() {
        Resolved::default()
    } else {
        let builtins = state.builtins;
        session.read(move |conn, viewer| mentions::resolve(conn, viewer, &builtins, &names, &place)).await?
    };
    let targets = resolved.mentions.clone();
    let rendered = state.rendering.run(move || markdown::render_post(&body, &targets)).await?;
    Ok(Composed {
        mentions: resolved.linked(&rendered.mentions),
        html: rendered.html,
        quotes: rendered.quotes,
        warnings: resolved.warnings,
    })
}
