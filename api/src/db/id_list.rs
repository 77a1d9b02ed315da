//! `column IN (ids)` with one bound parameter: the ids travel as a JSON
//! array, so the SQL text is the same for any list and diesel can keep the
//! prepared statement (it never caches `IN (?, ?, …)`, whose shape varies).
//! Prepared statements are what keep a policy-filtered join cheap.

use diesel::expression::{is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Text};
use diesel::QueryResult;

use super::MultiBackend;

/// `column IN (ids)`; typed `Bool` because it is only ever combined with
/// `column IS NULL OR …` when the column is nullable.
#[derive(Debug, Clone)]
pub struct IdIn<C> {
    column: C,
    ids: String,
}

/// Builds `column IN (ids)` for a BIGINT column.
pub fn id_in<C>(column: C, ids: &[i64]) -> IdIn<C> {
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    IdIn { column, ids: format!("[{list}]") }
}

impl<C: Expression> Expression for IdIn<C> {
    type SqlType = Bool;
}

impl<C: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for IdIn<C> where IdIn<C>: Expression {}

impl<C: SelectableExpression<QS>, QS> SelectableExpression<QS> for IdIn<C> where IdIn<C>: AppearsOnTable<QS> {}

impl<C, GB> ValidGrouping<GB> for IdIn<C> {
    type IsAggregate = is_aggregate::Never;
}

impl<C> QueryId for IdIn<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for IdIn<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        let postgres = matches!(out.backend(), MultiBackend::Postgresql(_));
        out.push_sql("(");
        self.column.walk_ast(out.reborrow())?;
        if postgres {
            out.push_sql(" IN (SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(");
            out.push_bind_param::<Text, String>(&self.ids)?;
            out.push_sql(" AS json))))");
        } else {
            out.push_sql(" IN (SELECT value FROM json_each(");
            out.push_bind_param::<Text, String>(&self.ids)?;
            out.push_sql(")))");
        }
        Ok(())
    }
}

/// `TRUE` as an expression that keeps statements cacheable (diesel's `sql()`
/// literals opt out of the cache).
#[derive(Debug, Clone, Copy)]
pub struct Always;

impl Expression for Always {
    type SqlType = Bool;
}

impl<QS> AppearsOnTable<QS> for Always {}

impl<QS> SelectableExpression<QS> for Always {}

impl<GB> ValidGrouping<GB> for Always {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for Always {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<MultiBackend> for Always {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("1 = 1");
        Ok(())
    }
}
