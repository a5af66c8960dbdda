//! The merchant's order endpoints: create or replace, read, erase.

use super::auth::{authorize, authorize_write, ClientOf};
use super::body;
use super::path::ApiPath;
use crate::problem::ApiError;
use crate::AppState;
use app::errors::FieldError;
use app::normalize::{check_order_number, order_number_key};
use app::order::{parse_order, Order, ValidOrder, MAX_BODY_BYTES};
use app::store::{By, PutOutcome};
use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// What an order body must be, as its errors say it.
const ORDER_BODY: &str = "a JSON object: one order (docs/api.md, \"The order body\")";

/// `PUT /api/v1/shops/{shop}/orders/{order_number}`: 201 created, 200 replaced, 409 stale.
#[utoipa::path(
    put,
    path = "/api/v1/shops/{shop}/orders/{order_number}",
    tag = "merchant",
    operation_id = "put_order",
    summary = "Create or replace an order",
    security(("api_key" = [])),
    params(
        ("shop" = String, Path, description = "The shop's slug", example = "demo"),
        ("order_number" = String, Path, description = "The order number (`1001` or `#1001`: it must match the body's)", example = "1001"),
    ),
    request_body(content = Order, content_type = "application/json", description = "The whole order (docs/api.md, \"The order body\")"),
    responses(
        (status = 201, description = "Created; the order as stored", body = Order,
            headers(("Location" = String, description = "The new order's path: the one it was put at"))),
        (status = 200, description = "Replaced; the order as stored", body = Order),
        (status = 401, description = "No key, or not this shop's live key", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The stored order's `updated_at` is newer; nothing changed", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 1 MiB", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is sent compressed (a `Content-Encoding` other than `identity`); nothing changed", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The order is not valid; `errors` lists every problem; nothing changed", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Past the key's allowance of writes (`api-writes-per-key` per window), or too many failed key checks from this address; `Retry-After` says when; nothing changed", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable, or key checking is at capacity; `Retry-After`", body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_order(
    state: State<AppState>,
    client: ClientOf,
    path: ApiPath<(String, String)>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let result = put(state, client, path, headers, body).await;
    let outcome = match &result {
        Ok((StatusCode::CREATED, _)) => "created",
        Ok(_) => "replaced",
        Err(e) => e.code(),
    };
    crate::metrics::ingest("api", outcome);
    Ok(match result? {
        // The new order's address is the one it was put at (its `GET` answers there).
        (StatusCode::CREATED, order) => {
            (StatusCode::CREATED, [(header::LOCATION, uri.path().to_owned())], order).into_response()
        }
        (status, order) => (status, order).into_response(),
    })
}

async fn put(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    ApiPath((slug, number)): ApiPath<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<ValidOrder>), ApiError> {
    let (shop, _) = authorize_write(&state, &client, &headers, &slug).await?;
    let bytes = body::read(body, MAX_BODY_BYTES).await?;
    let order = parse_order(&bytes).map_err(|errors| invalid_body(&bytes, errors))?;
    path_number(&number)?;
    if order_number_key(&order.order_number) != order_number_key(&number) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "order_number",
            "path_mismatch",
            format!(
                "The body's order_number {:?} differs from the path's {number:?}.",
                order.order_number
            ),
        )]));
    }
    let outcome = state.store.put_order(shop.id, order.clone()).await?;
    tracing::info!(outcome = ?outcome, "order stored");
    let status = match outcome {
        PutOutcome::Created => StatusCode::CREATED,
        PutOutcome::Replaced => StatusCode::OK,
    };
    Ok((status, Json(order)))
}

/// `GET /api/v1/shops/{shop}/orders/{order_number}`: the full stored order.
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/orders/{order_number}",
    tag = "merchant",
    operation_id = "get_order",
    summary = "Read an order, internal fields included",
    security(("api_key" = [])),
    params(
        ("shop" = String, Path, description = "The shop's slug", example = "demo"),
        ("order_number" = String, Path, description = "The order number", example = "1001"),
    ),
    responses(
        (status = 200, description = "The order as stored", body = Order),
        (status = 401, description = "No key, or not this shop's live key", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No order with this number at this shop", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The order number in the path is empty (or only `#` and spaces), longer than 64 characters or holds a control character", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed key checks from this address; `Retry-After` says when", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable, or key checking is at capacity; `Retry-After`", body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_order(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    ApiPath((slug, number)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Order>, ApiError> {
    let shop = authorize(&state, &client, &headers, &slug).await?;
    path_number(&number)?;
    state
        .store
        .order(shop.id, &order_number_key(&number))
        .await?
        .map(Json)
        .ok_or(ApiError::NoOrder)
}

/// `DELETE /api/v1/shops/{shop}/orders/{order_number}`: erases the order and everything under it.
#[utoipa::path(
    delete,
    path = "/api/v1/shops/{shop}/orders/{order_number}",
    tag = "merchant",
    operation_id = "delete_order",
    summary = "Erase an order (a shopper's erasure request)",
    security(("api_key" = [])),
    params(
        ("shop" = String, Path, description = "The shop's slug", example = "demo"),
        ("order_number" = String, Path, description = "The order number", example = "1001"),
    ),
    responses(
        (status = 204, description = "Erased; listed on the console's Changes page as erased by this key"),
        (status = 401, description = "No key, or not this shop's live key", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No order with this number at this shop", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The order number in the path is empty (or only `#` and spaces), longer than 64 characters or holds a control character", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Past the key's allowance of writes (`api-writes-per-key` per window), or too many failed key checks from this address; `Retry-After` says when; nothing changed", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable, or key checking is at capacity; `Retry-After`", body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_order(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    ApiPath((slug, number)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let (shop, prefix) = authorize_write(&state, &client, &headers, &slug).await?;
    path_number(&number)?;
    let (number_key, by) = (order_number_key(&number), By::Key(prefix));
    if state.store.delete_order(shop.id, &number_key, &by).await? {
        tracing::info!("order erased");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NoOrder)
    }
}

/// The errors of an order body that is not a valid order; one plain error when
/// it is JSON but not an object (serde's message would name a Rust type).
fn invalid_body(bytes: &[u8], errors: Vec<FieldError>) -> ApiError {
    ApiError::Validation(body::not_an_object(bytes, ORDER_BODY).map_or(errors, |e| vec![e]))
}

/// An order number in the path: checked as a body's is, and refused with any
/// control character, even at an end where a body's would be trimmed away
/// (`%0A1001` names no order; it is not `1001`).
fn path_number(number: &str) -> Result<(), ApiError> {
    let checked = match number.chars().any(char::is_control) {
        true => Err(app::normalize::control_characters("order_number")),
        false => check_order_number(number, "order_number"),
    };
    checked.map_err(|e| ApiError::Validation(vec![e]))
}
