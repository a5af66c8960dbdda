//! Refusals written by two servers at once.

use super::*;
use crate::store::tests::{shop, store_at};
use crate::store::time_in;

/// Two servers flush at once, each refreshing an idle row that the other's
/// flush would delete as idle: both write, every round, and both rows stay
/// (on PostgreSQL this deadlocked, and one server's counts were dropped).
#[tokio::test]
async fn two_servers_refreshing_idle_rows_at_once_both_write() {
    let (_dir, one, url) = store_at().await;
    let shop = one.create_shop(&shop("a")).await.unwrap();
    // Another server, started after the shop was made (so it knows the shop).
    let other = Store::connect(&url).await.unwrap();
    other.migrate().await.unwrap();
    for subject in ["r2", "r3"] {
        one.note_refusal("a", Refused::Order, subject);
    }
    one.flush_tally().await.unwrap();
    for round in 0..30 {
        sqlx::query("UPDATE refusals SET last_at = $1")
            .bind(time_in(-chrono::Duration::hours(48)))
            .execute(&one.pool)
            .await
            .unwrap();
        one.note_refusal("a", Refused::Order, "r2");
        other.note_refusal("a", Refused::Order, "r3");
        let (first, second) = tokio::join!(one.flush_tally(), other.flush_tally());
        first.unwrap_or_else(|e| panic!("round {round}: {e}"));
        second.unwrap_or_else(|e| panic!("round {round}: {e}"));
        let mut subjects: Vec<String> = one
            .refusals(shop.id)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.subject)
            .collect();
        subjects.sort();
        assert_eq!(subjects, ["r2", "r3"], "round {round}");
    }
}
