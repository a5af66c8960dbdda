//! Reading request bodies with a limit that answers 413 as a problem.

use crate::problem::ApiError;
use axum::body::{Body, Bytes};

/// Reads at most `limit` bytes; more is `TooLarge`, a broken stream is a validation error.
pub async fn read(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok(bytes),
        Err(e) => {
            let too_large = std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            if too_large {
                Err(ApiError::TooLarge)
            } else {
                Err(ApiError::Validation(vec![app::errors::FieldError::new(
                    "body",
                    "unreadable",
                    "The request body could not be read.",
                )]))
            }
        }
    }
}
