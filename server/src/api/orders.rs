//! The merchant's order endpoints: create or replace, read, erase.

use super::auth::{authorize, ClientOf};
use super::body;
use crate::problem::ApiError;
use crate::AppState;
use app::errors::FieldError;
use app::normalize::{check_order_number, order_number_key};
use app::order::{parse_order, Order, MAX_BODY_BYTES};
use app::store::PutOutcome;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;

/// `PUT /api/v1/shops/{shop}/orders/{order_number}`: 201 created, 200 replaced, 409 stale.
pub async fn put_order(
    state: State<AppState>,
    client: ClientOf,
    path: Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    let result = put(state, client, path, headers, body).await;
    let outcome = match &result {
        Ok((StatusCode::CREATED, _)) => "created",
        Ok(_) => "replaced",
        Err(e) => e.code(),
    };
    crate::metrics::ingest("api", outcome);
    result
}

async fn put(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    Path((slug, number)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    let shop = authorize(&state, &client, &headers, &slug).await?;
    let bytes = body::read(body, MAX_BODY_BYTES).await?;
    let order = parse_order(&bytes).map_err(ApiError::Validation)?;
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
    let outcome = state.store.put_order(shop.id, &order).await?;
    tracing::info!(outcome = ?outcome, "order stored");
    let status = match outcome {
        PutOutcome::Created => StatusCode::CREATED,
        PutOutcome::Replaced => StatusCode::OK,
    };
    Ok((status, Json(order)))
}

/// `GET /api/v1/shops/{shop}/orders/{order_number}`: the full stored order.
pub async fn get_order(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    Path((slug, number)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Order>, ApiError> {
    let shop = authorize(&state, &client, &headers, &slug).await?;
    path_number(&number)?;
    state
        .store
        .order(shop.id, &order_number_key(&number))
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// `DELETE /api/v1/shops/{shop}/orders/{order_number}`: erases the order and everything under it.
pub async fn delete_order(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    Path((slug, number)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let shop = authorize(&state, &client, &headers, &slug).await?;
    path_number(&number)?;
    if state.store.delete_order(shop.id, &order_number_key(&number)).await? {
        tracing::info!("order erased");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

fn path_number(number: &str) -> Result<(), ApiError> {
    check_order_number(number, "order_number").map_err(|e| ApiError::Validation(vec![e]))
}
