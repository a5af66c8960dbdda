//! Readiness (`/readyz`): whether this server should be sent requests. Not
//! while it is stopping, nor while its database does not answer.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// How long `/readyz` waits for the database.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// `GET /readyz`: 200 `ready`, or 503 `stopping` or `database unavailable`.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    // A load balancer takes a stopping server out of rotation, whatever its database says.
    if state.stopping.is_set() {
        return (StatusCode::SERVICE_UNAVAILABLE, "stopping");
    }
    let store = &state.store;
    let why_not = match tokio::time::timeout(READY_TIMEOUT, store.readiness()).await {
        Ok(readiness) => readiness.err(),
        Err(_) => Some(format!("no answer from the database within {READY_TIMEOUT:?}")),
    };
    // Said in the log when it changes (why, when it stops; that it is back):
    // the answer itself says nothing of the database.
    static WAS_READY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);
    let was_ready = WAS_READY.swap(why_not.is_none(), std::sync::atomic::Ordering::Relaxed);
    match (&why_not, was_ready) {
        (None, false) => tracing::info!("ready again: the database answers"),
        (Some(why), true) => tracing::warn!(%why, "not ready"),
        _ => {}
    }
    match why_not {
        None => (StatusCode::OK, "ready"),
        Some(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}
