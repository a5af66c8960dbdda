//! Which store errors mean "the database cannot do this now" (worth trying
//! again shortly: 503 and `Retry-After`), rather than a fault of the request
//! or of the program (500).

use super::StoreError;

impl StoreError {
    /// The database could not be reached or could not take the write now:
    /// unreachable, out of connections, shutting down, busy past its timeout
    /// (SQLite's lock held by another process, PostgreSQL's lock timeout), out of
    /// disk, or rolled back by the database for a conflict with another
    /// transaction (a deadlock, a serialization failure): all worth trying
    /// again.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable(_) => true,
            StoreError::Database(e) => database_unavailable(e),
            _ => false,
        }
    }
}

/// Whether a statement failed because its connection is gone rather than
/// because of the statement: the socket closed, or the server ended the
/// session (SQLSTATE class 57P, as a restart or `pg_terminate_backend` does)
/// or lost it (class 08). A narrower question than [`database_unavailable`]'s:
/// another connection may answer now (the PostgreSQL lookups ask again).
pub(crate) fn connection_gone(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08")),
        _ => false,
    }
}

/// The primary result code of a SQLite error's code, extended or not
/// (`517`, SQLITE_BUSY_SNAPSHOT, is BUSY's `5`).
pub(crate) fn sqlite_primary(code: &str) -> Option<i32> {
    code.parse::<i32>().ok().map(|c| c & 0xff)
}

fn database_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => {
            let code = db.code();
            let code = code.as_deref().unwrap_or("");
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // BUSY, LOCKED, IOERR, FULL, CANTOPEN.
                sqlite_primary(code).is_some_and(|c| matches!(c, 5 | 6 | 10 | 13 | 14))
            } else {
                // PostgreSQL's classes: connection exception, transaction
                // rollback (serialization failure, deadlock), insufficient
                // resources (disk full, too many connections), operator
                // intervention (shutting down, starting up); and a lock not
                // had in time.
                ["08", "40", "53", "57"].iter().any(|class| code.starts_with(class)) || code == "55P03"
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::store;
    use super::*;

    #[tokio::test]
    async fn a_held_write_lock_or_a_full_disk_is_unavailable_and_a_bad_statement_is_not() {
        let (_dir, store) = store().await;
        let bad = sqlx::query("SELECT * FROM no_such_table")
            .execute(&store.pool)
            .await
            .unwrap_err();
        assert!(!StoreError::from(bad).is_unavailable());
        let taken = sqlx::query("INSERT INTO shops (id) VALUES (NULL)")
            .execute(&store.pool)
            .await
            .unwrap_err();
        assert!(
            !StoreError::from(taken).is_unavailable(),
            "a constraint is the request's fault"
        );
        assert!(StoreError::from(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(StoreError::Unavailable("down".into()).is_unavailable());
        assert!(!StoreError::Stale.is_unavailable());
        if store.backend == super::super::Backend::Sqlite {
            // Another connection holds the write lock past the busy timeout.
            let mut holder = store.pool.acquire().await.unwrap();
            sqlx::query("BEGIN IMMEDIATE").execute(&mut *holder).await.unwrap();
            let mut other = store.pool.acquire().await.unwrap();
            sqlx::query("PRAGMA busy_timeout = 10")
                .execute(&mut *other)
                .await
                .unwrap();
            let locked = sqlx::query("BEGIN IMMEDIATE").execute(&mut *other).await.unwrap_err();
            assert!(StoreError::from(locked).is_unavailable(), "database is locked");
            sqlx::query("ROLLBACK").execute(&mut *holder).await.unwrap();
            // A file that may not grow: "database or disk is full".
            let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
                .fetch_one(&mut *other)
                .await
                .unwrap();
            sqlx::query(&format!("PRAGMA max_page_count = {pages}"))
                .execute(&mut *other)
                .await
                .unwrap();
            let full = sqlx::query("CREATE TABLE filler AS SELECT zeroblob(4000000) AS x")
                .execute(&mut *other)
                .await
                .unwrap_err();
            assert!(full.to_string().contains("full"), "{full}");
            assert!(StoreError::from(full).is_unavailable());
            // Give the connections back as they were taken.
            for conn in [holder, other] {
                conn.close().await.unwrap();
            }
        } else {
            // Another transaction holds the shop's row past the lock timeout.
            let mut holder = store.pool.acquire().await.unwrap();
            let mut other = store.pool.acquire().await.unwrap();
            sqlx::query("CREATE TABLE contended (id INT PRIMARY KEY, n INT)")
                .execute(&mut *holder)
                .await
                .unwrap();
            sqlx::query("INSERT INTO contended VALUES (1, 0)")
                .execute(&mut *holder)
                .await
                .unwrap();
            sqlx::query("BEGIN").execute(&mut *holder).await.unwrap();
            sqlx::query("UPDATE contended SET n = 1 WHERE id = 1")
                .execute(&mut *holder)
                .await
                .unwrap();
            sqlx::query("SET lock_timeout = '20ms'")
                .execute(&mut *other)
                .await
                .unwrap();
            let waited = sqlx::query("UPDATE contended SET n = 2 WHERE id = 1")
                .execute(&mut *other)
                .await
                .unwrap_err();
            assert!(StoreError::from(waited).is_unavailable(), "lock timeout");
            sqlx::query("RESET lock_timeout").execute(&mut *other).await.unwrap();
            // A serializable transaction that read what the other one changed.
            sqlx::query("BEGIN ISOLATION LEVEL SERIALIZABLE")
                .execute(&mut *other)
                .await
                .unwrap();
            sqlx::query("SELECT n FROM contended WHERE id = 1")
                .execute(&mut *other)
                .await
                .unwrap();
            sqlx::query("COMMIT").execute(&mut *holder).await.unwrap();
            let conflict = sqlx::query("UPDATE contended SET n = 3 WHERE id = 1")
                .execute(&mut *other)
                .await
                .unwrap_err();
            assert!(conflict.to_string().contains("serialize"), "{conflict}");
            assert!(StoreError::from(conflict).is_unavailable(), "serialization failure");
            sqlx::query("ROLLBACK").execute(&mut *other).await.unwrap();
            sqlx::query("DROP TABLE contended").execute(&mut *other).await.unwrap();
        }
    }
}
