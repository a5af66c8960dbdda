//! Bodies held before their sender is known. A webhook is authenticated by the
//! HMAC of its whole body, so the body (up to 1 MiB) is received before anyone
//! knows who sent it. The per-client allowance bounds what one address can make
//! the server hash; this bounds what all of them together can make it hold: a
//! body takes room for as many bytes as its `Content-Length` says (the most
//! allowed when it says none) before a byte of it is read, all at once, and
//! holds it until the signature is checked. All at once, because bodies that
//! each took room part by part as they arrived would, in a flood, each hold a
//! part and wait for room that none of them would give back (measured: 59
//! answers a second instead of 755, most of them 503). A sender that stalls
//! holds its room for at most [`BODY_DEADLINE`]. When there is no room within
//! `patience`, the delivery is answered 503 `busy` having read nothing.
//!
//! Bodies of at most [`SMALL_BODY`] (Shopify's deliveries are a few KiB) take
//! room apart, in an eighth as much again: the room is first come, first
//! served, so without that, large bodies waiting for room, or holding it,
//! would keep small ones out.

use crate::problem::ApiError;
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Bytes of unsigned bodies held at once unless configured.
pub const DEFAULT_BYTES: usize = 64 << 20;

/// How long a delivery waits for room unless configured.
pub const PATIENCE: Duration = Duration::from_secs(2);

/// How long an unsigned body may take to arrive: Shopify waits five seconds for
/// an answer, so a sender slower than this is not Shopify.
pub const BODY_DEADLINE: Duration = Duration::from_secs(10);

/// The largest body that takes room among the small ones.
pub const SMALL_BODY: usize = 64 << 10;

/// The room that unsigned bodies share, counted in bytes: for large bodies and
/// for small ones.
pub struct UnsignedBodies {
    large: Arc<Semaphore>,
    small: Arc<Semaphore>,
    bytes: usize,
    patience: Duration,
    deadline: Duration,
}

/// Room held for one body; given back when dropped.
pub struct Room {
    _held: OwnedSemaphorePermit,
}

impl UnsignedBodies {
    /// Room for `bytes` of bodies at once (at least one body of the most any
    /// endpoint allows, 1 MiB), and an eighth of that again (at least sixteen
    /// bodies' worth) for bodies of at most [`SMALL_BODY`]; a body waits at
    /// most `patience` for room.
    pub fn new(bytes: usize, patience: Duration) -> UnsignedBodies {
        let large = bytes.clamp(app::order::MAX_BODY_BYTES, Semaphore::MAX_PERMITS / 2);
        let small = (large / 8).max(16 * SMALL_BODY);
        UnsignedBodies {
            large: Arc::new(Semaphore::new(large)),
            small: Arc::new(Semaphore::new(small)),
            bytes: large + small,
            patience,
            deadline: BODY_DEADLINE,
        }
    }

    /// The same room, with another deadline for a whole body (for tests).
    pub fn with_deadline(mut self, deadline: Duration) -> UnsignedBodies {
        self.deadline = deadline;
        self
    }

    /// The default room, with the default patience.
    pub fn standard() -> UnsignedBodies {
        UnsignedBodies::new(DEFAULT_BYTES, PATIENCE)
    }

    /// Reads `body` (at most `limit` bytes) into memory once room for it is
    /// taken. A `Content-Length` over `limit` is 413 before anything is read,
    /// and so is a body that grows past it; one that takes longer than the
    /// deadline ([`BODY_DEADLINE`] unless set), the wait for room included, is
    /// refused as too slow.
    pub async fn read(&self, headers: &HeaderMap, body: Body, limit: usize) -> Result<(Bytes, Room), ApiError> {
        let announced = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > limit as u64) {
            return Err(ApiError::TooLarge);
        }
        let bytes = announced.map_or(limit, |n| usize::try_from(n).unwrap_or(limit));
        tokio::time::timeout(self.deadline, self.receive(body, bytes))
            .await
            .map_err(|_| too_slow(self.deadline))?
    }

    /// Takes room for `bytes` (at most the room, see `new`), then reads at most that.
    async fn receive(&self, body: Body, bytes: usize) -> Result<(Bytes, Room), ApiError> {
        let n = u32::try_from(bytes).map_err(|_| ApiError::TooLarge)?;
        let room = if bytes <= SMALL_BODY { &self.small } else { &self.large };
        let held = tokio::time::timeout(self.patience, room.clone().acquire_many_owned(n))
            .await
            .map_err(|_| ApiError::ReceivingBusy)?
            .map_err(|_| ApiError::ReceivingBusy)?;
        let body = crate::api::body::read(body, bytes).await?;
        Ok((body, Room { _held: held }))
    }

    /// Bytes of room held now (for tests and metrics).
    pub fn held_bytes(&self) -> usize {
        self.bytes - self.large.available_permits() - self.small.available_permits()
    }
}

fn too_slow(deadline: Duration) -> ApiError {
    ApiError::Validation(vec![app::errors::FieldError::new(
        "body",
        "too_slow",
        format!("The body did not arrive within {:.1} seconds.", deadline.as_secs_f64()),
    )])
}
