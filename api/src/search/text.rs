//! Text as the search index and the snippets see it: plain text from a
//! post's rendered HTML, folded (lower case, accents removed) and split
//! into words the same way for both backends.
//!
//! Hyphens: a compound such as `co-operative` is indexed as its parts
//! (`co`, `operative`) and, once more at the end of the text, joined
//! (`cooperative`); a query word with hyphens is searched joined. So
//! `cooperative`, `co-operative` and `coöperative` find each other, and
//! `operative` still finds `co-operative`.

/// Lower case, with accents and ligatures folded to ASCII where Latin
/// letters have an obvious base letter. Combining marks are dropped.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        for lower in c.to_lowercase() {
            push_folded(&mut out, lower);
        }
    }
    out
}

fn push_folded(out: &mut String, c: char) {
    let s: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'ǎ' | 'ȁ' | 'ȃ' | 'ạ' | 'ả' | 'ấ' | 'ầ' | 'ẩ' | 'ẫ'
        | 'ậ' | 'ắ' | 'ằ' | 'ẳ' | 'ẵ' | 'ặ' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'ȅ' | 'ȇ' | 'ẹ' | 'ẻ' | 'ẽ' | 'ế' | 'ề' | 'ể' | 'ễ'
        | 'ệ' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'ǐ' | 'ỉ' | 'ị' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'ơ' | 'ǒ' | 'ọ' | 'ỏ' | 'ố' | 'ồ' | 'ổ' | 'ỗ' | 'ộ'
        | 'ớ' | 'ờ' | 'ở' | 'ỡ' | 'ợ' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ư' | 'ǔ' | 'ụ' | 'ủ' | 'ứ' | 'ừ' | 'ử' | 'ữ'
        | 'ự' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' | 'ỳ' | 'ỵ' | 'ỷ' | 'ỹ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ﬀ' => "ff",
        'ﬁ' => "fi",
        'ﬂ' => "fl",
        // Combining diacritical marks.
        '\u{0300}'..='\u{036f}' => "",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(s);
}

/// Whether `c` joins the parts of a compound word.
fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// One word of a text: its byte range, and the parts of a compound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word<'a> {
    pub start: usize,
    pub end: usize,
    /// The folded parts; one for a simple word.
    pub parts: Vec<String>,
    pub raw: &'a str,
}

impl Word<'_> {
    /// The folded word with its parts joined (`cooperative` for `co-operative`).
    pub fn joined(&self) -> String {
        self.parts.concat()
    }
}

/// The words of `text`: runs of letters and digits, where runs joined by
/// single hyphens form one compound word.
pub fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if !c.is_alphanumeric() {
            chars.next();
            continue;
        }
        let mut parts = Vec::new();
        let mut part_start = start;
        let mut end = start;
        loop {
            // One alphanumeric run.
            while let Some(&(i, c)) = chars.peek() {
                if c.is_alphanumeric() {
                    end = i + c.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            parts.push(fold(&text[part_start..end]));
            // A hyphen followed by another run continues the compound.
            match chars.peek() {
                Some(&(i, c)) if is_hyphen(c) => {
                    let after = i + c.len_utf8();
                    if text[after..].chars().next().is_some_and(char::is_alphanumeric) {
                        chars.next();
                        part_start = after;
                        continue;
                    }
                    break;
                }
                _ => break,
            }
        }
        parts.retain(|p| !p.is_empty());
        if !parts.is_empty() {
            out.push(Word { start, end, parts, raw: &text[start..end] });
        }
    }
    out
}

/// What the index holds for a text: its folded words separated by spaces,
/// then the joined form of each compound.
pub fn index_text(plain: &str) -> String {
    let words = words(plain);
    let mut out = String::with_capacity(plain.len() + 16);
    let mut joined: Vec<String> = Vec::new();
    for w in &words {
        for part in &w.parts {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(part);
        }
        if w.parts.len() > 1 {
            let j = w.joined();
            if !joined.contains(&j) {
                joined.push(j);
            }
        }
    }
    for j in joined {
        out.push(' ');
        out.push_str(&j);
    }
    out
}

/// The text of rendered, sanitised post HTML: tags dropped (block ends
/// become spaces), entities decoded.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            let Some(close) = rest.find('>') else {
                rest = "";
                break;
            };
            let tag = &rest[1..close];
            let name: String =
                tag.trim_start_matches('/').chars().take_while(char::is_ascii_alphanumeric).collect::<String>();
            if !matches!(
                name.to_ascii_lowercase().as_str(),
                "a" | "em" | "strong" | "code" | "del" | "s" | "sup" | "sub" | "span" | "time" | "mark" | "b" | "i"
            ) && !out.ends_with(' ')
            {
                out.push(' ');
            }
            rest = &rest[close + 1..];
        } else {
            let end = rest.find(';').filter(|&e| e <= 10);
            match end.and_then(|e| decode_entity(&rest[1..e]).map(|c| (e, c))) {
                Some((e, c)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
}

fn decode_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// Escapes text for HTML.
pub fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// All of `text` (a title), HTML-escaped, each word `matches` accepts in `<mark>`.
pub fn highlight(text: &str, matches: impl Fn(&Word<'_>) -> bool) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for w in words(text) {
        escape(&text[at..w.start], &mut out);
        if matches(&w) {
            out.push_str("<mark>");
            escape(w.raw, &mut out);
            out.push_str("</mark>");
        } else {
            escape(w.raw, &mut out);
        }
        at = w.end;
    }
    escape(&text[at..], &mut out);
    out
}

/// How many words a snippet shows.
const SNIPPET_WORDS: usize = 32;

/// An HTML-escaped excerpt of `plain` around the first word `matches`
/// accepts, with every accepted word in `<mark>`; the text's start when
/// nothing matches (a hit by title).
pub fn snippet(plain: &str, matches: impl Fn(&Word<'_>) -> bool) -> String {
    let words = words(plain);
    let first = words.iter().position(&matches).unwrap_or(0);
    let from = first.saturating_sub(8);
    let to = (from + SNIPPET_WORDS).min(words.len());
    let mut out = String::new();
    if words.is_empty() {
        let cut: String = plain.chars().take(200).collect();
        escape(&cut, &mut out);
        return out;
    }
    if from > 0 {
        out.push('…');
    }
    let mut at = if from == 0 { 0 } else { words[from].start };
    for w in &words[from..to] {
        escape(&plain[at..w.start], &mut out);
        if matches(w) {
            out.push_str("<mark>");
            escape(w.raw, &mut out);
            out.push_str("</mark>");
        } else {
            escape(w.raw, &mut out);
        }
        at = w.end;
    }
    if to < words.len() {
        out.push('…');
    } else {
        escape(&plain[at..], &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_joins_compounds() {
        assert_eq!(fold("Coöperative ÉCOLE straße"), "cooperative ecole strasse");
        assert_eq!(index_text("The co-operative, coöperative!"), "the co operative cooperative cooperative");
        assert_eq!(index_text("well-- done -x"), "well done x");
    }

    #[test]
    fn plain_text_of_html() {
        assert_eq!(plain_text("<p>a &amp; <em>b</em></p><p>c&#39;d &lt;x&gt;</p>"), "a & b c'd <x>");
    }

    #[test]
    fn snippets_escape_and_mark() {
        let s = snippet("<b> annual & report", |w| w.joined() == "report");
        assert_eq!(s, "&lt;b&gt; annual &amp; <mark>report</mark>");
    }
}
