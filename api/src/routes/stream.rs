//! `GET /stream`: live updates as server-sent events.

use std::time::Duration;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use futures_util::stream;
use serde_json::json;
use tokio::sync::mpsc;

use crate::auth::Session;
use crate::db::queries::notifications;
use crate::error::ApiError;
use crate::events::stream::{frame, QUEUE};
use crate::startup::AppState;

/// A comment this often keeps proxies from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(20);

/// Live updates for the signed-in viewer (`Authorization: Bearer`; no
/// token in the URL), as `text/event-stream`:
/// - `post`: `{kind, thread_id, post_id}` for a new or edited post the
///   viewer can read (`kind` is `thread.created`, `post.created` or `post.edited`);
/// - `like`: `{kind, thread_id, post_id}`, likes on the viewer's own posts;
/// - `meeting`: `{kind, thread_id}` when the event or date poll of a thread
///   the viewer can read is scheduled, changed, cancelled or answered
///   (`kind` is `event.scheduled`, `event.changed`, `event.cancelled`,
///   `event.answered`, `poll.changed` or `poll.answered`);
/// - `notifications`: `{unread}`, the viewer's unread count, when it changes;
/// - `reset`: too much was missed to replay: reload what is shown.
///
/// Events carry ids; reconnect with `Last-Event-ID` to get what was missed.
/// What the viewer may see is decided when each event is delivered: after
/// losing access, nothing more about that content arrives.
#[utoipa::path(
    tag = "notifications",
    params(("Last-Event-ID" = Option<i64>, Header, description = "The last event id received")),
    responses((status = 200, description = "The event stream", body = String, content_type = "text/event-stream")),
    security(("bearer" = []))
)]
#[get("/stream")]
pub async fn live(req: HttpRequest, state: web::Data<AppState>, session: Session) -> Result<HttpResponse, ApiError> {
    session.require_signed_in()?;
    let last_id: Option<i64> = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .filter(|id: &i64| *id >= 0);
    let hub = state.hub.clone();
    let (viewer, unread, missed) = session
        .read(move |conn, viewer| {
            let unread = notifications::unread_count(conn, viewer)?;
            let missed = match last_id {
                Some(last) => hub.replay(conn, viewer, last)?,
                None => Vec::new(),
            };
            Ok((viewer.clone(), unread, missed))
        })
        .await?;
    let (tx, rx) = mpsc::channel::<Bytes>(QUEUE);
    let registration = state.hub.register(viewer, tx);
    let mut first = vec![Bytes::from_static(b"retry: 3000\n\n")];
    first.extend(missed);
    first.push(frame(None, "notifications", &json!({ "unread": unread })));
    let opening = stream::iter(first.into_iter().map(Ok::<_, actix_web::Error>));
    let live = stream::unfold((rx, registration), |(mut rx, registration)| async move {
        let next = match tokio::time::timeout(KEEP_ALIVE, rx.recv()).await {
            Ok(Some(message)) => message,
            // The hub dropped this stream (too slow, or the viewer lost it all).
            Ok(None) => return None,
            Err(_) => Bytes::from_static(b": keep-alive\n\n"),
        };
        Some((Ok::<_, actix_web::Error>(next), (rx, registration)))
    });
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // Neither the compression middleware nor a proxy may hold messages back.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(futures_util::StreamExt::chain(opening, live)))
}
