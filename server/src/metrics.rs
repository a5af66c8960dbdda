//! Prometheus metrics (`GET /metrics`): requests by route and status with
//! latency histograms, lookups by outcome, ingest by source and outcome,
//! rate-limited lookups, and database pool use. Labels never carry personal
//! data: routes are templates (`/track/{shop}`), never concrete paths. The
//! public address serves only the series that say nothing of one person
//! ([`PUBLIC`]); `--metrics-addr` serves them all.

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

/// Gives the counters whose series are fixed a value of 0 from the start
/// (without changing one counted already), so that a fresh server's
/// `/metrics` lists them: an alert on `rate()` or `absent()` then sees the
/// series before its first event.
pub fn start_at_zero() {
    for outcome in [
        "found",
        "not_found",
        "invalid",
        "rate_limited",
        "unavailable",
        "abandoned",
    ] {
        metrics::counter!("lookout_lookups_total", "outcome" => outcome).increment(0);
    }
    for name in [
        "lookout_rate_limited_total",
        "lookout_connections_refused_total",
        "lookout_connections_stalled_total",
        "lookout_requests_refused_total",
        "lookout_tally_dropped_total",
        "lookout_key_hashes_total",
        "lookout_renders_busy_total",
    ] {
        metrics::counter!(name).increment(0);
    }
    // Writes of orders by source: what becomes of a good one, and the
    // refusals an alert watches for (a key revoked, a signature wrong after
    // a secret was changed, a platform sending what is not valid).
    const REFUSED: [&str; 4] = ["unauthorized", "validation_failed", "rate_limited", "unavailable"];
    let api = ["created", "replaced", "stale_update"];
    let shopify = crate::api::webhooks::Outcome::ALL;
    for (source, outcomes) in [("api", &api[..]), ("shopify", &shopify[..])] {
        for outcome in outcomes.iter().chain(&REFUSED) {
            metrics::counter!("lookout_ingest_total", "source" => source, "outcome" => *outcome).increment(0);
        }
    }
    for warning in app::limits::ProxyWarning::ALL {
        metrics::counter!("lookout_proxy_warnings_total", "reason" => warning.label()).increment(0);
    }
    // Mail, counted without telling one kind of request from another.
    for outcome in ["handled", "failed", "retry", "later"] {
        metrics::counter!("lookout_mail_total", "outcome" => outcome).increment(0);
    }
}

/// Counts every request by route template, method and status, and times it.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = crate::telemetry::route_template(&req).to_string();
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

/// What `/metrics` holds on the public address (without `--metrics-addr`):
/// counts that answer nobody's question about a person. Left out there, and
/// served on the metrics address only: mail and link requests (when a send
/// is counted tells a sent link from an address without orders), the
/// limiters' tables (whether an address already has a key in them), the
/// SQLite write-ahead log's size (a link made writes more than none).
const PUBLIC: &[&str] = &[
    "lookout_http_requests_total",
    "lookout_http_request_duration_seconds",
    "lookout_lookups_total",
    "lookout_rate_limited_total",
    "lookout_ingest_total",
    "lookout_key_hashes_total",
    "lookout_db_pool_connections",
    "lookout_db_pool_max_connections",
    "lookout_connections_refused_total",
    "lookout_connections_stalled_total",
    "lookout_requests_refused_total",
    "lookout_proxy_warnings_total",
    "lookout_lookup_replica_behind",
    "lookout_lookup_replica_lag_seconds",
    "lookout_lookup_primary_reads_total",
];

/// `GET /metrics` on the metrics address: every series.
pub async fn render(state: State<Store>, limits: State<Arc<LookupLimits>>) -> Response {
    scrape(state, limits, |text| text)
}

/// `GET /metrics` on the public address: the [`PUBLIC`] series only.
pub async fn render_public(state: State<Store>, limits: State<Arc<LookupLimits>>) -> Response {
    scrape(state, limits, |text| public_only(&text))
}

/// Routes whose counts are left out of the public families too, as their
/// samples' `route` label reads: a link in a mail is fetched (mail scanners
/// fetch links at once) only when a mail went, that is when the address has
/// orders or an account.
const PRIVATE_ROUTES: &[&str] = &[
    r#"route="/track/{shop}/o/{token}""#,
    r#"route="/track/{shop}/o/{token}/forget""#,
    r#"route="/console/password/{token}""#,
];

/// The lines of a Prometheus text of the [`PUBLIC`] families (a histogram's
/// `_bucket`, `_sum` and `_count` with it), without the samples of the
/// [`PRIVATE_ROUTES`].
fn public_only(text: &str) -> String {
    let public = |name: &str| {
        PUBLIC.iter().any(|family| {
            name.strip_prefix(family)
                .is_some_and(|rest| matches!(rest, "" | "_bucket" | "_sum" | "_count"))
        })
    };
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let name = match line.strip_prefix("# ") {
            // `# HELP name …`, `# TYPE name kind`
            Some(comment) => comment.split_whitespace().nth(1).unwrap_or(""),
            None => line.split(['{', ' ']).next().unwrap_or(""),
        };
        let private_route = PRIVATE_ROUTES.iter().any(|label| line.contains(label));
        if public(name) && !private_route {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Sets the gauges read at scrape time, then renders every series through `shown`.
fn scrape(
    State(store): State<Store>,
    State(limits): State<Arc<LookupLimits>>,
    shown: impl FnOnce(String) -> String,
) -> Response {
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
            shown(handle.render()),
        )
            .into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "metrics recorder unavailable").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::public_only;

    #[test]
    fn the_public_text_holds_the_public_families_whole_and_no_other() {
        let text = "# HELP lookout_mail_total x\n# TYPE lookout_mail_total counter\n\
            lookout_mail_total{outcome=\"handled\"} 3\n\n\
            # TYPE lookout_http_request_duration_seconds histogram\n\
            lookout_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.001\"} 1\n\
            lookout_http_request_duration_seconds_sum{route=\"/healthz\"} 0.0002\n\
            lookout_http_request_duration_seconds_count{route=\"/healthz\"} 1\n\
            lookout_sqlite_wal_bytes 4120\n\
            lookout_lookups_total{outcome=\"found\"} 2\n\
            lookout_http_requests_total{route=\"/track/{shop}/o/{token}\",method=\"GET\",status=\"200\"} 1\n\
            lookout_http_request_duration_seconds_count{route=\"/console/password/{token}\"} 1\n\
            lookout_lookups_total_extra 1\n\
            lookout_db_pool_max_connections 4\n";
        assert_eq!(
            public_only(text),
            "# TYPE lookout_http_request_duration_seconds histogram\n\
             lookout_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.001\"} 1\n\
             lookout_http_request_duration_seconds_sum{route=\"/healthz\"} 0.0002\n\
             lookout_http_request_duration_seconds_count{route=\"/healthz\"} 1\n\
             lookout_lookups_total{outcome=\"found\"} 2\n\
             lookout_db_pool_max_connections 4\n"
        );
    }
}
