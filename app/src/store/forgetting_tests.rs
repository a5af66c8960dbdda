//! What is forgotten with time or count, so that no table grows for ever: the
//! ids of Shopify deliveries after a week (a delivery retried after that is
//! merged again, changing nothing), the support view's audit entries after a
//! year, the tokens of used console forms after a day. (Revoked API keys
//! beyond the last [`REVOKED_KEYS_KEPT`]: `keys_tests.rs`.)

use super::tests::{example, shop, store};
use super::*;

/// Delivers the example order under `delivery` as a platform would: written
/// first, merged after.
async fn deliver(store: &Store, shop_id: i64, delivery: &str) -> Updated {
    store
        .update_order(shop_id, "1001", Some(delivery), |stored| match stored {
            None => Ok(Decision::Write(Box::new(example()))),
            stored => Decision::merged(stored, |order| order.merge(example().into_inner())),
        })
        .await
        .unwrap()
}

async fn ids_kept(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries")
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn delivery_ids_are_forgotten_after_a_week_and_a_late_retry_changes_nothing() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    assert_eq!(deliver(&store, shop.id, "old").await, Updated::Created);
    assert_eq!(deliver(&store, shop.id, "new").await, Updated::Unchanged);
    let a_week_ago = time_in(-chrono::Duration::days(DELIVERY_IDS_KEPT_DAYS) - chrono::Duration::seconds(1));
    sqlx::query("UPDATE webhook_deliveries SET received_at = $1 WHERE webhook_id = 'old'")
        .bind(&a_week_ago)
        .execute(&store.pool)
        .await
        .unwrap();
    let stored = store.order(shop.id, "1001").await.unwrap();

    assert_eq!(store.prune_delivery_ids().await.unwrap(), 1);
    assert_eq!(ids_kept(&store).await, 1, "the recent id stays");
    assert_eq!(deliver(&store, shop.id, "new").await, Updated::Duplicate);
    // Shopify does not retry this late; if a delivery did come again, it is
    // merged again, and the order stays as it was.
    assert_eq!(deliver(&store, shop.id, "old").await, Updated::Unchanged);
    assert_eq!(store.order(shop.id, "1001").await.unwrap(), stored);
    assert_eq!(store.prune_delivery_ids().await.unwrap(), 0);
}

#[tokio::test]
async fn many_old_ids_are_forgotten_a_batch_at_a_time() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let long_ago = time_in(-chrono::Duration::days(DELIVERY_IDS_KEPT_DAYS + 30));
    for i in 0..7 {
        sqlx::query("INSERT INTO webhook_deliveries (shop_id, webhook_id, received_at) VALUES ($1, $2, $3)")
            .bind(shop.id)
            .bind(format!("d-{i}"))
            .bind(&long_ago)
            .execute(&store.pool)
            .await
            .unwrap();
    }
    assert_eq!(deliver(&store, shop.id, "today").await, Updated::Created);
    assert_eq!(
        store.prune_delivery_ids_by(3).await.unwrap(),
        7,
        "batches of 3, 3 and 1"
    );
    assert_eq!(ids_kept(&store).await, 1);
}

#[tokio::test]
async fn audit_entries_are_forgotten_after_a_year() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    for number in ["1001", "1002"] {
        store
            .record_support_view(shop.id, "staff@a.example", number)
            .await
            .unwrap();
    }
    let a_year_ago = time_in(-chrono::Duration::days(AUDIT_KEPT_DAYS) - chrono::Duration::seconds(1));
    sqlx::query("UPDATE support_views SET viewed_at = $1 WHERE number_key = '1001'")
        .bind(&a_year_ago)
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(store.prune_support_views().await.unwrap(), 1);
    let (kept, _) = store.support_views(shop.id, 1).await.unwrap();
    assert_eq!(
        kept.iter().map(|v| v.number_key.as_str()).collect::<Vec<_>>(),
        ["1002"],
        "the recent entry stays"
    );
    assert_eq!(store.prune_support_views().await.unwrap(), 0);
}

#[tokio::test]
async fn used_form_tokens_are_forgotten_after_a_day() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let (old, new) = ("a".repeat(64), "b".repeat(64));
    assert!(store
        .rotate_webhook_secret(shop.id, "s1", &old, &By::Operator)
        .await
        .unwrap());
    assert!(store
        .rotate_webhook_secret(shop.id, "s2", &new, &By::Operator)
        .await
        .unwrap());
    let a_day_ago = time_in(-chrono::Duration::days(forms::USED_FORMS_KEPT_DAYS) - chrono::Duration::seconds(1));
    sqlx::query("UPDATE used_forms SET used_at = $1 WHERE token = $2")
        .bind(&a_day_ago)
        .bind(&old)
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(store.prune_used_forms().await.unwrap(), 1);
    assert!(
        !store
            .rotate_webhook_secret(shop.id, "s3", &new, &By::Operator)
            .await
            .unwrap(),
        "the recent token stays"
    );
    assert_eq!(store.prune_used_forms().await.unwrap(), 0);
}

#[tokio::test]
async fn a_shop_keeps_its_newest_hundred_used_form_tokens() {
    let (_dir, store) = store().await;
    let other = store.create_shop(&shop("b")).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    assert!(store
        .rotate_webhook_secret(other.id, "b", &"b".repeat(64), &By::Operator)
        .await
        .unwrap());
    let token = |i: usize| format!("{i:064x}");
    let kept = forms::USED_FORMS_KEPT as usize;
    for i in 0..kept + 5 {
        assert!(store
            .rotate_webhook_secret(shop.id, "s", &token(i), &By::Operator)
            .await
            .unwrap());
    }
    let count = |shop_id: i64| {
        let store = &store;
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM used_forms WHERE shop_id = $1")
                .bind(shop_id)
                .fetch_one(&store.pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(count(shop.id).await, forms::USED_FORMS_KEPT);
    assert_eq!(count(other.id).await, 1, "another shop's tokens stay");
    let last = token(kept + 4);
    assert!(
        !store
            .rotate_webhook_secret(shop.id, "s", &last, &By::Operator)
            .await
            .unwrap(),
        "the newest stays"
    );
}
