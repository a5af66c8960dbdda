//! SQLite read connections keep a snapshot across lookups (`readers/snapshot.rs`):
//! a write of this process is still seen by the very next lookup, another
//! process's within a short while, and an idle connection lets the WAL go.
//!
//! The tests of this process's writes keep snapshots until a write is told
//! (`StoreOptions::snapshots_until_told`), not 50 ms, so that however slowly a
//! machine runs them, a lookup sees a write only because it was told.

use super::tests::{example_as, shop, store, store_at};
use super::*;
use std::time::{Duration, Instant};

async fn found(store: &Store, slug: &str, number: &str, email: &str) -> bool {
    store.shopper_view(slug, number, email).await.unwrap().is_some()
}

/// Asks `holds` again every 2 ms until it is true; fails saying `what` if it
/// is not within `limit`.
async fn eventually<F, Fut>(limit: Duration, what: &str, mut holds: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let asked = Instant::now();
    while !holds().await {
        assert!(asked.elapsed() < limit, "{what} within {limit:?}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// [`found`], asked again (outside the pause of each second, which keeps none)
/// until a read connection is left keeping a snapshot, for at most 2 s.
async fn found_keeping(store: &Store, slug: &str, number: &str, email: &str) -> bool {
    let was_found = std::sync::atomic::AtomicBool::new(false);
    eventually(Duration::from_secs(2), "no snapshot kept by lookups", || async {
        was_found.store(
            found(store, slug, number, email).await,
            std::sync::atomic::Ordering::Relaxed,
        );
        store.readers.idle_snapshots() > 0
    })
    .await;
    was_found.into_inner()
}

/// A fresh database with the shop `demo`, opened again with `options` and
/// snapshots kept until a write is told; the store, its URL and the shop's id.
async fn store_until_told(options: StoreOptions) -> (tempfile::TempDir, Store, String, i64) {
    let (dir, first, url) = store_at().await;
    let demo = first.create_shop(&shop("demo")).await.unwrap();
    first.close().await;
    let options = StoreOptions {
        snapshots_until_told: true,
        ..options
    };
    let store = Store::connect_with(&url, &options).await.unwrap();
    (dir, store, url, demo.id)
}

/// 100 tasks at once, each putting, erasing and putting again its own order and
/// looking it up right after every write, while the others keep the read
/// connections busy with snapshots of their own: no lookup misses a write that
/// was answered before it, and none sees an erased order or an old email.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_write_of_this_process_is_seen_by_the_next_lookup() {
    let (_dir, store, _url, demo) = store_until_told(StoreOptions::default()).await;
    if store.backend != Backend::Sqlite {
        return;
    }
    // Snapshots are kept from here on (the sweep has begun), each until a write is told.
    found_keeping(&store, "demo", "0", "nobody@example.com").await;
    let tasks: Vec<_> = (0..100)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let number = format!("#{n}");
                let key = number.trim_start_matches('#').to_string();
                let (first, second) = (format!("first{n}@example.com"), format!("second{n}@example.com"));
                let mut misses = Vec::new();
                store.put_order(demo, example_as(&number, &first)).await.unwrap();
                if !found(&store, "demo", &key, &first).await {
                    misses.push(format!("{number}: not found after its put"));
                }
                store.delete_order(demo, &key, &By::Operator).await.unwrap();
                if found(&store, "demo", &key, &first).await {
                    misses.push(format!("{number}: found after its erasure"));
                }
                store.put_order(demo, example_as(&number, &second)).await.unwrap();
                if found(&store, "demo", &key, &first).await || !found(&store, "demo", &key, &second).await {
                    misses.push(format!("{number}: the old email after the new"));
                }
                misses
            })
        })
        .collect();
    let mut misses = Vec::new();
    for task in tasks {
        misses.extend(task.await.unwrap());
    }
    assert!(misses.is_empty(), "{} stale lookups: {misses:?}", misses.len());
    assert!(store.readers.idle_snapshots() > 0, "no snapshot kept through the burst");

    // A shop's settings, read on the same connections by every shopper's page.
    for name in ["Renamed", "Renamed again"] {
        let update = ShopUpdate {
            name: Some(name.into()),
            ..ShopUpdate::default()
        };
        assert!(store.update_shop("demo", &update, &By::Operator).await.unwrap());
        assert_eq!(store.shop("demo").await.unwrap().unwrap().name, name);
    }
}

/// A write whose caller stops waiting after its first poll (a client gone, a
/// request timed out) is neither stopped half-way nor left untold: it ends,
/// and the lookup right after it is told sees it (on PostgreSQL, once it ends).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_given_up_on_still_ends_and_lookups_see_it() {
    let (_dir, store, _url, demo) = store_of_one().await;
    store
        .put_order(demo, example_as("#1", "ada@example.com"))
        .await
        .unwrap();
    give_up_until_told(&store, store.put_order(demo, example_as("#2", "bob@example.com"))).await;
    found_after(
        &store,
        "2",
        "bob@example.com",
        true,
        "an order put by a write given up on is not found",
    )
    .await;
    give_up_until_told(&store, store.delete_order(demo, "1", &By::Operator)).await;
    found_after(
        &store,
        "1",
        "ada@example.com",
        false,
        "an order erased by a write given up on is still found",
    )
    .await;
    // A delivery's change and its link from the platform's order id.
    let unchanged = |stored| Decision::merged(stored, |_| crate::order::merge::Merge::Unchanged);
    give_up_until_told(
        &store,
        store.update_platform_order(demo, "2", Some("d-1"), PlatformOrder::Own("820".into()), unchanged),
    )
    .await;
    eventually(TEN_S, "a delivery given up on did not link its order", || async {
        store.shopify_order_key(demo, "820").await.unwrap().is_some()
    })
    .await;
    assert_eq!(
        store.shopify_order_key(demo, "820").await.unwrap().as_deref(),
        Some("2")
    );
}

/// A store that closes (a server stopping) first lets the writes whose callers
/// stopped waiting end: another store on the database then finds them. Its one
/// connection is held until the close has begun, so the writes are still
/// waiting for it then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_waits_for_writes_given_up_on() {
    let (_dir, store, url, demo) = store_of_one().await;
    let held = store.pool.acquire().await.unwrap();
    give_up(store.put_order(demo, example_as("#1", "ada@example.com"))).await;
    give_up(store.put_order(demo, example_as("#2", "bob@example.com"))).await;
    let closing = tokio::spawn({
        let store = store.clone();
        async move { store.close_within(TEN_S).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(held);
    assert!(closing.await.unwrap(), "closing cut writes short");
    let again = Store::connect(&url).await.unwrap();
    for (number, email) in [("1", "ada@example.com"), ("2", "bob@example.com")] {
        assert!(
            found(&again, "demo", number, email).await,
            "a write given up on was lost when the store closed (#{number})"
        );
    }
}

/// The console's support view reads an order and its view from the database
/// itself: an order another server wrote a moment ago, which this server's
/// lookup readers do not see yet (their snapshot kept), is found with its view.
#[tokio::test]
async fn the_support_view_reads_what_lookup_readers_do_not_see_yet() {
    // One lookup connection, so that the lookup after the write is sure to use
    // the snapshot kept before it. (PostgreSQL's readers keep none: there this
    // checks the statement alone.)
    let one_reader = StoreOptions {
        lookup_connections: Some(1),
        ..StoreOptions::default()
    };
    let (_dir, store, url, demo) = store_until_told(one_reader).await;
    let sqlite = store.backend == Backend::Sqlite;
    if sqlite {
        assert!(!found_keeping(&store, "demo", "1", "ada@example.com").await);
    }
    let other = Store::connect(&url).await.unwrap();
    other
        .put_order(demo, example_as("#1", "ada@example.com"))
        .await
        .unwrap();
    other.close().await;
    if sqlite {
        assert!(
            !found(&store, "demo", "1", "ada@example.com").await,
            "the lookup readers kept their snapshot"
        );
    }
    let (order, view) = store.order_with_view(demo, "1").await.unwrap().expect("the order");
    assert_eq!(order.order_number, "#1");
    let view = view.expect("its view").parse().expect("a view");
    assert_eq!(view, crate::view::ShopperView::from(&order));
    assert_eq!(store.order_with_view(demo, "2").await.unwrap(), None);
}

/// Work that never ends (a database that stopped answering) does not keep a
/// closing store, and so a stopping server, waiting for ever.
#[tokio::test]
async fn closing_stops_waiting_for_work_that_never_ends() {
    let (_dir, store, _url, _demo) = store_of_one().await;
    let (holding, held) = tokio::sync::oneshot::channel();
    let stuck = tokio::spawn({
        let store = store.clone();
        async move {
            let pool = store.pool.clone();
            store
                .to_the_end(async move {
                    let conn = pool.acquire().await;
                    let _ = holding.send(());
                    std::future::pending::<()>().await;
                    drop(conn);
                })
                .await
        }
    });
    held.await.expect("the stuck work took the pool's one connection");
    let closing = tokio::time::timeout(TEN_S, store.close_within(Duration::from_millis(200)));
    let closed = closing.await.expect("closing waited for ever for work that never ends");
    assert!(!closed, "closing said all work ended");
    assert!(!stuck.is_finished(), "the stuck work ended");
}

/// [`store_until_told`] with one connection in the pool: a test that holds it
/// keeps a write from ending before it is given up, however the threads are
/// scheduled.
async fn store_of_one() -> (tempfile::TempDir, Store, String, i64) {
    store_until_told(StoreOptions {
        pool_size: Some(1),
        ..StoreOptions::default()
    })
    .await
}

const TEN_S: Duration = Duration::from_secs(10);

/// Gives `write` up after its first poll, as a server does when a client goes
/// or a request times out. The caller holds the pool's one connection, so the
/// write cannot have ended by then.
async fn give_up(write: impl std::future::Future) {
    let ended = tokio::select! {
        biased;
        _ = write => true,
        _ = std::future::ready(()) => false,
    };
    assert!(!ended, "the write ended in its first poll: nothing was given up on");
}

/// [`give_up`] with the pool's one connection held, and (on SQLite) a read
/// connection first keeping a snapshot from before the write; then a wait (up
/// to 10 s) until the write is told.
async fn give_up_until_told(store: &Store, write: impl std::future::Future) {
    if store.backend == Backend::Sqlite {
        found_keeping(store, "demo", "1", "ada@example.com").await;
    }
    let told = store.readers.writes_told();
    let held = store.pool.acquire().await.unwrap();
    give_up(write).await;
    drop(held);
    eventually(TEN_S, "a write given up on was never told to lookups", || async {
        told.is_none() || store.readers.writes_told() != told
    })
    .await;
}

/// Fails saying `what` unless lookups find the order (`present`) or not: on
/// SQLite at the very next lookup (which keeps its snapshot from before the
/// write unless the write was told); on PostgreSQL, where nothing says when a
/// write given up on ended, within 10 s.
async fn found_after(store: &Store, number: &str, email: &str, present: bool, what: &str) {
    let matches = || async move { found(store, "demo", number, email).await == present };
    if store.backend == Backend::Sqlite {
        assert!(matches().await, "{what}");
    } else {
        eventually(TEN_S, what, matches).await;
    }
}

/// Another process (a second store on the same file, which tells this one
/// nothing) writes an order while this one keeps looking it up: the lookups see
/// it within a few snapshots' time, not never.
#[tokio::test]
async fn another_process_writes_reach_lookups_soon() {
    let (_dir, server, url) = store_at().await;
    if server.backend != Backend::Sqlite {
        return;
    }
    let demo = server.create_shop(&shop("demo")).await.unwrap();
    assert!(!found_keeping(&server, "demo", "1001", "ada@example.com").await);
    let other = Store::connect(&url).await.unwrap();
    other
        .put_order(demo.id, example_as("#1001", "ada@example.com"))
        .await
        .unwrap();
    let second = Duration::from_secs(1);
    eventually(second, "another process's order not seen by lookups", || {
        found(&server, "demo", "1001", "ada@example.com")
    })
    .await;
    // An erasure the same way.
    assert!(other.delete_order(demo.id, "1001", &By::Operator).await.unwrap());
    eventually(second, "an erased order still found", || async {
        !found(&server, "demo", "1001", "ada@example.com").await
    })
    .await;
}

/// A snapshot kept by a connection no lookup uses any more keeps SQLite from
/// writing the WAL back into the database and starting it again: the WAL would
/// grow with every write until the next lookup. After a lookup and then only
/// writes, a checkpoint that waits for every reader (TRUNCATE) gets them all
/// (`busy` 0) and empties the WAL.
#[tokio::test]
async fn an_idle_read_connection_lets_the_wal_be_checkpointed() {
    let (_dir, store) = store().await;
    if store.backend != Backend::Sqlite {
        return;
    }
    let demo = store.create_shop(&shop("demo")).await.unwrap();
    store
        .put_order(demo.id, example_as("#1", "ada@example.com"))
        .await
        .unwrap();
    assert!(found_keeping(&store, "demo", "1", "ada@example.com").await);
    for n in 2..50 {
        store
            .put_order(demo.id, example_as(&format!("#{n}"), "ada@example.com"))
            .await
            .unwrap();
    }
    let started = Instant::now();
    let (busy, wal_frames, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!((busy, wal_frames), (0, 0), "a reader kept the WAL");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "readers let the WAL go only after {:?}",
        started.elapsed()
    );
    // And lookups go on as before.
    assert!(found(&store, "demo", "49", "ada@example.com").await);
}
