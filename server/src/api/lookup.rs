//! `POST /api/v1/shops/{shop}/lookup`: the shopper's lookup as JSON.

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
pub async fn lookup(
    State(state): State<AppState>,
    Path(shop): Path<String>,
    req: Request,
) -> Result<Json<app::view::ShopperView>, ApiError> {
    let (parts, body) = req.into_parts();
    let client = state.client(&parts);
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
