//! A SQLite read connection keeps one snapshot of the database (a read
//! transaction) across lookups instead of beginning and ending one per lookup:
//! beginning one takes the WAL index's read lock and checks the file for
//! changes, about 4 to 9 µs of a hit's 60 to 75 (docs/benchmarks.md, "Held
//! snapshots").
//!
//! When a snapshot ends:
//! - before the next read, once this process has committed a write that lookups
//!   read ([`Holding::wrote`]): a lookup never misses a write already answered;
//! - before the next read, once it is [`HOLD`] old, and on an idle connection
//!   within half as long again ([`sweep`]): writes of other processes on the same
//!   file (an import beside the server, a second server) reach lookups within
//!   [`HOLD`];
//! - in the first [`PAUSE_MS`] of every second of the clock, no connection keeps
//!   one: SQLite can write the WAL back into the database only up to the oldest
//!   snapshot, and start it again only when none reads from it, so snapshots
//!   kept all the time would let the WAL grow for as long as writes go on. The
//!   pause follows the clock so that every process on the file pauses at once.

use super::sqlite::SqliteReaders;
use rusqlite::Connection;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Weak;
use std::time::{Duration, Instant};

/// The longest a snapshot is kept for reads.
pub(super) const HOLD: Duration = Duration::from_millis(50);
/// How often idle connections' snapshots are looked at.
const SWEEP_EVERY: Duration = Duration::from_millis(25);
/// The start of every second of the clock in which no snapshot is kept.
const PAUSE_MS: u32 = 75;

/// Whether reads may keep snapshots now, and what they must see.
#[derive(Debug)]
pub(super) struct Holding {
    hold: Duration,
    /// Whether no snapshot is kept in the pause of each second (always, but in
    /// tests that need a snapshot kept until a write is told).
    pauses: bool,
    /// Writes this process has committed that lookups read.
    written: AtomicU64,
    /// Whether a sweep runs (none outside a tokio runtime, or once it stopped).
    sweeping: AtomicBool,
    /// Set by the sweep in the pause of each second.
    paused: AtomicBool,
}

impl Holding {
    pub(super) fn new(hold: Duration, pauses: bool) -> Holding {
        Holding {
            hold,
            pauses,
            written: AtomicU64::new(0),
            sweeping: AtomicBool::new(false),
            paused: AtomicBool::new(false),
        }
    }

    pub(super) fn wrote(&self) {
        self.written.fetch_add(1, Ordering::Release);
    }

    /// How many writes have been told so far.
    #[cfg(test)]
    pub(super) fn told(&self) -> u64 {
        self.written.load(Ordering::Acquire)
    }

    /// Readies `reader` for a read: it may keep a snapshot that has seen every
    /// write counted so far (loaded here, before the read takes its snapshot, so
    /// a write counted is in it) and is younger than the hold, while the sweep
    /// runs and does not pause; otherwise the read is made on its own.
    pub(super) fn ready(&self, reader: &mut Reader) -> rusqlite::Result<()> {
        reader.ready(self.may_keep().then(|| self.written.load(Ordering::Acquire)), self.hold)
    }

    /// After a read: a pause that began while it was made (or a sweep that
    /// stopped) ends its snapshot now rather than at the next sweep.
    pub(super) fn done(&self, reader: &mut Reader) -> rusqlite::Result<()> {
        if reader.snapshot.is_some() && !self.may_keep() {
            reader.end()?;
        }
        Ok(())
    }

    fn may_keep(&self) -> bool {
        self.sweeping.load(Ordering::Acquire) && !self.paused.load(Ordering::Acquire)
    }
}

/// A read connection and the snapshot it keeps, if any.
#[derive(Debug)]
pub(super) struct Reader {
    pub(super) conn: Connection,
    /// When its read transaction began, and the writes it had seen then.
    snapshot: Option<(Instant, u64)>,
}

impl Reader {
    pub(super) fn new(conn: Connection) -> Reader {
        Reader { conn, snapshot: None }
    }

    /// Before a read: keeps the snapshot if `may_keep` is the count of writes it
    /// has seen and it is younger than `hold`, else ends it; then begins one
    /// (taken by the next statement) when `may_keep` allows one.
    fn ready(&mut self, may_keep: Option<u64>, hold: Duration) -> rusqlite::Result<()> {
        if let Some((began, seen)) = self.snapshot {
            if may_keep == Some(seen) && began.elapsed() < hold {
                return Ok(());
            }
            self.end()?;
        }
        if let Some(written) = may_keep {
            self.conn.prepare_cached("BEGIN")?.execute(())?;
            self.snapshot = Some((Instant::now(), written));
        }
        Ok(())
    }

    pub(super) fn end(&mut self) -> rusqlite::Result<()> {
        self.snapshot = None;
        self.conn.prepare_cached("COMMIT")?.execute(()).map(drop)
    }

    /// Whether it keeps a snapshot at least `age` old.
    pub(super) fn keeps_one(&self, age: Duration) -> bool {
        self.snapshot.is_some_and(|(began, _)| began.elapsed() >= age)
    }
}

/// Every [`SWEEP_EVERY`] until the readers are closed or dropped, ends the
/// snapshots that idle connections have kept for [`HOLD`] (or any, in the
/// pause of each second). Snapshots are kept only while this runs.
pub(super) async fn sweep(readers: Weak<SqliteReaders>) {
    /// Snapshots are no longer kept once the sweep stops, however it stops
    /// (its runtime shut down included).
    struct Stopped(Weak<SqliteReaders>);
    impl Drop for Stopped {
        fn drop(&mut self) {
            if let Some(readers) = self.0.upgrade() {
                readers.holding().sweeping.store(false, Ordering::Release);
                readers.end_snapshots(Duration::ZERO);
            }
        }
    }
    let _stopped = Stopped(readers.clone());
    let mut every = tokio::time::interval(SWEEP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let Some(readers) = readers.upgrade().filter(|r| !r.is_closed()) else {
            return;
        };
        let holding = readers.holding();
        let paused = holding.pauses && in_pause(std::time::SystemTime::now());
        holding.paused.store(paused, Ordering::Release);
        holding.sweeping.store(true, Ordering::Release);
        readers.end_snapshots(if paused { Duration::ZERO } else { holding.hold });
    }
}

/// Whether `now` is in the pause at the start of a second of the clock.
fn in_pause(now: std::time::SystemTime) -> bool {
    now.duration_since(std::time::UNIX_EPOCH)
        .is_ok_and(|since| since.subsec_millis() < PAUSE_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of `t` as a read through `readers` sees them.
    fn rows(readers: &SqliteReaders) -> i64 {
        readers
            .read("SELECT count(*) FROM t", (), |row| row.get(0))
            .unwrap()
            .unwrap()
    }

    /// A WAL-mode database with a table `t` and the connection that writes it,
    /// which writes the WAL back only when asked; its URL.
    fn database(dir: &tempfile::TempDir) -> (Connection, String) {
        let path = dir.path().join("t.db");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x);")
            .unwrap();
        (writer, format!("sqlite://{}", path.display()))
    }

    /// Readers made outside a runtime have no sweep: the test sets what the
    /// sweep would. Ages are a long hold and none, not waited for.
    #[test]
    fn a_snapshot_is_kept_until_a_write_is_said_it_is_old_or_paused() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, url) = database(&dir);
        let insert = || writer.execute("INSERT INTO t VALUES (1)", ()).unwrap();
        insert();
        let long = SqliteReaders::with_hold(&url, 1, Duration::from_secs(3600), true).unwrap();

        assert_eq!(rows(&long), 1);
        insert();
        assert_eq!(
            (rows(&long), long.idle_snapshots()),
            (2, 0),
            "without a sweep none is kept"
        );

        long.holding().sweeping.store(true, Ordering::Release);
        assert_eq!((rows(&long), long.idle_snapshots()), (2, 1));
        insert();
        assert_eq!(rows(&long), 2, "a young snapshot is kept");
        long.wrote();
        assert_eq!(rows(&long), 3, "a write said ends it");

        long.holding().paused.store(true, Ordering::Release);
        insert();
        assert_eq!(
            (rows(&long), long.idle_snapshots()),
            (4, 0),
            "paused, reads are made alone"
        );
        long.holding().paused.store(false, Ordering::Release);

        assert_eq!((rows(&long), long.idle_snapshots()), (4, 1));
        long.end_snapshots(Duration::from_secs(3600));
        assert_eq!(long.idle_snapshots(), 1, "the sweep leaves a young one");
        long.end_snapshots(Duration::ZERO);
        assert_eq!(long.idle_snapshots(), 0, "and ends an old one");

        let none = SqliteReaders::with_hold(&url, 1, Duration::ZERO, true).unwrap();
        none.holding().sweeping.store(true, Ordering::Release);
        assert_eq!(rows(&none), 4);
        insert();
        assert_eq!(rows(&none), 5, "an old one is ended by the next read");
    }

    #[test]
    fn the_pause_is_the_start_of_each_second_of_the_clock() {
        use std::time::UNIX_EPOCH;
        let at = |millis| UNIX_EPOCH + Duration::from_millis(millis);
        assert!(in_pause(at(1_700_000_000_000)));
        assert!(in_pause(at(1_700_000_000_074)));
        assert!(!in_pause(at(1_700_000_000_075)));
        assert!(!in_pause(at(1_700_000_000_999)));
        assert!(!in_pause(UNIX_EPOCH - Duration::from_millis(500)));
    }

    /// What the pause is for: a snapshot kept keeps a checkpoint from writing
    /// the WAL's last writes back, so the WAL is never started again; in the
    /// pause (no snapshot kept, reads made alone) the checkpoint writes all of it
    /// back and the next write starts the WAL again.
    #[test]
    fn in_the_pause_the_wal_is_written_back_and_started_again() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, url) = database(&dir);
        let insert = || writer.execute("INSERT INTO t VALUES (1)", ()).unwrap();
        let checkpoint = || -> (i64, i64) {
            writer
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", (), |row| {
                    Ok((row.get(1)?, row.get(2)?))
                })
                .unwrap()
        };
        // Salt-1 (bytes 16 to 19 of the WAL's header) changes each time the WAL
        // is started again (SQLite's file format, "WAL File Format").
        let salt = || std::fs::read(dir.path().join("t.db-wal")).unwrap()[16..20].to_vec();
        let readers = SqliteReaders::with_hold(&url, 1, HOLD, true).unwrap();
        readers.holding().sweeping.store(true, Ordering::Release);

        insert();
        assert_eq!((rows(&readers), readers.idle_snapshots()), (1, 1));
        insert();
        let (frames, written_back) = checkpoint();
        assert!(
            written_back < frames,
            "a snapshot kept holds the last write back: {written_back} of {frames}"
        );
        let before = salt();
        insert();
        assert_eq!(salt(), before, "and the WAL is not started again");

        readers.holding().paused.store(true, Ordering::Release);
        readers.end_snapshots(Duration::ZERO);
        assert_eq!((rows(&readers), readers.idle_snapshots()), (3, 0));
        let (frames, written_back) = checkpoint();
        assert_eq!(written_back, frames, "in the pause all of it is written back");
        insert();
        assert_ne!(salt(), before, "and the next write starts the WAL again");
    }
}
