//! Full-text search.

use actix_web::{get, web};
use quorum_types::{Page, Problem, SearchHit, SearchIn, SearchQuery};

use crate::auth::Session;
use crate::db::queries::search::{self as queries, SearchRequest};
use crate::db::queries::PageRequest;
use crate::error::ApiError;
use crate::search::query::{self, Field};

/// Posts the viewer may read whose text (or thread title) matches `q`.
///
/// Results are flat: one hit per matching post, best first (`order=relevance`,
/// the default) or newest first; a thread whose title matches is found
/// through its opening post. Hidden posts are never found. Syntax of `q`:
/// words (all must occur; stemmed, accents and case ignored; very common
/// words such as "the" are left out), `"a phrase"`, `prefix*` (matches the
/// start of a stemmed word: `coop*`), `-word` / `-"phrase"` (excluded),
/// `@username`, `#category`; any other character only separates words, so
/// no query is read as a search-engine expression. Hyphenated words are
/// searched joined: `co-operative` finds "cooperative", "co-operative" and
/// "coöperative". `relevance` ranks the 1000 newest matching posts the
/// viewer may read (so a common word costs what a rare one does), and its
/// paging stops there; `newest` pages through every match. Relevance is
/// BM25 (title words weigh four times body words) with its statistics
/// taken from those readable matches only, the same on both databases:
/// posts the viewer cannot read never move a result.
#[utoipa::path(
    tag = "search",
    params(SearchQuery),
    responses(
        (status = 200, description = "A page of hits", body = Page<SearchHit>),
        (status = 400, description = "Nothing to search for, a query that is too long, or an invalid parameter or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/search")]
pub async fn search_posts(
    session: Session,
    query: web::Query<SearchQuery>,
) -> Result<web::Json<Page<SearchHit>>, ApiError> {
    let query = query.into_inner();
    let mut parsed = query::parse(&query.q).map_err(ApiError::bad_request)?;
    if let Some(category) = query.category.filter(|c| !c.trim().is_empty()) {
        parsed.category = Some(category.trim().to_owned());
    }
    if let Some(author) = query.author.filter(|a| !a.trim().is_empty()) {
        parsed.author = Some(author.trim().trim_start_matches('@').to_owned());
    }
    let request = SearchRequest {
        parsed,
        field: match query.field {
            None => Field::All,
            Some(SearchIn::Titles) => Field::Titles,
            Some(SearchIn::Posts) => Field::Posts,
        },
        before: query.before.map(|t| t.naive_utc()),
        after: query.after.map(|t| t.naive_utc()),
        order: query.order.unwrap_or_default(),
        page: PageRequest::parse(query.cursor.as_deref(), query.limit, 1)?,
    };
    let (items, next_cursor) = session.read(move |conn, viewer| queries::search(conn, viewer, &request)).await?;
    Ok(web::Json(Page { items, next_cursor }))
}
