//! What pages of found orders may hold while they are made and sent.
//!
//! A shopper's lookup answered as a page (the form posted without WebAssembly,
//! the island's part of the page, `/api/track-html`) reads the order's stored
//! view, parses it and renders it: about three times the view's bytes while
//! the page is made and compressed, held until its bytes are sent. The largest
//! order the limits allow has a view of about half a megabyte, so two hundred
//! such pages asked at once took some 400 MB. A view of [`LARGE`] bytes or
//! more therefore takes a place weighing its bytes (in KiB) before it is
//! parsed: at most [`RUNNING`] bytes of such views are made and sent at once,
//! and at most [`ADMITTED`] are admitted in all (made, or waiting their turn
//! with their view read); a page beyond that, or one that waited [`PATIENCE`],
//! is answered "unavailable, try again" (503 with `Retry-After`) without being
//! made. One client (an address, as the limits count them) holds at most
//! half the running bytes at once (any one view when it holds none), and is
//! turned away at once beyond that, so that a client asking for one large
//! order's page in a loop leaves room for every other shopper's. Views under
//! [`LARGE`] (every order of a few dozen items) take no place: the
//! connections' caps bound them, and an answer held unread by its client
//! holds none of the places.

use crate::errors::LookupError;
use crate::limits::Client;
use crate::shares::{Share, Shares};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The smallest view that takes a place: 64 KiB.
pub const LARGE: usize = 64 * 1024;
/// The bytes of views made and sent at once: 4 MiB (seven of the largest).
pub const RUNNING: usize = 4 * 1024 * 1024;
/// The bytes of views admitted at once, made or waiting: 12 MiB.
pub const ADMITTED: usize = 12 * 1024 * 1024;
/// How long a page waits for its place before it is answered "unavailable".
pub const PATIENCE: Duration = Duration::from_secs(3);

/// The places (see the module's notes), counted in KiB of views.
pub struct Renders {
    running: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
    /// The most one view weighs: all of [`Renders::running`].
    most: u32,
    /// The KiB each client holds now, at most half of [`Renders::most`] (an
    /// entry only while it holds some: no more entries than places admitted).
    held: Shares<Client>,
    large: usize,
    patience: Duration,
}

/// A page's place, given back when dropped (with the answer's body).
#[derive(Debug)]
pub struct Place {
    _running: Option<OwnedSemaphorePermit>,
    _share: Option<Share<Client>>,
    _admitted: Option<OwnedSemaphorePermit>,
}

/// No place came in time, or too many pages wait: try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl Default for Renders {
    fn default() -> Renders {
        Renders::new(LARGE, RUNNING, ADMITTED, PATIENCE)
    }
}

impl Renders {
    /// Places for views of `large` bytes or more: `running` bytes of them at
    /// once, `admitted` in all (at least `running`).
    pub fn new(large: usize, running: usize, admitted: usize, patience: Duration) -> Renders {
        let running = kib(running).max(1);
        let admitted = kib(admitted).max(running);
        Renders {
            running: Arc::new(Semaphore::new(running as usize)),
            admitted: Arc::new(Semaphore::new(admitted as usize)),
            most: running,
            held: Shares::new((running / 2).max(1)),
            large,
            patience,
        }
    }

    /// The KiB a view of `bytes` weighs: none under the threshold, else its
    /// size rounded up, at most all the running places.
    pub fn weight(&self, bytes: usize) -> u32 {
        match bytes < self.large {
            true => 0,
            false => kib(bytes).clamp(1, self.most),
        }
    }

    /// A place for `client`'s page of a view of `bytes`, once there is room.
    pub async fn enter(&self, bytes: usize, client: Client) -> Result<Place, Busy> {
        let weight = self.weight(bytes);
        if weight == 0 {
            return Ok(Place {
                _running: None,
                _share: None,
                _admitted: None,
            });
        }
        let admitted = self.admitted.clone().try_acquire_many_owned(weight).map_err(|_| Busy)?;
        let share = self.held.take(client, weight).ok_or(Busy)?;
        let running = tokio::time::timeout(self.patience, self.running.clone().acquire_many_owned(weight))
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        Ok(Place {
            _running: Some(running),
            _share: Some(share),
            _admitted: Some(admitted),
        })
    }

    /// The clients holding places now (for tests).
    pub fn clients(&self) -> usize {
        self.held.owners()
    }

    /// [`Renders::enter`] for a lookup's answer: "unavailable" (503, try again)
    /// when busy, counted (and logged at `debug`: a flood of them would
    /// otherwise write a line each).
    pub async fn place_for(&self, view: &crate::view::StoredView, client: Client) -> Result<Place, LookupError> {
        self.enter(view.as_str().len(), client).await.map_err(|Busy| {
            tracing::debug!(
                bytes = view.as_str().len(),
                "a large order's page was turned away: as many large pages were being made"
            );
            metrics::counter!("lookout_renders_busy_total").increment(1);
            LookupError::Unavailable
        })
    }

    /// The KiB of views being made and sent now (for tests).
    pub fn running_kib(&self) -> u32 {
        self.most - self.running.available_permits() as u32
    }
}

/// `bytes` in KiB, rounded up (at most `u32::MAX`).
fn kib(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests;
