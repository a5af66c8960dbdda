use super::*;
use std::net::IpAddr;
use std::sync::Arc;

fn limits(per: u32) -> LookupLimits {
    LookupLimits::new(LimitSettings {
        per_client: per,
        per_order: per,
        per_email: per,
        ..LimitSettings::default()
    })
}

fn client(s: &str) -> Client {
    Client::new(Some(s.parse::<IpAddr>().unwrap()))
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn misses_beyond_the_allowance_block_the_client() {
    block_on(async {
        let l = limits(3);
        let keys = |n: u32| l.keys(&client("10.0.0.1"), "demo", &n.to_string(), &format!("{n}@example.com"));
        for n in 0..3 {
            l.reserve(&keys(n)).await.unwrap();
        }
        let Err(Refusal::Limited(wait)) = l.reserve(&keys(99)).await else {
            panic!("the fourth miss from one client must be refused");
        };
        assert!(
            wait >= Duration::from_secs(60) && wait <= Duration::from_secs(15 * 60),
            "{wait:?}"
        );
        // Another client, order and email is not affected.
        l.reserve(&l.keys(&client("10.0.0.2"), "demo", "1", "b@example.com"))
            .await
            .unwrap();
    });
}

#[test]
fn a_found_order_gives_its_attempt_back() {
    block_on(async {
        let l = limits(2);
        let keys = l.keys(&client("10.0.0.1"), "demo", "1001", "ada@example.com");
        for _ in 0..10 {
            l.reserve(&keys).await.unwrap();
            l.release(&keys).await;
        }
        assert_eq!(l.held_keys(), [(0, 0); 5], "whole allowances are forgotten");
    });
}

#[test]
fn one_order_number_is_protected_against_many_clients() {
    block_on(async {
        let l = limits(2);
        for c in 0..2 {
            let keys = l.keys(
                &client(&format!("10.0.0.{c}")),
                "demo",
                "1001",
                &format!("x{c}@example.com"),
            );
            l.reserve(&keys).await.unwrap();
        }
        let target = l.keys(&client("10.9.9.9"), "demo", "1001", "ada@example.com");
        assert!(l.reserve(&target).await.is_err());
        // A refused attempt takes nothing: the client and email keys are still whole.
        assert_eq!(l.held_keys()[0].0, 2);
        let elsewhere = l.keys(&client("10.9.9.9"), "other-shop", "1001", "ada@example.com");
        l.reserve(&elsewhere).await.unwrap();
    });
}

#[test]
fn a_burst_from_many_threads_gets_exactly_the_allowance() {
    let l = Arc::new(LookupLimits::new(LimitSettings {
        per_client: 1_000,
        per_order: 8,
        per_email: 1_000,
        ..LimitSettings::default()
    }));
    let barrier = Arc::new(std::sync::Barrier::new(16));
    let handles: Vec<_> = (0..16)
        .map(|t| {
            let (l, barrier) = (l.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                (0..20)
                    .filter(|i| {
                        let keys = l.keys(
                            &client(&format!("10.1.{t}.{i}")),
                            "demo",
                            "1001",
                            &format!("{t}-{i}@x.example"),
                        );
                        block_on(l.reserve(&keys)).is_ok()
                    })
                    .count()
            })
        })
        .collect();
    let passed: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(passed, 8, "320 attempts at once at one order number");
}

#[test]
fn hundreds_of_thousands_of_distinct_misses_stay_within_the_capacity() {
    block_on(async {
        let l = LookupLimits::new(LimitSettings {
            per_client: u32::MAX,
            capacity: 10_000,
            ..LimitSettings::default()
        });
        let attacker = client("10.0.0.1");
        let mut refused = 0;
        for n in 0..200_000u32 {
            let keys = l.keys(&attacker, "demo", &n.to_string(), &format!("{n}@example.com"));
            if l.reserve(&keys).await.is_err() {
                refused += 1;
            }
            assert!(l.held_keys().iter().all(|&(k, _)| k <= 10_000));
        }
        assert_eq!(refused, 0, "single misses make room for new ones");
        // A shopper's own lookup still goes through.
        let shopper = l.keys(&client("192.0.2.1"), "demo", "1001", "ada@example.com");
        l.reserve(&shopper).await.unwrap();
    });
}

#[test]
fn keys_are_fixed_size_whatever_the_input() {
    let l = limits(8);
    let long = "x".repeat(1 << 20);
    let a = l.keys(&client("10.0.0.1"), &long, &long, &long);
    let b = l.keys(&client("10.0.0.1"), &long, &long, &format!("{long}y"));
    assert_eq!(a.0[1], b.0[1]);
    assert_ne!(a.0[2], b.0[2]);
    assert_eq!(std::mem::size_of::<Keys>(), 48);
    // Fields cannot run into each other: ("ab", "c") is not ("a", "bc").
    assert_ne!(
        l.keys(&client("10.0.0.1"), "ab", "c", "e").0[1],
        l.keys(&client("10.0.0.1"), "a", "bc", "e").0[1]
    );
}

#[test]
fn failed_key_checks_are_limited_per_client_and_a_valid_key_gives_back() {
    let l = LookupLimits::new(LimitSettings {
        failed_auth_per_client: 3,
        ..LimitSettings::default()
    });
    let c = client("10.0.0.1");
    for _ in 0..5 {
        l.reserve_auth(&c).unwrap();
        l.release_auth(&c);
    }
    for _ in 0..3 {
        l.reserve_auth(&c).unwrap();
    }
    assert!(l.reserve_auth(&c).unwrap_err() >= Duration::from_secs(60));
    l.reserve_auth(&client("10.0.0.2")).unwrap();
}

#[test]
fn a_wait_is_told_in_whole_seconds_rounded_up() {
    // 2 misses per 5 seconds: one refills every 2.5 s, so the answer is 3, not 2.
    block_on(async {
        let l = LookupLimits::new(LimitSettings {
            per_order: 2,
            window: Duration::from_secs(5),
            ..LimitSettings::default()
        });
        let keys = |n: u32| {
            l.keys(
                &client(&format!("10.0.0.{n}")),
                "demo",
                "1001",
                &format!("{n}@example.com"),
            )
        };
        l.reserve(&keys(1)).await.unwrap();
        l.reserve(&keys(2)).await.unwrap();
        let Err(Refusal::Limited(wait)) = l.reserve(&keys(3)).await else {
            panic!("the third miss at one order must be refused");
        };
        assert_eq!(wait, Duration::from_secs(3));
    });
    for (ms, secs) in [(1, 1), (999, 1), (1_000, 1), (1_001, 2), (112_500, 113)] {
        assert_eq!(wait_of(Spent(ms)), Duration::from_secs(secs), "{ms} ms");
    }
}

#[test]
fn failed_webhook_signatures_are_limited_per_client_and_shop() {
    let l = LookupLimits::new(LimitSettings {
        failed_webhooks_per_shop: 2,
        ..LimitSettings::default()
    });
    let c = client("10.0.0.1");
    for _ in 0..5 {
        l.reserve_webhook(&c, "alpha").unwrap();
        l.release_webhook(&c, "alpha");
    }
    l.reserve_webhook(&c, "alpha").unwrap();
    l.reserve_webhook(&c, "alpha").unwrap();
    assert!(l.reserve_webhook(&c, "alpha").unwrap_err() >= Duration::from_secs(60));
    // The same client at another shop, and another client at this one, are whole.
    l.reserve_webhook(&c, "beta").unwrap();
    l.reserve_webhook(&client("10.0.0.2"), "alpha").unwrap();
    // Failed API-key checks are counted apart.
    l.reserve_auth(&c).unwrap();
    assert_eq!(l.held_keys()[4].0, 3);
}
