//! A thread's event and members' answers to it. Everything here is read
//! through the thread's policy: whoever cannot read the thread finds no
//! event, no answers and no counts (404), and lists leave it out.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use quorum_types::{Attendee, Meeting, MeetingStatus, RsvpAnswer, RsvpCounts};
use rand::RngCore;
use serde_json::json;

use super::categories;
use super::events::{self, Kind, NewEvent};
use super::threads::{self, ThreadRow};
use super::{now, time_from_key, time_key, users, PageRequest};
use crate::db::id_list::id_in;
use crate::db::policy::actions::{can, require, Action, MeetingFacts, Target};
use crate::db::policy::{thread_readable, Viewer};
use crate::db::schema::{categories as categories_t, meeting_rsvps, meetings, posts, threads as threads_t};
use crate::db::AnyConnection;
use crate::error::ApiError;

const SCHEDULED: &str = "scheduled";
const CANCELLED: &str = "cancelled";
/// Most events one calendar feed holds.
pub const FEED_LIMIT: i64 = 500;
/// How far back a calendar feed goes: calendars keep what they saw, but a
/// member should still find last month's meeting.
pub const FEED_PAST_DAYS: i64 = 90;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = meetings)]
pub struct MeetingRow {
    pub thread_id: i64,
    pub uid: String,
    pub organiser_id: i64,
    pub title: String,
    pub start_wall: String,
    pub end_wall: String,
    pub timezone: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub place: String,
    pub link: String,
    pub description: String,
    pub status: String,
    pub sequence: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl MeetingRow {
    pub fn cancelled(&self) -> bool {
        self.status == CANCELLED
    }
}

/// A validated event, as its organiser wrote it (see `crate::calendar`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    pub title: String,
    pub start_wall: String,
    pub end_wall: String,
    pub timezone: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub place: String,
    pub link: String,
    pub description: String,
}

impl NewMeeting {
    fn same_as(&self, row: &MeetingRow) -> bool {
        self.title == row.title
            && self.start_wall == row.start_wall
            && self.end_wall == row.end_wall
            && self.timezone == row.timezone
            && self.starts_at == row.starts_at
            && self.ends_at == row.ends_at
            && self.place == row.place
            && self.link == row.link
            && self.description == row.description
    }
}

fn summary(row: &MeetingRow) -> serde_json::Value {
    json!({
        "title": row.title, "start": row.start_wall, "end": row.end_wall, "timezone": row.timezone,
        "place": row.place, "link": row.link, "status": row.status, "sequence": row.sequence,
    })
}

/// The thread's opening post: notifications about the event point at it.
fn opening_post(conn: &mut AnyConnection, thread_id: i64) -> Result<Option<i64>, ApiError> {
    Ok(posts::table
        .filter(posts::thread_id.eq(thread_id))
        .select(diesel::dsl::min(posts::id))
        .first::<Option<i64>>(conn)?)
}

fn find(conn: &mut AnyConnection, thread_id: i64) -> Result<Option<MeetingRow>, ApiError> {
    Ok(meetings::table.find(thread_id).select(MeetingRow::as_select()).first(conn).optional()?)
}

/// The event of a thread the viewer reads, with the thread, or 404.
fn readable(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread_id: i64,
) -> Result<(MeetingRow, ThreadRow, String), ApiError> {
    let (thread, category) = threads::readable_row_with_category(conn, viewer, thread_id)?;
    let row = find(conn, thread_id)?.ok_or_else(ApiError::not_found)?;
    Ok((row, thread, category.slug))
}

pub fn get(conn: &mut AnyConnection, viewer: &Viewer, thread_id: i64) -> Result<Meeting, ApiError> {
    let found = readable(conn, viewer, thread_id)?;
    Ok(to_wire(conn, viewer, vec![found])?.remove(0))
}

/// Creates or replaces the thread's event; `true` when it is new. A
/// replacement keeps the UID and raises the sequence (and schedules a
/// cancelled event again); one that changes nothing changes nothing.
pub fn put(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread_id: i64,
    new: &NewMeeting,
) -> Result<(Meeting, bool), ApiError> {
    viewer.require_account()?;
    let (thread, category) = threads::readable_row_with_category(conn, viewer, thread_id)?;
    require(viewer, Action::ScheduleEvent, Target::Thread(thread.facts(false)))?;
    let at = now();
    let opener = opening_post(conn, thread_id)?;
    let event = |kind: Kind| {
        let mut e =
            NewEvent::new(kind, format!("thread:{thread_id}")).thread(category.id, thread_id).author(thread.author_id);
        e.post_id = opener;
        e
    };
    let created = match find(conn, thread_id)? {
        None => {
            let mut bytes = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let uid = format!("{}-{thread_id}@quorum", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
            diesel::insert_into(meetings::table)
                .values((
                    meetings::thread_id.eq(thread_id),
                    meetings::uid.eq(&uid),
                    meetings::organiser_id.eq(thread.author_id),
                    meetings::title.eq(&new.title),
                    meetings::start_wall.eq(&new.start_wall),
                    meetings::end_wall.eq(&new.end_wall),
                    meetings::timezone.eq(&new.timezone),
                    meetings::starts_at.eq(new.starts_at),
                    meetings::ends_at.eq(new.ends_at),
                    meetings::place.eq(&new.place),
                    meetings::link.eq(&new.link),
                    meetings::description.eq(&new.description),
                    meetings::status.eq(SCHEDULED),
                    meetings::sequence.eq(0),
                    meetings::created_at.eq(at),
                    meetings::updated_at.eq(at),
                ))
                .execute(conn)?;
            let row = find(conn, thread_id)?.ok_or_else(ApiError::not_found)?;
            events::record(conn, viewer, event(Kind::EventScheduled).change(None, Some(summary(&row))))?;
            true
        }
        Some(old) if new.same_as(&old) && !old.cancelled() => false,
        Some(old) => {
            diesel::update(meetings::table.find(thread_id))
                .set((
                    meetings::title.eq(&new.title),
                    meetings::start_wall.eq(&new.start_wall),
                    meetings::end_wall.eq(&new.end_wall),
                    meetings::timezone.eq(&new.timezone),
                    meetings::starts_at.eq(new.starts_at),
                    meetings::ends_at.eq(new.ends_at),
                    meetings::place.eq(&new.place),
                    meetings::link.eq(&new.link),
                    meetings::description.eq(&new.description),
                    meetings::status.eq(SCHEDULED),
                    meetings::sequence.eq(old.sequence + 1),
                    meetings::updated_at.eq(at),
                ))
                .execute(conn)?;
            let row = find(conn, thread_id)?.ok_or_else(ApiError::not_found)?;
            events::record(conn, viewer, event(Kind::EventChanged).change(Some(summary(&old)), Some(summary(&row))))?;
            false
        }
    };
    Ok((get(conn, viewer, thread_id)?, created))
}

/// Cancels the event (kept, so calendars learn of it: `STATUS:CANCELLED`).
pub fn cancel(conn: &mut AnyConnection, viewer: &Viewer, thread_id: i64) -> Result<Meeting, ApiError> {
    viewer.require_account()?;
    let (row, thread, _) = readable(conn, viewer, thread_id)?;
    require(viewer, Action::ScheduleEvent, Target::Thread(thread.facts(false)))?;
    if !row.cancelled() {
        diesel::update(meetings::table.find(thread_id))
            .set((
                meetings::status.eq(CANCELLED),
                meetings::sequence.eq(row.sequence + 1),
                meetings::updated_at.eq(now()),
            ))
            .execute(conn)?;
        let mut e = NewEvent::new(Kind::EventCancelled, format!("thread:{thread_id}"))
            .thread(thread.category_id, thread_id)
            .author(thread.author_id)
            .change(Some(summary(&row)), None);
        e.post_id = opening_post(conn, thread_id)?;
        events::record(conn, viewer, e)?;
    }
    get(conn, viewer, thread_id)
}

/// Sets the viewer's answer (anyone who reads the thread, while the event
/// is not cancelled).
pub fn answer(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread_id: i64,
    answer: RsvpAnswer,
) -> Result<Meeting, ApiError> {
    let account = viewer.require_account()?;
    let (row, thread, _) = readable(conn, viewer, thread_id)?;
    require(viewer, Action::Rsvp, Target::Meeting(MeetingFacts { cancelled: row.cancelled() }))?;
    let mine = meeting_rsvps::table.find((thread_id, account.id));
    let before: Option<String> = mine.select(meeting_rsvps::answer).first(conn).optional()?;
    if before.as_deref() != Some(answer.as_str()) {
        let at = now();
        if before.is_some() {
            diesel::update(mine)
                .set((meeting_rsvps::answer.eq(answer.as_str()), meeting_rsvps::updated_at.eq(at)))
                .execute(conn)?;
        } else {
            diesel::insert_into(meeting_rsvps::table)
                .values((
                    meeting_rsvps::thread_id.eq(thread_id),
                    meeting_rsvps::user_id.eq(account.id),
                    meeting_rsvps::answer.eq(answer.as_str()),
                    meeting_rsvps::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
        let e = NewEvent::new(Kind::EventAnswered, format!("thread:{thread_id}"))
            .thread(thread.category_id, thread_id)
            .user(account.id)
            .change(before.map(|b| json!({ "answer": b })), Some(json!({ "answer": answer.as_str() })));
        events::record(conn, viewer, e)?;
    }
    get(conn, viewer, thread_id)
}

/// Who answered what, going first, then maybe, then not going.
pub fn attendees(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread_id: i64,
    page: &PageRequest,
) -> Result<(Vec<Attendee>, Option<String>), ApiError> {
    readable(conn, viewer, thread_id)?;
    let rows: Vec<(i64, String, NaiveDateTime)> = meeting_rsvps::table
        .filter(meeting_rsvps::thread_id.eq(thread_id))
        .select((meeting_rsvps::user_id, meeting_rsvps::answer, meeting_rsvps::updated_at))
        .order(meeting_rsvps::user_id.asc())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|(u, _, _)| *u).collect();
    let people = users::summaries(conn, &ids)?;
    let mut all: Vec<Attendee> = rows
        .into_iter()
        .filter_map(|(user, answer, at)| {
            Some(Attendee {
                user: users::summary_of(&people, user),
                answer: RsvpAnswer::parse(&answer)?,
                updated_at: at.and_utc(),
            })
        })
        .collect();
    all.sort_by_key(|a| RsvpAnswer::ALL.iter().position(|x| *x == a.answer));
    Ok(page.slice(all))
}

/// Members to tell of a change: those who said going or maybe.
pub fn attendees_to_tell(conn: &mut AnyConnection, thread_id: i64) -> Result<Vec<i64>, ApiError> {
    Ok(meeting_rsvps::table
        .filter(meeting_rsvps::thread_id.eq(thread_id))
        .filter(meeting_rsvps::answer.eq_any([RsvpAnswer::Going.as_str(), RsvpAnswer::Maybe.as_str()]))
        .select(meeting_rsvps::user_id)
        .order(meeting_rsvps::user_id.asc())
        .load(conn)?)
}

/// What to list.
pub struct Window<'a> {
    /// Events ending after this.
    pub from: NaiveDateTime,
    /// Events starting before this.
    pub to: Option<NaiveDateTime>,
    pub category: Option<&'a str>,
}

/// Events of threads the viewer reads, by start time; keyset on (start, thread).
pub fn list(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    window: &Window<'_>,
    page: &PageRequest,
) -> Result<(Vec<Meeting>, Option<String>), ApiError> {
    let mut query = meetings::table
        .inner_join(threads_t::table.inner_join(categories_t::table))
        .filter(thread_readable(&viewer.scope))
        .filter(meetings::ends_at.gt(window.from))
        .select((MeetingRow::as_select(), ThreadRow::as_select(), categories_t::slug))
        .order((meetings::starts_at.asc(), meetings::thread_id.asc()))
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(to) = window.to {
        query = query.filter(meetings::starts_at.lt(to));
    }
    if let Some(slug) = window.category {
        let row = categories::readable_row(conn, viewer, slug)?;
        query = query.filter(threads_t::category_id.eq(row.id));
    }
    if let Some(after) = &page.after {
        let (start, id) = (time_from_key(after[0])?, after[1]);
        query = query
            .filter(meetings::starts_at.gt(start).or(meetings::starts_at.eq(start).and(meetings::thread_id.gt(id))));
    }
    let rows: Vec<(MeetingRow, ThreadRow, String)> = query.load(conn)?;
    let (rows, next) = page.finish(rows, |(m, _, _)| vec![time_key(m.starts_at), m.thread_id]);
    Ok((to_wire(conn, viewer, rows)?, next))
}

/// What a calendar feed holds for `viewer`: events of threads they read at
/// this moment, from [`FEED_PAST_DAYS`] ago on, at most [`FEED_LIMIT`].
pub fn feed(conn: &mut AnyConnection, viewer: &Viewer) -> Result<Vec<MeetingRow>, ApiError> {
    let from = now() - chrono::Duration::days(FEED_PAST_DAYS);
    Ok(meetings::table
        .inner_join(threads_t::table.inner_join(categories_t::table))
        .filter(thread_readable(&viewer.scope))
        .filter(meetings::ends_at.gt(from))
        .select(MeetingRow::as_select())
        .order((meetings::starts_at.asc(), meetings::thread_id.asc()))
        .limit(FEED_LIMIT)
        .load(conn)?)
}

/// The event row of a thread the viewer reads, for its `.ics`.
pub fn readable_row(conn: &mut AnyConnection, viewer: &Viewer, thread_id: i64) -> Result<MeetingRow, ApiError> {
    Ok(readable(conn, viewer, thread_id)?.0)
}

/// Shapes rows with a fixed number of queries: organisers, counts, the
/// viewer's own answers.
fn to_wire(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    rows: Vec<(MeetingRow, ThreadRow, String)>,
) -> Result<Vec<Meeting>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|(m, _, _)| m.thread_id).collect();
    let organisers: Vec<i64> = rows.iter().map(|(m, _, _)| m.organiser_id).collect();
    let people = users::summaries(conn, &organisers)?;
    let tallies: Vec<(i64, String, i64)> = meeting_rsvps::table
        .filter(id_in(meeting_rsvps::thread_id, &ids))
        .group_by((meeting_rsvps::thread_id, meeting_rsvps::answer))
        .select((meeting_rsvps::thread_id, meeting_rsvps::answer, count_star()))
        .load(conn)?;
    let mut counts: HashMap<i64, RsvpCounts> = HashMap::new();
    for (thread, answer, n) in tallies {
        let c = counts.entry(thread).or_default();
        match RsvpAnswer::parse(&answer) {
            Some(RsvpAnswer::Going) => c.going = n,
            Some(RsvpAnswer::Maybe) => c.maybe = n,
            Some(RsvpAnswer::NotGoing) => c.not_going = n,
            None => {}
        }
    }
    let mine: HashMap<i64, String> = match viewer.user_id() {
        Some(me) => meeting_rsvps::table
            .filter(id_in(meeting_rsvps::thread_id, &ids))
            .filter(meeting_rsvps::user_id.eq(me))
            .select((meeting_rsvps::thread_id, meeting_rsvps::answer))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect(),
        None => HashMap::new(),
    };
    let text = |s: String| (!s.is_empty()).then_some(s);
    Ok(rows
        .into_iter()
        .map(|(m, thread, category)| {
            let cancelled = m.cancelled();
            Meeting {
                thread_id: m.thread_id,
                category,
                uid: m.uid,
                start_utc: m.starts_at.and_utc(),
                end_utc: m.ends_at.and_utc(),
                timezone: m.timezone,
                start_wall: m.start_wall,
                end_wall: m.end_wall,
                place: text(m.place),
                link: text(m.link),
                description: m.description,
                status: if cancelled { MeetingStatus::Cancelled } else { MeetingStatus::Scheduled },
                sequence: m.sequence,
                organiser: users::summary_of(&people, m.organiser_id),
                counts: counts.get(&m.thread_id).copied().unwrap_or_default(),
                my_answer: mine.get(&m.thread_id).and_then(|a| RsvpAnswer::parse(a)),
                can_edit: can(viewer, Action::ScheduleEvent, Target::Thread(thread.facts(false))),
                can_rsvp: can(viewer, Action::Rsvp, Target::Meeting(MeetingFacts { cancelled })),
                created_at: m.created_at.and_utc(),
                updated_at: m.updated_at.and_utc(),
                title: m.title,
            }
        })
        .collect())
}
