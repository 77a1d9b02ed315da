//! Where a post's links and images may point. Images load only from this
//! site: an image elsewhere would tell that host who reads the post, so it
//! becomes a link instead. Bare URLs in text become links.

use std::sync::OnceLock;

use linkify::{LinkFinder, LinkKind};
use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

/// Whether a browser would load `url` from the page's own origin: a path
/// (`/uploads/a.png`) or a relative reference, but not `//host/…` nor
/// anything with a scheme.
pub fn is_same_origin(url: &str) -> bool {
    // Browsers drop surrounding spaces and controls and every tab or newline,
    // and read `\` as `/`, before they resolve a URL.
    let url: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .map(|c| if c == '\\' { '/' } else { c })
        .collect();
    if url.starts_with("//") {
        return false;
    }
    let first_part = url.split(['/', '?', '#']).next().unwrap_or("");
    !first_part.contains(':')
}

/// An off-site image being turned into a link: its alt text is gathered
/// until the image ends.
struct OffsiteImage<'a> {
    dest_url: CowStr<'a>,
    title: CowStr<'a>,
    alt: String,
    depth: usize,
    inside_link: bool,
}

/// Rewrites events on their way to the HTML writer.
#[derive(Default)]
pub struct Links<'a> {
    in_link: usize,
    in_image: usize,
    in_code_block: bool,
    offsite: Option<OffsiteImage<'a>>,
}

impl<'a> Links<'a> {
    /// `in_raw_link`: a raw `<a>` is open, so its text must not gain links.
    pub fn push(&mut self, event: Event<'a>, in_raw_link: bool, out: &mut Vec<Event<'a>>) {
        if let Some(image) = self.offsite.as_mut() {
            match event {
                Event::Start(Tag::Image { .. }) => image.depth += 1,
                Event::End(TagEnd::Image) => image.depth -= 1,
                Event::Text(text)
                | Event::Code(text)
                | Event::InlineMath(text)
                | Event::DisplayMath(text)
                | Event::Html(text)
                | Event::InlineHtml(text) => image.alt.push_str(&text),
                Event::SoftBreak | Event::HardBreak => image.alt.push(' '),
                _ => {}
            }
            if image.depth == 0 {
                if let Some(image) = self.offsite.take() {
                    image.finish(out);
                }
            }
            return;
        }
        match event {
            Event::Start(Tag::Image { ref dest_url, .. }) if !is_same_origin(dest_url) => {
                if let Event::Start(Tag::Image { dest_url, title, .. }) = event {
                    let inside_link = self.in_link > 0 || in_raw_link;
                    self.offsite = Some(OffsiteImage { dest_url, title, alt: String::new(), depth: 1, inside_link });
                }
                return;
            }
            Event::Start(Tag::Image { .. }) => self.in_image += 1,
            Event::End(TagEnd::Image) => self.in_image = self.in_image.saturating_sub(1),
            Event::Start(Tag::Link { .. }) => self.in_link += 1,
            Event::End(TagEnd::Link) => self.in_link = self.in_link.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => self.in_code_block = true,
            Event::End(TagEnd::CodeBlock) => self.in_code_block = false,
            Event::Text(text) if self.in_link == 0 && self.in_image == 0 && !self.in_code_block && !in_raw_link => {
                return autolink(text, out);
            }
            _ => {}
        }
        out.push(event);
    }
}

impl<'a> OffsiteImage<'a> {
    fn finish(self, out: &mut Vec<Event<'a>>) {
        let text = if self.alt.trim().is_empty() { self.dest_url.to_string() } else { self.alt };
        if self.inside_link {
            // A link cannot hold another: the text joins the enclosing one.
            out.push(Event::Text(text.into()));
            return;
        }
        out.push(Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: self.dest_url,
            title: self.title,
            id: CowStr::Borrowed(""),
        }));
        out.push(Event::Text(text.into()));
        out.push(Event::End(TagEnd::Link));
    }
}

fn finder() -> &'static LinkFinder {
    static FINDER: OnceLock<LinkFinder> = OnceLock::new();
    FINDER.get_or_init(|| {
        let mut finder = LinkFinder::new();
        // Without a scheme too, for `www.` addresses; other bare domains
        // are skipped below (a file name like `notes.md` is not a link).
        finder.kinds(&[LinkKind::Url]).url_must_have_scheme(false);
        finder
    })
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Where a bare URL should point, for the ones that become links.
fn destination(found: &str) -> Option<String> {
    if starts_with_ignore_case(found, "http://") || starts_with_ignore_case(found, "https://") {
        Some(found.to_owned())
    } else if starts_with_ignore_case(found, "www.") {
        Some(format!("https://{found}"))
    } else {
        None
    }
}

/// Text with its bare `http(s)://` and `www.` URLs turned into links;
/// linkify leaves trailing punctuation outside.
fn autolink<'a>(text: CowStr<'a>, out: &mut Vec<Event<'a>>) {
    let mut done = 0;
    for found in finder().links(&text) {
        let Some(dest_url) = destination(found.as_str()) else { continue };
        if found.start() > done {
            out.push(Event::Text(text[done..found.start()].to_owned().into()));
        }
        out.push(Event::Start(Tag::Link {
            link_type: LinkType::Autolink,
            dest_url: dest_url.into(),
            title: CowStr::Borrowed(""),
            id: CowStr::Borrowed(""),
        }));
        out.push(Event::Text(found.as_str().to_owned().into()));
        out.push(Event::End(TagEnd::Link));
        done = found.end();
    }
    if done == 0 {
        out.push(Event::Text(text));
    } else if done < text.len() {
        out.push(Event::Text(text[done..].to_owned().into()));
    }
}

#[cfg(test)]
mod tests {
    use super::is_same_origin;

    #[test]
    fn only_paths_and_relative_references_are_same_origin() {
        for local in ["/uploads/a.png", "a.png", "img/a.png", "./a.png", "?x=1", "#top", "a.png?u=http://x"] {
            assert!(is_same_origin(local), "{local}");
        }
        for remote in [
            "https://tracker.example/p.png",
            "http://x.example/a.png",
            "//host.example/a.png",
            "\\\\host.example/a.png",
            "/\\host.example/a.png",
            " //host.example/a.png",
            "/\t/host.example/a.png",
            "HTTPS://x.example/a.png",
            "data:image/png;base64,AAAA",
            "javascript:alert(1)",
        ] {
            assert!(!is_same_origin(remote), "{remote}");
        }
    }
}
