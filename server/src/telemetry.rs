//! Logging set-up, in one place, and what every request's log lines carry: its
//! id, its method and the route it matched (never its path).

use axum::extract::MatchedPath;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

static FORMAT: std::sync::OnceLock<LogFormat> = std::sync::OnceLock::new();

/// Whether log lines are JSON (then nothing else is written as text).
pub fn is_json() -> bool {
    FORMAT.get() == Some(&LogFormat::Json)
}

/// Installs the global subscriber on stderr, level from `RUST_LOG` (default
/// `info`). Every line of a request carries its span: request id, method, route.
pub fn init(format: LogFormat) {
    let _ = FORMAT.set(format);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // Colours only for a person at a terminal, not in files and collectors.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        // A log whose reader went away (`2>&1 | head`, a collector that
        // stopped) loses its lines; the server goes on. Told of the failure,
        // the subscriber would say so on stderr with `eprintln!`, which panics
        // when that is closed, ending the request being served.
        .log_internal_errors(false)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
    };
}

/// How an answer the server failed is logged: at error level, but for 503,
/// which the server answers on purpose (a stopping server's readiness, a
/// busy gate, a database that is away: each said once where it is decided)
/// and which a flood or a load balancer's polling would otherwise repeat
/// into error lines.
pub fn answer_failed(
    failure: tower_http::classify::ServerErrorsFailureClass,
    latency: std::time::Duration,
    _span: &tracing::Span,
) {
    use tower_http::classify::ServerErrorsFailureClass;
    let latency_ms = latency.as_millis();
    match failure {
        ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE) => {
            tracing::debug!(latency_ms, "answered 503")
        }
        failure => tracing::error!(classification = %failure, latency_ms, "response failed"),
    }
}

/// A request's id: 16 random hex digits, made here for every request (an id a
/// client sends is replaced, so nothing a client chooses reaches the logs).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Gives every request an id, puts it on every log line of the request (through
/// the request span) and returns it in `X-Request-Id`.
pub async fn request_id(mut req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let id = format!("{:016x}", rand::random::<u64>());
    req.extensions_mut().insert(RequestId(id.clone()));
    if let Ok(value) = HeaderValue::from_str(&id) {
        req.headers_mut().insert(REQUEST_ID, value.clone());
        let mut res = next.run(req).await;
        res.headers_mut().insert(REQUEST_ID, value);
        res
    } else {
        next.run(req).await
    }
}

/// The route template a request matched (`/track/{shop}`), or `unmatched`: what logs
/// and metrics name a request by, never its concrete path.
pub fn route_template<B>(req: &axum::http::Request<B>) -> &str {
    req.extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
}

/// A request span with its id, the method and the matched route template
/// (`/api/v1/shops/{shop}/orders/{order_number}`), never the concrete path:
/// merchant paths hold order numbers, which stay out of logs.
pub fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let route = route_template(req);
    let id = req.extensions().get::<RequestId>().map_or("", |r| r.0.as_str());
    // A made-up method is `other`, as in the metrics: its length is the client's.
    let method = crate::metrics::method_label(req.method());
    tracing::info_span!("request", request_id = id, method, route)
}
