//! Console sessions: a signed-in browser's row, started only for the password
//! the sign-in checked, read on every console request, ended one by one or
//! all of an account's. Ids are stored only as their SHA-256.

use super::accounts::{hold_account, AccountRow, Hold};
use super::{now, Backend, Store, StoreError};

/// A live session: whose it is and the token its forms carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: i64,
    pub email: String,
    pub csrf: String,
}

/// A session to start: the hash of its id, its forms' token, when it ends.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub csrf: &'a str,
    pub expires_at: &'a str,
}

impl Store {
    /// Starts a session for the account, if its password is still
    /// `password_hash` (the one the sign-in checked): false, starting nothing,
    /// when it was changed meanwhile, so that a sign-in with the old password
    /// cannot outlast the change that ends every other session. Expired
    /// sessions of every account are cleared out on the way.
    pub async fn create_session(
        &self,
        new: &NewSession<'_>,
        user_id: i64,
        password_hash: &str,
    ) -> Result<bool, StoreError> {
        let now = now();
        // PostgreSQL: rows another transaction holds (a password change ending
        // an account's sessions) are left for the next sign-in, rather than
        // taken in an order that could deadlock with it.
        let expired = match self.backend {
            Backend::Postgres => {
                "DELETE FROM sessions WHERE id_hash IN
                 (SELECT id_hash FROM sessions WHERE expires_at <= $1 FOR UPDATE SKIP LOCKED)"
            }
            Backend::Sqlite => "DELETE FROM sessions WHERE expires_at <= $1",
        };
        sqlx::query(expired).bind(&now).execute(&self.pool).await?;
        let mut conn = self.pool.acquire().await?;
        let mut tx = hold_account(&mut conn, self.backend, AccountRow::Id(user_id), Hold::Change).await?;
        let started = insert_session(&mut tx, new, user_id, password_hash, &now).await?;
        tx.commit().await?;
        Ok(started)
    }

    /// The live session with this id hash, if any.
    pub async fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT s.user_id, u.email, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(id_hash)
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(user_id, email, csrf)| Session { user_id, email, csrf }))
    }

    /// Ends one session.
    pub async fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of an account; returns how many there were.
    pub async fn end_sessions(&self, user_id: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

/// Inserts the session `new` for the account in `tx` (which holds its row),
/// made `at`, if the account's password is `password_hash`; whether it did.
pub(super) async fn insert_session(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    new: &NewSession<'_>,
    user_id: i64,
    password_hash: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let started = sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at)
         SELECT $1, id, $2, $3, $4 FROM users WHERE id = $5 AND password_hash = $6",
    )
    .bind(new.id_hash)
    .bind(new.csrf)
    .bind(at)
    .bind(new.expires_at)
    .bind(user_id)
    .bind(password_hash)
    .execute(&mut **tx)
    .await?;
    Ok(started.rows_affected() > 0)
}
