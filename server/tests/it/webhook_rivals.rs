//! Two of Shopify's orders under one number (a store whose numbers started
//! again, two stores sending to one shop): the shopper of one never sees the
//! other's parcels or refunds, whichever arrives first. And what Shopify
//! never sends is not taken as sent: a free-text cancel reason, a time that
//! is not one. Runs on SQLite and on PostgreSQL (scripts/test.sh).

use crate::common;

use common::shopify::{deliver, FULFILLMENT, ORDER};
use common::TestApp;
use serde_json::{json, Value};

/// Shopify's order #8901 under `id`, of `email`, placed at `placed`.
fn order(id: u64, email: &str, placed: &str) -> Value {
    let mut o: Value = serde_json::from_str(ORDER).unwrap();
    o["id"] = json!(id);
    o["name"] = json!("#8901");
    o["email"] = json!(email);
    o["created_at"] = json!(placed);
    o["updated_at"] = json!(placed);
    o["fulfillments"] = json!([]);
    o["refunds"] = json!([]);
    o
}

/// A tracked parcel of Shopify's order `id` (#8901.1).
fn parcel(id: u64, tracking: &str) -> Value {
    let mut f: Value = serde_json::from_str(FULFILLMENT).unwrap();
    f["id"] = json!(id * 10);
    f["order_id"] = json!(id);
    f["name"] = json!("#8901.1");
    f["tracking_number"] = json!(tracking);
    f["tracking_numbers"] = json!([tracking]);
    f["updated_at"] = json!("2026-11-21T09:00:00Z");
    f
}

#[tokio::test]
async fn two_shopify_orders_of_one_number_are_never_merged_whichever_comes_first() {
    let alice = order(111, "alice@example.com", "2026-11-01T10:00:00Z");
    let bob = order(222, "bob@example.com", "2026-11-20T10:00:00Z");
    for alice_first in [true, false] {
        let app = TestApp::spawn().await;
        let mut deliveries = vec![
            ("orders/create", "a-1", alice.clone()),
            ("fulfillments/create", "a-2", parcel(111, "ALICE-TRACK")),
            ("orders/create", "b-1", bob.clone()),
        ];
        if !alice_first {
            deliveries.reverse();
        }
        for (topic, id, body) in &deliveries {
            let (status, _) = deliver(&app, "alpha", topic, id, body).await;
            assert_eq!(status, 200, "{topic} {id}");
        }
        // Alice's parcel, late, once Bob's order holds the number.
        let (_, late) = deliver(&app, "alpha", "fulfillments/update", "a-3", &parcel(111, "ALICE-TRACK")).await;
        assert_eq!(late["outcome"], "unknown_order");
        let (_, again) = deliver(&app, "alpha", "orders/updated", "a-4", &alice).await;
        assert_eq!(again["outcome"], "stale", "the number stays Bob's");

        let view = app.view("alpha", "bob@example.com", "#8901").await;
        assert!(!view.to_string().contains("ALICE"), "alice_first {alice_first}: {view}");
        assert_eq!(view["shipments"], json!([]), "alice_first {alice_first}");
        let res = app.lookup("alpha", "alice@example.com", "#8901").await;
        assert_eq!(res.status(), 404, "the number is the later order's");
        // Bob's own parcel is his.
        let (_, mine) = deliver(&app, "alpha", "fulfillments/create", "b-2", &parcel(222, "BOB-TRACK")).await;
        assert_eq!(mine["outcome"], "applied");
        let view = app.view("alpha", "bob@example.com", "#8901").await;
        assert!(view.to_string().contains("BOB-TRACK"), "{view}");
    }
}

#[tokio::test]
async fn a_cancel_reason_shopify_never_sends_reaches_the_shopper_as_the_stores() {
    let app = TestApp::spawn().await;
    let mut o = order(1, "jon@example.com", "2026-11-01T10:00:00Z");
    o["cancelled_at"] = json!("2026-11-03T10:00:00Z");
    o["updated_at"] = json!("2026-11-03T10:00:00Z");
    o["cancel_reason"] = json!("SEKRIT free text");
    let (status, _) = deliver(&app, "alpha", "orders/cancelled", "c-1", &o).await;
    assert_eq!(status, 200);
    let view = app.view("alpha", "jon@example.com", "#8901").await;
    assert_eq!(view["cancel_reason"], "store");
    assert!(!view.to_string().contains("SEKRIT"), "{view}");
    assert_eq!(app.merchant_order("alpha", "8901").await["cancel_reason"], "other");
}

#[tokio::test]
async fn a_time_that_is_not_one_is_refused_naming_its_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let o = order(1, "jon@example.com", "2026-11-01T10:00:00Z");
    deliver(&app, "alpha", "orders/create", "t-0", &o).await;
    let before = app.merchant_order("alpha", "8901").await;
    for (n, field) in ["cancelled_at", "closed_at", "updated_at", "created_at"]
        .into_iter()
        .enumerate()
    {
        let mut bad = o.clone();
        bad["updated_at"] = json!("2026-11-05T10:00:00Z");
        bad[field] = json!("garbage");
        let (status, answer) = deliver(&app, "alpha", "orders/updated", &format!("t-{}", n + 1), &bad).await;
        assert_eq!(status, 422, "{field}: {answer}");
        assert_eq!(answer["errors"][0]["field"], field, "{answer}");
        assert_eq!(answer["errors"][0]["code"], "invalid_time", "{answer}");
        assert_eq!(app.merchant_order("alpha", "8901").await, before, "{field}");
    }
}

/// Shopify's GraphQL id of an order is the order its number names: a refund,
/// a parcel or a deletion naming it either way finds the same order.
#[tokio::test]
async fn an_orders_graphql_id_is_the_same_order_as_its_number() {
    let app = TestApp::spawn().await;
    let jons = order(5, "jon@example.com", "2026-11-01T10:00:00Z");
    let (_, stored) = deliver(&app, "alpha", "orders/create", "g-1", &jons).await;
    assert_eq!(stored["outcome"], "applied");
    let mut refund: Value = serde_json::from_str(common::shopify::REFUND).unwrap();
    refund["order_id"] = json!("gid://shopify/Order/5");
    let (_, refunded) = deliver(&app, "alpha", "refunds/create", "g-2", &refund).await;
    assert_eq!(refunded["outcome"], "applied", "{refunded}");
    let mut f = parcel(5, "GID-TRACK");
    f["order_id"] = json!("gid://shopify/Order/5");
    f["name"] = Value::Null;
    let (_, parcel) = deliver(&app, "alpha", "fulfillments/create", "g-3", &f).await;
    assert_eq!(parcel["outcome"], "applied", "{parcel}");
    let (_, erased) = deliver(
        &app,
        "alpha",
        "orders/delete",
        "g-4",
        &json!({"id": "gid://shopify/Order/5"}),
    )
    .await;
    assert_eq!(erased["outcome"], "erased", "{erased}");
    let (_, again) = deliver(&app, "alpha", "orders/updated", "g-5", &jons).await;
    assert_eq!(
        again["outcome"], "erased",
        "the erased order does not come back: {again}"
    );
}
