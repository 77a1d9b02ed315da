use std::fmt::Write;

use super::limits::Limit;
use super::*;

fn rendered(markdown: &str) -> String {
    match to_html(markdown) {
        Ok(html) => html,
        Err(limit) => panic!("refused: {limit}"),
    }
}

#[test]
fn strips_scripts_handlers_and_javascript_urls() {
    let html = rendered("<script>alert(1)</script><img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) <a href=\"javascript:alert(2)\">y</a>");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("onerror"), "{html}");
    assert!(!html.contains("href=\"javascript"), "{html}");
    assert!(html.contains("<img src=\"x\">"), "a relative image stays: {html}");
}

#[test]
fn links_get_rel_and_markdown_renders() {
    let html = rendered("**Newsletter**: [July issue](https://example.org/news)");
    assert!(html.contains("<strong>Newsletter</strong>"), "{html}");
    assert!(html.contains(r#"href="https://example.org/news""#), "{html}");
    assert!(html.contains(r#"rel="nofollow noopener""#), "{html}");
}

#[test]
fn tables_strikethrough_and_task_lists_still_render() {
    let html = rendered("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~\n\n- [x] done\n- [ ] todo");
    for part in ["<table>", "<td>1</td>", "<del>gone</del>", "type=\"checkbox\"", "checked"] {
        assert!(html.contains(part), "{part} missing: {html}");
    }
}

#[test]
fn images_from_other_hosts_become_links() {
    let html = rendered("![logo](https://tracker.example/p.png) ![](//cdn.example/q.png) ![local](/uploads/a.png)");
    assert!(html.contains(r#"<a href="https://tracker.example/p.png" rel="nofollow noopener">logo</a>"#), "{html}");
    assert!(
        html.contains(r#"<a href="//cdn.example/q.png" rel="nofollow noopener">//cdn.example/q.png</a>"#),
        "{html}"
    );
    assert!(html.contains(r#"<img src="/uploads/a.png" alt="local">"#), "{html}");
    assert_eq!(html.matches("<img").count(), 1, "{html}");

    // Inside a link the image's text joins that link, which cannot hold another.
    let linked = rendered("[![badge](https://ci.example/b.svg)](https://ci.example/)");
    assert_eq!(linked.matches("<a ").count(), 1, "{linked}");
    assert!(linked.contains(">badge</a>"), "{linked}");

    let raw = rendered("<img src=\"https://x.example/a.png\" alt=\"a\"> <img src=\"/uploads/b.png\">");
    assert!(!raw.contains("x.example"), "{raw}");
    assert!(raw.contains(r#"<img src="/uploads/b.png">"#), "{raw}");
}

#[test]
fn bare_urls_become_links_outside_code_and_links() {
    let html = rendered(
        "See https://example.coop/newsletter. Or www.example.coop, \
         `https://in.code/x`, [named](https://named.example/) and <a href=\"/p\">https://raw.example/</a>.\n\n\
         ```\nhttps://in.block/\n```\n\njavascript:alert(1) javascript://%0aalert(1)",
    );
    assert!(
        html.contains(
            r#"<a href="https://example.coop/newsletter" rel="nofollow noopener">https://example.coop/newsletter</a>."#
        ),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="https://www.example.coop" rel="nofollow noopener">www.example.coop</a>,"#),
        "{html}"
    );
    assert!(html.contains("<code>https://in.code/x</code>"), "{html}");
    assert!(html.contains("https://in.block/\n</code>"), "{html}");
    assert_eq!(html.matches("<a ").count(), 4, "{html}");
    assert!(!html.contains("href=\"javascript"), "{html}");
}

#[test]
fn size_is_bounded() {
    assert!(to_html(&"a".repeat(MAX_CHARS)).is_ok());
    assert_eq!(to_html(&"a".repeat(MAX_CHARS + 1)), Err(Limit::Chars(MAX_CHARS + 1)));
}

#[test]
fn quotes_and_lists_nest_at_most_sixteen_levels() {
    let quotes = |n: usize| format!("{} a", ">".repeat(n));
    assert!(to_html(&quotes(MAX_NESTING)).is_ok());
    assert_eq!(to_html(&quotes(MAX_NESTING + 1)), Err(Limit::Nesting(MAX_NESTING + 1)));
    assert_eq!(to_html(&quotes(30_000)), Err(Limit::Nesting(30_000)));

    // Quotes and lists count together, on one line or by indentation.
    let mixed = |levels: usize| {
        let markers = ["> ", "- ", "1. "];
        let line: String = (0..levels).map(|n| markers[n % 3]).collect();
        format!("{line}a")
    };
    assert!(to_html(&mixed(MAX_NESTING)).is_ok());
    assert_eq!(to_html(&mixed(MAX_NESTING + 1)), Err(Limit::Nesting(MAX_NESTING + 1)));
    let indented = |levels: usize| -> String { (0..levels).map(|n| format!("{}- a\n", "  ".repeat(n))).collect() };
    assert!(to_html(&indented(MAX_NESTING)).is_ok());
    assert_eq!(to_html(&indented(MAX_NESTING + 1)), Err(Limit::Nesting(MAX_NESTING + 1)));
}

#[test]
fn tables_have_at_most_ten_thousand_cells() {
    // One column: the header cell and one cell per row.
    let table = |cells: usize| format!("|a|\n|-|\n{}", "|x|\n".repeat(cells - 1));
    assert!(to_html(&table(MAX_TABLE_CELLS)).is_ok());
    assert_eq!(to_html(&table(MAX_TABLE_CELLS + 1)), Err(Limit::TableCells(MAX_TABLE_CELLS + 1)));
    // Short rows are filled up to the header's width, and that counts.
    let wide = format!("{}|\n{}|\n{}", "|a".repeat(1_000), "|-".repeat(1_000), "x\n".repeat(10));
    assert_eq!(to_html(&wide), Err(Limit::TableCells(11_000)));
}

#[test]
fn raw_html_tags_are_bounded() {
    assert!(to_html(&"<br>".repeat(MAX_HTML_TAGS)).is_ok());
    assert_eq!(to_html(&"<br>".repeat(MAX_HTML_TAGS + 1)), Err(Limit::HtmlTags(MAX_HTML_TAGS + 1)));
}

#[test]
fn unclosed_formatting_tags_before_many_paragraphs_are_bounded() {
    // Five distinct open <b> tags cost 1 + 2 + 3 + 4 + 5 as they come, then
    // five at the start of every later paragraph.
    let post = |paragraphs: usize| {
        let open: String = (1..=5).map(|n| format!("<b title=\"{n}\">")).collect();
        format!("{open}\n\n{}", "x\n\n".repeat(paragraphs))
    };
    assert!(to_html(&post((MAX_REOPENED - 15) / 5)).is_ok());
    assert_eq!(to_html(&post((MAX_REOPENED - 15) / 5 + 1)), Err(Limit::Reopened(MAX_REOPENED + 5)));
    // Closed, or repeated alike, they stay far below.
    let closed = format!("{}\n\n{}", "<b>x</b> ".repeat(200), "x\n\n".repeat(5_000));
    assert!(to_html(&closed).is_ok());
}

#[test]
fn open_html_elements_times_later_paragraphs_are_bounded() {
    // A hundred <div> on one line cost 100 x 100, then 100 per paragraph.
    let post = |paragraphs: usize| format!("{}\n\n{}", "<div>".repeat(100), "x\n\n".repeat(paragraphs));
    let fits = (MAX_OPEN_HTML - 100 * 100) / 100;
    assert!(to_html(&post(fits)).is_ok());
    assert_eq!(to_html(&post(fits + 1)), Err(Limit::OpenHtml(MAX_OPEN_HTML + 100)));
    // Void elements never stay open.
    assert!(to_html(&format!("{}\n\n{}", "<br>".repeat(900), "x\n\n".repeat(30_000))).is_ok());
}

#[test]
fn rendered_html_is_bounded_before_sanitising() {
    let mut html = Bounded { html: String::new() };
    assert!(html.write_str(&"a".repeat(MAX_HTML_BYTES)).is_ok());
    assert!(html.write_str("a").is_err());
    assert_eq!(html.html.len(), MAX_HTML_BYTES);
}

#[test]
fn limits_read_as_sentences_on_the_body_field() {
    let error = render(&">".repeat(30_000)).err().map(|e| e.problem());
    let errors = error.and_then(|p| p.errors).unwrap_or_default();
    assert_eq!(
        errors.get("body").map(Vec::as_slice),
        Some(&["quotes and lists may nest at most 16 levels; this post nests 30000".to_owned()][..])
    );
}

#[test]
fn times_become_time_elements_outside_code_only() {
    let r = render_post(
        "Board call [date=2023-12-14 time=15:00 timezone=\"Europe/London\"], not `[date=x]`.\n\n\
         ```\n[date=2023-12-14 time=15:00 timezone=CET]\n```\n\n\
         <time datetime=\"1999-01-01\">forged</time> ![at [date=2023-12-14 time=15:00 timezone=UTC]](/a.png)",
        &Mentions::default(),
    )
    .expect("renders");
    assert_eq!(r.dates.len(), 1, "{r:?}");
    assert!(
        r.html
            .contains("<time class=\"quorum-date\" datetime=\"2023-12-14T15:00:00Z\" data-timezone=\"Europe/London\""),
        "{}",
        r.html
    );
    assert!(r.html.contains("<code>[date=x]</code>"), "{}", r.html);
    assert!(r.html.contains("timezone=CET]"), "code blocks stay as written: {}", r.html);
    assert!(!r.html.contains("1999") && r.html.contains("forged"), "raw time tags lose the tag: {}", r.html);
    assert!(r.html.contains("alt=\"at 2023-12-14T15:00\""), "{}", r.html);
    assert!(!r.html.contains('\u{E000}'), "{}", r.html);
    assert_eq!(super::dates::from_html(&r.html), r.dates);
}

#[test]
fn a_wrong_time_refuses_the_post_with_the_reason() {
    let err = to_html("Meet at [date=2023-12-14 time=16:00 timezone=\"CET\"]");
    assert!(err.as_ref().is_err_and(|e| e.to_string().contains("Europe/Paris")), "{err:?}");
    let many = "[date=2023-12-14 time=16:00 timezone=UTC] ".repeat(super::dates::MAX_DATES + 1);
    assert_eq!(to_html(&many), Err(Limit::Dates(super::dates::MAX_DATES + 1)));
}

#[test]
fn attachments_stay_inline_images_and_file_links() {
    let id = "0123456789abcdef0123456789abcdef";
    let markdown = format!(
        "![site visit.png](/api/v1/uploads/{id}/site-visit.png)\n\n[report.pdf](/api/v1/uploads/{id}/report.pdf)"
    );
    let html = rendered(&markdown);
    assert!(
        html.contains(&format!(r#"<img src="/api/v1/uploads/{id}/site-visit.png" alt="site visit.png">"#)),
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"<a href="/api/v1/uploads/{id}/report.pdf" rel="nofollow noopener">report.pdf</a>"#)),
        "{html}"
    );
}
