//! Shoppers without their order number: they ask for a link by email (the
//! tracking page's "Don't have your order number?"), and the link opens the
//! list of their orders at the shop. The request always gets the same answer;
//! the mail is queued (see `mail`) and the link's token, of which only the
//! SHA-256 is stored, works for 30 minutes in the first browser that opens it.

mod page;
mod request;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

/// The cookie that ties a link to the browser that opened it first.
pub const DEVICE_COOKIE: &str = "lookout_orders";

/// The forms that ask for a link (each answered alike, the mail sent later).
pub fn requests() -> Router<AppState> {
    Router::new()
        .route("/track/{shop}/links", post(request::request))
        .route("/embed/{shop}/links", post(request::request))
}

/// The page of orders a link opens, and its forms (which read the orders).
pub fn pages() -> Router<AppState> {
    Router::new()
        .route(
            "/track/{shop}/o/{token}",
            get(page::open).post(page::take).layer(crate::html::token_in_address()),
        )
        .route(
            "/track/{shop}/o/{token}/forget",
            post(page::forget).layer(crate::html::token_in_address()),
        )
}

/// The page answering a request of a shopper's page of orders that waited too
/// long for its turn (`page_lane`): in the shopper's language (`?locale=`, else
/// the browser's), nothing read or done, to be asked again shortly.
pub fn busy(state: &AppState, headers: &axum::http::HeaderMap, uri: &axum::http::Uri) -> axum::response::Response {
    page::busy(state, headers, uri)
}

/// The path of a link (no email address or order number in it).
pub fn link_path(slug: &str, token: &str, locale: &str) -> String {
    format!("/track/{slug}/o/{token}?locale={locale}")
}
