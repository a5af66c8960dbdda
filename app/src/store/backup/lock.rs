//! The lock a server holds on its SQLite file while it runs, which a restore
//! takes whole: an advisory lock (`flock`), apart from SQLite's own.

use super::{BackupError, E};
use std::path::Path;
use std::sync::OnceLock;

/// The lock a server holds on its SQLite file while it runs (shared: several
/// may), so that a restore, which takes it whole, is refused while any runs,
/// even one whose connections are all idle and closed. An advisory lock
/// (`flock`), apart from SQLite's own. The file stays open until the process
/// ends: closing any descriptor of a file drops the process's SQLite locks on it.
pub fn serving(url: &str) -> Result<(), BackupError> {
    static HELD: OnceLock<std::fs::File> = OnceLock::new();
    let Ok(db) = super::sqlite_file(url) else {
        return Ok(());
    };
    if HELD.get().is_some() {
        return Ok(());
    }
    let file = match std::fs::File::open(&db) {
        Ok(file) => file,
        // Not made yet: held once it is.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(E::Io(db, e)),
    };
    match file.try_lock_shared() {
        Ok(()) => {}
        Err(e) => {
            // Never closed: closing a descriptor of the file would drop this
            // process's SQLite locks on it, while its connections may be open.
            std::mem::forget(file);
            return Err(match e {
                std::fs::TryLockError::WouldBlock => E::Restoring(db),
                std::fs::TryLockError::Error(e) => E::Io(db, e),
            });
        }
    }
    let _ = HELD.set(file);
    Ok(())
}

/// Takes the lock servers hold ([`serving`]) whole, for a restore; the file
/// must stay open until the restore's own connection is closed.
pub(super) fn whole_lock(db: &Path) -> Result<std::fs::File, BackupError> {
    let file = std::fs::File::open(db).map_err(|e| E::Io(db.to_path_buf(), e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(E::InUse(db.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => Err(E::Io(db.to_path_buf(), e)),
    }
}
