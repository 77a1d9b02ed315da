//! Times inside posts, in the form Discourse users know:
//!
//! - `[date=2023-12-14 time=15:00 timezone="Europe/London"]`
//! - `[date-range from=2023-12-14T15:00 to=2023-12-14T16:30 timezone="Europe/London"]`
//!
//! Each is resolved to UTC when the post is written and rendered as a
//! `<time datetime="…Z">` element whose text names the original wall time,
//! its zone and the UTC time, so it reads right without JavaScript; the app
//! adds the reader's own zone. Only IANA zone names are accepted (`UTC`
//! included): an abbreviation such as `CET`, an offset such as `GMT+1` or an
//! unknown name is refused with real zones to use instead. A wall time that
//! does not exist in its zone (the clocks jump over it) is refused; one that
//! happens twice (the clocks go back) is refused unless the markup says
//! which, with `fold=earlier` or `fold=later`.
//!
//! The generated elements are the only `<time>` elements a post can hold
//! (raw HTML `<time>` tags are removed by the sanitiser), so a post's dates
//! are read back from its stored HTML with [`from_html`].

use chrono::offset::LocalResult;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetName, Tz, TZ_VARIANTS};
use quorum_types::PostDate;

/// Most times one post may hold.
pub const MAX_DATES: usize = 50;

/// The class of the `<time>` elements this module writes.
const CLASS: &str = "quorum-date";

/// Zones offered first when several fit, because most members know them.
const WELL_KNOWN: [&str; 20] = [
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Athens",
    "Europe/Helsinki",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
];

/// A time markup resolved: what the post's JSON carries, and its HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub date: PostDate,
    pub html: String,
}

/// Finds the time markups in a run of text (outside code), resolving each.
/// Returns the pieces in order: plain text, or a resolved time.
pub fn split(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = find_open(rest) {
        let Some(len) = rest[start..].find(']') else { break };
        let markup = &rest[start..start + len + 1];
        if start > 0 {
            pieces.push(Piece::Text(&rest[..start]));
        }
        pieces.push(Piece::Time(Box::new(resolve(markup)?)));
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Time(Box<Resolved>),
}

fn find_open(text: &str) -> Option<usize> {
    let a = text.find("[date=");
    let b = text.find("[date-range ");
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `key=value` and `key="value"` pairs after the tag's name.
fn attributes(inner: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut rest = inner.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else {
            return Err(format!("`{rest}` is not of the form name=value"));
        };
        let key = rest[..eq].trim().to_ascii_lowercase();
        rest = rest[eq + 1..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"').or_else(|| rest.strip_prefix('\'')) {
            let quote = &rest[..1];
            let Some(end) = quoted.find(quote) else {
                return Err(format!("the value of {key} has no closing quote"));
            };
            value = quoted[..end].to_owned();
            rest = quoted[end + 1..].trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            value = rest[..end].to_owned();
            rest = rest[end..].trim_start();
        }
        if out.iter().any(|(k, _): &(String, String)| *k == key) {
            return Err(format!("{key} is given twice"));
        }
        out.push((key, value));
    }
    Ok(out)
}

/// Resolves one markup, `[date=…]` or `[date-range …]`, brackets included.
pub fn resolve(markup: &str) -> Result<Resolved, String> {
    let inner = &markup[1..markup.len() - 1];
    let (range, attrs) = match inner.strip_prefix("date-range ") {
        Some(rest) => (true, attributes(rest)?),
        None => (false, attributes(inner)?),
    };
    let get = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let allowed: &[&str] =
        if range { &["from", "to", "timezone", "fold"] } else { &["date", "time", "timezone", "fold"] };
    if let Some((key, _)) = attrs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        return Err(format!("{markup}: unknown setting {key}; it takes {}", allowed.join(", ")));
    }
    let zone_name = get("timezone").ok_or_else(|| {
        format!("{markup}: needs timezone=\"Area/City\" (an IANA name such as Europe/London), so nobody has to guess")
    })?;
    let fold = match get("fold") {
        None => None,
        Some(text) => Some(Fold::parse(text).ok_or_else(|| format!("{markup}: fold is earlier or later, not {text}"))?),
    };
    let (start_wall, end_wall) = if range {
        let from = get("from").ok_or_else(|| format!("{markup}: needs from=YYYY-MM-DDTHH:MM"))?;
        let to = get("to").ok_or_else(|| format!("{markup}: needs to=YYYY-MM-DDTHH:MM"))?;
        (parse_wall(markup, "from", from)?, Some(parse_wall(markup, "to", to)?))
    } else {
        let date = get("date").ok_or_else(|| format!("{markup}: needs date=YYYY-MM-DD"))?;
        let time = get("time").ok_or_else(|| format!("{markup}: needs time=HH:MM"))?;
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|_| format!("{markup}: date must be YYYY-MM-DD, not {date}"))?;
        let time = parse_time(time).ok_or_else(|| format!("{markup}: time must be HH:MM (24-hour), not {time}"))?;
        (date.and_time(time), None)
    };
    let zone = zone(zone_name, start_wall.date()).map_err(|e| format!("{markup}: {e}"))?;
    let start = to_utc(zone, start_wall, fold).map_err(|e| format!("{markup}: {e}"))?;
    let end = match end_wall {
        Some(wall) => {
            let end = to_utc(zone, wall, fold).map_err(|e| format!("{markup}: {e}"))?;
            if end <= start {
                return Err(format!("{markup}: to must be after from"));
            }
            Some(end)
        }
        None => None,
    };
    let wall_time = match end_wall {
        Some(end) => format!("{}/{}", start_wall.format("%Y-%m-%dT%H:%M"), end.format("%Y-%m-%dT%H:%M")),
        None => start_wall.format("%Y-%m-%dT%H:%M").to_string(),
    };
    let date = PostDate { start_utc: start, end_utc: end, timezone: zone.name().to_owned(), wall_time };
    let html = html(&date, zone, start_wall, end_wall);
    Ok(Resolved { date, html })
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M").or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S")).ok()
}

fn parse_wall(markup: &str, key: &str, text: &str) -> Result<NaiveDateTime, String> {
    wall(text).ok_or_else(|| format!("{markup}: {key} must be YYYY-MM-DDTHH:MM, not {text}"))
}

/// Which of the two moments a wall time that happens twice means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    Earlier,
    Later,
}

impl Fold {
    pub fn parse(text: &str) -> Option<Fold> {
        match text {
            "earlier" => Some(Fold::Earlier),
            "later" => Some(Fold::Later),
            _ => None,
        }
    }
}

/// A wall time written `YYYY-MM-DDTHH:MM` (or with a space, or seconds).
pub fn wall(text: &str) -> Option<NaiveDateTime> {
    let (date, time) = text.trim().split_once(['T', ' '])?;
    Some(NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?.and_time(parse_time(time)?))
}

/// The instant a wall time in `zone` names; refused (saying why) when the
/// clocks jump over it, or when it happens twice and `fold` does not say which.
pub fn to_utc(zone: Tz, wall: NaiveDateTime, fold: Option<Fold>) -> Result<DateTime<Utc>, String> {
    let shown = wall.format("%Y-%m-%d %H:%M");
    match zone.from_local_datetime(&wall) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => match fold {
            Some(Fold::Earlier) => Ok(a.with_timezone(&Utc)),
            Some(Fold::Later) => Ok(b.with_timezone(&Utc)),
            None => Err(format!(
                "{shown} happens twice in {} (the clocks go back): add fold=earlier for the first ({} UTC) or \
                 fold=later for the second ({} UTC)",
                zone.name(),
                a.with_timezone(&Utc).format("%H:%M"),
                b.with_timezone(&Utc).format("%H:%M"),
            )),
        },
        LocalResult::None => Err(format!(
            "{shown} does not exist in {} (the clocks go forward over it); pick a time outside the jump",
            zone.name()
        )),
    }
}

/// An IANA zone name (Area/Location, or UTC), or why not with real zones
/// that fit on `date`.
pub fn zone(name: &str, date: NaiveDate) -> Result<Tz, String> {
    let trimmed = name.trim();
    let iana = trimmed == "UTC" || (trimmed.contains('/') && !trimmed.starts_with("Etc/"));
    if iana {
        if let Ok(zone) = trimmed.parse::<Tz>() {
            return Ok(zone);
        }
    }
    let suggestions = suggest(trimmed, date);
    let kind = if abbreviation_or_offset(trimmed) {
        "is an abbreviation or offset, not a time zone (it does not follow daylight saving time)"
    } else {
        "is not a time zone name"
    };
    if suggestions.is_empty() {
        Err(format!("timezone \"{trimmed}\" {kind}; use an IANA name such as Europe/London or America/New_York"))
    } else {
        Err(format!("timezone \"{trimmed}\" {kind}; did you mean {}?", suggestions.join(", ")))
    }
}

fn abbreviation_or_offset(name: &str) -> bool {
    !name.contains('/') || name.starts_with("Etc/")
}

/// Zones for a wrong name: those that use it as their abbreviation (or
/// have its offset) around `date`, or whose name is close to it.
fn suggest(name: &str, date: NaiveDate) -> Vec<String> {
    let candidates = TZ_VARIANTS.iter().filter(|z| z.name().contains('/') && !z.name().starts_with("Etc/"));
    let mut found: Vec<&'static str> = if abbreviation_or_offset(name) {
        let wanted = name.trim_start_matches("Etc/").to_ascii_uppercase();
        let offset = parse_offset(&wanted);
        // Summer and winter: BST names London in July, not in December.
        let days = [date, date.checked_add_months(chrono::Months::new(6)).unwrap_or(date)];
        candidates
            .filter(|zone| {
                days.iter().any(|day| {
                    let noon = day.and_hms_opt(12, 0, 0).unwrap_or_default();
                    let Some(at) = zone.from_local_datetime(&noon).earliest() else { return false };
                    let tz_offset = at.offset();
                    match offset {
                        Some(seconds) => tz_offset.fix().local_minus_utc() == seconds && *day == date,
                        None => tz_offset.abbreviation().is_some_and(|a| a.eq_ignore_ascii_case(&wanted)),
                    }
                })
            })
            .map(|z| z.name())
            .collect()
    } else {
        let lower = name.to_ascii_lowercase();
        let city = lower.rsplit('/').next().unwrap_or(&lower).replace(' ', "_");
        candidates
            .filter(|zone| {
                let zone_lower = zone.name().to_ascii_lowercase();
                let zone_city = zone_lower.rsplit('/').next().unwrap_or(&zone_lower);
                zone_lower == lower || (!city.is_empty() && (zone_city.contains(&city) || close(zone_city, &city)))
            })
            .map(|z| z.name())
            .collect()
    };
    if name.eq_ignore_ascii_case("UTC") || name.eq_ignore_ascii_case("GMT") || name.eq_ignore_ascii_case("Z") {
        found.insert(0, "UTC");
    }
    found.sort_by_key(|z| (WELL_KNOWN.iter().position(|w| w == z).unwrap_or(usize::MAX), *z));
    found.dedup();
    found.truncate(6);
    found.into_iter().map(str::to_owned).collect()
}

/// `GMT+1`, `UTC-05:00`, `+02` → seconds east of UTC.
fn parse_offset(name: &str) -> Option<i32> {
    let rest = name.strip_prefix("GMT").or_else(|| name.strip_prefix("UTC")).unwrap_or(name);
    let (sign, digits) = match rest.chars().next()? {
        '+' => (1, &rest[1..]),
        '-' => (-1, &rest[1..]),
        _ => return None,
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
        None if digits.len() == 4 => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
        None => (digits.parse().ok()?, 0),
    };
    // Etc/GMT+1 means one hour *west*; as written by people, GMT+1 means east.
    (hours <= 14 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

/// At most two edits apart (for misspelt cities).
fn close(a: &str, b: &str) -> bool {
    if a.len().abs_diff(b.len()) > 2 || b.len() < 4 {
        return false;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current[j + 1] = (previous[j] + cost).min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()] <= 2
}

fn html(date: &PostDate, zone: Tz, start: NaiveDateTime, end: Option<NaiveDateTime>) -> String {
    let name = zone.name();
    let wall = |t: NaiveDateTime| t.format("%a %-d %b %Y %H:%M").to_string();
    let utc = |t: DateTime<Utc>| t.format("%H:%M UTC").to_string();
    let text = match (end, date.end_utc) {
        (Some(end), Some(end_utc)) => {
            let same_day = end.date() == start.date();
            let end_wall = if same_day { end.format("%H:%M").to_string() } else { wall(end) };
            format!("{} – {end_wall} {name} ({} – {})", wall(start), utc(date.start_utc), utc(end_utc))
        }
        _ => format!("{} {name} ({})", wall(start), utc(date.start_utc)),
    };
    let datetime = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let end_attr = date.end_utc.map(|e| format!(" data-end=\"{}\"", datetime(e))).unwrap_or_default();
    format!(
        "<time class=\"{CLASS}\" datetime=\"{}\"{end_attr} data-timezone=\"{name}\" data-wall=\"{}\">{}</time>",
        datetime(date.start_utc),
        date.wall_time,
        escape(&text),
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The dates of a post, read back from the HTML [`resolve`] wrote.
pub fn from_html(html: &str) -> Vec<PostDate> {
    let opening = format!("<time class=\"{CLASS}\" ");
    let mut dates = Vec::new();
    for chunk in html.split(opening.as_str()).skip(1) {
        let Some(tag) = chunk.split('>').next() else { continue };
        let attr = |name: &str| {
            let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
            tag[start..].split('"').next()
        };
        let parse = |t: &str| DateTime::parse_from_rfc3339(t).ok().map(|t| t.with_timezone(&Utc));
        let (Some(start), Some(timezone), Some(wall)) =
            (attr("datetime").and_then(parse), attr("data-timezone"), attr("data-wall"))
        else {
            continue;
        };
        dates.push(PostDate {
            start_utc: start,
            end_utc: attr("data-end").and_then(parse),
            timezone: timezone.to_owned(),
            wall_time: wall.to_owned(),
        });
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(markup: &str) -> Resolved {
        resolve(markup).unwrap_or_else(|e| panic!("{markup}: {e}"))
    }

    fn refused(markup: &str) -> String {
        match resolve(markup) {
            Ok(r) => panic!("{markup} was accepted: {r:?}"),
            Err(why) => why,
        }
    }

    #[test]
    fn a_london_afternoon_is_resolved_to_utc_and_rendered_without_script() {
        let r = ok("[date=2023-12-14 time=15:00 timezone=\"Europe/London\"]");
        assert_eq!(r.date.start_utc.to_rfc3339(), "2023-12-14T15:00:00+00:00");
        assert_eq!(r.date.timezone, "Europe/London");
        assert_eq!(r.date.wall_time, "2023-12-14T15:00");
        assert!(r.html.contains("datetime=\"2023-12-14T15:00:00Z\""), "{}", r.html);
        assert!(r.html.contains(">Thu 14 Dec 2023 15:00 Europe/London (15:00 UTC)</time>"), "{}", r.html);
        // The same wall time in Paris is an hour earlier in UTC.
        let paris = ok("[date=2023-12-14 time=15:00 timezone=Europe/Paris]");
        assert_eq!(paris.date.start_utc.to_rfc3339(), "2023-12-14T14:00:00+00:00");
    }

    #[test]
    fn ranges_have_an_end_after_their_start() {
        let r = ok("[date-range from=2023-12-14T15:00 to=2023-12-14T16:30 timezone=\"Europe/London\"]");
        assert_eq!(r.date.end_utc.map(|e| e.to_rfc3339()).as_deref(), Some("2023-12-14T16:30:00+00:00"));
        assert!(r.html.contains("15:00 – 16:30 Europe/London"), "{}", r.html);
        let backwards = refused("[date-range from=2023-12-14T16:00 to=2023-12-14T15:00 timezone=UTC]");
        assert!(backwards.contains("to must be after from"));
    }

    #[test]
    fn abbreviations_and_offsets_are_refused_with_real_zones() {
        let cet = refused("[date=2023-12-14 time=16:00 timezone=\"CET\"]");
        assert!(cet.contains("Europe/Paris") && cet.contains("Europe/Berlin"), "{cet}");
        assert!(cet.contains("abbreviation"), "{cet}");
        let bst = refused("[date=2023-12-14 time=16:00 timezone=BST]");
        assert!(bst.contains("Europe/London"), "{bst}");
        let est = refused("[date=2023-12-14 time=16:00 timezone=EST]");
        assert!(est.contains("America/New_York"), "{est}");
        let offset = refused("[date=2023-12-14 time=16:00 timezone=GMT+1]");
        assert!(offset.contains("Europe/Paris"), "{offset}");
        let etc = refused("[date=2023-12-14 time=16:00 timezone=Etc/GMT-1]");
        assert!(etc.contains("abbreviation or offset"), "{etc}");
        let typo = refused("[date=2023-12-14 time=16:00 timezone=Europe/Londn]");
        assert!(typo.contains("Europe/London"), "{typo}");
        assert!(refused("[date=2023-12-14 time=16:00]").contains("needs timezone"));
        assert_eq!(ok("[date=2023-12-14 time=16:00 timezone=UTC]").date.timezone, "UTC");
    }

    #[test]
    fn daylight_saving_gaps_and_repeats_are_never_shifted_silently() {
        let gap = refused("[date=2026-03-29 time=01:30 timezone=Europe/London]");
        assert!(gap.contains("does not exist"), "{gap}");
        let twice = refused("[date=2026-10-25 time=01:30 timezone=Europe/London]");
        assert!(twice.contains("happens twice") && twice.contains("fold=earlier"), "{twice}");
        let earlier = ok("[date=2026-10-25 time=01:30 timezone=Europe/London fold=earlier]");
        let later = ok("[date=2026-10-25 time=01:30 timezone=Europe/London fold=later]");
        assert_eq!(earlier.date.start_utc.to_rfc3339(), "2026-10-25T00:30:00+00:00");
        assert_eq!(later.date.start_utc.to_rfc3339(), "2026-10-25T01:30:00+00:00");
    }

    #[test]
    fn malformed_markup_names_what_is_wrong() {
        assert!(refused("[date=14/12/2023 time=15:00 timezone=UTC]").contains("YYYY-MM-DD"));
        assert!(refused("[date=2023-12-14 time=3pm timezone=UTC]").contains("HH:MM"));
        assert!(refused("[date=2023-12-14 time=15:00 timezone=UTC place=x]").contains("unknown setting"));
    }

    #[test]
    fn text_is_split_around_markups_and_dates_read_back() {
        let pieces = split("Meet [date=2023-12-14 time=15:00 timezone=Europe/London] online.").expect("resolves");
        assert_eq!(pieces.len(), 3);
        let Piece::Time(time) = &pieces[1] else { panic!("{pieces:?}") };
        assert_eq!(from_html(&format!("<p>Meet {}</p>", time.html)), vec![time.date.clone()]);
        assert_eq!(split("[date is a fruit]").expect("plain text"), vec![Piece::Text("[date is a fruit]")]);
    }
}
