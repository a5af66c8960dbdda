//! What an erasure and the hourly housekeeping leave: an erased order cannot
//! be read back from the SQLite file or its log; the abuse panel's idle rows
//! and the sketches of days no longer shown go without any lookup.

use super::tests::{example, shop, store, store_at};
use super::*;
use crate::order::ValidOrder;

/// Whether `marker` is anywhere in the database's files (SQLite).
fn in_files(url: &str, marker: &str) -> bool {
    let path = url.trim_start_matches("sqlite://");
    [path.to_owned(), format!("{path}-wal")].iter().any(|file| {
        std::fs::read(file)
            .map(|bytes| bytes.windows(marker.len()).any(|w| w == marker.as_bytes()))
            .unwrap_or(false)
    })
}

#[tokio::test]
async fn an_erased_order_cannot_be_read_back_from_the_sqlite_files() {
    let (_dir, store, url) = store_at().await;
    if store.backend() != Backend::Sqlite {
        return;
    }
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let marker = "Staff only: erase-me-7d1c";
    let mut order = example().into_inner();
    order.note = Some(marker.to_owned());
    store
        .put_order(shop.id, ValidOrder::check(order).unwrap())
        .await
        .unwrap();
    assert!(in_files(&url, marker), "written");
    let erased = store
        .erase_order(shop.id, "1001", Guard::Nothing, &By::Operator)
        .await
        .unwrap();
    assert_eq!(erased, Erasure::Erased);
    // Overwritten where it was, and out of the log once it is written back.
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while in_files(&url, marker) {
        assert!(
            std::time::Instant::now() < end,
            "the erased order is still in the files"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn idle_refusals_and_old_sketches_go_without_a_lookup() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let day = |ago: i64| {
        (chrono::Utc::now() - chrono::Duration::days(ago))
            .format("%Y-%m-%d")
            .to_string()
    };
    for (subject, ago) in [("old", 2), ("new", 0)] {
        sqlx::query("INSERT INTO refusals (shop_id, kind, subject, attempts, last_at) VALUES ($1, 'email', $2, 9, $3)")
            .bind(shop.id)
            .bind(subject)
            .bind(super::time_in(-chrono::Duration::days(ago)))
            .execute(&store.pool)
            .await
            .unwrap();
    }
    for ago in [40, 1] {
        sqlx::query(
            "INSERT INTO shop_days (shop_id, day, found, missed, limited, sketch) VALUES ($1, $2, 3, 1, 0, 'x')",
        )
        .bind(shop.id)
        .bind(day(ago))
        .execute(&store.pool)
        .await
        .unwrap();
    }
    assert_eq!(store.prune_refusals().await.unwrap(), 1);
    let left: Vec<String> = sqlx::query_scalar("SELECT subject FROM refusals")
        .fetch_all(&store.pool)
        .await
        .unwrap();
    assert_eq!(left, ["new"]);
    assert_eq!(store.prune_sketches().await.unwrap(), 1);
    let kept: Vec<(String, i64, Option<String>)> =
        sqlx::query_as("SELECT day, found, sketch FROM shop_days ORDER BY day")
            .fetch_all(&store.pool)
            .await
            .unwrap();
    assert_eq!(
        kept,
        [(day(40), 3, None), (day(1), 3, Some("x".to_owned()))],
        "the counts stay; the old day's sketch goes"
    );
}
