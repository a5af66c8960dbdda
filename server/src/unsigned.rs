//! Bodies held before their sender is known. A webhook is authenticated by the
//! HMAC of its whole body, so the body (up to 1 MiB) is received before anyone
//! knows who sent it. The per-client allowance bounds what one address can make
//! the server hold; this bounds what all of them together can: a delivery
//! reserves room for its body (as many bytes as its `Content-Length` says, or the
//! most allowed when it says none) before a byte of it is read, and keeps it
//! until its signature is checked. When there is no room within `patience`, it
//! is answered 503 `busy` having read nothing.

use crate::problem::ApiError;
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Bytes of unsigned bodies held at once unless configured.
pub const DEFAULT_BYTES: usize = 64 << 20;

/// Room is counted in KiB, so that a semaphore's `u32` permits reach far enough.
const UNIT: usize = 1024;

/// The room that unsigned bodies share.
pub struct UnsignedBodies {
    room: Arc<Semaphore>,
    units: usize,
    patience: Duration,
}

/// Room reserved for one body; given back when dropped.
pub struct Room {
    _reserved: OwnedSemaphorePermit,
}

impl UnsignedBodies {
    /// Room for `bytes` of bodies at once (at least one body of the most any
    /// endpoint allows, 1 MiB), waiting at most `patience` for it.
    pub fn new(bytes: usize, patience: Duration) -> UnsignedBodies {
        let units = bytes
            .div_ceil(UNIT)
            .clamp(app::order::MAX_BODY_BYTES / UNIT, u32::MAX as usize >> 1);
        UnsignedBodies {
            room: Arc::new(Semaphore::new(units)),
            units,
            patience,
        }
    }

    /// The default room, with two seconds' patience.
    pub fn standard() -> UnsignedBodies {
        UnsignedBodies::new(DEFAULT_BYTES, Duration::from_secs(2))
    }

    /// Reads `body` (at most `limit` bytes) into memory once room for it is
    /// reserved. A `Content-Length` over `limit` is 413 before anything is read.
    pub async fn read(&self, headers: &HeaderMap, body: Body, limit: usize) -> Result<(Bytes, Room), ApiError> {
        let announced = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let bytes = match announced {
            Some(n) if n > limit as u64 => return Err(ApiError::TooLarge),
            Some(n) => usize::try_from(n).unwrap_or(limit),
            None => limit,
        };
        let units = u32::try_from(bytes.div_ceil(UNIT).clamp(1, self.units)).unwrap_or(u32::MAX);
        let permit = tokio::time::timeout(self.patience, self.room.clone().acquire_many_owned(units))
            .await
            .map_err(|_| ApiError::ReceivingBusy)?
            .map_err(|_| ApiError::ReceivingBusy)?;
        // Never more than reserved, whatever the header said.
        let body = crate::api::body::read(body, bytes.min(limit)).await?;
        Ok((body, Room { _reserved: permit }))
    }

    /// Bytes of room reserved now (for tests and metrics).
    pub fn held_bytes(&self) -> usize {
        (self.units - self.room.available_permits()) * UNIT
    }
}
