//! Reads the raw HTML a post carries (HTML blocks and inline tags) the way a
//! browser's tokenizer would, counting tags and the formatting elements the
//! HTML parser may have to re-open in every later paragraph.

use std::collections::{HashMap, HashSet};

/// Elements the HTML parser keeps on its list of active formatting
/// elements: when one is left open, the parser re-creates it (with all its
/// attributes) wherever content follows outside it, e.g. in each later
/// paragraph.
const FORMATTING: [&str; 14] =
    ["a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"];

/// Elements that never stay open.
const VOID: [&str; 17] = [
    "area", "base", "br", "col", "embed", "frame", "hr", "image", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
];

/// Elements whose content the tokenizer reads as text up to their end tag.
const RAW_TEXT: [&str; 9] =
    ["iframe", "noembed", "noframes", "plaintext", "script", "style", "textarea", "title", "xmp"];

/// The parser keeps at most this many entries with the same name and
/// attributes on its list (the "Noah's Ark" clause of the HTML standard).
const SAME_ENTRIES_KEPT: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comment {
    Start,
    StartDash,
    Body,
    EndDash,
    End,
    EndBang,
}

#[derive(Debug, Default)]
struct Formatting {
    starts: usize,
    /// Everything after the tag name, so that equal texts mean equal
    /// attributes; tags left unterminated are each counted as distinct.
    distinct: HashSet<String>,
}

impl Formatting {
    /// At most how many of these the parser can hold on its list.
    fn bound(&self, name: &str) -> usize {
        if name == "a" {
            // A new <a> closes the one still on the list.
            self.starts.min(1)
        } else {
            self.starts.min(SAME_ENTRIES_KEPT * self.distinct.len())
        }
    }
}

#[derive(Debug, Default)]
pub struct RawHtml {
    /// Start and end tags seen so far.
    pub tags: usize,
    /// Start tags of elements that stay open until closed. End tags are not
    /// credited: whether the parser honours one depends on its state (an
    /// end tag behind a `<p>` or inside a `<table>` may be ignored).
    pub opened: usize,
    formatting: HashMap<&'static str, Formatting>,
    /// Sum of [`Formatting::bound`] over all names, kept up to date.
    reopenable: usize,
    /// Raw `<a>` tags not yet closed: bare URLs inside are left alone.
    open_links: usize,
    comment: Option<Comment>,
    /// Inside an element whose content is text to the tokenizer.
    raw_text: Option<&'static str>,
    unterminated: usize,
}

impl RawHtml {
    /// At most how many formatting elements the HTML parser may re-create
    /// at the next place it re-opens them. Over-counts (end tags are not
    /// credited, because whether the parser honours one depends on its
    /// state), never under-counts.
    pub fn reopenable(&self) -> usize {
        self.reopenable
    }

    pub fn inside_link(&self) -> bool {
        self.open_links > 0
    }

    /// Reads one raw HTML fragment; fragments continue one another, as they
    /// do in the HTML the parser reads.
    pub fn scan(&mut self, html: &str) {
        let b = html.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if let Some(state) = self.comment {
                match comment_end(b, i, state) {
                    Ok(next) => {
                        self.comment = None;
                        i = next;
                    }
                    Err(state) => {
                        self.comment = Some(state);
                        return;
                    }
                }
                continue;
            }
            let Some(lt) = b[i..].iter().position(|&c| c == b'<') else { return };
            i += lt;
            let rest = &b[i..];
            if self.raw_text.is_none() && rest.starts_with(b"<!--") {
                self.comment = Some(Comment::Start);
                i += 4;
            } else if self.raw_text.is_none() && (rest.starts_with(b"<!") || rest.starts_with(b"<?")) {
                // Bogus comments, doctypes and CDATA end at the next `>`.
                i = b[i..].iter().position(|&c| c == b'>').map_or(b.len(), |p| i + p + 1);
            } else if rest.starts_with(b"</") && rest.get(2).is_some_and(u8::is_ascii_alphabetic) {
                i = self.end_tag(html, i + 2);
            } else if rest.get(1).is_some_and(u8::is_ascii_alphabetic) {
                i = self.start_tag(html, i + 1);
            } else {
                i += 1;
            }
        }
    }

    fn end_tag(&mut self, html: &str, name_start: usize) -> usize {
        let b = html.as_bytes();
        let name_end = tag_name_end(b, name_start);
        let name = html[name_start..name_end].to_ascii_lowercase();
        self.tags += 1;
        if self.raw_text.is_some_and(|open| open == name) {
            self.raw_text = None;
        }
        if name == "a" {
            self.open_links = self.open_links.saturating_sub(1);
        }
        tag_end(b, name_end).unwrap_or(b.len())
    }

    fn start_tag(&mut self, html: &str, name_start: usize) -> usize {
        let b = html.as_bytes();
        let name_end = tag_name_end(b, name_start);
        let name = html[name_start..name_end].to_ascii_lowercase();
        let end = tag_end(b, name_end);
        // Inside raw text this is text to the tokenizer (unless the element
        // was foreign, e.g. an SVG <style>): counting it only over-counts.
        self.tags += 1;
        if !VOID.contains(&name.as_str()) {
            self.opened += 1;
        }
        if let Some(known) = FORMATTING.iter().find(|f| **f == name) {
            let identity = match end {
                Some(end) => html[name_end..end].to_owned(),
                None => {
                    // The attributes run on into whatever follows.
                    self.unterminated += 1;
                    format!("\u{0}{}", self.unterminated)
                }
            };
            let entry = self.formatting.entry(known).or_default();
            let before = entry.bound(known);
            entry.starts += 1;
            entry.distinct.insert(identity);
            self.reopenable = self.reopenable - before + entry.bound(known);
        }
        if name == "a" {
            self.open_links += 1;
        }
        if self.raw_text.is_none() {
            self.raw_text = RAW_TEXT.iter().find(|r| **r == name).copied();
        }
        end.unwrap_or(b.len())
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

fn tag_name_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    i
}

/// Where a tag ends (just past its `>`), reading attributes as the HTML
/// tokenizer does: a quote opens a value only right after `=`.
fn tag_end(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        while i < b.len() && (is_space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        if *b.get(i)? == b'>' {
            return Some(i + 1);
        }
        // An attribute name; a leading `=` belongs to it.
        i += 1;
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        match *b.get(i)? {
            b'>' => return Some(i + 1),
            b'=' => {
                i += 1;
                while i < b.len() && is_space(b[i]) {
                    i += 1;
                }
                match *b.get(i)? {
                    quote @ (b'"' | b'\'') => {
                        let close = b[i + 1..].iter().position(|&c| c == quote)?;
                        i += close + 2;
                    }
                    b'>' => return Some(i + 1),
                    _ => {
                        while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                            i += 1;
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Follows the comment states of the HTML tokenizer from `state` at `i`:
/// the index just past the comment, or the state at the end of the input.
fn comment_end(b: &[u8], mut i: usize, mut state: Comment) -> Result<usize, Comment> {
    while let Some(&c) = b.get(i) {
        i += 1;
        state = match (state, c) {
            (Comment::Start | Comment::StartDash | Comment::End | Comment::EndBang, b'>') => return Ok(i),
            (Comment::Start, b'-') => Comment::StartDash,
            (Comment::StartDash | Comment::EndDash | Comment::End, b'-') => Comment::End,
            (Comment::Body, b'-') | (Comment::EndBang, b'-') => Comment::EndDash,
            (Comment::End, b'!') => Comment::EndBang,
            (Comment::Start | Comment::StartDash | Comment::End | Comment::EndBang, _) => {
                // Reconsumed as comment text.
                i -= 1;
                Comment::Body
            }
            (Comment::Body | Comment::EndDash, _) => Comment::Body,
        };
    }
    Err(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanned(fragments: &[&str]) -> RawHtml {
        let mut raw = RawHtml::default();
        for f in fragments {
            raw.scan(f);
        }
        raw
    }

    #[test]
    fn counts_tags_but_not_comments_or_quoted_text() {
        let raw = scanned(&["<div title=\"<b>\" class=x>a</div><!-- <b> --><br/>", "<? <i> ?><!DOCTYPE html>"]);
        assert_eq!(raw.tags, 3);
        assert_eq!(raw.reopenable(), 0);
    }

    #[test]
    fn comments_end_as_the_tokenizer_ends_them() {
        for (html, tags) in [("<!--><b>", 1), ("<!---><b>", 1), ("<!-- a --!><b>", 1), ("<!-- --x <b> -->", 0)] {
            assert_eq!(scanned(&[html]).tags, tags, "{html}");
        }
        // A comment left open swallows what follows, across fragments.
        assert_eq!(scanned(&["<!-- open", "<b>", "--><i>"]).tags, 1);
    }

    #[test]
    fn identical_formatting_tags_are_bounded_and_distinct_ones_add_up() {
        let same = scanned(&[&"<b>x</b>".repeat(50)]);
        assert_eq!(same.reopenable(), 3);
        let distinct: String = (0..50).map(|n| format!("<b title=\"{n}\">")).collect();
        assert_eq!(scanned(&[&distinct]).reopenable(), 50);
        assert_eq!(scanned(&[&"<a href=x>".repeat(9)]).reopenable(), 1);
        // Unterminated tags take what follows as attributes: each is distinct.
        assert_eq!(scanned(&["<b x=\"", "<b x=\"", "<b x=\""]).reopenable(), 3);
    }

    #[test]
    fn raw_text_hides_comments_until_its_end_tag() {
        // `<!--` inside <style> is text, so the tags after </style> count.
        let raw = scanned(&["<style><!--</style><b t=1><b t=2>"]);
        assert_eq!(raw.reopenable(), 2);
        assert!(scanned(&["<a href=x>"]).inside_link());
        assert!(!scanned(&["<a href=x>", "</a>"]).inside_link());
    }
}
