//! Signed Shopify webhook deliveries, as Shopify sends them.

use super::TestApp;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// Shopify's documented example payloads (fixtures/shopify/).
pub const ORDER: &str = include_str!("../../../fixtures/shopify/order.json");
pub const FULFILLMENT: &str = include_str!("../../../fixtures/shopify/fulfillment.json");
pub const REFUND: &str = include_str!("../../../fixtures/shopify/refund.json");

/// The test shops' webhook secret (see `TestApp`).
pub const SECRET: &str = "secret";

pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Another connection holding the database's write lock on orders (SQLite:
/// `BEGIN IMMEDIATE`; PostgreSQL: the `orders` table locked), so that no
/// delivery can be written until `ROLLBACK` is sent on it.
pub async fn orders_held(app: &TestApp) -> sqlx::AnyConnection {
    use sqlx::Connection;
    let mut holder = sqlx::AnyConnection::connect(&app.db.url).await.unwrap();
    let lock: &[&str] = if app.db.is_postgres() {
        &["BEGIN", "LOCK TABLE orders IN EXCLUSIVE MODE"]
    } else {
        &["BEGIN IMMEDIATE"]
    };
    for statement in lock {
        sqlx::raw_sql(statement).execute(&mut holder).await.unwrap();
    }
    holder
}

/// Posts a signed delivery; `id` is the X-Shopify-Webhook-Id.
pub async fn deliver(app: &TestApp, shop: &str, topic: &str, id: &str, body: &Value) -> (u16, Value) {
    let bytes = serde_json::to_vec(body).unwrap();
    deliver_raw(app, shop, topic, id, &bytes, &sign(SECRET, &bytes)).await
}

pub async fn deliver_raw(app: &TestApp, shop: &str, topic: &str, id: &str, body: &[u8], hmac: &str) -> (u16, Value) {
    let url = app.url(&format!("/api/v1/shops/{shop}/webhooks/shopify"));
    let res = request(&app.client, url, topic, id, body.to_vec(), hmac)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A delivery to `url` with Shopify's headers, signed with `hmac`.
pub fn request(
    client: &reqwest::Client,
    url: String,
    topic: &str,
    id: &str,
    body: Vec<u8>,
    hmac: &str,
) -> reqwest::RequestBuilder {
    client
        .post(url)
        .header("content-type", "application/json")
        .header("x-shopify-topic", topic)
        .header("x-shopify-hmac-sha256", hmac)
        .header("x-shopify-webhook-id", id)
        .header("x-shopify-shop-domain", "jsmith.myshopify.com")
        .body(body)
}

/// [`deliver`] with `X-Shopify-Triggered-At`, when Shopify made the delivery
/// (a return's only clock).
pub async fn deliver_at(app: &TestApp, shop: &str, topic: &str, id: &str, body: &Value, at: &str) -> (u16, Value) {
    let bytes = serde_json::to_vec(body).unwrap();
    let hmac = sign(SECRET, &bytes);
    let url = app.url(&format!("/api/v1/shops/{shop}/webhooks/shopify"));
    let res = request(&app.client, url, topic, id, bytes, &hmac)
        .header("x-shopify-triggered-at", at)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}
