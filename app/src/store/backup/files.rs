//! The files of backups and restores: copies written under a hidden name
//! and named only once whole, never over another file, readable by their
//! owner alone.

use super::{BackupError, E};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// `out` made absolute, checked to be a name a new file can take: its folder
/// there, no file (nor link) of that name.
pub(super) fn new_name(out: &Path) -> Result<PathBuf, BackupError> {
    let out = std::path::absolute(out).map_err(|e| E::Io(out.to_path_buf(), e))?;
    let (Some(folder), Some(name)) = (out.parent(), out.file_name()) else {
        return Err(E::Unnamed(out));
    };
    if name.to_str().is_none() {
        return Err(E::Unnamed(out));
    }
    if !folder.is_dir() {
        return Err(E::NoFolder(folder.to_path_buf()));
    }
    if out.symlink_metadata().is_ok() {
        return Err(E::Exists(out));
    }
    Ok(out)
}

/// Writes the database of `conn` to `out` (see [`new_name`]): into a hidden
/// file beside it, which `check` reads, flushed to disk, then named `out`
/// (never over a file that appeared meanwhile). Removed when the result is
/// dropped unless kept.
pub(super) fn copy_into<T>(
    conn: &Connection,
    out: &Path,
    check: impl FnOnce(&Path) -> Result<T, BackupError>,
) -> Result<Written<T>, BackupError> {
    let folder = out.parent().unwrap_or(Path::new("."));
    let name = out.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let partial = Partial::new(folder.join(format!(".{name}.partial-{}", std::process::id())), true)?;
    let named = partial.0.to_str().ok_or_else(|| E::Unnamed(out.to_path_buf()))?;
    conn.execute("VACUUM INTO ?1", [named]).map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::OperationInterrupted => E::Stopped,
        e => E::Sqlite(out.to_path_buf(), e),
    })?;
    let value = check(&partial.0)?;
    let file = std::fs::File::open(&partial.0).map_err(|e| E::Io(out.to_path_buf(), e))?;
    file.sync_all().map_err(|e| E::Io(out.to_path_buf(), e))?;
    // A link fails where a file of that name appeared meanwhile (a rename
    // would replace it).
    std::fs::hard_link(&partial.0, out).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => E::Exists(out.to_path_buf()),
        // EOPNOTSUPP, or EPERM in a folder this process just wrote in: no hard links there.
        std::io::ErrorKind::Unsupported | std::io::ErrorKind::PermissionDenied => E::Unlinked(out.to_path_buf(), e),
        _ => E::Io(out.to_path_buf(), e),
    })?;
    drop(partial);
    if let Ok(dir) = std::fs::File::open(folder) {
        // The new name, made to last through a power cut (best effort).
        let _ = dir.sync_all();
    }
    Ok(Written {
        file: Partial(out.to_path_buf(), false),
        value,
    })
}

/// A file written whole and named, with what its check said: removed when
/// dropped unless kept.
pub(super) struct Written<T> {
    file: Partial,
    value: T,
}

impl<T> Written<T> {
    pub(super) fn path(&self) -> &Path {
        &self.file.0
    }

    pub(super) fn keep(mut self) -> T {
        self.file.1 = true;
        self.value
    }
}

/// A file of this process's, removed when dropped unless kept (`.1`).
struct Partial(PathBuf, bool);

impl Partial {
    /// Makes the file, empty and readable by its owner alone (a database
    /// holds shoppers' addresses and the server's secrets). `ours`: a file
    /// of that name is one this process's id left before (a crash), and is
    /// replaced.
    fn new(path: PathBuf, ours: bool) -> Result<Self, BackupError> {
        use std::os::unix::fs::OpenOptionsExt;
        if ours {
            let _ = std::fs::remove_file(&path);
        }
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(_) => Ok(Self(path, false)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(E::Exists(path)),
            Err(e) => Err(E::Io(path, e)),
        }
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.1 {
            let _ = std::fs::remove_file(&self.0);
            // And what SQLite made beside it, where a connection left it.
            for beside in ["-wal", "-shm", "-journal"] {
                let mut path = self.0.clone().into_os_string();
                path.push(beside);
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// A new hidden file beside `beside`, removed when dropped: a restore's copy
/// of its backup.
pub(super) struct Scratch(Partial);

impl Scratch {
    pub(super) fn beside(beside: &Path, what: &str) -> Result<Self, BackupError> {
        let name = beside.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        let path = beside.with_file_name(format!(".{name}.{what}-{}", std::process::id()));
        Ok(Self(Partial::new(path, true)?))
    }

    pub(super) fn path(&self) -> &Path {
        &self.0 .0
    }
}

/// Whether two paths name one file.
pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}
