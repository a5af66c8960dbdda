//! A shop's time zone: the zone its shopper pages say times in as they are made
//! on the server, before (and without) the page's island, which says them again
//! in the shopper's own. A shop that gives none has its times said in UTC.

use crate::format::{date, local_moment, moment};
use crate::i18n::Locale;
use chrono::{DateTime, Datelike, Offset};
use chrono_tz::Tz;

/// The most bytes a time zone's name may be typed in (the database's longest
/// name has 32), checked before it is looked up.
pub const MAX_NAME_LEN: usize = 64;

/// The first year the database's rules are not followed in: chrono-tz keeps
/// each zone's last offset of 2099 from then on (summer time stops), so later
/// times are said in UTC.
const RULES_END: i32 = 2100;

/// A shop's time zone, or UTC when it gives none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Zone(Option<Tz>);

impl Zone {
    /// The zone a shop's stored name names: UTC for none, and for a name this
    /// build's database does not know (every stored name was known when it
    /// was set).
    pub fn of(name: Option<&str>) -> Zone {
        Zone(name.and_then(|name| name.parse::<Tz>().ok()))
    }

    /// The date of an RFC 3339 time as the day was in this zone (a parcel
    /// delivered at 23:30 UTC was delivered the next day in Oslo); a date
    /// alone, and anything else, as [`crate::format::date`] says it.
    pub fn date(self, value: &str, locale: Locale) -> String {
        match self.here(value) {
            Some((here, _)) => date(&here, locale),
            None => date(value, locale),
        }
    }

    /// Date and time of an RFC 3339 time in this zone, and the zone's name as
    /// people read it: "3 Nov 2026 08:00 CET"; without a zone, as
    /// [`crate::format::moment`] says it ("3 Nov 2026 07:00 UTC").
    pub fn moment(self, value: &str, locale: Locale) -> String {
        match self.here(value) {
            Some((here, name)) if value.len() > 16 => format!("{} {name}", local_moment(&here, locale)),
            _ => moment(value, locale),
        }
    }

    /// `value` in this zone (UTC without one: a time stored with another
    /// offset is said in UTC too) as `YYYY-MM-DDTHH:MM`, and the zone's name
    /// then. `None` for what is no time, and for a time whose year is not one
    /// of four digits there or is past the database's rules ([`RULES_END`]).
    fn here(self, value: &str) -> Option<(String, String)> {
        let at = DateTime::parse_from_rfc3339(value).ok()?;
        let zone = match self.0 {
            Some(zone) if at.naive_utc().year() < RULES_END => zone,
            _ => Tz::UTC,
        };
        let at = at.with_timezone(&zone);
        (1..=9999)
            .contains(&at.year())
            .then(|| (at.format("%Y-%m-%dT%H:%M").to_string(), said_name(&at)))
    }
}

/// The zone's abbreviation at `at` ("CET", "CEST", "EDT"), or, where the
/// database has only an offset for it ("+04", "-03", "+0545"), the offset
/// from UTC as people write it: "UTC+4", "UTC−3", "UTC+5:45".
fn said_name(at: &DateTime<Tz>) -> String {
    let abbreviation = at.format("%Z").to_string();
    if !abbreviation.starts_with(['+', '-']) {
        return abbreviation;
    }
    let seconds = at.offset().fix().local_minus_utc();
    let sign = if seconds < 0 { '\u{2212}' } else { '+' };
    let (hours, minutes) = (seconds.abs() / 3600, seconds.abs() % 3600 / 60);
    match minutes {
        0 => format!("UTC{sign}{hours}"),
        minutes => format!("UTC{sign}{hours}:{minutes:02}"),
    }
}

/// The name a time zone is kept under, for a name typed in any case
/// (`europe/oslo` is `Europe/Oslo`): `None` when the database has no such
/// zone. Length-checked before it is looked up.
pub fn canonical(typed: &str) -> Option<&'static str> {
    if typed.len() > MAX_NAME_LEN || !typed.is_ascii() {
        return None;
    }
    Tz::from_str_insensitive(typed).ok().map(|zone| zone.name())
}

/// The zones a merchant is offered when choosing one: `UTC` and every zone
/// named for a place (`Europe/Oslo`), in the database's order (older
/// spellings of a place the database keeps, `Europe/Kiev` beside
/// `Europe/Kyiv`, among them). Other names (`US/Eastern`, `CET`) and `Etc/`
/// offsets are taken when typed, not offered.
pub fn offered() -> impl Iterator<Item = &'static str> {
    const REGIONS: [&str; 9] = [
        "Africa/",
        "America/",
        "Antarctica/",
        "Asia/",
        "Atlantic/",
        "Australia/",
        "Europe/",
        "Indian/",
        "Pacific/",
    ];
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|zone| zone.name())
        .filter(|name| *name == "UTC" || REGIONS.iter().any(|region| name.starts_with(region)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_said_in_the_shops_zone_with_its_name_as_people_read_it() {
        let oslo = Zone::of(Some("Europe/Oslo"));
        // Winter and summer time, and a day that is the next one in Oslo.
        assert_eq!(oslo.moment("2026-11-03T07:00:00Z", Locale::En), "3 Nov 2026 08:00 CET");
        assert_eq!(
            oslo.moment("2026-07-01T10:00:00Z", Locale::De),
            "1. Juli 2026 12:00 CEST"
        );
        assert_eq!(oslo.date("2026-11-02T23:30:00Z", Locale::En), "3 Nov 2026");
        assert_eq!(
            oslo.moment("2026-11-02T23:30:00Z", Locale::Zh),
            "2026年11月3日 00:30 CET"
        );
        // Zones the database names by their offset only.
        let said = |zone: &str, at: &str| Zone::of(Some(zone)).moment(at, Locale::En);
        assert_eq!(said("Asia/Dubai", "2026-07-01T10:00:00Z"), "1 Jul 2026 14:00 UTC+4");
        assert_eq!(
            said("America/Sao_Paulo", "2026-07-01T10:00:00Z"),
            "1 Jul 2026 07:00 UTC\u{2212}3"
        );
        assert_eq!(
            said("Asia/Kathmandu", "2026-07-01T10:00:00Z"),
            "1 Jul 2026 15:45 UTC+5:45"
        );
        assert_eq!(
            said("America/New_York", "2026-01-15T17:05:00Z"),
            "15 Jan 2026 12:05 EST"
        );
    }

    #[test]
    fn without_a_zone_or_a_readable_time_what_the_page_said_before_is_said() {
        for zone in [Zone::default(), Zone::of(None), Zone::of(Some("Mars/Olympus_Mons"))] {
            assert_eq!(zone, Zone::default());
            assert_eq!(zone.moment("2026-11-03T07:00:00Z", Locale::En), "3 Nov 2026 07:00 UTC");
            assert_eq!(zone.date("2026-11-02T23:30:00Z", Locale::En), "2 Nov 2026");
        }
        let oslo = Zone::of(Some("Europe/Oslo"));
        // Past the database's rules, and where a year would not be one of
        // four digits there, in UTC.
        assert_eq!(oslo.moment("2100-07-01T12:00:00Z", Locale::En), "1 Jul 2100 12:00 UTC");
        assert_eq!(oslo.moment("9999-12-31T23:30:00Z", Locale::En), "31 Dec 9999 23:30 UTC");
        let los_angeles = Zone::of(Some("America/Los_Angeles"));
        assert_eq!(los_angeles.date("0001-01-01T00:30:00Z", Locale::En), "1 Jan 1");
        assert_eq!(oslo.moment("2099-07-01T12:00:00Z", Locale::En), "1 Jul 2099 14:00 CEST");
        // A time stored with another offset is said in UTC, with or without a zone.
        assert_eq!(
            Zone::default().moment("2026-11-03T08:00:00+01:00", Locale::En),
            "3 Nov 2026 07:00 UTC"
        );
        assert_eq!(
            oslo.moment("2026-11-03T08:00:00+01:00", Locale::En),
            "3 Nov 2026 08:00 CET"
        );
        // A date alone is a day, wherever it is read; what is no time is shown as it is.
        assert_eq!(oslo.date("2026-11-02", Locale::En), "2 Nov 2026");
        assert_eq!(oslo.moment("2026-11-02", Locale::En), "2 Nov 2026");
        assert_eq!(oslo.moment("soon", Locale::En), "soon");
    }

    #[test]
    fn a_zone_is_kept_under_its_own_name_and_anything_else_is_none() {
        assert_eq!(canonical("europe/OSLO"), Some("Europe/Oslo"));
        assert_eq!(canonical("UTC"), Some("UTC"));
        assert_eq!(canonical("US/Eastern"), Some("US/Eastern"));
        for typed in [
            "",
            "Oslo",
            "Europe/Atlantis",
            "Europe/Oslo ",
            "Europe/Os\u{1e37}o",
            "+01:00",
            &"A/".repeat(40),
        ] {
            assert_eq!(canonical(typed), None, "{typed:?}");
        }
        let offered: Vec<_> = offered().collect();
        assert!(offered.contains(&"Europe/Oslo") && offered.contains(&"UTC"));
        assert!(!offered
            .iter()
            .any(|name| name.starts_with("Etc/") || name.starts_with("US/")));
        assert!(offered.iter().all(|name| canonical(name) == Some(*name)));
    }
}
