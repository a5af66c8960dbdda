//! The order database. Everything that touches SQL lives here, behind a small
//! set of methods. One code path serves both backends through sqlx's `Any`
//! driver: SQLite (`sqlite://PATH`) for one machine, PostgreSQL
//! (`postgres://…`) for several servers sharing one database. Every statement
//! is written once, in SQL both understand (`$1` placeholders, `RETURNING`).

mod accounts;
mod activity;
mod allowances;
pub mod backup;
mod changes;
mod connect;
mod decision;
mod erased;
mod forms;
mod idle_accounts;
mod invites;
mod keys;
mod links;
mod lookup_id;
mod migrations;
mod order_lock;
mod orders;
mod outbox;
mod password_change;
mod password_mails;
mod readers;
mod redact;
mod refusals;
mod replica;
mod sessions;
mod shopify;
mod shops;
mod short_hash;
mod sign_in_notices;
mod sketch;
mod tally;
mod team;
mod turns;
mod views;
mod write_back;
mod writes;

pub use accounts::{Account, Membership, Role};
pub use activity::{Delivery, SupportView, AUDIT_KEPT_DAYS, AUDIT_SHOWN, DELIVERIES_KEPT, DELIVERY_IDS_KEPT_DAYS};
pub(crate) use allowances::{hex, unhex};
pub use changes::{By, Change, What, Who, CHANGES_KEPT, CHANGES_SHOWN};
pub use connect::{sqlite_file, StoreOptions, POSTGRES_POOL, SQLITE_POOL};
pub use decision::{Decision, PlatformOrder, PutOutcome, Updated};
pub use idle_accounts::IDLE_ACCOUNT_KEPT_DAYS;
pub use invites::{
    Invitation, InviteLink, InviteRefusal, Invited, InvitedBy, INVITES_PER_ACCOUNT_PER_DAY, INVITES_PER_DAY,
    MAILS_PER_ACCOUNT_PER_DAY,
};
pub use keys::{KeyInfo, KeyRefusal, StoredKey, KEYS_PER_HOUR, LIVE_KEYS, REVOKED_KEYS_KEPT};
pub use links::{LinkState, ORDERS_LISTED};
pub use orders::{order_version, Erasure, Guard};
pub use outbox::{MailKind, Outcome, Queued, QueuedShop};
pub use password_change::NOTICES_PER_HOUR;
pub use password_mails::{PasswordLink, PASSWORD_MAILS_PER_DAY};
pub use redact::shown_url;
pub use refusals::{masked_email, Refusal, Refused};
pub use sessions::{handle_of, NewSession, Session, SignedIn, SignedOut, BROWSERS_LISTED};
pub use shops::{NewShop, Shop, ShopUpdate};
pub use short_hash::{is_short_hash, short_hash};
pub use sign_in_notices::{SignInNotice, SignInWord, SIGN_IN_NOTICES_PER_HOUR};
pub use tally::{Counted, Day};
pub use team::{Member, TeamChange, TeamChanged, TeamRefusal, MEMBERS};
pub use turns::ShopTurn;
pub use writes::Writer;

use crate::errors::FieldError;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Transaction};

/// What can go wrong in the store. Callers map these to answers; the text of
/// `Database` is for logs only.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    // The cause is said in the message, and is not also a `source`: an error
    // printed with its chain (`{:#}`) would say it three times over.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(sqlx::migrate::MigrateError),
    #[error("the database URL {0:?} is not supported (use sqlite://PATH or postgres://USER@HOST/DATABASE)")]
    UnsupportedUrl(String),
    #[error("a shop with the slug {0:?} already exists")]
    ShopExists(String),
    #[error("the stored order is newer than this update")]
    Stale,
    #[error("the order is not valid")]
    Invalid(Vec<FieldError>),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("the account is no longer an owner of the shop")]
    NotOwner,
    #[error("the lookup database: {0}")]
    LookupUrl(String),
    #[error(
        "this database was migrated by a newer Lookout (its migration {0} is not one this version has): \
         run that version, or restore a backup made before it"
    )]
    Newer(i64),
    #[error(
        "this SQLite database holds tables that are not Lookout's ({0}) and none of Lookout's: \
         give Lookout a file of its own (a path where none is, or its own database)"
    )]
    Foreign(String),
    #[error(
        "this PostgreSQL database stores text as {0}, and Lookout's text is UTF-8: \
         give Lookout a database made with ENCODING 'UTF8' (CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0)"
    )]
    NotUtf8(String),
}

mod unavailable;
pub(crate) use unavailable::connection_gone;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(e)
    }
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

/// Connections of the pool: open and busy, open and idle, and the most it may open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    pub in_use: u32,
    pub idle: u32,
    pub max: u32,
}

impl PoolStatus {
    /// From counts as pools keep them (`usize`), saturating.
    fn of(in_use: usize, idle: usize, max: usize) -> PoolStatus {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        PoolStatus {
            in_use: count(in_use),
            idle: count(idle),
            max: count(max),
        }
    }
}

/// The handle to the order database. Cheap to clone: one reference count (it
/// is cloned for every request, see the server's `AppState`).
#[derive(Debug, Clone)]
pub struct Store(std::sync::Arc<Handles>);

/// What a [`Store`] holds (reached through it by `Deref`).
#[derive(Debug)]
pub struct Handles {
    pool: AnyPool,
    /// Connections for lookups only (see `readers`).
    readers: readers::Readers,
    /// The lookup connections read the main database itself (no separate lookup
    /// database), so shops may be read through them (see `Store::shop`).
    readers_read_main: bool,
    /// Whether a separate PostgreSQL lookup database (a replica) is behind the
    /// primary (see `replica`); none on SQLite or without one.
    replica: Option<std::sync::Arc<replica::ReplicaWatch>>,
    backend: Backend,
    /// Lookups counted in memory, not yet flushed (see `tally`).
    tally: std::sync::Arc<tally::Tally>,
    /// The SQLite file's write-ahead log (none on PostgreSQL).
    wal: Option<std::path::PathBuf>,
    /// Writes under way (`Store::written`): `close` waits for them.
    writes: tokio_util::task::TaskTracker,
    /// Turns at the shops' setup (see `turns`).
    turns: turns::Turns,
    /// Turns at one order's writes, by the order's lock number (`turns`).
    order_turns: turns::Turns,
    /// A write-back of the SQLite log is pending (`Store::purge_log`).
    purging: std::sync::atomic::AtomicBool,
}

impl std::ops::Deref for Store {
    type Target = Handles;
    fn deref(&self) -> &Handles {
        &self.0
    }
}

impl Store {
    /// The database this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The size of the SQLite file's write-ahead log in bytes (0 when there is
    /// none); `None` on PostgreSQL. SQLite writes the log again from its start
    /// once it has been written back, without making the file smaller, so this
    /// is the most it has held since it was made: steady growth means it is
    /// never written back.
    pub fn wal_bytes(&self) -> Option<u64> {
        let wal = self.wal.as_ref()?;
        Some(std::fs::metadata(wal).map_or(0, |meta| meta.len()))
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
    /// starting together migrate once), then gives every order stored before
    /// shopper views were its view, makes every view again when the projection's
    /// rules are newer than the database's views (and, on SQLite, gives orders
    /// their lookup ids).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migrations::run(self.backend, &self.pool).await?;
        // Migrations may rewrite what lookups read.
        self.readers.wrote();
        self.fill_missing_views().await?;
        self.reproject_stale_views().await?;
        self.fill_missing_lookup_ids().await?;
        self.fill_missing_handles().await?;
        let secret = self.server_secret("tally", &crate::limits::random_secret()).await?;
        let _ = self.tally.secret.set(secret);
        let slugs: Vec<String> = sqlx::query_scalar("SELECT slug FROM shops")
            .fetch_all(&self.pool)
            .await?;
        for slug in slugs {
            self.tally.know(&slug);
        }
        Ok(())
    }

    /// Ok when both the database and the lookup database (`--database-lookup-url`)
    /// answer: the main one a trivial query, the lookup one a lookup that can
    /// match nothing, so that a lookup database that is down, or is not a
    /// migrated Lookout database, is seen. Else which one did not, and its error.
    pub async fn readiness(&self) -> Result<(), String> {
        let (main, lookups) = tokio::join!(
            sqlx::query("SELECT 1").execute(&self.pool),
            self.readers.shopper_view("", "", "")
        );
        match (main, lookups) {
            (Ok(_), Ok(_)) => Ok(()),
            (Err(e), _) => Err(format!("the database: {e}")),
            (_, Err(e)) => Err(format!("the lookup database: {e}")),
        }
    }

    /// The main pool's connections at most.
    pub fn pool_size(&self) -> usize {
        self.pool.options().get_max_connections() as usize
    }

    /// Whether [`Store::close`] has begun.
    pub fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }

    /// Closes every connection; pending work finishes first, writes whose
    /// callers stopped waiting included, for at most [`CLOSE_WITHIN`].
    pub async fn close(&self) {
        self.close_within(CLOSE_WITHIN).await;
    }

    /// On SQLite, writes the log back into the file and empties it, when no
    /// other connection reads it now (one try, waiting for no lock): the file
    /// alone then holds every write, even if the process ends before its last
    /// connection's own close would have done it (a command run in a script,
    /// a copy taken right after).
    async fn empty_log(&self) {
        if self.backend != Backend::Sqlite {
            return;
        }
        match self.write_log_back_once().await {
            Ok(true) => {}
            Ok(false) => tracing::debug!("the SQLite log was not emptied at close: another connection reads it"),
            Err(e) => tracing::debug!(error = %e, "the SQLite log was not emptied at close"),
        }
    }

    /// [`Store::close`], waiting at most `limit` for pending work and the
    /// connections it holds: false (and a warning logged) if some was still
    /// running then. The pool is closed either way; work still running ends
    /// with the process, each order whole or absent as after a crash (a
    /// delivery may then miss its row in the console's list). A stopping
    /// server does not hang on a database that stopped answering.
    pub async fn close_within(&self, limit: std::time::Duration) -> bool {
        self.writes.close();
        let closed = tokio::time::timeout(limit, async {
            self.writes.wait().await;
            self.readers.close();
            self.empty_log().await;
            self.pool.close().await;
        })
        .await
        .is_ok();
        if !closed {
            self.readers.close();
            // Marks the pool closed at once; what it would wait for is not waited for.
            drop(self.pool.close());
            tracing::warn!(
                running = self.writes.len(),
                "stopped waiting for writes still running after {limit:?}; they are cut short"
            );
        }
        closed
    }
}

/// How long a closing store waits for pending work: longer than any one write
/// may take (10 s for a shop's turn, 2 s for a connection, SQLite's 10 s busy
/// timeout) after the server's requests have ended.
pub const CLOSE_WITHIN: std::time::Duration = std::time::Duration::from_secs(25);

/// A transaction for writing. SQLite: IMMEDIATE takes the write lock up front,
/// so what it reads stays true until it commits.
async fn begin_write(conn: &mut AnyConnection, backend: Backend) -> Result<Transaction<'_, Any>, StoreError> {
    Ok(match backend {
        Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => conn.begin().await?,
    })
}

fn json<T: serde::de::DeserializeOwned>(value: &str) -> Result<T, StoreError> {
    serde_json::from_str(value).map_err(corrupt)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(corrupt)
}

/// Stored JSON that cannot be read or written, said without its content
/// ([`crate::errors::json_problem`]).
fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(crate::errors::json_problem(&e))
}

/// A time `offset` from now as the store writes every time: RFC 3339 UTC, whole
/// seconds, so that times compare as text. Every time stored is made here.
pub fn time_in(offset: chrono::Duration) -> String {
    (chrono::Utc::now() + offset).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn now() -> String {
    time_in(chrono::Duration::zero())
}

#[cfg(test)]
mod bulk_tests;
#[cfg(test)]
mod delivery_log_tests;
#[cfg(test)]
mod erasure_tests;
#[cfg(test)]
mod forgetting_tests;
#[cfg(test)]
mod full_disk_tests;
#[cfg(test)]
mod housekeeping_tests;
#[cfg(test)]
mod idle_accounts_tests;
#[cfg(test)]
mod invite_removal_tests;
#[cfg(test)]
mod lookup_tests;
#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod reconnect_tests;
#[cfg(test)]
mod rival_tests;
#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod team_fixtures;
#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod view_tests;
