//! `POST /api/v1/shops/{shop}/lookup`: the shopper's lookup as JSON.

use super::auth::ClientOf;
use super::body;
use crate::problem::ApiError;
use app::errors::FieldError;
use app::limits::LookupLimits;
use app::store::Store;
use axum::extract::{Path, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;

const MAX_LOOKUP_BODY: usize = 16 * 1024;

/// What a lookup body must be, as its errors say it.
const LOOKUP_BODY: &str = "a JSON object with `email` and `order_number`";

/// Looks an order up. Unknown order, wrong email and unknown shop all answer the same 404.
/// The body must say it is JSON: a form or `text/plain` post from another site's
/// page (which a browser sends without asking) is refused with 415.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/lookup",
    tag = "shopper",
    operation_id = "lookup",
    summary = "Look an order up by email and order number",
    params(("shop" = String, Path, description = "The shop's slug, `[a-z0-9-]{1,64}`", example = "demo")),
    request_body(content = super::openapi::LookupRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The order as its shopper may see it", body = app::view::ShopperView),
        (status = 404, description = "No order with this number and email in this shop (every kind of miss alike)", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 16 KiB", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as application/json", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or malformed; `errors` lists them", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed lookups; `Retry-After` says when to try again", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable; `Retry-After`", body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn lookup(
    State(store): State<Store>,
    State(limits): State<Arc<LookupLimits>>,
    ClientOf(client): ClientOf,
    Path(shop): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    if !is_json(&parts.headers) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let bytes = body::read(body, MAX_LOOKUP_BODY).await?;
    // Read as JSON first and then as an object, so that no message of serde's
    // (which names the Rust type it expected) reaches the client, and an array is
    // not taken for the object's fields in order.
    let mut fields = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(fields)) => fields,
        Ok(_) => return Err(malformed(format!("The body must be {LOOKUP_BODY}."))),
        Err(e) => {
            return Err(malformed(format!(
                "The body is not valid JSON ({e}); send {LOOKUP_BODY}."
            )))
        }
    };
    let mut errors = Vec::new();
    let email = text_field(fields.remove("email"), "email", &mut errors);
    let order_number = text_field(fields.remove("order_number"), "order_number", &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let view = app::lookup::lookup(&store, &limits, &client, &shop, &email, &order_number).await?;
    // The stored view is the answer's JSON, byte for byte: nothing to parse or build.
    Ok(([(header::CONTENT_TYPE, "application/json")], view.into_string()).into_response())
}

/// True when `Content-Type` is `application/json` (parameters such as a charset allowed).
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// A body that is not a lookup's, as its one field error.
fn malformed(message: String) -> ApiError {
    ApiError::Validation(vec![FieldError::new("body", "malformed", message)])
}

/// A JSON string field; absent is empty (the validator then says it is required).
fn text_field(value: Option<Value>, name: &str, errors: &mut Vec<FieldError>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s,
        Some(_) => {
            errors.push(FieldError::new(
                name,
                "malformed",
                format!("`{name}` must be a string."),
            ));
            String::new()
        }
    }
}
