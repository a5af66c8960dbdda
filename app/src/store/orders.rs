//! Reading orders: the merchant's full order, the shopper's lookup, counts and
//! erasure. An order is one row: its keys and its document.

use super::{json, readers, Backend, Store, StoreError};
use crate::normalize::email_key;
use crate::order::Order;

/// The statements that read an order's document, per backend: PostgreSQL keeps
/// the document as JSONB and hands it out as text.
pub(super) struct DocSql {
    /// The document of (shop id, number key).
    pub select: &'static str,
    /// A lookup: shop slug, number key and email key in; the document out.
    pub lookup: &'static str,
    /// Writes a new order: shop id, number key, email key, updated_at, document.
    pub insert: &'static str,
    /// Rewrites an order: its id, number key, email key, updated_at, document.
    pub update: &'static str,
    /// Writes an order whether or not it exists (bulk loads).
    pub upsert: &'static str,
}

macro_rules! doc_sql {
    ($doc_out:literal, $doc_in:literal) => {
        DocSql {
            select: concat!(
                "SELECT id, ",
                $doc_out,
                " FROM orders WHERE shop_id = $1 AND number_key = $2"
            ),
            lookup: concat!(
                "SELECT ",
                $doc_out,
                " FROM orders o JOIN shops s ON s.id = o.shop_id
                 WHERE s.slug = $1 AND o.number_key = $2 AND o.email_key = $3"
            ),
            insert: concat!(
                "INSERT INTO orders (shop_id, number_key, email_key, updated_at, doc) VALUES ($1, $2, $3, $4, ",
                $doc_in,
                ")"
            ),
            update: concat!(
                "UPDATE orders SET email_key = $3, updated_at = $4, doc = ",
                $doc_in,
                " WHERE id = $1 AND number_key = $2"
            ),
            upsert: concat!(
                "INSERT INTO orders (shop_id, number_key, email_key, updated_at, doc) VALUES ($1, $2, $3, $4, ",
                $doc_in,
                ") ON CONFLICT (shop_id, number_key) DO UPDATE
                 SET email_key = excluded.email_key, updated_at = excluded.updated_at, doc = excluded.doc"
            ),
        }
    };
}

const SQLITE: DocSql = doc_sql!("doc", "$5");
const POSTGRES: DocSql = doc_sql!("doc::text", "$5::jsonb");

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

    /// The full stored order, internal fields included.
    pub async fn order(&self, shop_id: i64, number_key: &str) -> Result<Option<Order>, StoreError> {
        let found: Option<(i64, String)> = sqlx::query_as(self.backend.doc_sql().select)
            .bind(shop_id)
            .bind(number_key)
            .fetch_optional(&self.pool)
            .await?;
        found.map(|(_, doc)| json(&doc)).transpose()
    }

    /// The order for a lookup: found by shop slug and number, returned only when the email matches.
    pub async fn order_for_lookup(
        &self,
        shop_slug: &str,
        number_key: &str,
        email: &str,
    ) -> Result<Option<Order>, StoreError> {
        // One query through the (shop_id, number_key) index; the email is compared in
        // the same statement, so every kind of miss (unknown order, wrong email, another
        // shop's order) is the same empty answer, and a miss never reads the order itself.
        let mut conn = self
            .readers
            .get()
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let found: Result<Option<String>, sqlx::Error> = sqlx::query_scalar(self.backend.doc_sql().lookup)
            .bind(shop_slug)
            .bind(number_key)
            .bind(email_key(email))
            .fetch_optional(&mut *conn)
            .await;
        let found = match found {
            Ok(found) => found,
            Err(e) => {
                readers::Readers::discard(conn);
                return Err(e.into());
            }
        };
        // Back to the readers before the document is parsed.
        drop(conn);
        found.map(|doc| json(&doc)).transpose()
    }

    /// The plan the database chooses for the lookup query, one line per step.
    pub async fn explain_lookup(&self) -> Result<Vec<String>, StoreError> {
        let lookup = self.backend.doc_sql().lookup;
        let explain = match self.backend {
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {lookup}"),
            Backend::Postgres => format!("EXPLAIN {lookup}"),
        };
        let rows = sqlx::query(&explain)
            .bind("demo")
            .bind("1001")
            .bind("ada@example.com")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                use sqlx::Row;
                // SQLite: (id, parent, notused, detail); PostgreSQL: one text column.
                let column = if self.backend == Backend::Sqlite { 3 } else { 0 };
                row.try_get::<String, _>(column).map_err(StoreError::from)
            })
            .collect()
    }

    /// Erases an order. False when there was none.
    pub async fn delete_order(&self, shop_id: i64, number_key: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM orders WHERE shop_id = $1 AND number_key = $2")
            .bind(shop_id)
            .bind(number_key)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
