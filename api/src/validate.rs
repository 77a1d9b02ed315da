//! Checks on names and values that come from clients.

use crate::error::Validator;

/// NUL cannot be stored by PostgreSQL and means nothing in text: refused
/// everywhere, so both backends answer alike.
pub fn no_nul(v: &mut Validator, field: &str, raw: &str) {
    v.check(!raw.contains('\0'), field, "must not contain NUL characters");
}

pub fn username(v: &mut Validator, raw: &str) -> String {
    no_nul(v, "username", raw);
    let name = raw.trim().to_lowercase();
    let len = name.chars().count();
    v.check((3..=32).contains(&len), "username", "must be 3 to 32 characters");
    v.check(
        name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'),
        "username",
        "may only contain a-z, 0-9, _ and -",
    );
    name
}

pub fn email(v: &mut Validator, raw: &str) -> String {
    no_nul(v, "email", raw);
    let email = raw.trim().to_lowercase();
    let well_formed = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        });
    v.check(well_formed, "email", "must be an e-mail address such as name@example.org");
    email
}

pub fn password(v: &mut Validator, field: &str, raw: &str) {
    no_nul(v, field, raw);
    let len = raw.chars().count();
    v.check(
        (crate::auth::password::MIN_PASSWORD_CHARS..=crate::auth::password::MAX_PASSWORD_CHARS).contains(&len),
        field,
        "must be 10 to 1024 characters",
    );
}

pub fn time_zone(v: &mut Validator, raw: &str) -> String {
    no_nul(v, "time_zone", raw);
    let zone = raw.trim();
    v.check(
        zone.parse::<chrono_tz::Tz>().is_ok(),
        "time_zone",
        format!("{zone:?} is not an IANA time zone such as Europe/London"),
    );
    zone.to_owned()
}

pub fn display_name(v: &mut Validator, raw: &str) -> String {
    no_nul(v, "display_name", raw);
    let name = raw.trim();
    v.check(!name.is_empty() && name.chars().count() <= 64, "display_name", "must be 1 to 64 characters");
    name.to_owned()
}

pub fn bio(v: &mut Validator, raw: &str) -> String {
    no_nul(v, "bio", raw);
    v.check(raw.chars().count() <= 2000, "bio", "must be at most 2000 characters");
    raw.trim().to_owned()
}

/// Group and category slugs.
pub fn slug(v: &mut Validator, field: &str, raw: &str, max: usize) -> String {
    no_nul(v, field, raw);
    let slug = raw.trim().to_lowercase();
    let len = slug.chars().count();
    v.check((2..=max).contains(&len), field, format!("must be 2 to {max} characters"));
    v.check(
        slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
        field,
        "may only contain a-z, 0-9 and -",
    );
    slug
}

/// A human-readable name: trimmed, 1 to `max` characters.
pub fn name(v: &mut Validator, field: &str, raw: &str, max: usize) -> String {
    no_nul(v, field, raw);
    let name = raw.trim();
    v.check(!name.is_empty() && name.chars().count() <= max, field, format!("must be 1 to {max} characters"));
    name.to_owned()
}

pub fn description(v: &mut Validator, raw: &str) -> String {
    no_nul(v, "description", raw);
    v.check(raw.chars().count() <= 2000, "description", "must be at most 2000 characters");
    raw.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_folded_and_checked() {
        let mut v = Validator::default();
        assert_eq!(username(&mut v, " Alice_2 "), "alice_2");
        assert!(v.finish().is_ok());
        let mut v = Validator::default();
        username(&mut v, "a b");
        assert!(v.finish().is_err());
    }

    #[test]
    fn time_zones_must_be_iana() {
        let mut v = Validator::default();
        time_zone(&mut v, "Europe/London");
        assert!(v.finish().is_ok());
        let mut v = Validator::default();
        time_zone(&mut v, "CET+1");
        assert!(v.finish().is_err());
    }
}
