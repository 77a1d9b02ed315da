//! After commit: the event log fans out to its subscribers, from one thread
//! per instance that wakes on every local commit and, for what other
//! instances on the same PostgreSQL wrote, polls.
//!
//! Two kinds of subscriber:
//! - once per forum (notifications, e-mail): each keeps its place in
//!   `dispatch_cursors`, locked while it works, so instances sharing the
//!   database take turns and nothing is handled twice;
//! - once per instance (live streams): every instance sees every event,
//!   from its own place in memory.

pub mod mail;
pub mod notify;
pub mod stream;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;

use crate::db::queries::audiences::Builtins;
use crate::db::queries::events::{self, EventRow};
use crate::db::schema::dispatch_cursors;
use crate::db::{on_inner, AnyConnection, BackendKind, Db};
use crate::error::ApiError;

/// Events one subscriber takes in one transaction.
const BATCH: i64 = 100;

/// The dispatcher's passes, for `/metrics`: an idle forum's dispatcher
/// makes one per poll interval, a busy one one per commit (or batch).
pub static DISPATCHER_PASSES: std::sync::LazyLock<prometheus_client::metrics::counter::Counter> =
    std::sync::LazyLock::new(Default::default);

/// Stops the dispatcher thread when dropped or asked.
#[derive(Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    pub fn stop(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether stopping was asked for.
    pub fn is_stopped(&self) -> bool {
        self.stopped()
    }

    fn stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Starts the dispatcher thread. Once `stop` is set it makes one last pass
/// (notifications and mail for every event committed so far), then ends.
pub fn start(
    db: Db,
    builtins: Builtins,
    hub: Arc<stream::Hub>,
    mailer: Option<mail::Mailer>,
    stop: Stop,
) -> Option<std::thread::JoinHandle<()>> {
    // Another instance's commit wakes nobody here: look every so often.
    let poll = match db.kind() {
        BackendKind::Postgres => Duration::from_millis(200),
        BackendKind::Sqlite => Duration::from_secs(1),
    };
    let spawned = std::thread::Builder::new().name("quorum-events".into()).spawn(move || {
        let commits = db.commits();
        let mut seen = commits.current();
        let mut cursor = match db.read_blocking(events::newest) {
            Ok(id) => id,
            Err(e) => {
                tracing::error!(error = %e, "the event dispatcher cannot start");
                return;
            }
        };
        hub.set_start(cursor);
        let mut last_pass = false;
        // Handling events records events of its own (a notification is
        // one), which this thread's quiet writes wake nobody for: after a
        // pass that handled something, go round again at once.
        let mut again = false;
        while !last_pass {
            if !again {
                seen = commits.wait_after(seen, poll);
            }
            DISPATCHER_PASSES.inc();
            last_pass = stop.stopped();
            again = false;
            match once(&db, "notify", |conn, batch| notify::handle(conn, &builtins, batch)) {
                Ok(handled) => again |= handled > 0,
                Err(e) => tracing::warn!(error = %e, "notifying failed; will retry"),
            }
            if let Some(mailer) = &mailer {
                match once(&db, "mail", mail::enqueue) {
                    Ok(handled) => again |= handled > 0,
                    Err(e) => tracing::warn!(error = %e, "queueing mail failed; will retry"),
                }
                if let Err(e) = db.write_blocking_quiet(mail::enqueue_digests) {
                    tracing::warn!(error = %e, "queueing digests failed; will retry");
                }
                mailer.wake();
            }
            match db.read_blocking(|conn| events::after(conn, cursor, BATCH * 5)) {
                Ok(batch) => {
                    if let Some(last) = batch.last() {
                        cursor = last.id;
                        hub.deliver(&db, &builtins, &batch);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "reading events for live streams failed; will retry"),
            }
        }
    });
    match spawned {
        Ok(handle) => Some(handle),
        Err(e) => {
            tracing::error!(error = %e, "cannot start the event dispatcher");
            None
        }
    }
}

/// Runs a once-per-forum subscriber over the events after its place, in one
/// transaction that also moves its place on; returns how many it handled.
fn once(
    db: &Db,
    name: &str,
    handle: impl Fn(&mut AnyConnection, &[EventRow]) -> Result<(), ApiError>,
) -> Result<usize, ApiError> {
    let mut total = 0;
    loop {
        let handled = db.write_blocking_quiet(|conn| {
            let start = events::newest(conn)?;
            let row = (dispatch_cursors::name.eq(name), dispatch_cursors::last_event_id.eq(start));
            on_inner!(conn, |c| diesel::insert_into(dispatch_cursors::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(c))?;
            // A write first: PostgreSQL locks the row, so instances take turns.
            diesel::update(dispatch_cursors::table.find(name))
                .set(dispatch_cursors::last_event_id.eq(dispatch_cursors::last_event_id))
                .execute(conn)?;
            let cursor: i64 = dispatch_cursors::table.find(name).select(dispatch_cursors::last_event_id).first(conn)?;
            let batch = events::after(conn, cursor, BATCH)?;
            let Some(last) = batch.last().map(|e| e.id) else { return Ok(0) };
            handle(conn, &batch)?;
            diesel::update(dispatch_cursors::table.find(name))
                .set(dispatch_cursors::last_event_id.eq(last))
                .execute(conn)?;
            Ok(batch.len())
        })?;
        total += handled;
        if handled < BATCH as usize {
            return Ok(total);
        }
    }
}
