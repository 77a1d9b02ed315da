//! Who may read and do what: the only place that decides it.
//!
//! A viewer's readable audiences are resolved once per request (audiences
//! are few); every query that returns user content filters with the
//! predicates below *inside its SQL*, never after the fact. Soft-deleted
//! threads and posts are unreadable for everyone, so that is decided here too.
//! What a viewer may *do* is decided by [`actions::allows`], which both the
//! checks and every `can_*` flag in responses call.

pub mod actions;

use diesel::expression::{AppearsOnTable, BoxableExpression, SelectableExpression};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::id_list::{id_in, Always};
use super::schema::{audience_groups, categories, category_thread_counts, posts, thread_post_counts, threads};
use super::{AnyConnection, Backend};
use crate::error::ApiError;
use quorum_types::ErrorCode;

/// The audiences a viewer may read, resolved once per request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReadScope {
    /// Admins read everything.
    All,
    /// Ids of the audiences naming at least one of the viewer's groups
    /// (`everyone` and, when signed in, `signed-in` included).
    Audiences(Vec<i64>),
}

impl ReadScope {
    /// Resolves the audiences readable by a holder of `principals` (group ids).
    pub fn resolve(conn: &mut AnyConnection, principals: &[i64], is_admin: bool) -> QueryResult<ReadScope> {
        if is_admin {
            return Ok(ReadScope::All);
        }
        let mut ids: Vec<i64> = audience_groups::table
            .filter(id_in(audience_groups::group_id, principals))
            .select(audience_groups::audience_id)
            .distinct()
            .load(conn)?;
        ids.sort_unstable();
        Ok(ReadScope::Audiences(ids))
    }

    /// Whether a viewer with this scope belongs to `audience_id`.
    pub fn includes(&self, audience_id: i64) -> bool {
        match self {
            ReadScope::All => true,
            ReadScope::Audiences(ids) => ids.binary_search(&audience_id).is_ok(),
        }
    }
}

/// The signed-in account behind a request.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub is_admin: bool,
    pub is_moderator: bool,
}

/// What a credential may be used for. A browser session may do all its
/// account may; a personal access token only what its scopes name, and
/// never more than its account may at the moment of use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Read,
    Write,
    Moderate,
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Read, Scope::Write, Scope::Moderate, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Moderate => "moderate",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s)
    }
}

/// How the viewer proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// Nobody signed in.
    Anonymous,
    /// A signed-in session (access token from a login).
    Session,
    /// A personal access token with these scopes.
    AccessToken { id: i64, scopes: Vec<Scope> },
    /// An operator command on the server itself (seeding, imports): may do
    /// anything, as nobody in particular.
    System,
}

/// Who is asking: an account or nobody, and what they may read.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub account: Option<Account>,
    /// Group ids the viewer holds, `everyone` and `signed-in` included.
    pub principals: Vec<i64>,
    pub scope: ReadScope,
    pub credential: Credential,
    /// The client's address, for the event log.
    pub address: Option<String>,
}

impl Viewer {
    /// The all-seeing viewer of operator commands (seeding, imports).
    pub fn system() -> Viewer {
        Viewer {
            account: None,
            principals: Vec::new(),
            scope: ReadScope::All,
            credential: Credential::System,
            address: None,
        }
    }

    /// Whether an audience naming `group_ids` admits this viewer.
    pub fn is_in(&self, group_ids: &[i64]) -> bool {
        self.scope == ReadScope::All || group_ids.iter().any(|g| self.principals.contains(g))
    }

    /// Adds an audience created during this request, when it admits the viewer.
    pub fn admit(&mut self, audience_id: i64, group_ids: &[i64]) {
        if let ReadScope::Audiences(ids) = &mut self.scope {
            if group_ids.iter().any(|g| self.principals.contains(g)) {
                if let Err(at) = ids.binary_search(&audience_id) {
                    ids.insert(at, audience_id);
                }
            }
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        self.account.as_ref().map(|a| a.id)
    }

    /// 401 for anonymous viewers.
    pub fn require_account(&self) -> Result<&Account, ApiError> {
        self.account.as_ref().ok_or_else(ApiError::unauthorized)
    }

    /// Whether the credential carries `scope` (sessions carry every scope).
    pub fn has_scope(&self, scope: Scope) -> bool {
        match &self.credential {
            Credential::Anonymous => scope == Scope::Read,
            Credential::Session | Credential::System => true,
            Credential::AccessToken { scopes, .. } => scopes.contains(&scope),
        }
    }

    /// 403 `insufficient_scope` unless the credential carries `scope`.
    pub fn require_scope(&self, scope: Scope) -> Result<(), ApiError> {
        if self.has_scope(scope) {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::InsufficientScope,
                format!("this access token lacks the {} scope", scope.as_str()),
            ))
        }
    }

    pub fn is_admin(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.is_admin)
    }

    /// Moderators act on what they can read; admins on everything.
    pub fn is_moderator(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.is_admin || a.is_moderator)
    }
}

/// A boolean SQL predicate over the query source `QS`. Built from
/// `id_in`/`Always`, so the statements stay cacheable.
pub type Predicate<QS> = Box<dyn BoxableExpression<QS, Backend, SqlType = Bool>>;

/// Rows of `categories` the viewer may read.
pub fn category_readable<QS>(scope: &ReadScope) -> Predicate<QS>
where
    categories::audience_id: SelectableExpression<QS> + AppearsOnTable<QS>,
{
    match scope {
        ReadScope::All => Box::new(Always),
        ReadScope::Audiences(ids) => Box::new(id_in(categories::audience_id, ids)),
    }
}

/// Rows of `threads` (joined with `categories`) the viewer may read.
pub fn thread_readable<QS: 'static>(scope: &ReadScope) -> Predicate<QS>
where
    categories::audience_id: SelectableExpression<QS> + AppearsOnTable<QS>,
    threads::audience_id: SelectableExpression<QS> + AppearsOnTable<QS>,
    threads::deleted_at: SelectableExpression<QS> + AppearsOnTable<QS>,
{
    let alive: Predicate<QS> = Box::new(threads::deleted_at.is_null());
    Box::new(alive.and(thread_readable_if_alive::<QS>(scope)))
}

/// Rows of `category_thread_counts` (live threads counted per category and
/// thread audience, 0 for none) that count towards what the viewer reads:
/// the thread half of `thread_readable` over counters instead of threads.
/// The category's own audience is checked on the category row.
pub fn thread_count_readable<QS: 'static>(scope: &ReadScope) -> Predicate<QS>
where
    category_thread_counts::audience_key: SelectableExpression<QS> + AppearsOnTable<QS>,
{
    match scope {
        ReadScope::All => Box::new(Always),
        ReadScope::Audiences(ids) => {
            Box::new(category_thread_counts::audience_key.eq(0).or(id_in(category_thread_counts::audience_key, ids)))
        }
    }
}

/// Rows of `thread_post_counts` (live, shown posts with an audience of
/// their own, counted per thread and post audience) that count towards
/// what the viewer reads: the post half of `post_readable` over counters
/// instead of posts. The thread's and category's audiences are checked on
/// the thread row.
pub fn narrowed_count_readable<QS: 'static>(scope: &ReadScope) -> Predicate<QS>
where
    thread_post_counts::audience_id: SelectableExpression<QS> + AppearsOnTable<QS>,
{
    match scope {
        ReadScope::All => Box::new(Always),
        ReadScope::Audiences(ids) => Box::new(id_in(thread_post_counts::audience_id, ids)),
    }
}

/// Rows of `posts` (joined with `threads` and `categories`) the viewer may read.
pub fn post_readable<QS: 'static>(scope: &ReadScope) -> Predicate<QS>
where
    categories::audience_id: SelectableExpression<QS> + AppearsOnTable<QS>,
    threads::audience_id: SelectableExpression<QS> + AppearsOnTable<QS>,
    threads::deleted_at: SelectableExpression<QS> + AppearsOnTable<QS>,
    posts::audience_id: SelectableExpression<QS> + AppearsOnTable<QS>,
    posts::deleted_at: SelectableExpression<QS> + AppearsOnTable<QS>,
{
    let alive: Predicate<QS> = Box::new(posts::deleted_at.is_null());
    let audience: Predicate<QS> = match scope {
        ReadScope::All => Box::new(Always),
        ReadScope::Audiences(ids) => Box::new(posts::audience_id.is_null().or(id_in(posts::audience_id, ids))),
    };
    Box::new(alive.and(audience).and(thread_readable::<QS>(scope)))
}

/// Live posts (of a thread the viewer reads) whose own audience does not
/// admit the viewer: what an action of theirs must leave alone. `None` for
/// a viewer who reads everything.
pub fn narrowed_unreadable<QS: 'static>(scope: &ReadScope) -> Option<Predicate<QS>>
where
    posts::audience_id: SelectableExpression<QS> + AppearsOnTable<QS>,
    posts::deleted_at: SelectableExpression<QS> + AppearsOnTable<QS>,
{
    match scope {
        ReadScope::All => None,
        ReadScope::Audiences(ids) => Some(Box::new(
            posts::deleted_at
                .is_null()
                .and(posts::audience_id.is_not_null())
                .and(diesel::dsl::not(id_in(posts::audience_id, ids))),
        )),
    }
}

/// Posts the viewer could read were they not deleted (for restoring them):
/// the audience rules of `post_readable`, with the post's own deletion ignored.
pub fn post_readable_if_alive<QS: 'static>(scope: &ReadScope) -> Predicate<QS>
where
    categories::audience_id: SelectableExpression<QS> + AppearsOnTable<QS>,
    threads::audience_id: SelectableExpression<QS> + AppearsOnTable<QS>,
    threads::deleted_at: SelectableExpression<QS> + AppearsOnTable<QS>,
    posts::audience_id: SelectableExpression<QS> + AppearsOnTable<QS>,
{
    let audience: Predicate<QS> = match scope {
        ReadScope::All => Box::new(Always),
        ReadScope::Audiences(ids) => Box::new(posts::audience_id.is_null().or(id_in(posts::audience_id, ids))),
    };
    Box::new(audience.and(thread_readable::<QS>(scope)))
}

/// Threads the viewer could read were they not deleted (for restoring them).
pub fn thread_readable_if_alive<QS: 'static>(scope: &ReadScope) -> Predicate<QS>
where
    categories::audience_id: SelectableExpression<QS> + AppearsOnTable<QS>,
    threads::audience_id: SelectableExpression<QS> + AppearsOnTable<QS>,
{
    let audience: Predicate<QS> = match scope {
        ReadScope::All => Box::new(Always),
        ReadScope::Audiences(ids) => Box::new(threads::audience_id.is_null().or(id_in(threads::audience_id, ids))),
    };
    Box::new(audience.and(category_readable::<QS>(scope)))
}
