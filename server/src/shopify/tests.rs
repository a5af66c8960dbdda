//! Shopify's facts as Lookout's own sentences.

use super::refunds::events;
use super::{shipment, Fulfillment, Refund};
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
fn a_refund_says_what_is_issued_or_under_way_and_what_failed_in_lookouts_own_words() {
    let refund = refund_with(json!([
        {"kind": "refund", "status": "success", "amount": "10.00", "currency": "NOK"},
        {"kind": "refund", "status": "pending", "amount": "5.00", "currency": "NOK"},
        {"kind": "refund", "status": "failure", "amount": "3.00", "currency": "NOK"},
        {"kind": "refund", "status": "error", "amount": "2.00", "currency": "NOK"},
        {"kind": "sale", "status": "success", "amount": "99.00", "currency": "NOK"},
        {"kind": "refund", "amount": "1.00", "currency": "NOK"}
    ]));
    let lines = events(&refund, "SEK");
    let said: Vec<(&str, &str)> = lines.iter().map(|e| (e.kind.as_str(), e.message.as_str())).collect();
    assert_eq!(
        said,
        [
            ("refund_pending", "Refund of 5.00 NOK pending"),
            ("refunded", "Refund of 10.00 + 1.00 NOK issued"),
            ("refund_failed", "Refund of 3.00 + 2.00 NOK failed")
        ]
    );
    assert_eq!(lines[1].message, app::own_words::refund(&["10.00", "1.00"], "NOK"));
    assert!(lines.iter().all(|e| e.visibility == app::status::Visibility::Customer));
    // A refund pending, then settled or refused: each word is its own line,
    // so the history tells what happened.
    let said = |r: &Refund| -> Vec<String> { events(r, "NOK").into_iter().map(|e| e.message).collect() };
    let pending = refund_with(json!([
        {"kind": "refund", "status": "pending", "amount": "549.00", "currency": "NOK"}
    ]));
    let settled = refund_with(json!([
        {"kind": "refund", "status": "success", "amount": "549.00", "currency": "NOK"}
    ]));
    let refused = refund_with(json!([
        {"kind": "refund", "status": "failure", "amount": "549.00", "currency": "NOK"}
    ]));
    assert_eq!(said(&pending), ["Refund of 549.00 NOK pending"]);
    assert_eq!(said(&settled), ["Refund of 549.00 NOK issued"]);
    assert_eq!(said(&refused), ["Refund of 549.00 NOK failed"]);
    // No refund transaction at all: no line.
    let none = refund_with(json!([{"kind": "sale", "status": "success", "amount": "5.00"}]));
    assert!(events(&none, "NOK").is_empty());
}

const ORDER: &str = include_str!("../../../fixtures/shopify/order.json");

fn order_with(change: impl FnOnce(&mut Value)) -> app::order::OrderInput {
    let mut o: Value = serde_json::from_str(ORDER).expect("a fixture is JSON");
    change(&mut o);
    super::order_input(&serde_json::from_value(o).expect("an order"))
}

#[test]
fn an_empty_email_is_no_email_and_the_next_one_is_read() {
    let input = order_with(|o| {
        o["email"] = json!("");
        o["contact_email"] = json!(" ");
        o["customer"]["email"] = json!("ola@example.com");
    });
    assert_eq!(input.email.as_deref(), Some("ola@example.com"));
    let none = order_with(|o| {
        o["email"] = json!("");
        o["contact_email"] = Value::Null;
        o["customer"]["email"] = json!("");
    });
    assert_eq!(none.email, None);
}

/// Shopify's reason is one of six codes, kept as such; anything else (free
/// text Shopify never sends) is `other`, so that the shopper never reads it,
/// and the store's own timeline says the code too.
#[test]
fn a_cancel_reason_is_one_of_shopifys_codes_or_other() {
    for (sent, kept) in [
        ("customer", "customer"),
        (" Inventory ", "inventory"),
        ("FRAUD", "fraud"),
        ("declined", "declined"),
        ("staff", "staff"),
        ("other", "other"),
        ("SEKRIT free text", "other"),
        ("", "other"),
    ] {
        let input = order_with(|o| {
            o["cancelled_at"] = json!("2026-11-03T10:00:00+01:00");
            o["cancel_reason"] = json!(sent);
        });
        assert_eq!(input.cancel_reason.as_deref(), Some(kept), "{sent:?}");
        let said = input.timeline.iter().filter_map(|e| e.message.as_deref());
        assert!(said.clone().all(|m| !m.contains("SEKRIT")), "{sent:?}");
        assert!(
            said.clone().any(|m| m == format!("Order cancelled ({kept})")),
            "{sent:?}"
        );
    }
}

#[test]
fn what_an_edit_or_a_refund_took_off_the_order_is_not_shown_as_ordered() {
    let input = order_with(|o| {
        o["line_items"][0]["quantity"] = json!(3);
        o["line_items"][0]["current_quantity"] = json!(2);
        o["line_items"][1]["current_quantity"] = json!(0);
    });
    let quantities: Vec<Option<u32>> = input.line_items.iter().map(|l| l.quantity).collect();
    assert_eq!(
        quantities,
        [Some(2)],
        "the removed item is gone, the other one shows what is left"
    );
    // The totals are what is left too: the items' sum, and Shopify's current amounts.
    let nok = |amount: &str| json!({"shop_money": {"amount": "1", "currency_code": "USD"}, "presentment_money": {"amount": amount, "currency_code": "NOK"}});
    let input = order_with(|o| {
        o["line_items"][0]["quantity"] = json!(3);
        o["line_items"][0]["current_quantity"] = json!(2);
        o["line_items"][1]["current_quantity"] = json!(0);
        o["current_total_price_set"] = nok("4080.00");
        o["current_total_tax_set"] = nok("0.00");
        o["current_total_discounts_set"] = nok("0.00");
    });
    let totals = input.totals.expect("totals");
    assert_eq!(totals.subtotal.as_deref(), Some("3980.00"), "2 × 1990.00");
    assert_eq!(totals.total.as_deref(), Some("4080.00"));
    assert_eq!(totals.discounts.as_deref(), Some("0.00"));
    // Shipping refunded too, and a payload with plain current amounts only
    // (read in the shop's currency, which the shopper paid in here).
    let input = order_with(|o| {
        o["presentment_currency"] = json!("USD");
        o["line_items"][1]["current_quantity"] = json!(0);
        o["current_shipping_price_set"] = nok("0.00");
        o["current_total_price"] = json!("1990.00");
        o["current_total_tax"] = json!("0.00");
    });
    let totals = input.totals.expect("totals");
    assert_eq!(totals.subtotal.as_deref(), Some("1990.00"));
    assert_eq!(totals.shipping.as_deref(), Some("0.00"));
    assert_eq!(totals.total.as_deref(), Some("1990.00"));
    // Paid in another currency than the shop's: a plain amount is not read.
    let input = order_with(|o| {
        o["line_items"][1]["current_quantity"] = json!(0);
        o["current_total_price"] = json!("403.00");
    });
    assert_eq!(input.totals.expect("totals").total.as_deref(), Some("3980.00"));
    // Not edited: the current amounts are not read (the original order stands).
    let whole = order_with(|o| o["current_total_price_set"] = nok("1.00"));
    assert_eq!(whole.totals.expect("totals").total.as_deref(), Some("3980.00"));
    // A payload from before `current_quantity`: as ordered.
    let older = order_with(|o| {
        for line in o["line_items"].as_array_mut().expect("line items") {
            line.as_object_mut().expect("a line").remove("current_quantity");
        }
    });
    assert_eq!(older.line_items.len(), 2);
}

#[test]
fn the_totals_add_up_with_tax_added_or_included() {
    // A Norwegian shop: prices include VAT; 500 of items, 50 off, 49 shipping.
    let money = |amount: &str| json!({"shop_money": {"amount": amount, "currency_code": "NOK"}, "presentment_money": {"amount": amount, "currency_code": "NOK"}});
    let input = order_with(|o| {
        o["presentment_currency"] = json!("NOK");
        o["taxes_included"] = json!(true);
        o["total_line_items_price_set"] = money("500.00");
        o["subtotal_price_set"] = money("450.00");
        o["total_discounts_set"] = money("50.00");
        o["total_shipping_price_set"] = money("49.00");
        o["total_tax_set"] = money("99.80");
        o["total_price_set"] = money("499.00");
    });
    let totals = input.totals.expect("totals");
    // The subtotal is before the discounts the page takes off: 500 + 49 - 50 = 499.
    assert_eq!(totals.subtotal.as_deref(), Some("500.00"));
    assert_eq!(totals.discounts.as_deref(), Some("50.00"));
    assert_eq!(totals.total.as_deref(), Some("499.00"));
    assert_eq!(totals.tax_included, Some(true));
    // A payload without the items' total: Shopify's subtotal, as before.
    let older = order_with(|o| {
        o.as_object_mut()
            .expect("an order")
            .remove("total_line_items_price_set");
        o["taxes_included"] = json!(false);
    });
    let totals = older.totals.expect("totals");
    assert_eq!(totals.subtotal.as_deref(), Some("3880.00"));
    assert_eq!(totals.tax_included, Some(false));
}

#[test]
fn a_gift_card_sent_by_email_is_there_and_not_with_a_carrier_for_ever() {
    let mut f: Value = serde_json::from_str(FULFILLMENT).expect("a fixture is JSON");
    for (field, none) in [
        ("tracking_number", Value::Null),
        ("tracking_url", Value::Null),
        ("tracking_numbers", json!([])),
        ("tracking_urls", json!([])),
        ("shipment_status", Value::Null),
    ] {
        f[field] = none;
    }
    f["status"] = json!("success");
    f["line_items"][0]["requires_shipping"] = json!(false);
    f["line_items"][0]["gift_card"] = json!(true);
    let parcel = shipment(&serde_json::from_value(f.clone()).expect("a fulfillment"));
    assert_eq!(parcel.status, ShipmentStatus::Delivered);
    assert!(parcel.delivered_at.is_some());
    // The same sent by hand with something to carry: on its way.
    f["line_items"][0]["requires_shipping"] = json!(true);
    let parcel = shipment(&serde_json::from_value(f).expect("a fulfillment"));
    assert_eq!(parcel.status, ShipmentStatus::InTransit);
}

#[test]
fn a_fulfillment_sent_in_several_boxes_keeps_each_box_tracking() {
    let mut f: Value = serde_json::from_str(FULFILLMENT).expect("a fixture is JSON");
    f["tracking_number"] = json!("1Z001");
    f["tracking_url"] = json!("https://ups.example/1Z001");
    f["tracking_numbers"] = json!(["1Z001", "1Z002", "1Z003", " "]);
    // Paired by place: the second box's link is not one a shopper may follow,
    // the third an empty one, the fourth a link and no number.
    f["tracking_urls"] = json!([
        "https://ups.example/1Z001",
        "javascript:alert(1)",
        "",
        "https://ups.example/1Z004"
    ]);
    let parcel = shipment(&serde_json::from_value(f).expect("a fulfillment"));
    assert_eq!(parcel.tracking_number.as_deref(), Some("1Z001"));
    assert_eq!(parcel.tracking_url.as_deref(), Some("https://ups.example/1Z001"));
    let more: Vec<_> = parcel
        .more_tracking
        .iter()
        .map(|t| (t.tracking_number.as_deref(), t.tracking_url.as_deref()))
        .collect();
    assert_eq!(
        more,
        [
            (Some("1Z002"), None),
            (Some("1Z003"), None),
            (None, Some("https://ups.example/1Z004"))
        ]
    );

    // One box, as before: nothing more.
    let one = shipment(&fulfillment(json!("success"), Value::Null, true));
    assert!(one.tracking_number.is_some() && one.more_tracking.is_empty());
    // Only the single fields (an older payload): the first box.
    let mut f: Value = serde_json::from_str(FULFILLMENT).expect("a fixture is JSON");
    f["tracking_numbers"] = json!([]);
    f["tracking_urls"] = json!([]);
    f["tracking_number"] = json!("00370712345678901234");
    let single = shipment(&serde_json::from_value(f).expect("a fulfillment"));
    assert_eq!(single.tracking_number.as_deref(), Some("00370712345678901234"));
    assert!(single.more_tracking.is_empty());
}

/// An order's, a parcel's, a refund's or a return's GraphQL id is the number
/// it names; any other text is itself, and none may pass for a return's link.
#[test]
fn a_graphql_id_is_its_number_only_for_what_it_names() {
    let text = |id: Value| serde_json::from_value::<super::Id>(id).ok().map(|id| id.text());
    for (id, read) in [
        ("gid://shopify/Order/820982911946154508", "820982911946154508"),
        ("gid://shopify/Fulfillment/5", "5"),
        ("gid://shopify/Return/0005", "5"),
        ("gid://shopify/Customer/4242", "gid://shopify/Customer/4242"),
        ("gid://shopify/Order/7/8", "gid://shopify/Order/7/8"),
        ("gid://shopify//5", "gid://shopify//5"),
        ("gid://shopify/Order/", "gid://shopify/Order/"),
        ("gid://shopify/Order/12x", "gid://shopify/Order/12x"),
    ] {
        assert_eq!(text(json!(id)).as_deref(), Some(read), "{id}");
    }
    assert_eq!(text(json!(5)).as_deref(), Some("5"));
    assert_eq!(text(json!("return:71")), None, "a return's link is not an order's id");
}
