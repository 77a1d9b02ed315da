//! The search syntax, parsed by us and never handed to a backend as is:
//! words, `"phrases"`, `prefix*`, `-exclusion` (of a word, phrase or
//! prefix), `@author`, `#category`. Everything else is words. Each backend
//! query is built from the parsed terms, every term quoted, so no input
//! reaches FTS5's or `to_tsquery`'s own syntax.

use super::text::{self, Word};

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// The most terms one query may hold.
pub const MAX_TERMS: usize = 16;
/// Longer words cannot be in the index; they are searched cut to this.
const MAX_WORD_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A folded word (a compound joined).
    Word(String),
    /// The folded start of a word.
    Prefix(String),
    /// Folded words, in order.
    Phrase(Vec<String>),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub include: Vec<Term>,
    pub exclude: Vec<Term>,
    pub author: Option<String>,
    pub category: Option<String>,
}

/// Where terms must occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    All,
    Titles,
    Posts,
}

/// Words PostgreSQL's `english` configuration leaves out of its index
/// (its stop list). They are left out of queries on both backends, so a
/// query means the same on each.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "did",
    "do",
    "does",
    "doing",
    "don",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "s",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "t",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

fn cut(word: String) -> String {
    if word.chars().count() > MAX_WORD_CHARS {
        word.chars().take(MAX_WORD_CHARS).collect()
    } else {
        word
    }
}

/// A name after `@` or `#`: what usernames and slugs are made of.
fn name_of(text: &str) -> Option<String> {
    let name: String =
        text.chars().take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.')).take(64).collect();
    (!name.is_empty()).then_some(name)
}

/// Parses a query; the error says what is wrong with it (a 400).
pub fn parse(q: &str) -> Result<Parsed, String> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(format!("q must be at most {MAX_QUERY_CHARS} characters"));
    }
    let mut parsed = Parsed::default();
    let mut rest = q;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        rest = &rest[start..];
        let negated = rest.starts_with('-') && rest[1..].starts_with(|c: char| c == '"' || c.is_alphanumeric());
        if negated {
            rest = &rest[1..];
        }
        let mut terms = Vec::new();
        if let Some(after) = rest.strip_prefix('"') {
            // A phrase runs to the next quote, or to the end.
            let end = after.find('"').unwrap_or(after.len());
            let words: Vec<String> = text::words(&after[..end]).iter().flat_map(|w| w.parts.clone()).map(cut).collect();
            if words.len() == 1 {
                terms.extend(words.into_iter().map(Term::Word));
            } else if words.iter().any(|w| !is_stop_word(w)) {
                terms.push(Term::Phrase(words));
            }
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let token = &rest[..end];
            rest = &rest[end..];
            if !negated {
                if let Some(name) = token.strip_prefix('@').and_then(name_of) {
                    parsed.author = Some(name);
                    continue;
                }
                if let Some(name) = token.strip_prefix('#').and_then(name_of) {
                    parsed.category = Some(name);
                    continue;
                }
            }
            let words = text::words(token);
            let prefix = token.ends_with('*');
            let count = words.len();
            for (i, w) in words.iter().enumerate() {
                let word = cut(joined(w));
                if prefix && i + 1 == count {
                    terms.push(Term::Prefix(word));
                } else if !is_stop_word(&word) {
                    terms.push(Term::Word(word));
                }
            }
        }
        if negated {
            parsed.exclude.extend(terms);
        } else {
            parsed.include.extend(terms);
        }
    }
    parsed.include.dedup();
    parsed.exclude.dedup();
    if parsed.include.len() + parsed.exclude.len() > MAX_TERMS {
        return Err(format!("q may hold at most {MAX_TERMS} terms"));
    }
    if parsed.include.is_empty() {
        return Err("q needs at least one word to search for (very common words such as \"the\" are left out)".into());
    }
    Ok(parsed)
}

fn joined(w: &Word<'_>) -> String {
    w.joined()
}

impl Parsed {
    /// The FTS5 MATCH expression: every word a quoted string.
    pub fn to_fts5(&self, field: Field) -> String {
        let fts = |t: &Term| match t {
            Term::Word(w) => format!("\"{w}\""),
            Term::Prefix(p) => format!("\"{p}\"*"),
            Term::Phrase(ws) => format!("\"{}\"", ws.join(" ")),
        };
        let include = self.include.iter().map(fts).collect::<Vec<_>>().join(" AND ");
        let mut expr = format!("({include})");
        if !self.exclude.is_empty() {
            let exclude = self.exclude.iter().map(fts).collect::<Vec<_>>().join(" OR ");
            expr = format!("{expr} NOT ({exclude})");
        }
        match field {
            Field::All => expr,
            Field::Titles => format!("title : ({expr})"),
            Field::Posts => format!("body : ({expr})"),
        }
    }

    /// The PostgreSQL query as parts ANDed together: (configuration,
    /// `to_tsquery` text, negated). Prefixes use the `simple`
    /// configuration (not stemmed), as FTS5 matches a prefix against
    /// stemmed words without stemming it.
    pub fn to_tsquery_parts(&self, field: Field) -> Vec<(&'static str, String, bool)> {
        let (weight, prefix) = match field {
            Field::All => ("", ":*"),
            Field::Titles => (":A", ":*A"),
            Field::Posts => (":D", ":*D"),
        };
        let part = |t: &Term, negated: bool| match t {
            Term::Word(w) => ("english", format!("{w}{weight}"), negated),
            Term::Prefix(p) => ("simple", format!("{p}{prefix}"), negated),
            Term::Phrase(ws) => {
                let words: Vec<String> = ws.iter().map(|w| format!("{w}{weight}")).collect();
                ("english", words.join(" <-> "), negated)
            }
        };
        let mut parts: Vec<(&'static str, String, bool)> = Vec::new();
        for t in &self.include {
            parts.push(part(t, false));
        }
        for t in &self.exclude {
            if matches!(t, Term::Word(w) if is_stop_word(w)) {
                continue;
            }
            parts.push(part(t, true));
        }
        parts
    }

    /// Whether a word of a post's text is one the query looks for (for
    /// highlighting: close enough to the backends' stemming to show why
    /// a post was found).
    pub fn highlights(&self, word: &Word<'_>) -> bool {
        let candidates: Vec<String> = std::iter::once(word.joined()).chain(word.parts.iter().cloned()).collect();
        self.include.iter().any(|t| match t {
            Term::Word(w) => candidates.iter().any(|c| same_stem(c, w)),
            Term::Prefix(p) => candidates.iter().any(|c| c.starts_with(p.as_str())),
            Term::Phrase(ws) => ws.iter().any(|w| !is_stop_word(w) && candidates.iter().any(|c| same_stem(c, w))),
        })
    }
}

fn rough_stem(word: &str) -> &str {
    const SUFFIXES: &[&str] =
        &["ations", "ation", "ively", "ive", "ives", "ings", "ing", "edly", "ed", "ies", "es", "ly", "s", "e", "y"];
    for s in SUFFIXES {
        if let Some(stem) = word.strip_suffix(s) {
            if stem.chars().count() >= 3 {
                return stem;
            }
        }
    }
    word
}

pub fn same_stem(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (a, b) = (rough_stem(a), rough_stem(b));
    a.starts_with(b) || b.starts_with(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_syntax() {
        let p = parse(r#"annual "Board report" coop* -draft @ana #news co-operative"#).expect("parses");
        assert_eq!(
            p.include,
            vec![
                Term::Word("annual".into()),
                Term::Phrase(vec!["board".into(), "report".into()]),
                Term::Prefix("coop".into()),
                Term::Word("cooperative".into()),
            ]
        );
        assert_eq!(p.exclude, vec![Term::Word("draft".into())]);
        assert_eq!(p.author.as_deref(), Some("ana"));
        assert_eq!(p.category.as_deref(), Some("news"));
        assert_eq!(
            p.to_fts5(Field::Titles),
            r#"title : (("annual" AND "board report" AND "coop"* AND "cooperative") NOT ("draft"))"#
        );
    }

    #[test]
    fn hostile_input_is_words_or_refused() {
        for q in ["\"", "*", "NEAR(", "'; --", "OR OR", "((a", "the", "-x", "\u{0}", "🙂"] {
            if let Ok(p) = parse(q) {
                let fts = p.to_fts5(Field::All);
                assert!(!fts.contains("NEAR("), "{fts}");
            }
        }
        let p = parse("NEAR(a b) OR c AND d NOT e").expect("words");
        assert_eq!(p.include.len(), 5, "{p:?}");
        assert!(parse(&"x".repeat(10_000)).is_err());
    }
}
