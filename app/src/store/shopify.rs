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

/// The platform's orders linked to an order number (a return's own id, which
/// is linked to its order's number too, apart).
pub(super) async fn orders_linked(
    conn: &mut AnyConnection,
    shop_id: i64,
    number_key: &str,
) -> Result<Vec<String>, StoreError> {
    let linked: Vec<String> =
        sqlx::query_scalar("SELECT shopify_order_id FROM shopify_orders WHERE shop_id = $1 AND number_key = $2")
            .bind(shop_id)
            .bind(number_key)
            .fetch_all(conn)
            .await?;
    Ok(linked.into_iter().filter(|id| !is_return(id)).collect())
}

/// The platform's order that holds an order number: of the orders linked to
/// it, the one with the greatest id ([`by_id`]; the write that links a second
/// one decides which holds it, `writes::takes_over`).
pub(super) async fn holder(
    conn: &mut AnyConnection,
    shop_id: i64,
    number_key: &str,
) -> Result<Option<String>, StoreError> {
    let linked = orders_linked(conn, shop_id, number_key).await?;
    Ok(linked.into_iter().max_by(|a, b| by_id(a, b)))
}

/// Orders two platform ids as numbers when they are (Shopify's are: the
/// shorter first, then digit by digit); other ids by length, then text.
pub(super) fn by_id(a: &str, b: &str) -> std::cmp::Ordering {
    (a.len(), a).cmp(&(b.len(), b))
}

/// Whether a return's step may be merged into the order of `number_key`:
/// the order it is a return of (`order`, when the step names it) holds the
/// number, or no platform order is linked to it (an order the merchant
/// stored); a step naming only the return, while the return is still linked
/// to the number (an erasure, or another order taking the number, forgets it).
pub(super) async fn return_still_held(
    conn: &mut AnyConnection,
    shop_id: i64,
    number_key: &str,
    order: Option<&str>,
    link: &str,
) -> Result<bool, StoreError> {
    Ok(match order {
        Some(order) => holder(conn, shop_id, number_key).await?.is_none_or(|h| h == order),
        None => number_of(conn, shop_id, link).await?.as_deref() == Some(number_key),
    })
}

/// The order number a platform id is linked to.
pub(super) async fn number_of(
    conn: &mut AnyConnection,
    shop_id: i64,
    platform_id: &str,
) -> Result<Option<String>, StoreError> {
    let key = sqlx::query_scalar("SELECT number_key FROM shopify_orders WHERE shop_id = $1 AND shopify_order_id = $2")
        .bind(shop_id)
        .bind(platform_id)
        .fetch_optional(conn)
        .await?;
    Ok(key)
}

/// Forgets every link to an order number but `kept`'s (its returns' too):
/// another of the platform's orders took the number, and what was linked to
/// it is no longer this number's.
pub(super) async fn unlink_others(
    conn: &mut AnyConnection,
    shop_id: i64,
    number_key: &str,
    kept: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM shopify_orders WHERE shop_id = $1 AND number_key = $2 AND shopify_order_id <> $3")
        .bind(shop_id)
        .bind(number_key)
        .bind(kept)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether a linked id is a return's own (`return:…`), not an order's.
pub(super) fn is_return(id: &str) -> bool {
    id.starts_with("return:")
}

impl Store {
    /// The order number key of a Shopify order id, if its order has arrived.
    pub async fn shopify_order_key(&self, shop_id: i64, shopify_id: &str) -> Result<Option<String>, StoreError> {
        number_of(&mut *self.pool.acquire().await?, shop_id, shopify_id).await
    }
}
