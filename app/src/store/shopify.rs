//! Which order each Shopify order id is: refund payloads name orders only by it.

use super::{Store, StoreError};
use sqlx::AnyConnection;

/// Remembers which order an external (Shopify) order id is (written with a
/// delivery's change: `Store::update_platform_order`).
pub(super) async fn link_on(
    conn: &mut AnyConnection,
    shop_id: i64,
    shopify_id: &str,
    number_key: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO shopify_orders (shop_id, shopify_order_id, number_key) VALUES ($1, $2, $3)
         ON CONFLICT (shop_id, shopify_order_id) DO UPDATE SET number_key = excluded.number_key",
    )
    .bind(shop_id)
    .bind(shopify_id)
    .bind(number_key)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// The order number key of a Shopify order id, if its order has arrived.
    pub async fn shopify_order_key(&self, shop_id: i64, shopify_id: &str) -> Result<Option<String>, StoreError> {
        let key =
            sqlx::query_scalar("SELECT number_key FROM shopify_orders WHERE shop_id = $1 AND shopify_order_id = $2")
                .bind(shop_id)
                .bind(shopify_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(key)
    }
}
