//! What a shopper reads of Shopify's facts that could mislead: a refund that
//! failed, prices that include the tax, an item an edit removed. Over real
//! HTTP, on the page (a plain form post) and in the JSON.

use crate::common;
use crate::page::post_form;

use common::shopify::{deliver, FULFILLMENT, ORDER, REFUND};
use common::TestApp;
use serde_json::{json, Value};

fn order() -> Value {
    serde_json::from_str(ORDER).unwrap()
}

fn nok(amount: &str) -> Value {
    json!({"shop_money": {"amount": amount, "currency_code": "NOK"}, "presentment_money": {"amount": amount, "currency_code": "NOK"}})
}

#[tokio::test]
async fn a_refund_that_failed_is_said_and_the_payment_reads_paid_again() {
    let app = TestApp::spawn().await;
    deliver(&app, "alpha", "orders/create", "w-1", &order()).await;
    let mut refund: Value = serde_json::from_str(REFUND).unwrap();
    refund["transactions"] = json!([{"kind": "refund", "status": "pending", "amount": "549.00", "currency": "NOK"}]);
    let (_, answer) = deliver(&app, "alpha", "refunds/create", "w-2", &refund).await;
    assert_eq!(answer["outcome"], "applied", "{answer}");
    // The provider refuses it, and Shopify says so of the refund: the page
    // no longer says the payment was partly refunded, and says the failure
    // after the refund's line.
    refund["transactions"][0]["status"] = json!("failure");
    let (_, answer) = deliver(&app, "alpha", "refunds/create", "w-2b", &refund).await;
    assert_eq!(answer["outcome"], "applied", "{answer}");
    let view = app.view("alpha", "jon@example.com", "#9999").await;
    assert_eq!(view["payment_status"], "paid", "{view}");
    let (_, html) = post_form(&app, "alpha", "jon@example.com", "#9999").await;
    let said = html.find("did not go through").expect("the failure is said");
    let pending = html
        .find("is on its way")
        .expect("the refund's line while it was pending");
    assert!(pending < said, "the failure reads after the refund's first line");
    // The order update that follows carries it so too.
    let mut updated = order();
    updated["updated_at"] = json!("2026-11-09T10:00:00Z");
    updated["refunds"] = json!([refund]);
    let (_, answer) = deliver(&app, "alpha", "orders/updated", "w-3", &updated).await;
    assert_eq!(answer["outcome"], "applied", "{answer}");
    let view = app.view("alpha", "jon@example.com", "#9999").await;
    assert_eq!(view["payment_status"], "paid");
    let said: Vec<&str> = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert!(said.contains(&"Refund of 549.00 NOK failed"), "{said:?}");
    let (status, html) = post_form(&app, "alpha", "jon@example.com", "#9999").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("A refund of NOK\u{a0}549.00 did not go through")
            || html.contains("A refund of NOK 549.00 did not go through"),
        "{html}"
    );
}

#[tokio::test]
async fn tax_the_prices_include_is_said_after_the_total_and_not_added() {
    let app = TestApp::spawn().await;
    let mut o = order();
    o["taxes_included"] = json!(true);
    o["total_line_items_price_set"] = nok("500.00");
    o["subtotal_price_set"] = nok("450.00");
    o["total_discounts_set"] = nok("50.00");
    o["total_shipping_price_set"] = nok("49.00");
    o["total_tax_set"] = nok("99.80");
    o["total_price_set"] = nok("499.00");
    let (_, answer) = deliver(&app, "alpha", "orders/create", "w-1", &o).await;
    assert_eq!(answer["outcome"], "applied", "{answer}");
    let view = app.view("alpha", "jon@example.com", "#9999").await;
    assert_eq!(
        view["totals"],
        json!({"subtotal": "500.00", "shipping": "49.00", "tax": "99.80", "discounts": "50.00", "total": "499.00", "tax_included": true})
    );
    let (_, html) = post_form(&app, "alpha", "jon@example.com", "#9999").await;
    let totals = &html[html.find(r#"<dl class="totals">"#).expect("the totals")..];
    let totals = &totals[..totals.find("</dl>").expect("their end")];
    let total = totals.find("Total").expect("the total");
    let tax = totals.find("Including tax").expect("the tax, said as included");
    assert!(tax > total, "the included tax comes after the total: {totals}");
    assert!(!totals.contains(">Tax<"), "{totals}");

    // A shop whose prices do not include it (the fixture's): a line of the sum,
    // and no `tax_included` in the JSON.
    let mut plain = order();
    plain["updated_at"] = json!("2026-11-09T10:00:00Z");
    deliver(&app, "alpha", "orders/updated", "w-2", &plain).await;
    let view = app.view("alpha", "jon@example.com", "#9999").await;
    assert!(view["totals"].get("tax_included").is_none(), "{}", view["totals"]);
    let (_, html) = post_form(&app, "alpha", "jon@example.com", "#9999").await;
    assert!(html.contains(">Tax<") && !html.contains("Including tax"), "{html}");
}

#[tokio::test]
async fn a_partial_fulfillment_applies_the_order_and_a_removed_item_is_gone() {
    let app = TestApp::spawn().await;
    let mut o = order();
    o["line_items"][1]["current_quantity"] = json!(0);
    let (_, answer) = deliver(&app, "alpha", "orders/partially_fulfilled", "w-1", &o).await;
    assert_eq!(answer["outcome"], "applied", "{answer}");
    let view = app.view("alpha", "jon@example.com", "#9999").await;
    let items = view["line_items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["variant"], "Pink");
}

#[tokio::test]
async fn a_shopify_return_reaches_the_shopper_step_by_step_and_is_gone_once_cancelled() {
    use common::shopify::deliver_at;
    let app = TestApp::spawn().await;
    deliver(&app, "alpha", "orders/create", "w-1", &order()).await;
    // Asked for: the payload names the order.
    let requested = json!({
        "id": 7001, "status": "requested", "name": "#9999-R1",
        "order": {"id": 820982911946154508u64},
        "return_line_items": [{"quantity": 1, "fulfillment_line_item": {"line_item": {"id": 866550311766439020u64}}}]
    });
    let at = "2026-11-08T10:00:00+01:00";
    let (status, answer) = deliver_at(&app, "alpha", "returns/request", "w-2", &requested, at).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")), "{answer}");
    let view = app.view("alpha", "jon@example.com", "#9999").await;
    assert_eq!(view["return_status"], "return_requested", "{view}");
    assert_eq!(view["returns"][0]["requested_at"], "2026-11-08T09:00:00Z");
    assert_eq!(view["returns"][0]["line_items"][0]["variant"], "Pink");
    let (_, html) = post_form(&app, "alpha", "jon@example.com", "#9999").await;
    assert!(!html.contains("There is no return for this order"), "{html}");
    // Declined, in a payload that names only the return: found by it.
    let declined = json!({"id": 7001, "status": "declined", "decline": {"reason": "other", "note": "staff only"}});
    let (_, answer) = deliver_at(
        &app,
        "alpha",
        "returns/decline",
        "w-3",
        &declined,
        "2026-11-09T10:00:00Z",
    )
    .await;
    assert_eq!(answer["outcome"], "applied", "{answer}");
    let view = app.view("alpha", "jon@example.com", "#9999").await;
    assert_eq!(view["return_status"], "declined");
    assert!(
        !view.to_string().contains("staff only"),
        "the decline's note stays Shopify's"
    );
    // An older step arriving late changes nothing; a return of an order not
    // here is acknowledged; a delivery without its time is refused.
    let (_, late) = deliver_at(
        &app,
        "alpha",
        "returns/approve",
        "w-4",
        &requested,
        "2026-11-08T12:00:00Z",
    )
    .await;
    assert_eq!(late["outcome"], "stale", "{late}");
    let stranger = json!({"id": 7002, "status": "requested", "order": {"id": 1}});
    let (_, unknown) = deliver_at(&app, "alpha", "returns/request", "w-5", &stranger, at).await;
    assert_eq!(unknown["outcome"], "unknown_order", "{unknown}");
    let (status, _) = deliver(&app, "alpha", "returns/request", "w-6", &requested).await;
    assert_eq!(status, 422, "no X-Shopify-Triggered-At");
    // Cancelled: hidden from the shopper, kept for the merchant.
    let cancelled = json!({"id": 7001, "status": "canceled"});
    deliver_at(
        &app,
        "alpha",
        "returns/cancel",
        "w-7",
        &cancelled,
        "2026-11-10T10:00:00Z",
    )
    .await;
    let view = app.view("alpha", "jon@example.com", "#9999").await;
    assert_eq!(view["return_status"], "no_return");
    assert_eq!(view["returns"], json!([]));
    let stored = app.merchant_order("alpha", "9999").await;
    assert_eq!(stored["returns"][0]["cancelled_at"], "2026-11-10T10:00:00Z");
}

#[tokio::test]
async fn an_order_deleted_in_shopify_is_erased_here_and_stays_so() {
    let app = TestApp::spawn().await;
    deliver(&app, "alpha", "orders/create", "w-1", &order()).await;
    assert_eq!(app.lookup("alpha", "jon@example.com", "#9999").await.status(), 200);
    let deleted = json!({"id": 820982911946154508u64});
    let (status, answer) = deliver(&app, "alpha", "orders/delete", "w-2", &deleted).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("erased")), "{answer}");
    assert_eq!(app.lookup("alpha", "jon@example.com", "#9999").await.status(), 404);
    // A late update of it stores nothing; deleting it again finds nothing.
    let mut late = order();
    late["updated_at"] = json!("2026-11-09T10:00:00Z");
    let (_, answer) = deliver(&app, "alpha", "orders/updated", "w-3", &late).await;
    assert_eq!(answer["outcome"], "erased", "{answer}");
    assert_eq!(app.lookup("alpha", "jon@example.com", "#9999").await.status(), 404);
    let (_, again) = deliver(&app, "alpha", "orders/delete", "w-4", &deleted).await;
    assert_eq!(again["outcome"], "unknown_order", "{again}");
    // The shop's changes say Shopify erased it.
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    let (changes, _) = app.store.changes(shop.id, 1).await.unwrap();
    assert!(
        changes.iter().any(|c| c.what == app::store::What::Erased
            && c.by == app::store::Who::Shopify
            && c.subject.as_deref() == Some("9999")),
        "{changes:?}"
    );
}

#[tokio::test]
async fn a_parcel_sent_in_several_boxes_shows_each_box_tracking() {
    let app = TestApp::spawn().await;
    deliver(&app, "alpha", "orders/create", "w-1", &order()).await;
    let mut parcel: Value = serde_json::from_str(FULFILLMENT).unwrap();
    parcel["tracking_numbers"] = json!(["1Z2345", "1Z2346"]);
    parcel["tracking_urls"] = json!(["https://ups.example/1Z2345", "https://ups.example/1Z2346"]);
    let (_, answer) = deliver(&app, "alpha", "fulfillments/create", "w-2", &parcel).await;
    assert_eq!(answer["outcome"], "applied", "{answer}");
    let view = app.view("alpha", "jon@example.com", "#9999").await;
    let shipment = &view["shipments"][0];
    assert_eq!(shipment["tracking_number"], "1Z2345", "{view}");
    assert_eq!(
        shipment["more_tracking"],
        json!([{"tracking_number": "1Z2346", "tracking_url": "https://ups.example/1Z2346"}]),
        "{view}"
    );
    let (status, html) = post_form(&app, "alpha", "jon@example.com", "#9999").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"href="https://ups.example/1Z2346""#), "{html}");
    assert_eq!(html.matches(r#"<p class="tracking">"#).count(), 2, "{html}");
}
