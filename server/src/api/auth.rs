//! Merchant authentication: a bearer key that belongs to the shop in the path.

use crate::keys;
use crate::problem::ApiError;
use crate::AppState;
use app::store::Shop;
use axum::http::{header, HeaderMap};

/// Checks the bearer key and returns the shop it may act on.
/// Order of checks: key first (401), then that the key's shop is the path's shop (403).
/// A key verified within the last minute is taken from memory instead of hashed again.
pub async fn authorize(state: &AppState, headers: &HeaderMap, slug: &str) -> Result<Shop, ApiError> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .ok_or(ApiError::Unauthorized)?
        .to_string();
    let shop_id = match state.verified.get(&presented) {
        Some(shop_id) => shop_id,
        None => {
            let stored = match keys::prefix_of(&presented) {
                Some(prefix) => state.store.key_by_prefix(prefix).await?,
                None => None,
            };
            // Unknown keys are checked against a dummy hash, so timing does not tell a
            // key's prefix exists. Argon2 runs off the async threads.
            let hash = stored.as_ref().map(|k| k.hash.clone());
            let candidate = presented.clone();
            let valid = tokio::task::spawn_blocking(move || keys::verify(&candidate, hash.as_deref()))
                .await
                .map_err(|e| ApiError::Internal(format!("key check panicked: {e}")))?;
            match (valid, stored) {
                (true, Some(key)) => {
                    state.verified.insert(&presented, key.shop_id);
                    key.shop_id
                }
                _ => return Err(ApiError::Unauthorized),
            }
        }
    };
    match state.store.shop(slug).await? {
        Some(shop) if shop.id == shop_id => Ok(shop),
        _ => Err(ApiError::Forbidden),
    }
}
