//! Times as people read them: relative ("5 minutes ago") and absolute in
//! the viewer's own zone, with the zone's abbreviation so "15:00 BST" and
//! "16:00 CEST" cannot be mistaken for each other.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

/// The zone named `name`, or UTC when it is missing or unknown.
pub fn zone(name: Option<&str>) -> Tz {
    name.and_then(|n| n.parse::<Tz>().ok()).unwrap_or(Tz::UTC)
}

/// "just now", "3 minutes ago", "2 hours ago", "yesterday", "4 days ago",
/// then the date ("3 Mar", or "3 Mar 2025" in another year).
pub fn relative(now: DateTime<Utc>, then: DateTime<Utc>, tz: Tz) -> String {
    let seconds = (now - then).num_seconds();
    if seconds.abs() < 60 {
        return "just now".into();
    }
    if seconds < 0 {
        return short_date(now, then, tz);
    }
    let minutes = seconds / 60;
    let hours = minutes / 60;
    let local_now = now.with_timezone(&tz).date_naive();
    let local_then = then.with_timezone(&tz).date_naive();
    let days = (local_now - local_then).num_days();
    match () {
        _ if minutes < 60 => plural(minutes, "minute", "minutes") + " ago",
        _ if hours < 12 || (hours < 24 && days == 0) => plural(hours, "hour", "hours") + " ago",
        _ if days <= 1 => "yesterday".into(),
        _ if days < 7 => format!("{days} days ago"),
        _ => short_date(now, then, tz),
    }
}

fn short_date(now: DateTime<Utc>, then: DateTime<Utc>, tz: Tz) -> String {
    let local = then.with_timezone(&tz);
    if local.year() == now.with_timezone(&tz).year() {
        local.format("%-d %b").to_string()
    } else {
        local.format("%-d %b %Y").to_string()
    }
}

/// "Thu 27 Nov 2026, 14:05 GMT": weekday, date, 24-hour time and zone.
pub fn absolute(then: DateTime<Utc>, tz: Tz) -> String {
    then.with_timezone(&tz).format("%a %-d %b %Y, %H:%M %Z").to_string()
}

/// "1 Like", "2 Likes": a count and a noun that agrees with it.
pub fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Every IANA zone name a person may pick, sorted, regions first.
pub fn zone_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("SystemV/") || *n == "UTC")
        .collect();
    names.sort_unstable();
    names
}

/// The browser's zone (from `Intl`), if it reports one.
pub fn browser_zone() -> Option<String> {
    if !cfg!(target_arch = "wasm32") {
        return None;
    }
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    let options = format.resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into()).ok().and_then(|v| v.as_string())
}

/// Now, from the browser's clock.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("valid date")
    }

    #[test]
    fn a_meeting_time_reads_differently_in_london_and_berlin() {
        // 13:00 UTC in June: British Summer Time is UTC+1, Central European Summer Time UTC+2.
        let meeting = at(2026, 6, 11, 13, 0);
        assert_eq!(absolute(meeting, zone(Some("Europe/London"))), "Thu 11 Jun 2026, 14:00 BST");
        assert_eq!(absolute(meeting, zone(Some("Europe/Berlin"))), "Thu 11 Jun 2026, 15:00 CEST");
        // In winter both move back an hour.
        let winter = at(2026, 11, 27, 13, 0);
        assert_eq!(absolute(winter, zone(Some("Europe/London"))), "Fri 27 Nov 2026, 13:00 GMT");
        assert_eq!(absolute(winter, zone(Some("Europe/Paris"))), "Fri 27 Nov 2026, 14:00 CET");
    }

    #[test]
    fn unknown_zones_fall_back_to_utc() {
        assert_eq!(zone(Some("Mars/Olympus")), Tz::UTC);
        assert_eq!(zone(None), Tz::UTC);
        assert_eq!(absolute(at(2026, 1, 2, 3, 4), zone(Some("CET+1"))), "Fri 2 Jan 2026, 03:04 UTC");
    }

    #[test]
    fn relative_times_step_from_minutes_to_dates() {
        let now = at(2026, 11, 27, 12, 0);
        let utc = Tz::UTC;
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
        assert_eq!(relative(now, then, zone(Some("UTC"))), "7 hours ago");
        assert_eq!(relative(now, then, zone(Some("America/Los_Angeles"))), "7 hours ago");
        let then = at(2026, 11, 26, 14, 0);
        assert_eq!(relative(now, then, zone(Some("Asia/Tokyo"))), "yesterday");
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(plural(0, "Like", "Likes"), "0 Likes");
        assert_eq!(plural(1, "Like", "Likes"), "1 Like");
        assert_eq!(plural(2, "reply", "replies"), "2 replies");
    }

    #[test]
    fn the_zone_list_is_sorted_iana_names() {
        let names = zone_names();
        assert!(names.contains(&"Europe/London") && names.contains(&"America/Sao_Paulo") && names.contains(&"UTC"));
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        assert!(!names.contains(&"Etc/GMT+1"));
    }
}
