//! The connections lookups read through, apart from the main pool.
//!
//! sqlx's pool checks a connection with a round trip to the database when it
//! hands it out and again when it takes it back. For a lookup, one short indexed
//! read, those two checks cost as much as the query itself (docs/benchmarks.md).
//! These connections are handed out unchecked; one whose query fails is thrown
//! away instead of returned, and the next lookup opens a fresh one, so a
//! database restart costs each dead connection one failed lookup, not more.

use super::PoolStatus;
use deadpool::managed::{self, Metrics, Object, RecycleResult};
use deadpool::Runtime;
use sqlx::{AnyConnection, ConnectOptions};
use std::time::Duration;

/// Opens read connections to one database.
#[derive(Debug)]
pub struct Opener {
    url: String,
    sqlite: bool,
}

impl managed::Manager for Opener {
    type Type = AnyConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<AnyConnection, sqlx::Error> {
        let options: sqlx::any::AnyConnectOptions = self.url.parse()?;
        let mut conn = options.disable_statement_logging().connect().await?;
        if self.sqlite {
            // Lookups only read: a bug that tried to write through here fails loudly.
            for pragma in ["PRAGMA query_only = ON", "PRAGMA busy_timeout = 2000"] {
                sqlx::query(pragma).execute(&mut conn).await?;
            }
        }
        Ok(conn)
    }

    async fn recycle(&self, _conn: &mut AnyConnection, _: &Metrics) -> RecycleResult<sqlx::Error> {
        // No check: a connection comes back here only after its query succeeded.
        Ok(())
    }
}

/// Read connections for lookups, at most `size` at once.
#[derive(Debug, Clone)]
pub struct Readers {
    pool: managed::Pool<Opener>,
}

/// Why no read connection could be had.
#[derive(Debug, thiserror::Error)]
#[error("no read connection: {0}")]
pub struct ReaderError(String);

impl Readers {
    /// Up to `size` connections to `url`; waiting for one, or opening one, gives up after `timeout`.
    pub fn new(url: &str, sqlite: bool, size: u32, timeout: Duration) -> Result<Readers, ReaderError> {
        let opener = Opener {
            url: url.to_string(),
            sqlite,
        };
        let pool = managed::Pool::builder(opener)
            .max_size(size as usize)
            .wait_timeout(Some(timeout))
            .create_timeout(Some(timeout))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| ReaderError(e.to_string()))?;
        Ok(Readers { pool })
    }

    /// A connection, opened if none is idle.
    pub async fn get(&self) -> Result<Object<Opener>, ReaderError> {
        self.pool.get().await.map_err(|e| ReaderError(e.to_string()))
    }

    /// Drops a connection whose query failed, so it is never used again.
    pub fn discard(conn: Object<Opener>) {
        drop(Object::take(conn));
    }

    /// How the read connections are used right now.
    pub fn status(&self) -> PoolStatus {
        let status = self.pool.status();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        PoolStatus {
            in_use: count(status.size.saturating_sub(status.available)),
            idle: count(status.available),
            max: count(status.max_size),
        }
    }

    /// Closes the idle connections and refuses new ones.
    pub fn close(&self) {
        self.pool.close();
    }
}
