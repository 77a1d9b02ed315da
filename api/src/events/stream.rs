//! Live updates over server-sent events: each open stream gets, from the
//! next event on, only what its viewer may read at that moment. Events
//! carry ids, never content (the client fetches that through the API, which
//! checks again); a reconnecting client sends `Last-Event-ID` and catches up.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::web::Bytes;
use diesel::prelude::*;
use serde_json::json;
use tokio::sync::mpsc;

use crate::db::policy::Viewer;
use crate::db::queries::audiences::{self, Builtins};
use crate::db::queries::events::{self, EventRow, Kind};
use crate::db::queries::{notifications, users};
use crate::db::schema::{categories, posts, threads};
use crate::db::{AnyConnection, Db};
use crate::error::ApiError;

/// How many messages may wait for a slow client before its stream is
/// closed (it reconnects and catches up from `Last-Event-ID`).
pub const QUEUE: usize = 256;
/// Most events replayed to a reconnecting client.
const REPLAY_LIMIT: i64 = 1000;

struct Connection {
    viewer: Viewer,
    /// Its groups changed: resolve the viewer again before the next event.
    stale: bool,
    tx: mpsc::Sender<Bytes>,
}

#[derive(Default)]
pub struct Hub {
    connections: Mutex<HashMap<u64, Connection>>,
    next: AtomicI64,
    /// Where this instance's dispatcher started: older ids may be replayed.
    start: AtomicI64,
    /// Shutting down: streams are closed, new ones end after their opening.
    closing: std::sync::atomic::AtomicBool,
}

/// Sent to every open stream when the server shuts down: reconnect after
/// this many milliseconds (to another instance, or this one restarted),
/// with `Last-Event-ID`, and nothing is missed.
pub const SHUTDOWN_RETRY_MS: u64 = 5000;

/// Keeps a connection registered; dropping it (the client went away) unregisters it.
pub struct Registration {
    hub: Arc<Hub>,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(mut connections) = self.hub.connections.lock() {
            connections.remove(&self.id);
        }
    }
}

/// What an event is about, for the cache of who may see it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Subject {
    Post(i64),
    Thread(i64),
}

/// Who may see an event about a post (or a thread): the groups of each level.
struct PostFacts {
    levels: Vec<Vec<i64>>,
    author_id: i64,
    live: bool,
}

impl Hub {
    pub fn set_start(&self, id: i64) {
        self.start.store(id, Ordering::Relaxed);
    }

    /// Open streams, for metrics and tests.
    pub fn open(&self) -> usize {
        self.connections.lock().map_or(0, |c| c.len())
    }

    /// Closes every open stream with a retry hint, and every stream opened
    /// from now on right after its opening messages.
    pub fn close_all(&self) {
        self.closing.store(true, Ordering::Relaxed);
        let closed = match self.connections.lock() {
            Ok(mut connections) => {
                let goodbye = Bytes::from(format!("retry: {SHUTDOWN_RETRY_MS}\n\n"));
                for connection in connections.values() {
                    let _ = connection.tx.try_send(goodbye.clone());
                }
                // Dropping the senders ends each stream once its queue is sent.
                connections.drain().count()
            }
            Err(_) => 0,
        };
        if closed > 0 {
            tracing::info!(closed, "closed the live streams");
        }
    }

    pub fn register(self: &Arc<Self>, viewer: Viewer, tx: mpsc::Sender<Bytes>) -> Registration {
        let id = self.next.fetch_add(1, Ordering::Relaxed) as u64;
        if self.closing.load(Ordering::Relaxed) {
            let _ = tx.try_send(Bytes::from(format!("retry: {SHUTDOWN_RETRY_MS}\n\n")));
            return Registration { hub: Arc::clone(self), id };
        }
        if let Ok(mut connections) = self.connections.lock() {
            connections.insert(id, Connection { viewer, stale: false, tx });
        }
        Registration { hub: Arc::clone(self), id }
    }

    /// Sends each stream what its viewer may see of `batch`.
    pub fn deliver(&self, db: &Db, builtins: &Builtins, batch: &[EventRow]) {
        let outcome = db.read_blocking(|conn| {
            let mut facts: HashMap<Subject, Option<PostFacts>> = HashMap::new();
            for event in batch {
                self.mark_stale(event);
                let Ok(mut connections) = self.connections.lock() else { return Ok(()) };
                // Resolve again the viewers whose rights changed.
                for connection in connections.values_mut().filter(|c| c.stale) {
                    if let Some(user) = connection.viewer.user_id() {
                        match users::viewer(conn, builtins, user, None, connection.viewer.credential.clone(), None) {
                            Ok(fresh) => connection.viewer = fresh,
                            // Suspended or gone: nothing more for them.
                            Err(_) => connection.viewer.principals.clear(),
                        }
                    }
                    connection.stale = false;
                }
                let mut closed = Vec::new();
                for (id, connection) in connections.iter() {
                    if let Some(message) = message_for(conn, &connection.viewer, event, &mut facts)? {
                        if connection.tx.try_send(message).is_err() {
                            closed.push(*id);
                        }
                    }
                }
                for id in closed {
                    connections.remove(&id);
                }
            }
            Ok(())
        });
        if let Err(e) = outcome {
            tracing::warn!(error = %e, "delivering live events failed");
        }
    }

    fn mark_stale(&self, event: &EventRow) {
        let Some(kind) = Kind::parse(&event.kind) else { return };
        let everyone = matches!(kind, Kind::GroupDeleted);
        let one = matches!(kind, Kind::MemberAdded | Kind::MemberRemoved | Kind::UserSuspended | Kind::UserUnsuspended);
        if !(everyone || one) {
            return;
        }
        if let Ok(mut connections) = self.connections.lock() {
            for connection in connections.values_mut() {
                if everyone || (one && connection.viewer.user_id() == event.user_id) {
                    connection.stale = true;
                }
            }
        }
    }

    /// What a client reconnecting after `last_id` missed, as its viewer may see it now.
    pub fn replay(&self, conn: &mut AnyConnection, viewer: &Viewer, last_id: i64) -> Result<Vec<Bytes>, ApiError> {
        let newest = events::newest(conn)?;
        if newest - last_id > REPLAY_LIMIT {
            // Too much to replay: the client reloads what it shows.
            return Ok(vec![frame(None, "reset", &json!({}))]);
        }
        let mut facts = HashMap::new();
        let mut out = Vec::new();
        for event in events::after(conn, last_id, REPLAY_LIMIT)? {
            if let Some(message) = message_for(conn, viewer, &event, &mut facts)? {
                out.push(message);
            }
        }
        Ok(out)
    }
}

/// One SSE frame.
pub fn frame(id: Option<i64>, event: &str, data: &serde_json::Value) -> Bytes {
    let id = id.map(|id| format!("id: {id}\n")).unwrap_or_default();
    Bytes::from(format!("{id}event: {event}\ndata: {data}\n\n"))
}

fn load_facts(conn: &mut AnyConnection, post_id: i64) -> Result<Option<PostFacts>, ApiError> {
    type Row = (
        i64,
        Option<i64>,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
        Option<i64>,
        Option<chrono::NaiveDateTime>,
        i64,
    );
    let row: Option<Row> = posts::table
        .inner_join(threads::table.inner_join(categories::table))
        .filter(posts::id.eq(post_id))
        .select((
            posts::author_id,
            posts::audience_id,
            posts::deleted_at,
            posts::hidden_at,
            threads::audience_id,
            threads::deleted_at,
            categories::audience_id,
        ))
        .first(conn)
        .optional()?;
    let Some((author_id, post_audience, deleted, hidden, thread_audience, thread_deleted, category_audience)) = row
    else {
        return Ok(None);
    };
    let mut levels = vec![audiences::load(conn, category_audience)?.group_ids];
    for audience in [thread_audience, post_audience].into_iter().flatten() {
        levels.push(audiences::load(conn, audience)?.group_ids);
    }
    Ok(Some(PostFacts { levels, author_id, live: deleted.is_none() && thread_deleted.is_none() && hidden.is_none() }))
}

/// Who may read a thread (its event and date poll go with it).
fn load_thread_facts(conn: &mut AnyConnection, thread_id: i64) -> Result<Option<PostFacts>, ApiError> {
    let row: Option<(i64, Option<i64>, Option<chrono::NaiveDateTime>, i64)> = threads::table
        .inner_join(categories::table)
        .filter(threads::id.eq(thread_id))
        .select((threads::author_id, threads::audience_id, threads::deleted_at, categories::audience_id))
        .first(conn)
        .optional()?;
    let Some((author_id, thread_audience, deleted, category_audience)) = row else { return Ok(None) };
    let mut levels = vec![audiences::load(conn, category_audience)?.group_ids];
    if let Some(audience) = thread_audience {
        levels.push(audiences::load(conn, audience)?.group_ids);
    }
    Ok(Some(PostFacts { levels, author_id, live: deleted.is_none() }))
}

fn may_read(viewer: &Viewer, facts: &PostFacts) -> bool {
    facts.live && facts.levels.iter().all(|groups| viewer.is_in(groups))
}

/// The frame `viewer` gets for `event`, if any.
fn message_for(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    event: &EventRow,
    facts: &mut HashMap<Subject, Option<PostFacts>>,
) -> Result<Option<Bytes>, ApiError> {
    let Some(kind) = Kind::parse(&event.kind) else { return Ok(None) };
    let Some(me) = viewer.user_id() else { return Ok(None) };
    if viewer.principals.is_empty() {
        return Ok(None);
    }
    let name = match kind {
        Kind::ThreadCreated | Kind::PostCreated | Kind::PostEdited => "post",
        Kind::PostLiked | Kind::PostUnliked => "like",
        Kind::NotificationCreated => {
            if event.user_id != Some(me) {
                return Ok(None);
            }
            let unread = notifications::unread_count(conn, viewer)?;
            return Ok(Some(frame(Some(event.id), "notifications", &json!({ "unread": unread }))));
        }
        // A thread's event or date poll changed (or was answered): those
        // who read the thread fetch it again.
        Kind::EventScheduled
        | Kind::EventChanged
        | Kind::EventCancelled
        | Kind::EventAnswered
        | Kind::PollChanged
        | Kind::PollAnswered => {
            let Some(thread_id) = event.thread_id else { return Ok(None) };
            let subject = Subject::Thread(thread_id);
            if let std::collections::hash_map::Entry::Vacant(slot) = facts.entry(subject) {
                slot.insert(load_thread_facts(conn, thread_id)?);
            }
            let Some(Some(thread)) = facts.get(&subject) else { return Ok(None) };
            if !may_read(viewer, thread) {
                return Ok(None);
            }
            let data = json!({ "kind": kind.as_str(), "thread_id": thread_id });
            return Ok(Some(frame(Some(event.id), "meeting", &data)));
        }
        _ => return Ok(None),
    };
    let Some(post_id) = event.post_id else { return Ok(None) };
    let subject = Subject::Post(post_id);
    if let std::collections::hash_map::Entry::Vacant(slot) = facts.entry(subject) {
        slot.insert(load_facts(conn, post_id)?);
    }
    let Some(Some(post)) = facts.get(&subject) else { return Ok(None) };
    if !may_read(viewer, post) || (name == "like" && post.author_id != me) {
        return Ok(None);
    }
    let data = json!({ "kind": kind.as_str(), "thread_id": event.thread_id, "post_id": post_id });
    Ok(Some(frame(Some(event.id), name, &data)))
}
