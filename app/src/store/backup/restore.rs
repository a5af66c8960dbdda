//! A backup put back in place of a SQLite database while no server runs.
//!
//! Servers hold their database's lock shared ([`super::serving`]); a restore
//! takes it whole, then opens the database in SQLite's exclusive locking
//! mode, so that neither a server nor a command can have it open meanwhile.
//! The backup is read once, into a hidden copy beside the database, which is
//! what is checked and changed, so that the database gets every change in
//! the one commit that restores it: console sessions and password links are
//! deleted there (a session signed out, or a link used, after the backup was
//! made must not work again), and the orders erased since the backup was made
//! are erased there again, as the store erases an order ([`erased_since`]). The
//! database as it was is kept beside it first, and SQLite's backup API then
//! writes the copy's pages into the database through the database's own log,
//! in one transaction: a log a killed server left is read as part of the
//! database as it was, never mixed with the backup.

mod erased_since;

use super::files::{self, Scratch, Written};
use super::lock;
use super::stop::Stop;
use super::{blocking, migrations, open, tables, whole, BackupError, Held, E};
pub use erased_since::Erased;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// A restore done.
#[derive(Debug)]
pub struct Restored {
    pub held: Held,
    /// Where the database as it was is kept (none when it held nothing).
    pub kept: Option<PathBuf>,
    /// Whether the backup was made by an older version than this one.
    pub older: bool,
    /// Whether it was migrated to this version (to erase orders again in it).
    pub migrated: bool,
    /// Orders erased after the backup was made, erased again.
    pub erased_again: Vec<Erased>,
}

/// Puts the backup `from` in place of the database of `url`, keeping the
/// database as it was beside it; refused while anything has it open.
pub async fn restore(url: &str, from: &Path, stop: &Stop) -> Result<Restored, BackupError> {
    let (url, from, stopping) = (url.to_owned(), from.to_owned(), stop.clone());
    let mut prepared = blocking("restore", move || prepare(&url, &from, &stopping)).await?;
    // Erased in the copy, as the store erases; a backup of an older version
    // is migrated first (the erasure's statements are this version's).
    if !prepared.erased.is_empty() {
        prepared.erased = erased_since::erase_again(&prepared.copy_url()?, &prepared.erased).await?;
        prepared.migrated = prepared.older;
    }
    let stopping = stop.clone();
    blocking("restore", move || prepared.finish(&stopping)).await
}

/// A restore ready to be written: the database held, the backup's copy
/// made, the database as it was kept. Dropped, it changes nothing and
/// removes what it wrote. Its fields drop in this order: the connections
/// before their files, the database's lock last.
struct Prepared {
    copy_conn: Connection,
    copy: Scratch,
    dest: Connection,
    kept: Option<Written<()>>,
    erased: Vec<Erased>,
    db: PathBuf,
    /// The backup, as errors name it.
    from: PathBuf,
    older: bool,
    migrated: bool,
    /// A rollback journal left beside the database (see `finish`), removed
    /// once the database's connection is closed, under its lock.
    journal: Leftover,
    _lock: std::fs::File,
}

/// A file removed when dropped, if named.
#[derive(Default)]
struct Leftover(Option<PathBuf>);

impl Drop for Leftover {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn prepare(url: &str, from: &Path, stop: &Stop) -> Result<Prepared, BackupError> {
    let db = super::sqlite_file(url)?;
    if !db.is_file() {
        return Err(super::no_database(db));
    }
    if !from.exists() {
        return Err(E::NoFile(from.to_path_buf()));
    }
    if !from.is_file() {
        return Err(E::NotAFile(from.to_path_buf()));
    }
    let mut head = [0u8; 16];
    let read = std::fs::File::open(from).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head));
    if read.is_err() || &head != b"SQLite format 3\0" {
        return Err(E::NotSqliteFile(from.to_path_buf()));
    }
    if files::same_file(from, &db) {
        return Err(E::Same(from.to_path_buf()));
    }
    let lock = lock::whole_lock(&db)?;
    let copy = Scratch::beside(&db, "restoring")?;
    let (copy_conn, backup) = read_backup(from, copy.path(), stop)?;
    let dest = open(&db, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    let sql = |e| E::Sqlite(db.clone(), e);
    // Exclusive from the first read on: a command that has it open, or opens
    // it now, is refused (and refuses) rather than waited for.
    dest.busy_timeout(std::time::Duration::ZERO).map_err(sql)?;
    dest.pragma_update(None, "locking_mode", "EXCLUSIVE").map_err(sql)?;
    match dest.execute_batch("BEGIN EXCLUSIVE; COMMIT;") {
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ) =>
        {
            return Err(E::InUse(db.clone()));
        }
        other => other.map_err(sql)?,
    }
    let present = tables(&dest).map_err(sql)?;
    if let Some(named) = migrations::foreign(&present) {
        return Err(E::Foreign(db.clone(), named));
    }
    stop.watch(&dest)?;
    let (kept, erased) = match present.is_empty() {
        true => (None, Vec::new()),
        false => {
            let kept = files::copy_into(&dest, &kept_name(&db)?, |_| Ok(()))?;
            let erased = erased_since::since(&dest, &copy_conn, &db)?;
            (Some(kept), erased)
        }
    };
    Ok(Prepared {
        copy_conn,
        copy,
        dest,
        kept,
        erased,
        db,
        from: from.to_path_buf(),
        older: backup.migration < migrations::newest_sqlite(),
        migrated: false,
        journal: Leftover::default(),
        _lock: lock,
    })
}

impl Prepared {
    /// The copy's database URL, its path percent-encoded (a URL's `?` starts
    /// its options, and `%` is decoded).
    fn copy_url(&self) -> Result<String, BackupError> {
        let path = self.copy.path();
        let named = path.to_str().ok_or_else(|| E::Unnamed(path.to_path_buf()))?;
        let mut url = String::from("sqlite://");
        for byte in named.bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'.' | b'_' | b'-' => url.push(char::from(byte)),
                _ => url.push_str(&format!("%{byte:02X}")),
            }
        }
        Ok(url)
    }

    /// Writes the copy into the database: the one step that changes it.
    fn finish(mut self, stop: &Stop) -> Result<Restored, BackupError> {
        let db = self.db.clone();
        let sql = |e| E::Sqlite(db.clone(), e);
        let held = whole(&self.copy_conn, &self.from)?;
        stop.watch(&self.copy_conn)?;
        // SQLite copies pages of another size only outside write-ahead logging:
        // the database leaves it for the copy (its log moved into the file
        // first), and takes it up again after.
        let page = |conn: &Connection| conn.query_row("PRAGMA page_size", [], |row| row.get::<_, i64>(0));
        let resized = page(&self.copy_conn).map_err(sql)? != page(&self.dest).map_err(sql)?;
        if resized {
            // Held exclusively, SQLite empties its rollback journal rather than
            // deleting it; what is left holds pages of the database as it was.
            let mut journal = db.clone().into_os_string();
            journal.push("-journal");
            self.journal.0 = Some(journal.into());
            self.dest.pragma_update(None, "journal_mode", "DELETE").map_err(sql)?;
        }
        {
            let step = rusqlite::backup::Backup::new(&self.copy_conn, &mut self.dest).map_err(sql)?;
            match step.step(-1) {
                Ok(rusqlite::backup::StepResult::Done) => {}
                Ok(_) => return Err(E::InUse(db.clone())),
                Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) => {
                    return Err(E::Stopped)
                }
                Err(e) => return Err(sql(e)),
            }
        }
        // Restored: from here on nothing is undone, and the copy kept stays.
        let kept = self.kept.take().map(|kept| {
            let path = kept.path().to_path_buf();
            kept.keep();
            path
        });
        if resized {
            if let Err(e) = self.dest.pragma_update(None, "journal_mode", "WAL") {
                // The next server's start takes it up again.
                tracing::warn!(error = %e, "the restored database stays outside write-ahead logging until a server starts");
            }
        }
        // Moved into the file itself now (else when the connection closes).
        let _ = self.dest.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        let bytes = std::fs::metadata(&db).map_or(held.bytes, |m| m.len());
        Ok(Restored {
            held: Held { bytes, ..held },
            kept,
            older: self.older,
            migrated: self.migrated,
            erased_again: std::mem::take(&mut self.erased),
        })
    }
}

/// Reads the backup `from` once into `copy`, forgets its sessions and
/// password links there, checks it, and opens it for the restore.
fn read_backup(from: &Path, copy: &Path, stop: &Stop) -> Result<(Connection, Held), BackupError> {
    let source = open(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    super::migrations_of(&source, from)?;
    stop.watch(&source)?;
    let named = copy.to_str().ok_or_else(|| E::Unnamed(copy.to_path_buf()))?;
    source
        .execute("VACUUM INTO ?1", [named])
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::OperationInterrupted) => E::Stopped,
            _ => E::Damaged(from.to_path_buf(), e.to_string()),
        })?;
    drop(source);
    let conn = open(copy, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    let sql = |e| E::Sqlite(copy.to_path_buf(), e);
    conn.pragma_update(None, "secure_delete", "ON").map_err(sql)?;
    let present = tables(&conn).map_err(sql)?;
    for table in ["sessions", "password_links"] {
        if present.iter().any(|t| t == table) {
            conn.execute(&format!("DELETE FROM {table}"), []).map_err(sql)?;
        }
    }
    let held = whole(&conn, from)?;
    Ok((conn, held))
}

/// `NAME.replaced-<UTC time>` beside the database, free.
fn kept_name(db: &Path) -> Result<PathBuf, BackupError> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut last = E::Exists(db.to_path_buf());
    for n in 1..=100 {
        let suffix = if n == 1 { String::new() } else { format!("-{n}") };
        match files::new_name(&db.with_file_name(format!("{name}.replaced-{stamp}{suffix}"))) {
            Err(E::Exists(path)) => last = E::Exists(path),
            done => return done,
        }
    }
    Err(last)
}
