//! What the renderer accepts, checked while pulldown-cmark's events are
//! pulled (linear in the input) and before the HTML parser inside ammonia
//! runs: that parser's work grows with nesting depth times content, so
//! depth and the other multipliers are bounded here.

use std::fmt;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::raw_html::RawHtml;
use crate::error::ApiError;

/// Characters in a post. Long reports fit several times over; beyond this a
/// text belongs in an attachment.
pub const MAX_CHARS: usize = 100_000;

/// Block quotes and lists nested in one another. Quoting a quote of a quote
/// in a reply, or an outline three or four levels deep, is common; sixteen
/// is far past any real use, and the HTML parser's work grows with the
/// square of this depth (30,000 levels took seconds).
pub const MAX_NESTING: usize = 16;

/// Cells in one table, counting the empty cells added to short rows (a
/// wide header row followed by one-character rows multiplies the HTML). A
/// spreadsheet of 100 rows by 50 columns still fits.
pub const MAX_TABLE_CELLS: usize = 10_000;

/// Raw HTML tags (start or end) in a post. Posts use a few (`<details>`,
/// `<kbd>`, `<br>`); a pasted HTML table of 100 rows fits.
pub const MAX_HTML_TAGS: usize = 1_000;

/// Formatting elements the HTML parser may have to re-create because raw
/// tags such as `<b>` or `<font>` were left open: the parser repeats every
/// open one in each later paragraph, so 40 distinct tags before 30,000
/// paragraphs would add over a million elements. Closed tags, or the same
/// tag repeated, stay far below this.
pub const MAX_REOPENED: usize = 100_000;

/// Raw HTML elements opened (such as `<div>` or `<kbd>`), summed over every
/// later paragraph, list item or tag: the HTML parser walks the open
/// elements at each of them. A post with a hundred HTML tags and ten
/// thousand paragraphs fits; a thousand unclosed `<div>` before 30,000
/// paragraphs took 0.3 s.
pub const MAX_OPEN_HTML: usize = 2_000_000;

/// HTML produced before sanitising. Ordinary Markdown expands a post at
/// most about seven times (a character `<` becomes `&lt;`, a task item
/// gains its checkbox), so this only stops the amplifying constructs.
pub const MAX_HTML_BYTES: usize = 1 << 20;

/// A limit a post went past, with what the post has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Limit {
    Chars(usize),
    Nesting(usize),
    TableCells(usize),
    HtmlTags(usize),
    Reopened(usize),
    OpenHtml(usize),
    HtmlBytes,
    /// More than [`super::dates::MAX_DATES`] times.
    Dates(usize),
    /// A time markup that cannot be resolved, and why.
    Date(String),
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Chars(n) => write!(f, "must be at most {MAX_CHARS} characters, not {n}"),
            Limit::Nesting(n) => {
                write!(f, "quotes and lists may nest at most {MAX_NESTING} levels; this post nests {n}")
            }
            Limit::TableCells(n) => write!(
                f,
                "a table may have at most {MAX_TABLE_CELLS} cells (short rows are filled up to the header's \
                 width); this post has one with {n}"
            ),
            Limit::HtmlTags(n) => write!(f, "a post may contain at most {MAX_HTML_TAGS} HTML tags; this one has {n}"),
            Limit::Reopened(n) => write!(
                f,
                "HTML formatting tags such as <b> or <font>, when left open, are repeated in every later paragraph; \
                 this post's could be repeated {n} times (at most {MAX_REOPENED}); use Markdown's **bold** and \
                 *italic* instead, or fewer differing tags"
            ),
            Limit::OpenHtml(n) => write!(
                f,
                "HTML elements such as <div>, counted once for every paragraph after them, may add up to at most \
                 {MAX_OPEN_HTML}; this post adds up to {n}; use Markdown instead of HTML tags, or split the post"
            ),
            Limit::HtmlBytes => {
                write!(f, "this post would render to more than {} MiB of HTML; shorten it", MAX_HTML_BYTES >> 20)
            }
            Limit::Dates(n) => {
                write!(f, "a post may hold at most {} times ([date=…]); this one has {n}", super::dates::MAX_DATES)
            }
            Limit::Date(why) => f.write_str(why),
        }
    }
}

impl From<Limit> for ApiError {
    fn from(limit: Limit) -> ApiError {
        ApiError::field("body", limit.to_string())
    }
}

/// Counts what the limits bound, one event at a time. After the first limit
/// is passed it keeps counting, so the message can say how far the post goes.
#[derive(Debug, Default)]
pub struct Guard {
    nesting: usize,
    deepest: usize,
    cells: usize,
    widest: usize,
    reopened: usize,
    open_html: usize,
    pub raw: RawHtml,
}

impl Guard {
    /// Whether the post is still within every limit after `event`.
    pub fn observe(&mut self, event: &Event<'_>) -> bool {
        match event {
            Event::Start(tag) => {
                match tag {
                    Tag::BlockQuote(_) | Tag::List(_) => {
                        self.nesting += 1;
                        self.deepest = self.deepest.max(self.nesting);
                    }
                    Tag::Table(_) => self.cells = 0,
                    Tag::TableCell => {
                        self.cells += 1;
                        self.widest = self.widest.max(self.cells);
                    }
                    _ => {}
                }
                if is_block(tag) {
                    // Each new block is a place where open formatting
                    // elements are re-created, and open elements walked.
                    self.reopened = self.reopened.saturating_add(self.raw.reopenable());
                    self.open_html = self.open_html.saturating_add(self.raw.opened);
                }
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => self.nesting = self.nesting.saturating_sub(1),
            Event::Html(html) | Event::InlineHtml(html) => {
                let before = self.raw.tags;
                self.raw.scan(html);
                let tags = self.raw.tags - before;
                self.reopened = self.reopened.saturating_add(tags.saturating_mul(self.raw.reopenable()));
                self.open_html = self.open_html.saturating_add(tags.saturating_mul(self.raw.opened));
            }
            _ => {}
        }
        self.exceeded().is_none()
    }

    /// The first limit passed so far, in the order a person would fix them.
    pub fn exceeded(&self) -> Option<Limit> {
        if self.deepest > MAX_NESTING {
            Some(Limit::Nesting(self.deepest))
        } else if self.widest > MAX_TABLE_CELLS {
            Some(Limit::TableCells(self.widest))
        } else if self.raw.tags > MAX_HTML_TAGS {
            Some(Limit::HtmlTags(self.raw.tags))
        } else if self.reopened > MAX_REOPENED {
            Some(Limit::Reopened(self.reopened))
        } else if self.open_html > MAX_OPEN_HTML {
            Some(Limit::OpenHtml(self.open_html))
        } else {
            None
        }
    }
}

fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::MetadataBlock(_)
    )
}
