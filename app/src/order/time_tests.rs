//! Times and dates as an order is validated: normalised to UTC, kept within
//! the years RFC 3339 writes, a date kept as the day written.

use super::*;
use crate::errors::FieldError;
use serde_json::{json, Value};

const EXAMPLE: &str = include_str!("../../../fixtures/order-1001.json");

fn example() -> Value {
    serde_json::from_str(EXAMPLE).unwrap()
}

fn errors_of(body: &Value) -> Vec<FieldError> {
    parse_order(body.to_string().as_bytes()).expect_err("the body should be refused")
}

#[test]
fn times_are_normalised_to_utc() {
    let mut body = example();
    body["placed_at"] = json!("2026-11-02T11:15:00+01:00");
    let order = parse_order(body.to_string().as_bytes()).unwrap();
    assert_eq!(order.placed_at, "2026-11-02T10:15:00Z");
}

#[test]
fn times_and_dates_outside_the_years_rfc_3339_writes_in_utc_are_refused() {
    // Each one parses as written but falls outside 0000-9999 once in UTC, where
    // it would be stored as text no comparison or later check could read back.
    let mut body = example();
    body["placed_at"] = json!("0000-01-01T00:00:00+01:00");
    body["updated_at"] = json!("9999-12-31T23:59:00-23:59");
    body["shipments"][0]["estimated_delivery"] = json!("+10000-01-01");
    let errors = errors_of(&body);
    let found: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
    assert_eq!(
        found,
        [
            ("placed_at", "invalid_time"),
            ("updated_at", "invalid_time"),
            ("shipments[0].estimated_delivery", "invalid_date")
        ]
    );
    assert!(
        errors[0].message.contains("years 0000 to 9999 in UTC"),
        "{}",
        errors[0].message
    );
    // The edges themselves are kept.
    body["placed_at"] = json!("0000-01-01T00:00:00Z");
    body["updated_at"] = json!("9999-12-31T23:59:59Z");
    body["shipments"][0]["estimated_delivery"] = json!("9999-12-31");
    let order = parse_order(body.to_string().as_bytes()).unwrap();
    assert_eq!(order.updated_at, "9999-12-31T23:59:59Z");
    // A date is the day written: late on the last day at -02:00 is that day.
    body["shipments"][0]["estimated_delivery"] = json!("9999-12-31T23:00:00-02:00");
    let order = parse_order(body.to_string().as_bytes()).unwrap();
    assert_eq!(order.shipments[0].estimated_delivery.as_deref(), Some("9999-12-31"));
}

#[test]
fn a_date_is_kept_as_rfc_3339_writes_it() {
    for (sent, kept) in [
        ("2026-11-06", "2026-11-06"),
        ("2026-1-6", "2026-01-06"),
        ("+002026-11-06", "2026-11-06"),
        (" 2026-11-06 ", "2026-11-06"),
        // A time names its date where it was written, not in UTC.
        ("2026-11-06T23:30:00-02:00", "2026-11-06"),
        ("2026-12-10T00:30:00+01:00", "2026-12-10"),
        ("2026-12-10T23:59:59Z", "2026-12-10"),
    ] {
        let mut body = example();
        body["shipments"][0]["estimated_delivery"] = json!(sent);
        let order = parse_order(body.to_string().as_bytes()).unwrap();
        assert_eq!(order.shipments[0].estimated_delivery.as_deref(), Some(kept), "{sent}");
    }
}
