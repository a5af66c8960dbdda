//! The API's OpenAPI 3.1 document, made from the handlers' annotations and the
//! types they take and give (utoipa), with examples from the contract's fixtures
//! (docs/api.md), and served at `GET /api/v1/openapi.json`. The API's routes are
//! registered from the same annotations, so the router cannot serve an
//! operation the document does not list.

use crate::problem::Problem;
use app::errors::FieldError;
use app::order::{parse_order, Order};
use app::view::ShopperView;
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::OnceLock;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{OpenApi, RefOr};

/// The body of a lookup.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LookupRequest {
    /// The email address the order was placed with (matched trimmed, any case).
    #[schema(max_length = 254)]
    email: String,
    /// The order number as the shop shows it (`#1001`; a leading `#`, spaces and case do not matter).
    #[schema(max_length = 64)]
    order_number: String,
}

/// What became of a webhook delivery.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookAnswer {
    /// The delivery's `X-Shopify-Topic`.
    topic: String,
    /// `applied`, `duplicate`, `stale`, `unknown_order`, `ignored_topic`, `no_email` or `erased`.
    outcome: String,
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Lookout API",
        description = "The order-status widget's merchant and lookup API (docs/api.md). Every error is an RFC 9457 problem document (`application/problem+json`, schema `Problem`), also a 404 `not_found` for a path under `/api/` that no endpoint has and a 405 `method_not_allowed` (with `Allow`) for a method an endpoint does not answer.",
        license(name = "MIT")
    ),
    components(schemas(FieldError, Problem)),
    modifiers(&Security),
    tags(
        (name = "shopper", description = "What a shopper's page asks; no key"),
        (name = "merchant", description = "A shop's orders, with the shop's API key"),
        (name = "platform", description = "Deliveries from a shop's platform, signed"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, api: &mut OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A shop's API key (`lookout key create SLUG`), as `Authorization: Bearer lk_…`",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document as served, made once.
static DOCUMENT: OnceLock<String> = OnceLock::new();

/// Keeps the finished document for [`serve`].
pub fn publish(mut api: OpenApi) {
    add_examples(&mut api);
    at_least_one_setting(&mut api);
    DOCUMENT.get_or_init(|| api.to_json().unwrap_or_else(|_| "{}".to_string()));
}

/// A settings `PATCH` names at least one setting (`minProperties`: utoipa's
/// own attribute for it writes `maxProperties`).
fn at_least_one_setting(api: &mut OpenApi) {
    use utoipa::openapi::{RefOr, Schema};
    let patch = api.components.as_mut().and_then(|c| c.schemas.get_mut("SettingsPatch"));
    if let Some(RefOr::T(Schema::Object(object))) = patch {
        object.min_properties = Some(1);
    }
}

/// `GET /api/v1/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    operation_id = "openapi",
    summary = "This document",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json"))
)]
pub async fn serve() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        DOCUMENT.get().cloned().unwrap_or_default(),
    )
}

const ORDER: &str = include_str!("../../../fixtures/order-1001.json");
const SHOPIFY_ORDER: &str = include_str!("../../../fixtures/shopify/order.json");

/// The contract's example order as sent, as stored, and as its shopper sees it.
fn order_examples() -> (Value, Value, Value) {
    let sent: Value = serde_json::from_str(ORDER).unwrap_or(Value::Null);
    match parse_order(ORDER.as_bytes()) {
        Ok(order) => {
            let order: Order = order.into_inner();
            let view = ShopperView::from(&order);
            (
                sent,
                serde_json::to_value(&order).unwrap_or(Value::Null),
                serde_json::to_value(&view).unwrap_or(Value::Null),
            )
        }
        Err(_) => (sent, Value::Null, Value::Null),
    }
}

/// Puts the examples in: request bodies and the answers they get (parameters
/// carry theirs in their annotations).
fn add_examples(api: &mut OpenApi) {
    let (sent, stored, view) = order_examples();
    let shopify: Value = serde_json::from_str(SHOPIFY_ORDER).unwrap_or(Value::Null);
    for (path, item) in api.paths.paths.iter_mut() {
        let operations = [
            (&mut item.get, "get"),
            (&mut item.put, "put"),
            (&mut item.post, "post"),
            (&mut item.delete, "delete"),
            (&mut item.patch, "patch"),
        ];
        for (operation, method) in operations {
            let Some(operation) = operation.as_mut() else {
                continue;
            };
            match (method, path.as_str()) {
                ("put", p) if p.ends_with("/orders/{order_number}") => {
                    request_example(operation, sent.clone());
                    response_example(operation, "201", stored.clone());
                    response_example(operation, "200", stored.clone());
                }
                ("get", p) if p.ends_with("/orders/{order_number}") => {
                    response_example(operation, "200", stored.clone())
                }
                ("post", p) if p.ends_with("/lookup") => {
                    request_example(operation, json!({"email": "ada@example.com", "order_number": "#1001"}));
                    response_example(operation, "200", view.clone());
                }
                ("post", p) if p.ends_with("/webhooks/shopify") => {
                    request_example(operation, shopify.clone());
                    response_example(
                        operation,
                        "200",
                        json!({"topic": "orders/create", "outcome": "applied"}),
                    );
                }
                ("get", p) if p.ends_with("/settings") => response_example(operation, "200", settings(true)),
                ("patch", p) if p.ends_with("/settings") => {
                    request_example(operation, json!({"email_links": false}));
                    response_example(operation, "200", settings(false));
                }
                _ => {}
            }
        }
    }
}

/// The example shop's settings (the shop `demo` as the examples' test makes it).
fn settings(email_links: bool) -> Value {
    json!({"slug": "demo", "name": "Demo", "locale": "en", "accent": null, "allowed_origins": [], "email_links": email_links, "contact_email": null, "time_zone": null, "logo_url": null})
}

fn request_example(operation: &mut Operation, example: Value) {
    if let Some(body) = operation.request_body.as_mut() {
        for content in body.content.values_mut() {
            content.example = Some(example.clone());
        }
    }
}

fn response_example(operation: &mut Operation, status: &str, example: Value) {
    if let Some(RefOr::T(response)) = operation.responses.responses.get_mut(status) {
        for content in response.content.values_mut() {
            content.example = Some(example.clone());
        }
    }
}
