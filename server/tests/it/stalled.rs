//! A client that takes none of its answers (an HTTP/2 window it never opens)
//! has its connections closed once an answer has waited the send timeout, and
//! what the answers held (their requests' places in flight) goes with them; a
//! client that takes its answer slowly but steadily gets it whole, however
//! long it takes in all.

use crate::common;

use axum::body::Bytes;
use common::{lookout_command, lookout_ok, ServerProcess, TestDb};
use std::time::{Duration, Instant};

type Connection = tokio::task::JoinHandle<Result<(), h2::Error>>;

/// An HTTP/2 connection to `addr` whose streams' windows start at `window`.
async fn connect(addr: &str, window: u32) -> (h2::client::SendRequest<Bytes>, Connection) {
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (client, connection) = h2::client::Builder::new()
        .initial_window_size(window)
        .handshake(tcp)
        .await
        .expect("handshake");
    (client, tokio::spawn(connection))
}

async fn get(client: &mut h2::client::SendRequest<Bytes>, addr: &str, path: &str) -> h2::client::ResponseFuture {
    let request = axum::http::Request::get(format!("http://{addr}{path}"))
        .body(())
        .unwrap();
    let ready = client.clone().ready().await.expect("ready");
    *client = ready;
    client.send_request(request, true).expect("send").0
}

/// Waits for each connection to end: when, or `None` if still open after 15 s.
async fn closed_at(connections: Vec<Connection>) -> Vec<Option<Instant>> {
    futures::future::join_all(connections.into_iter().map(|connection| async move {
        tokio::time::timeout(Duration::from_secs(15), connection)
            .await
            .ok()
            .map(|_| Instant::now())
    }))
    .await
}

#[tokio::test]
async fn connections_whose_clients_take_nothing_are_closed_after_the_send_timeout() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["demo"]);
    let timeout = Duration::from_secs(3);
    let server = ServerProcess::start(
        lookout_command(&db.url),
        &["--send-timeout-secs", "3", "--max-connections-per-client", "200"],
    );
    let addr = server.base.trim_start_matches("http://").to_string();
    // A burst: 50 connections of 4 page requests each, no window for any answer.
    let started = Instant::now();
    let mut clients = vec![];
    let mut connections = vec![];
    let mut answers = vec![];
    for _ in 0..50 {
        let (mut client, connection) = connect(&addr, 0).await;
        for _ in 0..4 {
            answers.push(get(&mut client, &addr, "/track/demo").await);
        }
        clients.push(client);
        connections.push(connection);
    }
    // Every answer's head arrives (the window holds back bodies only); each
    // body waits, and with it its request's place: the client's 200 are taken.
    let mut bodies = vec![];
    for answer in answers {
        let answer = answer.await.expect("an answer");
        assert_eq!(answer.status(), 200);
        bodies.push(answer.into_body());
    }
    let (mut probe, _probe_connection) = connect(&addr, 65_535).await;
    let refused = get(&mut probe, &addr, "/healthz").await.await.expect("an answer");
    let burst = started.elapsed();
    assert!(burst < timeout, "the burst took longer than the timeout: {burst:?}");
    assert_eq!(refused.status(), 429, "the client's places in flight are all held");
    // Each connection is closed once its answers have waited the timeout, not before.
    for closed in closed_at(connections).await {
        let closed = closed.expect("a connection whose client takes nothing is still open");
        assert!(
            closed >= started + timeout,
            "closed {:?} after its answers",
            closed - started
        );
    }
    for mut body in bodies {
        assert!(
            body.data().await.is_none_or(|data| data.is_err()),
            "no byte of a body was sent"
        );
    }
    // Their places came back; the answers were counted.
    let healthz = get(&mut probe, &addr, "/healthz").await.await.expect("an answer");
    assert_eq!(healthz.status(), 200);
    assert_eq!(stalled(&server).await, 50.0, "each connection counted once");
}

/// `lookout_connections_stalled_total` as `server` tells it.
async fn stalled(server: &ServerProcess) -> f64 {
    server.metric("lookout_connections_stalled_total").await
}

/// A server with the demo shop and its order #2001 of 300 items (a view of
/// some 100 KiB), run with `args`.
async fn with_large_order(args: &[&str]) -> (ServerProcess, TestDb) {
    let db = TestDb::new();
    lookout_ok(&db.url, &["demo"]);
    let key = lookout_ok(&db.url, &["key", "create", "demo"]);
    let key = key.lines().last().expect("a key line").trim().to_string();
    let server = ServerProcess::start(lookout_command(&db.url), args);
    let put = reqwest::Client::new()
        .put(format!("{}/api/v1/shops/demo/orders/%232001", server.base))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body(crate::large_pages::large_order())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    (server, db)
}

/// The JSON lookup of Ada's order `number` on `client`: its answer's head.
async fn look_up(
    client: h2::client::SendRequest<Bytes>,
    addr: &str,
    number: &str,
) -> axum::http::Response<h2::RecvStream> {
    let request = axum::http::Request::post(format!("http://{addr}/api/v1/shops/demo/lookup"))
        .header("content-type", "application/json")
        .body(())
        .unwrap();
    let mut client = client.ready().await.expect("ready");
    let (answer, mut body) = client.send_request(request, false).expect("send");
    let asked = serde_json::json!({"email": "ada@example.com", "order_number": number});
    body.send_data(Bytes::from(asked.to_string()), true)
        .expect("send the body");
    let answer = answer.await.expect("an answer");
    assert_eq!(answer.status(), 200);
    answer
}

#[tokio::test]
async fn a_client_that_takes_its_answer_slowly_but_steadily_gets_it_whole() {
    let (server, _db) = with_large_order(&["--send-timeout-secs", "1"]).await;
    let addr = server.base.trim_start_matches("http://").to_string();
    // The answer taken 4 KiB at a time at 48 KiB a second: a piece of it asked
    // for every third of a second, the whole taking longer than the timeout.
    let (client, _connection) = connect(&addr, 4096).await;
    let started = Instant::now();
    let mut body = look_up(client, &addr, "#2001").await.into_body();
    let mut taken = vec![];
    while let Some(data) = body.data().await {
        let data = data.expect("the answer goes on");
        tokio::time::sleep(Duration::from_secs_f64(data.len() as f64 / (48.0 * 1024.0))).await;
        let _ = body.flow_control().release_capacity(data.len());
        taken.extend_from_slice(&data);
    }
    assert!(
        started.elapsed() > Duration::from_secs(1),
        "taken within the timeout: {:?}",
        started.elapsed()
    );
    let view: serde_json::Value = serde_json::from_slice(&taken).expect("the whole answer");
    assert_eq!(
        view["line_items"].as_array().map(Vec::len),
        Some(300),
        "{} bytes",
        taken.len()
    );
}

/// A window of one byte: the connection may hand on a piece, never the whole
/// answer, however small (its last byte goes alone), so the answer still
/// waits where it is watched.
#[tokio::test]
async fn a_client_that_opens_its_window_a_crack_is_closed_too() {
    let (server, _db) = with_large_order(&["--send-timeout-secs", "1"]).await;
    let addr = server.base.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let mut connections = vec![];
    let mut bodies = vec![];
    // The large order's answer (some 100 KiB) and a small one's (a few KiB).
    for number in ["#2001", "#1001"] {
        let (client, connection) = connect(&addr, 1).await;
        let mut body = look_up(client, &addr, number).await.into_body();
        let first = body.data().await.expect("a byte").expect("no failure");
        assert_eq!(first.len(), 1);
        connections.push(connection);
        bodies.push(body);
    }
    for closed in closed_at(connections).await {
        let closed = closed.expect("a connection that took one byte of an answer is still open");
        assert!(
            closed >= started + Duration::from_secs(1),
            "closed {:?} after its answer",
            closed - started
        );
    }
    assert_eq!(stalled(&server).await, 2.0);
}

/// `count` lookups of #2001 sent at once on one HTTP/1.1 connection with a
/// receive buffer of 4 KiB: the connection.
async fn pipelined(server: &ServerProcess, count: usize) -> tokio::net::TcpStream {
    let addr: std::net::SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    let asked = r##"{"email":"ada@example.com","order_number":"#2001"}"##;
    let request = format!(
        "POST /api/v1/shops/demo/lookup HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{asked}",
        asked.len()
    );
    tokio::io::AsyncWriteExt::write_all(&mut stream, request.repeat(count).as_bytes())
        .await
        .unwrap();
    stream
}

/// HTTP/1.1 requests sent one after another and read slowly: the kernel
/// lets the server's write through only once much of its buffer is free
/// (megabytes on loopback), but what it sends on meanwhile counts.
#[tokio::test]
async fn a_client_that_sends_requests_on_and_reads_slowly_is_served() {
    let (server, _db) = with_large_order(&["--send-timeout-secs", "1"]).await;
    // Some 6 MB of answers, read 4 KiB at a time at about 64 KiB a second
    // for five times the timeout.
    let mut stream = pipelined(&server, 60).await;
    let (started, mut taken) = (Instant::now(), 0);
    let mut buffer = [0u8; 4096];
    while started.elapsed() < Duration::from_secs(5) {
        let read = tokio::io::AsyncReadExt::read(&mut stream, &mut buffer).await.unwrap();
        assert!(read > 0, "closed after {taken} bytes, {:?}", started.elapsed());
        taken += read;
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    assert!(taken > 100_000, "{taken} bytes");
    assert_eq!(stalled(&server).await, 0.0);
}

/// HTTP/1.1 requests sent one after another and never read: the answers go
/// whole into the kernel's buffers and the connection's own, where no answer
/// is watched, until the socket takes nothing more; that wait counts.
#[tokio::test]
async fn a_client_that_sends_requests_on_and_reads_nothing_is_closed_too() {
    let (server, _db) = with_large_order(&["--send-timeout-secs", "1"]).await;
    // Some 6 MB of answers asked for, more than the kernel holds on loopback.
    let started = Instant::now();
    let mut stream = pipelined(&server, 60).await;
    let end = Instant::now() + Duration::from_secs(20);
    while stalled(&server).await == 0.0 {
        assert!(
            Instant::now() < end,
            "a connection whose client reads nothing is still open"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(started.elapsed() >= Duration::from_secs(1), "closed before the timeout");
    // Ended with a reset: the megabytes the kernel held for it are gone, not
    // offered still to a client that may keep its end open for good.
    let (mut taken, mut buffer) = (0, vec![0u8; 64 << 10]);
    let ended = loop {
        match tokio::io::AsyncReadExt::read(&mut stream, &mut buffer).await {
            Ok(0) => break None,
            Ok(read) => taken += read,
            Err(e) => break Some(e.kind()),
        }
    };
    assert_eq!(ended, Some(std::io::ErrorKind::ConnectionReset), "after {taken} bytes");
    assert!(taken < 1 << 20, "{taken} bytes still sent after the close");
}
