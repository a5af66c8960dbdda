//! Compression of answers: brotli or gzip, as the request accepts, by
//! tower-http's compressor (its choice of coding and of what is worth
//! compressing).
//!
//! A text answer (a page, JSON, a script), whatever its size (every page and
//! every document the server renders is finished before it is answered), is
//! compressed whole before it is sent, so that its compressor is gone by
//! then: a client that holds answers without reading them (an HTTP/2 window
//! of zero) holds each one's compressed bytes, not a brotli compressor's
//! buffers (about 0.6 MiB for a page, several MiB for the island's part of a
//! large order's page: `bench/abuse.sh held`). Any other kind (a stream of
//! events would never end; WebAssembly without its compressed copies) is
//! compressed as it is sent.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use std::convert::Infallible;
use tower::{Layer, ServiceExt};
use tower_http::compression::CompressionLayer;

/// Compresses `req`'s answer whole when it is text, and leaves any other kind
/// to [`streaming`] (outside this middleware).
pub async fn whole(req: Request, next: Next) -> Response {
    let accept = req.headers().get(header::ACCEPT_ENCODING).cloned();
    let response = next.run(req).await;
    let Some(accept) = accept else {
        return response;
    };
    if !is_text(response.headers()) || response.headers().contains_key(header::CONTENT_ENCODING) {
        return response;
    }
    match compressed(response, accept).await {
        Ok(response) => response,
        // The body failed while it was read (nothing the server renders does):
        // what it held is gone, so the answer is an error.
        Err(e) => {
            tracing::error!(error = %e, "an answer's body failed while it was compressed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Whether an answer is text the server made, read whole before it is sent: a
/// page, JSON, a script, a stylesheet; not a stream of events (which may never
/// end) or an image.
fn is_text(headers: &HeaderMap) -> bool {
    let Some(kind) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let kind = kind.trim_start().to_ascii_lowercase();
    let made = [
        "application/json",
        "application/problem+json",
        "application/javascript",
        "image/svg+xml",
    ];
    (kind.starts_with("text/") && !kind.starts_with("text/event-stream")) || made.iter().any(|m| kind.starts_with(m))
}

/// The compressor for answers [`whole`] leaves as they are.
pub fn streaming() -> CompressionLayer {
    CompressionLayer::new()
}

/// `response` as tower-http's compressor answers it to a request that accepts
/// `accept`, its body read to the end.
async fn compressed(response: Response, accept: HeaderValue) -> Result<Response, axum::Error> {
    compressed_by(streaming(), response, accept).await
}

/// `response` as `compressor` answers it to a request that accepts `accept`,
/// its body read to the end (also how the widget's scripts get their
/// compressed copies, at the best level: `assets::Representations`).
pub async fn compressed_by(
    compressor: CompressionLayer,
    response: Response,
    accept: HeaderValue,
) -> Result<Response, axum::Error> {
    let mut once = Some(response);
    let source = tower::service_fn(move |_: Request| {
        let response = once.take().unwrap_or_default();
        async move { Ok::<_, Infallible>(response) }
    });
    let mut request = Request::new(Body::empty());
    request.headers_mut().insert(header::ACCEPT_ENCODING, accept);
    let Ok(response) = compressor.layer(source).oneshot(request).await;
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.map_err(axum::Error::new)?.to_bytes();
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use axum::Router;
    use std::io::Read;

    /// Text of `len` bytes that compresses (a page's repetitions, not noise).
    fn text(len: usize) -> String {
        "<li>Wool socks, grey, size M</li>\n"
            .chars()
            .cycle()
            .take(len)
            .collect()
    }

    fn router() -> Router {
        let stream = || async {
            let chunks =
                ["<html>", "<body>", &text(4000), "</body></html>"].map(|c| Ok::<_, Infallible>(c.to_string()));
            (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                Body::from_stream(futures::stream::iter(chunks)),
            )
        };
        // A stream of events that never ends.
        let events = || async {
            let endless = futures::stream::repeat_with(|| Ok::<_, Infallible>("data: tick\n\n".to_string()));
            (
                [(header::CONTENT_TYPE, "text/event-stream")],
                Body::from_stream(endless),
            )
        };
        Router::new()
            .route("/small", get(|| async { text(10_000) }))
            .route("/large", get(|| async { text(LARGE) }))
            .route("/stream", get(stream))
            .route(
                "/wasm",
                get(|| async { ([(header::CONTENT_TYPE, "application/wasm")], text(LARGE)) }),
            )
            .route("/events", get(events))
            .layer(axum::middleware::from_fn(whole))
            .layer(streaming())
    }

    async fn fetch(path: &str, accept: Option<&str>) -> (Response, Vec<u8>) {
        let mut request = Request::builder().uri(path);
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT_ENCODING, accept);
        }
        let request = request.body(Body::empty()).expect("request");
        let response = router().oneshot(request).await.expect("answer");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes().to_vec();
        (Response::from_parts(parts, Body::empty()), bytes)
    }

    fn unbrotli(bytes: &[u8]) -> String {
        let mut text = String::new();
        brotli_decompressor::Decompressor::new(bytes, 4096)
            .read_to_string(&mut text)
            .expect("brotli");
        text
    }

    fn header_of(response: &Response, name: header::HeaderName) -> Option<&str> {
        response.headers().get(name).and_then(|v| v.to_str().ok())
    }

    /// A text answer larger than the island's part of the largest order's page.
    const LARGE: usize = 900 * 1024;

    #[tokio::test]
    async fn text_answers_of_any_size_are_compressed_whole() {
        for (path, plain) in [
            ("/small", text(10_000)),
            ("/large", text(LARGE)),
            ("/stream", format!("<html><body>{}</body></html>", text(4000))),
        ] {
            let (response, bytes) = fetch(path, Some("gzip;q=0.5, br")).await;
            assert_eq!(header_of(&response, header::CONTENT_ENCODING), Some("br"), "{path}");
            assert_eq!(header_of(&response, header::VARY), Some("accept-encoding"), "{path}");
            // Whole: its length is known before it is sent.
            let length = bytes.len().to_string();
            assert_eq!(
                header_of(&response, header::CONTENT_LENGTH),
                Some(length.as_str()),
                "{path}"
            );
            assert!(bytes.len() < plain.len() / 4, "{path}: {} bytes", bytes.len());
            assert_eq!(unbrotli(&bytes), plain, "{path}");
        }
    }

    #[tokio::test]
    async fn a_stream_of_events_is_never_read_whole() {
        let request = Request::builder()
            .uri("/events")
            .header(header::ACCEPT_ENCODING, "br")
            .body(Body::empty())
            .expect("request");
        let answer = tokio::time::timeout(std::time::Duration::from_secs(5), router().oneshot(request)).await;
        let response = answer.expect("answered before its body ends").expect("answer");
        assert_eq!(header_of(&response, header::CONTENT_LENGTH), None);
    }

    #[tokio::test]
    async fn other_kinds_are_compressed_as_they_are_sent() {
        let (response, bytes) = fetch("/wasm", Some("br")).await;
        assert_eq!(header_of(&response, header::CONTENT_ENCODING), Some("br"));
        assert_eq!(header_of(&response, header::CONTENT_LENGTH), None, "as it is sent");
        assert_eq!(unbrotli(&bytes), text(LARGE));
    }

    #[tokio::test]
    async fn answers_go_as_they_are_to_a_client_that_accepts_no_coding() {
        for accept in [None, Some("identity"), Some("br;q=0, gzip;q=0")] {
            let (response, bytes) = fetch("/small", accept).await;
            assert_eq!(header_of(&response, header::CONTENT_ENCODING), None, "{accept:?}");
            assert_eq!(String::from_utf8(bytes).expect("text"), text(10_000), "{accept:?}");
        }
    }
}
