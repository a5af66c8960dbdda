//! Shopify webhooks under attack: a client's deliveries with a wrong signature
//! (or to an unknown shop) are limited per shop before the shop is read, the
//! body received or hashed, and one shop's failures do not stop another's.

use crate::common;

use app::limits::LimitSettings;
use common::shopify::{deliver, deliver_raw, request, sign, ORDER, SECRET};
use common::TestApp;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// The app with an allowance of `failed` wrong signatures per client and shop.
async fn spawn(failed: u32) -> TestApp {
    TestApp::spawn_with(LimitSettings {
        failed_webhooks_per_shop: failed,
        ..LimitSettings::default()
    })
    .await
}

/// Shopify's example order under another number and id.
fn order(n: u64) -> Value {
    let mut order: Value = serde_json::from_str(ORDER).unwrap();
    order["name"] = json!(format!("#{n}"));
    order["id"] = json!(n);
    order
}

/// Posts `bodies` to `shop` all at once, each signed with `secret`, and counts
/// the answers by status. A 429 must say when to come back.
async fn burst(app: &TestApp, shop: &str, secret: &str, bodies: Vec<Value>) -> BTreeMap<u16, usize> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, body) in bodies.into_iter().enumerate() {
        let bytes = serde_json::to_vec(&body).unwrap();
        let hmac = sign(secret, &bytes);
        let url = app.url(&format!("/api/v1/shops/{shop}/webhooks/shopify"));
        let client = app.client.clone();
        tasks.spawn(async move {
            let res = request(&client, url, "orders/create", &format!("burst-{i}"), bytes, &hmac)
                .send()
                .await
                .expect("delivered");
            let status = res.status().as_u16();
            if status == 429 {
                let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
                assert!(retry >= 1, "{retry}");
                let problem: Value = res.json().await.unwrap();
                assert_eq!(problem["code"], "rate_limited");
            }
            status
        });
    }
    let mut counts = BTreeMap::new();
    while let Some(status) = tasks.join_next().await {
        *counts.entry(status.unwrap()).or_insert(0) += 1;
    }
    counts
}

#[tokio::test]
async fn a_burst_of_wrong_signatures_is_checked_no_more_times_than_the_allowance() {
    let app = spawn(5).await;
    let counts = burst(&app, "alpha", "wrong secret", (0..250).map(order).collect()).await;
    // Every attempt was taken before any was checked: five were, the rest waited for nothing.
    assert_eq!(counts, BTreeMap::from([(401, 5), (429, 245)]));
    // Now even the right signature from this client to this shop waits…
    let (status, problem) = deliver(&app, "alpha", "orders/create", "late", &order(1)).await;
    assert_eq!(status, 429, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("wrong signature") && detail.contains("this shop"),
        "{detail}"
    );
    // …but another shop's deliveries from the same address are not stopped.
    let (status, answer) = deliver(&app, "beta", "orders/create", "beta-1", &order(1)).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")));
    assert!(
        app.merchant_order("alpha", "1").await.is_null(),
        "nothing reached alpha"
    );
    assert_eq!(app.limits.held_keys()[4].0, 1, "one key: this client at alpha");
}

#[tokio::test]
async fn a_right_signature_gives_its_attempt_back() {
    let app = spawn(3).await;
    let wrong = |n| {
        let bytes = serde_json::to_vec(&order(n)).unwrap();
        let hmac = sign("wrong secret", &bytes);
        (bytes, hmac)
    };
    for n in 0..2 {
        let (bytes, hmac) = wrong(n);
        assert_eq!(
            deliver_raw(&app, "alpha", "orders/create", "w", &bytes, &hmac).await.0,
            401
        );
    }
    // With one attempt left, any number of good deliveries in a row.
    for n in 100..130 {
        let (status, answer) = deliver(&app, "alpha", "orders/create", &format!("good-{n}"), &order(n)).await;
        assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")));
    }
    let (bytes, hmac) = wrong(2);
    assert_eq!(
        deliver_raw(&app, "alpha", "orders/create", "w", &bytes, &hmac).await.0,
        401
    );
    let (bytes, hmac) = wrong(3);
    assert_eq!(
        deliver_raw(&app, "alpha", "orders/create", "w", &bytes, &hmac).await.0,
        429
    );
}

#[tokio::test]
async fn deliveries_to_an_unknown_shop_spend_that_shops_attempts_only() {
    let app = spawn(2).await;
    let bytes = serde_json::to_vec(&order(1)).unwrap();
    let hmac = sign(SECRET, &bytes);
    let statuses: Vec<u16> = futures::future::join_all((0..4).map(|_| async {
        deliver_raw(&app, "no-such-shop", "orders/create", "u", &bytes, &hmac)
            .await
            .0
    }))
    .await;
    let mut sorted = statuses.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [401, 401, 429, 429], "{statuses:?}");
    let (status, _) = deliver(&app, "alpha", "orders/create", "a-1", &order(1)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_burst_of_good_deliveries_within_the_allowance_is_applied_whole() {
    let app = spawn(LimitSettings::default().failed_webhooks_per_shop).await;
    let counts = burst(&app, "alpha", SECRET, (1..=50).map(order).collect()).await;
    assert_eq!(counts, BTreeMap::from([(200, 50)]));
    for n in [1, 25, 50] {
        assert_eq!(
            app.merchant_order("alpha", &n.to_string()).await["order_number"],
            format!("#{n}")
        );
    }
    assert_eq!(app.limits.held_keys()[4].0, 0, "every attempt was given back");
}

#[tokio::test]
async fn a_spent_allowance_is_answered_before_the_body_is_read() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn(1).await;
    let bytes = serde_json::to_vec(&order(1)).unwrap();
    let (status, _) = deliver_raw(&app, "alpha", "orders/create", "w", &bytes, &sign("wrong", &bytes)).await;
    assert_eq!(status, 401);
    // A body of 1 MB announced and never sent: an answer proves it was not awaited.
    let host = app.base.trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&host).await.unwrap();
    let head = format!(
        "POST /api/v1/shops/alpha/webhooks/shopify HTTP/1.1\r\nHost: {host}\r\n\
         X-Shopify-Topic: orders/create\r\nX-Shopify-Hmac-Sha256: {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n",
        sign(SECRET, b"the body to come")
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 1024];
    let read = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut answer))
        .await
        .expect("answered without the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]).to_string();
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
}

/// A delivery to alpha that announces `length` bytes of body and sends `sent`
/// of them, written by a task of its own (so that a server that stops reading
/// cannot block the test), which then keeps the connection open until aborted.
async fn announce(
    app: &TestApp,
    length: usize,
    sent: usize,
) -> (tokio::net::tcp::OwnedReadHalf, tokio::task::JoinHandle<()>) {
    use tokio::io::AsyncWriteExt;
    let host = app.base.trim_start_matches("http://").to_string();
    let socket = tokio::net::TcpStream::connect(&host).await.unwrap();
    let (read, mut write) = socket.into_split();
    let head = format!(
        "POST /api/v1/shops/alpha/webhooks/shopify HTTP/1.1\r\nHost: {host}\r\n\
         X-Shopify-Topic: orders/create\r\nX-Shopify-Hmac-Sha256: {}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n",
        sign(SECRET, b"the body to come")
    );
    let writer = tokio::spawn(async move {
        let _ = write.write_all(head.as_bytes()).await;
        let _ = write.write_all(&vec![b' '; sent]).await;
        std::future::pending::<()>().await;
    });
    (read, writer)
}

/// The answer on `socket`, head and body (lower case), which must come within
/// five seconds: read until the body its `Content-Length` announces is there,
/// or the server closes the connection.
async fn answer_on(socket: &mut tokio::net::tcp::OwnedReadHalf) -> String {
    use tokio::io::AsyncReadExt;
    let read_all = async {
        let mut answer = Vec::new();
        let mut buf = [0u8; 2048];
        loop {
            let text = String::from_utf8_lossy(&answer).to_lowercase();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .and_then(|n| n.trim().parse::<usize>().ok());
                if length.is_some_and(|n| body.len() >= n) {
                    return text;
                }
            }
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return text,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read_all)
        .await
        .expect("answered without the rest of the body")
}

/// Waits until `wanted` is true (five seconds at most).
async fn until(what: &str, wanted: impl Fn() -> bool) {
    for _ in 0..250 {
        if wanted() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{what} never came");
}

#[tokio::test]
async fn bodies_held_before_their_signature_is_checked_have_a_bound_for_all_clients() {
    use server::unsigned::UnsignedBodies;
    // Room for 1 MiB of bodies at once (the least there can be), 300 ms' patience.
    let room = std::sync::Arc::new(UnsignedBodies::new(1 << 20, Duration::from_millis(300)));
    let app = {
        let room = room.clone();
        TestApp::spawn_configured(move |s| {
            s.with_limits(LimitSettings {
                failed_webhooks_per_shop: 3,
                ..LimitSettings::default()
            })
            .with_unsigned_bodies(room)
        })
        .await
    };
    // A sender that announces 600,000 bytes holds room for them, however few it sends…
    let (_slow, slow_writer) = announce(&app, 600_000, 1_000).await;
    until("room for the announced body", || room.held_bytes() == 600_000).await;
    // …so another such body finds none: 503, having read none of it.
    let (mut second, second_writer) = announce(&app, 600_000, 0).await;
    let answer = answer_on(&mut second).await;
    second_writer.abort();
    assert!(answer.starts_with("http/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: 1\r\n"), "{answer}");
    assert!(answer.contains("being received"), "{answer}");
    assert_eq!(room.held_bytes(), 600_000);
    // A body announced over 1 MiB is refused before any room is asked for.
    let (mut huge, huge_writer) = announce(&app, 2_000_000, 0).await;
    let answer = answer_on(&mut huge).await;
    huge_writer.abort();
    assert!(answer.starts_with("http/1.1 413"), "{answer}");
    // A delivery of ordinary size still fits beside the slow one.
    let (status, answer) = deliver(&app, "alpha", "orders/create", "small", &order(7)).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")));
    // The slow sender hangs up: its room comes back.
    slow_writer.abort();
    drop(_slow);
    until("the room given back", || room.held_bytes() == 0).await;
    // Being turned away was not the client's failure; the body over 1 MiB and
    // the hang-up were: of an allowance of three, one is left.
    let bytes = serde_json::to_vec(&order(8)).unwrap();
    let wrong = sign("wrong", &bytes);
    let (status, _) = deliver_raw(&app, "alpha", "orders/create", "w", &bytes, &wrong).await;
    assert_eq!(status, 401);
    let (status, _) = deliver_raw(&app, "alpha", "orders/create", "w", &bytes, &wrong).await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn a_delivery_near_the_most_allowed_arrives_whole_over_http1_and_http2() {
    // The read-ahead bounds (64 KiB a connection's buffer, HTTP/2 windows of
    // 256 and 64 KiB) slow nothing down that a handler reads.
    let app = TestApp::spawn().await;
    let h2 = reqwest::Client::builder().http2_prior_knowledge().build().unwrap();
    for (n, client) in [(21, app.client.clone()), (22, h2)] {
        let mut body = order(n);
        body["padding"] = json!("x".repeat(1_000_000));
        let bytes = serde_json::to_vec(&body).unwrap();
        assert!(bytes.len() > 1_000_000 && bytes.len() < 1 << 20, "{}", bytes.len());
        let url = app.url("/api/v1/shops/alpha/webhooks/shopify");
        let hmac = sign(SECRET, &bytes);
        let res = request(&client, url, "orders/create", &format!("big-{n}"), bytes, &hmac)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.version(),
            if n == 22 {
                reqwest::Version::HTTP_2
            } else {
                reqwest::Version::HTTP_11
            }
        );
        let answer: Value = res.json().await.unwrap();
        assert_eq!(answer["outcome"], "applied", "{answer}");
        assert_eq!(
            app.merchant_order("alpha", &n.to_string()).await["order_number"],
            format!("#{n}")
        );
    }
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_refused_and_its_room_given_back() {
    use server::unsigned::UnsignedBodies;
    let room = std::sync::Arc::new(
        UnsignedBodies::new(1 << 20, Duration::from_secs(2)).with_deadline(Duration::from_millis(500)),
    );
    let app = {
        let room = room.clone();
        TestApp::spawn_configured(move |s| s.with_unsigned_bodies(room)).await
    };
    let (mut slow, writer) = announce(&app, 900_000, 300_000).await;
    until("room for the announced body", || room.held_bytes() == 900_000).await;
    let answer = answer_on(&mut slow).await;
    writer.abort();
    assert!(answer.starts_with("http/1.1 422"), "{answer}");
    assert!(
        answer.contains("too_slow") && answer.contains("0.5 seconds"),
        "{answer}"
    );
    until("the room given back", || room.held_bytes() == 0).await;
    assert!(
        app.merchant_order("alpha", "9999").await.is_null(),
        "nothing was written"
    );
}

#[tokio::test]
async fn large_bodies_holding_the_room_do_not_keep_small_ones_out() {
    use server::unsigned::{UnsignedBodies, SMALL_BODY};
    // Room for 1 MiB of large bodies and 16 small ones' worth (1 MiB) apart.
    let room = std::sync::Arc::new(UnsignedBodies::new(1 << 20, Duration::from_millis(300)));
    let app = {
        let room = room.clone();
        TestApp::spawn_configured(move |s| s.with_unsigned_bodies(room)).await
    };
    // One stalled sender of 1 MiB takes all the room for large bodies…
    let (_large, large_writer) = announce(&app, 1 << 20, 1_000).await;
    until("the large room taken", || room.held_bytes() == 1 << 20).await;
    let (mut another, another_writer) = announce(&app, SMALL_BODY + 1, 0).await;
    let answer = answer_on(&mut another).await;
    another_writer.abort();
    assert!(answer.starts_with("http/1.1 503"), "{answer}");
    // …and Shopify's deliveries, a few KiB each, still go through.
    let (status, answer) = deliver(&app, "alpha", "orders/create", "small-1", &order(31)).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")));
    // The small room has its own bound: sixteen stalled small bodies fill it.
    let mut stalled = Vec::new();
    for _ in 0..16 {
        stalled.push(announce(&app, SMALL_BODY, 100).await);
    }
    until("the small room taken", || {
        room.held_bytes() == (1 << 20) + 16 * SMALL_BODY
    })
    .await;
    let (status, problem) = deliver(&app, "alpha", "orders/create", "small-2", &order(32)).await;
    assert_eq!((status, problem["code"].as_str()), (503, Some("busy")), "{problem}");
    // One of them hangs up: the next small delivery finds its room.
    let (read, writer) = stalled.pop().unwrap();
    writer.abort();
    drop(read);
    until("one small body's room back", || {
        room.held_bytes() == (1 << 20) + 15 * SMALL_BODY
    })
    .await;
    let (status, answer) = deliver(&app, "alpha", "orders/create", "small-3", &order(32)).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")));
    large_writer.abort();
    for (_, writer) in &stalled {
        writer.abort();
    }
}
