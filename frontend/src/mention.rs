//! `@` autocomplete in the reply box: the word being typed after an `@`,
//! and the text once a suggestion is taken. Offsets are UTF-16 code units,
//! as a textarea reports its caret.

/// The `@name` being typed at `caret`: where its `@` is, and the letters
/// after it so far. `None` unless an `@` starts a word before the caret
/// and only name characters follow it.
pub fn query_at(text: &str, caret: u32) -> Option<(u32, String)> {
    let mut units = 0u32;
    let mut before = String::new();
    for c in text.chars() {
        if units >= caret {
            break;
        }
        units += c.len_utf16() as u32;
        before.push(c);
    }
    let at = before.rfind('@')?;
    let typed = &before[at + 1..];
    if typed.len() > 32 || !typed.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return None;
    }
    if before[..at].chars().last().is_some_and(|c| !c.is_whitespace() && c != '(') {
        return None;
    }
    let start = before[..at].encode_utf16().count() as u32;
    Some((start, typed.to_string()))
}

/// `text` with the `@…` from `start` to `caret` replaced by `@name ` and
/// where the caret goes after it.
pub fn complete(text: &str, start: u32, caret: u32, name: &str) -> (String, u32) {
    let units: Vec<u16> = text.encode_utf16().collect();
    let (start, caret) = (start as usize, (caret as usize).min(units.len()));
    let before = String::from_utf16_lossy(&units[..start.min(caret)]);
    let after = String::from_utf16_lossy(&units[caret..]);
    let inserted = format!("@{name} ");
    let new_caret = (before.encode_utf16().count() + inserted.encode_utf16().count()) as u32;
    let after = after.strip_prefix(' ').unwrap_or(&after);
    (format!("{before}{inserted}{after}"), new_caret)
}

/// Whether a suggestion (username or display name) fits what was typed.
pub fn fits(typed: &str, username: &str, display_name: &str) -> bool {
    let typed = typed.to_lowercase();
    username.to_lowercase().starts_with(&typed)
        || display_name.to_lowercase().split_whitespace().any(|w| w.starts_with(&typed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_name_being_typed() {
        assert_eq!(query_at("Thanks @an", 10), Some((7, "an".into())));
        assert_eq!(query_at("@", 1), Some((0, String::new())));
        assert_eq!(query_at("mail a@b", 8), None, "an @ inside a word is not a mention");
        assert_eq!(query_at("@ana and", 8), None, "past a space the mention is over");
        assert_eq!(query_at("é @jo", 5), Some((2, "jo".into())));
    }

    #[test]
    fn completes_in_place() {
        assert_eq!(complete("Thanks @an", 7, 10, "ana-lima"), ("Thanks @ana-lima ".into(), 17));
        assert_eq!(complete("@a for you", 0, 2, "ana"), ("@ana for you".into(), 5));
    }

    #[test]
    fn fits_usernames_and_names() {
        assert!(fits("Li", "ana-lima", "Ana Lima"));
        assert!(fits("ana", "ana-lima", "Ana Lima"));
        assert!(!fits("ma", "ana-lima", "Ana Lima"));
    }
}
