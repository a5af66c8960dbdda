//! The REST API under `/api/v1` (API.md).

mod auth;
mod body;
mod lookup;
mod orders;
mod webhooks;

pub use webhooks::signature_valid;

use crate::AppState;
use axum::routing::{post, put};
use axum::Router;

/// The `/api/v1` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/shops/{shop}/lookup", post(lookup::lookup))
        .route(
            "/shops/{shop}/orders/{order_number}",
            put(orders::put_order)
                .get(orders::get_order)
                .delete(orders::delete_order),
        )
        .route("/shops/{shop}/webhooks/shopify", post(webhooks::shopify))
}
