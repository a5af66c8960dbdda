//! The REST API under `/api/v1` (docs/api.md), described by its OpenAPI document.

pub(crate) mod auth;
pub(crate) mod body;
mod lookup;
mod openapi;
mod orders;
mod path;
mod settings;
pub(crate) mod webhooks;

pub use webhooks::signature_valid;

use crate::AppState;
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The `/api/v1` routes, each registered from its OpenAPI annotation.
pub fn routes() -> Router<AppState> {
    let (router, api) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(lookup::lookup))
        .routes(routes!(orders::put_order, orders::get_order, orders::delete_order))
        .routes(routes!(webhooks::shopify))
        .routes(routes!(settings::get_settings, settings::patch_settings))
        .routes(routes!(openapi::serve))
        .split_for_parts();
    openapi::publish(api);
    // A compressed body is refused before a route reads it (or checks its key).
    router.layer(axum::middleware::from_fn(body::refuse_encoded))
}
