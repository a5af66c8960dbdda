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

use super::{ReaderError, LOOKUP};
use crate::store::lookup_id::number_hash;
use crate::store::shops::{ShopRow, SHOP};
use crate::store::PoolStatus;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// How long a read waits for a lock (in WAL mode only rare recovery work takes one).
const BUSY_TIMEOUT_MS: u32 = 250;
/// SQLite's page cache per read connection, in KiB (the OS caches the file too):
/// room for the interior pages of `order_lookups` (1,591 pages, 6.2 MiB, at a
/// million orders), so that a lookup reads only its row's page through the
/// kernel (docs/benchmarks.md, "Lookup rows").
const CACHE_KIB: u32 = 8 * 1024;

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
    idle: Mutex<Vec<Connection>>,
    /// The most connections kept idle.
    keep: usize,
    in_use: AtomicUsize,
    closed: AtomicBool,
    /// Whether the database has `order_lookups` (found at the first lookup).
    lookup_rows: std::sync::OnceLock<bool>,
}

impl SqliteReaders {
    pub fn new(url: &str, size: u32) -> Result<SqliteReaders, ReaderError> {
        use std::str::FromStr;
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).map_err(|e| ReaderError(e.to_string()))?;
        Ok(SqliteReaders {
            path: options.get_filename().to_path_buf(),
            idle: Mutex::new(Vec::new()),
            keep: size as usize,
            in_use: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            lookup_rows: std::sync::OnceLock::new(),
        })
    }

    fn open(&self) -> Result<Connection, ReaderError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(|e| ReaderError(e.to_string()))?;
        // Lookups only read: a bug that tried to write through here fails loudly.
        conn.execute_batch(&format!(
            "PRAGMA query_only = ON; PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}; PRAGMA cache_size = -{CACHE_KIB};"
        ))
        .map_err(|e| ReaderError(e.to_string()))?;
        Ok(conn)
    }

    fn take(&self) -> Result<Connection, ReaderError> {
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

    fn give_back(&self, conn: Option<Connection>) {
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

    pub fn shopper_view(&self, slug: &str, number_key: &str, email_key: &str) -> Result<Option<String>, ReaderError> {
        let through_orders = || {
            let view = self.read(LOOKUP, (slug, number_key, email_key), |row| {
                row.get::<_, Option<String>>(0)
            })?;
            Ok(view.flatten())
        };
        if !self.has_lookup_rows()? {
            return through_orders();
        }
        let params = (slug, number_hash(number_key), number_key, email_key);
        let row = self.read(LOOKUP_ROW, params, |row| {
            Ok((row.get::<_, bool>(0)?, row.get::<_, Option<bool>>(1)?, row.get(2)?))
        })?;
        match row {
            // No such shop, or no order under this id.
            None | Some((false, _, _)) => Ok(None),
            Some((true, Some(true), view)) => Ok(view),
            // Another order's row, or an erased order's.
            Some((true, _, _)) => through_orders(),
        }
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
            })
        })
    }

    /// The one row `sql` finds with `params`, if any, on a connection taken and
    /// given back without an `.await` in between; one whose read fails is dropped.
    fn read<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        row: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, ReaderError> {
        let conn = self.take()?;
        let read = conn
            .prepare_cached(sql)
            .and_then(|mut statement| statement.query_row(params, row).optional());
        match read {
            Ok(found) => {
                self.give_back(Some(conn));
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
