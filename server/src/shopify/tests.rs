//! Shopify's facts as Lookout's own sentences.

use super::{refund_event, shipment, Fulfillment, Refund};
use app::status::ShipmentStatus;
use serde_json::{json, Value};

const REFUND: &str = include_str!("../../../fixtures/shopify/refund.json");
const FULFILLMENT: &str = include_str!("../../../fixtures/shopify/fulfillment.json");

/// The fixture's fulfillment with these statuses, with its tracking number and
/// link or (`tracked` false) without any.
fn fulfillment(status: Value, shipment_status: Value, tracked: bool) -> Fulfillment {
    let mut f: Value = serde_json::from_str(FULFILLMENT).expect("a fixture is JSON");
    f["status"] = status;
    f["shipment_status"] = shipment_status;
    if !tracked {
        for (field, none) in [
            ("tracking_number", Value::Null),
            ("tracking_url", Value::Null),
            ("tracking_numbers", json!([])),
            ("tracking_urls", json!([])),
        ] {
            f[field] = none;
        }
    }
    serde_json::from_value(f).expect("a fulfillment")
}

#[test]
fn a_parcel_says_what_shopify_knows_of_it_and_no_more() {
    use ShipmentStatus::*;
    // (fulfillment status, shipment status) → the parcel's status, whether it
    // is shown to the shopper, whether it has left.
    let cases = [
        // Sent with a tracking number, nothing from the carrier yet: its
        // first word is often `confirmed`, so this must not read as further on.
        (json!("success"), Value::Null, LabelCreated, true, true),
        (json!("success"), json!("label_printed"), LabelCreated, true, true),
        (json!("success"), json!("label_purchased"), LabelCreated, true, true),
        (json!("success"), json!("confirmed"), LabelCreated, true, true),
        (json!("success"), json!("carrier_picked_up"), InTransit, true, true),
        (json!("success"), json!("in_transit"), InTransit, true, true),
        (json!("success"), json!("delayed"), InTransit, true, true),
        (json!("success"), json!("out_for_delivery"), OutForDelivery, true, true),
        (
            json!("success"),
            json!("attempted_delivery"),
            AttemptedDelivery,
            true,
            true,
        ),
        (json!("success"), json!("ready_for_pickup"), ReadyForPickup, true, true),
        (json!("success"), json!("picked_up"), Delivered, true, true),
        (json!("success"), json!("delivered"), Delivered, true, true),
        (json!("success"), json!("failure"), Failure, true, true),
        (
            json!("success"),
            json!("a word Shopify adds later"),
            LabelCreated,
            true,
            true,
        ),
        (Value::Null, Value::Null, LabelCreated, true, true),
        // Asked of a fulfillment service that has not taken it yet: not sent.
        (json!("pending"), Value::Null, LabelCreated, true, false),
        (json!("open"), Value::Null, LabelCreated, true, false),
        // Never sent: kept for staff, not shown; the store makes another.
        (json!("cancelled"), Value::Null, LabelCreated, false, true),
        (json!("error"), Value::Null, Failure, false, true),
        (json!("failure"), json!("in_transit"), Failure, false, true),
    ];
    for (status, shipment_status, want, shown, left) in cases {
        let case = format!("{status} / {shipment_status}");
        let parcel = shipment(&fulfillment(status, shipment_status, true));
        assert_eq!(parcel.status, want, "{case}");
        assert_eq!(parcel.cancelled_at.is_none(), shown, "{case}");
        assert_eq!(parcel.shipped_at.is_some(), left, "{case}");
    }
    // Marked sent with no tracking at all (by hand, a local delivery): on its
    // way, never "waiting for the carrier" for good; unless a fulfillment
    // service has yet to take it.
    let untracked = [
        (json!("success"), Value::Null, InTransit),
        (Value::Null, Value::Null, InTransit),
        (json!("pending"), Value::Null, LabelCreated),
        (json!("success"), json!("delivered"), Delivered),
    ];
    for (status, shipment_status, want) in untracked {
        let case = format!("untracked {status} / {shipment_status}");
        assert_eq!(
            shipment(&fulfillment(status, shipment_status, false)).status,
            want,
            "{case}"
        );
    }
}

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
