//! Full-text search over what the viewer may read.
//!
//! The index: each post stores its text as the index sees it
//! (`search_body`, and on a thread's opening post the title,
//! `search_title`; both from `search::text`), written in the same
//! transaction as the post or title. SQLite indexes them in the FTS5
//! table `posts_fts` (kept in step by triggers), PostgreSQL in the
//! generated `posts.search_vector` (GIN).
//!
//! The query: the FTS match yields candidates, joined in the same
//! statement with threads and categories and filtered by
//! `policy::post_readable`, the predicate of every other read. Hidden posts
//! are left out for everyone. Nothing is counted or shown before that
//! filter; snippets are built from the returned (readable) posts only.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::expression::{is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Text};
use quorum_types::{SearchHit, SearchOrder};

use super::{users, PageRequest};
use crate::db::id_list::id_in;
use crate::db::policy::{post_readable, Viewer};
use crate::db::schema::{categories, posts, posts_fts, threads};
use crate::db::{AnyConnection, Backend, Db};
use crate::error::ApiError;
use crate::search::query::{Field, Parsed};
use crate::search::{rank, text};

/// Results deeper than this are not paged to: refine the query instead.
pub const MAX_OFFSET: i64 = 1000;

/// What the opening post (`number` 1) stores of its thread's title.
pub fn title_text(number: i32, title: &str) -> String {
    if number == 1 {
        text::index_text(title)
    } else {
        String::new()
    }
}

/// What a post stores of its rendered text.
pub fn body_text(body_html: &str) -> String {
    text::index_text(&text::plain_text(body_html))
}

/// A thread's new title, on its opening post.
pub fn retitle(conn: &mut AnyConnection, thread_id: i64, title: &str) -> QueryResult<usize> {
    diesel::update(posts::table.filter(posts::thread_id.eq(thread_id)).filter(posts::number.eq(1)))
        .set(posts::search_title.eq(text::index_text(title)))
        .execute(conn)
}

/// A validated search.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub parsed: Parsed,
    pub field: Field,
    pub before: Option<NaiveDateTime>,
    pub after: Option<NaiveDateTime>,
    pub order: SearchOrder,
    /// One key: an offset (relevance) or the last post id (newest).
    pub page: PageRequest,
}

/// A match in the ranked window: its post id and its index text.
type Windowed = (i64, String, String);

/// What a result shows of a post, loaded for one page of matches only.
type HitRow = (i64, i64, i64, NaiveDateTime, String, i32, String, String);

/// Relevance ranks the newest this many readable matches: a common word
/// then costs what a rare one does, and the window holds only what the
/// viewer may read, so posts they cannot read never push others out.
pub const RANKED_WINDOW: i64 = 1000;

/// The filters both backends share, on a boxed query over posts, threads
/// and categories, selecting `$columns`.
macro_rules! narrowed {
    ($query:expr, $columns:expr, $req:expr, $author:expr, $viewer:expr) => {{
        let mut q = $query
            .filter(posts::hidden_at.is_null())
            .filter(post_readable(&$viewer.scope))
            .select($columns)
            .into_boxed::<Backend>();
        if let Some(slug) = &$req.parsed.category {
            q = q.filter(categories::slug.eq(slug.clone()));
        }
        if let Some(author) = $author {
            q = q.filter(posts::author_id.eq(author));
        }
        if let Some(before) = $req.before {
            q = q.filter(posts::created_at.lt(before));
        }
        if let Some(after) = $req.after {
            q = q.filter(posts::created_at.ge(after));
        }
        q
    }};
}

/// A page of readable posts matching `req`, best or newest first.
///
/// Two steps: the match and the policy choose a page of post ids (for
/// relevance, the window of newest readable matches is ranked by
/// `search::rank` from its index text); then that page's posts are read,
/// through the same policy, to show them.
pub fn search(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    req: &SearchRequest,
) -> Result<(Vec<SearchHit>, Option<String>), ApiError> {
    let author = match &req.parsed.author {
        None => None,
        Some(name) => match users::id_of(conn, name)? {
            Some(id) => Some(id),
            // Nobody by that name wrote anything.
            None => return Ok((Vec::new(), None)),
        },
    };
    let key = req.page.after.as_ref().map(|a| a[0]);
    let fetch = req.page.limit + 1;
    let window_columns = (posts::id, posts::search_title, posts::search_body);
    let sqlite = matches!(conn, AnyConnection::Sqlite(_));
    let (ids, next): (Vec<i64>, Option<String>) = match req.order {
        SearchOrder::Relevance => {
            let window: Vec<Windowed> = if sqlite {
                let base = posts_fts::table
                    .inner_join(posts::table.inner_join(threads::table.inner_join(categories::table)))
                    .filter(FtsMatch(req.parsed.to_fts5(req.field)));
                let q = narrowed!(base, window_columns, req, author, viewer);
                q.order(posts_fts::rowid.desc()).limit(RANKED_WINDOW).load(conn)?
            } else {
                let query = TsQuery(req.parsed.to_tsquery_parts(req.field));
                let base = posts::table.inner_join(threads::table.inner_join(categories::table)).filter(TsMatch(query));
                let q = narrowed!(base, window_columns, req, author, viewer);
                q.order(posts::id.desc()).limit(RANKED_WINDOW).load(conn)?
            };
            let docs: Vec<rank::Doc<'_>> = window.iter().map(|(_, title, body)| rank::Doc { title, body }).collect();
            let scores = rank::scores(&req.parsed, &docs);
            // Best first; among equals, newest first (the window's order).
            let mut order: Vec<usize> = (0..window.len()).collect();
            order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
            let offset = key.unwrap_or(0).clamp(0, MAX_OFFSET);
            let page: Vec<i64> =
                order.iter().skip(offset as usize).take(fetch as usize).map(|&i| window[i].0).collect();
            let next = offset + req.page.limit;
            let more = page.len() as i64 > req.page.limit && next <= MAX_OFFSET;
            (page, more.then(|| super::encode_cursor(&[next])))
        }
        SearchOrder::Newest => {
            let page: Vec<i64> = if sqlite {
                let base = posts_fts::table
                    .inner_join(posts::table.inner_join(threads::table.inner_join(categories::table)))
                    .filter(FtsMatch(req.parsed.to_fts5(req.field)));
                let q = narrowed!(base, posts::id, req, author, viewer);
                let q = match key {
                    Some(last) => q.filter(posts_fts::rowid.lt(last)),
                    None => q,
                };
                q.order(posts_fts::rowid.desc()).limit(fetch).load(conn)?
            } else {
                let query = TsQuery(req.parsed.to_tsquery_parts(req.field));
                let base = posts::table.inner_join(threads::table.inner_join(categories::table)).filter(TsMatch(query));
                let q = narrowed!(base, posts::id, req, author, viewer);
                let q = match key {
                    Some(last) => q.filter(posts::id.lt(last)),
                    None => q,
                };
                q.order(posts::id.desc()).limit(fetch).load(conn)?
            };
            let more = page.len() as i64 > req.page.limit;
            let shown = &page[..page.len().min(req.page.limit as usize)];
            let next = if more { shown.last().map(|id| super::encode_cursor(&[*id])) } else { None };
            (shown.to_vec(), next)
        }
    };
    let mut ids = ids;
    ids.truncate(req.page.limit as usize);
    let mut shown: HashMap<i64, HitRow> = if ids.is_empty() {
        HashMap::new()
    } else {
        posts::table
            .inner_join(threads::table.inner_join(categories::table))
            .filter(id_in(posts::id, &ids))
            .filter(posts::hidden_at.is_null())
            .filter(post_readable(&viewer.scope))
            .select((
                posts::id,
                posts::thread_id,
                posts::author_id,
                posts::created_at,
                posts::body_html,
                posts::number,
                threads::title,
                categories::slug,
            ))
            .load::<HitRow>(conn)?
            .into_iter()
            .map(|row| (row.0, row))
            .collect()
    };
    // In the ranked order. A post deleted, hidden or narrowed between the
    // two steps is left out, as the policy says.
    let rows: Vec<HitRow> = ids.iter().filter_map(|id| shown.remove(id)).collect();
    let author_ids: Vec<i64> = rows.iter().map(|r| r.2).collect();
    let authors = users::summaries(conn, &author_ids)?;
    let hits = rows
        .into_iter()
        .map(|(post_id, thread_id, author_id, created_at, body_html, number, title, category)| {
            let plain = text::plain_text(&body_html);
            SearchHit {
                post_id,
                thread_id,
                thread_title_html: text::highlight(&title, |w| req.parsed.highlights(w)),
                thread_title: title,
                category,
                author: users::summary_of(&authors, author_id),
                created_at: created_at.and_utc(),
                opens_thread: number == 1,
                snippet: text::snippet(&plain, |w| req.parsed.highlights(w)),
            }
        })
        .collect();
    Ok((hits, next))
}

/// How far a rebuild has got.
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// Rebuilds the whole index from the posts' text: every post's search
/// columns are computed again (and, on SQLite, the FTS table refilled),
/// in batches of one transaction each. Returns how many posts it indexed.
pub fn reindex(db: &Db, mut progress: impl FnMut(Progress)) -> Result<u64, ApiError> {
    const BATCH: i64 = 2000;
    let total: i64 = db.read_blocking(|conn| Ok(posts::table.count().get_result(conn)?))?;
    let total = u64::try_from(total).unwrap_or(0);
    db.write_blocking(|conn| {
        if let AnyConnection::Sqlite(_) = conn {
            diesel::sql_query("INSERT INTO posts_fts (posts_fts) VALUES ('delete-all')").execute(conn)?;
        }
        Ok(())
    })?;
    let mut last = 0i64;
    let mut done = 0u64;
    loop {
        let batch: Vec<(i64, i32, String, String)> = db.read_blocking(|conn| {
            Ok(posts::table
                .inner_join(threads::table)
                .filter(posts::id.gt(last))
                .order(posts::id.asc())
                .limit(BATCH)
                .select((posts::id, posts::number, posts::body_html, threads::title))
                .load(conn)?)
        })?;
        let Some(&(end, ..)) = batch.last() else { break };
        let count = batch.len() as u64;
        let texts: Vec<(i64, String, String)> = batch
            .into_iter()
            .map(|(id, number, html, title)| (id, title_text(number, &title), body_text(&html)))
            .collect();
        db.write_blocking(|conn| {
            for (id, title, body) in &texts {
                diesel::update(posts::table.find(*id))
                    .set((posts::search_title.eq(title), posts::search_body.eq(body)))
                    .execute(conn)?;
            }
            Ok(())
        })?;
        last = end;
        done += count;
        progress(Progress { done, total: total.max(done) });
    }
    Ok(done)
}

/// `column` expressions of our own, rendered per backend.
macro_rules! expression {
    ($name:ident, $sql_type:ty) => {
        impl Expression for $name {
            type SqlType = $sql_type;
        }
        impl<QS> AppearsOnTable<QS> for $name {}
        impl<QS> SelectableExpression<QS> for $name {}
        impl<GB> ValidGrouping<GB> for $name {
            type IsAggregate = is_aggregate::Never;
        }
        impl QueryId for $name {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }
    };
}

/// SQLite: `posts_fts MATCH <expression>`, the expression built from
/// parsed terms (`Parsed::to_fts5`) and bound as a parameter.
#[derive(Debug, Clone)]
struct FtsMatch(String);
expression!(FtsMatch, Bool);

impl QueryFragment<Backend> for FtsMatch {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql("\"posts_fts\" MATCH ");
        out.push_bind_param::<Text, String>(&self.0)
    }
}

/// PostgreSQL: the query as `to_tsquery` parts ANDed together, each text
/// bound as a parameter (`Parsed::to_tsquery_parts`).
#[derive(Debug, Clone)]
struct TsQuery(Vec<(&'static str, String, bool)>);

impl TsQuery {
    fn walk<'b>(&'b self, out: &mut AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql("(");
        for (i, (config, text, negated)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_sql(" && ");
            }
            out.push_sql(if *negated { "(!!to_tsquery('" } else { "(to_tsquery('" });
            // Only ever "english" or "simple", never input.
            out.push_sql(config);
            out.push_sql("', ");
            out.push_bind_param::<Text, String>(text)?;
            out.push_sql("))");
        }
        out.push_sql(")");
        Ok(())
    }
}

#[derive(Debug, Clone)]
struct TsMatch(TsQuery);
expression!(TsMatch, Bool);

impl QueryFragment<Backend> for TsMatch {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql("\"posts\".\"search_vector\" @@ ");
        self.0.walk(&mut out)
    }
}
