//! `@username` and `@group-slug` in a post's text (not in code or links).
//! Whether a name becomes a link is decided before rendering, by whom it
//! names and whether they may read the post (`Mentions`); a name that
//! names nobody, or someone who could not read the post, stays plain text.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// Most distinct names one post may mention (and so notify).
pub const MAX_MENTIONS: usize = 30;

/// What one mentioned name becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mention {
    /// A link to the member's profile.
    User,
    /// A link to the group.
    Group,
}

/// Names (lower case, without `@`) that render as links, and as what.
#[derive(Debug, Clone, Default)]
pub struct Mentions {
    pub linked: HashMap<String, Mention>,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// `@name` occurrences in `text`: (byte range of the whole `@name`, name).
/// An `@` after a letter or digit (an e-mail address) is not a mention.
fn find(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut found = Vec::new();
    let mut previous: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((at, c)) = iter.next() {
        if c == '@' && !previous.is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '.') {
            let start = at + 1;
            let mut end = start;
            while let Some(&(i, n)) = iter.peek() {
                if is_name_char(n) {
                    end = i + n.len_utf8();
                    iter.next();
                } else {
                    break;
                }
            }
            // Trailing `-` or `_` is punctuation ("@ana-").
            let name = text[start..end].trim_end_matches(['-', '_']);
            let end = start + name.len();
            if (2..=32).contains(&name.len()) {
                found.push((at..end, name.to_ascii_lowercase()));
            }
            previous = text[..end].chars().last();
            continue;
        }
        previous = Some(c);
    }
    found
}

/// Every name mentioned anywhere in `markdown` (code included: resolving
/// a few names too many costs nothing), at most [`MAX_MENTIONS`].
pub fn candidates(markdown: &str) -> Vec<String> {
    let mut names: Vec<String> = find(markdown).into_iter().map(|(_, n)| n).collect();
    names.sort();
    names.dedup();
    names.truncate(MAX_MENTIONS);
    names
}

/// Rewrites text events, linking the mentions `targets` allows.
pub struct Mentioner<'m> {
    targets: &'m Mentions,
    in_link: usize,
    in_code_block: bool,
    /// Names linked, in order of first appearance.
    pub linked: Vec<String>,
}

impl<'m> Mentioner<'m> {
    pub fn new(targets: &'m Mentions) -> Self {
        Mentioner { targets, in_link: 0, in_code_block: false, linked: Vec::new() }
    }

    pub fn push<'a>(&mut self, event: Event<'a>, out: &mut Vec<Event<'a>>) {
        match &event {
            Event::Start(Tag::Link { .. }) => self.in_link += 1,
            Event::End(TagEnd::Link) => self.in_link = self.in_link.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => self.in_code_block = true,
            Event::End(TagEnd::CodeBlock) => self.in_code_block = false,
            Event::Text(text) if self.in_link == 0 && !self.in_code_block && text.contains('@') => {
                let text = text.clone();
                self.link(text, out);
                return;
            }
            _ => {}
        }
        out.push(event);
    }

    fn link<'a>(&mut self, text: CowStr<'a>, out: &mut Vec<Event<'a>>) {
        let mut done = 0;
        for (range, name) in find(&text) {
            let href = match self.targets.linked.get(&name) {
                Some(Mention::User) => format!("/u/{name}"),
                Some(Mention::Group) => format!("/g/{name}"),
                None => continue,
            };
            if range.start > done {
                out.push(Event::Text(text[done..range.start].to_owned().into()));
            }
            out.push(Event::InlineHtml(format!(r#"<a class="mention" href="{href}">@{name}</a>"#).into()));
            if !self.linked.contains(&name) {
                self.linked.push(name);
            }
            done = range.end;
        }
        if done == 0 {
            out.push(Event::Text(text));
        } else if done < text.len() {
            out.push(Event::Text(text[done..].to_owned().into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_names_after_an_at_that_is_not_an_address() {
        let names: Vec<String> =
            find("Hi @Ana and @board-members, mail ana@coop.example; @x @jude-.").into_iter().map(|(_, n)| n).collect();
        assert_eq!(names, vec!["ana", "board-members", "jude"]);
        assert_eq!(candidates("@bo @al @bo"), vec!["al", "bo"]);
    }
}
