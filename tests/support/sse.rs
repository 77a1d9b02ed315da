//! Reading a server-sent event stream in tests.

use std::time::Duration;

use futures_util::StreamExt;

use crate::TestApp;

/// One event as received.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sse {
    pub id: Option<i64>,
    pub event: String,
    pub data: serde_json::Value,
}

pub struct EventStream {
    body: std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>>>,
    buffer: String,
    pub content_type: String,
}

impl TestApp {
    /// Opens `GET /api/v1/stream` with a bearer token.
    pub async fn stream(&self, token: &str, last_event_id: Option<i64>) -> EventStream {
        open(&self.address, token, last_event_id).await
    }
}

/// Opens the stream of the server at `address`.
pub async fn open(address: &str, token: &str, last_event_id: Option<i64>) -> EventStream {
    let client = awc::Client::builder().timeout(Duration::from_secs(3600)).finish();
    let mut req =
        client.get(format!("{address}/api/v1/stream")).insert_header(("Authorization", format!("Bearer {token}")));
    if let Some(id) = last_event_id {
        req = req.insert_header(("Last-Event-ID", id.to_string()));
    }
    let resp = match req.send().await {
        Ok(resp) => resp,
        Err(e) => panic!("opening the stream: {e}"),
    };
    assert_eq!(resp.status().as_u16(), 200, "the stream answered {}", resp.status());
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    EventStream { body: Box::pin(resp), buffer: String::new(), content_type }
}

impl EventStream {
    /// The next event (comments skipped), or `None` after `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<Sse> {
        let deadline = std::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = parse(&frame) {
                    return Some(event);
                }
                continue;
            }
            let left = deadline.checked_duration_since(std::time::Instant::now())?;
            match actix_web::rt::time::timeout(left, self.body.next()).await {
                Ok(Some(Ok(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// Events until one matches, within `wait` (`None` if none did).
    pub async fn until(&mut self, wait: Duration, mut wanted: impl FnMut(&Sse) -> bool) -> Option<Sse> {
        let deadline = std::time::Instant::now() + wait;
        loop {
            let left = deadline.checked_duration_since(std::time::Instant::now())?;
            let event = self.next(left).await?;
            if wanted(&event) {
                return Some(event);
            }
        }
    }

    /// Every event within `wait`.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Sse> {
        let deadline = std::time::Instant::now() + wait;
        let mut events = Vec::new();
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.next(left).await {
                Some(event) => events.push(event),
                None => break,
            }
        }
        events
    }
}

fn parse(frame: &str) -> Option<Sse> {
    let mut event = Sse::default();
    let mut seen = false;
    for line in frame.lines() {
        if let Some(id) = line.strip_prefix("id: ") {
            event.id = id.trim().parse().ok();
        } else if let Some(name) = line.strip_prefix("event: ") {
            event.event = name.trim().to_owned();
            seen = true;
        } else if let Some(data) = line.strip_prefix("data: ") {
            event.data = serde_json::from_str(data).unwrap_or(serde_json::Value::Null);
        }
    }
    seen.then_some(event)
}
