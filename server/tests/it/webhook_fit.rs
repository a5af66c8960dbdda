//! What Shopify sends that Lookout's limits do not allow: an order without an
//! email, text longer than Lookout keeps, a refund of many payments, an id of
//! any length. Each gets an answer Shopify will not retry for ever, and nothing
//! unbounded is stored.

use crate::common;

use common::shopify::{deliver, FULFILLMENT, ORDER, REFUND};
use common::TestApp;
use serde_json::{json, Value};

fn order() -> Value {
    serde_json::from_str(ORDER).unwrap()
}

#[tokio::test]
async fn a_phone_only_checkout_is_acknowledged_and_keeps_nothing() {
    let app = TestApp::spawn().await;
    let mut o = order();
    o["email"] = Value::Null;
    o["contact_email"] = Value::Null;
    o["customer"] = Value::Null;
    let (status, answer) = deliver(&app, "alpha", "orders/create", "w-1", &o).await;
    assert_eq!(
        (status, answer["outcome"].as_str()),
        (200, Some("no_email")),
        "{answer}"
    );
    assert_eq!(app.merchant_order("alpha", "9999").await, Value::Null);
}

#[tokio::test]
async fn text_longer_than_lookout_keeps_is_cut_not_refused() {
    let app = TestApp::spawn().await;
    let mut o = order();
    o["shipping_address"]["first_name"] = json!("Å".repeat(300));
    o["shipping_address"]["address1"] = json!("Street ".repeat(200));
    o["note"] = json!("n".repeat(20_000));
    o["tags"] = json!((0..150).map(|i| format!("tag{i}")).collect::<Vec<_>>().join(", "));
    o["line_items"][0]["sku"] = json!("S".repeat(500));
    let (status, answer) = deliver(&app, "alpha", "orders/create", "w-1", &o).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")), "{answer}");
    let stored = app.merchant_order("alpha", "9999").await;
    let chars = |v: &Value| v.as_str().map(|s| s.chars().count());
    assert_eq!(chars(&stored["shipping_address"]["first_name"]), Some(200));
    assert!(stored["note"].as_str().is_some_and(|n| n.ends_with('…')));
    assert_eq!(stored["tags"].as_array().map(Vec::len), Some(100));
    assert_eq!(chars(&stored["line_items"][0]["sku"]), Some(200));
    // The shopper finds the order; the first name they see is cut the same way.
    let view = app.view("alpha", "jon@example.com", "#9999").await;
    assert_eq!(chars(&view["ship_to"]["first_name"]), Some(200));

    // A parcel's tracking number and a refund of many payments, the same.
    let mut f: Value = serde_json::from_str(FULFILLMENT).unwrap();
    f["tracking_number"] = json!("1Z".repeat(300));
    let (status, answer) = deliver(&app, "alpha", "fulfillments/create", "w-2", &f).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")), "{answer}");
    let mut refund: Value = serde_json::from_str(REFUND).unwrap();
    let payment = refund["transactions"][0].clone();
    refund["transactions"] = Value::Array(vec![payment; 200]);
    let (status, answer) = deliver(&app, "alpha", "refunds/create", "w-3", &refund).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")), "{answer}");
    let stored = app.merchant_order("alpha", "9999").await;
    assert_eq!(chars(&stored["shipments"][0]["tracking_number"]), Some(200));
    let refunded = stored["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "refunded")
        .cloned()
        .expect("the refund in the history");
    assert_eq!(chars(&refunded["message"]), Some(1000));
}

#[tokio::test]
async fn an_id_longer_than_any_of_shopifys_is_refused_before_anything_is_written() {
    let app = TestApp::spawn().await;
    let mut o = order();
    o["id"] = json!("9".repeat(5_000));
    let (status, problem) = deliver(&app, "alpha", "orders/create", "w-1", &o).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "id", "{problem}");
    let message = problem["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("an id is a number or a text of 1 to 64 characters"),
        "{message}"
    );
    // A nested value of the wrong type is named by its path, without Rust's names.
    let mut wrong = order();
    wrong["customer"] = json!("jon");
    let (status, problem) = deliver(&app, "alpha", "orders/create", "w-0", &wrong).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "customer", "{problem}");
    let message = problem["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("expected an object") && !message.contains("struct"),
        "{message}"
    );
    assert_eq!(app.merchant_order("alpha", "9999").await, Value::Null);
    // A control character (PostgreSQL keeps no NUL in text) makes no id, in
    // the order or in a fulfillment or refund naming it: 422 each time, on
    // every store, and nothing written.
    o["id"] = json!("82098\u{0}2911");
    let (status, problem) = deliver(&app, "alpha", "orders/create", "w-nul", &o).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("id")),
        "{problem}"
    );
    assert_eq!(app.merchant_order("alpha", "9999").await, Value::Null);
    for (topic, fixture) in [("fulfillments/create", FULFILLMENT), ("refunds/create", REFUND)] {
        let mut naming: Value = serde_json::from_str(fixture).unwrap();
        naming["order_id"] = json!("8\u{0}");
        naming["name"] = Value::Null;
        let (status, problem) = deliver(&app, "alpha", topic, &format!("w-nul-{topic}"), &naming).await;
        assert_eq!(status, 422, "{topic}: {problem}");
    }
    // Shopify's GraphQL id, as text, is one.
    o["id"] = json!("gid://shopify/Order/820982911946154508");
    let (status, answer) = deliver(&app, "alpha", "orders/create", "w-2", &o).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")), "{answer}");
    // A refund naming an order by an id of any length finds nothing and stores nothing.
    let mut refund: Value = serde_json::from_str(REFUND).unwrap();
    refund["order_id"] = json!("x".repeat(5_000));
    let (status, _) = deliver(&app, "alpha", "refunds/create", "w-3", &refund).await;
    assert_eq!(status, 422);
}
