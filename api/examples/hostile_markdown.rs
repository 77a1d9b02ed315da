//! Renders hostile and worst-case Markdown through the post renderer and
//! prints, per case, what came out and how long it took, then the slowest
//! accepted case and the slowest overall. Run in release:
//! `cargo run --release -p quorum --example hostile_markdown` (or
//! `cargo xtask bench-markdown`); an argument picks the cases whose name
//! contains it.

use std::time::{Duration, Instant};

use quorum::markdown::{self, MAX_CHARS, MAX_HTML_TAGS, MAX_NESTING, MAX_OPEN_HTML, MAX_REOPENED, MAX_TABLE_CELLS};

/// `unit` repeated to fill `budget` characters.
fn fill(unit: &str, budget: usize) -> String {
    unit.repeat(budget / unit.chars().count().max(1))
}

/// Lines produced by `line(n)` for n = 0, 1, … while they fit in `budget`.
fn lines(budget: usize, line: impl Fn(usize) -> String) -> String {
    let mut out = String::new();
    for n in 0.. {
        let next = line(n);
        if out.len() + next.len() > budget {
            break;
        }
        out.push_str(&next);
    }
    out
}

fn table(columns: usize, rows: &str, budget: usize) -> String {
    let head = format!("{}|\n{}|\n", "|a".repeat(columns), "|-".repeat(columns));
    let room = budget.saturating_sub(head.len());
    format!("{head}{}", rows.repeat(room / rows.len().max(1)))
}

/// Distinct open formatting tags, then as many paragraphs as the re-opening
/// budget allows (each new paragraph re-creates every open tag).
fn open_formatting(distinct: usize) -> String {
    let open: String = (0..distinct).map(|n| format!("<b title=\"{n}\">")).collect();
    let paragraphs = (MAX_REOPENED - distinct * (distinct + 1) / 2) / distinct;
    let paragraphs = paragraphs.min((MAX_CHARS - open.len() - 2) / 3);
    format!("{open}\n\n{}", "x\n\n".repeat(paragraphs))
}

fn corpus() -> Vec<(String, String)> {
    let max = MAX_CHARS;
    let deepest = MAX_NESTING;
    let mut cases: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, body: String| cases.push((name.to_owned(), body));

    // Nesting, refused.
    add("99,000 >", ">".repeat(99_000));
    add("30,000 >", ">".repeat(30_000));
    add("nested lists by marker", fill("- ", max - 1) + "a");
    add("nested ordered lists", fill("1. ", max - 1) + "a");
    add("mixed > - 1. on one line", fill("> - 1. ", max - 1) + "a");
    add("nested lists by indentation", lines(max, |n| format!("{}- a\n", "  ".repeat(n))));
    // Nesting, as deep as allowed, everywhere.
    add("16 quotes per line", lines(max, |_| format!("{} a\n\n", ">".repeat(deepest))));
    add("16 mixed levels per line", {
        let markers = ["> ", "- ", "1. "];
        let line: String = (0..deepest).map(|n| markers[n % 3]).collect();
        lines(max, |_| format!("{line}a\n\n"))
    });
    add(
        "16 nested quotes, long",
        format!("{}\n", ">".repeat(deepest)) + &lines(max - 20, |_| format!("{} a\n", ">".repeat(deepest))),
    );

    // Tables.
    add("2,000 columns x 40 rows", table(2_000, &format!("{}\n", "|".repeat(2_001)), 8_004 + 40 * 2_002));
    add("2,000 columns, 1-char rows", table(2_000, "a\n", max));
    add(
        "100 x 100 table (at the cell limit)",
        table(100, &format!("{}|\n", "|x".repeat(100)), 100 * 201 + 99 * 201)
            .lines()
            .take(101)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    add("1,000 columns x 9 padded rows", table(1_000, "x\n", 4_000 + 18));
    add("one-column table, 9,999 rows", format!("|a|\n|-|\n{}", "|x|\n".repeat(MAX_TABLE_CELLS - 1)));

    // Links, brackets, emphasis: pulldown-cmark and html5ever are linear here.
    add("links [a](b)", fill("[a](b)", max));
    add("brackets [[[[", fill("[", max));
    add("nested brackets [[[a]]]", fill("[", max / 2 - 1) + "a" + &fill("]", max / 2 - 1));
    add("link openers [a", fill("[a", max));
    add("unclosed link destinations", fill("[a](<b", max));
    add("* runs", fill("*", max));
    add("*a runs", fill("*a", max));
    add("_ runs", fill("_a", max));
    add("nested emphasis *_*_a_*_*", fill("*_", max / 2 - 2) + "a" + &fill("_*", max / 2 - 2));
    add("emphasis closers a**", fill("a**", max));
    add("mismatched *a_", fill("*a_ ", max));
    add("reference used 30,000 times", format!("[a]: {}\n\n{}", "u".repeat(max / 2), fill("[a] ", max / 2 - 20)));
    add("< characters", fill("<", max));
    add("backtick runs", lines(max, |n| format!("e{}", "`".repeat(n + 1))));
    add("task list items", fill("- [ ] a\n", max));

    // A 1 MB line: refused by the size limit.
    add("1 MB single line", fill("a", 1 << 20));
    add("100,000-character single line", fill("a", max));

    // Raw HTML.
    add("<div> x 20,000", fill("<div>", max));
    add(
        "1,000 open <div> then paragraphs",
        format!("{}\n\n{}", "<div>".repeat(MAX_HTML_TAGS), fill("x\n\n", max - 5 * MAX_HTML_TAGS - 2)),
    );
    add("100 open <div>, paragraphs to the limit", {
        let paragraphs = (MAX_OPEN_HTML - 100 * 100) / 100;
        format!("{}\n\n{}", "<div>".repeat(100), "x\n\n".repeat(paragraphs))
    });
    add(
        "<span> x 499 closed behind a <p>",
        format!("{}\n\nx{}\n\n{}", "<span>".repeat(499), "</span>".repeat(499), fill("x\n\n", max - 10_000)),
    );
    add(
        "1,000 <ul> then paragraphs",
        format!("{}\n\n{}", "<ul>".repeat(MAX_HTML_TAGS), fill("x\n\n", max - 4 * MAX_HTML_TAGS - 2)),
    );
    add(
        "deep emphasis around 1,000 <div>",
        fill("*_", max / 4) + "a" + &"<div>b".repeat(MAX_HTML_TAGS - 1) + &fill("_*", max / 4),
    );
    add("distinct <b> then <p> (reopening)", {
        let open: String = (0..5_000).map(|n| format!("<b a{n}>")).collect();
        format!("{open}{}", fill("<p>x", max - open.len()))
    });
    add("3 distinct <b> before 33,000 paragraphs", open_formatting(3));
    add("40 distinct <b> before paragraphs", open_formatting(40));
    add("<b>x</b> x 200, then 5,000 paragraphs", format!("{}\n\n{}", "<b>x</b> ".repeat(200), "x\n\n".repeat(5_000)));
    add("<table>x (foster parenting)", fill("<table>x", max));
    add("raw table, 1,000 tags", format!("<table>{}</table>", "<tr><td>x</td></tr>".repeat(MAX_HTML_TAGS / 4 - 1)));
    add("<!-- comments", fill("<!--", max));
    add("unclosed <textarea> then text", format!("<textarea>\n\n{}", fill("x\n\n", max - 20)));

    // Images and autolinks.
    add("off-site images", fill("![a](https://t.example/p.png) ", max));
    add("bare URLs", fill("https://example.coop/a ", max));
    add("www. addresses", fill("www.a.co ", max));
    add("www.www.www.", fill("www.", max));
    add("dotted words a.a.a.", fill("a.", max));
    add("http:// repeated", fill("http://", max));
    add("URL with many dots", format!("https://{}", fill("a.", max - 10)));

    // A long ordinary post.
    add(
        "long ordinary post",
        fill(
            "## Minutes\n\nThe board met on **Tuesday**; see [the report](https://federation.example.org/report) \
         and https://example.coop/newsletter.\n\n- budget\n- next steps\n  1. agree\n  2. vote\n\n> quoted *reply*\n\n\
         | item | cost |\n|---|---|\n| hall | 40 |\n\n",
            max,
        ),
    );
    cases
}

fn main() {
    // An argument keeps only the cases whose name contains it.
    let only = std::env::args().nth(1);
    let mut worst_accepted: Option<(String, Duration)> = None;
    let mut worst: Option<(String, Duration)> = None;
    println!("{:<44} {:>9}  {:<28} {:>10}", "case", "chars", "outcome", "time");
    for (name, body) in corpus() {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let started = Instant::now();
        let outcome = markdown::to_html(&body);
        let took = started.elapsed();
        let text = match &outcome {
            Ok(html) => format!("rendered {} bytes", html.len()),
            Err(limit) => format!("refused: {}", short(&limit.to_string())),
        };
        println!("{name:<44} {:>9}  {text:<28} {:>8.1}ms", body.chars().count(), took.as_secs_f64() * 1e3);
        if outcome.is_ok() && worst_accepted.as_ref().is_none_or(|(_, t)| took > *t) {
            worst_accepted = Some((name.clone(), took));
        }
        if worst.as_ref().is_none_or(|(_, t)| took > *t) {
            worst = Some((name, took));
        }
    }
    for (label, case) in [("slowest accepted", worst_accepted), ("slowest overall", worst)] {
        if let Some((name, took)) = case {
            println!("{label}: {name} in {:.1} ms", took.as_secs_f64() * 1e3);
        }
    }
}

/// The start of a limit's message, enough to tell which one.
fn short(message: &str) -> String {
    message.split([';', '(']).next().unwrap_or(message).chars().take(40).collect()
}
