//! The connection loop: accepts TCP connections and serves the router over
//! HTTP/1.1 or HTTP/2 with deadlines that slow clients cannot stretch (the first
//! request within the header timeout of connecting, every later HTTP/1 request's
//! headers within as long; HTTP/2 connections pinged and their streams bounded), at most `MAX_CONNECTIONS`
//! connections at once (more wait in the kernel's backlog), at most so many of
//! them from one client (`peers`; more are closed at once), as many requests
//! in flight from one client as it may have connections (HTTP/2 puts many on
//! one; more are answered 429 at once), a connection closed once an answer has
//! waited longer than the send timeout for its client to take its next piece
//! (`sending`), and a graceful stop that lets requests in flight finish.

use crate::peers::{PeerRules, Peers};
use crate::sending::{Sending, Socket};
use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::time::Duration;
use tower::ServiceExt;

/// How long a client may take to send a request's headers, unless configured.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long clients may take: to send a request's headers, and to take the
/// next piece of an answer (`sending`).
#[derive(Clone, Copy, Debug)]
pub struct Times {
    pub header: Duration,
    pub send: Duration,
}

impl Default for Times {
    fn default() -> Self {
        Times {
            header: HEADER_TIMEOUT,
            send: crate::sending::SEND_TIMEOUT,
        }
    }
}

/// Connections served at once; past this, new ones wait to be accepted.
pub const MAX_CONNECTIONS: usize = 10_000;

/// Streams one HTTP/2 connection may have open at once: more than a page
/// loads at once (the page, its stylesheet, script and WebAssembly).
const MAX_STREAMS: u32 = 32;

/// What one connection may have received and not yet handed on: an HTTP/1
/// connection's read buffer (hyper's default is about 400 KiB; one read may
/// fill the buffer's whole capacity, which can be a little more), and
/// each HTTP/2 stream's flow-control window (HTTP/2's own default; hyper's is
/// 1 MiB). The HTTP/2 connection's window stays at hyper's 1 MiB, room for
/// sixteen streams' windows, so that a few streams whose bodies wait cannot
/// stall the others. Bodies are read on from there as handlers take them, so a
/// connection whose body no handler wants, or wants yet, holds no more than
/// this however large the body.
const MAX_BUFFERED: usize = 64 << 10;
const H2_STREAM_WINDOW: u32 = 65_535;

/// Serves `router` on `listener` until `shutdown` completes, then waits for the
/// requests in flight (at most [`DRAIN_WITHIN`]), with `peer_rules` for connections per client. Handlers
/// see the peer as `ConnectInfo<SocketAddr>`.
pub async fn run(
    listener: tokio::net::TcpListener,
    router: Router,
    times: Times,
    peer_rules: PeerRules,
    shutdown: impl Future<Output = ()>,
) {
    // Requests in flight, held from the request's arrival until its answer's
    // body is sent or dropped, share for share as connections: an HTTP/1
    // connection has one at a time, but an HTTP/2 client that reads no answer
    // (a flow-control window of zero) would otherwise keep up to
    // MAX_STREAMS answers, their compressors with them, on each connection.
    let (header_timeout, send_timeout) = (times.header, times.send);
    let in_flight = Peers::new(peer_rules.clone());
    let peers = Peers::new(peer_rules);
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(MAX_BUFFERED);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(MAX_STREAMS)
        .initial_stream_window_size(H2_STREAM_WINDOW)
        .keep_alive_interval(header_timeout)
        .keep_alive_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(peer_slot) = peers.admit(peer.ip()) else {
            // Closed at once: its client holds its share of connections already.
            metrics::counter!("lookout_connections_refused_total").increment(1);
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (router, in_flight) = (router.clone(), in_flight.clone());
        // Told when the connection's first request has arrived.
        let requested = std::sync::Arc::new(tokio::sync::Notify::new());
        let asked = requested.clone();
        // The connection's answers, each watched until its client has taken it.
        let sending = std::sync::Arc::new(Sending::on_socket(std::os::fd::AsRawFd::as_raw_fd(&stream)));
        let answers = sending.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            asked.notify_one();
            req.extensions_mut().insert(ConnectInfo(peer));
            let (router, place) = (router.clone(), in_flight.admit(peer.ip()));
            let answers = answers.clone();
            async move {
                let Some(place) = place else {
                    return Ok::<_, std::convert::Infallible>(too_many_in_flight().map(|body| answers.watch(body, ())));
                };
                let response = router.oneshot(req).await?;
                // The place is the body's: given back when the body is dropped.
                Ok(response.map(|body| answers.watch(body, place)))
            }
        });
        let (builder, watcher) = (builder.clone(), graceful.watcher());
        tokio::spawn(async move {
            let _slots = (slot, peer_slot);
            // The first request must arrive within the header timeout of the
            // connection's start. hyper has no deadline of its own before it
            // knows the protocol (the first bytes, HTTP/2's preface) nor, on
            // HTTP/2, before the first request: such a connection is closed here.
            let deadline = tokio::time::Instant::now() + header_timeout;
            let mut first = [0u8; 1];
            match tokio::time::timeout_at(deadline, stream.peek(&mut first)).await {
                Ok(Ok(n)) if n > 0 => {}
                _ => return,
            }
            let connection =
                builder.serve_connection_with_upgrades(TokioIo::new(Socket::new(stream, sending.clone())), service);
            // A client that went away or timed out is not the server's error.
            let connection = watcher.watch(connection);
            tokio::pin!(connection);
            tokio::select! {
                // In this order: a request that arrived as the deadline came is served.
                biased;
                _ = &mut connection => return,
                () = requested.notified() => {}
                () = tokio::time::sleep_until(deadline) => return,
            }
            // Served until it ends, or until an answer has waited too long for
            // its client: dropped then, and what its answers hold goes with it,
            // with a reset, so that the kernel drops what it holds unsent too.
            let every = (send_timeout / 4).max(Duration::from_millis(250));
            loop {
                tokio::select! {
                    biased;
                    _ = &mut connection => return,
                    () = tokio::time::sleep(every) => {
                        if sending.stalled(tokio::time::Instant::now(), send_timeout) {
                            sending.reset_on_close();
                            metrics::counter!("lookout_connections_stalled_total").increment(1);
                            tracing::debug!(?send_timeout, "closed a connection whose client took no more of an answer in time");
                            return;
                        }
                    }
                }
            }
        });
    }
    drop(listener);
    // A client that never finishes its request, or never reads its answer,
    // does not keep the server from stopping: writes its requests began go on
    // without them (`Store::close` waits for those).
    if tokio::time::timeout(DRAIN_WITHIN, graceful.shutdown()).await.is_err() {
        tracing::warn!("stopped waiting for connections still open after {DRAIN_WITHIN:?}; they end with the process");
    }
}

/// The answer to a request beyond its client's share of requests in flight:
/// a problem document (429, `Retry-After: 1`), given before the router, so
/// counted here (`lookout_requests_refused_total`) and given its own headers.
fn too_many_in_flight() -> axum::response::Response {
    use axum::response::IntoResponse;
    metrics::counter!("lookout_requests_refused_total").increment(1);
    let mut response = crate::problem::ApiError::InFlight.into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// How long a stopping server waits for the requests in flight to be answered.
pub const DRAIN_WITHIN: Duration = Duration::from_secs(10);
