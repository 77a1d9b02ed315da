//! Meetings as people write them and as calendars read them: checking an
//! event's fields (the same zone rules and daylight-saving refusals as
//! times inside posts, `markdown::dates`) and writing iCalendar (`ics`).

pub mod ics;

use chrono::{Datelike, NaiveDateTime, Timelike};
use quorum_types::MeetingRequest;

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

fn wall_time(field: &'static str, text: &str) -> Result<NaiveDateTime, ApiError> {
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

/// An event as its organiser asked for it, checked and resolved to UTC.
pub fn meeting(req: &MeetingRequest) -> Result<NewMeeting, ApiError> {
    let title = check_title(&req.title)?;
    let start_wall = wall_time("start", &req.start)?;
    let end_wall = wall_time("end", &req.end)?;
    let zone = dates::zone(&req.timezone, start_wall.date()).map_err(|e| ApiError::field("timezone", e))?;
    let fold = match req.fold.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            Fold::parse(text).ok_or_else(|| ApiError::field("fold", format!("is earlier or later, not {text:?}")))?,
        ),
    };
    let starts_at = dates::to_utc(zone, start_wall, fold).map_err(|e| ApiError::field("start", e))?;
    let ends_at = dates::to_utc(zone, end_wall, fold).map_err(|e| ApiError::field("end", e))?;
    if ends_at <= starts_at {
        return Err(ApiError::field("end", "must be after start"));
    }
    if ends_at - starts_at > chrono::Duration::days(MAX_DAYS) {
        return Err(ApiError::field("end", format!("an event lasts at most {MAX_DAYS} days")));
    }
    Ok(NewMeeting {
        title,
        start_wall: start_wall.format(WALL).to_string(),
        end_wall: end_wall.format(WALL).to_string(),
        timezone: chrono_tz::Tz::name(zone).to_owned(),
        starts_at: starts_at.naive_utc(),
        ends_at: ends_at.naive_utc(),
        place: text("place", req.place.as_deref(), MAX_PLACE_CHARS)?,
        link: link(req.link.as_deref())?,
        description: text("description", req.description.as_deref(), MAX_DESCRIPTION_CHARS)?,
    })
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
