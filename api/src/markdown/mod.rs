//! Markdown to sanitised HTML, done once when a post is written (on the
//! rendering pool, before any database lock): bounded input, images only
//! from this site, bare URLs linked, then ammonia.

pub mod dates;
mod limits;
mod links;
pub mod mentions;
pub mod quotes;
mod raw_html;

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd, TextMergeStream};

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
            // Only the times this module writes (see `dates`), put in after
            // sanitising; a raw <time> tag keeps its text, not the tag.
            .rm_tags(["time"])
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

/// A post rendered: its HTML, whom it mentions (as links), which posts it
/// quotes and the times it names.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub mentions: Vec<String>,
    pub quotes: Vec<i64>,
    pub dates: Vec<quorum_types::PostDate>,
}

/// Marks where a resolved time goes in the sanitised HTML: private-use
/// characters around its index.
const DATE_OPEN: char = '\u{E000}';
const DATE_CLOSE: char = '\u{E001}';

/// Replaces the time markups in a text event by placeholders (or, inside an
/// image's alternative text, which becomes an attribute, by plain text).
fn place_dates<'a>(
    text: CowStr<'a>,
    as_text: bool,
    times: &mut Vec<dates::Resolved>,
    error: &mut Option<String>,
) -> CowStr<'a> {
    if !text.contains("[date") || error.is_some() {
        return text;
    }
    match dates::split(&text) {
        Err(why) => {
            *error = Some(why);
            text
        }
        Ok(pieces) => {
            let mut out = String::with_capacity(text.len());
            for piece in pieces {
                match piece {
                    dates::Piece::Text(t) => out.push_str(t),
                    dates::Piece::Time(time) if as_text => out.push_str(&time.date.wall_time),
                    dates::Piece::Time(time) => {
                        out.push(DATE_OPEN);
                        out.push_str(&times.len().to_string());
                        out.push(DATE_CLOSE);
                        times.push(*time);
                    }
                }
            }
            out.into()
        }
    }
}

/// Puts the resolved times where their placeholders are.
fn insert_dates(html: &str, times: &[dates::Resolved]) -> String {
    if times.is_empty() {
        return html.to_owned();
    }
    let mut out = String::with_capacity(html.len() + times.len() * 200);
    let mut rest = html;
    while let Some(open) = rest.find(DATE_OPEN) {
        out.push_str(&rest[..open]);
        let after = &rest[open + DATE_OPEN.len_utf8()..];
        let index = after.find(DATE_CLOSE).and_then(|close| Some((after[..close].parse::<usize>().ok()?, close)));
        match index.and_then(|(i, close)| Some((times.get(i)?, close))) {
            Some((time, close)) => {
                out.push_str(&time.html);
                rest = &after[close + DATE_CLOSE.len_utf8()..];
            }
            None => {
                out.push(DATE_OPEN);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
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
    let (mut times, mut date_error, mut in_code, mut in_image) = (Vec::new(), None, false, false);
    for event in TextMergeStream::new(Parser::new_ext(&expanded, options)) {
        match &event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Image { .. }) => in_image = true,
            Event::End(TagEnd::Image) => in_image = false,
            _ => {}
        }
        let event = match event {
            Event::Text(text) if !in_code => Event::Text(place_dates(text, in_image, &mut times, &mut date_error)),
            other => other,
        };
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
    if let Some(why) = date_error {
        return Err(Limit::Date(why));
    }
    if times.len() > dates::MAX_DATES {
        return Err(Limit::Dates(times.len()));
    }
    let mut unsafe_html = Bounded { html: String::with_capacity(markdown.len() * 3 / 2) };
    html::write_html_fmt(&mut unsafe_html, events.into_iter()).map_err(|_| Limit::HtmlBytes)?;
    let html = insert_dates(&cleaner().clean(&unsafe_html.html).to_string(), &times);
    let dates = times.into_iter().map(|t| t.date).collect();
    Ok(Rendered { html, mentions: mentioner.linked, quotes, dates })
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
