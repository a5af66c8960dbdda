//! An attempt dropped before its lookup's outcome is given back; one kept
//! (a miss) stays taken; in memory and in the database's shared allowances.

use super::*;
use std::net::IpAddr;

fn settings() -> LimitSettings {
    LimitSettings {
        per_client: 3,
        per_order: 3,
        per_email: 3,
        ..LimitSettings::default()
    }
}

/// Runs `work` until it first waits, and a moment more, then drops it: a
/// request whose client left while it waited for the database.
async fn cut_short<F: std::future::Future>(work: F) {
    tokio::select! {
        biased;
        _ = work => {}
        _ = tokio::time::sleep(std::time::Duration::from_micros(200)) => {}
    }
}

/// Drops unsettled attempts at one order, whole or cut short while being
/// taken or given back, then checks the allowance is whole (as many misses
/// as it allows, and no more); `settle` waits for what a drop gives back by a task.
async fn dropped_attempts_are_given_back(l: &LookupLimits, settle: impl Fn() -> std::time::Duration) {
    let client = Client::new(Some("10.0.0.1".parse::<IpAddr>().unwrap()));
    let keys = l.keys(&client, "demo", "1001", "ada@example.com");
    for round in 0..12 {
        match round % 3 {
            0 => drop(l.take(&keys).await.expect("the allowance is whole again")),
            1 => cut_short(l.take(&keys)).await,
            _ => cut_short(l.take(&keys).await.expect("whole again").give_back()).await,
        }
        tokio::time::sleep(settle()).await;
    }
    for _ in 0..3 {
        l.take(&keys).await.expect("within the allowance").keep();
    }
    assert!(
        matches!(l.take(&keys).await.map(Taken::keep), Err(Refusal::Limited(_))),
        "misses kept are counted"
    );
}

#[tokio::test]
async fn attempts_dropped_unsettled_are_given_back_in_memory() {
    let l = LookupLimits::new(settings());
    dropped_attempts_are_given_back(&l, || std::time::Duration::ZERO).await;
}

#[tokio::test]
async fn attempts_dropped_unsettled_are_given_back_in_the_shared_allowances() {
    let (_dir, store) = crate::store::tests::store().await;
    let l = LookupLimits::shared(settings(), store).await.unwrap();
    // The database's allowance is given back by a task of its own.
    dropped_attempts_are_given_back(&l, || std::time::Duration::from_millis(100)).await;
}
