//! Shopper views kept to the projection's rules. An order's view is made when
//! the order is written; these make the views no write made: of orders stored
//! before views were kept, and of every order when the rules change
//! (`projection::RULES` above the number the database records).

use super::{begin_write, json, Store, StoreError};
use crate::order::Order;
use crate::projection::RULES;
use crate::view::StoredView;

/// Orders read and written again in one transaction.
const BATCH: i64 = 500;

/// Which orders to make views for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    /// Orders without one.
    Missing,
    /// Every order (a view that comes out the same is not written).
    All,
}

impl Store {
    /// Writes the shopper view of every order stored without one (written before
    /// views were stored), a batch at a time; returns how many. An order whose
    /// document cannot be read is logged and left without a view: its lookups miss.
    pub(super) async fn fill_missing_views(&self) -> Result<u64, StoreError> {
        self.make_views(Which::Missing).await
    }

    /// When the database's views were made by older rules than this build's,
    /// makes every view again and records the rules; returns how many changed.
    /// A server that starts on an older database does this once, as it migrates.
    pub(super) async fn reproject_stale_views(&self) -> Result<u64, StoreError> {
        let made_by: i64 = sqlx::query_scalar("SELECT rules FROM projection WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        if made_by >= RULES {
            return Ok(0);
        }
        let changed = self.reproject_all_views().await?;
        sqlx::query("UPDATE projection SET rules = $1 WHERE id = 1 AND rules < $1")
            .bind(RULES)
            .execute(&self.pool)
            .await?;
        // A new database has nothing to make again: only a change is worth a line.
        if changed > 0 {
            tracing::info!(
                from = made_by,
                to = RULES,
                changed,
                "shopper views made again under new rules"
            );
        }
        Ok(changed)
    }

    /// Makes every order's view again from its document (`lookout migrate
    /// --reproject`: after a rolling upgrade in which servers of older rules
    /// kept writing); returns how many changed.
    pub async fn reproject_all_views(&self) -> Result<u64, StoreError> {
        self.make_views(Which::All).await
    }

    /// Batches of orders after the last one done, each read and written in one
    /// write transaction (PostgreSQL also locks the rows it read), so that a
    /// merchant's write in between is never overwritten by a view of the
    /// document before it.
    async fn make_views(&self, which: Which) -> Result<u64, StoreError> {
        let sql = self.backend.doc_sql();
        let select = match which {
            Which::Missing => sql.without_view,
            Which::All => sql.every_view,
        };
        let (mut after, mut written) = (0i64, 0u64);
        let mut conn = self.pool.acquire().await?;
        loop {
            let mut tx = begin_write(&mut conn, self.backend).await?;
            let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(select)
                .bind(after)
                .bind(BATCH)
                .fetch_all(&mut *tx)
                .await?;
            let Some((last, ..)) = rows.last() else {
                tx.commit().await?;
                return Ok(written);
            };
            after = *last;
            for (id, doc, stored) in rows {
                let view = json::<Order>(&doc).and_then(|order| StoredView::of(&order).map_err(super::corrupt));
                match view {
                    Ok(view) if stored.as_deref() == Some(view.as_str()) => {}
                    Ok(view) => {
                        sqlx::query("UPDATE orders SET shopper_view = $1 WHERE id = $2")
                            .bind(view.into_string())
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        written += 1;
                    }
                    Err(e) => {
                        tracing::error!(order_row = id, error = %e, "stored order unreadable; its view is left as it was")
                    }
                }
            }
            tx.commit().await?;
            self.readers.wrote();
        }
    }
}
