//! PostgreSQL lookup connections that the database ended (a restart, or
//! `pg_terminate_backend`): they cost no shopper a lookup, and readiness holds.

use super::tests::{shop, store, EXAMPLE};
use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lookups_after_the_database_ended_every_lookup_connection_are_answered() {
    let (_dir, store) = store().await;
    let readers::Readers::Postgres(readers) = &store.readers else {
        return; // SQLite reads in the process: no connection to lose.
    };
    let a = store.create_shop(&shop("a")).await.unwrap();
    let order = crate::order::parse_order(EXAMPLE.as_bytes()).unwrap();
    store.put_order(a.id, order).await.unwrap();
    let lookup = || store.shopper_view("a", "1001", "ada@example.com");
    let burst = |n: usize| {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..n {
            let store = store.clone();
            set.spawn(async move { store.shopper_view("a", "1001", "ada@example.com").await });
        }
        set.join_all()
    };

    // Lookup connections opened: bursts until the pool is full, or 20 of them
    // (lookups waiting together are asked on one connection).
    let max = readers.status().max;
    for _ in 0..20 {
        let answers = burst(64).await;
        assert!(answers.iter().all(|a| matches!(a, Ok(Some(_)))));
        let status = readers.status();
        if status.in_use + status.idle == max {
            break;
        }
    }
    let opened = readers.status();
    assert!(opened.in_use + opened.idle >= 1, "{opened:?}");

    // The database ends every other session, as a restart would.
    let ended: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&store.pool)
    .await
    .unwrap();
    let opened = (opened.in_use + opened.idle) as usize;
    assert!(ended.len() >= opened, "{} sessions ended of {opened}", ended.len());
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    // One lookup alone, then a burst (asked together), then readiness: all answered.
    assert!(
        matches!(lookup().await, Ok(Some(_))),
        "a lookup on a dead connection failed"
    );
    let answers = burst(64).await;
    let failed: Vec<_> = answers.iter().filter(|a| !matches!(a, Ok(Some(_)))).collect();
    assert!(failed.is_empty(), "{} of 64 failed: {:?}", failed.len(), failed.first());
    assert_eq!(store.readiness().await, Ok(()));
}
