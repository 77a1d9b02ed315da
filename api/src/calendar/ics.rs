//! iCalendar (RFC 5545) for events: one `VEVENT` per event with its
//! organiser's zone as `TZID`, and a `VTIMEZONE` per zone written from the
//! zone database's own transitions around the events (so a calendar that
//! does not know the zone name still places the times right). Lines are
//! folded at 75 octets and text is escaped.

use std::collections::BTreeMap;

use chrono::offset::LocalResult;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use crate::db::queries::meetings::MeetingRow;
use crate::markdown::dates;

/// One event and the page of its thread.
pub struct Entry<'a> {
    pub meeting: &'a MeetingRow,
    pub page_url: String,
}

/// A whole calendar: `name` shows in calendar apps.
pub fn calendar(name: &str, entries: &[Entry<'_>]) -> String {
    let mut out = Lines::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line("PRODID:-//Quorum//Quorum forum//EN");
    out.line("CALSCALE:GREGORIAN");
    out.line(&format!("X-WR-CALNAME:{}", escape(name)));
    // Each zone once, over the years its events span.
    let mut zones: BTreeMap<String, (NaiveDateTime, NaiveDateTime)> = BTreeMap::new();
    for entry in entries {
        let m = entry.meeting;
        if m.timezone == "UTC" {
            continue;
        }
        let span = zones.entry(m.timezone.clone()).or_insert((m.starts_at, m.ends_at));
        span.0 = span.0.min(m.starts_at);
        span.1 = span.1.max(m.ends_at);
    }
    for (name, (from, to)) in &zones {
        if let Ok(zone) = name.parse::<Tz>() {
            vtimezone(&mut out, zone, *from, *to);
        }
    }
    for entry in entries {
        vevent(&mut out, entry);
    }
    out.line("END:VCALENDAR");
    out.text
}

fn vevent(out: &mut Lines, entry: &Entry<'_>) {
    let m = entry.meeting;
    out.line("BEGIN:VEVENT");
    out.line(&format!("UID:{}", escape(&m.uid)));
    out.line(&format!("DTSTAMP:{}", utc(m.updated_at)));
    out.line(&format!("CREATED:{}", utc(m.created_at)));
    out.line(&format!("LAST-MODIFIED:{}", utc(m.updated_at)));
    out.line(&format!("SEQUENCE:{}", m.sequence));
    out.line(if m.cancelled() { "STATUS:CANCELLED" } else { "STATUS:CONFIRMED" });
    out.line(&format!("SUMMARY:{}", escape(&m.title)));
    out.line(&format!("DTSTART{}", moment(&m.timezone, &m.start_wall, m.starts_at)));
    out.line(&format!("DTEND{}", moment(&m.timezone, &m.end_wall, m.ends_at)));
    let place = if m.place.is_empty() { &m.link } else { &m.place };
    if !place.is_empty() {
        out.line(&format!("LOCATION:{}", escape(place)));
    }
    let url = if m.link.is_empty() { &entry.page_url } else { &m.link };
    out.line(&format!("URL:{url}"));
    let mut description = m.description.clone();
    if !description.is_empty() {
        description.push_str("\n\n");
    }
    description.push_str(&entry.page_url);
    out.line(&format!("DESCRIPTION:{}", escape(&description)));
    out.line("END:VEVENT");
}

/// `;TZID=Europe/London:20231214T150000`, or `:20231214T150000Z` for UTC
/// and for the second of a wall time that happens twice (a `TZID` time
/// that happens twice means the first).
fn moment(timezone: &str, wall: &str, instant: NaiveDateTime) -> String {
    let local = dates::wall(wall);
    let zone = timezone.parse::<Tz>().ok().filter(|z| z.name() != "UTC");
    match (zone, local) {
        (Some(zone), Some(local)) => {
            let first = match zone.from_local_datetime(&local) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.naive_utc()),
                LocalResult::None => None,
            };
            if first == Some(instant) {
                format!(";TZID={}:{}", zone.name(), local.format("%Y%m%dT%H%M%S"))
            } else {
                format!(":{}", utc(instant))
            }
        }
        _ => format!(":{}", utc(instant)),
    }
}

fn utc(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A `VTIMEZONE` holding the offset in force from a year before `from` and
/// every change of offset until a year after `to`.
fn vtimezone(out: &mut Lines, zone: Tz, from: NaiveDateTime, to: NaiveDateTime) {
    let year_start =
        |year: i32| NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
    let (Some(start), Some(end)) = (year_start(from.year() - 1), year_start(to.year() + 2)) else { return };
    out.line("BEGIN:VTIMEZONE");
    out.line(&format!("TZID:{}", zone.name()));
    let first = zone.offset_from_utc_datetime(&start.naive_utc());
    let local_start = start.naive_utc() + offset_of(&first);
    component(out, &first, &first, local_start);
    let mut at = start;
    let step = chrono::Duration::days(1);
    while at < end {
        let next = at + step;
        let (before, after) =
            (zone.offset_from_utc_datetime(&at.naive_utc()), zone.offset_from_utc_datetime(&next.naive_utc()));
        if same(&before, &after) {
            at = next;
            continue;
        }
        // The first second in force of the new offset, between `at` and `next`.
        let (mut low, mut high) = (at, next);
        while high - low > chrono::Duration::seconds(1) {
            let middle = low + (high - low) / 2;
            if same(&zone.offset_from_utc_datetime(&middle.naive_utc()), &before) {
                low = middle;
            } else {
                high = middle;
            }
        }
        let change: DateTime<Utc> = high;
        let onset = change.naive_utc() + offset_of(&before);
        component(out, &before, &zone.offset_from_utc_datetime(&change.naive_utc()), onset);
        at = next;
    }
    out.line("END:VTIMEZONE");
}

fn offset_of(offset: &chrono_tz::TzOffset) -> chrono::Duration {
    chrono::Duration::seconds(i64::from(offset.fix().local_minus_utc()))
}

fn same(a: &chrono_tz::TzOffset, b: &chrono_tz::TzOffset) -> bool {
    a.fix() == b.fix() && a.abbreviation() == b.abbreviation() && a.dst_offset() == b.dst_offset()
}

/// One `STANDARD` or `DAYLIGHT` part: from `onset` (local time, in the
/// offset before it), the offset `to` is in force.
fn component(out: &mut Lines, from: &chrono_tz::TzOffset, to: &chrono_tz::TzOffset, onset: NaiveDateTime) {
    let kind = if to.dst_offset().is_zero() { "STANDARD" } else { "DAYLIGHT" };
    out.line(&format!("BEGIN:{kind}"));
    out.line(&format!("DTSTART:{}", onset.format("%Y%m%dT%H%M%S")));
    out.line(&format!("TZOFFSETFROM:{}", utc_offset(from.fix().local_minus_utc())));
    out.line(&format!("TZOFFSETTO:{}", utc_offset(to.fix().local_minus_utc())));
    if let Some(name) = to.abbreviation() {
        out.line(&format!("TZNAME:{}", escape(name)));
    }
    out.line(&format!("END:{kind}"));
}

/// `+0100`, `-0330`, `+005328` (seconds only when there are some).
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

/// TEXT values: backslash, semicolon, comma and line breaks escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Content lines ending in CRLF, folded so none passes 75 octets (never
/// inside a UTF-8 character).
#[derive(Default)]
struct Lines {
    text: String,
}

impl Lines {
    fn line(&mut self, line: &str) {
        let mut width = 0;
        for c in line.chars() {
            let len = c.len_utf8();
            if width + len > 75 {
                self.text.push_str("\r\n ");
                width = 1;
            }
            self.text.push(c);
            width += len;
        }
        self.text.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(timezone: &str, start: &str, end: &str, starts_at: &str, ends_at: &str) -> MeetingRow {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time");
        MeetingRow {
            thread_id: 7,
            uid: "abc-7@quorum".into(),
            organiser_id: 1,
            title: "Board call; agenda, notes".into(),
            start_wall: start.into(),
            end_wall: end.into(),
            timezone: timezone.into(),
            starts_at: t(starts_at),
            ends_at: t(ends_at),
            place: String::new(),
            link: "https://meet.example.coop/board".into(),
            description: "Line one\nLine two with a very long text that will certainly need folding because it goes on and on é é é".into(),
            status: "scheduled".into(),
            sequence: 2,
            created_at: t("2023-11-01 10:00"),
            updated_at: t("2023-11-02 10:00"),
        }
    }

    #[test]
    fn london_has_its_zone_and_lines_are_folded_and_escaped() {
        let m = row("Europe/London", "2023-12-14T15:00", "2023-12-14T16:30", "2023-12-14 15:00", "2023-12-14 16:30");
        let ics = calendar("Quorum", &[Entry { meeting: &m, page_url: "https://forum.example.coop/t/7".into() }]);
        assert!(ics.contains("DTSTART;TZID=Europe/London:20231214T150000\r\n"), "{ics}");
        assert!(ics.contains("SUMMARY:Board call\\; agenda\\, notes\r\n"), "{ics}");
        assert!(ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"), "{ics}");
        // The 2023 spring change: 01:00 GMT becomes 02:00 BST.
        assert!(
            ics.contains(
                "BEGIN:DAYLIGHT\r\nDTSTART:20230326T010000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST"
            ),
            "{ics}"
        );
        assert!(
            ics.contains(
                "BEGIN:STANDARD\r\nDTSTART:20231029T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT"
            ),
            "{ics}"
        );
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn the_second_of_a_repeated_hour_is_written_in_utc() {
        let m = row("Europe/London", "2024-10-27T01:30", "2024-10-27T02:30", "2024-10-27 01:30", "2024-10-27 02:30");
        let ics = calendar("Quorum", &[Entry { meeting: &m, page_url: "https://x/t/7".into() }]);
        assert!(ics.contains("DTSTART:20241027T013000Z\r\n"), "{ics}");
        assert!(ics.contains("DTEND;TZID=Europe/London:20241027T023000\r\n"), "{ics}");
    }
}
