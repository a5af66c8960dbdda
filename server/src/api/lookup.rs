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
use serde::Deserialize;
use std::sync::Arc;

const MAX_LOOKUP_BODY: usize = 16 * 1024;

#[derive(Deserialize)]
struct LookupBody {
    email: Option<serde_json::Value>,
    order_number: Option<serde_json::Value>,
}

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
    let parsed: LookupBody = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::Validation(vec![FieldError::new(
            "body",
            "malformed",
            format!("The body must be a JSON object with `email` and `order_number`: {e}"),
        )])
    })?;
    let mut errors = Vec::new();
    let email = text_field(parsed.email, "email", &mut errors);
    let order_number = text_field(parsed.order_number, "order_number", &mut errors);
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

/// A JSON string field; absent is empty (the validator then says it is required).
fn text_field(value: Option<serde_json::Value>, name: &str, errors: &mut Vec<FieldError>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s,
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
