//! Mentions and quotes of a post being written: which names may become
//! links (only people who could read the post; groups only for their
//! members and moderators), what the author is warned about, and whether a
//! quoted post may be shown to this post's readers.

use diesel::prelude::*;

use super::audiences::{self, Builtins};
use super::{categories, posts, threads, users};
use crate::db::policy::{Credential, Viewer};
use crate::db::schema::{group_members, groups, post_mentions, post_quotes, users as users_t};
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::markdown::{Mention, Mentions};

/// Where the post being written goes.
#[derive(Debug, Clone)]
pub enum Place {
    /// A reply in this thread, with its own audience when given.
    Reply { thread_id: i64, audience: Option<Vec<String>> },
    /// The first post of a new thread in this category, with the thread's audience.
    NewThread { category: String, audience: Option<Vec<String>> },
    /// An edit of this post.
    Edit { post_id: i64 },
}

/// The audiences (by level) a post's readers must all be in.
#[derive(Debug, Clone, Default)]
pub struct Levels {
    /// The category's audience.
    pub category: i64,
    /// Group ids of the thread's own audience, when it has one.
    pub thread: Option<Vec<i64>>,
    /// Group ids of the post's own audience, when it has one.
    pub post: Option<Vec<i64>>,
}

/// What resolving a post's mentions found.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub mentions: Mentions,
    /// Whom each linked name is: (name, user id, group id).
    pub targets: Vec<(String, Option<i64>, Option<i64>)>,
    /// For the author (the preview shows them).
    pub warnings: Vec<String>,
}

impl Resolved {
    /// The targets the rendered post actually links.
    pub fn linked(&self, names: &[String]) -> Vec<(Option<i64>, Option<i64>)> {
        self.targets.iter().filter(|(n, ..)| names.contains(n)).map(|(_, u, g)| (*u, *g)).collect()
    }
}

fn audience_names_to_groups(conn: &mut AnyConnection, names: &[String]) -> Result<Vec<i64>, ApiError> {
    audiences::group_ids_named(conn, names, "audience")
}

fn groups_of(conn: &mut AnyConnection, audience_id: Option<i64>) -> Result<Option<Vec<i64>>, ApiError> {
    Ok(audience_id.map(|a| audiences::load(conn, a)).transpose()?.map(|a| a.group_ids))
}

/// The levels a post at `place` would have, as far as the viewer can tell
/// (`None` when the place does not exist for them: the write will say so).
pub fn levels(conn: &mut AnyConnection, viewer: &Viewer, place: &Place) -> Result<Option<Levels>, ApiError> {
    let found = match place {
        Place::Reply { thread_id, audience } => match threads::readable_row_with_category(conn, viewer, *thread_id) {
            Ok((thread, category)) => {
                let post = audience.as_deref().map(|n| audience_names_to_groups(conn, n)).transpose()?;
                Some(Levels { category: category.audience_id, thread: groups_of(conn, thread.audience_id)?, post })
            }
            Err(e) if e.code == quorum_types::ErrorCode::NotFound => None,
            Err(e) => return Err(e),
        },
        Place::NewThread { category, audience } => match categories::readable_row(conn, viewer, category) {
            Ok(category) => {
                let thread = audience.as_deref().map(|n| audience_names_to_groups(conn, n)).transpose()?;
                Some(Levels { category: category.audience_id, thread, post: None })
            }
            Err(e) if e.code == quorum_types::ErrorCode::NotFound => None,
            Err(e) => return Err(e),
        },
        Place::Edit { post_id } => match posts::readable_row(conn, viewer, *post_id) {
            Ok(post) => {
                let (thread, category) = threads::readable_row_with_category(conn, viewer, post.thread_id)?;
                Some(Levels {
                    category: category.audience_id,
                    thread: groups_of(conn, thread.audience_id)?,
                    post: groups_of(conn, post.audience_id)?,
                })
            }
            Err(e) if e.code == quorum_types::ErrorCode::NotFound => None,
            Err(e) => return Err(e),
        },
    };
    Ok(found)
}

/// Whether `reader` may read a post with these levels.
fn may_read(reader: &Viewer, levels: &Levels) -> bool {
    reader.scope.includes(levels.category)
        && levels.thread.as_deref().is_none_or(|groups| reader.is_in(groups))
        && levels.post.as_deref().is_none_or(|groups| reader.is_in(groups))
}

/// Decides, for each name the author wrote after `@`, whether it becomes a link.
pub fn resolve(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    builtins: &Builtins,
    names: &[String],
    place: &Place,
) -> Result<Resolved, ApiError> {
    let mut resolved = Resolved::default();
    if names.is_empty() {
        return Ok(resolved);
    }
    let Some(levels) = levels(conn, viewer, place)? else { return Ok(resolved) };
    let people: Vec<(i64, String, String)> = users_t::table
        .filter(users_t::username.eq_any(names))
        .select((users_t::id, users_t::username, users_t::display_name))
        .load(conn)?;
    let teams: Vec<(i64, String)> = groups::table
        .filter(groups::slug.eq_any(names))
        .filter(groups::pseudo.eq(false))
        .select((groups::id, groups::slug))
        .load(conn)?;
    for name in names {
        if let Some((id, username, display_name)) = people.iter().find(|(_, u, _)| u == name) {
            // A suspended member is treated as one who cannot read.
            let reader = users::viewer(conn, builtins, *id, None, Credential::Session, None).ok();
            if reader.is_some_and(|r| may_read(&r, &levels)) {
                resolved.mentions.linked.insert(name.clone(), Mention::User);
                resolved.targets.push((name.clone(), Some(*id), None));
            } else {
                resolved
                    .warnings
                    .push(format!("{display_name} (@{username}) cannot read this post, so will not be told of it"));
            }
        } else if let Some((id, slug)) = teams.iter().find(|(_, s)| s == name) {
            let member: bool = diesel::select(diesel::dsl::exists(
                group_members::table
                    .filter(group_members::group_id.eq(id))
                    .filter(group_members::user_id.eq(viewer.user_id().unwrap_or(-1))),
            ))
            .get_result(conn)?;
            if member || viewer.is_moderator() {
                resolved.mentions.linked.insert(name.clone(), Mention::Group);
                resolved.targets.push((name.clone(), None, Some(*id)));
            } else {
                resolved.warnings.push(format!("only members of @{slug} and moderators may mention the group"));
            }
        }
    }
    Ok(resolved)
}

/// Stores whom a post mentions (replacing what an earlier version did).
pub fn store(
    conn: &mut AnyConnection,
    post_id: i64,
    mentions: &[(Option<i64>, Option<i64>)],
    quotes: &[i64],
) -> Result<(), ApiError> {
    diesel::delete(post_mentions::table.filter(post_mentions::post_id.eq(post_id))).execute(conn)?;
    for (user_id, group_id) in mentions {
        diesel::insert_into(post_mentions::table)
            .values((
                post_mentions::post_id.eq(post_id),
                post_mentions::user_id.eq(user_id),
                post_mentions::group_id.eq(group_id),
            ))
            .execute(conn)?;
    }
    diesel::delete(post_quotes::table.filter(post_quotes::post_id.eq(post_id))).execute(conn)?;
    for quoted in quotes {
        diesel::insert_into(post_quotes::table)
            .values((post_quotes::post_id.eq(post_id), post_quotes::quoted_id.eq(quoted)))
            .execute(conn)?;
    }
    Ok(())
}

/// The levels of a stored post.
fn stored_levels(conn: &mut AnyConnection, viewer: &Viewer, post_id: i64) -> Result<Levels, ApiError> {
    levels(conn, viewer, &Place::Edit { post_id })?.ok_or_else(ApiError::not_found)
}

/// Refuses quoting a post into a post more people could read: every level
/// that limits the quoted post's readers must be matched by a level of the
/// new post at least as narrow. (A sufficient test: it may refuse a quote
/// whose readers happen to agree by other means, never allow a wider one.)
pub fn check_quotes(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    builtins: &Builtins,
    quotes: &[i64],
    new: &Levels,
) -> Result<(), ApiError> {
    let group_sets = |conn: &mut AnyConnection, levels: &Levels| -> Result<Vec<Vec<i64>>, ApiError> {
        let mut sets = vec![audiences::load(conn, levels.category)?.group_ids];
        if let Some(t) = &levels.thread {
            sets.push(t.clone());
        }
        if let Some(p) = &levels.post {
            sets.push(p.clone());
        }
        Ok(sets)
    };
    let new_sets = group_sets(conn, new)?;
    for quoted in quotes {
        let old = stored_levels(conn, viewer, *quoted).map_err(|e| {
            e.missing_as_field("body", &format!("post {quoted} cannot be quoted: there is no such post"))
        })?;
        for limit in group_sets(conn, &old)? {
            if limit.contains(&builtins.everyone) {
                continue;
            }
            let covered = if limit.contains(&builtins.signed_in) {
                new_sets.iter().any(|set| !set.contains(&builtins.everyone))
            } else {
                new_sets.iter().any(|set| !builtins.is_open(set) && set.iter().all(|g| limit.contains(g)))
            };
            if !covered {
                return Err(ApiError::field(
                    "body",
                    format!(
                        "post {quoted} is for a narrower audience than this post would be: quoting it would show it \
                         to people who may not read it; narrow this post's audience or leave the quote out"
                    ),
                ));
            }
        }
    }
    Ok(())
}
