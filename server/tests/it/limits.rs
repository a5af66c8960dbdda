//! Rate limits over real HTTP: failed lookups, bursts, proxies, and key checks.

use crate::common;

use app::limits::{LimitSettings, Proxies};
use common::{TestApp, EXAMPLE};
use serde_json::Value;
use std::collections::BTreeMap;

fn settings(per_client: u32, per_order: u32, proxies: &[&str]) -> LimitSettings {
    LimitSettings {
        per_client,
        per_order,
        per_email: 100,
        proxies: Proxies::parse(proxies).unwrap(),
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

/// Sends every lookup at once (each on its own task and connection) and counts the answers by status.
async fn burst(app: &TestApp, lookups: Vec<(String, String, String)>) -> (BTreeMap<u16, usize>, Vec<u16>) {
    let mut tasks = tokio::task::JoinSet::new();
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(lookups.len()));
    for (i, (from, email, number)) in lookups.into_iter().enumerate() {
        let (url, start) = (app.url("/api/v1/shops/alpha/lookup"), start.clone());
        tasks.spawn(async move {
            let client = reqwest::Client::new();
            let request = client
                .post(url)
                .header("x-forwarded-for", from)
                .json(&serde_json::json!({"email": email, "order_number": number}));
            start.wait().await;
            (i, request.send().await.expect("lookup").status().as_u16())
        });
    }
    let mut statuses = vec![0; tasks.len()];
    while let Some(done) = tasks.join_next().await {
        let (i, status) = done.unwrap();
        statuses[i] = status;
    }
    let mut counts = BTreeMap::new();
    for s in &statuses {
        *counts.entry(*s).or_insert(0) += 1;
    }
    (counts, statuses)
}

#[tokio::test]
async fn a_burst_of_misses_at_one_order_gets_no_more_than_the_allowance() {
    // Every guess from its own address, so only the order's allowance (8) stands in the way.
    let app = TestApp::spawn_with(settings(20, 8, &["127.0.0.1"])).await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    let guesses = |wave: u32| -> Vec<(String, String, String)> {
        (0..300)
            .map(|i| {
                (
                    format!("198.51.{wave}.{i}"),
                    format!("guess{wave}-{i}@example.com"),
                    "#1001".to_string(),
                )
            })
            .collect()
    };
    let (counts, _) = burst(&app, guesses(1)).await;
    assert_eq!(counts.get(&404).copied().unwrap_or(0), 8, "{counts:?}");
    assert_eq!(counts.get(&429).copied().unwrap_or(0), 292, "{counts:?}");
    // A second burst with the owner's right answer in the middle of it: every
    // request is refused, the right one too, because the order's allowance is spent.
    let mut wave = guesses(2);
    wave.insert(150, ("192.0.2.7".into(), "ada@example.com".into(), "#1001".into()));
    let (counts, statuses) = burst(&app, wave).await;
    assert_eq!(counts.get(&429).copied(), Some(301), "{counts:?}");
    assert_eq!(statuses[150], 429);
}

#[tokio::test]
async fn a_client_that_keeps_missing_is_refused_with_retry_after_even_for_a_right_guess() {
    let app = TestApp::spawn_with(settings(3, 100, &[])).await;
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
    assert!(app.store.order(1, "1001").await.unwrap().is_some());
}

#[tokio::test]
async fn hits_give_their_attempt_back() {
    let app = TestApp::spawn_with(settings(2, 2, &[])).await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    for _ in 0..20 {
        assert_eq!(app.lookup("alpha", "ada@example.com", "#1001").await.status(), 200);
    }
}

#[tokio::test]
async fn a_forwarded_header_counts_only_from_a_trusted_proxy() {
    // Loopback is not trusted: whatever the header says, all requests are one client.
    let app = TestApp::spawn_with(settings(2, 100, &["10.0.0.0/8"])).await;
    for n in 0..2 {
        let res = lookup_from(&app, &format!("203.0.113.{n}"), "eve@example.com", "#1").await;
        assert_eq!(res.status(), 404);
    }
    let res = lookup_from(&app, "203.0.113.99", "eve@example.com", "#2").await;
    assert_eq!(res.status(), 429);
}

#[tokio::test]
async fn a_client_cannot_forge_its_address_through_a_trusted_proxy() {
    let app = TestApp::spawn_with(settings(2, 100, &["127.0.0.1"])).await;
    // The client wrote its own header and rotates it; the proxy appends the real address.
    for n in 0..2 {
        let res = lookup_from(
            &app,
            &format!("1.2.3.{n}, 203.0.113.5"),
            "eve@example.com",
            &format!("#{n}"),
        )
        .await;
        assert_eq!(res.status(), 404);
    }
    let res = app
        .client
        .post(app.url("/api/v1/shops/alpha/lookup"))
        .header("x-forwarded-for", "9.9.9.9")
        .header("x-forwarded-for", "203.0.113.5")
        .json(&serde_json::json!({"email": "eve@example.com", "order_number": "#7"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "a second header line is read too, from the right");
    // Another real client behind the same proxy is not affected.
    assert_eq!(
        lookup_from(&app, "1.2.3.0, 203.0.113.6", "eve@example.com", "#8")
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn two_trusted_hops_are_skipped_to_the_client() {
    let app = TestApp::spawn_with(settings(1, 100, &["127.0.0.1", "10.0.0.0/8"])).await;
    // Client -> proxy 10.0.0.2 -> loopback proxy -> Lookout.
    assert_eq!(
        lookup_from(&app, "198.51.100.7, 10.0.0.2", "eve@example.com", "#1")
            .await
            .status(),
        404
    );
    assert_eq!(
        lookup_from(&app, "6.6.6.6, 198.51.100.7, 10.0.0.2", "eve@example.com", "#2")
            .await
            .status(),
        429,
        "the same client, whatever it prepends"
    );
    assert_eq!(
        lookup_from(&app, "198.51.100.8, 10.0.0.2", "eve@example.com", "#3")
            .await
            .status(),
        404,
        "another client behind the same two proxies"
    );
}

#[tokio::test]
async fn one_order_number_is_protected_against_guesses_from_many_addresses() {
    let app = TestApp::spawn_with(settings(100, 2, &["127.0.0.1"])).await;
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
    assert_eq!(
        lookup_from(&app, "192.0.2.7", "ada@example.com", "#1001")
            .await
            .status(),
        429
    );
    assert_eq!(
        lookup_from(&app, "192.0.2.7", "bob@example.com", "#2002")
            .await
            .status(),
        404
    );
}

/// The limiter's key counts (client, order, email, auth), as `/metrics` reports them.
fn held_keys(app: &TestApp) -> [(usize, u64); 5] {
    app.limits.held_keys()
}

#[tokio::test]
async fn a_shop_name_that_cannot_be_a_slug_is_not_found_and_costs_no_memory() {
    let app = TestApp::spawn().await;
    let before = held_keys(&app);
    let long = "a".repeat(20_000);
    for shop in [long.as_str(), "Not_A_Slug", "%F0%9F%98%80"] {
        let res = app.lookup(shop, "eve@example.com", "#1").await;
        assert_eq!(res.status(), 404, "{}", &shop[..shop.len().min(20)]);
    }
    // The page's server function: a body that large is refused before it is read.
    let res = app.track_fn(&long, "eve@example.com", "1").await;
    assert_eq!(res.status(), 413);
    assert_eq!(held_keys(&app), before);
}

#[tokio::test]
async fn the_page_says_so_in_the_shoppers_language_with_429() {
    let app = TestApp::spawn_with(settings(1, 100, &[])).await;
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
