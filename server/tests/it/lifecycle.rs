//! A real `lookout serve` process through the hard moments: SIGTERM with a
//! request in flight, SIGKILL in the middle of ingest, and (on PostgreSQL) the
//! database going away and coming back.

use crate::common;

use common::own_postgres::OwnPostgres;
use common::{lookout_command, lookout_ok, ServerProcess, TestDb, EXAMPLE};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A shop `nordlys` with a key; returns the key.
fn shop_with_key(db: &str) -> String {
    lookout_ok(db, &["shop", "create", "nordlys", "--name", "Nordlys"]);
    let key = lookout_ok(db, &["key", "create", "nordlys"]);
    key.lines().last().expect("a key").trim().to_string()
}

fn order_body(n: usize) -> String {
    let mut order: Value = serde_json::from_str(EXAMPLE).unwrap();
    order["order_number"] = Value::from(format!("#{n}"));
    order["email"] = Value::from(format!("shopper{n}@example.com"));
    order.to_string()
}

#[tokio::test]
async fn sigterm_finishes_the_request_in_flight_then_exits_cleanly() {
    let db = TestDb::new();
    let key = shop_with_key(&db.url);
    let mut server = ServerProcess::start(lookout_command(&db.url), &[]);
    let addr = server.base.trim_start_matches("http://").to_string();

    // Start a PUT and send only half of its body.
    let body = order_body(1001);
    let (first, rest) = body.as_bytes().split_at(body.len() / 2);
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "PUT /api/v1/shops/nordlys/orders/1001 HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(first).await.unwrap();
    // Time for the server to take the connection and start reading the request.
    tokio::time::sleep(Duration::from_secs(1)).await;

    server.signal("TERM");
    // New connections are no longer taken (once the signal is handled)...
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = reqwest::Client::new()
            .get(format!("{}/healthz", server.base))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        if answer.is_err() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "new requests were still served 10 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // ...but the request in flight completes.
    conn.write_all(rest).await.unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");

    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not exit after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status}");

    // The order is there, whole.
    let again = ServerProcess::start(lookout_command(&db.url), &[]);
    assert_eq!(again.lookup("nordlys", "shopper1001@example.com", "#1001").await, 200);
}

/// A server (no request timeout to speak of) with one client that began a
/// request a second ago and will never finish it: its database, the server and
/// the client's connection.
async fn serving_a_request_that_never_ends() -> (TestDb, ServerProcess, tokio::net::TcpStream) {
    let db = TestDb::new();
    let key = shop_with_key(&db.url);
    let server = ServerProcess::start(lookout_command(&db.url), &["--request-timeout-secs", "3600"]);
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "PUT /api/v1/shops/nordlys/orders/1001 HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"order"
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    (db, server, conn)
}

/// A client that began a request and never finishes it (no request timeout
/// to end it) does not keep the server from stopping.
#[tokio::test]
async fn sigterm_stops_the_server_past_a_request_that_never_ends() {
    let (_db, mut server, conn) = serving_a_request_that_never_ends().await;
    let stopping = Instant::now();
    server.signal("TERM");
    let limit = server::serve::DRAIN_WITHIN + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(stopping.elapsed() < limit, "still running {limit:?} after SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "exit status {status}");
    println!("stopped {:?} after SIGTERM", stopping.elapsed());
    drop(conn);
}

/// An operator who will not wait for the stop's bounded waits sends the
/// signal again: the process ends at once, with a failure code.
#[tokio::test]
async fn a_second_sigterm_stops_at_once() {
    let (_db, mut server, conn) = serving_a_request_that_never_ends().await;
    server.signal("TERM");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the first signal waits for the request"
    );
    let again = Instant::now();
    server.signal("TERM");
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            again.elapsed() < Duration::from_secs(5),
            "still running after a second SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status.code(), Some(1), "exit status {status}");
    drop(conn);
}

#[tokio::test]
async fn sigkill_during_ingest_leaves_every_order_whole_or_absent() {
    let db = TestDb::new();
    let key = shop_with_key(&db.url);
    let server = ServerProcess::start(lookout_command(&db.url), &[]);
    let client = reqwest::Client::new();

    // Eight writers PUT orders as fast as they can until the server dies.
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..8 {
        let (client, base, key) = (client.clone(), server.base.clone(), key.clone());
        writers.spawn(async move {
            let mut sent = vec![];
            for i in 0..10_000 {
                let n = 100_000 + w * 10_000 + i;
                sent.push(n);
                let res = client
                    .put(format!("{base}/api/v1/shops/nordlys/orders/{n}"))
                    .bearer_auth(&key)
                    .body(order_body(n))
                    .send()
                    .await;
                if res.is_err() {
                    break;
                }
            }
            sent
        });
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.signal("KILL");
    let mut attempted = vec![];
    while let Some(sent) = writers.join_next().await {
        attempted.extend(sent.unwrap());
    }
    drop(server);

    // Restart on the same database; every attempted order is whole or absent.
    let _again = ServerProcess::start(lookout_command(&db.url), &[]);
    let store = app::store::Store::connect(&db.url).await.unwrap();
    let shop = store.shop("nordlys").await.unwrap().unwrap();
    let mut whole = 0;
    for n in &attempted {
        let key = n.to_string();
        let merchants = store.order(shop.id, &key).await.unwrap();
        let shoppers = store
            .shopper_view("nordlys", &key, &format!("shopper{n}@example.com"))
            .await
            .unwrap();
        let projected = merchants.as_ref().map(|o| app::view::StoredView::of(o).unwrap());
        assert_eq!(projected, shoppers, "#{n}: the merchant's read and the lookup disagree");
        if let Some(order) = merchants {
            let expected = app::order::parse_order(order_body(*n).as_bytes()).unwrap().into_inner();
            assert_eq!(order, expected, "#{n} is not whole");
            whole += 1;
        }
    }
    assert!(whole > 0, "no order was written before the kill");
    assert_eq!(store.order_count(shop.id).await.unwrap(), whole);
    eprintln!("{} orders attempted, {whole} whole, the rest absent", attempted.len());
}

#[tokio::test]
async fn a_postgresql_outage_answers_503_and_service_recovers_by_itself() {
    if common::postgres_admin_url().is_none() {
        eprintln!("skipped: runs in the PostgreSQL pass of scripts/test.sh");
        return;
    }
    let pg = OwnPostgres::start();
    let url = pg.url();
    lookout_ok(&url, &["demo"]);
    // Readiness's changes are logged at info (its module only: the log is read at the end).
    let mut cmd = lookout_command(&url);
    cmd.env("RUST_LOG", "warn,server::health=info");
    let mut server = ServerProcess::start(cmd, &[]);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let lookup = || async {
        client
            .post(format!("{}/api/v1/shops/demo/lookup", server.base))
            .json(&serde_json::json!({"email": "ada@example.com", "order_number": "#1001"}))
            .send()
            .await
            .expect("an answer, not a hang")
    };
    let page = || async {
        client
            .post(format!("{}/track/demo", server.base))
            .form(&[("email", "ada@example.com"), ("order_number", "#1001")])
            .send()
            .await
            .expect("an answer, not a hang")
    };
    let ready = || async {
        client
            .get(format!("{}/readyz", server.base))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(lookup().await.status(), 200);
    assert_eq!(ready().await, 200);

    pg.ctl("stop");
    let started = Instant::now();
    let res = lookup().await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["retry-after"], "5");
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "unavailable", "{problem}");
    let res = page().await;
    assert_eq!(res.status(), 503);
    let html = res.text().await.unwrap();
    assert!(html.contains("try again"), "a friendly message: {html}");
    assert!(
        !html.contains("sqlx")
            && !html.contains("error returned from database")
            && !html.contains("Connection refused")
    );
    // The page cannot read the shop's language: it speaks the browser's.
    let res = client
        .get(format!("{}/track/demo", server.base))
        .header("accept-language", "de-DE,de;q=0.9")
        .send()
        .await
        .expect("an answer, not a hang");
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["retry-after"], "5", "the page says when to try again");
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"lang="de""#), "{html}");
    assert!(html.contains("gleich noch einmal"), "{html}");
    assert_eq!(ready().await, 503);
    // Each answer waits at most the pool's 2 s acquire timeout.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answers came quickly: {:?}",
        started.elapsed()
    );
    // The widget's page, and the server function a page loaded before asks
    // for the shop: 503 and when to try again, not a 500.
    let embed = client
        .get(format!("{}/embed/demo", server.base))
        .send()
        .await
        .expect("an answer, not a hang");
    assert_eq!(embed.status(), 503);
    assert_eq!(embed.headers()["retry-after"], "5");
    let shop = client
        .post(format!("{}/api/shop", server.base))
        .form(&[("slug", "demo")])
        .send()
        .await
        .expect("an answer, not a hang");
    assert_eq!(shop.status(), 503);
    assert_eq!(shop.headers()["retry-after"], "5");
    // The console: a sign-in that cannot read its account says so, in the
    // browser's language, and when to try again.
    let sign_in = common::console::try_sign_in_sending(
        &client,
        &server.base,
        ("127.0.0.1", "", &[("accept-language", "de")]),
        "owner@demo.example",
        "not the password of anyone",
    )
    .await;
    assert_eq!(sign_in.status(), 503);
    assert_eq!(sign_in.headers()["retry-after"], "5");
    let html = sign_in.text().await.unwrap();
    assert!(html.contains(r#"lang="de""#), "{html}");

    pg.ctl("start");
    let back = Instant::now();
    loop {
        if lookup().await.status() == 200 {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(30), "no recovery within 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("recovered {} ms after PostgreSQL came back", back.elapsed().as_millis());
    assert_eq!(ready().await, 200);
    // The log says why it was not ready, and that it is again, once each.
    let log = server.stop_and_read_log();
    let not_ready: Vec<&str> = log.lines().filter(|l| l.contains("not ready")).collect();
    assert_eq!(not_ready.len(), 1, "{log}");
    // Its error, or that it did not answer in time.
    assert!(not_ready[0].contains("the database"), "{log}");
    assert_eq!(log.matches("ready again").count(), 1, "{log}");
}
