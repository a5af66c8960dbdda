//! Which platform orders a shop erased (a shopper's erasure request), so
//! that the platform sending one again does not bring it back: kept by the
//! erasure, looked at by the platform's deliveries, forgotten when the
//! merchant stores the order again or after a year.

use super::activity::{AUDIT_KEPT_DAYS, PRUNE_BATCH};
use super::{now, Store, StoreError};
use sqlx::{Any, Transaction};

/// Keeps which Shopify orders the number was (its links, read before the
/// erasure deletes them), in the erasure's transaction.
pub(super) async fn keep(tx: &mut Transaction<'_, Any>, shop_id: i64, number_key: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO erased_orders (shop_id, shopify_order_id, number_key, erased_at)
         SELECT shop_id, shopify_order_id, number_key, $3 FROM shopify_orders
         WHERE shop_id = $1 AND number_key = $2
         ON CONFLICT (shop_id, shopify_order_id)
         DO UPDATE SET number_key = excluded.number_key, erased_at = excluded.erased_at",
    )
    .bind(shop_id)
    .bind(number_key)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Keeps one platform order as erased by its id alone, of no number (the
/// platform deleted an order that is not here, not yet or no longer under a
/// number of its own): a merchant storing a number again does not forget
/// it. In the transaction of the caller, which holds the order or the
/// platform order.
pub(super) async fn keep_deleted_id(
    tx: &mut Transaction<'_, Any>,
    shop_id: i64,
    platform_id: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO erased_orders (shop_id, shopify_order_id, number_key, erased_at)
         VALUES ($1, $2, '', $3) ON CONFLICT (shop_id, shopify_order_id) DO NOTHING",
    )
    .bind(shop_id)
    .bind(platform_id)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Forgets the erasures of the number: the merchant stored the order again
/// (the API, an import), and the platform's news of it applies again.
pub(super) async fn forget(tx: &mut Transaction<'_, Any>, shop_id: i64, number_key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM erased_orders WHERE shop_id = $1 AND number_key = $2")
        .bind(shop_id)
        .bind(number_key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether the shop erased the platform's order `platform_id` and has not
/// stored its number again since (read in a write's transaction).
pub(super) async fn was_erased(
    tx: &mut Transaction<'_, Any>,
    shop_id: i64,
    platform_id: &str,
) -> Result<bool, StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM erased_orders WHERE shop_id = $1 AND shopify_order_id = $2")
            .bind(shop_id)
            .bind(platform_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.is_some())
}

impl Store {
    /// Keeps a platform's deletion of an order that is not here (its
    /// deletion arrived first): the order's own deliveries, when they come,
    /// store nothing ([`was_erased`]). Decided with the order's deliveries
    /// waiting (`order_lock::hold_platform_order`): when one linked the order
    /// meanwhile, its number instead, and nothing is kept.
    pub async fn keep_deleted(&self, shop_id: i64, platform_id: &str) -> Result<Option<String>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = super::begin_write(&mut conn, self.backend).await?;
        super::order_lock::hold_platform_order(&mut tx, self.backend, shop_id, platform_id).await?;
        let linked = super::shopify::number_of(&mut tx, shop_id, platform_id).await?;
        if linked.is_none() {
            // Of no number yet: kept a year, as erasures are.
            keep_deleted_id(&mut tx, shop_id, platform_id).await?;
        }
        tx.commit().await?;
        Ok(linked)
    }

    /// Forgets the platform orders erased [`AUDIT_KEPT_DAYS`] ago or more (a
    /// platform's delivery of one then stores it again); how many.
    pub async fn prune_erased_orders(&self) -> Result<u64, StoreError> {
        self.prune(
            "DELETE FROM erased_orders WHERE erased_at < $1 AND (shop_id, shopify_order_id) IN (
                 SELECT shop_id, shopify_order_id FROM erased_orders WHERE erased_at < $1 LIMIT $2)",
            AUDIT_KEPT_DAYS,
            PRUNE_BATCH,
        )
        .await
    }
}
