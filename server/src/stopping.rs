//! Stopping: the signals that stop the server, and whether it has been told
//! to. From the first stop signal, `/readyz` answers 503 `stopping` (also
//! through a `--stop-delay-secs` in which everything else is still served),
//! so that a load balancer takes the server out of rotation before it stops
//! accepting connections; a second signal ends the process at once.

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

    /// Waits for the first stop signal, begins the stop, and returns after
    /// `delay` (served on meanwhile, not ready). From the first signal on, a
    /// second ends the process at once (exit 1): an operator who will not
    /// wait, for the delay or the stop's bounded waits (up to 35 s); each
    /// order is then whole or absent, as after a crash.
    pub async fn after_signal(&self, mut signals: StopSignals, delay: std::time::Duration) {
        signals.next().await;
        self.begin();
        tokio::spawn(async move {
            signals.next().await;
            tracing::warn!("stopped at once, on a second signal");
            std::process::exit(1);
        });
        if !delay.is_zero() {
            tracing::info!(
                delay_secs = delay.as_secs(),
                "stop signal: /readyz says 503 while requests are still served for the stop delay; \
                 a second signal stops at once"
            );
            tokio::time::sleep(delay).await;
        }
        tracing::info!("stopping: a second signal stops at once");
    }
}

/// What stops the server: Ctrl-C, SIGTERM, or SIGHUP (its terminal closed;
/// the server has no configuration to read again, so a hang-up stops it as
/// SIGTERM does, draining, rather than killing it mid-request). Listened for
/// from the moment this is made, so that a signal sent as soon as the server
/// says where it listens is not the default's sudden end.
pub struct StopSignals {
    /// Interrupt (Ctrl-C), terminate, hang up; none where they cannot be listened for.
    #[cfg(unix)]
    kinds: [Option<tokio::signal::unix::Signal>; 3],
}

impl StopSignals {
    pub fn listen() -> StopSignals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let kinds =
                [SignalKind::interrupt(), SignalKind::terminate(), SignalKind::hangup()].map(|kind| signal(kind).ok());
            StopSignals { kinds }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    /// The next stop signal.
    pub async fn next(&mut self) {
        #[cfg(unix)]
        {
            async fn one(signal: &mut Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            let [interrupt, terminate, hangup] = &mut self.kinds;
            tokio::select! { _ = one(interrupt) => {}, _ = one(terminate) => {}, _ = one(hangup) => {} }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
