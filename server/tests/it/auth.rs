//! Merchant keys under attack: junk costs no hashing, hashing is bounded, and a
//! client's failed checks are limited.

use crate::common;

use app::limits::LimitSettings;
use common::{encode, order_of, TestApp, EXAMPLE};
use server::keys::HashGate;
use server::problem::{RETRY_BUSY_SECS, RETRY_UNAVAILABLE_SECS};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// PUTs the example order with each key at once and counts the answers: by
/// status, and a 503 by whose it was: `503 busy` (the hashing gate was full) or
/// `503 unavailable` (no database connection came within the store's wait).
async fn flood(app: &TestApp, keys: Vec<String>) -> BTreeMap<String, usize> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, key) in keys.into_iter().enumerate() {
        // Orders of their own, so that writes do not wait on each other's order.
        let number = format!("#{}", 1001 + i);
        let url = app.url(&format!("/api/v1/shops/alpha/orders/{}", encode(&number)));
        let body = order_of(&number, "ana@example.com", 1).to_string();
        tasks.spawn(async move {
            let res = reqwest::Client::new()
                .put(url)
                .bearer_auth(key)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("put");
            if res.status() != 503 {
                return res.status().as_u16().to_string();
            }
            let retry = res.headers()["retry-after"].to_str().expect("retry-after").to_owned();
            let problem: serde_json::Value = res.json().await.expect("a problem document");
            let code = problem["code"].as_str().expect("a problem code").to_owned();
            let wait = match code.as_str() {
                "busy" => RETRY_BUSY_SECS,
                "unavailable" => RETRY_UNAVAILABLE_SECS,
                other => panic!("a 503 of an unknown kind: {other}"),
            };
            assert_eq!(retry, wait.to_string(), "{code}");
            format!("503 {code}")
        });
    }
    let mut counts = BTreeMap::new();
    while let Some(answer) = tasks.join_next().await {
        *counts.entry(answer.unwrap()).or_insert(0) += 1;
    }
    counts
}

/// How many of a flood's answers were `answer` (as [`flood`] names them).
fn count(counts: &BTreeMap<String, usize>, answer: &str) -> usize {
    counts.get(answer).copied().unwrap_or(0)
}

fn random_key() -> String {
    let hex = |n: usize| -> String { (0..n).map(|_| format!("{:x}", rand::random::<u8>() % 16)).collect() };
    format!("lk_{}_{}", hex(16), hex(64))
}

/// The app with this hashing gate and an allowance of `failed` key checks per client.
async fn spawn_gated(gate: &Arc<HashGate>, failed: u32) -> TestApp {
    let gate = gate.clone();
    TestApp::spawn_configured(move |s| {
        s.with_limits(LimitSettings {
            failed_auth_per_client: failed,
            ..LimitSettings::default()
        })
        .with_hash_gate(gate)
    })
    .await
}

#[tokio::test]
async fn keys_of_the_wrong_shape_are_refused_without_hashing() {
    let gate = Arc::new(HashGate::for_this_machine());
    let app = spawn_gated(&gate, 100_000).await;
    let junk: Vec<String> = (0..200)
        .map(|i| match i % 4 {
            0 => "x".repeat(i * 50),
            1 => format!("lk_{i}"),
            2 => format!("lk_{}_{}", "g".repeat(16), "0".repeat(64)),
            _ => format!("lk_{}_{}", "0".repeat(16), "0".repeat(65)),
        })
        .collect();
    let counts = flood(&app, junk).await;
    assert_eq!(counts, BTreeMap::from([("401".to_string(), 200)]));
    assert_eq!(gate.hashes(), 0, "nothing was hashed");
    // The same flood with well-formed keys is hashed: the count above means something.
    flood(&app, (0..3).map(|_| random_key()).collect()).await;
    assert_eq!(gate.hashes(), 3);
}

#[tokio::test]
async fn a_flood_of_well_formed_keys_is_turned_away_not_queued_without_bound() {
    let gate = Arc::new(HashGate::new(1, 4, Duration::from_millis(500)));
    let app = spawn_gated(&gate, 100_000).await;
    let counts = flood(&app, (0..200).map(|_| random_key()).collect()).await;
    let (refused, busy) = (count(&counts, "401"), count(&counts, "503 busy"));
    // Each key's row is looked for before any hash. On a machine loaded enough
    // (many tests at once), some of the 200 wait past the store's 2 s for one of
    // its connections and are shed: turned away too, and never hashed.
    assert_eq!(refused + busy + count(&counts, "503 unavailable"), 200, "{counts:?}");
    assert!(busy > 0, "a full gate answers 503: {counts:?}");
    assert!(refused >= 1, "{counts:?}");
    assert_eq!(gate.hashes(), refused as u64, "only the 401s were hashed");
    // The real key still works once the flood is over.
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
}

#[tokio::test]
async fn a_burst_with_a_fresh_key_is_hashed_once_and_let_in_whole() {
    // One hash at a time and one request admitted to the gate: before requests
    // waited for the verification already under way, all but one were turned away.
    let gate = Arc::new(HashGate::new(1, 1, Duration::from_secs(5)));
    let app = spawn_gated(&gate, 1).await;
    let counts = flood(&app, vec![app.alpha_key.clone(); 300]).await;
    // None is refused or turned away by the gate. The writes themselves queue for
    // SQLite's one writer, and a request that waits longer than the store's wait
    // for a connection is shed with 503 (as any write burst is); on a slow machine
    // a few of the 300 may be.
    let (stored, shed) = (count(&counts, "201"), count(&counts, "503 unavailable"));
    assert_eq!(stored + shed, 300, "{counts:?}");
    assert!(stored > 0, "{counts:?}");
    assert_eq!(gate.hashes(), 1, "one verification for the whole burst");
    let alpha = app.store.shop("alpha").await.unwrap().unwrap();
    assert_eq!(app.store.order_count(alpha.id).await.unwrap(), stored as i64);
}

#[tokio::test]
async fn a_burst_with_a_wrong_key_buys_one_hash() {
    let gate = Arc::new(HashGate::new(1, 300, Duration::from_secs(5)));
    let app = spawn_gated(&gate, 1).await;
    let counts = flood(&app, vec![random_key(); 300]).await;
    // Those that came while it was checked share its 401; later ones meet the spent allowance.
    assert!(
        counts.keys().all(|answer| ["401", "429"].contains(&answer.as_str())),
        "{counts:?}"
    );
    assert!(counts.get("401").is_some_and(|n| *n >= 1), "{counts:?}");
    assert_eq!(gate.hashes(), 1, "{counts:?}");
    // Nothing was stored.
    let alpha = app.store.shop("alpha").await.unwrap().unwrap();
    assert!(app.store.order(alpha.id, "1001").await.unwrap().is_none());
}

#[tokio::test]
async fn a_client_whose_keys_keep_failing_is_limited_but_a_good_key_gives_back() {
    let app = TestApp::spawn_with(LimitSettings {
        failed_auth_per_client: 3,
        ..LimitSettings::default()
    })
    .await;
    // Good keys never count, even many times (the first is hashed, the rest remembered).
    for _ in 0..5 {
        assert!(app
            .put("alpha", "#1001", &app.alpha_key, EXAMPLE)
            .await
            .status()
            .is_success());
    }
    for _ in 0..3 {
        assert_eq!(app.put("alpha", "#1001", &random_key(), EXAMPLE).await.status(), 401);
    }
    let res = app.put("alpha", "#1001", &random_key(), EXAMPLE).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "rate_limited");
    // A key already verified is not hashed again, so it still works.
    assert!(app
        .put("alpha", "#1001", &app.alpha_key, EXAMPLE)
        .await
        .status()
        .is_success());
}

#[tokio::test]
async fn being_turned_away_by_a_full_gate_does_not_spend_the_clients_allowance() {
    let gate = Arc::new(HashGate::new(1, 1, Duration::from_millis(100)));
    let app = spawn_gated(&gate, 2).await;
    // Occupy the gate's one place until told.
    let (release, held) = std::sync::mpsc::channel::<()>();
    let (started, running) = std::sync::mpsc::channel::<()>();
    let occupier = {
        let gate = gate.clone();
        tokio::spawn(async move {
            gate.run(move || {
                let _ = started.send(());
                let _ = held.recv();
            })
            .await
        })
    };
    tokio::task::spawn_blocking(move || running.recv().unwrap())
        .await
        .unwrap();
    for _ in 0..5 {
        let res = app.put("alpha", "#1001", &random_key(), EXAMPLE).await;
        assert_eq!(res.status(), 503);
        assert_eq!(res.headers()["retry-after"], "1");
    }
    release.send(()).unwrap();
    occupier.await.unwrap().unwrap();
    // The allowance of two failed checks is whole: two 401s, then 429.
    for expected in [401, 401, 429] {
        assert_eq!(
            app.put("alpha", "#1001", &random_key(), EXAMPLE).await.status(),
            expected
        );
    }
}
