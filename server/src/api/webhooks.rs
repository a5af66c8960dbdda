//! `POST /api/v1/shops/{shop}/webhooks/shopify`: Shopify's order webhooks.
//!
//! Every delivery is authenticated by `X-Shopify-Hmac-Sha256` (HMAC-SHA256 of the
//! raw body with the shop's webhook secret, compared in constant time), after an
//! attempt is taken from the client's allowance of failed signatures at that shop
//! (given back when the signature is right; `app::limits`), applied at
//! most once per `X-Shopify-Webhook-Id` (recorded in the same transaction as the
//! change), and merged part by part so that no arrival order loses a change
//! (`app::order::merge`).
//! Shopify retries anything but a 2xx, so every delivery Lookout has understood,
//! including an unknown topic, a stale update or a refund for an order not yet
//! seen, is answered 200 and logged.

use super::auth::ClientOf;
use super::body;
use super::path::ApiPath;
use crate::problem::ApiError;

use crate::AppState;
use app::limits::Client;
use app::order::MAX_BODY_BYTES;
use app::store::Shop;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

mod topics;

/// The longest topic kept: Shopify's are a few words (`fulfillments/update`).
const MAX_TOPIC: usize = 100;

/// What became of a delivery; the answer's `outcome` and the log's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Applied,
    Duplicate,
    Stale,
    IgnoredTopic,
    UnknownOrder,
    NoEmail,
    /// An order the shop erased (a shopper's erasure request): not stored again.
    Erased,
}

impl Outcome {
    /// Every outcome, as counted (`lookout_ingest_total`) and answered.
    pub(crate) const ALL: [&'static str; 7] = [
        Outcome::Applied.as_str(),
        Outcome::Duplicate.as_str(),
        Outcome::Stale.as_str(),
        Outcome::IgnoredTopic.as_str(),
        Outcome::UnknownOrder.as_str(),
        Outcome::NoEmail.as_str(),
        Outcome::Erased.as_str(),
    ];

    const fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Duplicate => "duplicate",
            Outcome::Stale => "stale",
            Outcome::IgnoredTopic => "ignored_topic",
            Outcome::UnknownOrder => "unknown_order",
            Outcome::NoEmail => "no_email",
            Outcome::Erased => "erased",
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

/// True when `signature` is base64 of 32 bytes, as an HMAC-SHA256 is.
fn signature_shaped(signature: &str) -> bool {
    signature.len() == 44
        && base64::engine::general_purpose::STANDARD
            .decode(signature)
            .is_ok_and(|mac| mac.len() == 32)
}

/// `POST /api/v1/shops/{shop}/webhooks/shopify`.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/webhooks/shopify",
    tag = "platform",
    operation_id = "shopify_webhook",
    summary = "A Shopify webhook delivery (docs/shopify.md)",
    params(
        ("shop" = String, Path, description = "The shop's slug", example = "demo"),
        ("X-Shopify-Topic" = Option<String>, Header, example = "orders/create", description = "orders/create, orders/updated, orders/paid, orders/cancelled, orders/fulfilled, orders/partially_fulfilled, orders/delete, fulfillments/create, fulfillments/update, refunds/create, returns/request, returns/approve, returns/decline, returns/cancel, returns/close, returns/reopen; others (or none) are acknowledged and ignored"),
        ("X-Shopify-Hmac-Sha256" = String, Header, example = "ZsiyA4Vwo6vNd/FZnOY66KVmCqSKMWtLVIVnh2h3Gb8=", description = "Base64 HMAC-SHA256 of the raw body under the shop's webhook secret"),
        ("X-Shopify-Webhook-Id" = Option<String>, Header, example = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", description = "The delivery's id: a delivery is applied once"),
    ),
    request_body(content = Object, content_type = "application/json", description = "Shopify's payload for the topic (REST Admin API order, fulfillment or refund resource)"),
    responses(
        (status = 200, description = "Understood: applied, duplicate, stale, unknown_order, ignored_topic, no_email or erased", body = super::openapi::WebhookAnswer),
        (status = 401, description = "Unknown shop or a wrong signature", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many deliveries with a wrong signature (or to an unknown shop) from this address to this shop; `Retry-After` says when to try again", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 1 MiB", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is sent compressed (a `Content-Encoding` other than `identity`); nothing changed", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The payload cannot become a valid order; nothing changed", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 503, description = "No room yet to hold the body until its signature is checked (`busy`), or the database is unavailable; `Retry-After`; Shopify sends it again", body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn shopify(
    state: State<AppState>,
    slug: ApiPath<String>,
    client: ClientOf,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (state, shop, bytes) = received(state, slug, client, &headers, body)
        .await
        .inspect_err(|e| crate::metrics::ingest("shopify", e.code()))?;
    let header = |name| header(&headers, name);
    // Shopify's topics are short words; what is longer is not one, and is kept
    // (for the log, the answer and the console's list) only as far as a topic goes.
    let topic = app::normalize::clip(header("x-shopify-topic").unwrap_or_default(), MAX_TOPIC).to_string();
    let delivery = headers
        .get("x-shopify-webhook-id")
        .map(|id| id.as_bytes().trim_ascii())
        .filter(|id| !id.is_empty())
        .map(delivery_key);
    // When Shopify made the delivery: a return's clock (its payload has none).
    let triggered_at = header("x-shopify-triggered-at").map(|at| app::normalize::clip(at, 64).to_string());
    // Applied, recorded, logged and counted on a task of its own: a delivery
    // whose client goes or that is answered 408 still makes its change, its
    // link and its row in the console's list.
    let (store, applied) = (state.store.clone(), topic.clone());
    let result = store
        .to_the_end(async move {
            let delivery = topics::Delivery {
                topic: &applied,
                bytes: &bytes,
                id: delivery.as_deref(),
                triggered_at: triggered_at.as_deref(),
            };
            let mut named = None;
            let result = topics::apply(&state, &shop, delivery, &mut named).await;
            settle(&state, shop.id, logged_topic(&applied), &result, named.as_deref()).await;
            result
        })
        .await?;
    Ok(answer(&topic, result?))
}

/// A delivery that may be applied: the shop and the body, whose signature is
/// right. Before the body is read or the database asked, a slug that cannot be
/// one and a signature that cannot be an HMAC-SHA256 are refused as a bad
/// signature is (and so is an unknown shop, in [`signed`]); then an attempt
/// is taken, before the shop is read, the body received or hashed.
async fn received(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ClientOf(client): ClientOf,
    headers: &HeaderMap,
    body: Body,
) -> Result<(AppState, Shop, Bytes), ApiError> {
    let signature = header(headers, "x-shopify-hmac-sha256").unwrap_or_default();
    if !app::normalize::is_slug(&slug) || !signature_shaped(signature) {
        tracing::warn!("webhook refused: no shop or signature of that shape");
        return Err(ApiError::BadSignature);
    }
    state
        .limits
        .reserve_webhook(&client, &slug)
        .map_err(|wait| ApiError::SignatureRateLimited(wait.as_secs().max(1)))?;
    let (shop, bytes) = signed(&state, &client, &slug, headers, signature, body).await?;
    Ok((state, shop, bytes))
}

/// The most bytes of a delivery id kept as it is (Shopify's are UUIDs).
const MAX_DELIVERY_ID: usize = 200;

/// What a delivery id is recorded as: itself, or when it is longer than any of
/// Shopify's or is not UTF-8, its SHA-256 (so that a retry of it is still
/// known, and the key stays short and text).
fn delivery_key(id: &[u8]) -> String {
    match std::str::from_utf8(id) {
        Ok(id) if id.len() <= MAX_DELIVERY_ID && !id.starts_with("sha256:") => id.to_owned(),
        _ => format!("sha256:{}", crate::token::digest_bytes(id)),
    }
}

/// A topic as the log and the console's list of deliveries keep it: as sent
/// when Lookout acts on it, else `other`. The signature covers the body, not
/// the headers, so whoever holds one signed delivery may send it with any
/// topic, such as an address or an order number, which stay out of logs.
fn logged_topic(topic: &str) -> &str {
    match crate::shopify::is_handled_topic(topic) {
        true => topic,
        false => "other",
    }
}

/// A header of the delivery as text, trimmed (none if it is not text).
fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// Records a delivery and what came of it for the console's list (signed
/// deliveries only, so that the list cannot be filled by strangers), logs it
/// and counts it.
async fn settle(
    state: &AppState,
    shop_id: i64,
    topic: &str,
    result: &Result<Outcome, ApiError>,
    order_key: Option<&str>,
) {
    let outcome = match result {
        Ok(outcome) => {
            tracing::info!(topic, outcome = outcome.as_str(), "shopify webhook");
            outcome.as_str()
        }
        Err(e) => e.code(),
    };
    crate::metrics::ingest("shopify", outcome);
    // An erased order's number is not written back into the list.
    let order_key = order_key.filter(|_| !matches!(result, Ok(Outcome::Erased)));
    if let Err(e) = state.store.record_delivery(shop_id, topic, outcome, order_key).await {
        tracing::warn!(error = %e, "could not record the delivery");
    }
}

/// The shop and the body of a delivery whose signature is the body's HMAC under
/// the shop's secret; an unknown shop is refused as a wrong signature is. The
/// body is received into room reserved for it (`crate::unsigned`), held until
/// its signature is checked. The client's attempt at the shop (taken by the
/// caller) is given back when the signature is right, the database failed or
/// there was no room for the body; a wrong signature, an unknown shop, a body
/// over 1 MiB or one that never came keep it.
async fn signed(
    state: &AppState,
    client: &Client,
    slug: &str,
    headers: &HeaderMap,
    signature: &str,
    body: Body,
) -> Result<(Shop, Bytes), ApiError> {
    let limits = &state.limits;
    let found = state
        .store
        .webhook_secret(slug)
        .await
        .inspect_err(|_| limits.release_webhook(client, slug))?;
    let (shop, secret) = found.ok_or(ApiError::BadSignature)?;
    let (bytes, _room) = state
        .unsigned
        .read(headers, body, MAX_BODY_BYTES)
        .await
        .inspect_err(|e| {
            if matches!(e, ApiError::ReceivingBusy) {
                limits.release_webhook(client, slug);
            }
        })?;
    if !signature_valid(&secret, &bytes, signature) {
        tracing::warn!("webhook refused: signature mismatch");
        return Err(ApiError::BadSignature);
    }
    limits.release_webhook(client, slug);
    Ok((shop, bytes))
}

fn answer(topic: &str, outcome: Outcome) -> (StatusCode, Json<Value>) {
    (
        StatusCode::OK,
        Json(json!({"topic": topic, "outcome": outcome.as_str()})),
    )
}
