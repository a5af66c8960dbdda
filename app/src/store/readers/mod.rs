//! The connections lookups read through, apart from the main pool, and the one
//! statement they run: the shopper view of (shop slug, number key, email key).
//! The statement reads no other column of the order: a lookup cannot leak what
//! it never loads. On SQLite, when lookups read the main database, shops are read
//! here too (`Store::shop`: every shopper's page and form post reads one), so they
//! make no hand-off to sqlx's connection thread.
//!
//! How many: by default one per core the process may run on (SQLite, where a
//! lookup holds its connection only while its thread reads) or two per core
//! (PostgreSQL, where a lookup also waits on the network); see [`default_size`].

mod postgres;
mod snapshot;
mod sqlite;

pub(super) use sqlite::LOOKUP_ROW;

use super::shops::ShopRow;
use super::PoolStatus;
use std::time::Duration;

/// The lookup: the stored shopper view, when the shop, the number and the email match.
/// One statement, so every kind of miss is the same empty answer.
pub(super) const LOOKUP: &str = "SELECT o.shopper_view FROM orders o JOIN shops s ON s.id = o.shop_id
     WHERE s.slug = $1 AND o.number_key = $2 AND o.email_key = $3";

/// The same lookup for many at once (PostgreSQL, under load): `$1`, `$2`, `$3` are
/// arrays of slugs, number keys and email keys; each row is the 1-based position of
/// a lookup that matched and its view. The same join, the same single column read.
pub(super) const LOOKUP_MANY: &str = "SELECT k.i, o.shopper_view
     FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(slug, number_key, email_key, i)
     JOIN shops s ON s.slug = k.slug
     JOIN orders o ON o.shop_id = s.id AND o.number_key = k.number_key AND o.email_key = k.email_key";

/// Why no read could be made.
#[derive(Debug, thiserror::Error)]
#[error("lookup read failed: {0}")]
pub struct ReaderError(String);

/// Read connections for lookups.
#[derive(Debug, Clone)]
pub enum Readers {
    Sqlite(std::sync::Arc<sqlite::SqliteReaders>),
    Postgres(postgres::PgReaders),
}

/// The default number of lookup connections: the cores this process may use
/// (its CPU affinity and quota, as `std::thread::available_parallelism` sees
/// them), once for SQLite and twice for PostgreSQL, at least 2.
pub fn default_size(sqlite: bool) -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_core = if sqlite { 1 } else { 2 };
    u32::try_from(cores * per_core).unwrap_or(u32::MAX).max(2)
}

impl Readers {
    /// Up to `size` connections to `url`. PostgreSQL: waiting for one, or opening
    /// one, gives up after `timeout`.
    pub fn new(url: &str, sqlite: bool, size: u32, timeout: Duration) -> Result<Readers, ReaderError> {
        Ok(if sqlite {
            Readers::Sqlite(sqlite::SqliteReaders::new(url, size)?)
        } else {
            Readers::Postgres(postgres::PgReaders::new(url, size, timeout)?)
        })
    }

    /// SQLite readers that keep a snapshot until a write is told (no age, no
    /// pause): a test's lookup after a write then sees it only by being told.
    #[cfg(test)]
    pub(super) fn sqlite_until_told(url: &str, size: u32) -> Result<Readers, ReaderError> {
        let forever = Duration::from_secs(24 * 3600);
        Ok(Readers::Sqlite(sqlite::SqliteReaders::with_hold(
            url, size, forever, false,
        )?))
    }

    /// Opens one connection now, to find out whether the database answers.
    pub async fn check(&self) -> Result<(), ReaderError> {
        match self {
            Readers::Sqlite(readers) => readers.check(),
            Readers::Postgres(readers) => readers.check().await,
        }
    }

    /// The stored shopper view for a lookup, as JSON text, if the keys match an order.
    pub async fn shopper_view(
        &self,
        slug: &str,
        number_key: &str,
        email_key: &str,
    ) -> Result<Option<String>, ReaderError> {
        match self {
            Readers::Sqlite(readers) => readers.shopper_view(slug, number_key, email_key),
            Readers::Postgres(readers) => readers.shopper_view(slug, number_key, email_key).await,
        }
    }

    /// The shop with this slug, read here (SQLite); `None` where the main pool
    /// reads it as well as a connection of its own would (PostgreSQL).
    pub(super) fn shop(&self, slug: &str) -> Option<Result<Option<ShopRow>, ReaderError>> {
        match self {
            Readers::Sqlite(readers) => Some(readers.shop(slug)),
            Readers::Postgres(_) => None,
        }
    }

    /// Says that this process has committed a write that lookups may read
    /// (an order, its view, a shop), so that the next lookup sees it.
    /// PostgreSQL: nothing to do, each lookup is a statement of its own.
    pub fn wrote(&self) {
        if let Readers::Sqlite(readers) = self {
            readers.wrote();
        }
    }

    /// How many writes lookups have been told of (SQLite; none on PostgreSQL).
    #[cfg(test)]
    pub(in crate::store) fn writes_told(&self) -> Option<u64> {
        match self {
            Readers::Sqlite(readers) => Some(readers.holding().told()),
            Readers::Postgres(_) => None,
        }
    }

    /// How many idle read connections keep a snapshot (SQLite).
    #[cfg(test)]
    pub(in crate::store) fn idle_snapshots(&self) -> usize {
        match self {
            Readers::Sqlite(readers) => readers.idle_snapshots(),
            Readers::Postgres(_) => 0,
        }
    }

    /// How the read connections are used right now.
    pub fn status(&self) -> PoolStatus {
        match self {
            Readers::Sqlite(readers) => readers.status(),
            Readers::Postgres(readers) => readers.status(),
        }
    }

    /// Closes the idle connections and refuses new ones.
    pub fn close(&self) {
        match self {
            Readers::Sqlite(readers) => readers.close(),
            Readers::Postgres(readers) => readers.close(),
        }
    }
}
