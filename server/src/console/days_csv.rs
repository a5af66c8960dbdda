//! What the widget did, as a file: a shop's lookups per day for the last year,
//! for a spreadsheet. The overview shows the last 30 days; the counts of older
//! days are kept (only their distinct-order sketches are dropped), so the file
//! goes further back.

use super::member;
use super::pages::Section;
use super::refused;
use super::session::Signed;
use super::shop::DAYS;
use crate::AppState;
use app::store::Day;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::fmt::Write;

/// Days the file holds, today (UTC) included.
pub const FILE_DAYS: i64 = 365;

/// The file's columns, named in English, as a program reads them.
const COLUMNS: [&str; 5] = ["day", "found", "missed", "rate_limited", "distinct_orders"];

/// `GET /console/shops/{slug}/days.csv`: the last [`FILE_DAYS`] days, oldest
/// first, for owners and staff, as the overview is; its fields separated as
/// the console's language's spreadsheets expect (`,`, or `;` where the
/// decimal mark is a comma).
pub async fn download(State(state): State<AppState>, signed: Signed, Path(slug): Path<String>) -> Response {
    let member = match member(&state, &signed, &slug, Section::Overview).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let days = match state.store.shop_days(member.shop.id, FILE_DAYS).await {
        Ok(days) => days,
        Err(e) => {
            tracing::error!(error = %e, "daily counts query failed");
            return refused::unavailable(signed.locale);
        }
    };
    let separator = app::format::csv_separator(signed.locale);
    let mut response = (StatusCode::OK, csv(&days, separator)).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The slug is checked (a-z, 0-9 and -) before any of this.
    if let Ok(disposition) = HeaderValue::from_str(&format!(
        "attachment; filename=\"lookout-{}-lookups.csv\"",
        member.shop.slug
    )) {
        h.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response
}

/// `days` (consecutive, oldest first, ending today) as CSV (RFC 4180: a header,
/// CRLF line ends), fields separated by `sep`. Distinct orders are left empty
/// for days older than the overview's [`DAYS`], whose sketches are gone:
/// unknown, not none.
fn csv(days: &[Day], sep: char) -> String {
    let mut out = String::with_capacity(48 * (days.len() + 1));
    out.push_str(&COLUMNS.join(&sep.to_string()));
    out.push_str("\r\n");
    let known_from = days.len().saturating_sub(DAYS as usize);
    for (i, d) in days.iter().enumerate() {
        let distinct = match i >= known_from {
            true => d.distinct_orders.to_string(),
            false => String::new(),
        };
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            "{}{sep}{}{sep}{}{sep}{}{sep}{distinct}\r\n",
            d.day, d.found, d.missed, d.limited
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(day: &str, found: i64, distinct_orders: i64) -> Day {
        Day {
            day: day.to_string(),
            found,
            missed: 2,
            limited: 1,
            distinct_orders,
        }
    }

    #[test]
    fn a_file_says_each_day_and_leaves_unknown_distinct_orders_empty() {
        let mut days: Vec<Day> = (0..31)
            .map(|n| day(&format!("2026-11-{:02}", n % 30 + 1), n, 1))
            .collect();
        days[0].distinct_orders = 0;
        let text = csv(&days, ',');
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "day,found,missed,rate_limited,distinct_orders");
        assert_eq!(lines.len(), 33, "a header, 31 days and the last line end");
        assert_eq!(lines[32], "");
        assert_eq!(
            lines[1], "2026-11-01,0,2,1,",
            "beyond the overview's 30 days: not known"
        );
        assert_eq!(lines[2], "2026-11-02,1,2,1,1");
        assert_eq!(lines[31], "2026-11-01,30,2,1,1");
        assert!(!text.contains('\n') || text.matches('\n').count() == text.matches("\r\n").count());
    }

    #[test]
    fn no_days_is_a_header_alone() {
        assert_eq!(csv(&[], ','), "day,found,missed,rate_limited,distinct_orders\r\n");
    }

    #[test]
    fn a_semicolon_separates_every_field_where_asked() {
        let text = csv(&[day("2026-11-01", 3, 1)], ';');
        assert_eq!(
            text,
            "day;found;missed;rate_limited;distinct_orders\r\n2026-11-01;3;2;1;1\r\n"
        );
    }
}
