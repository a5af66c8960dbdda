//! Rate limits on failed lookups, over real HTTP.

mod common;

use app::limits::LimitSettings;
use common::{TestApp, EXAMPLE};
use serde_json::Value;

fn settings(per_client: u32, per_order: u32, trust_proxy: bool) -> LimitSettings {
    LimitSettings {
        per_client,
        per_order,
        per_email: 100,
        trust_proxy,
        ..LimitSettings::default()
    }
}

async fn lookup_from(app: &TestApp, forwarded_for: &str, email: &str, number: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/shops/alpha/lookup"))
        .header("x-forwarded-for", forwarded_for)
        .json(&serde_json::json!({"email": email, "order_number": number}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_client_that_keeps_missing_is_refused_with_retry_after_even_for_a_right_guess() {
    let app = TestApp::spawn_with(settings(3, 100, false)).await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    for n in 0..3 {
        assert_eq!(
            app.lookup("alpha", "eve@example.com", &format!("#9{n}")).await.status(),
            404
        );
    }
    let res = app.lookup("alpha", "ada@example.com", "#1001").await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=15 * 60).contains(&retry), "{retry}");
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "rate_limited");
    // Other clients are not affected (all test requests share one address, so use the store's view:
    // the order itself is intact and a merchant can still read it).
    assert!(app.store.order(1, "1001").await.unwrap().is_some());
}

#[tokio::test]
async fn forwarded_addresses_do_not_evade_the_limit_unless_the_proxy_is_trusted() {
    let app = TestApp::spawn_with(settings(2, 100, false)).await;
    for n in 0..2 {
        assert_eq!(
            lookup_from(&app, &format!("203.0.113.{n}"), "eve@example.com", "#1")
                .await
                .status(),
            404
        );
    }
    assert_eq!(
        lookup_from(&app, "203.0.113.99", "eve@example.com", "#2")
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn one_order_number_is_protected_against_guesses_from_many_addresses() {
    let app = TestApp::spawn_with(settings(100, 2, true)).await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    for n in 0..2 {
        let res = lookup_from(
            &app,
            &format!("198.51.100.{n}"),
            &format!("guess{n}@example.com"),
            "#1001",
        )
        .await;
        assert_eq!(res.status(), 404);
    }
    // Even the owner, from a fresh address, waits: the order is under attack.
    assert_eq!(
        lookup_from(&app, "192.0.2.7", "ada@example.com", "#1001")
            .await
            .status(),
        429
    );
    // Other orders and other clients are unaffected.
    assert_eq!(
        lookup_from(&app, "192.0.2.7", "bob@example.com", "#2002")
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn the_page_says_so_in_the_shoppers_language_with_429() {
    let app = TestApp::spawn_with(settings(1, 100, false)).await;
    assert_eq!(app.lookup("alpha", "eve@example.com", "#1").await.status(), 404);
    let res = app
        .client
        .post(app.url("/track/alpha?locale=de"))
        .form(&[("email", "ada@example.com"), ("order_number", "#1001")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("Zu viele Versuche"));

    let res = app.track_fn("alpha", "ada@example.com", "1001").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
}
