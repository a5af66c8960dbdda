//! The order database. Everything that touches SQL lives here, behind a small
//! set of methods. One code path serves both backends through sqlx's `Any`
//! driver: SQLite (`sqlite://PATH`) for one machine, PostgreSQL
//! (`postgres://…`) for several servers sharing one database. Every statement
//! is written once, in SQL both understand (`$1` placeholders, `RETURNING`).

mod allowances;
mod readers;

use crate::normalize::{email_key, order_number_key};
use crate::order::{is_older, Address, LineItem, Order, Return, Shipment, TimelineEvent};
use crate::status::{
    FulfillmentStatus, OrderStatus, PaymentStatus, RefundStatus, ReturnStatus, ShipmentStatus, Visibility,
};
use crate::view::{Refund, Totals, TrackingEvent};
use sha2::{Digest, Sha256};
use sqlx::any::AnyPoolOptions;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Connection, FromRow, Transaction};
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
    #[error("the database URL {0:?} is not supported (use sqlite://PATH or postgres://USER@HOST/DATABASE)")]
    UnsupportedUrl(String),
    #[error("a shop with the slug {0:?} already exists")]
    ShopExists(String),
    #[error("the stored order is newer than this update")]
    Stale,
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("the lookup database: {0}")]
    LookupUrl(String),
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

/// Which database a store talks to, from its URL's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names, if it is one Lookout speaks.
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// How many connections a server keeps unless told otherwise. SQLite has one
/// writer at a time and reads in-process, so a few suffice; PostgreSQL serves many
/// servers, each with a modest pool (docs/benchmarks.md has the measurements behind these).
pub const SQLITE_POOL: u32 = 4;
pub const POSTGRES_POOL: u32 = 8;
/// How long a request waits for a connection before the database counts as
/// unavailable: while the database is down, every request waits this long and is
/// answered 503; under load, a request queued longer than this is shed the same way.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// How to open a store, beyond its URL.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// Connections per pool (`None`: [`SQLITE_POOL`] or [`POSTGRES_POOL`]).
    pub pool_size: Option<u32>,
    /// Where lookups read (`None`: the store's own URL): a PostgreSQL read replica, say.
    pub lookup_url: Option<String>,
}

/// Connections of the pool: open and busy, open and idle, and the most it may open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    pub in_use: u32,
    pub idle: u32,
    pub max: u32,
}

/// The handle to the order database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    /// Connections for lookups only (see `readers`).
    readers: readers::Readers,
    backend: Backend,
}

impl Store {
    /// Opens the database at `url`. SQLite files are created if missing and run in
    /// WAL mode with foreign keys on; PostgreSQL databases must exist.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, &StoreOptions::default()).await
    }

    /// Opens the database at `url` with these options. A lookup URL must name the
    /// same kind of database, and must answer now.
    pub async fn connect_with(url: &str, store_options: &StoreOptions) -> Result<Self, StoreError> {
        let backend = Backend::of_url(url).ok_or_else(|| StoreError::UnsupportedUrl(url.to_string()))?;
        let lookup_url = store_options.lookup_url.as_deref().unwrap_or(url);
        if Backend::of_url(lookup_url) != Some(backend) {
            return Err(StoreError::LookupUrl(format!(
                "{lookup_url:?} is not the same kind of database as {url:?}"
            )));
        }
        let pool_size = store_options.pool_size;
        sqlx::any::install_default_drivers();
        let mut options = AnyPoolOptions::new().acquire_timeout(ACQUIRE_TIMEOUT);
        options = match backend {
            Backend::Sqlite => {
                // Create the file and switch it to WAL (a setting the file keeps) once,
                // then give every pooled connection its per-connection settings.
                SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .connect()
                    .await?
                    .close()
                    .await?;
                options
                    .max_connections(pool_size.unwrap_or(SQLITE_POOL))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            for pragma in [
                                "PRAGMA foreign_keys = ON",
                                "PRAGMA synchronous = NORMAL",
                                "PRAGMA busy_timeout = 10000",
                            ] {
                                sqlx::query(pragma).execute(&mut *conn).await?;
                            }
                            Ok(())
                        })
                    })
            }
            Backend::Postgres => options.max_connections(pool_size.unwrap_or(POSTGRES_POOL)),
        };
        let size = options.get_max_connections();
        let pool = options.connect(url).await?;
        let readers = readers::Readers::new(lookup_url, backend == Backend::Sqlite, size, ACQUIRE_TIMEOUT)
            .map_err(|e| StoreError::LookupUrl(e.to_string()))?;
        if store_options.lookup_url.is_some() {
            // A separate lookup database is checked now, not at the first shopper's lookup.
            let first = readers.get().await.map_err(|e| StoreError::LookupUrl(e.to_string()))?;
            drop(first);
        }
        Ok(Self { pool, readers, backend })
    }

    /// The database this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// How the connections are used right now: the main pool and the lookups' read
    /// connections together.
    pub fn pool_status(&self) -> PoolStatus {
        let size = self.pool.size();
        let idle = u32::try_from(self.pool.num_idle()).unwrap_or(size);
        let readers = self.readers.status();
        PoolStatus {
            in_use: size.saturating_sub(idle) + readers.in_use,
            idle: idle + readers.idle,
            max: self.pool.options().get_max_connections() + readers.max,
        }
    }

    /// Applies every pending migration (PostgreSQL: under a lock, so servers
    /// starting together migrate once).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("../migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Closes every connection; pending work finishes first.
    pub async fn close(&self) {
        self.readers.close();
        self.pool.close().await;
    }

    // ---- shops and keys

    /// Creates a shop; the slug must be new.
    pub async fn create_shop(&self, shop: &NewShop) -> Result<Shop, StoreError> {
        let origins = serde_json::to_string(&shop.allowed_origins).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let result = sqlx::query_scalar::<_, i64>(
            "INSERT INTO shops (slug, name, locale, accent, allowed_origins, webhook_secret, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&shop.slug)
        .bind(&shop.name)
        .bind(&shop.locale)
        .bind(&shop.accent)
        .bind(origins)
        .bind(&shop.webhook_secret)
        .bind(now())
        .fetch_one(&self.pool)
        .await;
        match result {
            Ok(id) => Ok(Shop {
                id,
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
            sqlx::query_as("SELECT id, slug, name, locale, accent, allowed_origins FROM shops WHERE slug = $1")
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
                name = COALESCE($1, name),
                locale = COALESCE($2, locale),
                accent = CASE WHEN $3 THEN $4 ELSE accent END,
                allowed_origins = COALESCE($5, allowed_origins)
             WHERE slug = $6",
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

    /// The shop's webhook secret, if the shop exists.
    pub async fn webhook_secret(&self, slug: &str) -> Result<Option<(Shop, String)>, StoreError> {
        let row: Option<ShopSecretRow> = sqlx::query_as(
            "SELECT id, slug, name, locale, accent, allowed_origins, webhook_secret FROM shops WHERE slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.shop.into_shop()?, r.webhook_secret))).transpose()
    }

    /// Replaces a shop's webhook secret. False when there is no such shop.
    pub async fn set_webhook_secret(&self, slug: &str, secret: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE shops SET webhook_secret = $1 WHERE slug = $2")
            .bind(secret)
            .bind(slug)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// True when this webhook delivery was already applied for the shop.
    pub async fn delivery_seen(&self, shop_id: i64, webhook_id: &str) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT shop_id FROM webhook_deliveries WHERE shop_id = $1 AND webhook_id = $2")
                .bind(shop_id)
                .bind(webhook_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Records a webhook delivery as applied; a second record of the same id is a no-op.
    pub async fn record_delivery(&self, shop_id: i64, webhook_id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO webhook_deliveries (shop_id, webhook_id, received_at) VALUES ($1, $2, $3)
             ON CONFLICT (shop_id, webhook_id) DO NOTHING",
        )
        .bind(shop_id)
        .bind(webhook_id)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Remembers which order an external (Shopify) order id is.
    pub async fn link_shopify_order(&self, shop_id: i64, shopify_id: &str, number_key: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO shopify_orders (shop_id, shopify_order_id, number_key) VALUES ($1, $2, $3)
             ON CONFLICT (shop_id, shopify_order_id) DO UPDATE SET number_key = excluded.number_key",
        )
        .bind(shop_id)
        .bind(shopify_id)
        .bind(number_key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

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

    /// Stores a new API key's hash under its public prefix.
    pub async fn insert_key(&self, shop_id: i64, prefix: &str, hash: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO api_keys (shop_id, prefix, hash, created_at) VALUES ($1, $2, $3, $4)")
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
            "SELECT prefix, created_at, revoked_at FROM api_keys WHERE shop_id = $1 ORDER BY created_at DESC, id DESC",
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
        let done = sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 WHERE shop_id = $2 AND prefix = $3 AND revoked_at IS NULL",
        )
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
            sqlx::query_as("SELECT shop_id, hash FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL")
                .bind(prefix)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(shop_id, hash)| StoredKey { shop_id, hash }))
    }

    // ---- orders

    /// Creates or replaces one order in one transaction. An update whose
    /// `updated_at` is older than the stored one changes nothing and fails with `Stale`.
    pub async fn put_order(&self, shop_id: i64, order: &Order) -> Result<PutOutcome, StoreError> {
        let mut conn = self.pool.acquire().await?;
        put_order_on(&mut conn, self.backend, shop_id, order).await
    }

    /// One connection kept for a run of writes (an import): each of its
    /// `put_order`s is still its own transaction, without the pool's checks of
    /// the connection around every order.
    pub async fn writer(&self) -> Result<Writer, StoreError> {
        Ok(Writer {
            conn: self.pool.acquire().await?,
            backend: self.backend,
        })
    }

    /// Writes many orders in one transaction, replacing any stored order with the
    /// same number whatever its age: for loading generated or trusted bulk data,
    /// not for merchant updates (those go through `put_order`).
    pub async fn replace_orders(&self, shop_id: i64, orders: &[Order]) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = begin_write(&mut conn, self.backend).await?;
        for order in orders {
            let key = order_number_key(&order.order_number);
            sqlx::query("DELETE FROM orders WHERE shop_id = $1 AND number_key = $2")
                .bind(shop_id)
                .bind(&key)
                .execute(&mut *tx)
                .await?;
            insert_order(shop_id, &key, order, &OrderDoc::of(order)?, INSERT)
                .fetch_one(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

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
        let found: Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT id, doc FROM orders WHERE shop_id = $1 AND number_key = $2")
                .bind(shop_id)
                .bind(number_key)
                .fetch_optional(&self.pool)
                .await?;
        self.order_of(found).await
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
        let found: Result<Option<(i64, Option<String>)>, sqlx::Error> = sqlx::query_as(LOOKUP_SELECT)
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
        self.order_of(found).await
    }

    /// The order an (id, document) row holds: its document, or for an order written
    /// before documents (and not updated since), its rows in the older tables.
    async fn order_of(&self, found: Option<(i64, Option<String>)>) -> Result<Option<Order>, StoreError> {
        match found {
            Some((_, Some(doc))) => Ok(Some(json(&doc)?)),
            Some((id, None)) => {
                let row: OrderRow = sqlx::query_as("SELECT * FROM orders WHERE id = $1")
                    .bind(id)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(Some(self.load_children(row).await?))
            }
            None => Ok(None),
        }
    }

    /// The plan the database chooses for the lookup query, one line per step.
    pub async fn explain_lookup(&self) -> Result<Vec<String>, StoreError> {
        let explain = match self.backend {
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {LOOKUP_SELECT}"),
            Backend::Postgres => format!("EXPLAIN {LOOKUP_SELECT}"),
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

    /// Erases an order and everything under it. False when there was none.
    pub async fn delete_order(&self, shop_id: i64, number_key: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM orders WHERE shop_id = $1 AND number_key = $2")
            .bind(shop_id)
            .bind(number_key)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn load_children(&self, row: OrderRow) -> Result<Order, StoreError> {
        let line_items: Vec<LineItemRow> =
            sqlx::query_as("SELECT * FROM line_items WHERE order_id = $1 ORDER BY position")
                .bind(row.id)
                .fetch_all(&self.pool)
                .await?;
        let shipment_rows: Vec<ShipmentRow> =
            sqlx::query_as("SELECT * FROM shipments WHERE order_id = $1 ORDER BY position")
                .bind(row.id)
                .fetch_all(&self.pool)
                .await?;
        let event_rows: Vec<EventRow> = sqlx::query_as(
            "SELECT e.* FROM tracking_events e JOIN shipments s ON s.id = e.shipment_id
             WHERE s.order_id = $1 ORDER BY e.shipment_id, e.position",
        )
        .bind(row.id)
        .fetch_all(&self.pool)
        .await?;
        let return_rows: Vec<ReturnRow> = sqlx::query_as("SELECT * FROM returns WHERE order_id = $1 ORDER BY position")
            .bind(row.id)
            .fetch_all(&self.pool)
            .await?;
        let timeline_rows: Vec<TimelineRow> =
            sqlx::query_as("SELECT * FROM timeline_events WHERE order_id = $1 ORDER BY position")
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

/// A lookup: shop slug, order number key and email key in; the order's id and document out.
const LOOKUP_SELECT: &str = "SELECT o.id, o.doc FROM orders o JOIN shops s ON s.id = o.shop_id
     WHERE s.slug = $1 AND o.number_key = $2 AND o.email_key = $3";

/// A connection kept for a run of order writes ([`Store::writer`]).
pub struct Writer {
    conn: PoolConnection<Any>,
    backend: Backend,
}

impl Writer {
    /// [`Store::put_order`] on the kept connection.
    pub async fn put_order(&mut self, shop_id: i64, order: &Order) -> Result<PutOutcome, StoreError> {
        put_order_on(&mut self.conn, self.backend, shop_id, order).await
    }
}

/// A transaction for writing. SQLite: IMMEDIATE takes the write lock up front,
/// so what it reads stays true until it commits.
async fn begin_write(conn: &mut AnyConnection, backend: Backend) -> Result<Transaction<'_, Any>, StoreError> {
    Ok(match backend {
        Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => conn.begin().await?,
    })
}

/// Creates or replaces one order in one transaction on `conn` ([`Store::put_order`]).
async fn put_order_on(
    conn: &mut AnyConnection,
    backend: Backend,
    shop_id: i64,
    order: &Order,
) -> Result<PutOutcome, StoreError> {
    let key = order_number_key(&order.order_number);
    let doc = OrderDoc::of(order)?;
    // Writers of the same order take turns, so the staleness check and the write
    // see the same database. SQLite: IMMEDIATE takes the write lock up front.
    // PostgreSQL: a transaction-scoped advisory lock on (shop, order number),
    // which also covers an order that does not exist yet.
    let mut tx = begin_write(conn, backend).await?;
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(order_lock_id(shop_id, &key))
            .execute(&mut *tx)
            .await?;
    }
    // A new order (the common case, and all of an import) is one statement.
    let created: Option<i64> = insert_order(shop_id, &key, order, &doc, INSERT_NEW)
        .fetch_optional(&mut *tx)
        .await?;
    if created.is_some() {
        tx.commit().await?;
        return Ok(PutOutcome::Created);
    }
    let (id, stored_updated_at): (i64, String) =
        sqlx::query_as("SELECT id, updated_at FROM orders WHERE shop_id = $1 AND number_key = $2")
            .bind(shop_id)
            .bind(&key)
            .fetch_one(&mut *tx)
            .await?;
    if is_older(&order.updated_at, &stored_updated_at).unwrap_or(false) {
        return Err(StoreError::Stale);
    }
    // Rows of an order written before documents go with it (ON DELETE CASCADE).
    sqlx::query("DELETE FROM orders WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    insert_order(shop_id, &key, order, &doc, INSERT)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(PutOutcome::Replaced)
}

/// The advisory lock number for writes to one order: the first 8 bytes of a
/// SHA-256 of shop and key, the same in every server process.
fn order_lock_id(shop_id: i64, number_key: &str) -> i64 {
    let digest = Sha256::new()
        .chain_update(shop_id.to_be_bytes())
        .chain_update(number_key.as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// The columns of an order's row, its whole document last. `INSERT` and
/// `INSERT_NEW` bind them in this order ([`insert_order`]).
macro_rules! order_insert {
    () => {
        "INSERT INTO orders (shop_id, number_key, order_number, email_key, email, placed_at, updated_at,
            status, cancel_reason, payment_status, fulfillment_status, hold_reason, scheduled_at,
            return_status, currency, subtotal, shipping, tax, discounts, total, shipping_address, tags, note, doc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
            $23, $24)"
    };
}
/// Writes an order's row; returns its id.
const INSERT: &str = concat!(order_insert!(), " RETURNING id");
/// Writes an order's row unless the shop has one with this number; returns the new id, or no row.
const INSERT_NEW: &str = concat!(
    order_insert!(),
    " ON CONFLICT (shop_id, number_key) DO NOTHING RETURNING id"
);

/// What an order's row stores beyond its plain fields, serialised once per write.
/// The document is the order: lookups, the merchant API and webhook merges read it,
/// so one row is one whole order.
struct OrderDoc {
    email_key: String,
    address: Option<String>,
    tags: String,
    doc: String,
}

impl OrderDoc {
    fn of(o: &Order) -> Result<Self, StoreError> {
        Ok(OrderDoc {
            email_key: email_key(&o.email),
            address: o.shipping_address.as_ref().map(to_json).transpose()?,
            tags: to_json(&o.tags)?,
            doc: to_json(o)?,
        })
    }
}

/// The statement that writes an order's row (`INSERT` or `INSERT_NEW`), bound.
fn insert_order<'q>(
    shop_id: i64,
    number_key: &'q str,
    o: &'q Order,
    d: &'q OrderDoc,
    sql: &'static str,
) -> sqlx::query::QueryScalar<'q, Any, i64, sqlx::any::AnyArguments<'q>> {
    sqlx::query_scalar(sql)
        .bind(shop_id)
        .bind(number_key)
        .bind(&o.order_number)
        .bind(&d.email_key)
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
        .bind(&d.address)
        .bind(&d.tags)
        .bind(&o.note)
        .bind(&d.doc)
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
struct ShopSecretRow {
    #[sqlx(flatten)]
    shop: ShopRow,
    webhook_secret: String,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::parse_order;

    const EXAMPLE: &str = include_str!("../../../fixtures/order-1001.json");

    /// A fresh store: SQLite, or a new database on the PostgreSQL server that
    /// `LOOKOUT_TEST_POSTGRES` names (scripts/test.sh runs these tests on both).
    pub(super) async fn store() -> (tempfile::TempDir, Store) {
        use sqlx::Connection;
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let dir = tempfile::tempdir().unwrap();
        let url = match std::env::var("LOOKOUT_TEST_POSTGRES") {
            Ok(admin) if !admin.is_empty() => {
                let name = format!(
                    "lookout_unit_{}_{}",
                    std::process::id(),
                    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                );
                let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
            }
            _ => format!("sqlite://{}", dir.path().join("t.db").display()),
        };
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        (dir, store)
    }

    /// Writes an order as orders were stored before documents: the row without
    /// its document, and its parts in their own tables.
    async fn insert_legacy(store: &Store, shop_id: i64, o: &Order) {
        let key = order_number_key(&o.order_number);
        let doc = OrderDoc::of(o).unwrap();
        let mut conn = store.pool.acquire().await.unwrap();
        let mut tx = begin_write(&mut conn, store.backend).await.unwrap();
        let order_id = insert_order(shop_id, &key, o, &doc, INSERT)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        sqlx::query("UPDATE orders SET doc = NULL WHERE id = $1")
            .bind(order_id)
            .execute(&mut *tx)
            .await
            .unwrap();
        insert_legacy_children(&mut tx, order_id, o).await.unwrap();
        tx.commit().await.unwrap();
    }

    async fn insert_legacy_children(tx: &mut Transaction<'_, Any>, order_id: i64, o: &Order) -> Result<(), StoreError> {
        for (pos, li) in o.line_items.iter().enumerate() {
            sqlx::query(
                "INSERT INTO line_items (order_id, position, ext_id, title, variant, quantity, price, image_url, sku)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
            let shipment_id: i64 = sqlx::query_scalar(
                "INSERT INTO shipments (order_id, position, ext_id, status, carrier, tracking_number, tracking_url,
                estimated_delivery, shipped_at, delivered_at, line_items)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             RETURNING id",
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
            .fetch_one(&mut **tx)
            .await?;
            for (epos, e) in s.events.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO tracking_events (shipment_id, position, at, status, message, location)
                 VALUES ($1, $2, $3, $4, $5, $6)",
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
             VALUES ($1, $2, $3, $4, $5, $6)",
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
        let written = parse_order(EXAMPLE.as_bytes()).unwrap();
        assert_eq!(
            store.order_for_lookup("a", "1001", "ada@example.com").await.unwrap(),
            Some(written)
        );
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
    async fn an_order_written_before_documents_is_read_from_its_tables_until_it_is_updated() {
        let (_dir, store) = store().await;
        let shop = store.create_shop(&shop("a")).await.unwrap();
        let order = parse_order(EXAMPLE.as_bytes()).unwrap();
        insert_legacy(&store, shop.id, &order).await;
        assert!(child_rows(&store).await > 0);
        assert_eq!(
            store.order_for_lookup("a", "1001", "ada@example.com").await.unwrap(),
            Some(order.clone())
        );
        assert!(store
            .order_for_lookup("a", "1001", "eve@example.com")
            .await
            .unwrap()
            .is_none());
        assert_eq!(store.order(shop.id, "1001").await.unwrap(), Some(order.clone()));

        let mut newer = order.clone();
        newer.updated_at = "2026-11-04T08:00:00Z".into();
        newer.note = Some("updated".into());
        assert_eq!(store.put_order(shop.id, &newer).await.unwrap(), PutOutcome::Replaced);
        assert_eq!(child_rows(&store).await, 0, "the old rows went with the old order");
        assert_eq!(store.order(shop.id, "1001").await.unwrap(), Some(newer));
    }

    /// Rows in the tables orders were kept in before documents.
    async fn child_rows(store: &Store) -> i64 {
        let mut total = 0;
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
            total += n;
        }
        total
    }

    #[tokio::test]
    async fn the_lookup_query_uses_the_order_number_index() {
        let (_dir, store) = store().await;
        if store.backend() == Backend::Postgres {
            // PostgreSQL plans by table statistics, so an empty table says nothing
            // here; docs/benchmarks.md shows its plan at a million orders.
            return;
        }
        let plan = store.explain_lookup().await.unwrap().join("\n");
        assert!(
            plan.contains("(shop_id=? AND number_key=?)") && !plan.contains("SCAN"),
            "{plan}"
        );
    }

    #[tokio::test]
    async fn deleting_an_order_removes_its_children() {
        let (_dir, store) = store().await;
        let shop = store.create_shop(&shop("a")).await.unwrap();
        insert_legacy(&store, shop.id, &parse_order(EXAMPLE.as_bytes()).unwrap()).await;
        assert!(store.delete_order(shop.id, "1001").await.unwrap());
        assert!(!store.delete_order(shop.id, "1001").await.unwrap());
        assert_eq!(child_rows(&store).await, 0);
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
