//! The order database. Everything that touches SQL lives here, behind a small
//! set of methods, so a second backend can slot in without touching callers.

use crate::normalize::{email_key, order_number_key};
use crate::order::{is_older, Address, LineItem, Order, Return, Shipment, TimelineEvent};
use crate::status::{
    FulfillmentStatus, OrderStatus, PaymentStatus, RefundStatus, ReturnStatus, ShipmentStatus, Visibility,
};
use crate::view::{Refund, Totals, TrackingEvent};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{FromRow, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// What can go wrong in the store. Callers map these to answers; the text of
/// `Database` is for logs only.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database URL {0:?} is not supported (use sqlite://PATH)")]
    UnsupportedUrl(String),
    #[error("a shop with the slug {0:?} already exists")]
    ShopExists(String),
    #[error("the stored order is newer than this update")]
    Stale,
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

/// A shop as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shop {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub locale: String,
    pub accent: Option<String>,
    pub allowed_origins: Vec<String>,
}

/// A new shop's settings.
#[derive(Debug, Clone)]
pub struct NewShop {
    pub slug: String,
    pub name: String,
    pub locale: String,
    pub accent: Option<String>,
    pub allowed_origins: Vec<String>,
    pub webhook_secret: String,
}

/// Changes to a shop's settings; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct ShopUpdate {
    pub name: Option<String>,
    pub locale: Option<String>,
    /// `Some(None)` removes the accent colour.
    pub accent: Option<Option<String>>,
    /// Replaces the whole list.
    pub allowed_origins: Option<Vec<String>>,
}

/// A stored API key: its shop and its Argon2id hash.
#[derive(Debug, Clone)]
pub struct StoredKey {
    pub shop_id: i64,
    pub hash: String,
}

/// What may be shown of a stored key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub prefix: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// Whether a write created the order or replaced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    Created,
    Replaced,
}

/// The handle to the order database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database at `url`: SQLite in WAL mode with foreign keys on.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if !url.starts_with("sqlite:") {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("../migrations/sqlite").run(&self.pool).await?;
        Ok(())
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Closes every connection; pending work finishes first.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    // ---- shops and keys

    /// Creates a shop; the slug must be new.
    pub async fn create_shop(&self, shop: &NewShop) -> Result<Shop, StoreError> {
        let origins = serde_json::to_string(&shop.allowed_origins).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let result = sqlx::query(
            "INSERT INTO shops (slug, name, locale, accent, allowed_origins, webhook_secret, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&shop.slug)
        .bind(&shop.name)
        .bind(&shop.locale)
        .bind(&shop.accent)
        .bind(origins)
        .bind(&shop.webhook_secret)
        .bind(now())
        .execute(&self.pool)
        .await;
        match result {
            Ok(done) => Ok(Shop {
                id: done.last_insert_rowid(),
                slug: shop.slug.clone(),
                name: shop.name.clone(),
                locale: shop.locale.clone(),
                accent: shop.accent.clone(),
                allowed_origins: shop.allowed_origins.clone(),
            }),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::ShopExists(shop.slug.clone())),
            Err(e) => Err(e.into()),
        }
    }

    /// The shop with this slug, if any.
    pub async fn shop(&self, slug: &str) -> Result<Option<Shop>, StoreError> {
        let row: Option<ShopRow> =
            sqlx::query_as("SELECT id, slug, name, locale, accent, allowed_origins FROM shops WHERE slug = ?")
                .bind(slug)
                .fetch_optional(&self.pool)
                .await?;
        row.map(ShopRow::into_shop).transpose()
    }

    /// Changes a shop's settings; `None` leaves a setting as it is. False when there is no such shop.
    pub async fn update_shop(&self, slug: &str, update: &ShopUpdate) -> Result<bool, StoreError> {
        let origins = update
            .allowed_origins
            .as_ref()
            .map(|o| serde_json::to_string(o).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()?;
        let done = sqlx::query(
            "UPDATE shops SET
                name = COALESCE(?, name),
                locale = COALESCE(?, locale),
                accent = CASE WHEN ? THEN ? ELSE accent END,
                allowed_origins = COALESCE(?, allowed_origins)
             WHERE slug = ?",
        )
        .bind(&update.name)
        .bind(&update.locale)
        .bind(update.accent.is_some())
        .bind(update.accent.clone().flatten())
        .bind(origins)
        .bind(slug)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Stores a new API key's hash under its public prefix.
    pub async fn insert_key(&self, shop_id: i64, prefix: &str, hash: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO api_keys (shop_id, prefix, hash, created_at) VALUES (?, ?, ?, ?)")
            .bind(shop_id)
            .bind(prefix)
            .bind(hash)
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A shop's keys, newest first: prefix, created, revoked (never the hash).
    pub async fn keys(&self, shop_id: i64) -> Result<Vec<KeyInfo>, StoreError> {
        let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT prefix, created_at, revoked_at FROM api_keys WHERE shop_id = ? ORDER BY created_at DESC, id DESC",
        )
        .bind(shop_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(prefix, created_at, revoked_at)| KeyInfo {
                prefix,
                created_at,
                revoked_at,
            })
            .collect())
    }

    /// Revokes a shop's live key by its prefix. False when there is no such live key.
    pub async fn revoke_key(&self, shop_id: i64, prefix: &str) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = ? WHERE shop_id = ? AND prefix = ? AND revoked_at IS NULL")
                .bind(now())
                .bind(shop_id)
                .bind(prefix)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The live (unrevoked) key with this prefix, if any.
    pub async fn key_by_prefix(&self, prefix: &str) -> Result<Option<StoredKey>, StoreError> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT shop_id, hash FROM api_keys WHERE prefix = ? AND revoked_at IS NULL")
                .bind(prefix)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(shop_id, hash)| StoredKey { shop_id, hash }))
    }

    // ---- orders

    /// Creates or replaces one order in one transaction. An update whose
    /// `updated_at` is older than the stored one changes nothing and fails with `Stale`.
    pub async fn put_order(&self, shop_id: i64, order: &Order) -> Result<PutOutcome, StoreError> {
        // IMMEDIATE takes the write lock up front, so the staleness check and the
        // write see the same database even with concurrent writers.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let key = order_number_key(&order.order_number);
        let existing: Option<(i64, String)> =
            sqlx::query_as("SELECT id, updated_at FROM orders WHERE shop_id = ? AND number_key = ?")
                .bind(shop_id)
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await?;
        let outcome = match existing {
            Some((id, stored_updated_at)) => {
                if is_older(&order.updated_at, &stored_updated_at).unwrap_or(false) {
                    return Err(StoreError::Stale);
                }
                // Children go with the row (ON DELETE CASCADE); the order is rewritten whole.
                sqlx::query("DELETE FROM orders WHERE id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                PutOutcome::Replaced
            }
            None => PutOutcome::Created,
        };
        insert_order(&mut tx, shop_id, &key, order).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The full stored order, internal fields included.
    pub async fn order(&self, shop_id: i64, number_key: &str) -> Result<Option<Order>, StoreError> {
        let row: Option<OrderRow> = sqlx::query_as(ORDER_SELECT)
            .bind(shop_id)
            .bind(number_key)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some(self.load_children(row).await?)),
            None => Ok(None),
        }
    }

    /// The order for a lookup: found by shop slug and number, returned only when the email matches.
    pub async fn order_for_lookup(
        &self,
        shop_slug: &str,
        number_key: &str,
        email: &str,
    ) -> Result<Option<Order>, StoreError> {
        // Only the id and the email key are read until the email matches, so every kind
        // of miss (unknown order, wrong email, another shop's order) does the same small work.
        let candidate: Option<(i64, String)> = sqlx::query_as(
            "SELECT o.id, o.email_key FROM orders o JOIN shops s ON s.id = o.shop_id
             WHERE s.slug = ? AND o.number_key = ?",
        )
        .bind(shop_slug)
        .bind(number_key)
        .fetch_optional(&self.pool)
        .await?;
        let expected = email_key(email);
        let id = match candidate {
            Some((id, stored)) if constant_time_eq(stored.as_bytes(), expected.as_bytes()) => id,
            _ => return Ok(None),
        };
        let row: Option<OrderRow> = sqlx::query_as("SELECT * FROM orders WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some(self.load_children(row).await?)),
            None => Ok(None),
        }
    }

    /// Erases an order and everything under it. False when there was none.
    pub async fn delete_order(&self, shop_id: i64, number_key: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM orders WHERE shop_id = ? AND number_key = ?")
            .bind(shop_id)
            .bind(number_key)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn load_children(&self, row: OrderRow) -> Result<Order, StoreError> {
        let line_items: Vec<LineItemRow> =
            sqlx::query_as("SELECT * FROM line_items WHERE order_id = ? ORDER BY position")
                .bind(row.id)
                .fetch_all(&self.pool)
                .await?;
        let shipment_rows: Vec<ShipmentRow> =
            sqlx::query_as("SELECT * FROM shipments WHERE order_id = ? ORDER BY position")
                .bind(row.id)
                .fetch_all(&self.pool)
                .await?;
        let event_rows: Vec<EventRow> = sqlx::query_as(
            "SELECT e.* FROM tracking_events e JOIN shipments s ON s.id = e.shipment_id
             WHERE s.order_id = ? ORDER BY e.shipment_id, e.position",
        )
        .bind(row.id)
        .fetch_all(&self.pool)
        .await?;
        let return_rows: Vec<ReturnRow> = sqlx::query_as("SELECT * FROM returns WHERE order_id = ? ORDER BY position")
            .bind(row.id)
            .fetch_all(&self.pool)
            .await?;
        let timeline_rows: Vec<TimelineRow> =
            sqlx::query_as("SELECT * FROM timeline_events WHERE order_id = ? ORDER BY position")
                .bind(row.id)
                .fetch_all(&self.pool)
                .await?;

        let mut shipments = Vec::with_capacity(shipment_rows.len());
        for s in shipment_rows {
            let events = event_rows
                .iter()
                .filter(|e| e.shipment_id == s.id)
                .map(|e| {
                    Ok(TrackingEvent {
                        at: e.at.clone(),
                        status: word(&e.status, ShipmentStatus::parse)?,
                        message: e.message.clone(),
                        location: e.location.clone(),
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            shipments.push(Shipment {
                status: word(&s.status, ShipmentStatus::parse)?,
                line_items: json(&s.line_items)?,
                id: s.ext_id,
                carrier: s.carrier,
                tracking_number: s.tracking_number,
                tracking_url: s.tracking_url,
                estimated_delivery: s.estimated_delivery,
                shipped_at: s.shipped_at,
                delivered_at: s.delivered_at,
                events,
            });
        }
        let returns = return_rows
            .into_iter()
            .map(|r| {
                let refund = match (r.refund_status, r.refund_amount) {
                    (Some(status), Some(amount)) => Some(Refund {
                        status: word(&status, RefundStatus::parse)?,
                        amount,
                    }),
                    _ => None,
                };
                Ok(Return {
                    status: word(&r.status, ReturnStatus::parse)?,
                    line_items: json(&r.line_items)?,
                    id: r.ext_id,
                    requested_at: r.requested_at,
                    reason: r.reason,
                    refund,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let timeline = timeline_rows
            .into_iter()
            .map(|t| {
                Ok(TimelineEvent {
                    visibility: word(&t.visibility, Visibility::parse)?,
                    at: t.at,
                    kind: t.kind,
                    message: t.message,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let quantity = |q: i64| u32::try_from(q).map_err(|_| StoreError::Corrupt(format!("quantity {q}")));
        let line_items = line_items
            .into_iter()
            .map(|li| {
                Ok(LineItem {
                    quantity: quantity(li.quantity)?,
                    id: li.ext_id,
                    title: li.title,
                    variant: li.variant,
                    price: li.price,
                    image_url: li.image_url,
                    sku: li.sku,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;

        Ok(Order {
            status: word(&row.status, OrderStatus::parse)?,
            payment_status: word(&row.payment_status, PaymentStatus::parse)?,
            fulfillment_status: word(&row.fulfillment_status, FulfillmentStatus::parse)?,
            return_status: word(&row.return_status, ReturnStatus::parse)?,
            shipping_address: row.shipping_address.as_deref().map(json::<Address>).transpose()?,
            tags: json(&row.tags)?,
            order_number: row.order_number,
            email: row.email,
            placed_at: row.placed_at,
            updated_at: row.updated_at,
            cancel_reason: row.cancel_reason,
            hold_reason: row.hold_reason,
            scheduled_at: row.scheduled_at,
            currency: row.currency,
            totals: Totals {
                subtotal: row.subtotal,
                shipping: row.shipping,
                tax: row.tax,
                discounts: row.discounts,
                total: row.total,
            },
            line_items,
            shipments,
            returns,
            timeline,
            note: row.note,
        })
    }
}

const ORDER_SELECT: &str = "SELECT * FROM orders WHERE shop_id = ? AND number_key = ?";

async fn insert_order(
    tx: &mut Transaction<'static, Sqlite>,
    shop_id: i64,
    number_key: &str,
    o: &Order,
) -> Result<(), StoreError> {
    let address = o.shipping_address.as_ref().map(to_json).transpose()?;
    let order_id = sqlx::query(
        "INSERT INTO orders (shop_id, number_key, order_number, email_key, email, placed_at, updated_at,
            status, cancel_reason, payment_status, fulfillment_status, hold_reason, scheduled_at,
            return_status, currency, subtotal, shipping, tax, discounts, total, shipping_address, tags, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(shop_id)
    .bind(number_key)
    .bind(&o.order_number)
    .bind(email_key(&o.email))
    .bind(&o.email)
    .bind(&o.placed_at)
    .bind(&o.updated_at)
    .bind(o.status.as_str())
    .bind(&o.cancel_reason)
    .bind(o.payment_status.as_str())
    .bind(o.fulfillment_status.as_str())
    .bind(&o.hold_reason)
    .bind(&o.scheduled_at)
    .bind(o.return_status.as_str())
    .bind(&o.currency)
    .bind(&o.totals.subtotal)
    .bind(&o.totals.shipping)
    .bind(&o.totals.tax)
    .bind(&o.totals.discounts)
    .bind(&o.totals.total)
    .bind(address)
    .bind(to_json(&o.tags)?)
    .bind(&o.note)
    .execute(&mut **tx)
    .await?
    .last_insert_rowid();

    for (pos, li) in o.line_items.iter().enumerate() {
        sqlx::query(
            "INSERT INTO line_items (order_id, position, ext_id, title, variant, quantity, price, image_url, sku)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(order_id)
        .bind(pos as i64)
        .bind(&li.id)
        .bind(&li.title)
        .bind(&li.variant)
        .bind(i64::from(li.quantity))
        .bind(&li.price)
        .bind(&li.image_url)
        .bind(&li.sku)
        .execute(&mut **tx)
        .await?;
    }
    for (pos, s) in o.shipments.iter().enumerate() {
        let shipment_id = sqlx::query(
            "INSERT INTO shipments (order_id, position, ext_id, status, carrier, tracking_number, tracking_url,
                estimated_delivery, shipped_at, delivered_at, line_items)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(order_id)
        .bind(pos as i64)
        .bind(&s.id)
        .bind(s.status.as_str())
        .bind(&s.carrier)
        .bind(&s.tracking_number)
        .bind(&s.tracking_url)
        .bind(&s.estimated_delivery)
        .bind(&s.shipped_at)
        .bind(&s.delivered_at)
        .bind(to_json(&s.line_items)?)
        .execute(&mut **tx)
        .await?
        .last_insert_rowid();
        for (epos, e) in s.events.iter().enumerate() {
            sqlx::query(
                "INSERT INTO tracking_events (shipment_id, position, at, status, message, location)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(shipment_id)
            .bind(epos as i64)
            .bind(&e.at)
            .bind(e.status.as_str())
            .bind(&e.message)
            .bind(&e.location)
            .execute(&mut **tx)
            .await?;
        }
    }
    for (pos, r) in o.returns.iter().enumerate() {
        sqlx::query(
            "INSERT INTO returns (order_id, position, ext_id, status, requested_at, reason, line_items,
                refund_status, refund_amount)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(order_id)
        .bind(pos as i64)
        .bind(&r.id)
        .bind(r.status.as_str())
        .bind(&r.requested_at)
        .bind(&r.reason)
        .bind(to_json(&r.line_items)?)
        .bind(r.refund.as_ref().map(|f| f.status.as_str()))
        .bind(r.refund.as_ref().map(|f| f.amount.clone()))
        .execute(&mut **tx)
        .await?;
    }
    for (pos, t) in o.timeline.iter().enumerate() {
        sqlx::query(
            "INSERT INTO timeline_events (order_id, position, at, kind, message, visibility)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(order_id)
        .bind(pos as i64)
        .bind(&t.at)
        .bind(&t.kind)
        .bind(&t.message)
        .bind(t.visibility.as_str())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[derive(FromRow)]
struct ShopRow {
    id: i64,
    slug: String,
    name: String,
    locale: String,
    accent: Option<String>,
    allowed_origins: String,
}

impl ShopRow {
    fn into_shop(self) -> Result<Shop, StoreError> {
        Ok(Shop {
            allowed_origins: json(&self.allowed_origins)?,
            id: self.id,
            slug: self.slug,
            name: self.name,
            locale: self.locale,
            accent: self.accent,
        })
    }
}

#[derive(FromRow)]
struct OrderRow {
    id: i64,
    order_number: String,
    email: String,
    placed_at: String,
    updated_at: String,
    status: String,
    cancel_reason: Option<String>,
    payment_status: String,
    fulfillment_status: String,
    hold_reason: Option<String>,
    scheduled_at: Option<String>,
    return_status: String,
    currency: String,
    subtotal: String,
    shipping: String,
    tax: String,
    discounts: String,
    total: String,
    shipping_address: Option<String>,
    tags: String,
    note: Option<String>,
}

#[derive(FromRow)]
struct LineItemRow {
    ext_id: String,
    title: String,
    variant: Option<String>,
    quantity: i64,
    price: String,
    image_url: Option<String>,
    sku: Option<String>,
}

#[derive(FromRow)]
struct ShipmentRow {
    id: i64,
    ext_id: String,
    status: String,
    carrier: Option<String>,
    tracking_number: Option<String>,
    tracking_url: Option<String>,
    estimated_delivery: Option<String>,
    shipped_at: Option<String>,
    delivered_at: Option<String>,
    line_items: String,
}

#[derive(FromRow)]
struct EventRow {
    shipment_id: i64,
    at: String,
    status: String,
    message: Option<String>,
    location: Option<String>,
}

#[derive(FromRow)]
struct ReturnRow {
    ext_id: String,
    status: String,
    requested_at: String,
    reason: Option<String>,
    line_items: String,
    refund_status: Option<String>,
    refund_amount: Option<String>,
}

#[derive(FromRow)]
struct TimelineRow {
    at: String,
    kind: String,
    message: String,
    visibility: String,
}

fn word<T>(value: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    parse(value).ok_or_else(|| StoreError::Corrupt(format!("unknown status word {value:?}")))
}

fn json<T: serde::de::DeserializeOwned>(value: &str) -> Result<T, StoreError> {
    serde_json::from_str(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Compares without an early exit, so the time taken says nothing about where two emails differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::parse_order;

    const EXAMPLE: &str = include_str!("../../fixtures/order-1001.json");

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        (dir, store)
    }

    fn shop(slug: &str) -> NewShop {
        NewShop {
            slug: slug.into(),
            name: slug.into(),
            locale: "en".into(),
            accent: None,
            allowed_origins: vec![],
            webhook_secret: "s".into(),
        }
    }

    #[tokio::test]
    async fn an_order_reads_back_exactly_as_written() {
        let (_dir, store) = store().await;
        let shop = store.create_shop(&shop("a")).await.unwrap();
        let order = parse_order(EXAMPLE.as_bytes()).unwrap();
        assert_eq!(store.put_order(shop.id, &order).await.unwrap(), PutOutcome::Created);
        assert_eq!(store.order(shop.id, "1001").await.unwrap(), Some(order.clone()));
        assert_eq!(store.put_order(shop.id, &order).await.unwrap(), PutOutcome::Replaced);
    }

    #[tokio::test]
    async fn an_older_update_changes_nothing() {
        let (_dir, store) = store().await;
        let shop = store.create_shop(&shop("a")).await.unwrap();
        let order = parse_order(EXAMPLE.as_bytes()).unwrap();
        store.put_order(shop.id, &order).await.unwrap();
        let mut older = order.clone();
        older.updated_at = "2026-11-01T00:00:00Z".into();
        older.note = Some("overwritten".into());
        assert!(matches!(store.put_order(shop.id, &older).await, Err(StoreError::Stale)));
        assert_eq!(store.order(shop.id, "1001").await.unwrap(), Some(order));
    }

    #[tokio::test]
    async fn lookup_needs_the_right_email_and_shop() {
        let (_dir, store) = store().await;
        let a = store.create_shop(&shop("a")).await.unwrap();
        store.create_shop(&shop("b")).await.unwrap();
        store
            .put_order(a.id, &parse_order(EXAMPLE.as_bytes()).unwrap())
            .await
            .unwrap();
        assert!(store
            .order_for_lookup("a", "1001", " ADA@example.com")
            .await
            .unwrap()
            .is_some());
        assert!(store
            .order_for_lookup("a", "1001", "eve@example.com")
            .await
            .unwrap()
            .is_none());
        assert!(store
            .order_for_lookup("b", "1001", "ada@example.com")
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn deleting_an_order_removes_its_children() {
        let (_dir, store) = store().await;
        let shop = store.create_shop(&shop("a")).await.unwrap();
        store
            .put_order(shop.id, &parse_order(EXAMPLE.as_bytes()).unwrap())
            .await
            .unwrap();
        assert!(store.delete_order(shop.id, "1001").await.unwrap());
        assert!(!store.delete_order(shop.id, "1001").await.unwrap());
        for table in [
            "line_items",
            "shipments",
            "tracking_events",
            "returns",
            "timeline_events",
        ] {
            let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&store.pool)
                .await
                .unwrap();
            assert_eq!(n, 0, "{table}");
        }
    }

    #[tokio::test]
    async fn shop_settings_change_only_where_asked() {
        let (_dir, store) = store().await;
        store.create_shop(&shop("a")).await.unwrap();
        let update = ShopUpdate {
            allowed_origins: Some(vec!["https://a.example".into()]),
            accent: Some(Some("#123456".into())),
            ..ShopUpdate::default()
        };
        assert!(store.update_shop("a", &update).await.unwrap());
        let a = store.shop("a").await.unwrap().unwrap();
        assert_eq!(a.allowed_origins, ["https://a.example"]);
        assert_eq!(a.accent.as_deref(), Some("#123456"));
        assert_eq!(a.locale, "en");
        let clear = ShopUpdate {
            accent: Some(None),
            locale: Some("de".into()),
            ..ShopUpdate::default()
        };
        assert!(store.update_shop("a", &clear).await.unwrap());
        let a = store.shop("a").await.unwrap().unwrap();
        assert_eq!((a.accent, a.locale.as_str()), (None, "de"));
        assert_eq!(a.allowed_origins, ["https://a.example"]);
        assert!(!store.update_shop("nope", &clear).await.unwrap());
    }

    #[tokio::test]
    async fn a_duplicate_slug_is_refused() {
        let (_dir, store) = store().await;
        store.create_shop(&shop("a")).await.unwrap();
        assert!(matches!(
            store.create_shop(&shop("a")).await,
            Err(StoreError::ShopExists(_))
        ));
    }
}
