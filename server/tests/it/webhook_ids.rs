//! A delivery's `X-Shopify-Webhook-Id` that is not UTF-8 (Shopify's never
//! are; any signed sender's may be) is recorded too: the same id again is a
//! duplicate, another one is applied.

use crate::common;

use common::shopify::{sign, ORDER, SECRET};
use common::TestApp;
use serde_json::{json, Value};

#[tokio::test]
async fn a_delivery_id_that_is_not_text_is_known_when_it_comes_again() {
    let app = TestApp::spawn().await;
    let newest: Value = serde_json::from_str(ORDER).unwrap();
    let send = |id: &'static [u8], body: &Value| {
        let bytes = serde_json::to_vec(body).unwrap();
        let hmac = sign(SECRET, &bytes);
        app.client
            .post(app.url("/api/v1/shops/alpha/webhooks/shopify"))
            .header("content-type", "application/json")
            .header("x-shopify-topic", "orders/updated")
            .header("x-shopify-hmac-sha256", hmac)
            .header(
                "x-shopify-webhook-id",
                reqwest::header::HeaderValue::from_bytes(id).unwrap(),
            )
            .body(bytes)
            .send()
    };
    let answer = |res: reqwest::Response| async { res.json::<Value>().await.unwrap() };
    let mut later = newest.clone();
    later["updated_at"] = json!("2026-12-03T00:00:00Z");
    let first = answer(send(b"id-\xff\xfe", &later).await.unwrap()).await;
    assert_eq!(first["outcome"], "applied", "{first}");
    let mut latest = later.clone();
    latest["updated_at"] = json!("2026-12-04T00:00:00Z");
    latest["financial_status"] = json!("refunded");
    let again = answer(send(b"id-\xff\xfe", &latest).await.unwrap()).await;
    assert_eq!(again["outcome"], "duplicate", "{again}");
    let other = answer(send(b"id-\xff\xfd", &latest).await.unwrap()).await;
    assert_eq!(other["outcome"], "applied", "another id that is not text: {other}");
}
