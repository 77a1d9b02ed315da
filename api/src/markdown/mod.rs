//! Markdown to sanitised HTML, done once when a post is written (on the
//! rendering pool, before any database lock): bounded input, images only
//! from this site, bare URLs linked, then ammonia.

mod limits;
mod links;
mod raw_html;

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use pulldown_cmark::{html, Options, Parser, TextMergeStream};

pub use limits::{
    Limit, MAX_CHARS, MAX_HTML_BYTES, MAX_HTML_TAGS, MAX_NESTING, MAX_OPEN_HTML, MAX_REOPENED, MAX_TABLE_CELLS,
};
pub use links::is_same_origin;

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

/// Renders Markdown (CommonMark plus tables, strikethrough, task lists) to
/// HTML with no scripts, event handlers, `javascript:` URLs or images from
/// other hosts; a post past one of the limits is a 422 on `body`.
pub fn render(markdown: &str) -> Result<String, ApiError> {
    Ok(to_html(markdown)?)
}

/// [`render`], telling which limit a refused post went past.
pub fn to_html(markdown: &str) -> Result<String, Limit> {
    let chars = markdown.chars().count();
    if chars > MAX_CHARS {
        return Err(Limit::Chars(chars));
    }
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut guard = limits::Guard::default();
    let mut rewrite = links::Links::default();
    let mut events = Vec::new();
    for event in TextMergeStream::new(Parser::new_ext(markdown, options)) {
        // Past a limit, the parse only goes on to count (it is linear);
        // nothing more is built and ammonia never runs.
        if guard.observe(&event) {
            rewrite.push(event, guard.raw.inside_link(), &mut events);
        }
    }
    if let Some(limit) = guard.exceeded() {
        return Err(limit);
    }
    let mut unsafe_html = Bounded { html: String::with_capacity(markdown.len() * 3 / 2) };
    html::write_html_fmt(&mut unsafe_html, events.into_iter()).map_err(|_| Limit::HtmlBytes)?;
    Ok(cleaner().clean(&unsafe_html.html).to_string())
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
