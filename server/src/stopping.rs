//! Whether the server has been told to stop: from the first stop signal,
//! `/readyz` answers 503 `stopping` (also through a `--stop-delay-secs` in
//! which everything else is still served), so that a load balancer takes the
//! server out of rotation before it stops accepting connections.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Shared by the router's state and the code that waits for stop signals.
#[derive(Clone, Default)]
pub struct Stopping(Arc<AtomicBool>);

impl Stopping {
    /// From now on the server is stopping (there is no way back).
    pub fn begin(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`Stopping::begin`] was called.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
