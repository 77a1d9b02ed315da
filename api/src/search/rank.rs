//! Relevance, decided by Quorum on both backends alike: BM25 over the
//! window of readable matches (`db/queries/search.rs`), its statistics
//! (how many of the documents hold a term, their average length) taken
//! from those documents only. A post the viewer cannot read therefore
//! never moves a result, and neither backend's own global statistics are
//! read: SQLite's `bm25()` counts every document holding a term on each
//! query, a cost that grows with the forum, where this one grows with the
//! window.
//!
//! Words are matched as the highlights match them (`Parsed::highlights`):
//! close to the backends' stemming, to weigh what was found.

use super::query::{is_stop_word, same_stem, Parsed, Term};

/// BM25's term-frequency saturation and length normalisation.
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// A word of the title counts as this many words of a body.
const TITLE_WEIGHT: f64 = 4.0;

/// A matching post as the index holds it: its title text (opening posts
/// only, else empty) and body text, folded words separated by spaces.
pub struct Doc<'a> {
    pub title: &'a str,
    pub body: &'a str,
}

/// The relevance of each document to the query's wanted terms (higher is
/// better), in the order given.
pub fn scores(parsed: &Parsed, docs: &[Doc<'_>]) -> Vec<f64> {
    let tokenized: Vec<(Vec<&str>, Vec<&str>)> = docs.iter().map(|d| (tokens(d.title), tokens(d.body))).collect();
    // A title's words weigh more when they match, but a title makes no
    // post longer than its words.
    let lengths: Vec<f64> = tokenized.iter().map(|(t, b)| (t.len() + b.len()) as f64).collect();
    let n = docs.len() as f64;
    let average = (lengths.iter().sum::<f64>() / n.max(1.0)).max(1.0);
    let mut scores = vec![0.0; docs.len()];
    for term in &parsed.include {
        let frequencies: Vec<f64> = tokenized
            .iter()
            .map(|(title, body)| TITLE_WEIGHT * occurrences(term, title) as f64 + occurrences(term, body) as f64)
            .collect();
        let holding = frequencies.iter().filter(|&&f| f > 0.0).count() as f64;
        let idf = (1.0 + (n - holding + 0.5) / (holding + 0.5)).ln();
        for ((score, tf), length) in scores.iter_mut().zip(&frequencies).zip(&lengths) {
            if *tf > 0.0 {
                *score += idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length / average));
            }
        }
    }
    scores
}

fn tokens(text: &str) -> Vec<&str> {
    text.split(' ').filter(|t| !t.is_empty()).collect()
}

/// How often `term` occurs among `tokens`.
fn occurrences(term: &Term, tokens: &[&str]) -> usize {
    match term {
        Term::Word(w) => tokens.iter().filter(|t| same_word(t, w)).count(),
        Term::Prefix(p) => tokens.iter().filter(|t| t.starts_with(p.as_str())).count(),
        Term::Phrase(words) if words.is_empty() => 0,
        Term::Phrase(words) => tokens
            .windows(words.len())
            .filter(|run| run.iter().zip(words).all(|(t, w)| is_stop_word(w) || same_word(t, w)))
            .count(),
    }
}

fn same_word(token: &str, word: &str) -> bool {
    // Words with the same stem start alike: most tokens are settled here.
    token.as_bytes().first() == word.as_bytes().first() && same_stem(token, word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    fn rank(q: &str, docs: &[(&str, &str)]) -> Vec<usize> {
        let docs: Vec<Doc<'_>> = docs.iter().map(|(title, body)| Doc { title, body }).collect();
        let scores = scores(&parse(q).expect("query"), &docs);
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]));
        order
    }

    #[test]
    fn more_mentions_and_titles_rank_higher() {
        let docs = [
            ("", "budget for the exchange"),
            ("", "budget budget budget review of the budget"),
            ("annual budget", "the draft is attached"),
        ];
        assert_eq!(rank("budget", &docs), vec![2, 1, 0]);
    }

    #[test]
    fn rarer_terms_weigh_more() {
        // "translation" is in every document, "glossary" in one: the
        // document with the rare word ranks first.
        let docs = [
            ("", "translation translation of the minutes"),
            ("", "translation glossary"),
            ("", "translation of the agenda"),
        ];
        assert_eq!(rank("translation glossary", &docs)[0], 1);
    }

    #[test]
    fn stems_prefixes_and_phrases_count() {
        let docs = [("", "meetings were held"), ("", "the general meeting met"), ("", "a general note on meeting")];
        assert_eq!(rank("\"general meeting\"", &docs)[0], 1);
        let stemmed = scores(&parse("meeting").expect("query"), &[Doc { title: "", body: "meetings" }]);
        assert!(stemmed[0] > 0.0);
        let prefixed = scores(&parse("feder*").expect("query"), &[Doc { title: "", body: "federation federal" }]);
        assert!(prefixed[0] > 0.0);
    }
}
