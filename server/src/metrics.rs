//! Prometheus metrics (`GET /metrics`): requests by route and status with
//! latency histograms, lookups by outcome, ingest by source and outcome,
//! rate-limited lookups, and database pool use. Labels never carry personal
//! data: routes are templates (`/track/{shop}`), never concrete paths.

use app::limits::LookupLimits;
use app::store::Store;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::Instant;
use tower_http::timeout::TimeoutLayer;

/// Latency buckets, in seconds: fine below 10 ms, where lookups live.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The process's Prometheus recorder, installed on first use; None if another
/// recorder was installed first.
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".to_string()), BUCKETS)
                .ok()?
                .install_recorder()
                .ok()
        })
        .as_ref()
}

/// Counts every request by route template, method and status, and times it.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = crate::router::route_template(&req).to_string();
    let method = method_label(req.method());
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("lookout_http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("lookout_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

/// A request method as a label: one of a fixed set, so that made-up methods
/// cannot create new series.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts one write of an order by where it came from and what became of it.
pub fn ingest(source: &'static str, outcome: &'static str) {
    metrics::counter!("lookout_ingest_total", "source" => source, "outcome" => outcome).increment(1);
}

/// The router of a listener that serves metrics alone (`serve --metrics-addr`):
/// `GET /metrics`, and 404 for every other path.
pub fn router(state: crate::AppState) -> Router {
    let timeout = state.request_timeout;
    Router::new()
        .route("/metrics", get(render))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found: this address serves /metrics only\n") })
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .with_state(state)
}

/// `GET /metrics` in Prometheus' text format.
pub async fn render(State(store): State<Store>, State(limits): State<Arc<LookupLimits>>) -> Response {
    for (table, (keys, forced)) in ["client", "order", "email", "auth", "webhook"]
        .into_iter()
        .zip(limits.held_keys())
    {
        metrics::gauge!("lookout_limiter_keys", "table" => table).set(keys as f64);
        metrics::counter!("lookout_limiter_forced_out_total", "table" => table).absolute(forced);
    }
    let pool = store.pool_status();
    metrics::gauge!("lookout_db_pool_connections", "state" => "idle").set(pool.idle as f64);
    metrics::gauge!("lookout_db_pool_connections", "state" => "in_use").set(pool.in_use as f64);
    metrics::gauge!("lookout_db_pool_max_connections").set(f64::from(pool.max));
    if let Some(bytes) = store.wal_bytes() {
        metrics::gauge!("lookout_sqlite_wal_bytes").set(bytes as f64);
    }
    match handle() {
        Some(handle) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
            handle.render(),
        )
            .into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "metrics recorder unavailable").into_response(),
    }
}
