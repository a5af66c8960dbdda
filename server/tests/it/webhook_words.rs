//! What a shopper reads of Shopify's facts that could mislead: a refund that
//! failed, prices that include the tax, an item an edit removed. Over real
//! HTTP, on the page (a plain form post) and in the JSON.

use crate::common;
use crate::page::post_form;

use common::shopify::{deliver, ORDER, REFUND};
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
    let issued = html.find("Refund of NOK").expect("the refund's line");
    assert!(issued < said, "the failure reads after the refund's line");
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
