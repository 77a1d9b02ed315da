//! Markdown to sanitised HTML, done once when a post is written (on the
//! rendering pool, before any database lock): bounded input, images only
//! from this site, bare URLs linked, then ammonia.

mod limits;
mod links;
pub mod mentions;
pub mod quotes;
mod raw_html;

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use pulldown_cmark::{html, Options, Parser, TextMergeStream};

pub use limits::{
    Limit, MAX_CHARS, MAX_HTML_BYTES, MAX_HTML_TAGS, MAX_NESTING, MAX_OPEN_HTML, MAX_REOPENED, MAX_TABLE_CELLS,
};
pub use links::is_same_origin;
pub use mentions::{Mention, Mentions};

use crate::error::ApiError;

const LINK_REL: &str = "nofollow noopener";

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .link_rel(Some(LINK_REL))
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .add_tags(["del", "input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_allowed_classes("a", ["mention"])
            // Raw <img> tags keep a source only on this site, as Markdown
            // images do (see `links`).
            .attribute_filter(|element, attribute, value| {
                if element == "img" && attribute == "src" && !is_same_origin(value) {
                    None
                } else {
                    Some(value.into())
                }
            });
        builder
    })
}

/// A post rendered: its HTML, whom it mentions (as links) and which posts
/// it quotes.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub mentions: Vec<String>,
    pub quotes: Vec<i64>,
}

/// Renders Markdown (CommonMark plus tables, strikethrough, task lists) to
/// HTML with no scripts, event handlers, `javascript:` URLs or images from
/// other hosts; a post past one of the limits is a 422 on `body`. Mentions
/// stay plain text (see [`render_post`]).
pub fn render(markdown: &str) -> Result<String, ApiError> {
    Ok(render_post(markdown, &Mentions::default())?.html)
}

/// [`render`], linking the mentions `mentions` allows and expanding quote blocks.
pub fn render_post(markdown: &str, mentions: &Mentions) -> Result<Rendered, ApiError> {
    Ok(to_rendered(markdown, mentions)?)
}

/// [`render`], telling which limit a refused post went past.
pub fn to_html(markdown: &str) -> Result<String, Limit> {
    to_rendered(markdown, &Mentions::default()).map(|r| r.html)
}

/// [`render_post`], telling which limit a refused post went past.
pub fn to_rendered(markdown: &str, mentions: &Mentions) -> Result<Rendered, Limit> {
    let chars = markdown.chars().count();
    if chars > MAX_CHARS {
        return Err(Limit::Chars(chars));
    }
    let (expanded, quotes) = quotes::expand(markdown);
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut guard = limits::Guard::default();
    let mut rewrite = links::Links::default();
    let mut mentioner = mentions::Mentioner::new(mentions);
    let mut linked = Vec::new();
    let mut events = Vec::new();
    for event in TextMergeStream::new(Parser::new_ext(&expanded, options)) {
        // Past a limit, the parse only goes on to count (it is linear);
        // nothing more is built and ammonia never runs.
        if guard.observe(&event) {
            linked.clear();
            rewrite.push(event, guard.raw.inside_link(), &mut linked);
            for event in linked.drain(..) {
                mentioner.push(event, &mut events);
            }
        }
    }
    if let Some(limit) = guard.exceeded() {
        return Err(limit);
    }
    let mut unsafe_html = Bounded { html: String::with_capacity(markdown.len() * 3 / 2) };
    html::write_html_fmt(&mut unsafe_html, events.into_iter()).map_err(|_| Limit::HtmlBytes)?;
    Ok(Rendered { html: cleaner().clean(&unsafe_html.html).to_string(), mentions: mentioner.linked, quotes })
}

/// A string that refuses to grow past [`MAX_HTML_BYTES`].
struct Bounded {
    html: String,
}

impl fmt::Write for Bounded {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.html.len() + s.len() > MAX_HTML_BYTES {
            return Err(fmt::Error);
        }
        self.html.push_str(s);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
