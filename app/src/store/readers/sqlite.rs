//! SQLite lookups (and the shop a shopper's page is for), read on the request's
//! own thread.
//!
//! A lookup is one read through an index of a file the operating system keeps
//! cached: microseconds. sqlx runs every SQLite connection on a thread of its
//! own and hands each query to it and the rows back; under load those two
//! hand-offs cost more than the query (docs/benchmarks.md, "Lookups"). So
//! lookups read here through rusqlite, inline: a connection is taken from a
//! small stack, used and put back without an `.await` in between, so no more
//! connections are in use at once than threads are reading. One whose read
//! fails is dropped, and the next read opens a fresh one.
//!
//! A lookup reads its order's row in `order_lookups` ([`LOOKUP_ROW`]): one
//! descent of one B-tree, whose interior pages stay cached, so a hit reads one
//! page through the kernel where the index and the table of `orders` took two or
//! three. The few lookups whose row is held by another order or left empty by
//! an erased one read through `orders` ([`LOOKUP`]), as does a database whose
//! schema has no such table (a lookup database copied before it had one).
//!
//! Each connection keeps one snapshot of the database across reads while it
//! may (`snapshot.rs` says how long and why).

use super::snapshot::{sweep, Holding, Reader, HOLD};
use super::{ReaderError, LOOKUP};
use crate::store::lookup_id::number_hash;
use crate::store::shops::{ShopRow, SHOP};
use crate::store::PoolStatus;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a read waits for a lock (in WAL mode only rare recovery work takes one).
const BUSY_TIMEOUT_MS: u32 = 250;
/// SQLite's page cache per read connection, in KiB (the OS caches the file too):
/// a little more than the interior pages of `order_lookups` (1,591 pages, 6.2
/// MiB, at a million orders), so that a lookup reads mostly its row's page
/// through the kernel. The leaf pages it reads pass through the same cache and
/// push some interior pages out: at 8 MiB a hit read 1.4 pages through the
/// kernel (docs/benchmarks.md, "Where a hit's CPU goes"); 7 MiB keeps the
/// server's peak under 64 MiB under the million-order benchmark ("Lookup rows").
const CACHE_KIB: u32 = 7 * 1024;

/// A lookup through its order's row in `order_lookups`: the shop by its slug
/// (?1), the row under the lookup id (`lookup_id.rs`: the number's hash, ?2,
/// exclusive-or the shop's id), and of that row whether there is one, whether it
/// is this order's (?3, the number key) and its view if the email key (?4)
/// matches. No row for the shop: no such shop. (Numbered parameters: SQLite
/// numbers `$n` by first appearance.)
pub(in crate::store) const LOOKUP_ROW: &str = "SELECT v.id IS NOT NULL, v.shop_id = s.id AND v.number_key = ?3,
        CASE WHEN v.email_key = ?4 THEN v.shopper_view END
     FROM shops s LEFT JOIN order_lookups v ON v.id = (?2 | s.id) - (?2 & s.id)
     WHERE s.slug = ?1";

#[derive(Debug)]
pub struct SqliteReaders {
    path: PathBuf,
    idle: Mutex<Vec<Reader>>,
    /// The most connections kept idle.
    keep: usize,
    in_use: AtomicUsize,
    closed: AtomicBool,
    /// Whether the database has `order_lookups` (found at the first lookup).
    lookup_rows: std::sync::OnceLock<bool>,
    /// When reads keep snapshots, and the writes they must see.
    holding: Holding,
}

impl SqliteReaders {
    /// Read connections to the database at `url`, keeping `size` idle. Inside a
    /// tokio runtime they keep snapshots across reads, with a task to end them.
    pub fn new(url: &str, size: u32) -> Result<Arc<SqliteReaders>, ReaderError> {
        Self::with_hold(url, size, HOLD, true)
    }

    /// The same, with snapshots kept for at most `hold`, and none in the pause of
    /// each second if `pauses`.
    pub(super) fn with_hold(
        url: &str,
        size: u32,
        hold: Duration,
        pauses: bool,
    ) -> Result<Arc<SqliteReaders>, ReaderError> {
        use std::str::FromStr;
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).map_err(|e| ReaderError(e.to_string()))?;
        let readers = Arc::new(SqliteReaders {
            path: options.get_filename().to_path_buf(),
            idle: Mutex::new(Vec::new()),
            keep: size as usize,
            in_use: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            lookup_rows: std::sync::OnceLock::new(),
            holding: Holding::new(hold, pauses),
        });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(sweep(Arc::downgrade(&readers)));
        }
        Ok(readers)
    }

    /// Says that this process has committed a write that lookups may read: the
    /// next read on every connection begins a new snapshot.
    pub fn wrote(&self) {
        self.holding.wrote();
    }

    pub(super) fn holding(&self) -> &Holding {
        &self.holding
    }

    pub(super) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// How many idle connections keep a snapshot.
    #[cfg(test)]
    pub(super) fn idle_snapshots(&self) -> usize {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        idle.iter().filter(|reader| reader.keeps_one(Duration::ZERO)).count()
    }

    /// Ends the snapshots idle connections have kept for at least `age`.
    pub(super) fn end_snapshots(&self, age: Duration) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        idle.retain_mut(|reader| !reader.keeps_one(age) || reader.end().is_ok());
    }

    fn open(&self) -> Result<Reader, ReaderError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(|e| ReaderError(e.to_string()))?;
        // Lookups only read: a bug that tried to write through here fails loudly.
        conn.execute_batch(&format!(
            "PRAGMA query_only = ON; PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}; PRAGMA cache_size = -{CACHE_KIB};"
        ))
        .map_err(|e| ReaderError(e.to_string()))?;
        Ok(Reader::new(conn))
    }

    fn take(&self) -> Result<Reader, ReaderError> {
        if self.closed.load(Ordering::Relaxed) {
            return Err(ReaderError("the store is closed".into()));
        }
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        self.in_use.fetch_add(1, Ordering::Relaxed);
        Ok(conn)
    }

    fn give_back(&self, conn: Option<Reader>) {
        self.in_use.fetch_sub(1, Ordering::Relaxed);
        if let (Some(conn), false) = (conn, self.closed.load(Ordering::Relaxed)) {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < self.keep {
                idle.push(conn);
            }
        }
    }

    pub fn check(&self) -> Result<(), ReaderError> {
        let conn = self.take()?;
        self.give_back(Some(conn));
        Ok(())
    }

    /// The view, through the order's lookup row where it is this order's, else
    /// through `orders`; both reads on one connection, in one snapshot.
    pub fn shopper_view(&self, slug: &str, number_key: &str, email_key: &str) -> Result<Option<String>, ReaderError> {
        let lookup_rows = self.has_lookup_rows()?;
        self.with_reader(|conn| {
            let through_orders = || {
                let view = row(conn, LOOKUP, (slug, number_key, email_key), |row| {
                    row.get::<_, Option<String>>(0)
                })?;
                Ok(view.flatten())
            };
            if !lookup_rows {
                return through_orders();
            }
            let params = (slug, number_hash(number_key), number_key, email_key);
            let found = row(conn, LOOKUP_ROW, params, |row| {
                Ok((row.get::<_, bool>(0)?, row.get::<_, Option<bool>>(1)?, row.get(2)?))
            })?;
            match found {
                // No such shop, or no order under this id.
                None | Some((false, _, _)) => Ok(None),
                Some((true, Some(true), view)) => Ok(view),
                // Another order's row, or an erased order's.
                Some((true, _, _)) => through_orders(),
            }
        })
    }

    /// Whether the database has lookup rows, asked once.
    fn has_lookup_rows(&self) -> Result<bool, ReaderError> {
        if let Some(has) = self.lookup_rows.get() {
            return Ok(*has);
        }
        let table = self.read(
            "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'order_lookups'",
            (),
            |_| Ok(()),
        )?;
        Ok(*self.lookup_rows.get_or_init(|| table.is_some()))
    }

    pub fn shop(&self, slug: &str) -> Result<Option<ShopRow>, ReaderError> {
        self.read(SHOP, [slug], |row| {
            Ok(ShopRow {
                id: row.get(0)?,
                slug: row.get(1)?,
                name: row.get(2)?,
                locale: row.get(3)?,
                accent: row.get(4)?,
                allowed_origins: row.get(5)?,
                email_links: row.get(6)?,
                contact_email: row.get(7)?,
                time_zone: row.get(8)?,
                logo_url: row.get(9)?,
            })
        })
    }

    /// The one row `sql` finds with `params`, if any.
    pub(super) fn read<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, ReaderError> {
        self.with_reader(|conn| row(conn, sql, params, map))
    }

    /// `read` on a connection taken, readied (its snapshot) and given back
    /// without an `.await` in between; one whose read fails is dropped.
    fn with_reader<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, ReaderError> {
        let mut reader = self.take()?;
        let found = self.holding.ready(&mut reader).and_then(|()| read(&reader.conn));
        match found.and_then(|found| self.holding.done(&mut reader).map(|()| found)) {
            Ok(found) => {
                self.give_back(Some(reader));
                Ok(found)
            }
            Err(e) => {
                self.give_back(None);
                Err(ReaderError(e.to_string()))
            }
        }
    }

    pub fn status(&self) -> PoolStatus {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).len();
        PoolStatus::of(self.in_use.load(Ordering::Relaxed), idle, self.keep)
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// The one row `sql` finds with `params` on `conn`, if any.
fn row<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Option<T>> {
    conn.prepare_cached(sql)?.query_row(params, map).optional()
}
