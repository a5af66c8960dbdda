//! The validator's field checks: required values, text lengths, times, dates,
//! money, links, status words and list caps, each naming the field it checks.

use crate::errors::FieldError;
use crate::normalize::is_http_url;
use crate::view::Tracking;
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use std::collections::HashSet;

/// Longest free text, in characters.
pub(super) const MAX_TEXT: usize = 1000;
/// Longest staff note, in characters.
pub(super) const MAX_NOTE: usize = 10_000;
/// Longest id, SKU, carrier or tracking number, in characters.
pub(super) const MAX_ID: usize = 200;
/// The longest link kept (characters).
pub(super) const MAX_URL: usize = 2000;
/// Longest tag, in characters.
pub(super) const MAX_TAG: usize = 255;
/// Longest part of a shipping address, in characters: a name, a street line,
/// a postal code, a city or province, a phone number, a country code.
pub(super) const MAX_NAME: usize = 200;
pub(super) const MAX_STREET: usize = 500;
pub(super) const MAX_ZIP: usize = 40;
pub(super) const MAX_PHONE: usize = 64;
pub(super) const COUNTRY_CODE: usize = 2;

/// A value as an error quotes it: its first 40 characters, `…` if there were more.
pub(super) fn shown(value: &str) -> String {
    match value.chars().nth(40) {
        Some(_) => cut(value, 41),
        None => value.to_string(),
    }
}

/// At most `max` characters of `text`: as it is when it fits, else its first
/// `max - 1` characters and `…`.
pub(super) fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut kept: String = text.chars().take(max.saturating_sub(1)).collect();
    kept.push('…');
    kept
}

/// Collects field errors while turning input into validated values.
#[derive(Default)]
pub(super) struct Validator {
    pub(super) errors: Vec<FieldError>,
    /// Parcels and returns may name line items the order does not list (yet).
    pub(super) items_as_sent: bool,
}

impl Validator {
    pub(super) fn push(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, code, message));
    }

    /// The first `max` of a list, with a `too_many` error naming the list when it is longer.
    pub(super) fn capped<T>(&mut self, list: Vec<T>, field: &str, max: usize) -> impl Iterator<Item = (usize, T)> {
        if list.len() > max {
            self.push(
                field,
                "too_many",
                format!("`{field}` holds at most {max} entries, not {}.", list.len()),
            );
        }
        list.into_iter().take(max).enumerate()
    }

    /// Text that shows something: blank, or only characters that show
    /// nothing (`" \u{200B} "`), is missing. (A control character is text
    /// [`Self::text`] refuses by name.)
    pub(super) fn required(&mut self, value: Option<String>, field: &str) -> Option<String> {
        match value {
            Some(v) if !crate::normalize::shows_nothing(&v) => Some(v),
            _ => {
                self.push(field, "required", format!("`{field}` is required."));
                None
            }
        }
    }

    /// Optional text, trimmed; empty becomes absent; over `max` characters is an error.
    /// Text may not hold a NUL character (PostgreSQL cannot store one in a document).
    pub(super) fn text(&mut self, value: Option<String>, field: &str, max: usize) -> Option<String> {
        let value = value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())?;
        if value.chars().count() > max {
            self.push(field, "too_long", format!("`{field}` has at most {max} characters."));
        } else if value.contains('\0') {
            self.push(
                field,
                "invalid_text",
                format!("`{field}` cannot contain a NUL character."),
            );
        }
        Some(value)
    }

    /// A country's two-letter code (ISO 3166-1 alpha-2), kept in upper case.
    pub(super) fn country(&mut self, value: Option<String>, field: &str) -> Option<String> {
        let code = self.text(value, field, COUNTRY_CODE)?;
        if is_country_code(&code) {
            return Some(code.to_ascii_uppercase());
        }
        if code.chars().count() <= COUNTRY_CODE {
            let message = format!(
                "`{field}` must be a country's two-letter code (ISO 3166-1), such as NO, not {:?}.",
                shown(&code)
            );
            self.push(field, "invalid_country", message);
        }
        Some(code)
    }

    pub(super) fn required_text(&mut self, value: Option<String>, field: &str, max: usize) -> String {
        let value = self.required(value, field);
        self.text(value, field, max).unwrap_or_default()
    }

    /// A list entry's id: required, short, and not used twice in its list.
    pub(super) fn id(&mut self, value: Option<String>, field: &str, seen: &mut HashSet<String>, what: &str) -> String {
        let id = self.required_text(value, field, MAX_ID);
        if !id.is_empty() && !seen.insert(id.clone()) {
            self.push(
                field,
                "duplicate_id",
                format!("{what} id {:?} is used twice.", shown(&id)),
            );
        }
        id
    }

    pub(super) fn time(&mut self, value: Option<String>, field: &str) -> Option<String> {
        let value = value.filter(|v| !v.trim().is_empty())?;
        if value.len() > 64 {
            self.push(field, "too_long", format!("`{field}` is not a time: it is too long."));
            return None;
        }
        match DateTime::parse_from_rfc3339(value.trim()).map(|t| t.with_timezone(&Utc)) {
            Ok(t) if readable_year(t.year()) => Some(t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            Ok(_) => {
                self.push(field, "invalid_time", out_of_years(field));
                None
            }
            Err(_) => {
                self.push(
                    field,
                    "invalid_time",
                    format!("`{field}` must be an RFC 3339 time such as 2026-11-02T10:15:00Z, not {value:?}."),
                );
                None
            }
        }
    }

    pub(super) fn required_time(&mut self, value: Option<String>, field: &str) -> String {
        let value = self.required(value, field);
        self.time(value, field).unwrap_or_default()
    }

    pub(super) fn date(&mut self, value: Option<String>, field: &str) -> Option<String> {
        let value = value.filter(|v| !v.trim().is_empty())?;
        let trimmed = value.trim();
        if trimmed.len() <= 64 {
            let year = match NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
                // Written as RFC 3339 writes a date ("2026-1-6" is 2026-01-06).
                Ok(d) => Some((d.year(), d.format("%Y-%m-%d").to_string())),
                // A full time is accepted too; the date it names is kept, as
                // the day is where it was written (its own offset): the
                // sender's 23:30 at -02:00 on the 6th is the 6th, not UTC's 7th.
                Err(_) => DateTime::parse_from_rfc3339(trimmed)
                    .ok()
                    .map(|t| (t.year(), t.format("%Y-%m-%d").to_string())),
            };
            match year {
                Some((year, date)) if readable_year(year) => return Some(date),
                Some(_) => {
                    self.push(field, "invalid_date", out_of_years(field));
                    return None;
                }
                None => {}
            }
        }
        self.push(
            field,
            "invalid_date",
            format!("`{field}` must be a date such as 2026-11-06, not {:?}.", shown(&value)),
        );
        None
    }

    pub(super) fn money(&mut self, value: Option<String>, field: &str) -> String {
        let Some(value) = self.required(value, field) else {
            return String::new();
        };
        let value = value.trim();
        let canonical = canonical_money(value);
        if is_money(&canonical) {
            canonical.into_owned()
        } else {
            self.push(
                field,
                "invalid_money",
                format!(
                    "`{field}` must be a non-negative decimal string such as \"249.50\", not {:?}.",
                    shown(value)
                ),
            );
            String::new()
        }
    }

    pub(super) fn url(&mut self, value: Option<String>, field: &str) -> Option<String> {
        let value = self.text(value, field, MAX_URL)?;
        if is_http_url(&value) {
            Some(value)
        } else {
            self.push(field, "invalid_url", format!("`{field}` must be an http or https URL."));
            None
        }
    }

    /// A parcel's other boxes: each with a number, a link or both, at most
    /// [`LIMITS`](super::LIMITS)`.more_tracking` of them.
    pub(super) fn more_tracking(&mut self, list: Vec<super::TrackingInput>, parent: &str) -> Vec<Tracking> {
        let field = format!("{parent}.more_tracking");
        let mut out = Vec::with_capacity(list.len().min(super::LIMITS.more_tracking));
        for (i, t) in self.capped(list, &field, super::LIMITS.more_tracking) {
            let p = format!("{field}[{i}]");
            let filled = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
            let given = filled(&t.tracking_number) || filled(&t.tracking_url);
            let tracking = Tracking {
                tracking_number: self.text(t.tracking_number, &format!("{p}.tracking_number"), MAX_ID),
                tracking_url: self.url(t.tracking_url, &format!("{p}.tracking_url")),
            };
            // A box with neither (a bad link is said as that, not twice).
            if !given {
                self.push(
                    &p,
                    "required",
                    format!("`{p}` needs a `tracking_number` or a `tracking_url`."),
                );
            }
            out.push(tracking);
        }
        out
    }

    pub(super) fn word<T>(
        &mut self,
        value: Option<String>,
        field: &str,
        parse: fn(&str) -> Option<T>,
        expected: fn() -> String,
    ) -> Option<T> {
        let value = self.required(value, field)?;
        let parsed = parse(value.trim());
        if parsed.is_none() {
            let shown = shown(&value);
            self.push(
                field,
                "unknown_status",
                format!(
                    "`{field}` has the unknown value {shown:?}; expected one of: {}.",
                    expected()
                ),
            );
        }
        parsed
    }

    pub(super) fn quantity(&mut self, value: Option<u32>, field: &str) -> u32 {
        match value {
            Some(q) if q >= 1 => q,
            Some(_) => {
                self.push(field, "invalid_quantity", format!("`{field}` must be at least 1."));
                0
            }
            None => {
                self.push(field, "required", format!("`{field}` is required."));
                0
            }
        }
    }
}

/// Two ASCII letters, in either case.
pub(super) fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic())
}

/// A year RFC 3339 can write in UTC: a time outside these (`0000-01-01T00:00:00+01:00`
/// is in the year -1 in UTC) would be stored as text no reader takes back.
fn readable_year(year: i32) -> bool {
    (0..=9999).contains(&year)
}

fn out_of_years(field: &str) -> String {
    format!("`{field}` must fall within the years 0000 to 9999 in UTC.")
}

/// An amount without the zeros before its first digit that counts
/// (`000548.00` is kept as `548.00`, `000` as `0`), which every page would
/// otherwise show as written, grouped (`000,548.00`); they count toward no
/// limit. One that starts otherwise is left as it is (`.5` stays refused).
fn canonical_money(s: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = s.trim_start_matches('0');
    match (trimmed.len() == s.len(), trimmed.starts_with('.') || trimmed.is_empty()) {
        (true, _) => s.into(),
        (false, true) => format!("0{trimmed}").into(),
        (false, false) => trimmed.into(),
    }
}

/// A non-negative decimal with at most 12 integer and 4 fractional digits.
pub fn is_money(s: &str) -> bool {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |p: &str, max: usize| !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit());
    digits(int, 12) && frac.is_none_or(|f| digits(f, 4))
}
