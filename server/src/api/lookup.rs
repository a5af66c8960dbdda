//! `POST /api/v1/shops/{shop}/lookup`: the shopper's lookup as JSON.

use super::auth::ClientOf;
use super::body;
use crate::problem::ApiError;
use crate::AppState;
use app::errors::{FieldError, LookupError};
use axum::extract::{Path, Request, State};
use axum::Json;
use serde::Deserialize;

const MAX_LOOKUP_BODY: usize = 16 * 1024;

#[derive(Deserialize)]
struct LookupBody {
    email: Option<serde_json::Value>,
    order_number: Option<serde_json::Value>,
}

/// Looks an order up. Unknown order, wrong email and unknown shop all answer the same 404.
/// The body must say it is JSON: a form or `text/plain` post from another site's
/// page (which a browser sends without asking) is refused with 415.
pub async fn lookup(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    Path(shop): Path<String>,
    req: Request,
) -> Result<Json<app::view::ShopperView>, ApiError> {
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
    match app::lookup::lookup(&state.store, &state.limits, &client, &shop, &email, &order_number).await {
        Ok(view) => Ok(Json(view)),
        Err(LookupError::NotFound) => Err(ApiError::NotFound),
        Err(LookupError::Invalid(errors)) => Err(ApiError::Validation(errors)),
        Err(LookupError::RateLimited { retry_after_secs }) => Err(ApiError::RateLimited(retry_after_secs)),
        Err(LookupError::Unavailable) => Err(ApiError::Unavailable),
    }
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
