//! A backup put back in place of a SQLite database while no server runs.
//!
//! Servers hold their database's lock shared ([`super::serving`]); a restore
//! takes it whole, then opens the database in SQLite's exclusive locking
//! mode, so that neither a server nor a command can have it open meanwhile.
//! The backup is read once, into a hidden copy beside the database, which is
//! what is checked and changed: console sessions and password links are
//! deleted there (a session signed out, or a link used, after the backup was
//! made must not work again), so that the database gets them gone in the same
//! commit as the rest. The database as it was is kept beside it first, and
//! SQLite's backup API then writes the copy's pages into the database through
//! the database's own log, in one transaction: a log a killed server left is
//! read as part of the database as it was, never mixed with the backup.

use super::files::{self, Scratch, Stop};
use super::{migrations, open, tables, whole, BackupError, Held, E};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// A restore done.
#[derive(Debug)]
pub struct Restored {
    pub held: Held,
    /// Where the database as it was is kept (none when it held nothing).
    pub kept: Option<PathBuf>,
    /// Whether the backup is of an older version than this one (the next start migrates it).
    pub older: bool,
    /// Orders erased after the backup was made, and not written again
    /// since, that the backup holds: (shop id, shop slug, number key).
    pub erased_since: Vec<(i64, String, String)>,
}

/// Puts the backup `from` in place of the database of `url`, keeping the
/// database as it was beside it; refused while anything has it open.
pub fn restore(url: &str, from: &Path, stop: &Stop) -> Result<Restored, BackupError> {
    let db = super::sqlite_file(url)?;
    if !db.is_file() {
        return Err(E::NoDatabase(db));
    }
    if !from.is_file() {
        return Err(E::NoFile(from.to_path_buf()));
    }
    let mut head = [0u8; 16];
    let read = std::fs::File::open(from).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head));
    if read.is_err() || &head != b"SQLite format 3\0" {
        return Err(E::NotSqliteFile(from.to_path_buf()));
    }
    if files::same_file(from, &db) {
        return Err(E::Same(from.to_path_buf()));
    }
    // Dropped last: its descriptor closes after the database's connection.
    let _lock = files::whole_lock(&db)?;
    let copy = Scratch::beside(&db, "restoring")?;
    let (backup, held) = prepare(from, copy.path(), stop)?;
    let mut dest = open(&db, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    let sql = |e| E::Sqlite(db.clone(), e);
    // Exclusive from the first read on: a command that has it open, or opens
    // it now, is refused (and refuses) rather than waited for.
    dest.busy_timeout(std::time::Duration::ZERO).map_err(sql)?;
    dest.pragma_update(None, "locking_mode", "EXCLUSIVE").map_err(sql)?;
    match dest.execute_batch("BEGIN EXCLUSIVE; COMMIT;") {
        Err(rusqlite::Error::SqliteFailure(f, _))
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            return Err(E::InUse(db.clone()));
        }
        other => other.map_err(sql)?,
    }
    let present = tables(&dest).map_err(sql)?;
    if !present.is_empty() && !present.iter().any(|t| t == "_sqlx_migrations") {
        let named: Vec<&str> = present.iter().take(3).map(String::as_str).collect();
        return Err(E::Foreign(db.clone(), named.join(", ")));
    }
    let page = |conn: &Connection| conn.query_row("PRAGMA page_size", [], |row| row.get::<_, i64>(0));
    let (theirs, ours) = (page(&backup).map_err(sql)?, page(&dest).map_err(sql)?);
    if theirs != ours && !present.is_empty() {
        return Err(E::PageSize(theirs, ours));
    }
    stop.watch(&dest)?;
    let kept = match present.is_empty() {
        true => None,
        false => Some(files::copy_into(&dest, &kept_name(&db)?, |kept| {
            erased_since(kept, &backup)
        })?),
    };
    {
        let step = rusqlite::backup::Backup::new(&backup, &mut dest).map_err(sql)?;
        match step.step(-1) {
            Ok(rusqlite::backup::StepResult::Done) => {}
            Ok(_) => return Err(E::InUse(db.clone())),
            Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::OperationInterrupted => {
                return Err(E::Stopped)
            }
            Err(e) => return Err(sql(e)),
        }
    }
    // Restored: from here on nothing is undone, and the copy kept stays.
    let (kept, erased_since) = match kept {
        Some(kept) => (Some(kept.path().to_path_buf()), kept.keep()),
        None => (None, Vec::new()),
    };
    // Moved into the file itself now (else when the connection closes).
    let _ = dest.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    drop(dest);
    let bytes = std::fs::metadata(&db).map_or(held.bytes, |m| m.len());
    Ok(Restored {
        held: Held { bytes, ..held },
        kept,
        older: held.migration < migrations::newest_sqlite(),
        erased_since,
    })
}

/// Reads the backup `from` once into `copy`, forgets its sessions and
/// password links there, checks it, and opens it for the restore.
fn prepare(from: &Path, copy: &Path, stop: &Stop) -> Result<(Connection, Held), BackupError> {
    let source = open(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    super::migrations_of(&source, from)?;
    stop.watch(&source)?;
    let named = copy.to_str().ok_or_else(|| E::Unnamed(copy.to_path_buf()))?;
    source.execute("VACUUM INTO ?1", [named]).map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::OperationInterrupted => E::Stopped,
        e => E::Damaged(from.to_path_buf(), e.to_string()),
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
    let mut held = whole(&conn, from)?;
    held.bytes = std::fs::metadata(from).map_or(0, |m| m.len());
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

/// The orders erased in the database as it was (`kept`) whose erasure the
/// backup does not list, still erased there, and held by the backup.
fn erased_since(kept: &Path, backup: &Connection) -> Result<Vec<(i64, String, String)>, BackupError> {
    let kept_conn = open(kept, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let sql = |e| E::Sqlite(kept.to_path_buf(), e);
    let erased: Vec<(i64, i64, String, String)> = kept_conn
        .prepare(
            "SELECT c.id, c.shop_id, s.slug, c.subject FROM shop_changes c JOIN shops s ON s.id = c.shop_id
             WHERE c.what = 'erased' AND c.subject IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.shop_id = c.shop_id AND o.number_key = c.subject)
             ORDER BY c.id",
        )
        .and_then(|mut q| {
            q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect()
        })
        .map_err(sql)?;
    // A backup of a version before the list of changes lists none.
    let lists = tables(backup).map_err(sql)?.iter().any(|t| t == "shop_changes");
    let mut since = Vec::new();
    for (id, shop, slug, key) in erased {
        let listed: bool = lists
            && backup
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM shop_changes WHERE id = ?1 AND what = 'erased')",
                    [id],
                    |r| r.get(0),
                )
                .map_err(sql)?;
        let held: bool = backup
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM orders WHERE shop_id = ?1 AND number_key = ?2)",
                rusqlite::params![shop, key],
                |r| r.get(0),
            )
            .map_err(sql)?;
        if !listed
            && held
            && !since
                .iter()
                .any(|(s, _, k): &(i64, String, String)| *s == shop && *k == key)
        {
            since.push((shop, slug, key));
        }
    }
    Ok(since)
}
