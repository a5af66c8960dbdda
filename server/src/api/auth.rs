//! Merchant authentication: a bearer key that belongs to the shop in the path.
//!
//! Unauthenticated junk must not buy hashing: a key is checked by its shape
//! first (no hash for anything that is not `lk_<16 hex>_<64 hex>`), a client's
//! failed checks are limited, and Argon2 runs behind a bounded gate, once for
//! all the requests that present one key at the same time (`crate::verified`).

use crate::hash_gate::Lane;
use crate::keys;
use crate::problem::ApiError;
use crate::verified::{Flight, Found, Turn};
use crate::AppState;
use app::limits::Client;
use app::store::Shop;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

/// The client of a request, as the limits count it (see `app::limits::client`).
pub struct ClientOf(pub Client);

impl FromRequestParts<AppState> for ClientOf {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientOf(state.client(parts)))
    }
}

/// Checks the bearer key and returns the shop it may act on.
/// Order of checks: key first (401, or 429 / 503 before any hashing), then that the
/// key's shop is the path's shop (also 401: to the path's shop, another shop's key
/// is no key of its own, as docs/api.md says).
pub async fn authorize(state: &AppState, client: &Client, headers: &HeaderMap, slug: &str) -> Result<Shop, ApiError> {
    Ok(authorize_key(state, client, headers, slug).await?.0)
}

/// The token of an `Authorization: Bearer <token>` header; the scheme's name in
/// any case (RFC 9110, section 11.1), spaces around the token ignored.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// [`authorize`], and the key's public prefix: who a change it makes is by.
pub async fn authorize_key(
    state: &AppState,
    client: &Client,
    headers: &HeaderMap,
    slug: &str,
) -> Result<(Shop, String), ApiError> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .ok_or(ApiError::Unauthorized)?;
    // Shape first: what cannot be a key is refused without a hash or a query.
    let prefix = keys::prefix_of(presented).ok_or(ApiError::Unauthorized)?;
    let shop_id = shop_of_key(state, client, presented, (prefix, slug))
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if !app::normalize::is_slug(slug) {
        return Err(ApiError::Unauthorized);
    }
    match state.store.shop(slug).await? {
        Some(shop) if shop.id == shop_id => Ok((shop, prefix.to_owned())),
        _ => Err(ApiError::Unauthorized),
    }
}

/// [`authorize_key`] for a write: then one write is taken from the key's
/// allowance (`app::limits`, `api_writes`), before the body is read; past
/// it, 429 with `Retry-After` and nothing changed.
pub async fn authorize_write(
    state: &AppState,
    client: &Client,
    headers: &HeaderMap,
    slug: &str,
) -> Result<(Shop, String), ApiError> {
    let (shop, prefix) = authorize_key(state, client, headers, slug).await?;
    state
        .limits
        .reserve_api_write(&prefix)
        .map_err(|wait| ApiError::WriteRateLimited(wait.as_secs().max(1)))?;
    Ok((shop, prefix))
}

/// The shop of a well-formed key, `None` if the key is not valid. A key verified
/// within the last minute is taken from memory; a key being verified for another
/// request is not verified again: this one waits for that answer, spending
/// neither a place at the hashing gate nor the client's allowance. If that
/// request ends without an answer, this one takes its turn again, once.
async fn shop_of_key(
    state: &AppState,
    client: &Client,
    presented: &str,
    named: (&str, &str),
) -> Result<Found, ApiError> {
    for _ in 0..2 {
        match state.verified.turn(presented) {
            Turn::Known(shop_id) => return Ok(Some(shop_id)),
            Turn::Verify(flight) => return verify(state, client, presented, named, flight).await,
            Turn::Wait(waiting) => {
                if let Some(found) = waiting.answer().await {
                    return Ok(found);
                }
            }
        }
    }
    verify(state, client, presented, named, state.verified.alone(presented)).await
}

/// Hashes a well-formed key that is not in memory: the client's allowance of
/// failed checks is taken first and given back if the key is good. What is
/// found is landed on `flight` for the requests waiting on it.
async fn verify(
    state: &AppState,
    client: &Client,
    presented: &str,
    (prefix, slug): (&str, &str),
    flight: Flight,
) -> Result<Found, ApiError> {
    state
        .limits
        .reserve_auth(client)
        .map_err(|wait| ApiError::AuthRateLimited(wait.as_secs().max(1)))?;
    let checked = check(state, presented, (prefix, slug)).await;
    match checked {
        Ok(found) => {
            flight.land(found);
            if found.is_some() {
                state.limits.release_auth(client);
                // Shown in the console; a key in use is verified about once a minute.
                if let Err(e) = state.store.key_used(prefix).await {
                    tracing::warn!(error = %e, "could not note the key's use");
                }
            }
            Ok(found)
        }
        // Not the client's failure: the attempt is given back.
        Err(e) => {
            state.limits.release_auth(client);
            Err(e)
        }
    }
}

/// The shop of a well-formed key if it is valid, `None` if not. Unknown keys are
/// checked against a dummy hash, so timing does not tell a key's prefix exists
/// (but for the lane: a key whose prefix is a stored key of the shop the path
/// names hashes in the gate's known lane, so that made-up keys cannot turn a
/// shop's integration away, nor another shop's prefix fill that lane; a prefix
/// is no secret, the console and the Changes page show it).
async fn check(state: &AppState, presented: &str, (prefix, slug): (&str, &str)) -> Result<Option<i64>, ApiError> {
    let stored = state.store.key_by_prefix(prefix).await?;
    let hash = stored.as_ref().map(|k| k.hash.clone());
    let path_shop = match &stored {
        Some(_) if app::normalize::is_slug(slug) => state.store.shop(slug).await?.map(|s| s.id),
        _ => None,
    };
    let lane = match &stored {
        Some(key) if path_shop == Some(key.shop_id) => {
            Lane::Known(crate::hash_gate::owner("shop", &key.shop_id.to_string()))
        }
        _ => Lane::Open,
    };
    let candidate = presented.to_string();
    let verified = state.verified.clone();
    let valid = state
        .hashing
        .run_in(lane, move || {
            // Another request may have verified the same key while this one queued.
            verified.get(&candidate).is_some() || keys::verify(&candidate, hash.as_deref())
        })
        .await
        .map_err(|keys::Busy| ApiError::Busy)?;
    Ok(stored.filter(|_| valid).map(|k| k.shop_id))
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_scheme_is_read_in_any_case_and_only_the_bearer_scheme() {
        for header in [
            "Bearer lk_a",
            "bearer lk_a",
            "BEARER lk_a",
            "BeArEr  lk_a ",
            " Bearer lk_a",
        ] {
            assert_eq!(bearer_token(header), Some("lk_a"), "{header:?}");
        }
        for header in ["Basic lk_a", "Bearerlk_a", "lk_a", "", "Bearer_x lk_a", "Token lk_a"] {
            assert_eq!(bearer_token(header), None, "{header:?}");
        }
        // What is left is the token's to judge: an empty one is refused by its shape.
        assert_eq!(bearer_token("Bearer "), Some(""));
    }
}
