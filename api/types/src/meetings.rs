//! Meetings: the one event a thread can carry, members' answers to it,
//! and calendar feeds.
//!
//! Times are written as the organiser's wall times with an IANA zone
//! (`2023-12-14T15:00` in `Europe/London`); the UTC instants are derived
//! from them when the event is saved, so a reader in any zone sees the
//! same moment.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::UserSummary;

/// Creates or replaces a thread's event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MeetingRequest {
    /// 1–200 characters.
    pub title: String,
    /// Wall time in `timezone`: `2023-12-14T15:00`.
    pub start: String,
    /// Wall time in `timezone`, after `start`: `2023-12-14T16:30`.
    pub end: String,
    /// An IANA zone name such as `Europe/London` (abbreviations such as
    /// `CET` and offsets such as `GMT+1` are refused, with suggestions).
    pub timezone: String,
    /// For a wall time that happens twice (the clocks go back): `earlier`
    /// or `later`. Without it such a time is refused.
    #[serde(default)]
    pub fold: Option<String>,
    /// Where it happens (up to 500 characters).
    #[serde(default)]
    pub place: Option<String>,
    /// An `https://` or `http://` link to join online.
    #[serde(default)]
    pub link: Option<String>,
    /// Plain text, up to 10,000 characters.
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Scheduled,
    Cancelled,
}

/// A member's answer to an event.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RsvpAnswer {
    Going,
    Maybe,
    NotGoing,
}

impl RsvpAnswer {
    pub const ALL: [RsvpAnswer; 3] = [RsvpAnswer::Going, RsvpAnswer::Maybe, RsvpAnswer::NotGoing];

    pub fn as_str(self) -> &'static str {
        match self {
            RsvpAnswer::Going => "going",
            RsvpAnswer::Maybe => "maybe",
            RsvpAnswer::NotGoing => "not_going",
        }
    }

    pub fn parse(s: &str) -> Option<RsvpAnswer> {
        RsvpAnswer::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RsvpRequest {
    pub answer: RsvpAnswer,
}

/// How many answered what (only those who can read the thread see it).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RsvpCounts {
    pub going: i64,
    pub maybe: i64,
    pub not_going: i64,
}

/// A thread's event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Meeting {
    pub thread_id: i64,
    /// The thread's category (slug).
    pub category: String,
    /// The iCalendar UID: the same for the thread's event through every change.
    pub uid: String,
    pub title: String,
    pub start_utc: DateTime<Utc>,
    pub end_utc: DateTime<Utc>,
    /// The IANA zone the organiser wrote the times in.
    pub timezone: String,
    /// `2023-12-14T15:00` in `timezone`.
    pub start_wall: String,
    pub end_wall: String,
    pub place: Option<String>,
    pub link: Option<String>,
    pub description: String,
    pub status: MeetingStatus,
    /// Rises with every change (the iCalendar SEQUENCE).
    pub sequence: i32,
    pub organiser: UserSummary,
    pub counts: RsvpCounts,
    /// The viewer's own answer.
    pub my_answer: Option<RsvpAnswer>,
    /// May change or cancel it.
    pub can_edit: bool,
    /// May answer.
    pub can_rsvp: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One member's answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Attendee {
    pub user: UserSummary,
    pub answer: RsvpAnswer,
    pub updated_at: DateTime<Utc>,
}

/// `?from=&to=&category=&cursor=&limit=` for upcoming events.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct MeetingListQuery {
    /// Events ending after this instant (RFC 3339, or a date `YYYY-MM-DD`
    /// meaning its midnight UTC); default: now.
    pub from: Option<String>,
    /// Events starting before this instant (same forms); default: no bound.
    pub to: Option<String>,
    /// Only this category (slug).
    pub category: Option<String>,
    pub cursor: Option<String>,
    /// 1 to 100 (default 20).
    #[serde(default, deserialize_with = "crate::lenient::opt_int_query")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
}

/// A new personal calendar feed: its secret URL, shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CalendarFeed {
    /// The secret in the URL; anyone holding it can read the feed (and
    /// nothing else) until it is rotated or revoked.
    pub token: String,
    /// `/api/v1/calendar/{token}.ics`, absolute when the forum knows its address.
    pub url: String,
    /// The same feed for calendar apps: `webcal://…`.
    pub webcal_url: String,
}

/// One proposed time, as wall times in an IANA zone.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PollSlotRequest {
    /// `2030-03-10T15:00`
    pub start: String,
    pub end: String,
    /// An IANA zone name, as for events.
    pub timezone: String,
    /// `earlier` or `later`, for a wall time that happens twice.
    #[serde(default)]
    pub fold: Option<String>,
}

/// Proposes the slots of a thread's date poll (1 to 20). Changing the
/// slots clears the answers given so far.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DatePollRequest {
    pub slots: Vec<PollSlotRequest>,
}

/// A member's answer for one slot.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PollAnswer {
    Yes,
    IfNeedBe,
    No,
}

impl PollAnswer {
    pub const ALL: [PollAnswer; 3] = [PollAnswer::Yes, PollAnswer::IfNeedBe, PollAnswer::No];

    pub fn as_str(self) -> &'static str {
        match self {
            PollAnswer::Yes => "yes",
            PollAnswer::IfNeedBe => "if_need_be",
            PollAnswer::No => "no",
        }
    }

    pub fn parse(s: &str) -> Option<PollAnswer> {
        PollAnswer::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PollCounts {
    pub yes: i64,
    pub if_need_be: i64,
    pub no: i64,
}

/// A proposed slot, with its counts (for the thread's audience only).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PollSlot {
    pub id: i64,
    pub start_utc: DateTime<Utc>,
    pub end_utc: DateTime<Utc>,
    /// The zone the organiser proposed it in, and the wall times there.
    pub timezone: String,
    pub start_wall: String,
    pub end_wall: String,
    pub counts: PollCounts,
    pub my_answer: Option<PollAnswer>,
}

/// A thread's date poll.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DatePoll {
    pub thread_id: i64,
    pub slots: Vec<PollSlot>,
    /// May change the slots and choose one.
    pub can_edit: bool,
    /// May answer.
    pub can_answer: bool,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SlotAnswer {
    pub slot_id: i64,
    pub answer: PollAnswer,
}

/// The viewer's answers, for some or all slots (others stay as they were).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PollAnswersRequest {
    pub answers: Vec<SlotAnswer>,
}

/// One member's answers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PollVoter {
    pub user: UserSummary,
    pub answers: Vec<SlotAnswer>,
}

/// Turns a slot into the thread's event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChooseSlotRequest {
    pub slot_id: i64,
    /// 1–200 characters.
    pub title: String,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Someone who wrote a post of a thread the viewer can read, with the IANA
/// zone of their profile: readers see whose clocks a meeting time must suit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Participant {
    pub user: UserSummary,
    /// `Europe/London`
    pub time_zone: String,
}
