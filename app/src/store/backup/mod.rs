//! Backups of a SQLite database. One is made while servers run: `VACUUM INTO`
//! writes a consistent copy of the live pages only (so nothing erased is in
//! it) to a hidden file beside the one named, which is checked, then given
//! its name; nothing is ever written over. One is restored while no server
//! runs ([`restore`]). SQLite's work runs off the async runtime, on its
//! blocking threads. PostgreSQL has `pg_dump` and `pg_restore`.

mod files;
mod lock;
mod restore;
mod stop;

pub use lock::serving;
pub use restore::{restore, Erased, Restored};
pub use stop::Stop;

use super::migrations;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};

/// Why a backup or a restore did nothing.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backups here are of SQLite databases; back PostgreSQL up with pg_dump and restore it with pg_restore \
         (docs/operations.md)"
    )]
    NotSqlite,
    #[error("there is no database at {0} (give the server's --database-url, or its --config)")]
    NoDatabase(PathBuf),
    #[error("there is no file at {0}")]
    NoFile(PathBuf),
    #[error("{0} is not a file (a folder, a device or a pipe)")]
    NotAFile(PathBuf),
    #[error("{0} stayed locked (a restore under way?): nothing was written; try again once it is done")]
    Busy(PathBuf),
    #[error("{0}; nothing was changed")]
    Store(crate::store::StoreError),
    #[error("the folder {0} does not exist: make it first, or name another")]
    NoFolder(PathBuf),
    #[error("{0} already exists: nothing was written over it (name a file that is not there)")]
    Exists(PathBuf),
    #[error("{0} is not a name a backup can be written to (a file's name, in UTF-8)")]
    Unnamed(PathBuf),
    #[error("{0} is not a SQLite database")]
    NotSqliteFile(PathBuf),
    #[error("{0} is not a Lookout database (it has no migrations table)")]
    NotLookout(PathBuf),
    #[error("{0} holds tables that are not Lookout's ({1}) and none of Lookout's: it is not restored over")]
    Foreign(PathBuf, String),
    #[error("{0} is damaged: {1}")]
    Damaged(PathBuf, String),
    #[error("{0} was migrated by a newer Lookout (its migration {1} is not one this version has): use that version")]
    Newer(PathBuf, i64),
    #[error("{0} is the database itself: name a backup")]
    Same(PathBuf),
    #[error(
        "{0} is in use (a running server, or another lookout command has it open): \
         stop it first; nothing was changed"
    )]
    InUse(PathBuf),
    #[error("{0} is being restored (lookout restore): start the server once that is done")]
    Restoring(PathBuf),
    #[error("stopped; nothing was written or changed")]
    Stopped,
    #[error("the {0} ended unexpectedly: check the files beside the database")]
    Ended(&'static str),
    #[error("cannot name the backup {0}: {1} (a file system without hard links: write it elsewhere, then copy it)")]
    Unlinked(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Sqlite(PathBuf, rusqlite::Error),
}

use BackupError as E;

impl From<crate::store::StoreError> for BackupError {
    fn from(e: crate::store::StoreError) -> Self {
        E::Store(e)
    }
}

/// What a backup or a restored database holds, as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub shops: i64,
    pub orders: i64,
    /// Its newest migration.
    pub migration: i64,
    /// Its size in bytes.
    pub bytes: u64,
}

/// The SQLite file a database URL names; PostgreSQL and in-memory databases have none.
pub fn sqlite_file(url: &str) -> Result<PathBuf, BackupError> {
    super::sqlite_file(url)
        .filter(|_| !url.contains("mode=memory"))
        .ok_or(E::NotSqlite)
}

/// Backs the database of `url` up into `out`, a file that must not exist yet.
pub async fn back_up(url: &str, out: &Path, stop: &Stop) -> Result<Held, BackupError> {
    let (url, out, stop) = (url.to_owned(), out.to_owned(), stop.clone());
    blocking("backup", move || back_up_now(&url, &out, &stop)).await
}

/// Runs SQLite's `work` on the runtime's blocking threads.
async fn blocking<T: Send + 'static>(
    what: &'static str,
    work: impl FnOnce() -> Result<T, BackupError> + Send + 'static,
) -> Result<T, BackupError> {
    tokio::task::spawn_blocking(work).await.unwrap_or(Err(E::Ended(what)))
}

fn back_up_now(url: &str, out: &Path, stop: &Stop) -> Result<Held, BackupError> {
    let db = sqlite_file(url)?;
    if !db.is_file() {
        return Err(no_database(db));
    }
    let out = files::new_name(out)?;
    let source = open(&db, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    source
        .busy_timeout(std::time::Duration::from_secs(5))
        .map_err(|e| E::Sqlite(db.clone(), e))?;
    migrations_of(&source, &db)?;
    stop.watch(&source)?;
    let written = files::copy_into(&source, &out, |copy| check(copy, &out))?;
    Ok(written.keep())
}

/// There is no database at `db`: said with its whole path (a relative one
/// is read from the folder a command runs in).
fn no_database(db: PathBuf) -> BackupError {
    E::NoDatabase(std::path::absolute(&db).unwrap_or(db))
}

fn open(path: &Path, flags: OpenFlags) -> Result<Connection, BackupError> {
    Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| E::Sqlite(path.to_path_buf(), e))
}

/// Opens the SQLite file `path` read only and checks it (see [`whole`]);
/// errors name it as `shown`.
fn check(path: &Path, shown: &Path) -> Result<Held, BackupError> {
    let conn = open(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut held = whole(&conn, shown)?;
    held.bytes = std::fs::metadata(path)
        .map_err(|e| E::Io(shown.to_path_buf(), e))?
        .len();
    Ok(held)
}

/// Checks the database of `conn`: whole (SQLite's `quick_check`), Lookout's,
/// of no migration newer than this version's; and says what it holds.
fn whole(conn: &Connection, shown: &Path) -> Result<Held, BackupError> {
    let damaged = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => E::NotSqliteFile(shown.to_path_buf()),
        _ => E::Damaged(shown.to_path_buf(), e.to_string()),
    };
    let said: Vec<String> = conn
        .prepare("PRAGMA quick_check(3)")
        .and_then(|mut q| q.query_map([], |row| row.get(0))?.collect())
        .map_err(damaged)?;
    if said != ["ok"] {
        return Err(E::Damaged(shown.to_path_buf(), said.join("; ")));
    }
    let migration = migrations_of(conn, shown)?;
    let count = |table: &str| {
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| row.get::<_, i64>(0))
            .map_err(damaged)
    };
    Ok(Held {
        shops: count("shops")?,
        orders: count("orders")?,
        migration,
        bytes: 0,
    })
}

/// The newest migration of a Lookout database, every one of which this version has.
fn migrations_of(conn: &Connection, shown: &Path) -> Result<i64, BackupError> {
    let has: Option<String> = conn
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            [],
            |row| row.get(0),
        )
        .optional()
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => E::NotSqliteFile(shown.to_path_buf()),
            Some(rusqlite::ErrorCode::DatabaseCorrupt) => E::Damaged(shown.to_path_buf(), e.to_string()),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                E::Busy(shown.to_path_buf())
            }
            _ => E::Sqlite(shown.to_path_buf(), e),
        })?;
    if has.is_none() {
        return Err(E::NotLookout(shown.to_path_buf()));
    }
    let versions: Vec<i64> = conn
        .prepare("SELECT version FROM _sqlx_migrations ORDER BY version")
        .and_then(|mut q| q.query_map([], |row| row.get(0))?.collect())
        .map_err(|e| E::Damaged(shown.to_path_buf(), e.to_string()))?;
    if let Some(&newer) = versions.iter().find(|v| !migrations::sqlite_has(**v)) {
        return Err(E::Newer(shown.to_path_buf(), newer));
    }
    versions
        .last()
        .copied()
        .ok_or_else(|| E::NotLookout(shown.to_path_buf()))
}

/// The database's tables (not SQLite's own).
fn tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare(migrations::SQLITE_TABLES)?
        .query_map([], |row| row.get(0))?
        .collect()
}
