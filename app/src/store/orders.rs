//! Reading orders: the merchant's full order, the shopper's lookup, counts and
//! erasure. An order is one row: its keys, its document and its shopper view.

use super::changes::{By, Done};
use super::lookup_id::lookup_id;
use super::{json, readers, Backend, Store, StoreError};
use crate::normalize::email_key;
use crate::order::Order;
use crate::view::StoredView;

/// The statements that read an order's document, per backend: PostgreSQL keeps
/// the document as JSONB and hands it out as text.
pub(super) struct DocSql {
    /// The document of (shop id, number key).
    pub select: &'static str,
    /// The document and the stored shopper view of (shop id, number key).
    pub with_view: &'static str,
    /// Erases (shop id, number key), returning the document it had.
    pub erase: &'static str,
    /// Writes a new order: shop id, number key, email key, updated_at, document, shopper view.
    pub insert: &'static str,
    /// Rewrites an order: its id, number key, email key, updated_at, document, shopper view.
    pub update: &'static str,
    /// Writes an order whether or not it exists (bulk loads).
    pub upsert: &'static str,
    /// Orders without a shopper view: (id, document, view) after id $1, at most
    /// $2, locked against writers until the transaction ends.
    pub without_view: &'static str,
    /// Every order, the same way.
    pub every_view: &'static str,
    /// Whether `insert`, `update` and `upsert` take the order's lookup id as $7.
    pub keeps_lookup_rows: bool,
}

macro_rules! doc_sql {
    // `lookup`: how a backend that keeps lookup rows (SQLite, `lookup_id.rs`)
    // writes an order's lookup id ($7): the column, its value, and its update
    // in a rewrite and in an upsert. Empty where none is kept.
    // `lock`: what keeps writers off rows read to be written again (SQLite's
    // write transaction already does).
    ($doc_out:literal, $doc_in:literal, $lock:literal, lookup: [$col:literal, $val:literal, $set:literal, $excluded:literal]) => {
        DocSql {
            select: concat!(
                "SELECT id, ",
                $doc_out,
                " FROM orders WHERE shop_id = $1 AND number_key = $2"
            ),
            with_view: concat!(
                "SELECT ",
                $doc_out,
                ", shopper_view FROM orders WHERE shop_id = $1 AND number_key = $2"
            ),
            erase: concat!(
                "DELETE FROM orders WHERE shop_id = $1 AND number_key = $2 RETURNING ",
                $doc_out
            ),
            insert: concat!(
                "INSERT INTO orders (shop_id, number_key, email_key, updated_at, doc, shopper_view",
                $col,
                ") VALUES ($1, $2, $3, $4, ",
                $doc_in,
                ", $6",
                $val,
                ")"
            ),
            update: concat!(
                "UPDATE orders SET email_key = $3, updated_at = $4, doc = ",
                $doc_in,
                ", shopper_view = $6",
                $set,
                " WHERE id = $1 AND number_key = $2"
            ),
            upsert: concat!(
                "INSERT INTO orders (shop_id, number_key, email_key, updated_at, doc, shopper_view",
                $col,
                ") VALUES ($1, $2, $3, $4, ",
                $doc_in,
                ", $6",
                $val,
                ") ON CONFLICT (shop_id, number_key) DO UPDATE
                 SET email_key = excluded.email_key, updated_at = excluded.updated_at, doc = excluded.doc,
                     shopper_view = excluded.shopper_view",
                $excluded
            ),
            without_view: concat!(
                "SELECT id, ",
                $doc_out,
                ", shopper_view FROM orders WHERE shopper_view IS NULL AND id > $1 ORDER BY id LIMIT $2",
                $lock
            ),
            every_view: concat!(
                "SELECT id, ",
                $doc_out,
                ", shopper_view FROM orders WHERE id > $1 ORDER BY id LIMIT $2",
                $lock
            ),
            keeps_lookup_rows: !$col.is_empty(),
        }
    };
}

const SQLITE: DocSql = doc_sql!(
    "doc",
    "$5",
    "",
    lookup: [", lookup_id", ", $7", ", lookup_id = $7", ", lookup_id = excluded.lookup_id"]
);
const POSTGRES: DocSql = doc_sql!("doc::text", "$5::jsonb", " FOR UPDATE", lookup: ["", "", "", ""]);

impl Backend {
    pub(super) fn doc_sql(self) -> &'static DocSql {
        match self {
            Backend::Sqlite => &SQLITE,
            Backend::Postgres => &POSTGRES,
        }
    }
}

impl Store {
    /// How many orders a shop has.
    pub async fn order_count(&self, shop_id: i64) -> Result<i64, StoreError> {
        let count = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE shop_id = $1")
            .bind(shop_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(count)
    }

    /// Whether a shop has any order (without counting them all).
    pub async fn has_orders(&self, shop_id: i64) -> Result<bool, StoreError> {
        let one: Option<i64> = sqlx::query_scalar("SELECT 1 FROM orders WHERE shop_id = $1 LIMIT 1")
            .bind(shop_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(one.is_some())
    }

    /// The full stored order, internal fields included.
    pub async fn order(&self, shop_id: i64, number_key: &str) -> Result<Option<Order>, StoreError> {
        let found: Option<(i64, String)> = sqlx::query_as(self.backend.doc_sql().select)
            .bind(shop_id)
            .bind(number_key)
            .fetch_optional(&self.pool)
            .await?;
        found.map(|(_, doc)| json(&doc)).transpose()
    }

    /// The merchant's order and its stored shopper view, both read from the
    /// database itself, not through the lookup readers (which may be a replica
    /// behind it): the console's support view shows the two side by side, for
    /// an order that may have been written a moment ago.
    pub async fn order_with_view(
        &self,
        shop_id: i64,
        number_key: &str,
    ) -> Result<Option<(Order, Option<StoredView>)>, StoreError> {
        let found: Option<(String, Option<String>)> = sqlx::query_as(self.backend.doc_sql().with_view)
            .bind(shop_id)
            .bind(number_key)
            .fetch_optional(&self.pool)
            .await?;
        found
            .map(|(doc, view)| Ok((json(&doc)?, view.map(StoredView::new))))
            .transpose()
    }

    /// The stored shopper view for a lookup: found by shop slug and number, returned
    /// only when the email matches. One statement through the (shop_id, number_key)
    /// index with the email compared in it, so every kind of miss (unknown order,
    /// wrong email, another shop's order) is the same empty answer. It reads the
    /// view alone, never the merchant's document.
    pub async fn shopper_view(
        &self,
        shop_slug: &str,
        number_key: &str,
        email: &str,
    ) -> Result<Option<StoredView>, StoreError> {
        let email_key = email_key(email);
        let found = self
            .readers
            .shopper_view(shop_slug, number_key, &email_key)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        match found {
            None if self.replica_behind() => self.primary_view(shop_slug, number_key, &email_key).await,
            found => Ok(found.map(StoredView::new)),
        }
    }

    /// The plan the database chooses for the lookup queries, one line per step:
    /// on SQLite, the one through lookup rows, then the one through `orders`.
    pub async fn explain_lookup(&self) -> Result<Vec<String>, StoreError> {
        let (explain, column) = match self.backend {
            Backend::Sqlite => ("EXPLAIN QUERY PLAN", 3),
            Backend::Postgres => ("EXPLAIN", 0),
        };
        let mut lines = Vec::new();
        if self.backend == Backend::Sqlite {
            let rows = sqlx::query(&format!("{explain} {}", readers::LOOKUP_ROW))
                .bind("demo")
                .bind(1i64)
                .bind("1001")
                .bind("ada@example.com")
                .fetch_all(&self.pool)
                .await?;
            lines.extend(plan_lines(&rows, column)?);
        }
        let rows = sqlx::query(&format!("{explain} {}", readers::LOOKUP))
            .bind("demo")
            .bind("1001")
            .bind("ada@example.com")
            .fetch_all(&self.pool)
            .await?;
        lines.extend(plan_lines(&rows, column)?);
        Ok(lines)
    }

    /// Gives every order stored before lookup ids its id, a batch at a time (on
    /// SQLite; the triggers of `order_lookups` then write its lookup row); returns
    /// how many.
    pub(super) async fn fill_missing_lookup_ids(&self) -> Result<u64, StoreError> {
        const BATCH: i64 = 1000;
        if !self.backend.doc_sql().keeps_lookup_rows {
            return Ok(0);
        }
        let mut filled = 0u64;
        loop {
            let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT id, shop_id, number_key FROM orders WHERE lookup_id IS NULL ORDER BY id LIMIT $1",
            )
            .bind(BATCH)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                if filled > 0 {
                    tracing::info!(orders = filled, "stored orders given lookup ids");
                }
                return Ok(filled);
            }
            let mut tx = self.pool.begin().await?;
            for (id, shop_id, number_key) in rows {
                sqlx::query("UPDATE orders SET lookup_id = $1 WHERE id = $2")
                    .bind(lookup_id(shop_id, &number_key))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                filled += 1;
            }
            tx.commit().await?;
            self.readers.wrote();
        }
    }

    /// Erases an order, whatever it holds (the API's `DELETE`): see
    /// [`Store::erase_order`]. False when there was none.
    pub async fn delete_order(&self, shop_id: i64, number_key: &str, by: &By) -> Result<bool, StoreError> {
        let erased = self.erase_order(shop_id, number_key, Guard::Nothing, by).await?;
        Ok(erased == Erasure::Erased)
    }

    /// Erases an order and what is kept under its number: which Shopify order
    /// it was, and the abuse panel's count of refused guesses at it, written or
    /// still counted in this server's memory (on SQLite
    /// its lookup row is left empty: the migration that made them says why),
    /// and records in the shop's changes that `by` erased it, and which
    /// Shopify order it was among the erased ones (the platform's delivery of
    /// it does not bring it back: [`Updated::Erased`](super::Updated::Erased)),
    /// in the same transaction, as far as `guard` lets it ([`Guard`]). Nothing
    /// is recorded but an erasure. An account erases only while it is an
    /// owner of the shop, as the record checks (else [`StoreError::NotOwner`],
    /// nothing erased).
    pub async fn erase_order(
        &self,
        shop_id: i64,
        number_key: &str,
        guard: Guard,
        by: &By,
    ) -> Result<Erasure, StoreError> {
        let (store, number_key, by) = (self.clone(), number_key.to_owned(), by.clone());
        self.written(async move {
            let _turn = store.order_turn(shop_id, &number_key).await?;
            // Not while this server writes counts it has taken (`flush_tally`).
            let _flushing = store.tally.flushing.lock().await;
            let mut conn = store.pool.acquire().await?;
            // Held as its writers hold it (SQLite: the write lock from the
            // start), so a write at the same moment comes wholly before or after.
            let mut tx = super::begin_write(&mut conn, store.backend).await?;
            super::order_lock::hold_order(&mut tx, store.backend, shop_id, &number_key).await?;
            if let Guard::Holder(id) = &guard {
                if super::shopify::holder(&mut tx, shop_id, &number_key).await?.as_ref() != Some(id) {
                    // Not, or no longer, its order: remembered as deleted, so
                    // that the platform's order stores nothing when it comes.
                    super::erased::keep_deleted_id(&mut tx, shop_id, id).await?;
                    tx.commit().await?;
                    return Ok(Erasure::NotFound);
                }
            }
            let had: Option<String> = sqlx::query_scalar(store.backend.doc_sql().erase)
                .bind(shop_id)
                .bind(&number_key)
                .fetch_optional(&mut *tx)
                .await?;
            if let (Some(doc), Guard::Seen(seen)) = (&had, &guard) {
                if order_version(&json(doc)?) != *seen {
                    tx.rollback().await?;
                    return Ok(Erasure::Changed);
                }
            }
            if had.is_none() {
                // Nothing to erase, so nothing else is touched either.
                tx.rollback().await?;
                return Ok(Erasure::NotFound);
            }
            // Which platform order it was, so that the platform sending it
            // again does not store it again (`erased::was_erased`).
            super::erased::keep(&mut tx, shop_id, &number_key).await?;
            // The links by email to the shopper's orders here hold their address
            // (as a key): once no order of theirs is left, the links go too.
            if let Some(doc) = &had {
                let email = email_key(&json::<Order>(doc)?.email).into_owned();
                super::order_lock::hold_shopper(&mut tx, store.backend, shop_id, &email).await?;
                sqlx::query(
                    "DELETE FROM order_links WHERE shop_id = $1 AND email_key = $2
                       AND NOT EXISTS (SELECT 1 FROM orders WHERE shop_id = $1 AND email_key = $2)",
                )
                .bind(shop_id)
                .bind(&email)
                .execute(&mut *tx)
                .await?;
            }
            let subject = super::refusals::subject(&number_key);
            // Counted before subjects were kept to 256 bytes, a long number's
            // row holds its first 80.
            let earlier = crate::normalize::clip(&number_key, 80);
            let refusal = "DELETE FROM refusals WHERE shop_id = $1 AND kind = 'order' AND subject = $2";
            for (kept, key) in [
                (
                    "DELETE FROM shopify_orders WHERE shop_id = $1 AND number_key = $2",
                    number_key.as_str(),
                ),
                (refusal, subject),
                (refusal, earlier),
                // The console's list of deliveries keeps the delivery, not the number.
                (
                    "UPDATE webhook_log SET order_key = NULL WHERE shop_id = $1 AND order_key = $2",
                    number_key.as_str(),
                ),
            ] {
                sqlx::query(kept).bind(shop_id).bind(key).execute(&mut *tx).await?;
            }
            let slug: Option<String> = sqlx::query_scalar("SELECT slug FROM shops WHERE id = $1")
                .bind(shop_id)
                .fetch_optional(&mut *tx)
                .await?;
            let erased = Done::Erased {
                number_key: &number_key,
            };
            super::changes::record(&mut tx, shop_id, &by, erased).await?;
            tx.commit().await?;
            // Refusals counted here and not yet written would write the number back.
            if let Some(slug) = slug {
                store.tally.refusals.forget(&slug, super::Refused::Order, &number_key);
            }
            store.purge_log();
            Ok(Erasure::Erased)
        })
        .await
    }
}

/// What [`Store::erase_order`] checks of the order, once held, before it erases it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guard {
    /// Nothing: the order, whatever it holds.
    Nothing,
    /// Only the order as it was seen (an [`order_version`]): one written
    /// since is [`Erasure::Changed`] and stays.
    Seen(String),
    /// Only while the platform's order with this id holds the number
    /// (`shopify::holder`): another order's is [`Erasure::NotFound`] and
    /// stays, and the platform's order is remembered as erased all the same
    /// (a deletion in the platform: it stores nothing when it comes).
    Holder(String),
}

/// What [`Store::erase_order`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erasure {
    Erased,
    /// No order has the number.
    NotFound,
    /// The order was written again since it was seen: it stays.
    Changed,
}

/// Which version of an order someone saw: the first 16 bytes of the SHA-256
/// of the order as stored, read back and written out again as JSON, in hex
/// (32 characters); the same on both backends. Any write that changes
/// the document changes it.
pub fn order_version(order: &Order) -> String {
    super::short_hash(&serde_json::to_vec(order).unwrap_or_default())
}

/// The text of each row of a plan: SQLite's (id, parent, notused, detail), or
/// PostgreSQL's one column.
fn plan_lines(rows: &[sqlx::any::AnyRow], column: usize) -> Result<Vec<String>, StoreError> {
    use sqlx::Row;
    rows.iter()
        .map(|row| row.try_get::<String, _>(column).map_err(StoreError::from))
        .collect()
}
