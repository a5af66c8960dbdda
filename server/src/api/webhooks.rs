//! `POST /api/v1/shops/{shop}/webhooks/shopify`: Shopify's order webhooks.
//!
//! Every delivery is authenticated by `X-Shopify-Hmac-Sha256` (HMAC-SHA256 of the
//! raw body with the shop's webhook secret, compared in constant time), applied at
//! most once per `X-Shopify-Webhook-Id`, and never moves an order back in time.
//! Shopify retries anything but a 2xx, so every delivery Lookout has understood,
//! including an unknown topic, a stale update or a refund for an order not yet
//! seen, is answered 200 and logged.

use super::body;
use crate::problem::ApiError;
use crate::shopify::{self, Fulfillment, Id, Refund, ShopifyOrder};
use crate::AppState;
use app::errors::FieldError;
use app::normalize::order_number_key;
use app::order::{parse_order, Order, MAX_BODY_BYTES};
use app::store::{Shop, StoreError};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// What became of a delivery; the answer's `outcome` and the log's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Applied,
    Duplicate,
    Stale,
    IgnoredTopic,
    UnknownOrder,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Duplicate => "duplicate",
            Outcome::Stale => "stale",
            Outcome::IgnoredTopic => "ignored_topic",
            Outcome::UnknownOrder => "unknown_order",
        }
    }
}

/// True when `signature` (base64, as Shopify sends it) is the HMAC-SHA256 of `body` under `secret`.
pub fn signature_valid(secret: &str, body: &[u8], signature: &str) -> bool {
    let Ok(expected) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

pub async fn shopify(
    state: State<AppState>,
    slug: Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let result = deliver(state, slug, headers, body).await;
    if let Err(e) = &result {
        crate::metrics::ingest("shopify", e.code());
    }
    result
}

async fn deliver(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let bytes = body::read(body, MAX_BODY_BYTES).await?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    // An unknown shop and a bad signature get the same answer.
    let (shop, secret) = state.store.webhook_secret(&slug).await?.ok_or(ApiError::Unauthorized)?;
    if !signature_valid(&secret, &bytes, header("x-shopify-hmac-sha256").unwrap_or_default()) {
        tracing::warn!("webhook refused: signature mismatch");
        return Err(ApiError::Unauthorized);
    }
    let topic = header("x-shopify-topic").unwrap_or_default().to_string();
    let webhook_id = header("x-shopify-webhook-id").filter(|id| !id.is_empty() && id.len() <= 200);
    if let Some(id) = webhook_id {
        if state.store.delivery_seen(shop.id, id).await? {
            return Ok(answer(&topic, Outcome::Duplicate));
        }
    }
    let outcome = apply(&state, &shop, &topic, &bytes).await?;
    if let Some(id) = webhook_id {
        state.store.record_delivery(shop.id, id).await?;
    }
    Ok(answer(&topic, outcome))
}

fn answer(topic: &str, outcome: Outcome) -> (StatusCode, Json<Value>) {
    tracing::info!(topic, outcome = outcome.as_str(), "shopify webhook");
    crate::metrics::ingest("shopify", outcome.as_str());
    (
        StatusCode::OK,
        Json(json!({"topic": topic, "outcome": outcome.as_str()})),
    )
}

async fn apply(state: &AppState, shop: &Shop, topic: &str, bytes: &Bytes) -> Result<Outcome, ApiError> {
    if shopify::ORDER_TOPICS.contains(&topic) {
        let payload: ShopifyOrder = payload(bytes)?;
        let order = parse_order(shopify::order_body(&payload).to_string().as_bytes()).map_err(ApiError::Validation)?;
        let key = order_number_key(&order.order_number);
        let outcome = store(state, shop, &order).await?;
        if let Some(id) = payload.id() {
            state.store.link_shopify_order(shop.id, &id, &key).await?;
        }
        Ok(outcome)
    } else if shopify::FULFILLMENT_TOPICS.contains(&topic) {
        let fulfillment: Fulfillment = payload(bytes)?;
        let key = match fulfillment.order_name() {
            Some(name) => Some(order_number_key(name)),
            None => linked_key(state, shop, fulfillment.order_id.as_ref()).await?,
        };
        let Some(mut order) = stored(state, shop, key).await? else {
            return Ok(Outcome::UnknownOrder);
        };
        let Some(updated_at) = fulfillment.updated_at() else {
            return Err(missing("updated_at"));
        };
        fulfillment.apply_to(&mut order);
        order.updated_at = updated_at;
        store(state, shop, &order).await
    } else if topic == shopify::REFUND_TOPIC {
        let refund: Refund = payload(bytes)?;
        let key = linked_key(state, shop, refund.order_id.as_ref()).await?;
        let Some(mut order) = stored(state, shop, key).await? else {
            return Ok(Outcome::UnknownOrder);
        };
        let Some(created_at) = refund.created_at() else {
            return Err(missing("created_at"));
        };
        refund.apply_to(&mut order);
        if app::order::is_older(&order.updated_at, &created_at).unwrap_or(false) {
            order.updated_at = created_at;
        }
        store(state, shop, &order).await
    } else {
        Ok(Outcome::IgnoredTopic)
    }
}

fn payload<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::Validation(vec![FieldError::new(
            "body",
            "malformed",
            format!("Not a Shopify payload this topic can carry: {e}"),
        )])
    })
}

fn missing(field: &str) -> ApiError {
    ApiError::Validation(vec![FieldError::new(
        field,
        "required",
        format!("The payload has no `{field}`."),
    )])
}

async fn linked_key(state: &AppState, shop: &Shop, order_id: Option<&Id>) -> Result<Option<String>, ApiError> {
    match order_id {
        Some(id) => Ok(state.store.shopify_order_key(shop.id, &id.text()).await?),
        None => Err(missing("order_id")),
    }
}

async fn stored(state: &AppState, shop: &Shop, key: Option<String>) -> Result<Option<Order>, ApiError> {
    match key {
        Some(key) => Ok(state.store.order(shop.id, &key).await?),
        None => Ok(None),
    }
}

async fn store(state: &AppState, shop: &Shop, order: &Order) -> Result<Outcome, ApiError> {
    match state.store.put_order(shop.id, order).await {
        Ok(_) => Ok(Outcome::Applied),
        Err(StoreError::Stale) => Ok(Outcome::Stale),
        Err(e) => Err(e.into()),
    }
}
