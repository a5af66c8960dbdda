//! Shopify webhooks over real HTTP: signatures, de-duplication, every topic,
//! and deliveries that arrive out of order. Payloads follow Shopify's documented
//! examples (fixtures/shopify/).

use crate::common;

use common::shopify::{deliver, deliver_raw, sign, FULFILLMENT, ORDER, REFUND, SECRET};
use common::TestApp;
use serde_json::{json, Value};

fn order() -> Value {
    serde_json::from_str(ORDER).unwrap()
}

/// Order #9999 through the merchant API.
async fn stored(app: &TestApp, shop: &str) -> Value {
    app.merchant_order(shop, "9999").await
}

#[tokio::test]
async fn an_order_webhook_maps_shopify_fields_onto_the_order() {
    let app = TestApp::spawn().await;
    let (status, answer) = deliver(&app, "alpha", "orders/create", "w-1", &order()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["outcome"], "applied");

    let o = stored(&app, "alpha").await;
    assert_eq!(o["order_number"], "#9999");
    assert_eq!(o["email"], "jon@example.com");
    assert_eq!(o["placed_at"], "2026-11-02T10:15:00Z", "offsets become UTC");
    assert_eq!(o["status"], "open");
    assert_eq!(o["payment_status"], "paid");
    assert_eq!(o["fulfillment_status"], "unfulfilled");
    assert_eq!(o["currency"], "NOK", "the presentment currency");
    assert_eq!(o["totals"]["total"], "3980.00");
    assert_eq!(o["totals"]["shipping"], "100.00");
    assert_eq!(o["totals"]["discounts"], "200.00");
    assert_eq!(o["line_items"][0]["id"], "866550311766439020");
    assert_eq!(o["line_items"][0]["variant"], "Pink");
    assert_eq!(o["line_items"][0]["price"], "1990.00");
    assert_eq!(o["tags"], json!(["tag1", "tag2", "vip"]));
    assert_eq!(o["note"], "Gift wrap, call before delivery");
    assert_eq!(o["shipping_address"]["address1"], "123 Shipping Street");

    // The shopper sees it, and none of the internal fields.
    let res = app.lookup("alpha", "JON@example.com", "#9999").await;
    assert_eq!(res.status(), 200);
    let view = res.text().await.unwrap();
    for secret in [
        "Gift wrap",
        "tag1",
        "vip",
        "123 Shipping Street",
        "IPOD2008PINK",
        "555-555",
    ] {
        assert!(!view.contains(secret), "{secret} leaked: {view}");
    }
}

#[tokio::test]
async fn paid_cancelled_closed_and_fulfilled_orders_map_to_their_statuses() {
    let app = TestApp::spawn().await;
    let mut o = order();
    o["financial_status"] = json!("pending");
    deliver(&app, "alpha", "orders/create", "w-1", &o).await;
    assert_eq!(stored(&app, "alpha").await["payment_status"], "pending");

    o["financial_status"] = json!("paid");
    o["updated_at"] = json!("2026-11-02T12:00:00+01:00");
    let (status, _) = deliver(&app, "alpha", "orders/paid", "w-2", &o).await;
    assert_eq!(status, 200);
    assert_eq!(stored(&app, "alpha").await["payment_status"], "paid");

    let mut fulfilled = o.clone();
    fulfilled["fulfillment_status"] = json!("fulfilled");
    fulfilled["updated_at"] = json!("2026-11-03T12:00:00+01:00");
    fulfilled["fulfillments"] = json!([serde_json::from_str::<Value>(FULFILLMENT).unwrap()]);
    deliver(&app, "alpha", "orders/fulfilled", "w-3", &fulfilled).await;
    let s = stored(&app, "alpha").await;
    assert_eq!(s["fulfillment_status"], "fulfilled");
    assert_eq!(s["shipments"][0]["carrier"], "UPS");
    assert_eq!(s["shipments"][0]["status"], "in_transit");

    let mut cancelled = fulfilled.clone();
    cancelled["cancelled_at"] = json!("2026-11-04T09:00:00+01:00");
    cancelled["cancel_reason"] = json!("customer");
    cancelled["financial_status"] = json!("refunded");
    cancelled["updated_at"] = json!("2026-11-04T09:00:00+01:00");
    deliver(&app, "alpha", "orders/cancelled", "w-4", &cancelled).await;
    let s = stored(&app, "alpha").await;
    assert_eq!(
        (s["status"].as_str(), s["cancel_reason"].as_str()),
        (Some("cancelled"), Some("customer"))
    );
    assert_eq!(s["payment_status"], "refunded");

    let mut closed = o.clone();
    closed["closed_at"] = json!("2026-11-06T09:00:00+01:00");
    closed["updated_at"] = json!("2026-11-06T09:00:00+01:00");
    deliver(&app, "alpha", "orders/updated", "w-5", &closed).await;
    assert_eq!(stored(&app, "alpha").await["status"], "archived");
}

#[tokio::test]
async fn a_bad_or_missing_signature_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let body = serde_json::to_vec(&order()).unwrap();
    for hmac in [
        sign("wrong secret", &body),
        String::new(),
        "not base64!".to_string(),
        sign(SECRET, b"another body"),
    ] {
        let (status, problem) = deliver_raw(&app, "alpha", "orders/create", "w-1", &body, &hmac).await;
        assert_eq!(status, 401, "{problem}");
        assert_eq!(problem["code"], "unauthorized");
        // The detail is about the signature, not about API keys.
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("X-Shopify-Hmac-Sha256") && detail.contains("signing key"),
            "{detail}"
        );
        assert!(!detail.contains("Authorization"), "{detail}");
    }
    // Another shop's secret does not open this one, and an unknown shop looks the same.
    let (status, unknown) = deliver_raw(&app, "nope", "orders/create", "w-1", &body, &sign(SECRET, &body)).await;
    assert_eq!(status, 401);
    let (_, wrong) = deliver_raw(&app, "alpha", "orders/create", "w-1", &body, "").await;
    assert_eq!(unknown, wrong);
    assert_eq!(stored(&app, "alpha").await, Value::Null);
    // The refused id was not recorded: the genuine delivery still applies.
    let (status, answer) = deliver(&app, "alpha", "orders/create", "w-1", &order()).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")));
}

#[tokio::test]
async fn a_post_without_a_signature_of_that_shape_is_refused_before_its_body_is_read() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn().await;
    let host = app.base.trim_start_matches("http://").to_string();
    let long_slug = "a".repeat(10_000);
    for (slug, hmac) in [("alpha", ""), ("alpha", "bm90IGFuIGhtYWM="), (long_slug.as_str(), "")] {
        // A body of 1 MB announced and never sent: an answer proves it was not awaited.
        let mut socket = tokio::net::TcpStream::connect(&host).await.unwrap();
        let head = format!(
            "POST /api/v1/shops/{slug}/webhooks/shopify HTTP/1.1\r\nHost: {host}\r\n\
             X-Shopify-Topic: orders/create\r\nX-Shopify-Hmac-Sha256: {hmac}\r\n\
             Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 1024];
        let read = tokio::time::timeout(std::time::Duration::from_secs(5), socket.read(&mut answer))
            .await
            .expect("answered without the body")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer[..read]).to_string();
        assert!(answer.starts_with("HTTP/1.1 401"), "{}: {answer}", &slug[..5]);
    }
}

#[tokio::test]
async fn a_redelivered_webhook_is_applied_once() {
    let app = TestApp::spawn().await;
    let (_, first) = deliver(&app, "alpha", "orders/create", "same-id", &order()).await;
    assert_eq!(first["outcome"], "applied");
    // The same id again, even with different content, changes nothing.
    let mut changed = order();
    changed["updated_at"] = json!("2026-12-01T00:00:00Z");
    changed["financial_status"] = json!("refunded");
    let (status, again) = deliver(&app, "alpha", "orders/updated", "same-id", &changed).await;
    assert_eq!((status, again["outcome"].as_str()), (200, Some("duplicate")));
    assert_eq!(stored(&app, "alpha").await["payment_status"], "paid");
    // Ids are per shop: beta's delivery with the same id is its own.
    let (_, other) = deliver(&app, "beta", "orders/create", "same-id", &order()).await;
    assert_eq!(other["outcome"], "applied");
    // An id longer than any of Shopify's is still known when it comes again;
    // one that differs from it in its last character is another delivery.
    let long = "x".repeat(5_000);
    let (_, first) = deliver(&app, "alpha", "orders/updated", &long, &changed).await;
    assert_eq!(first["outcome"], "applied", "{first}");
    let mut newest = changed.clone();
    newest["updated_at"] = json!("2026-12-02T00:00:00Z");
    newest["financial_status"] = json!("paid");
    let (_, again) = deliver(&app, "alpha", "orders/updated", &long, &newest).await;
    assert_eq!(again["outcome"], "duplicate", "{again}");
    let other_id = format!("{}y", &long[..4_999]);
    let (_, other) = deliver(&app, "alpha", "orders/updated", &other_id, &newest).await;
    assert_eq!(other["outcome"], "applied", "{other}");
}

#[tokio::test]
async fn an_older_update_delivered_late_never_overwrites_a_newer_one() {
    let app = TestApp::spawn().await;
    let mut newer = order();
    newer["updated_at"] = json!("2026-11-05T10:00:00Z");
    newer["financial_status"] = json!("refunded");
    deliver(&app, "alpha", "orders/updated", "w-2", &newer).await;
    // The earlier update arrives after it.
    let (status, answer) = deliver(&app, "alpha", "orders/paid", "w-1", &order()).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("stale")));
    assert_eq!(stored(&app, "alpha").await["payment_status"], "refunded");

    // A parcel is kept by its own clock: news of it older than the order is still news.
    let mut f: Value = serde_json::from_str(FULFILLMENT).unwrap();
    f["updated_at"] = json!("2026-11-04T00:00:00Z");
    f["shipment_status"] = json!("delivered");
    let (_, answer) = deliver(&app, "alpha", "fulfillments/update", "w-3", &f).await;
    assert_eq!(answer["outcome"], "applied");
    // An earlier word on that parcel, arriving after it, is stale.
    f["updated_at"] = json!("2026-11-03T20:00:00Z");
    f["shipment_status"] = json!("in_transit");
    let (_, answer) = deliver(&app, "alpha", "fulfillments/update", "w-4", &f).await;
    assert_eq!(answer["outcome"], "stale");
    let s = stored(&app, "alpha").await;
    assert_eq!(s["shipments"][0]["status"], "delivered");
    assert_eq!(s["payment_status"], "refunded", "the order's own fields are untouched");
}

#[tokio::test]
async fn fulfillment_webhooks_add_and_update_the_parcel() {
    let app = TestApp::spawn().await;
    deliver(&app, "alpha", "orders/create", "w-1", &order()).await;
    let mut f: Value = serde_json::from_str(FULFILLMENT).unwrap();
    let (status, answer) = deliver(&app, "alpha", "fulfillments/create", "w-2", &f).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")), "{answer}");
    let s = stored(&app, "alpha").await;
    let parcel = &s["shipments"][0];
    assert_eq!(parcel["id"], "123456");
    assert_eq!(parcel["carrier"], "UPS");
    assert_eq!(parcel["tracking_number"], "1Z2345");
    assert!(parcel["tracking_url"]
        .as_str()
        .unwrap()
        .starts_with("https://www.ups.com/"));
    assert_eq!(parcel["status"], "in_transit");
    assert_eq!(parcel["shipped_at"], "2026-11-03T14:00:00Z");
    assert_eq!(
        parcel["line_items"],
        json!([{"id": "866550311766439020", "quantity": 1}])
    );

    f["shipment_status"] = json!("delivered");
    f["updated_at"] = json!("2026-11-05T10:30:00-05:00");
    deliver(&app, "alpha", "fulfillments/update", "w-3", &f).await;
    let s = stored(&app, "alpha").await;
    assert_eq!(s["shipments"].as_array().unwrap().len(), 1, "updated in place");
    assert_eq!(s["shipments"][0]["status"], "delivered");
    assert_eq!(s["shipments"][0]["delivered_at"], "2026-11-05T15:30:00Z");

    // The shopper sees the parcel.
    let view = app.view("alpha", "jon@example.com", "#9999").await;
    assert_eq!(view["shipments"][0]["status"], "delivered");

    // A cancelled fulfillment takes the parcel away from the shopper; the merchant
    // sees it cancelled, so a late "created" for it cannot bring it back.
    f["status"] = json!("cancelled");
    f["updated_at"] = json!("2026-11-06T10:00:00Z");
    deliver(&app, "alpha", "fulfillments/update", "w-4", &f).await;
    let s = stored(&app, "alpha").await;
    assert_eq!(s["shipments"][0]["cancelled_at"], "2026-11-06T10:00:00Z");
    let view = app.view("alpha", "jon@example.com", "#9999").await;
    assert_eq!(view["shipments"], json!([]));
    let late: Value = serde_json::from_str(FULFILLMENT).unwrap();
    let (_, answer) = deliver(&app, "alpha", "fulfillments/create", "w-5", &late).await;
    assert_eq!(answer["outcome"], "stale");
    let view = app.view("alpha", "jon@example.com", "#9999").await;
    assert_eq!(view["shipments"], json!([]));
}

#[tokio::test]
async fn a_refund_webhook_shows_the_refund_in_the_history() {
    let app = TestApp::spawn().await;
    deliver(&app, "alpha", "orders/create", "w-1", &order()).await;
    let refund: Value = serde_json::from_str(REFUND).unwrap();
    let (status, answer) = deliver(&app, "alpha", "refunds/create", "w-2", &refund).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")), "{answer}");
    // The merchant's order says what Shopify last said of the payment; the shopper
    // sees the refund at once.
    let s = stored(&app, "alpha").await;
    assert_eq!(s["payment_status"], "paid");
    let view = app.view("alpha", "jon@example.com", "#9999").await;
    assert_eq!(view["payment_status"], "partially_refunded");
    let events: Vec<&str> = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert!(events.contains(&"Refund of 1990.00 NOK issued"), "{events:?}");
    // The same refund under another delivery id carries nothing newer: stale,
    // and the history keeps it once.
    let (status, again) = deliver(&app, "alpha", "refunds/create", "w-2b", &refund).await;
    assert_eq!((status, again["outcome"].as_str()), (200, Some("stale")), "{again}");
    assert_eq!(app.view("alpha", "jon@example.com", "#9999").await, view);
    // Shopify's orders/updated that follows says refunded in full.
    let mut updated = order();
    updated["financial_status"] = json!("refunded");
    updated["updated_at"] = json!("2026-11-05T18:00:00Z");
    updated["refunds"] = json!([refund]);
    deliver(&app, "alpha", "orders/updated", "w-3", &updated).await;
    let s = stored(&app, "alpha").await;
    assert_eq!(s["payment_status"], "refunded");
    let refunds = s["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "refunded")
        .count();
    assert_eq!(refunds, 1);
}

#[tokio::test]
async fn unknown_topics_and_orders_not_yet_seen_are_acknowledged() {
    let app = TestApp::spawn().await;
    let (status, answer) = deliver(&app, "alpha", "products/update", "w-1", &json!({"id": 1})).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("ignored_topic")));
    let refund: Value = serde_json::from_str(REFUND).unwrap();
    let (status, answer) = deliver(&app, "alpha", "refunds/create", "w-2", &refund).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("unknown_order")));
    let f: Value = serde_json::from_str(FULFILLMENT).unwrap();
    let (status, answer) = deliver(&app, "alpha", "fulfillments/create", "w-3", &f).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("unknown_order")));
    // The signature covers the body, not the topic: a topic Lookout does not
    // act on (one of Shopify's, or an order number, an address) is `other`.
    let odd = "orders/MARK-88/mark.shopify@example.com";
    let (status, answer) = deliver(&app, "alpha", odd, "w-4", &json!({"id": 1})).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("ignored_topic")));
    let kept: Vec<String> = sqlx::query_scalar("SELECT topic FROM webhook_log ORDER BY id")
        .fetch_all(&app.sql().await)
        .await
        .unwrap();
    assert_eq!(
        kept,
        ["other", "refunds/create", "fulfillments/create", "other"],
        "kept for the console's list, as logged"
    );
}

#[tokio::test]
async fn a_payload_that_cannot_be_an_order_is_a_422_that_writes_nothing() {
    let app = TestApp::spawn().await;
    let mut o = order();
    o["name"] = Value::Null;
    let (status, problem) = deliver(&app, "alpha", "orders/create", "w-1", &o).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "order_number");
    let (status, _) = deliver(&app, "alpha", "orders/create", "w-2", &json!(["not", "an", "order"])).await;
    assert_eq!(status, 422);
    assert_eq!(stored(&app, "alpha").await, Value::Null);
}

#[tokio::test]
async fn an_overlong_topic_or_a_fulfillment_name_that_is_no_order_number_goes_no_further() {
    let app = TestApp::spawn().await;
    deliver(&app, "alpha", "orders/create", "w-1", &order()).await;
    // A topic of 10,000 characters is not one: acknowledged, and echoed clipped.
    let topic = "x".repeat(10_000);
    let (status, answer) = deliver(&app, "alpha", &topic, "w-2", &json!({"id": 1})).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("ignored_topic")));
    assert_eq!(answer["topic"].as_str().map(str::len), Some(100));
    // A fulfillment whose order name cannot be an order number (longer than any,
    // or empty) and that has no Shopify order id names no order here:
    // acknowledged, so Shopify does not retry it, and nothing changes.
    let before = stored(&app, "alpha").await;
    let mut f: Value = serde_json::from_str(FULFILLMENT).unwrap();
    let order_id = f["order_id"].take();
    let bad_names = [format!("#{}.1", "9".repeat(5_000)), "#.1".to_string()];
    for (n, name) in bad_names.iter().enumerate() {
        f["name"] = json!(name);
        let (status, answer) = deliver(&app, "alpha", "fulfillments/create", &format!("w-3{n}"), &f).await;
        assert_eq!(
            (status, answer["outcome"].as_str()),
            (200, Some("unknown_order")),
            "{answer}"
        );
    }
    assert_eq!(stored(&app, "alpha").await, before);
    // With Shopify's order id, the order is found by it instead, as when there is
    // no name at all (were the long name taken as a key, it would find nothing).
    f["order_id"] = order_id;
    f["name"] = json!(bad_names[0]);
    let (status, answer) = deliver(&app, "alpha", "fulfillments/create", "w-4", &f).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")), "{answer}");
    let after = stored(&app, "alpha").await;
    assert_eq!(after["shipments"].as_array().map(Vec::len), Some(1), "{after}");
}

#[tokio::test]
async fn a_payload_that_is_not_an_object_is_refused_in_plain_words() {
    let app = TestApp::spawn().await;
    for topic in ["orders/create", "fulfillments/create", "refunds/create"] {
        let (status, problem) = deliver_raw(&app, "alpha", topic, "w-1", b"[]", &sign(SECRET, b"[]")).await;
        assert_eq!(status, 422, "{topic}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "body");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.starts_with("The body must be a JSON object"),
            "{topic}: {message}"
        );
        assert!(!message.contains("struct"), "{topic}: {message}");
    }
}
