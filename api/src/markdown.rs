//! Markdown to sanitised HTML, done once when a post is written.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{html, Options, Parser};

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .link_rel(Some("nofollow noopener"))
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .add_tags(["del", "input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"]);
        builder
    })
}

/// Renders Markdown (CommonMark plus tables, strikethrough, task lists) to
/// HTML with no scripts, event handlers or `javascript:` URLs.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    cleaner().clean(&unsafe_html).to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn strips_scripts_handlers_and_javascript_urls() {
        let html = render("<script>alert(1)</script><img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) <a href=\"javascript:alert(2)\">y</a>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(html.contains("<img src=\"x\">"), "{html}");
    }

    #[test]
    fn links_get_rel_and_markdown_renders() {
        let html = render("**Newsletter**: [July issue](https://example.org/news)");
        assert!(html.contains("<strong>Newsletter</strong>"), "{html}");
        assert!(html.contains(r#"href="https://example.org/news""#), "{html}");
        assert!(html.contains(r#"rel="nofollow noopener""#), "{html}");
    }
}
