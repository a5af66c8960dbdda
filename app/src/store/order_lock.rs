//! One order's writers take turns: every write and erasure of an order holds
//! it first.

use super::lookup_id::sha256_prefix;
use super::{Backend, StoreError};
use sqlx::{Any, Transaction};

/// Makes the transaction's writes to one order wait for the others' (every
/// write and erasure of an order takes it first; the demo's bulk load takes
/// all of its orders' at once, [`hold_orders`]). SQLite: nothing more, its
/// write transaction already holds the database. PostgreSQL: a
/// transaction-scoped advisory lock on (shop, order number), which also covers
/// an order that does not exist yet; a writer that read the order then
/// rewrites the row it read, not one erased meanwhile.
pub(super) async fn hold_order(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    shop_id: i64,
    number_key: &str,
) -> Result<(), StoreError> {
    wait_for(tx, backend, order_lock_id(shop_id, number_key)).await
}

/// [`hold_order`] for many orders at once (a bulk load, `replace_orders`,
/// which may run beside a serving server): PostgreSQL, their locks in one
/// statement, in ascending order, so that two bulk loads cannot each hold a
/// lock the other waits for (a single write holds one order's only); SQLite,
/// nothing more.
pub(super) async fn hold_orders<'k>(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    shop_id: i64,
    number_keys: impl Iterator<Item = &'k str>,
) -> Result<(), StoreError> {
    if backend != Backend::Postgres {
        return Ok(());
    }
    let mut locks: Vec<i64> = number_keys.map(|key| order_lock_id(shop_id, key)).collect();
    locks.sort_unstable();
    locks.dedup();
    if locks.is_empty() {
        return Ok(());
    }
    // Numbers made here, not text from outside: written into the statement.
    let values = locks.iter().map(|l| format!("({l})")).collect::<Vec<_>>().join(",");
    let sql = format!("SELECT pg_advisory_xact_lock(l) FROM (VALUES {values}) AS t(l) ORDER BY l");
    // Each batch's statement is its own: not kept among the prepared ones.
    sqlx::query(&sql).persistent(false).execute(&mut **tx).await?;
    Ok(())
}

/// Makes the transaction wait for the others that name the platform's order
/// `platform_id` as their own (its deliveries, its deletion): PostgreSQL, a
/// transaction-scoped advisory lock on (shop, id), taken before the order's
/// own ([`hold_order`]) by whoever takes both; SQLite, nothing more.
pub(super) async fn hold_platform_order(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    shop_id: i64,
    platform_id: &str,
) -> Result<(), StoreError> {
    let lock = sha256_prefix(&[b"platform order", &shop_id.to_be_bytes(), platform_id.as_bytes()]);
    wait_for(tx, backend, lock).await
}

/// Makes an erasure wait for the others of the same shopper's orders at the
/// shop (by their email key): each reads whether an order of theirs is left
/// once its own is gone, which two at once (two servers on PostgreSQL; one
/// server takes its erasures in turn) would each answer yes to, leaving the
/// shopper's links by email, and their address. PostgreSQL: an advisory lock,
/// taken after the order's; SQLite: nothing more.
pub(super) async fn hold_shopper(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    shop_id: i64,
    email_key: &str,
) -> Result<(), StoreError> {
    let lock = sha256_prefix(&[b"shopper", &shop_id.to_be_bytes(), email_key.as_bytes()]);
    wait_for(tx, backend, lock).await
}

/// Takes the transaction-scoped advisory lock `lock` on PostgreSQL, waiting
/// for whoever holds it; nothing on SQLite.
async fn wait_for(tx: &mut Transaction<'_, Any>, backend: Backend, lock: i64) -> Result<(), StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(lock)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The advisory lock number for writes to one order: the first 8 bytes of a
/// SHA-256 of shop and key, the same in every server process.
pub(super) fn order_lock_id(shop_id: i64, number_key: &str) -> i64 {
    sha256_prefix(&[&shop_id.to_be_bytes(), number_key.as_bytes()])
}
