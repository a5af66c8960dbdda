//! RFC 9457 problem details, and the one error type of the REST API.

use app::errors::{FieldError, LookupError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Everything the REST API can answer besides success. Internal errors are logged
/// with their cause and answered with a bare 500: their text never leaves the server.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No key, a key of the wrong shape, or a wrong, revoked or other shop's key.
    #[error("missing or invalid API key")]
    Unauthorized,
    /// A webhook whose signature is not the body's HMAC under the shop's secret
    /// (or a webhook for an unknown shop, which looks the same).
    #[error("bad webhook signature")]
    BadSignature,
    /// A lookup that found nothing (unknown order, wrong email, unknown shop alike).
    #[error("not found")]
    NotFound,
    /// No order with this number at the key's shop (the merchant API).
    #[error("no such order")]
    NoOrder,
    /// A path under `/api/` that no endpoint answers.
    #[error("no such endpoint")]
    NoEndpoint,
    /// An endpoint asked with a method it does not answer (`Allow` lists those it does).
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("body too large")]
    TooLarge,
    #[error("stale update")]
    Stale,
    #[error("rate limited")]
    RateLimited(u64),
    #[error("too many failed authentications")]
    AuthRateLimited(u64),
    /// Too many failed webhook signatures from this client to this shop.
    #[error("too many failed webhook signatures")]
    SignatureRateLimited(u64),
    /// Too many writes with this API key (`app::limits`, `api_writes`).
    #[error("too many writes with this key")]
    WriteRateLimited(u64),
    /// Too many requests in flight from this client (`crate::serve`).
    #[error("too many requests in flight")]
    InFlight,
    #[error("busy")]
    Busy,
    /// Too many webhook bodies are being received at once (`crate::unsigned`).
    #[error("busy receiving")]
    ReceivingBusy,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// A body sent compressed: the header (`Content-Encoding` or
    /// `Transfer-Encoding`), and its value when that is plain.
    #[error("unsupported content encoding")]
    UnsupportedEncoding(&'static str, Option<String>),
    #[error("cross-site request")]
    CrossSite,
    #[error("the database is unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

/// When to try again after the database was unavailable.
pub use app::errors::RETRY_UNAVAILABLE_SECS;

/// When to try again after the key-hashing gate was full.
pub const RETRY_BUSY_SECS: u64 = 1;

/// The wire form of a problem (RFC 9457).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `/problems/{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A stable word: `unauthorized`, `cross_site`, `not_found`, `method_not_allowed`,
    /// `stale_update`, `body_too_large`, `unsupported_media_type`, `validation_failed`,
    /// `rate_limited`, `unavailable`, `busy` or `internal_error`.
    pub code: &'static str,
    /// A short summary of the kind of problem.
    pub title: &'static str,
    /// The HTTP status of the answer.
    pub status: u16,
    /// What went wrong this time, for a person.
    pub detail: String,
    /// The field-level problems of a `validation_failed` answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

impl ApiError {
    /// The HTTP status for this error.
    pub fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized | ApiError::BadSignature => StatusCode::UNAUTHORIZED,
            ApiError::NotFound | ApiError::NoOrder | ApiError::NoEndpoint => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Stale => StatusCode::CONFLICT,
            ApiError::RateLimited(_)
            | ApiError::AuthRateLimited(_)
            | ApiError::SignatureRateLimited(_)
            | ApiError::WriteRateLimited(_)
            | ApiError::InFlight => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy | ApiError::ReceivingBusy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::UnsupportedMediaType | ApiError::UnsupportedEncoding(..) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::CrossSite => StatusCode::FORBIDDEN,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable word for this error (`not_found`, `validation_failed`, …).
    pub fn code(&self) -> &'static str {
        self.problem().code
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let (code, title, detail) = match self {
            ApiError::Unauthorized => (
                "unauthorized",
                "Unauthorized",
                "Send `Authorization: Bearer <key>` with a key of the shop the path names (by its slug, \
                 in lower case), from the console's API keys page (or `lookout key create SLUG`)."
                    .to_string(),
            ),
            ApiError::BadSignature => (
                "unauthorized",
                "Unauthorized",
                "`X-Shopify-Hmac-Sha256` must be the base64 HMAC-SHA256 of the raw body under the shop's \
                 signing key: the key Shopify shows under its webhooks, saved on the console's Shopify page \
                 (or with `lookout shop rotate-secret SLUG --secret KEY`; see docs/shopify.md)."
                    .to_string(),
            ),
            ApiError::NotFound => (
                "not_found",
                "Not found",
                "No order matches this order number and email address.".to_string(),
            ),
            ApiError::NoOrder => (
                "not_found",
                "Not found",
                "No order with this number at this shop.".to_string(),
            ),
            ApiError::NoEndpoint => (
                "not_found",
                "Not found",
                "No API endpoint has this path (in a path an order number's `#` is written `%23`); the API \
                 is described at `/api/v1/openapi.json`."
                    .to_string(),
            ),
            ApiError::MethodNotAllowed => (
                "method_not_allowed",
                "Method not allowed",
                "This endpoint does not answer this method; `Allow` lists the methods it answers.".to_string(),
            ),
            ApiError::Validation(errors) => (
                "validation_failed",
                "Invalid request",
                // Said of a lookup as of a write: nothing changed either way.
                match errors.len() {
                    1 => "1 field is invalid; see `errors`. Nothing was changed.".to_string(),
                    n => format!("{n} fields are invalid; see `errors`. Nothing was changed."),
                },
            ),
            ApiError::TooLarge => (
                "body_too_large",
                "Body too large",
                "The body is larger than the limit for this endpoint. Nothing was changed.".to_string(),
            ),
            ApiError::Stale => (
                "stale_update",
                "Stale update",
                "The stored order has a newer `updated_at` than this body. Nothing changed.".to_string(),
            ),
            ApiError::RateLimited(secs) => (
                "rate_limited",
                "Too many attempts",
                format!("Too many failed lookups. Try again in {secs} seconds."),
            ),
            ApiError::AuthRateLimited(secs) => (
                "rate_limited",
                "Too many attempts",
                format!("Too many failed API key checks from this address. Try again in {secs} seconds."),
            ),
            ApiError::SignatureRateLimited(secs) => (
                "rate_limited",
                "Too many attempts",
                format!(
                    "Too many deliveries with a wrong signature from this address to this shop. \
                     Try again in {secs} seconds."
                ),
            ),
            ApiError::WriteRateLimited(secs) => (
                "rate_limited",
                "Too many attempts",
                format!("Too many writes with this API key. Nothing was changed. Try again in {secs} seconds."),
            ),
            ApiError::InFlight => (
                "rate_limited",
                "Too many attempts",
                "Too many requests in flight from this address. Try again in a moment.".to_string(),
            ),
            ApiError::Busy => (
                "busy",
                "Busy",
                "Too many API keys are being checked right now. Try again in a moment.".to_string(),
            ),
            ApiError::ReceivingBusy => (
                "busy",
                "Busy",
                "Too many webhook deliveries are being received right now. Try again in a moment.".to_string(),
            ),
            ApiError::UnsupportedMediaType => (
                "unsupported_media_type",
                "Unsupported media type",
                "Send the body as JSON with `Content-Type: application/json`.".to_string(),
            ),
            ApiError::UnsupportedEncoding(header, value) => (
                "unsupported_media_type",
                "Unsupported media type",
                format!(
                    "The body is sent with {}, which is not accepted: send it uncompressed, without \
                     `Content-Encoding` (and with no `Transfer-Encoding` but `chunked`). Nothing was changed.",
                    value
                        .as_deref()
                        .map_or_else(|| format!("a `{header}`"), |v| format!("`{header}: {v}`"))
                ),
            ),
            ApiError::CrossSite => (
                "cross_site",
                "Cross-site request refused",
                "This form can only be sent from its own page, not from another site.".to_string(),
            ),
            ApiError::Unavailable => (
                "unavailable",
                "Temporarily unavailable",
                "The order database is unavailable right now. Please try again in a moment.".to_string(),
            ),
            ApiError::Internal(_) => (
                "internal_error",
                "Internal error",
                "Something went wrong on our side. It has been logged.".to_string(),
            ),
        };
        Problem {
            kind: format!("/problems/{code}"),
            code,
            title,
            status: self.status_code().as_u16(),
            detail,
            errors: match self {
                ApiError::Validation(errors) => Some(errors.clone()),
                // The contract's "422 (or 413) and a field-level list": the field is the body.
                ApiError::TooLarge => Some(vec![FieldError::new(
                    "body",
                    "too_large",
                    "The body is larger than the limit for this endpoint.",
                )]),
                _ => None,
            },
        }
    }
}

/// A lookup's outcome as a problem; its status and `Retry-After` are the ones
/// [`LookupError::http_status`] gives (tested below).
impl From<LookupError> for ApiError {
    fn from(e: LookupError) -> Self {
        match e {
            LookupError::NotFound => ApiError::NotFound,
            LookupError::Invalid(errors) => ApiError::Validation(errors),
            LookupError::RateLimited { retry_after_secs } => ApiError::RateLimited(retry_after_secs),
            LookupError::Unavailable => ApiError::Unavailable,
        }
    }
}

impl From<app::store::StoreError> for ApiError {
    fn from(e: app::store::StoreError) -> Self {
        match e {
            app::store::StoreError::Stale => ApiError::Stale,
            app::store::StoreError::Invalid(errors) => ApiError::Validation(errors),
            // The database cannot be reached: the client may retry, and nothing was written.
            e if e.is_unavailable() => {
                tracing::warn!(error = %e, "database unavailable");
                ApiError::Unavailable
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let status = self.status_code();
        let body = serde_json::to_vec(&self.problem()).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match &self {
            ApiError::RateLimited(secs)
            | ApiError::AuthRateLimited(secs)
            | ApiError::SignatureRateLimited(secs)
            | ApiError::WriteRateLimited(secs) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*secs));
            }
            ApiError::InFlight => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(1u64));
            }
            ApiError::Busy | ApiError::ReceivingBusy => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_BUSY_SECS));
            }
            ApiError::Unavailable => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_UNAVAILABLE_SECS));
            }
            _ => {}
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lookup_outcome_has_the_same_status_and_wait_on_every_path() {
        for outcome in [
            LookupError::NotFound,
            LookupError::Invalid(vec![FieldError::new("email", "email_invalid", "x")]),
            LookupError::RateLimited { retry_after_secs: 42 },
            LookupError::Unavailable,
        ] {
            let (status, retry_after) = outcome.http_status();
            let response = ApiError::from(outcome).into_response();
            assert_eq!(response.status(), status);
            let header = response
                .headers()
                .get(header::RETRY_AFTER)
                .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
            assert_eq!(header, retry_after, "{status}");
        }
    }
}
