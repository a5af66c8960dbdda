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
//! Each read connection keeps one read transaction (one snapshot of the
//! database) across lookups instead of beginning and ending one per lookup:
//! beginning one takes the WAL index's read lock and checks the file for
//! changes, which cost a hit about 6 µs of its 60 (docs/benchmarks.md, "Held
//! snapshots"). A snapshot is ended before the next read once this process has
//! written anything lookups read ([`SqliteReaders::wrote`], called after the
//! write is committed), and at the latest [`HOLD`] after it began, by the read
//! or, on an idle connection, by [`sweep`]: writes of other processes (an import
//! run beside the server) reach lookups within that, and a snapshot never keeps
//! the WAL from being checkpointed for longer.

use super::{ReaderError, LOOKUP};
use crate::store::lookup_id::number_hash;
use crate::store::shops::{ShopRow, SHOP};
use crate::store::PoolStatus;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// How long a read waits for a lock (in WAL mode only rare recovery work takes one).
const BUSY_TIMEOUT_MS: u32 = 250;
/// SQLite's page cache per read connection, in KiB (the OS caches the file too):
/// room for the interior pages of `order_lookups` (1,591 pages, 6.2 MiB, at a
/// million orders), so that a lookup reads only its row's page through the
/// kernel (docs/benchmarks.md, "Lookup rows").
const CACHE_KIB: u32 = 8 * 1024;
/// The longest a read connection keeps one snapshot of the database.
pub(in crate::store) const HOLD: Duration = Duration::from_millis(50);

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
    /// How many writes this process has committed that lookups read.
    written: AtomicU64,
    /// Whether snapshots are kept across reads: only with a sweeper to end them.
    holds: bool,
}

/// A read connection and the snapshot it keeps, if any.
#[derive(Debug)]
struct Reader {
    conn: Connection,
    /// When its read transaction began, and `written` then.
    snapshot: Option<(Instant, u64)>,
}

impl Reader {
    /// Makes the connection's snapshot one that sees every write counted in
    /// `written` and is younger than [`HOLD`]: keeps the one it has if it is,
    /// otherwise ends it and begins another (taken by the next statement).
    fn renew(&mut self, written: u64) -> rusqlite::Result<()> {
        if let Some((began, seen)) = self.snapshot {
            if seen == written && began.elapsed() < HOLD {
                return Ok(());
            }
            self.end()?;
        }
        self.conn.execute_batch("BEGIN")?;
        self.snapshot = Some((Instant::now(), written));
        Ok(())
    }

    fn end(&mut self) -> rusqlite::Result<()> {
        self.snapshot = None;
        self.conn.execute_batch("COMMIT")
    }

    fn older_than(&self, age: Duration) -> bool {
        self.snapshot.is_some_and(|(began, _)| began.elapsed() >= age)
    }
}

/// Ends the snapshots idle connections have kept for [`HOLD`], every [`HOLD`],
/// until the readers are closed or gone.
async fn sweep(readers: Weak<SqliteReaders>) {
    let mut every = tokio::time::interval(HOLD);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match readers.upgrade() {
            Some(readers) if !readers.closed.load(Ordering::Relaxed) => readers.end_old_snapshots(),
            _ => return,
        }
    }
}

impl SqliteReaders {
    /// Read connections to the database at `url`, keeping `size` idle. Inside a
    /// tokio runtime they keep snapshots across reads, with a task to end them.
    pub fn new(url: &str, size: u32) -> Result<Arc<SqliteReaders>, ReaderError> {
        use std::str::FromStr;
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).map_err(|e| ReaderError(e.to_string()))?;
        let runtime = tokio::runtime::Handle::try_current().ok();
        let readers = Arc::new(SqliteReaders {
            path: options.get_filename().to_path_buf(),
            idle: Mutex::new(Vec::new()),
            keep: size as usize,
            in_use: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            lookup_rows: std::sync::OnceLock::new(),
            written: AtomicU64::new(0),
            holds: runtime.is_some(),
        });
        if let Some(runtime) = runtime {
            runtime.spawn(sweep(Arc::downgrade(&readers)));
        }
        Ok(readers)
    }

    /// Says that this process has committed a write that lookups may read: the
    /// next read on every connection begins a new snapshot.
    pub fn wrote(&self) {
        self.written.fetch_add(1, Ordering::Release);
    }

    fn end_old_snapshots(&self) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        idle.retain_mut(|reader| !reader.older_than(HOLD) || reader.end().is_ok());
    }

    fn open(&self) -> Result<Reader, ReaderError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(|e| ReaderError(e.to_string()))?;
        // Lookups only read: a bug that tried to write through here fails loudly.
        conn.execute_batch(&format!(
            "PRAGMA query_only = ON; PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}; PRAGMA cache_size = -{CACHE_KIB};"
        ))
        .map_err(|e| ReaderError(e.to_string()))?;
        Ok(Reader { conn, snapshot: None })
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
        let mut reader = self.take()?;
        // Loaded before the snapshot is taken: a write counted here is in it.
        let written = self.written.load(Ordering::Acquire);
        let renewed = if self.holds { reader.renew(written) } else { Ok(()) };
        let read = renewed.and_then(|()| {
            let mut statement = reader.conn.prepare_cached(sql)?;
            statement.query_row(params, row).optional()
        });
        match read {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of `t` as one read connection sees them.
    fn rows(readers: &SqliteReaders) -> i64 {
        readers
            .read("SELECT count(*) FROM t", (), |row| row.get(0))
            .unwrap()
            .unwrap()
    }

    /// Sets the age of every idle connection's snapshot.
    fn age(readers: &SqliteReaders, began: Instant) {
        for reader in readers.idle.lock().unwrap().iter_mut() {
            if let Some((_, seen)) = reader.snapshot {
                reader.snapshot = Some((began, seen));
            }
        }
    }

    /// A snapshot is kept while it is young and nothing was said written; a
    /// write said ([`SqliteReaders::wrote`]) or an age of [`HOLD`] ends it at the
    /// next read, and the sweep ends an idle one. Ages are set, not waited for.
    #[tokio::test]
    async fn a_snapshot_is_kept_until_a_write_is_said_or_it_is_old() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let readers = SqliteReaders::new(&format!("sqlite://{}", path.display()), 1).unwrap();
        let young = || Instant::now() + Duration::from_secs(3600);
        let insert = || writer.execute("INSERT INTO t VALUES (1)", ()).unwrap();

        assert_eq!(rows(&readers), 1);
        insert();
        age(&readers, young());
        assert_eq!(rows(&readers), 1, "a young snapshot is kept");
        readers.wrote();
        assert_eq!(rows(&readers), 2, "a write said ends it");
        insert();
        age(&readers, young());
        assert_eq!(rows(&readers), 2);
        age(&readers, Instant::now() - HOLD);
        assert_eq!(rows(&readers), 3, "an old one is ended by the next read");

        age(&readers, young());
        readers.end_old_snapshots();
        assert!(
            readers.idle.lock().unwrap()[0].snapshot.is_some(),
            "the sweep leaves a young one"
        );
        age(&readers, Instant::now() - HOLD);
        readers.end_old_snapshots();
        let idle = readers.idle.lock().unwrap();
        assert!(
            idle[0].snapshot.is_none() && idle[0].conn.is_autocommit(),
            "and ends an old one"
        );
    }
}
