//! Meetings as people write them and as calendars read them: checking an
//! event's fields (the same zone rules and daylight-saving refusals as
//! times inside posts, `markdown::dates`) and writing iCalendar (`ics`).

pub mod ics;

use chrono::{Datelike, NaiveDateTime, Timelike};
use quorum_types::{DatePollRequest, MeetingRequest};

use crate::db::queries::meetings::NewMeeting;
use crate::db::queries::threads::check_title;
use crate::error::ApiError;
use crate::markdown::dates::{self, Fold};

pub const MAX_PLACE_CHARS: usize = 500;
pub const MAX_LINK_CHARS: usize = 2_000;
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
/// Longest event: a conference, not a season.
pub const MAX_DAYS: i64 = 31;

const WALL: &str = "%Y-%m-%dT%H:%M";

fn wall_time(field: &str, text: &str) -> Result<NaiveDateTime, ApiError> {
    let wall = dates::wall(text)
        .ok_or_else(|| ApiError::field(field, format!("must be a wall time YYYY-MM-DDTHH:MM, not {text:?}")))?;
    if wall.second() != 0 || wall.nanosecond() != 0 {
        return Err(ApiError::field(field, "must be a whole minute"));
    }
    if !(1970..=9998).contains(&wall.year()) {
        return Err(ApiError::field(field, "must be between the years 1970 and 9998"));
    }
    Ok(wall)
}

fn text(field: &'static str, value: Option<&str>, max: usize) -> Result<String, ApiError> {
    let value = value.unwrap_or_default().trim();
    let chars = value.chars().count();
    if value.contains('\0') {
        Err(ApiError::field(field, "must not contain NUL characters"))
    } else if chars > max {
        Err(ApiError::field(field, format!("must be at most {max} characters, not {chars}")))
    } else {
        Ok(value.to_owned())
    }
}

fn link(value: Option<&str>) -> Result<String, ApiError> {
    let value = text("link", value, MAX_LINK_CHARS)?;
    if value.is_empty() {
        return Ok(value);
    }
    let web = value.starts_with("https://") || value.starts_with("http://");
    if !web || value.len() <= "https://".len() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ApiError::field("link", "must be an https:// or http:// address without spaces"));
    }
    Ok(value)
}

/// A span of time as written (wall times in an IANA zone) and in UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start_wall: String,
    pub end_wall: String,
    pub timezone: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

/// Resolves wall times in a zone to UTC; errors name `{prefix}start`,
/// `{prefix}end`, `{prefix}timezone` or `{prefix}fold`.
pub fn span(start: &str, end: &str, timezone: &str, fold: Option<&str>, prefix: &str) -> Result<Span, ApiError> {
    let field = |name: &str| format!("{prefix}{name}");
    let start_wall = wall_time(&field("start"), start)?;
    let end_wall = wall_time(&field("end"), end)?;
    let zone = dates::zone(timezone, start_wall.date()).map_err(|e| ApiError::field(&field("timezone"), e))?;
    let fold = match fold {
        None | Some("") => None,
        Some(text) => Some(
            Fold::parse(text)
                .ok_or_else(|| ApiError::field(&field("fold"), format!("is earlier or later, not {text:?}")))?,
        ),
    };
    let starts_at = dates::to_utc(zone, start_wall, fold).map_err(|e| ApiError::field(&field("start"), e))?;
    let ends_at = dates::to_utc(zone, end_wall, fold).map_err(|e| ApiError::field(&field("end"), e))?;
    if ends_at <= starts_at {
        return Err(ApiError::field(&field("end"), "must be after start"));
    }
    if ends_at - starts_at > chrono::Duration::days(MAX_DAYS) {
        return Err(ApiError::field(&field("end"), format!("an event lasts at most {MAX_DAYS} days")));
    }
    Ok(Span {
        start_wall: start_wall.format(WALL).to_string(),
        end_wall: end_wall.format(WALL).to_string(),
        timezone: chrono_tz::Tz::name(zone).to_owned(),
        starts_at: starts_at.naive_utc(),
        ends_at: ends_at.naive_utc(),
    })
}

/// An event's words, checked, around a span of time.
pub fn with_details(
    span: Span,
    title: &str,
    place: Option<&str>,
    link_text: Option<&str>,
    description: Option<&str>,
) -> Result<NewMeeting, ApiError> {
    Ok(NewMeeting {
        title: check_title(title)?,
        start_wall: span.start_wall,
        end_wall: span.end_wall,
        timezone: span.timezone,
        starts_at: span.starts_at,
        ends_at: span.ends_at,
        place: text("place", place, MAX_PLACE_CHARS)?,
        link: link(link_text)?,
        description: text("description", description, MAX_DESCRIPTION_CHARS)?,
    })
}

/// An event as its organiser asked for it, checked and resolved to UTC.
pub fn meeting(req: &MeetingRequest) -> Result<NewMeeting, ApiError> {
    check_title(&req.title)?;
    let span = span(&req.start, &req.end, &req.timezone, req.fold.as_deref(), "")?;
    with_details(span, &req.title, req.place.as_deref(), req.link.as_deref(), req.description.as_deref())
}

/// Most slots one date poll may propose.
pub const MAX_SLOTS: usize = 20;

/// A date poll's slots, checked: errors name `slots[i].start` and so on.
pub fn slots(req: &DatePollRequest) -> Result<Vec<Span>, ApiError> {
    if req.slots.is_empty() || req.slots.len() > MAX_SLOTS {
        return Err(ApiError::field("slots", format!("propose 1 to {MAX_SLOTS} slots, not {}", req.slots.len())));
    }
    let spans = req
        .slots
        .iter()
        .enumerate()
        .map(|(i, s)| span(&s.start, &s.end, &s.timezone, s.fold.as_deref(), &format!("slots[{i}].")))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, a) in spans.iter().enumerate() {
        if spans[..i].iter().any(|b| b.starts_at == a.starts_at && b.ends_at == a.ends_at) {
            return Err(ApiError::field(&format!("slots[{i}]"), "is the same time as an earlier slot"));
        }
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(start: &str, end: &str, timezone: &str) -> MeetingRequest {
        MeetingRequest {
            title: "Board call".into(),
            start: start.into(),
            end: end.into(),
            timezone: timezone.into(),
            fold: None,
            place: None,
            link: Some("https://meet.example.coop/board".into()),
            description: None,
        }
    }

    fn field_of(e: ApiError) -> String {
        e.errors.map(|e| e.keys().cloned().collect::<Vec<_>>().join(",")).unwrap_or_default()
    }

    #[test]
    fn london_in_winter_and_summer() {
        let winter = meeting(&request("2023-12-14T15:00", "2023-12-14T16:30", "Europe/London")).expect("valid");
        assert_eq!(winter.starts_at.to_string(), "2023-12-14 15:00:00");
        let summer = meeting(&request("2024-07-11T15:00", "2024-07-11T16:00", "Europe/London")).expect("valid");
        assert_eq!(summer.starts_at.to_string(), "2024-07-11 14:00:00");
    }

    #[test]
    fn bad_zones_gaps_and_links_name_their_field() {
        let cet = meeting(&request("2023-12-14T15:00", "2023-12-14T16:00", "CET")).expect_err("CET");
        assert_eq!(field_of(cet), "timezone");
        let gap = meeting(&request("2024-03-31T01:30", "2024-03-31T03:00", "Europe/London")).expect_err("gap");
        assert_eq!(field_of(gap), "start");
        let mut bad_link = request("2023-12-14T15:00", "2023-12-14T16:00", "Europe/London");
        bad_link.link = Some("javascript:alert(1)".into());
        assert_eq!(field_of(meeting(&bad_link).expect_err("link")), "link");
        let backwards = meeting(&request("2023-12-14T15:00", "2023-12-14T14:00", "UTC")).expect_err("backwards");
        assert_eq!(field_of(backwards), "end");
    }
}
