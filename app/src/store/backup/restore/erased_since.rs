//! Orders erased after a backup was made, which the backup brings back:
//! found in the database as it was (the erasures its Changes page lists,
//! and the Shopify orders it remembers as erased), matched to the backup by
//! shop slug and number, and erased again in the backup's copy before it is
//! restored, as the store erases an order. The two tables are read here,
//! rather than through their modules, because they are read in whichever of
//! the schemas a backup may have (through rusqlite, before any migration);
//! the erasure itself is the store's own.

use super::{BackupError, E};
use crate::store::{By, Erasure, Guard, Store};
use rusqlite::Connection;
use std::path::Path;

/// An order erased after the backup was made: its shop and its number's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erased {
    pub slug: String,
    pub key: String,
}

/// The erasures a database records, by shop slug, number key and time, from
/// whichever of the two tables it has.
fn erasures_sql(tables: &[String]) -> Option<String> {
    let has = |t: &str| tables.iter().any(|x| x == t);
    let mut parts = Vec::new();
    if has("shop_changes") {
        parts.push(
            "SELECT s.slug, c.subject AS key, c.at FROM shop_changes c JOIN shops s ON s.id = c.shop_id
             WHERE c.what = 'erased' AND c.subject IS NOT NULL AND c.subject <> ''",
        );
    }
    if has("erased_orders") {
        parts.push(
            "SELECT s.slug, e.number_key AS key, e.erased_at AS at FROM erased_orders e JOIN shops s ON s.id = e.shop_id
             WHERE e.number_key <> ''",
        );
    }
    (!parts.is_empty()).then(|| parts.join(" UNION "))
}

/// The orders `now` (the database as it is) records as erased, holds no
/// longer, and whose erasure `backup` does not record, that `backup` holds.
pub(super) fn since(now: &Connection, backup: &Connection, db: &Path) -> Result<Vec<Erased>, BackupError> {
    let sql = |e| E::Sqlite(db.to_path_buf(), e);
    let Some(recorded) = erasures_sql(&super::tables(now).map_err(sql)?) else {
        return Ok(Vec::new());
    };
    let erased: Vec<(String, String, String)> = now
        .prepare(&format!(
            "SELECT slug, key, at FROM ({recorded}) r
             WHERE NOT EXISTS (SELECT 1 FROM orders o JOIN shops s ON s.id = o.shop_id
                               WHERE s.slug = r.slug AND o.number_key = r.key)"
        ))
        .and_then(|mut q| q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
        .map_err(sql)?;
    let in_backup = erasures_sql(&super::tables(backup).map_err(sql)?);
    let mut since: Vec<Erased> = Vec::new();
    for (slug, key, at) in erased {
        let listed: bool = match &in_backup {
            Some(recorded) => backup
                .query_row(
                    &format!("SELECT EXISTS (SELECT 1 FROM ({recorded}) WHERE slug = ?1 AND key = ?2 AND at = ?3)"),
                    [&slug, &key, &at],
                    |r| r.get(0),
                )
                .map_err(sql)?,
            None => false,
        };
        let held: bool = backup
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM orders o JOIN shops s ON s.id = o.shop_id
                                WHERE s.slug = ?1 AND o.number_key = ?2)",
                [&slug, &key],
                |r| r.get(0),
            )
            .map_err(sql)?;
        let order = Erased { slug, key };
        if !listed && held && !since.contains(&order) {
            since.push(order);
        }
    }
    Ok(since)
}

/// Erases `orders` again in the SQLite database of `url` (the backup's
/// copy), migrated to this version first; recorded as the operator's.
/// Returns those erased.
pub(super) async fn erase_again(url: &str, orders: &[Erased]) -> Result<Vec<Erased>, BackupError> {
    let store = Store::connect(url).await?;
    let erased = async {
        store.migrate().await?;
        let mut erased = Vec::new();
        for order in orders {
            let Some(shop) = store.shop(&order.slug).await? else {
                continue;
            };
            let done = store
                .erase_order(shop.id, &order.key, Guard::Nothing, &By::Operator)
                .await?;
            if done == Erasure::Erased {
                erased.push(order.clone());
            }
        }
        Ok::<_, crate::store::StoreError>(erased)
    }
    .await;
    store.close().await;
    Ok(erased?)
}
