//! Times as people read them: relative ("5 minutes ago") and absolute in
//! the viewer's own zone, with the zone's abbreviation so "15:00 BST" and
//! "16:00 CEST" cannot be mistaken for each other.
//!
//! Zone rules come from the browser (`Intl.DateTimeFormat`), not from a
//! time-zone database compiled into the app: that would add about 130 KB
//! (gzipped) to every download. The formatting logic is generic over
//! [`Zone`], so native tests run it against `chrono-tz`.

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use wasm_bindgen::{JsCast, JsValue};

/// What a wall clock in some zone shows at an instant.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalTime {
    pub at: NaiveDateTime,
    /// "GMT", "BST", "CEST", or "GMT+3" where a zone has no common name.
    pub abbreviation: String,
}

/// A time zone: turns an instant into a local reading.
pub trait Zone {
    fn local(&self, t: DateTime<Utc>) -> LocalTime;
}

/// "just now", "3 minutes ago", "2 hours ago", "yesterday", "4 days ago",
/// then the date ("3 Mar", or "3 Mar 2025" in another year).
pub fn relative(now: DateTime<Utc>, then: DateTime<Utc>, zone: &impl Zone) -> String {
    let seconds = (now - then).num_seconds();
    if seconds.abs() < 60 {
        return "just now".into();
    }
    let local_now = zone.local(now).at;
    let local_then = zone.local(then).at;
    if seconds < 0 {
        return short_date(local_now.date(), local_then.date());
    }
    let minutes = seconds / 60;
    let hours = minutes / 60;
    let days = (local_now.date() - local_then.date()).num_days();
    match () {
        _ if minutes < 60 => plural(minutes, "minute", "minutes") + " ago",
        _ if hours < 12 || (hours < 24 && days == 0) => plural(hours, "hour", "hours") + " ago",
        _ if days <= 1 => "yesterday".into(),
        _ if days < 7 => format!("{days} days ago"),
        _ => short_date(local_now.date(), local_then.date()),
    }
}

fn short_date(today: NaiveDate, day: NaiveDate) -> String {
    if day.year() == today.year() {
        day.format("%-d %b").to_string()
    } else {
        day.format("%-d %b %Y").to_string()
    }
}

/// "Thu 27 Nov 2026, 14:05 GMT": weekday, date, 24-hour time and zone.
pub fn absolute(then: DateTime<Utc>, zone: &impl Zone) -> String {
    let local = zone.local(then);
    format!("{} {}", local.at.format("%a %-d %b %Y, %H:%M"), local.abbreviation)
}

/// The times the server wrote into a post (`<time class="quorum-date">`,
/// whose text names the original zone and UTC) shown in the reader's zone
/// with the original beside it: "16:00 Thu 14 Dec your time · 15:00
/// Europe/London". The full reading in both zones goes in the tooltip,
/// with the time on the clocks of the thread's participants (`others`:
/// each zone with who is in it, see [`zone_groups`]).
pub fn localise_dates<Z: Zone>(html: &str, zone: &Z, zone_name: &str, others: &[(Z, String)]) -> String {
    const OPEN: &str = "<time class=\"quorum-date\" ";
    if !html.contains(OPEN) {
        return html.to_owned();
    }
    let mut out = String::with_capacity(html.len() + 128);
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let element = &rest[at..];
        let (Some(tag_end), Some(close)) = (element.find('>'), element.find("</time>")) else { break };
        let tag = &element[..tag_end];
        let attr = |name: &str| {
            let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            tag[start..].split('"').next()
        };
        let parse = |t: &str| DateTime::parse_from_rfc3339(t).ok().map(|t| t.with_timezone(&Utc));
        let start = attr("datetime").and_then(parse);
        let end = attr("data-end").and_then(parse);
        let (Some(start), Some(written_zone), Some(wall)) = (start, attr("data-timezone"), attr("data-wall")) else {
            out.push_str(&element[..close]);
            rest = &element[close..];
            continue;
        };
        let text = date_text(start, end, zone, zone_name, written_zone, wall);
        let original = &element[tag_end + 1..close];
        out.push_str(tag);
        let mut tooltip = format!("{original}; {}", absolute(start, zone));
        if !others.is_empty() {
            let clocks: Vec<String> = others
                .iter()
                .map(|(other, who)| {
                    let local = other.local(start);
                    format!("{} {} ({who})", local.at.format("%a %H:%M"), local.abbreviation)
                })
                .collect();
            tooltip.push_str(&format!("; participants: {}", clocks.join(", ")));
        }
        out.push_str(&format!(" title=\"{}\">", escape(&tooltip)));
        out.push_str(&escape(&text));
        rest = &element[close..];
    }
    out.push_str(rest);
    out
}

fn date_text(
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    zone: &impl Zone,
    zone_name: &str,
    written_zone: &str,
    wall: &str,
) -> String {
    let mine = |t: DateTime<Utc>| zone.local(t).at;
    let local_start = mine(start);
    let mut text = local_start.format("%H:%M").to_string();
    if let Some(end) = end {
        let local_end = mine(end);
        if local_end.date() == local_start.date() {
            text.push_str(&local_end.format("–%H:%M").to_string());
        } else {
            text.push_str(&local_end.format(" – %H:%M %a %-d %b").to_string());
        }
    }
    text.push_str(&local_start.format(" %a %-d %b %Y").to_string());
    if zone_name == written_zone {
        return format!("{text} {written_zone}");
    }
    // The wall time as written: "2023-12-14T15:00" or "…T15:00/…T16:30".
    let clock = |w: &str| w.split_once('T').map(|(_, t)| t.to_owned()).unwrap_or_default();
    let written = match wall.split_once('/') {
        Some((from, to)) => format!("{}–{}", clock(from), clock(to)),
        None => clock(wall),
    };
    format!("{text} your time · {written} {written_zone}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// People grouped by zone, zones in the order their first person comes:
/// `[("Europe/London", "ana, bo"), ("Africa/Accra", "kofi")]`.
pub fn zone_groups(people: &[(String, String)]) -> Vec<(String, String)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (name, zone) in people {
        match groups.iter_mut().find(|(z, _)| z == zone) {
            Some((_, names)) => names.push(name.clone()),
            None => groups.push((zone.clone(), vec![name.clone()])),
        }
    }
    groups.into_iter().map(|(zone, names)| (zone, names.join(", "))).collect()
}

/// The markup a post uses for a moment: `[date=2023-12-14 time=15:00
/// timezone="Europe/London"]`, from a date (`YYYY-MM-DD`) and a time
/// (`HH:MM`) as date and time inputs give them; `None` when either is not
/// one.
pub fn date_markup(date: &str, time: &str, zone: &str) -> Option<String> {
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let time = parse_clock(time)?;
    let zone = zone.trim();
    if zone.is_empty() || zone.contains('"') {
        return None;
    }
    Some(format!("[date={} time={} timezone=\"{zone}\"]", date.format("%Y-%m-%d"), time.format("%H:%M")))
}

fn parse_clock(time: &str) -> Option<chrono::NaiveTime> {
    let time = time.trim();
    chrono::NaiveTime::parse_from_str(time, "%H:%M")
        .or_else(|_| chrono::NaiveTime::parse_from_str(time, "%H:%M:%S"))
        .ok()
}

/// A wall time as the API takes it (`2030-03-12T15:00`) from a date and a
/// time input.
pub fn wall(date: &str, time: &str) -> Option<String> {
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    Some(date.and_time(parse_clock(time)?).format("%Y-%m-%dT%H:%M").to_string())
}

/// The wall time `minutes` after `start` (`2030-03-12T15:00`), on the
/// same clock: a slot's end from its start and length.
pub fn wall_after(start: &str, minutes: i64) -> Option<String> {
    let start = NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M").ok()?;
    Some((start + chrono::Duration::minutes(minutes)).format("%Y-%m-%dT%H:%M").to_string())
}

/// A wall time's date and clock apart (`("2030-03-12", "15:00")`), for
/// date and time inputs.
pub fn split_wall(wall: &str) -> (String, String) {
    match wall.split_once('T') {
        Some((date, time)) => (date.to_owned(), time.chars().take(5).collect()),
        None => (wall.to_owned(), String::new()),
    }
}

/// "2030-03-12 15:00–16:00 Europe/London": a span as its organiser wrote it.
pub fn written_span(start_wall: &str, end_wall: &str, zone: &str) -> String {
    let (start_date, start_time) = split_wall(start_wall);
    let (end_date, end_time) = split_wall(end_wall);
    if start_date == end_date {
        format!("{start_date} {start_time}–{end_time} {zone}")
    } else {
        format!("{start_date} {start_time} – {end_date} {end_time} {zone}")
    }
}

/// "Thu 12 Mar 2030, 16:00–17:00 CET" in `zone` (the end's day named when
/// it differs).
pub fn span_in(start: DateTime<Utc>, end: DateTime<Utc>, zone: &impl Zone) -> String {
    let (from, to) = (zone.local(start), zone.local(end));
    if from.at.date() == to.at.date() {
        format!("{}–{} {}", from.at.format("%a %-d %b %Y, %H:%M"), to.at.format("%H:%M"), to.abbreviation)
    } else {
        format!(
            "{} {} – {} {}",
            from.at.format("%a %-d %b %Y, %H:%M"),
            from.abbreviation,
            to.at.format("%a %-d %b, %H:%M"),
            to.abbreviation
        )
    }
}

/// `text` with `snippet` put in at `at` (a cursor position in UTF-16 code
/// units, as a textarea reports it; the end when `None` or past it), with
/// a space before it unless it starts a line or follows one, and after it
/// where a word follows.
pub fn insert_at(text: &str, at: Option<u32>, snippet: &str) -> String {
    let mut byte = text.len();
    if let Some(at) = at {
        let mut units = 0u32;
        for (i, c) in text.char_indices() {
            if units >= at {
                byte = i;
                break;
            }
            units += c.len_utf16() as u32;
        }
    }
    let (before, after) = text.split_at(byte);
    let space_before = before.chars().last().is_some_and(|c| !c.is_whitespace());
    let space_after = after.chars().next().is_some_and(char::is_alphanumeric);
    format!("{before}{}{snippet}{}{after}", if space_before { " " } else { "" }, if space_after { " " } else { "" })
}

/// "1 Like", "2 Likes": a count and a noun that agrees with it.
pub fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The zone names to offer: the browser's list, plus UTC and the current
/// choice when the list lacks them, sorted.
pub fn merge_zone_names(mut names: Vec<String>, current: &str) -> Vec<String> {
    for must in ["UTC", current] {
        if !must.is_empty() && !names.iter().any(|n| n == must) {
            names.push(must.to_string());
        }
    }
    names.sort_unstable();
    names.dedup();
    names
}

// ------------------------------------------------------------- browser

/// A zone the browser knows, by IANA name.
#[derive(Clone, Debug, PartialEq)]
pub struct BrowserZone(String);

impl BrowserZone {
    pub fn name(&self) -> &str {
        &self.0
    }
}

thread_local! {
    static FORMATTERS: RefCell<HashMap<String, Option<js_sys::Intl::DateTimeFormat>>> = RefCell::new(HashMap::new());
}

fn intl(name: &str) -> Option<JsValue> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    js_sys::Reflect::get(&intl, &name.into()).ok().filter(|v| !v.is_undefined())
}

/// An `Intl.DateTimeFormat` for `zone` giving every field as numbers, or
/// `None` when the browser does not know the zone.
fn formatter(zone: &str) -> Option<js_sys::Intl::DateTimeFormat> {
    FORMATTERS.with(|cache| {
        if let Some(known) = cache.borrow().get(zone) {
            return known.clone();
        }
        let options = js_sys::Object::new();
        let set = |key: &str, value: &str| js_sys::Reflect::set(&options, &key.into(), &value.into());
        let _ = set("timeZone", zone);
        let _ = set("hourCycle", "h23");
        for field in ["year", "month", "day", "hour", "minute", "second"] {
            let _ = set(field, "numeric");
        }
        let _ = set("timeZoneName", "short");
        let constructor = intl("DateTimeFormat")?.dyn_into::<js_sys::Function>().ok()?;
        let args = js_sys::Array::of2(&"en-GB".into(), &options);
        let made = js_sys::Reflect::construct(&constructor, &args).ok().map(|f| f.unchecked_into());
        cache.borrow_mut().insert(zone.to_string(), made.clone());
        made
    })
}

impl Zone for BrowserZone {
    fn local(&self, t: DateTime<Utc>) -> LocalTime {
        let utc = LocalTime { at: t.naive_utc(), abbreviation: "UTC".into() };
        let Some(format) = formatter(&self.0) else { return utc };
        let date = js_sys::Date::new(&JsValue::from_f64(t.timestamp_millis() as f64));
        let mut fields = [0u32; 6];
        let mut abbreviation = String::new();
        for part in format.format_to_parts(&date).iter() {
            let get = |key: &str| js_sys::Reflect::get(&part, &key.into()).ok().and_then(|v| v.as_string());
            let (Some(kind), Some(value)) = (get("type"), get("value")) else { continue };
            let slot = ["year", "month", "day", "hour", "minute", "second"].iter().position(|f| *f == kind);
            match slot {
                Some(i) => fields[i] = value.parse().unwrap_or(0),
                None if kind == "timeZoneName" => abbreviation = value,
                None => {}
            }
        }
        let [year, month, day, hour, minute, second] = fields;
        NaiveDate::from_ymd_opt(year as i32, month, day)
            .and_then(|d| d.and_hms_opt(hour % 24, minute, second))
            .map(|at| LocalTime { at, abbreviation })
            .unwrap_or(utc)
    }
}

/// The zone named `name` when the browser knows it, else UTC.
pub fn zone(name: Option<&str>) -> BrowserZone {
    match name {
        Some(n) if !n.is_empty() && formatter(n).is_some() => BrowserZone(n.to_string()),
        _ => BrowserZone("UTC".into()),
    }
}

/// Every IANA zone the browser knows (`Intl.supportedValuesOf`), with UTC
/// and `current`.
pub fn zone_names(current: &str) -> Vec<String> {
    let listed = intl("supportedValuesOf")
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call1(&JsValue::NULL, &"timeZone".into()).ok())
        .map(|list| js_sys::Array::from(&list).iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default();
    merge_zone_names(listed, current)
}

/// The browser's zone (from `Intl`), if it reports one.
pub fn browser_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into()).ok().and_then(|v| v.as_string())
}

/// Now, from the browser's clock.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::{OffsetName, Tz};

    /// The same rules as a browser's, from the IANA database.
    impl Zone for Tz {
        fn local(&self, t: DateTime<Utc>) -> LocalTime {
            let local = t.with_timezone(self);
            LocalTime { at: local.naive_local(), abbreviation: local.offset().abbreviation().unwrap_or("").to_string() }
        }
    }

    fn zone(name: &str) -> Tz {
        name.parse().expect("a known zone")
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("valid date")
    }

    #[test]
    fn a_meeting_time_reads_differently_in_london_and_berlin() {
        // 13:00 UTC in June: British Summer Time is UTC+1, Central European Summer Time UTC+2.
        let meeting = at(2026, 6, 11, 13, 0);
        assert_eq!(absolute(meeting, &zone("Europe/London")), "Thu 11 Jun 2026, 14:00 BST");
        assert_eq!(absolute(meeting, &zone("Europe/Berlin")), "Thu 11 Jun 2026, 15:00 CEST");
        // In winter both move back an hour.
        let winter = at(2026, 11, 27, 13, 0);
        assert_eq!(absolute(winter, &zone("Europe/London")), "Fri 27 Nov 2026, 13:00 GMT");
        assert_eq!(absolute(winter, &zone("Europe/Paris")), "Fri 27 Nov 2026, 14:00 CET");
    }

    #[test]
    fn relative_times_step_from_minutes_to_dates() {
        let now = at(2026, 11, 27, 12, 0);
        let utc = &Tz::UTC;
        assert_eq!(relative(now, now - chrono::Duration::seconds(20), utc), "just now");
        assert_eq!(relative(now, now + chrono::Duration::seconds(20), utc), "just now");
        assert_eq!(relative(now, now - chrono::Duration::minutes(1), utc), "1 minute ago");
        assert_eq!(relative(now, now - chrono::Duration::minutes(59), utc), "59 minutes ago");
        assert_eq!(relative(now, now - chrono::Duration::hours(3), utc), "3 hours ago");
        assert_eq!(relative(now, at(2026, 11, 26, 9, 0), utc), "yesterday");
        assert_eq!(relative(now, at(2026, 11, 23, 9, 0), utc), "4 days ago");
        assert_eq!(relative(now, at(2026, 3, 3, 9, 0), utc), "3 Mar");
        assert_eq!(relative(now, at(2025, 3, 3, 9, 0), utc), "3 Mar 2025");
        assert_eq!(relative(now, now + chrono::Duration::days(3), utc), "30 Nov");
    }

    #[test]
    fn yesterday_is_decided_in_the_viewers_zone() {
        // Seven hours across midnight stays "7 hours ago"; thirteen hours across midnight is "yesterday".
        let now = at(2026, 11, 27, 3, 0);
        let then = at(2026, 11, 26, 20, 0);
        assert_eq!(relative(now, then, &zone("UTC")), "7 hours ago");
        assert_eq!(relative(now, then, &zone("America/Los_Angeles")), "7 hours ago");
        let then = at(2026, 11, 26, 14, 0);
        assert_eq!(relative(now, then, &zone("Asia/Tokyo")), "yesterday");
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(plural(0, "Like", "Likes"), "0 Likes");
        assert_eq!(plural(1, "Like", "Likes"), "1 Like");
        assert_eq!(plural(2, "reply", "replies"), "2 replies");
    }

    #[test]
    fn the_zone_list_always_has_utc_and_the_current_choice() {
        let names = merge_zone_names(vec!["Europe/Paris".into(), "Africa/Accra".into()], "Asia/Calcutta");
        assert_eq!(names, ["Africa/Accra", "Asia/Calcutta", "Europe/Paris", "UTC"]);
        let names = merge_zone_names(vec!["UTC".into()], "UTC");
        assert_eq!(names, ["UTC"]);
    }

    #[test]
    fn times_in_posts_show_in_the_readers_zone_beside_the_original() {
        let html = "<p>Call <time class=\"quorum-date\" datetime=\"2023-12-14T15:00:00Z\" \
                    data-timezone=\"Europe/London\" data-wall=\"2023-12-14T15:00\">Thu 14 Dec 2023 15:00 \
                    Europe/London (15:00 UTC)</time>.</p>";
        let berlin = zone("Europe/Berlin");
        let shown = localise_dates(html, &berlin, "Europe/Berlin", &[]);
        assert!(shown.contains(">16:00 Thu 14 Dec 2023 your time · 15:00 Europe/London</time>"), "{shown}");
        assert!(
            shown.contains("title=\"Thu 14 Dec 2023 15:00 Europe/London (15:00 UTC); Thu 14 Dec 2023, 16:00 CET\""),
            "{shown}"
        );
        assert!(shown.starts_with("<p>Call ") && shown.ends_with(".</p>"), "{shown}");
        let london = zone("Europe/London");
        assert!(
            localise_dates(html, &london, "Europe/London", &[]).contains(">15:00 Thu 14 Dec 2023 Europe/London</time>")
        );

        let range = "<time class=\"quorum-date\" datetime=\"2024-07-02T07:30:00Z\" data-end=\"2024-07-02T10:00:00Z\" \
                     data-timezone=\"Europe/Paris\" data-wall=\"2024-07-02T09:30/2024-07-02T12:00\">x</time>";
        let shown = localise_dates(range, &london, "Europe/London", &[]);
        assert!(shown.contains(">08:30–11:00 Tue 2 Jul 2024 your time · 09:30–12:00 Europe/Paris</time>"), "{shown}");
        assert_eq!(localise_dates("<p>no times</p>", &london, "Europe/London", &[]), "<p>no times</p>");

        // The tooltip names the time on each participant's clock.
        let others = [(zone("Europe/Paris"), "bea".to_string()), (zone("Africa/Accra"), "kofi, ama".to_string())];
        let shown = localise_dates(html, &london, "Europe/London", &others);
        assert!(shown.contains("; participants: Thu 16:00 CET (bea), Thu 15:00 GMT (kofi, ama)\">"), "{shown}");
    }

    #[test]
    fn a_time_goes_in_at_the_cursor() {
        assert_eq!(insert_at("", None, "[x]"), "[x]");
        assert_eq!(insert_at("Call at", None, "[x]"), "Call at [x]");
        assert_eq!(insert_at("Call at.", Some(7), "[x]"), "Call at [x].");
        assert_eq!(insert_at("Café at ", Some(8), "[x]"), "Café at [x]");
        assert_eq!(insert_at("é😀b", Some(3), "[x]"), "é😀 [x] b");
        assert_eq!(insert_at("ab", Some(99), "[x]"), "ab [x]");
    }

    #[test]
    fn participants_are_grouped_by_zone_in_order_of_appearance() {
        let people = [("ana", "Europe/London"), ("bea", "Europe/Paris"), ("bo", "Europe/London")]
            .map(|(n, z)| (n.to_string(), z.to_string()));
        assert_eq!(
            zone_groups(&people),
            vec![("Europe/London".to_string(), "ana, bo".to_string()), ("Europe/Paris".to_string(), "bea".to_string())]
        );
    }

    #[test]
    fn the_picker_writes_the_markup_and_slots_from_inputs() {
        assert_eq!(
            date_markup("2023-12-14", "15:00", "Europe/London").as_deref(),
            Some("[date=2023-12-14 time=15:00 timezone=\"Europe/London\"]")
        );
        assert_eq!(
            date_markup("2023-12-14", "15:00:00", " CET ").as_deref(),
            Some("[date=2023-12-14 time=15:00 timezone=\"CET\"]")
        );
        assert_eq!(date_markup("", "15:00", "Europe/London"), None);
        assert_eq!(date_markup("2023-12-14", "25:00", "Europe/London"), None);
        assert_eq!(date_markup("2023-12-14", "15:00", "Europe/\"x"), None);
        assert_eq!(wall("2030-03-12", "15:00").as_deref(), Some("2030-03-12T15:00"));
        assert_eq!(wall_after("2030-03-12T23:30", 90).as_deref(), Some("2030-03-13T01:00"));
        assert_eq!(split_wall("2030-03-12T15:00"), ("2030-03-12".to_string(), "15:00".to_string()));
        assert_eq!(
            written_span("2030-03-12T15:00", "2030-03-12T16:00", "Europe/London"),
            "2030-03-12 15:00–16:00 Europe/London"
        );
        let (start, end) = (at(2030, 3, 12, 15, 0), at(2030, 3, 12, 16, 0));
        assert_eq!(span_in(start, end, &zone("Europe/Paris")), "Tue 12 Mar 2030, 16:00–17:00 CET");
        assert_eq!(span_in(start, end, &zone("Pacific/Auckland")), "Wed 13 Mar 2030, 04:00–05:00 NZDT");
    }
}
