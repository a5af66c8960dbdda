//! What to do when a SQLite file cannot be opened because of its folder:
//! SQLite's own words ("unable to open database file", "attempt to write a
//! readonly database") name the file, while the cause is often the folder,
//! which must be there and writable (SQLite makes its `-wal` and `-shm`
//! files beside the database).

use std::path::Path;

/// A sentence for an operator when `url` is a SQLite file whose folder is
/// missing or cannot be written to; none otherwise.
pub(super) fn folder_hint(url: &str) -> Option<String> {
    let file = app::store::sqlite_file(url)?;
    let folder = match file.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Some(format!(
            "the folder {} does not exist: make it first, or give a --database-url in a folder that does",
            folder.display()
        ));
    }
    (!can_write_in(folder)).then(|| {
        format!(
            "the folder {} cannot be written to by this user: SQLite writes its -wal and -shm files beside \
             the database, so the folder must be writable, not only the file",
            folder.display()
        )
    })
}

/// Whether a file can be made in `folder` (tried with a file removed at once).
fn can_write_in(folder: &Path) -> bool {
    let probe = folder.join(format!(".lookout-write-check-{}", std::process::id()));
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        // Only "not allowed" says the folder is read-only; a leftover probe does not.
        Err(e) => {
            e.kind() != std::io::ErrorKind::PermissionDenied && e.kind() != std::io::ErrorKind::ReadOnlyFilesystem
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_read_only_folder_is_named_and_a_good_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let url = |path: &Path| format!("sqlite://{}", path.display());
        let missing = dir.path().join("nope").join("x.db");
        let said = folder_hint(&url(&missing)).expect("a hint");
        assert!(said.contains("does not exist") && said.contains("nope"), "{said}");
        assert_eq!(folder_hint(&url(&dir.path().join("x.db"))), None);
        assert_eq!(folder_hint("postgres://u@h/db"), None);
        assert_eq!(folder_hint("sqlite::memory:"), None);
        // A folder nobody may write to (root may write anywhere: then no hint).
        use std::os::unix::fs::PermissionsExt;
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
        let hint = folder_hint(&url(&locked.join("x.db")));
        let root = can_write_in(&locked);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        match root {
            true => assert_eq!(hint, None),
            false => assert!(hint.is_some_and(|h| h.contains("cannot be written to"))),
        }
        assert_eq!(std::fs::read_dir(&locked).unwrap().count(), 0, "no probe left");
    }
}
