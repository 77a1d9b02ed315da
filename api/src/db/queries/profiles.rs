//! Members' profiles as others see them: who they are, their groups, and
//! the posts of theirs the viewer may read (through `post_readable`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use quorum_types::{GroupBadge, UserPost, UserProfile};

use super::{users, PageRequest};
use crate::db::policy::{post_readable, Viewer};
use crate::db::schema::{categories, group_members, groups, posts, threads};
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::search::text;

/// How many characters of a post its profile entry shows.
pub const EXCERPT_CHARS: usize = 200;

/// A member's profile. Groups are listed to signed-in viewers only, as
/// `GET /groups` is.
pub fn profile(conn: &mut AnyConnection, viewer: &Viewer, username: &str) -> Result<UserProfile, ApiError> {
    let user = users::find_by_username(conn, username)?;
    let groups = if viewer.account.is_some() {
        group_members::table
            .inner_join(groups::table)
            .filter(group_members::user_id.eq(user.id))
            .filter(groups::pseudo.eq(false))
            .order(groups::slug)
            .select((groups::slug, groups::name))
            .load::<(String, String)>(conn)?
            .into_iter()
            .map(|(slug, name)| GroupBadge { slug, name })
            .collect()
    } else {
        Vec::new()
    };
    Ok(UserProfile {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        bio: user.bio,
        time_zone: user.time_zone,
        groups,
        created_at: user.created_at.and_utc(),
    })
}

/// A page of the member's posts that the viewer may read, newest first.
/// Hidden posts are left out, as search leaves them out.
pub fn recent_posts(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    username: &str,
    page: &PageRequest,
) -> Result<(Vec<UserPost>, Option<String>), ApiError> {
    let user = users::find_by_username(conn, username)?;
    let before = page.after.as_ref().map_or(i64::MAX, |a| a[0]);
    let rows: Vec<(i64, i64, i32, NaiveDateTime, String, String, String)> = posts::table
        .inner_join(threads::table.inner_join(categories::table))
        .filter(posts::author_id.eq(user.id))
        .filter(posts::id.lt(before))
        .filter(posts::hidden_at.is_null())
        .filter(post_readable(&viewer.scope))
        .order(posts::id.desc())
        .limit(page.limit + 1)
        .select((
            posts::id,
            posts::thread_id,
            posts::number,
            posts::created_at,
            posts::body_html,
            threads::title,
            categories::slug,
        ))
        .load(conn)?;
    let (rows, next) = page.finish(rows, |r| vec![r.0]);
    let items = rows
        .into_iter()
        .map(|(post_id, thread_id, number, created_at, body_html, thread_title, category)| UserPost {
            post_id,
            thread_id,
            thread_title,
            category,
            opens_thread: number == 1,
            created_at: created_at.and_utc(),
            excerpt: excerpt(&text::plain_text(&body_html)),
        })
        .collect();
    Ok((items, next))
}

/// The start of a post's text, whitespace collapsed, cut at a word.
fn excerpt(plain: &str) -> String {
    let words: Vec<&str> = plain.split_whitespace().collect();
    let mut out = String::new();
    for word in words {
        if out.chars().count() + word.chars().count() + 1 > EXCERPT_CHARS {
            if out.is_empty() {
                out = word.chars().take(EXCERPT_CHARS).collect();
            }
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpts_cut_at_a_word() {
        assert_eq!(excerpt("  Hello\n\n  world "), "Hello world");
        let long = "word ".repeat(100);
        let cut = excerpt(&long);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= super::EXCERPT_CHARS + 1);
        assert_eq!(excerpt(&"x".repeat(300)).chars().count(), super::EXCERPT_CHARS + 1);
    }
}
