//! Writes through the API are limited per key: past its allowance a key's
//! orders and settings are refused with 429 and `Retry-After`, before the
//! body is read, and nothing changes; reads, other keys and other shops go
//! on; a key that fails its check spends nothing; a burst gets exactly the
//! allowance.

use crate::common;

use app::limits::LimitSettings;
use common::burst::{burst, status};
use common::{order_of, TestApp};

fn allowing(writes: u32) -> LimitSettings {
    LimitSettings {
        api_writes_per_key: writes,
        ..LimitSettings::default()
    }
}

async fn put(app: &TestApp, key: &str, number: &str) -> reqwest::Response {
    let order = order_of(number, "ada@example.com", 1).to_string();
    app.put("alpha", number, key, order).await
}

async fn orders(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM orders").await
}

#[tokio::test]
async fn a_key_past_its_writes_is_refused_and_changes_nothing() {
    let app = TestApp::spawn_with(allowing(5)).await;
    // A key that fails its check spends nothing: the right prefix with a
    // wrong secret (well-formed, so it is hashed), and the shop's key on
    // another shop's path.
    let (head, _) = app.alpha_key.rsplit_once('_').unwrap();
    let wrong = format!("{head}_{}", "0".repeat(64));
    assert!(server::keys::prefix_of(&wrong).is_some(), "well-formed");
    assert_eq!(put(&app, &wrong, "w-1").await.status(), 401);
    let order = order_of("w-2", "ada@example.com", 1).to_string();
    assert_eq!(app.put("beta", "w-2", &app.alpha_key, order).await.status(), 401);
    for n in 0..5 {
        assert_eq!(put(&app, &app.alpha_key, &format!("n-{n}")).await.status(), 201, "{n}");
    }
    let before = orders(&app).await;
    let res = put(&app, &app.alpha_key, "n-5").await;
    assert_eq!(res.status(), 429);
    // One write comes back every 15 minutes / 5 = 180 seconds.
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((170..=180).contains(&wait), "{wait}");
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "rate_limited");
    assert_eq!(problem["status"], 429);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("Too many writes with this API key"));
    // Erasing and the settings are writes too; nothing changed.
    let url = app.url("/api/v1/shops/alpha/orders/n-0");
    let res = app.client.delete(url).bearer_auth(&app.alpha_key).send().await.unwrap();
    assert_eq!(res.status(), 429);
    let res = app.email_links("alpha", &app.alpha_key, false).await;
    assert_eq!(res.status(), 429);
    // Refused before the body is read: one over 1 MiB is 429, not 413.
    let huge = "x".repeat(2 * 1024 * 1024);
    assert_eq!(app.put("alpha", "n-6", &app.alpha_key, huge).await.status(), 429);
    assert_eq!(orders(&app).await, before);
    assert!(app.store.shop("alpha").await.unwrap().unwrap().email_links);
    // Reads go on, and so do the shop's other keys and other shops' keys.
    assert_eq!(app.merchant_order("alpha", "n-0").await["order_number"], "n-0");
    let other = server::cli::create_key(&app.store, "alpha", "second").await.unwrap();
    assert_eq!(put(&app, &other, "o-1").await.status(), 201);
    let order = order_of("b-1", "bo@example.com", 1).to_string();
    assert_eq!(app.put("beta", "b-1", &app.beta_key, order).await.status(), 201);
}

/// 200 writes at once with a key allowed 50: exactly 50 go ahead. A write
/// shed before its key was checked (503: the hashing gate full on a busy
/// machine) spent nothing and is sent again, as a client would.
#[tokio::test]
async fn a_burst_gets_exactly_the_allowance() {
    let app = TestApp::spawn_with(allowing(50)).await;
    let answers = burst(
        200,
        |n| {
            let app = &app;
            async move { put(app, &app.alpha_key, &format!("burst-{n}")).await.status().as_u16() }
        },
        status,
    )
    .await;
    let stored = answers.iter().filter(|s| **s == 201).count();
    let refused = answers.iter().filter(|s| **s == 429).count();
    assert_eq!((stored, refused), (50, 150), "{answers:?}");
    assert_eq!(orders(&app).await, 50);
}

/// A body refused after the key was checked (not JSON, not an order) has
/// spent its write.
#[tokio::test]
async fn a_refused_body_spends_a_write() {
    let app = TestApp::spawn_with(allowing(2)).await;
    assert_eq!(app.put("alpha", "1", &app.alpha_key, "not json").await.status(), 422);
    assert_eq!(put(&app, &app.alpha_key, "1").await.status(), 201);
    assert_eq!(put(&app, &app.alpha_key, "2").await.status(), 429);
}
