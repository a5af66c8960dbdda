//! Slow clients are cut off, one client cannot hold every connection, and
//! made-up request methods cannot grow the metrics.

use crate::common;

use common::{lookout_command, lookout_ok, ServerProcess, TestApp, TestDb};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn connect(base: &str) -> TcpStream {
    let stream = TcpStream::connect(base.trim_start_matches("http://")).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream
}

/// Reads until the server closes the connection (or the read times out).
fn read_to_close(stream: &mut TcpStream) -> String {
    let mut out = vec![];
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn a_client_that_dribbles_its_headers_is_cut_off_and_one_that_stalls_its_body_gets_408() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["shop", "create", "alpha", "--name", "Alpha"]);
    let server = ServerProcess::start(
        lookout_command(&db.url),
        &["--header-timeout-secs", "1", "--request-timeout-secs", "2"],
    );

    // Headers that never end: the connection is closed after about a second.
    let mut slow = connect(&server.base);
    let started = Instant::now();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
    let answer = read_to_close(&mut slow);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(10),
        "{took:?}"
    );
    assert!(!answer.contains("200 OK"), "{answer}");

    // The start of HTTP/2's preface, or all of it and no request, then
    // nothing: closed as well (the first was held open for good before).
    let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0";
    for sent in [&preface[..1], &preface[..]] {
        let mut stalled = connect(&server.base);
        let started = Instant::now();
        stalled.write_all(sent).unwrap();
        let _ = read_to_close(&mut stalled);
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(10),
            "{} bytes: {took:?}",
            sent.len()
        );
    }

    // A body that never arrives: 408 when the request's time is up.
    let mut stalled = connect(&server.base);
    let started = Instant::now();
    stalled
        .write_all(
            b"POST /api/v1/shops/alpha/lookup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"email\":",
        )
        .unwrap();
    let answer = read_to_close(&mut stalled);
    let took = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let head = answer.to_ascii_lowercase();
    for header in [
        "cache-control: no-store",
        "x-content-type-options: nosniff",
        "x-frame-options: deny",
        "frame-ancestors 'none'",
    ] {
        assert!(head.contains(header), "{header}: {answer}");
    }
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(15),
        "{took:?}"
    );

    // Meanwhile, and afterwards, the server answers.
    let mut ok = connect(&server.base);
    ok.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    assert!(read_to_close(&mut ok).starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn made_up_methods_share_one_metrics_label() {
    let app = TestApp::spawn().await;
    for n in 0..50 {
        let method = reqwest::Method::from_bytes(format!("MADEUP{n}").as_bytes()).unwrap();
        let _ = app.client.request(method, app.url("/healthz")).send().await.unwrap();
    }
    let metrics = app.get_text("/metrics").await;
    assert!(!metrics.contains("MADEUP"), "no series per made-up method");
    assert!(metrics.contains("method=\"other\""));
}

/// A connection to `addr` from the loopback address `from` (any 127.x.y.z is this host).
async fn connect_from(from: &str, addr: std::net::SocketAddr) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    socket.connect(addr).await.expect("connect")
}

/// True when the server closes `stream` within 3 s (a refused connection is
/// closed as it is accepted; a held one, after the 10 s header timeout).
async fn closed(stream: &mut tokio::net::TcpStream) -> bool {
    use tokio::io::AsyncReadExt;
    let mut byte = [0u8; 1];
    matches!(
        tokio::time::timeout(Duration::from_secs(3), stream.read(&mut byte)).await,
        Ok(Ok(0) | Err(_))
    )
}

async fn healthz_from(from: &str, addr: std::net::SocketAddr) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = connect_from(from, addr).await;
    let _ = stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    let mut answer = String::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut answer)).await;
    matches!(read, Ok(Ok(_))) && answer.starts_with("HTTP/1.1 200")
}

#[tokio::test]
async fn one_client_holds_its_share_of_connections_and_no_more() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["migrate"]);
    let server = ServerProcess::start(lookout_command(&db.url), &["--max-connections-per-client", "20"]);
    let addr: std::net::SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    // A burst of 200 connections from one address, each sending nothing.
    let mut held: Vec<tokio::net::TcpStream> =
        futures::future::join_all((0..200).map(|_| connect_from("127.0.0.1", addr))).await;
    // All looked at together: a connection that sends nothing is closed after
    // the header timeout (10 s) anyway.
    let open = futures::future::join_all(held.iter_mut().map(closed))
        .await
        .into_iter()
        .filter(|closed| !closed)
        .count();
    assert_eq!(open, 20, "the client's share is held; the rest were closed");
    // Another client is served meanwhile; this one is not.
    assert!(healthz_from("127.0.0.2", addr).await);
    assert!(!healthz_from("127.0.0.1", addr).await);
    // Its places come back as its connections close.
    drop(held);
    let end = Instant::now() + Duration::from_secs(5);
    while !healthz_from("127.0.0.1", addr).await {
        assert!(Instant::now() < end, "the client's places did not come back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A Shopify delivery that cannot be written within the request's time (the
/// database's write lock is held by another connection) is answered 408. Once
/// the lock goes, its change is made and so is its row in the console's list
/// of deliveries, though no handler is waiting for either any more.
#[tokio::test]
async fn a_delivery_answered_408_still_makes_its_change_and_its_record() {
    let app = TestApp::spawn_configured(|state| state.with_request_timeout(Duration::from_secs(1))).await;
    let mut holder = common::shopify::orders_held(&app).await;
    let order = serde_json::from_str(common::shopify::ORDER).unwrap();
    let (status, answer) = common::shopify::deliver(&app, "alpha", "orders/create", "w-408", &order).await;
    assert_eq!(status, 408, "{answer}");
    sqlx::raw_sql("ROLLBACK").execute(&mut holder).await.unwrap();

    let shop = app.store.shop("alpha").await.unwrap().expect("alpha");
    let released = Instant::now();
    loop {
        let deliveries = app.store.deliveries(shop.id).await.unwrap();
        if let Some(delivery) = deliveries.first() {
            assert_eq!(
                (delivery.topic.as_str(), delivery.outcome.as_str()),
                ("orders/create", "applied")
            );
            break;
        }
        assert!(
            released.elapsed() < Duration::from_secs(15),
            "a delivery answered 408 left no row in the console's list"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let order = app.store.order(shop.id, "9999").await.unwrap();
    assert!(order.is_some(), "a delivery answered 408 made no change");
}

/// HTTP/2 puts many requests on one connection: one client has no more in
/// flight than it may have connections, so that requests whose bodies never
/// end (or answers it never reads) cannot hold a handler, a buffer or a
/// compressor each without a bound. Past its share, a request is answered 429
/// at once; the places come back as its streams end.
#[tokio::test]
async fn one_client_holds_its_share_of_requests_in_flight_over_http2() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["demo"]);
    let server = ServerProcess::start(lookout_command(&db.url), &["--max-connections-per-client", "4"]);
    let addr = server.base.trim_start_matches("http://").to_string();
    let tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (client, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(connection);
    let mut client = client.ready().await.unwrap();
    // Ten form posts on one connection, none finishing its body.
    let mut answers = vec![];
    let mut bodies = vec![];
    for _ in 0..10 {
        let request = axum::http::Request::post(format!("http://{addr}/track/demo"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(())
            .unwrap();
        let (answer, mut body) = client.send_request(request, false).unwrap();
        body.send_data(axum::body::Bytes::from_static(b"email=ada"), false)
            .unwrap();
        answers.push(answer);
        bodies.push(body);
        client = client.ready().await.unwrap();
    }
    let mut refused = 0;
    let mut waiting = vec![];
    for answer in answers {
        match tokio::time::timeout(Duration::from_secs(2), answer).await {
            Ok(Ok(res)) => {
                assert_eq!(res.status(), 429);
                assert_eq!(res.headers()["retry-after"], "1");
                assert_eq!(res.headers()["content-type"], "application/problem+json");
                refused += 1;
            }
            Ok(Err(e)) => panic!("{e}"),
            Err(_) => waiting.push(()),
        }
    }
    assert_eq!(
        (waiting.len(), refused),
        (4, 6),
        "its share waits for its bodies; the rest are refused"
    );
    // The stalled requests end (their streams reset): the places come back.
    drop(bodies);
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        let request = axum::http::Request::get(format!("http://{addr}/healthz"))
            .body(())
            .unwrap();
        let (answer, _) = client.send_request(request, true).unwrap();
        if answer.await.unwrap().status() == 200 {
            break;
        }
        assert!(Instant::now() < end, "the client's places did not come back");
        tokio::time::sleep(Duration::from_millis(50)).await;
        client = client.ready().await.unwrap();
    }
}
