//! Opening a store: the main pool (SQLite's file and per-connection settings,
//! or PostgreSQL), the lookup connections beside it, and their sizes.

use super::{readers, shown_url, Backend, Handles, Store, StoreError};
use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;
use std::time::Duration;

/// The file a SQLite database URL names; none for another database, an
/// in-memory one, or a URL that does not parse.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    if !url.starts_with("sqlite:") {
        return None;
    }
    let options = SqliteConnectOptions::from_str(url).ok()?;
    let file = options.get_filename();
    (!file.as_os_str().is_empty() && file.as_os_str() != ":memory:").then(|| file.to_path_buf())
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

/// How long a SQLite connection waits for another's lock (set on each).
pub(super) const BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 10000";

/// How to open a store, beyond its URL.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// Connections of the main pool (`None`: [`SQLITE_POOL`] or [`POSTGRES_POOL`]).
    pub pool_size: Option<u32>,
    /// Connections for lookups (`None`: `pool_size` when that is given, else a
    /// number from the cores this process may use, see `readers::default_size`).
    pub lookup_connections: Option<u32>,
    /// Where lookups read (`None`: the store's own URL): a PostgreSQL read replica, say.
    pub lookup_url: Option<String>,
    /// SQLite lookups keep their snapshot until a write is told, however old
    /// (tests that must show a lookup sees a write only by being told).
    #[cfg(test)]
    pub snapshots_until_told: bool,
}

/// The connections lookups read through, as `options` ask.
fn lookup_readers(
    url: &str,
    sqlite: bool,
    size: u32,
    options: &StoreOptions,
) -> Result<readers::Readers, readers::ReaderError> {
    #[cfg(test)]
    if sqlite && options.snapshots_until_told {
        return readers::Readers::sqlite_until_told(url, size);
    }
    let _ = options;
    readers::Readers::new(url, sqlite, size, ACQUIRE_TIMEOUT)
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
        let backend = Backend::of_url(url).ok_or_else(|| StoreError::UnsupportedUrl(shown_url(url)))?;
        let lookup_url = store_options.lookup_url.as_deref().unwrap_or(url);
        if Backend::of_url(lookup_url) != Some(backend) {
            return Err(StoreError::LookupUrl(format!(
                "{:?} is not the same kind of database as {:?}",
                shown_url(lookup_url),
                shown_url(url)
            )));
        }
        let pool_size = store_options.pool_size;
        sqlx::any::install_default_drivers();
        let mut options = AnyPoolOptions::new()
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .before_acquire(|conn, _| Box::pin(async move { Ok(!stuck_in_transaction(conn)) }));
        let sqlite_file = match backend {
            Backend::Sqlite => Some(SqliteConnectOptions::from_str(url)?),
            Backend::Postgres => None,
        };
        options = match &sqlite_file {
            Some(file) => {
                // Create the file and switch it to WAL (a setting the file keeps) once,
                // then give every pooled connection its per-connection settings.
                create_in_wal(file).await?;
                options
                    .max_connections(pool_size.unwrap_or(SQLITE_POOL))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            for pragma in [
                                "PRAGMA foreign_keys = ON",
                                "PRAGMA synchronous = NORMAL",
                                BUSY_TIMEOUT,
                                // What is deleted is overwritten, not left in the
                                // file's free space: an erased order cannot be read
                                // back from the file or a copy of it.
                                "PRAGMA secure_delete = ON",
                            ] {
                                sqlx::query(pragma).execute(&mut *conn).await?;
                            }
                            Ok(())
                        })
                    })
            }
            None => options.max_connections(pool_size.unwrap_or(POSTGRES_POOL)),
        };
        let pool = match options.connect(url).await {
            Ok(pool) => pool,
            // The pool says only that it waited ("pool timed out"): one
            // connection of its own says why (refused, no such host, a password).
            Err(sqlx::Error::PoolTimedOut) => {
                use sqlx::Connection;
                let why = tokio::time::timeout(ACQUIRE_TIMEOUT, sqlx::AnyConnection::connect(url)).await;
                return Err(match why {
                    Ok(Err(e)) => e.into(),
                    _ => sqlx::Error::PoolTimedOut.into(),
                });
            }
            Err(e) => return Err(e.into()),
        };
        let sqlite = backend == Backend::Sqlite;
        let wal = sqlite_file.map(|file| {
            let mut wal = file.get_filename().as_os_str().to_owned();
            wal.push("-wal");
            wal.into()
        });
        let lookup_size = store_options
            .lookup_connections
            .or(pool_size)
            .unwrap_or_else(|| readers::default_size(sqlite));
        let readers = lookup_readers(lookup_url, sqlite, lookup_size, store_options)
            .map_err(|e| StoreError::LookupUrl(e.to_string()))?;
        if store_options.lookup_url.is_some() {
            // A separate lookup database is checked now, not at the first shopper's lookup.
            readers
                .check()
                .await
                .map_err(|e| StoreError::LookupUrl(e.to_string()))?;
        }
        let replica = match (backend, &store_options.lookup_url) {
            (Backend::Postgres, Some(url)) => Some(super::replica::spawn(pool.clone(), url.clone())),
            _ => None,
        };
        Ok(Self(std::sync::Arc::new(Handles {
            pool,
            readers,
            readers_read_main: store_options.lookup_url.is_none(),
            replica,
            backend,
            tally: Default::default(),
            wal,
            writes: tokio_util::task::TaskTracker::new(),
            turns: Default::default(),
            order_turns: Default::default(),
            purging: Default::default(),
        })))
    }
}

/// Whether a pooled connection still counts itself inside a transaction when
/// it is handed out again. Its transaction was rolled back when it came back
/// to the pool, so it is not: the database ended it alone, or it was cut
/// short mid-way, and the rollback failed. SQLite does that on a full disk (the failed write rolls the whole
/// transaction back, and the connection would refuse every later `BEGIN` as
/// "at non-zero transaction depth"). Such a connection is closed and another
/// one opened in its place.
fn stuck_in_transaction(conn: &sqlx::AnyConnection) -> bool {
    use sqlx::Connection;
    let stuck = conn.is_in_transaction();
    if stuck {
        tracing::info!("closed a database connection left inside a transaction (one cut short, or ended by the database, as on a full disk)");
    }
    stuck
}

/// Creates a SQLite file if it is not there and switches it to WAL. Processes
/// opening one new file at the same moment (servers started together,
/// `lookout demo` beside one) may each find it locked by another's switch
/// (SQLite then waits for no one): tried again, for a second at most.
async fn create_in_wal(file: &SqliteConnectOptions) -> Result<(), sqlx::Error> {
    let mut tries = 0;
    loop {
        let made = async {
            let conn = file
                .clone()
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .connect()
                .await?;
            conn.close().await
        };
        match made.await {
            Err(sqlx::Error::Database(e)) if tries < 20 && is_busy(e.code().as_deref()) => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            done => return done,
        }
    }
}

/// Whether a SQLite error code (extended or not) is SQLITE_BUSY's.
fn is_busy(code: Option<&str>) -> bool {
    code.and_then(super::unavailable::sqlite_primary) == Some(5)
}
