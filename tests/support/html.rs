//! Looking inside rendered post HTML without an HTML parser.

use std::collections::BTreeSet;

/// The `<a …>` start tag whose `href` is exactly `href`, as rendered in `html`.
pub fn anchor_tag<'a>(html: &'a str, href: &str) -> Option<&'a str> {
    let at = html.find(&format!("href=\"{href}\""))?;
    let start = html[..at].rfind("<a")?;
    let end = start + html[start..].find('>')?;
    Some(&html[start..=end])
}

/// The space-separated tokens of the `rel` attribute of a start tag.
pub fn rel_tokens(tag: &str) -> BTreeSet<String> {
    let Some(at) = tag.find("rel=\"") else { return BTreeSet::new() };
    let rest = &tag[at + 5..];
    let value = &rest[..rest.find('"').unwrap_or(rest.len())];
    value.split_whitespace().map(str::to_owned).collect()
}

/// Asserts the link to `href` is rendered with `rel` holding `nofollow` and `noopener`.
#[track_caller]
pub fn assert_safe_link(html: &str, href: &str) {
    let tag = anchor_tag(html, href).unwrap_or_else(|| panic!("no <a href=\"{href}\"> in {html}"));
    let rel = rel_tokens(tag);
    assert!(rel.contains("nofollow") && rel.contains("noopener"), "rel lacks nofollow noopener: {tag}");
}
