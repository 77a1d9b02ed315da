//! Server-sent events, parsed by hand: the browser's `EventSource` cannot
//! send an `Authorization` header, so the app reads `GET /stream` with
//! `fetch` and feeds the bytes here. Follows the HTML standard's parsing
//! rules (fields, comments, `id`, `retry`, any line ending), without a browser.

/// One dispatched event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    /// `event:`, or `message` when the event named none.
    pub event: String,
    /// The `data:` lines joined with newlines.
    pub data: String,
    /// The last event id seen so far on this stream (ids persist across events).
    pub id: Option<String>,
}

/// Bytes in, events out. Keep one per stream; [`SseParser::reconnected`]
/// keeps the last id for `Last-Event-ID` and drops a half-received event.
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    /// The previous chunk ended in `\r`: a `\n` starting the next one belongs to it.
    after_cr: bool,
    event: String,
    data: String,
    has_data: bool,
    /// The `id:` read for the event being received; it becomes `last_id`
    /// when that event ends (a half-received event's id does not count).
    id_buffer: Option<String>,
    last_id: Option<String>,
    retry_ms: Option<u32>,
}

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// The id to send as `Last-Event-ID` when reconnecting.
    pub fn last_id(&self) -> Option<&str> {
        self.last_id.as_deref().filter(|id| !id.is_empty())
    }

    /// The reconnection delay the server asked for (`retry:`), if any.
    pub fn retry_ms(&self) -> Option<u32> {
        self.retry_ms
    }

    /// A new connection starts: forget a partly received event.
    pub fn reconnected(&mut self) {
        self.line.clear();
        self.after_cr = false;
        self.event.clear();
        self.data.clear();
        self.has_data = false;
        self.id_buffer = self.last_id.clone();
    }

    /// Feeds a chunk of the body; returns the events it completed.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut out = Vec::new();
        for &b in bytes {
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    continue;
                }
            }
            match b {
                b'\n' => self.end_line(&mut out),
                b'\r' => {
                    self.after_cr = true;
                    self.end_line(&mut out);
                }
                _ => self.line.push(b),
            }
        }
        out
    }

    fn end_line(&mut self, out: &mut Vec<SseEvent>) {
        let line = std::mem::take(&mut self.line);
        let line = String::from_utf8_lossy(&line);
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (&*line, ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.id_buffer = Some(value.to_string()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry_ms = value.parse().ok();
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        self.last_id = self.id_buffer.clone();
        let event = std::mem::take(&mut self.event);
        let mut data = std::mem::take(&mut self.data);
        if !std::mem::take(&mut self.has_data) {
            return;
        }
        if data.ends_with('\n') {
            data.pop();
        }
        let event = if event.is_empty() { "message".to_string() } else { event };
        out.push(SseEvent { event, data, id: self.last_id.clone() });
    }
}

/// How long to wait before reconnection attempt `attempt` (1 = the first
/// after a drop): the server's `retry` doubled per failure, capped at a
/// minute, plus up to a fifth more from `jitter` (0..1) so that many
/// clients dropped together do not all come back in the same instant.
pub fn backoff_ms(retry_ms: u32, attempt: u32, jitter: f64) -> u32 {
    let base = u64::from(retry_ms.max(500));
    let doubled = base.saturating_mul(1u64 << attempt.saturating_sub(1).min(10));
    let capped = doubled.min(60_000);
    let extra = (capped as f64 * 0.2 * jitter.clamp(0.0, 1.0)) as u64;
    (capped + extra) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(event: &str, data: &str, id: Option<&str>) -> SseEvent {
        SseEvent { event: event.into(), data: data.into(), id: id.map(String::from) }
    }

    #[test]
    fn events_with_ids_names_and_comments() {
        let mut p = SseParser::new();
        let got = p.feed(
            b"retry: 3000\n\n: keep-alive\n\nid: 7\nevent: post\ndata: {\"post_id\":1}\n\nevent: notifications\ndata: {\"unread\":2}\n\n",
        );
        assert_eq!(
            got,
            vec![ev("post", "{\"post_id\":1}", Some("7")), ev("notifications", "{\"unread\":2}", Some("7"))]
        );
        assert_eq!(p.retry_ms(), Some(3000));
        assert_eq!(p.last_id(), Some("7"));
    }

    #[test]
    fn chunks_split_anywhere_even_inside_a_character() {
        let whole = "id: 12\nevent: post\ndata: naïve\ndata: second line\n\n".as_bytes();
        for cut in 0..whole.len() {
            let mut p = SseParser::new();
            let mut got = p.feed(&whole[..cut]);
            got.extend(p.feed(&whole[cut..]));
            assert_eq!(got, vec![ev("post", "naïve\nsecond line", Some("12"))], "cut at {cut}");
        }
    }

    #[test]
    fn crlf_and_cr_line_endings() {
        let mut p = SseParser::new();
        let mut got = p.feed(b"data: a\r");
        got.extend(p.feed(b"\n\r\ndata:b\r\r"));
        assert_eq!(got, vec![ev("message", "a", None), ev("message", "b", None)]);
    }

    #[test]
    fn an_event_without_data_is_not_dispatched_but_its_id_counts() {
        let mut p = SseParser::new();
        assert!(p.feed(b"id: 40\nevent: post\n\n").is_empty());
        assert_eq!(p.last_id(), Some("40"));
        // The event name does not leak into the next event.
        assert_eq!(p.feed(b"data: x\n\n"), vec![ev("message", "x", Some("40"))]);
    }

    #[test]
    fn a_reconnect_drops_the_partial_event_and_keeps_the_id() {
        let mut p = SseParser::new();
        p.feed(b"id: 5\ndata: done\n\nid: 6\ndata: half");
        p.reconnected();
        assert_eq!(p.last_id(), Some("5"));
        assert_eq!(p.feed(b"data: fresh\n\n"), vec![ev("message", "fresh", Some("5"))]);
    }

    #[test]
    fn invalid_retry_and_unknown_fields_are_ignored() {
        let mut p = SseParser::new();
        assert_eq!(p.feed(b"retry: soon\nfoo: bar\ndata\n\n"), vec![ev("message", "", None)]);
        assert_eq!(p.retry_ms(), None);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_ms(3000, 1, 0.0), 3000);
        assert_eq!(backoff_ms(3000, 2, 0.0), 6000);
        assert_eq!(backoff_ms(3000, 3, 0.0), 12_000);
        assert_eq!(backoff_ms(3000, 30, 0.0), 60_000);
        assert_eq!(backoff_ms(3000, 1, 1.0), 3600);
        // A server asking for 0 ms still gets a pause.
        assert_eq!(backoff_ms(0, 1, 0.0), 500);
    }
}
