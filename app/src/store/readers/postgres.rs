//! PostgreSQL lookups, through connections apart from the main pool.
//!
//! sqlx's pool checks a connection with a round trip to the database when it
//! hands it out and again when it takes it back. For a lookup, one short indexed
//! read, those two checks cost as much as the query itself (docs/benchmarks.md).
//! These connections are handed out unchecked; one whose query fails is thrown
//! away instead of returned, and the next lookup opens a fresh one, so a
//! database restart costs each dead connection one failed lookup, not more.
//! They speak PostgreSQL directly (not through sqlx's `Any` driver), so rows
//! are read without a conversion.

use super::{ReaderError, LOOKUP};
use crate::store::PoolStatus;
use deadpool::managed::{self, Metrics, Object, RecycleResult};
use deadpool::Runtime;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::ConnectOptions;
use std::time::Duration;

/// Opens read connections to one database.
#[derive(Debug)]
pub struct Opener {
    options: PgConnectOptions,
}

impl managed::Manager for Opener {
    type Type = PgConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<PgConnection, sqlx::Error> {
        self.options.clone().disable_statement_logging().connect().await
    }

    async fn recycle(&self, _conn: &mut PgConnection, _: &Metrics) -> RecycleResult<sqlx::Error> {
        // No check: a connection comes back here only after its query succeeded.
        Ok(())
    }
}

/// Read connections for lookups, at most `size` at once.
#[derive(Debug, Clone)]
pub struct PgReaders {
    pool: managed::Pool<Opener>,
}

impl PgReaders {
    /// Up to `size` connections to `url`; waiting for one, or opening one, gives up after `timeout`.
    pub fn new(url: &str, size: u32, timeout: Duration) -> Result<PgReaders, ReaderError> {
        use std::str::FromStr;
        let options = PgConnectOptions::from_str(url).map_err(|e| ReaderError(e.to_string()))?;
        let pool = managed::Pool::builder(Opener { options })
            .max_size(size as usize)
            .wait_timeout(Some(timeout))
            .create_timeout(Some(timeout))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| ReaderError(e.to_string()))?;
        Ok(PgReaders { pool })
    }

    async fn get(&self) -> Result<Object<Opener>, ReaderError> {
        self.pool.get().await.map_err(|e| ReaderError(e.to_string()))
    }

    pub async fn check(&self) -> Result<(), ReaderError> {
        self.get().await.map(drop)
    }

    pub async fn shopper_view(
        &self,
        slug: &str,
        number_key: &str,
        email_key: &str,
    ) -> Result<Option<String>, ReaderError> {
        let mut conn = self.get().await?;
        let found = sqlx::query_scalar::<_, Option<String>>(LOOKUP)
            .bind(slug)
            .bind(number_key)
            .bind(email_key)
            .fetch_optional(&mut *conn)
            .await;
        match found {
            Ok(view) => Ok(view.flatten()),
            Err(e) => {
                // Never used again.
                drop(Object::take(conn));
                Err(ReaderError(e.to_string()))
            }
        }
    }

    pub fn status(&self) -> PoolStatus {
        let status = self.pool.status();
        PoolStatus::of(
            status.size.saturating_sub(status.available),
            status.available,
            status.max_size,
        )
    }

    pub fn close(&self) {
        self.pool.close();
    }
}
