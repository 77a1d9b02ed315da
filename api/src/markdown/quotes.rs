//! `[quote=post:123]…[/quote]` blocks (each tag on a line of its own, as
//! the app writes them), turned into Markdown block quotes that start with
//! a link back to the quoted post, before the Markdown is parsed. Tags
//! inside fenced code stay as they are.

/// Most quotes one post may hold.
pub const MAX_QUOTES: usize = 20;

/// The Markdown with quote blocks expanded, and the ids of the quoted
/// posts, in order of first appearance.
pub fn expand(markdown: &str) -> (String, Vec<i64>) {
    let mut out = String::with_capacity(markdown.len() + 64);
    let mut quoted = Vec::new();
    let mut depth = 0usize;
    let mut fence: Option<&str> = None;
    for line in markdown.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim();
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
        } else if let Some(id) = opening(trimmed) {
            if quoted.len() < MAX_QUOTES || quoted.contains(&id) {
                let prefix = "> ".repeat(depth + 1);
                out.push_str(&format!("{prefix}[Quoted post](/p/{id} \"quote:{id}\")\n{}\n", prefix.trim_end()));
                if !quoted.contains(&id) {
                    quoted.push(id);
                }
                depth += 1;
                continue;
            }
        } else if trimmed.eq_ignore_ascii_case("[/quote]") && depth > 0 {
            depth -= 1;
            // A blank line ends the block quote for what follows.
            out.push_str(&format!("{}\n", "> ".repeat(depth).trim_end()));
            continue;
        }
        out.push_str(&"> ".repeat(depth));
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push('\n');
        }
    }
    (out, quoted)
}

/// `[quote=post:123]` → 123.
fn opening(line: &str) -> Option<i64> {
    let inner = line.strip_prefix("[quote=")?.strip_suffix(']')?;
    let inner = inner.trim_matches('"');
    inner.strip_prefix("post:")?.trim().parse().ok().filter(|id: &i64| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_blocks_become_block_quotes_with_a_link_back() {
        let (md, ids) = expand("Agreed:\n[quote=post:12]\nThe AGM is in May.\n[/quote]\nSee you there.");
        assert_eq!(ids, vec![12]);
        assert_eq!(md, "Agreed:\n> [Quoted post](/p/12 \"quote:12\")\n>\n> The AGM is in May.\n\nSee you there.\n");
        let (md, ids) = expand("```\n[quote=post:3]\n```\n");
        assert!(ids.is_empty(), "{md}");
        let (_, ids) = expand("[quote=post:1]\n[quote=\"post:2\"]\nx\n[/quote]\n[/quote]\n[quote=post:0]\n");
        assert_eq!(ids, vec![1, 2]);
    }
}
