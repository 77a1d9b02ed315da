//! `quorum check`: the database's own integrity checks and Quorum's stored
//! invariants (counters kept beside the rows they count), verified with
//! read-only SQL, for operators and for the crash tests.

use std::fmt;
use std::time::{Duration, Instant};

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};

use crate::db::{AnyConnection, BackendKind, Db};

/// One check and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub name: &'static str,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// Not run, and why (an optional tool is missing).
    Skipped(String),
    /// What is wrong, or why the check could not run.
    Failed(String),
}

/// Every finding of one run.
#[derive(Debug, Clone)]
pub struct Report {
    pub backend: BackendKind,
    pub findings: Vec<Finding>,
    pub took: Duration,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.failed().next().is_none()
    }

    pub fn failed(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| matches!(f.verdict, Verdict::Failed(_)))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match self.backend {
            BackendKind::Sqlite => "SQLite",
            BackendKind::Postgres => "PostgreSQL",
        };
        writeln!(f, "quorum check ({backend})")?;
        for finding in &self.findings {
            match &finding.verdict {
                Verdict::Ok => writeln!(f, "  OK    {}", finding.name)?,
                Verdict::Skipped(why) => writeln!(f, "  SKIP  {}: {why}", finding.name)?,
                Verdict::Failed(what) => writeln!(f, "  FAIL  {}: {what}", finding.name)?,
            }
        }
        let failed = self.failed().count();
        let ms = self.took.as_secs_f64() * 1000.0;
        if failed == 0 {
            write!(f, "quorum check: all {} checks passed ({ms:.0} ms)", self.findings.len())
        } else {
            write!(f, "quorum check: {failed} of {} checks FAILED ({ms:.0} ms)", self.findings.len())
        }
    }
}

/// A stored invariant: rows of `from` (aliased so `key` names their id)
/// are the ones that break it.
struct Invariant {
    name: &'static str,
    noun: &'static str,
    key: &'static str,
    from: &'static str,
}

const INVARIANTS: [Invariant; 8] = [
    Invariant {
        name: "threads.open_posts counts the live, shown posts without an audience",
        noun: "thread",
        key: "t.id",
        // Hidden posts are not counted (`db/queries/posts.rs`, `counted`).
        from: "FROM threads t WHERE t.open_posts <> (SELECT COUNT(*) FROM posts p \
               WHERE p.thread_id = t.id AND p.deleted_at IS NULL AND p.hidden_at IS NULL \
               AND p.audience_id IS NULL)",
    },
    Invariant {
        name: "threads.post_counter is at least the highest post number",
        noun: "thread",
        key: "t.id",
        from: "FROM threads t WHERE t.post_counter < (SELECT COALESCE(MAX(p.number), 0) FROM posts p \
               WHERE p.thread_id = t.id)",
    },
    Invariant {
        name: "posts.like_count counts the post's likes",
        noun: "post",
        key: "p.id",
        from: "FROM posts p LEFT JOIN (SELECT post_id, COUNT(*) AS likes FROM likes GROUP BY post_id) l \
               ON l.post_id = p.id WHERE p.like_count <> COALESCE(l.likes, 0)",
    },
    Invariant {
        name: "category_thread_counts counts each category's live threads per audience",
        noun: "category",
        key: "c.category_id",
        from: "FROM category_thread_counts c WHERE c.threads <> (SELECT COUNT(*) FROM threads t \
               WHERE t.category_id = c.category_id AND COALESCE(t.audience_id, 0) = c.audience_key \
               AND t.deleted_at IS NULL) \
               OR COALESCE(c.last_bumped_at, '1970-01-01') <> COALESCE((SELECT MAX(t.bumped_at) FROM threads t \
               WHERE t.category_id = c.category_id AND COALESCE(t.audience_id, 0) = c.audience_key \
               AND t.deleted_at IS NULL), '1970-01-01')",
    },
    Invariant {
        name: "every live thread is in category_thread_counts",
        noun: "thread",
        key: "t.id",
        from: "FROM threads t WHERE t.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM category_thread_counts c \
               WHERE c.category_id = t.category_id AND c.audience_key = COALESCE(t.audience_id, 0))",
    },
    Invariant {
        name: "thread_post_counts counts each thread's live, shown narrowed posts per audience",
        noun: "thread",
        key: "c.thread_id",
        from: "FROM thread_post_counts c WHERE c.posts <> (SELECT COUNT(*) FROM posts p \
               WHERE p.thread_id = c.thread_id AND p.audience_id = c.audience_id \
               AND p.deleted_at IS NULL AND p.hidden_at IS NULL) \
               OR COALESCE(c.last_created_at, '1970-01-01') <> COALESCE((SELECT MAX(p.created_at) FROM posts p \
               WHERE p.thread_id = c.thread_id AND p.audience_id = c.audience_id \
               AND p.deleted_at IS NULL AND p.hidden_at IS NULL), '1970-01-01')",
    },
    Invariant {
        name: "every live, shown narrowed post is in thread_post_counts",
        noun: "post",
        key: "p.id",
        from: "FROM posts p WHERE p.audience_id IS NOT NULL AND p.deleted_at IS NULL AND p.hidden_at IS NULL \
               AND NOT EXISTS (SELECT 1 FROM thread_post_counts c \
               WHERE c.thread_id = p.thread_id AND c.audience_id = p.audience_id)",
    },
    Invariant {
        name: "every thread has its first post",
        noun: "thread",
        key: "t.id",
        from: "FROM threads t WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.thread_id = t.id AND p.number = 1)",
    },
];

/// Runs every check on one connection. Only a connection that cannot be
/// had is an error; a check that cannot run is a failed finding.
pub fn run(db: &Db) -> Result<Report, String> {
    let started = Instant::now();
    let backend = db.kind();
    let findings = db.read_blocking(move |conn| Ok(run_on(conn, backend))).map_err(|e| e.to_string())?;
    Ok(Report { backend, findings, took: started.elapsed() })
}

fn run_on(conn: &mut AnyConnection, backend: BackendKind) -> Vec<Finding> {
    let mut findings = match backend {
        BackendKind::Sqlite => vec![
            finding("SQLite integrity_check", sqlite_integrity(conn)),
            finding("SQLite foreign_key_check", sqlite_foreign_keys(conn)),
        ],
        BackendKind::Postgres => vec![
            finding("PostgreSQL indexes are valid", postgres_invalid_indexes(conn)),
            finding("PostgreSQL B-tree indexes pass amcheck", postgres_amcheck(conn)),
        ],
    };
    findings.extend(INVARIANTS.iter().map(|invariant| finding(invariant.name, holds(conn, invariant))));
    findings
}

fn finding(name: &'static str, outcome: Result<Verdict, diesel::result::Error>) -> Finding {
    let verdict = outcome.unwrap_or_else(|e| Verdict::Failed(format!("could not run: {e}")));
    Finding { name, verdict }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

fn count(conn: &mut AnyConnection, sql: &str) -> Result<i64, diesel::result::Error> {
    Ok(diesel::sql_query(sql).get_result::<Count>(conn)?.n)
}

fn holds(conn: &mut AnyConnection, invariant: &Invariant) -> Result<Verdict, diesel::result::Error> {
    let broken = count(conn, &format!("SELECT COUNT(*) AS n {}", invariant.from))?;
    if broken == 0 {
        return Ok(Verdict::Ok);
    }
    let first = count(conn, &format!("SELECT MIN({}) AS n {}", invariant.key, invariant.from))?;
    let (noun, plural) = (invariant.noun, if broken == 1 { "" } else { "s" });
    Ok(Verdict::Failed(format!("wrong for {broken} {noun}{plural} (first: {noun} {first})")))
}

fn sqlite_integrity(conn: &mut AnyConnection) -> Result<Verdict, diesel::result::Error> {
    let lines: Vec<Line> =
        diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check LIMIT 5").load(conn)?;
    Ok(match lines.as_slice() {
        [only] if only.line == "ok" => Verdict::Ok,
        _ => Verdict::Failed(lines.into_iter().map(|l| l.line).collect::<Vec<_>>().join("; ")),
    })
}

fn sqlite_foreign_keys(conn: &mut AnyConnection) -> Result<Verdict, diesel::result::Error> {
    let lines: Vec<Line> = diesel::sql_query(
        "SELECT \"table\" || ' row ' || COALESCE(rowid, '?') || ' refers to a missing ' || parent AS line \
         FROM pragma_foreign_key_check LIMIT 5",
    )
    .load(conn)?;
    if lines.is_empty() {
        return Ok(Verdict::Ok);
    }
    let total = count(conn, "SELECT COUNT(*) AS n FROM pragma_foreign_key_check")?;
    let examples: Vec<String> = lines.into_iter().map(|l| l.line).collect();
    Ok(Verdict::Failed(format!("{total} dangling reference(s), e.g. {}", examples.join("; "))))
}

/// An index left invalid (an interrupted concurrent build) is skipped by
/// the planner and no longer enforces uniqueness.
fn postgres_invalid_indexes(conn: &mut AnyConnection) -> Result<Verdict, diesel::result::Error> {
    let invalid: Vec<Line> = diesel::sql_query(
        "SELECT c.relname::text AS line FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
         JOIN pg_namespace ns ON ns.oid = c.relnamespace \
         WHERE ns.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready) ORDER BY 1",
    )
    .load(conn)?;
    Ok(if invalid.is_empty() {
        Verdict::Ok
    } else {
        Verdict::Failed(format!("invalid: {}", invalid.into_iter().map(|l| l.line).collect::<Vec<_>>().join(", ")))
    })
}

/// PostgreSQL has no built-in whole-database check; the `amcheck`
/// extension verifies B-tree indexes against their tables when the
/// database has it (installing it is the operator's choice).
fn postgres_amcheck(conn: &mut AnyConnection) -> Result<Verdict, diesel::result::Error> {
    if count(conn, "SELECT COUNT(*) AS n FROM pg_extension WHERE extname = 'amcheck'")? == 0 {
        return Ok(Verdict::Skipped("the amcheck extension is not installed in this database".into()));
    }
    let checked = count(
        conn,
        "SELECT COUNT(*) AS n FROM (SELECT bt_index_check(c.oid, true) FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam \
         JOIN pg_namespace ns ON ns.oid = c.relnamespace \
         WHERE am.amname = 'btree' AND ns.nspname = current_schema() AND i.indisvalid AND i.indisready) checked",
    );
    Ok(match checked {
        Ok(_) => Verdict::Ok,
        // amcheck reports corruption as an error naming the index.
        Err(e) => Verdict::Failed(e.to_string()),
    })
}
