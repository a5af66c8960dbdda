//! Shopify's facts as Lookout's own sentences.

use super::{refund_event, Refund};
use serde_json::{json, Value};

const REFUND: &str = include_str!("../../../fixtures/shopify/refund.json");

fn refund_with(transactions: Value) -> Refund {
    let mut refund: Value = serde_json::from_str(REFUND).expect("a fixture is JSON");
    refund["transactions"] = transactions;
    serde_json::from_value(refund).expect("a refund")
}

#[test]
fn a_refund_says_what_is_issued_or_under_way_in_lookouts_own_words() {
    let refund = refund_with(json!([
        {"kind": "refund", "status": "success", "amount": "10.00", "currency": "NOK"},
        {"kind": "refund", "status": "pending", "amount": "5.00", "currency": "NOK"},
        {"kind": "refund", "status": "failure", "amount": "3.00", "currency": "NOK"},
        {"kind": "refund", "status": "error", "amount": "2.00", "currency": "NOK"},
        {"kind": "sale", "status": "success", "amount": "99.00", "currency": "NOK"},
        {"kind": "refund", "amount": "1.00", "currency": "NOK"}
    ]));
    let event = refund_event(&refund, "SEK").expect("a refund was issued");
    assert_eq!(event.message, app::own_words::refund(&["10.00", "5.00", "1.00"], "NOK"));
    assert_eq!(event.message, "Refund of 10.00 + 5.00 + 1.00 NOK issued");
    assert_eq!(event.kind, "refunded");
    // A pending transaction that then succeeds says the same sentence again:
    // the history keeps it once.
    let settled = refund_with(json!([
        {"kind": "refund", "status": "success", "amount": "10.00", "currency": "NOK"},
        {"kind": "refund", "status": "success", "amount": "5.00", "currency": "NOK"},
        {"kind": "refund", "status": "failure", "amount": "3.00", "currency": "NOK"},
        {"kind": "refund", "amount": "1.00", "currency": "NOK"}
    ]));
    assert_eq!(refund_event(&settled, "NOK"), Some(event));
    // Nothing but failures: no line.
    let failed = refund_with(json!([
        {"kind": "refund", "status": "failure", "amount": "5.00", "currency": "NOK"}
    ]));
    assert!(refund_event(&failed, "NOK").is_none());
}
