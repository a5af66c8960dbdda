//! SQLite's write-ahead log, written back into the database file and started
//! again: after an erasure (so that the erased pages are gone from the log
//! too) and when a store closes (so that a plain copy of the file holds every
//! write).

use super::{Backend, Store, StoreError};

impl Store {
    /// SQLite: the pages an erasure changed are in the write-ahead log as they
    /// were before it, until the log is written back and started again. Done
    /// soon after, in the background, once at a time, and once more at the
    /// hourly housekeeping. It never waits on a lock: a write-back that would
    /// (a write under way, a lookup's snapshot, which lasts 50 ms at most, or
    /// another process's long read) is tried again for a few seconds, then
    /// left for the next hour.
    pub fn purge_log(&self) {
        use std::sync::atomic::Ordering;
        if self.backend != Backend::Sqlite || self.purging.swap(true, Ordering::AcqRel) {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            let done = store.write_log_back().await;
            store.purging.store(false, Ordering::Release);
            match done {
                Ok(true) => {}
                Ok(false) => tracing::info!("the SQLite log could not be started again now; next hour"),
                Err(_) if store.pool.is_closed() => {}
                Err(e) => tracing::warn!(error = %e, "could not write the SQLite log back"),
            }
        });
    }

    /// Tries to write the log back and start it again, up to 30 times 100 ms
    /// apart, each try without waiting for a lock; true once done.
    async fn write_log_back(&self) -> Result<bool, StoreError> {
        for _ in 0..30 {
            if self.write_log_back_once().await? {
                return Ok(true);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Ok(false)
    }

    /// One try of [`Store::write_log_back`], waiting for no lock: true once
    /// the log is written back into the file and emptied.
    pub(super) async fn write_log_back_once(&self) -> Result<bool, StoreError> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("PRAGMA busy_timeout = 0").execute(&mut *conn).await?;
        let tried: Result<(i64, i64, i64), sqlx::Error> = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await;
        sqlx::query(super::connect::BUSY_TIMEOUT).execute(&mut *conn).await?;
        // (busy, frames in the log, frames written back): not busy is done.
        Ok(matches!(tried, Ok((0, _, _))))
    }
}
