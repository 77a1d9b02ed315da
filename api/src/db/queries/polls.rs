//! A thread's date poll: the organiser's proposed slots and members'
//! answers, read through the thread's policy like its event (whoever cannot
//! read the thread finds no poll, no counts and no answers), and the chosen
//! slot turned into the thread's event in the same transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use quorum_types::{DatePoll, Meeting, PollAnswer, PollCounts, PollSlot, PollVoter, SlotAnswer};
use serde_json::json;

use super::events::{self, Kind, NewEvent};
use super::meetings::{self, NewMeeting};
use super::threads::{self, ThreadRow};
use super::{now, users, PageRequest};
use crate::calendar::Span;
use crate::db::id_list::id_in;
use crate::db::policy::actions::{can, require, Action, Target};
use crate::db::policy::Viewer;
use crate::db::schema::{poll_answers, poll_slots};
use crate::db::AnyConnection;
use crate::error::ApiError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = poll_slots)]
pub struct SlotRow {
    pub id: i64,
    pub thread_id: i64,
    pub position: i32,
    pub start_wall: String,
    pub end_wall: String,
    pub timezone: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

impl SlotRow {
    fn same_as(&self, span: &Span) -> bool {
        self.start_wall == span.start_wall
            && self.end_wall == span.end_wall
            && self.timezone == span.timezone
            && self.starts_at == span.starts_at
            && self.ends_at == span.ends_at
    }

    pub fn span(&self) -> Span {
        Span {
            start_wall: self.start_wall.clone(),
            end_wall: self.end_wall.clone(),
            timezone: self.timezone.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        }
    }
}

fn slots_of(conn: &mut AnyConnection, thread_id: i64) -> Result<Vec<SlotRow>, ApiError> {
    Ok(poll_slots::table
        .filter(poll_slots::thread_id.eq(thread_id))
        .order(poll_slots::position.asc())
        .select(SlotRow::as_select())
        .load(conn)?)
}

/// The poll of a thread the viewer reads, with the thread, or 404.
fn readable(conn: &mut AnyConnection, viewer: &Viewer, thread_id: i64) -> Result<(Vec<SlotRow>, ThreadRow), ApiError> {
    let thread = threads::readable_row(conn, viewer, thread_id)?;
    let slots = slots_of(conn, thread_id)?;
    if slots.is_empty() {
        return Err(ApiError::not_found());
    }
    Ok((slots, thread))
}

fn record(conn: &mut AnyConnection, viewer: &Viewer, thread: &ThreadRow, event: NewEvent) -> Result<(), ApiError> {
    events::record(conn, viewer, event.thread(thread.category_id, thread.id)).map(|_| ())
}

pub fn get(conn: &mut AnyConnection, viewer: &Viewer, thread_id: i64) -> Result<DatePoll, ApiError> {
    let (slots, thread) = readable(conn, viewer, thread_id)?;
    to_wire(conn, viewer, &thread, slots)
}

/// Proposes the slots (organiser or moderator); `true` when the poll is
/// new. Different slots replace the old ones and clear their answers; the
/// same slots change nothing.
pub fn put(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread_id: i64,
    spans: &[Span],
) -> Result<(DatePoll, bool), ApiError> {
    viewer.require_account()?;
    let thread = threads::readable_row(conn, viewer, thread_id)?;
    require(viewer, Action::ScheduleEvent, Target::Thread(thread.facts(false)))?;
    let old = slots_of(conn, thread_id)?;
    let unchanged = old.len() == spans.len() && old.iter().zip(spans).all(|(o, s)| o.same_as(s));
    if !unchanged {
        let ids: Vec<i64> = old.iter().map(|s| s.id).collect();
        diesel::delete(poll_answers::table.filter(id_in(poll_answers::slot_id, &ids))).execute(conn)?;
        diesel::delete(poll_slots::table.filter(poll_slots::thread_id.eq(thread_id))).execute(conn)?;
        for (position, span) in spans.iter().enumerate() {
            diesel::insert_into(poll_slots::table)
                .values((
                    poll_slots::thread_id.eq(thread_id),
                    poll_slots::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                    poll_slots::start_wall.eq(&span.start_wall),
                    poll_slots::end_wall.eq(&span.end_wall),
                    poll_slots::timezone.eq(&span.timezone),
                    poll_slots::starts_at.eq(span.starts_at),
                    poll_slots::ends_at.eq(span.ends_at),
                ))
                .execute(conn)?;
        }
        let described = |slots: Vec<(String, String, String)>| json!(slots);
        let before = (!old.is_empty()).then(|| {
            described(old.iter().map(|s| (s.start_wall.clone(), s.end_wall.clone(), s.timezone.clone())).collect())
        });
        let after =
            described(spans.iter().map(|s| (s.start_wall.clone(), s.end_wall.clone(), s.timezone.clone())).collect());
        let event = NewEvent::new(Kind::PollChanged, format!("thread:{thread_id}"))
            .author(thread.author_id)
            .change(before, Some(after));
        record(conn, viewer, &thread, event)?;
    }
    Ok((get(conn, viewer, thread_id)?, old.is_empty()))
}

/// Sets the viewer's answers for the slots named (anyone who reads the thread).
pub fn answer(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread_id: i64,
    answers: &[SlotAnswer],
) -> Result<DatePoll, ApiError> {
    let account = viewer.require_account()?;
    let (slots, thread) = readable(conn, viewer, thread_id)?;
    require(viewer, Action::AnswerPoll, Target::Thread(thread.facts(false)))?;
    if answers.is_empty() {
        return Err(ApiError::field("answers", "answer at least one slot"));
    }
    let mut chosen: BTreeMap<i64, PollAnswer> = BTreeMap::new();
    for (i, a) in answers.iter().enumerate() {
        if !slots.iter().any(|s| s.id == a.slot_id) {
            return Err(ApiError::field(&format!("answers[{i}].slot_id"), "is not a slot of this thread's poll"));
        }
        chosen.insert(a.slot_id, a.answer);
    }
    let at = now();
    for (slot_id, answer) in &chosen {
        let mine = poll_answers::table.find((*slot_id, account.id));
        let updated = diesel::update(mine)
            .set((poll_answers::answer.eq(answer.as_str()), poll_answers::updated_at.eq(at)))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(poll_answers::table)
                .values((
                    poll_answers::slot_id.eq(slot_id),
                    poll_answers::user_id.eq(account.id),
                    poll_answers::answer.eq(answer.as_str()),
                    poll_answers::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
    }
    let after =
        json!(chosen.iter().map(|(slot, a)| json!({"slot_id": slot, "answer": a.as_str()})).collect::<Vec<_>>());
    let event =
        NewEvent::new(Kind::PollAnswered, format!("thread:{thread_id}")).user(account.id).change(None, Some(after));
    record(conn, viewer, &thread, event)?;
    to_wire(conn, viewer, &thread, slots)
}

/// Who answered what, by member.
pub fn voters(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread_id: i64,
    page: &PageRequest,
) -> Result<(Vec<PollVoter>, Option<String>), ApiError> {
    let (slots, _) = readable(conn, viewer, thread_id)?;
    let ids: Vec<i64> = slots.iter().map(|s| s.id).collect();
    let rows: Vec<(i64, i64, String)> = poll_answers::table
        .filter(id_in(poll_answers::slot_id, &ids))
        .select((poll_answers::user_id, poll_answers::slot_id, poll_answers::answer))
        .order((poll_answers::user_id.asc(), poll_answers::slot_id.asc()))
        .load(conn)?;
    let people_ids: Vec<i64> = rows.iter().map(|(u, _, _)| *u).collect();
    let people = users::summaries(conn, &people_ids)?;
    let mut by_user: BTreeMap<i64, Vec<SlotAnswer>> = BTreeMap::new();
    for (user, slot_id, answer) in rows {
        if let Some(answer) = PollAnswer::parse(&answer) {
            by_user.entry(user).or_default().push(SlotAnswer { slot_id, answer });
        }
    }
    let all: Vec<PollVoter> = by_user
        .into_iter()
        .map(|(user, answers)| PollVoter { user: users::summary_of(&people, user), answers })
        .collect();
    Ok(page.slice(all))
}

/// Makes a slot the thread's event (scheduled, or changed if there was
/// one), in the caller's transaction.
pub fn choose(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread_id: i64,
    slot_id: i64,
    details: impl FnOnce(Span) -> Result<NewMeeting, ApiError>,
) -> Result<(Meeting, bool), ApiError> {
    let (slots, thread) = readable(conn, viewer, thread_id)?;
    require(viewer, Action::ScheduleEvent, Target::Thread(thread.facts(false)))?;
    let slot = slots
        .iter()
        .find(|s| s.id == slot_id)
        .ok_or_else(|| ApiError::field("slot_id", "is not a slot of this thread's poll"))?;
    let new = details(slot.span())?;
    meetings::put(conn, viewer, thread_id, &new)
}

fn to_wire(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    thread: &ThreadRow,
    slots: Vec<SlotRow>,
) -> Result<DatePoll, ApiError> {
    let ids: Vec<i64> = slots.iter().map(|s| s.id).collect();
    let tallies: Vec<(i64, String, i64)> = poll_answers::table
        .filter(id_in(poll_answers::slot_id, &ids))
        .group_by((poll_answers::slot_id, poll_answers::answer))
        .select((poll_answers::slot_id, poll_answers::answer, count_star()))
        .load(conn)?;
    let mut counts: HashMap<i64, PollCounts> = HashMap::new();
    for (slot, answer, n) in tallies {
        let c = counts.entry(slot).or_default();
        match PollAnswer::parse(&answer) {
            Some(PollAnswer::Yes) => c.yes = n,
            Some(PollAnswer::IfNeedBe) => c.if_need_be = n,
            Some(PollAnswer::No) => c.no = n,
            None => {}
        }
    }
    let mine: HashMap<i64, String> = match viewer.user_id() {
        Some(me) => poll_answers::table
            .filter(id_in(poll_answers::slot_id, &ids))
            .filter(poll_answers::user_id.eq(me))
            .select((poll_answers::slot_id, poll_answers::answer))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect(),
        None => HashMap::new(),
    };
    let facts = Target::Thread(thread.facts(false));
    Ok(DatePoll {
        thread_id: thread.id,
        slots: slots
            .into_iter()
            .map(|s| PollSlot {
                id: s.id,
                start_utc: s.starts_at.and_utc(),
                end_utc: s.ends_at.and_utc(),
                counts: counts.get(&s.id).copied().unwrap_or_default(),
                my_answer: mine.get(&s.id).and_then(|a| PollAnswer::parse(a)),
                timezone: s.timezone,
                start_wall: s.start_wall,
                end_wall: s.end_wall,
            })
            .collect(),
        can_edit: can(viewer, Action::ScheduleEvent, facts),
        can_answer: can(viewer, Action::AnswerPoll, facts),
    })
}
