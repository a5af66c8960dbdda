//! Console sessions: a signed-in browser's row, started only for the password
//! the sign-in checked, read on every console request, ended one by one or
//! all of an account's. Ids are stored only as their SHA-256.

use super::accounts::{hold_account, AccountRow, Hold};
use super::sign_in_notices::SignInWord;
use super::{now, Backend, Store, StoreError};
use crate::i18n::Locale;

/// A live session: whose it is and the token its forms carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: i64,
    pub email: String,
    pub csrf: String,
    /// The browser it was started on, as [`NewSession::browser`].
    pub browser: String,
    /// The language the account chose; `None`: the browser's.
    pub locale: Option<Locale>,
}

/// A session to start: the hash of its id, its forms' token, when it ends.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub csrf: &'a str,
    pub expires_at: &'a str,
    /// The browser's name and system from fixed lists, `"Firefox|Android"`
    /// (either may be empty), for the account's list of its browsers.
    pub browser: &'a str,
}

impl Store {
    /// Starts a session for the account, if its password is still
    /// `password_hash` (the one the sign-in checked): false, starting nothing,
    /// when it was changed meanwhile, so that a sign-in with the old password
    /// cannot outlast the change that ends every other session. Expired
    /// sessions of every account are cleared out on the way.
    ///
    /// The sign-in is noted with the account and, as `word` says, told: word
    /// of it is queued in the same transaction, as
    /// `sign_in_notices::signed_in` says.
    pub async fn create_session(
        &self,
        new: &NewSession<'_>,
        user_id: i64,
        password_hash: &str,
        word: SignInWord<'_>,
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
        if started {
            super::sign_in_notices::signed_in(&mut tx, user_id, word, new.browser, &now).await?;
        }
        tx.commit().await?;
        Ok(started)
    }

    /// The live session with this id hash, if any.
    pub async fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        let row: Option<(i64, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT s.user_id, u.email, s.csrf, s.browser, u.locale FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(id_hash)
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(user_id, email, csrf, browser, locale)| Session {
            user_id,
            email,
            csrf,
            browser,
            locale: locale.as_deref().and_then(Locale::from_code),
        }))
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
        "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at, browser, handle)
         SELECT $1, id, $2, $3, $4, $7, $8 FROM users WHERE id = $5 AND password_hash = $6",
    )
    .bind(new.id_hash)
    .bind(new.csrf)
    .bind(at)
    .bind(new.expires_at)
    .bind(user_id)
    .bind(password_hash)
    .bind(new.browser)
    .bind(handle_of(new.id_hash))
    .execute(&mut **tx)
    .await?;
    if started.rows_affected() == 0 {
        return Ok(false);
    }
    // This session and the account's newest others: a script signing in again
    // and again cannot grow the table (times are to the second: a tie is
    // settled by the hash, which is random).
    sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2 AND id_hash NOT IN (
             SELECT id_hash FROM sessions WHERE user_id = $1 AND id_hash <> $2
             ORDER BY created_at DESC, id_hash LIMIT $3)",
    )
    .bind(user_id)
    .bind(new.id_hash)
    .bind(SESSIONS_KEPT - 1)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// The most sessions an account keeps: a sign-in past them ends its oldest.
pub const SESSIONS_KEPT: i64 = 100;

/// The browsers an account's page lists at most, besides the one asking
/// (its newest sessions; "Sign out on every device" ends all).
pub const BROWSERS_LISTED: i64 = 50;

/// One browser an account is signed in on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// What names it on the page and in the form that signs it out
    /// ([`handle_of`]): neither its id nor the hash the database keeps.
    pub handle: String,
    /// As [`NewSession::browser`].
    pub browser: String,
    pub since: String,
    pub until: String,
    /// The browser asking.
    pub this: bool,
}

/// What signing out one of an account's browsers did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedOut {
    Done,
    /// The browser asking (it signs out with "Sign out").
    ThisBrowser,
    /// None of the account's browsers, or the asking session ended meanwhile.
    NoSuch,
}

/// A session's public handle: the first 16 bytes of the SHA-256 of its id's
/// hash, in hex.
pub fn handle_of(id_hash: &str) -> String {
    super::short_hash(id_hash.as_bytes())
}

impl Store {
    /// The browsers the account is signed in on: the asking one (`current`,
    /// its session's id hash) first, then the others, newest first, at most
    /// [`BROWSERS_LISTED`]; and how many more are signed in.
    pub async fn signed_in(&self, user_id: i64, current: &str) -> Result<(Vec<SignedIn>, i64), StoreError> {
        let now = now();
        let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT id_hash, handle, browser, created_at, expires_at FROM sessions
             WHERE user_id = $1 AND expires_at > $2
             ORDER BY CASE WHEN id_hash = $3 THEN 0 ELSE 1 END, created_at DESC, handle LIMIT $4",
        )
        .bind(user_id)
        .bind(&now)
        .bind(current)
        .bind(BROWSERS_LISTED + 1)
        .fetch_all(&self.pool)
        .await?;
        let all: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND expires_at > $2")
            .bind(user_id)
            .bind(&now)
            .fetch_one(&self.pool)
            .await?;
        let listed: Vec<SignedIn> = rows
            .into_iter()
            .map(|(id_hash, handle, browser, since, until)| SignedIn {
                this: id_hash == current,
                handle,
                browser,
                since,
                until,
            })
            .collect();
        let more = all - listed.len() as i64;
        Ok((listed, more.max(0)))
    }

    /// Ends the account's session with this handle, unless it is `current`
    /// (the asking session's id hash), and only while `current` is live: a
    /// browser signed out meanwhile signs out no other.
    pub async fn sign_out_browser(&self, user_id: i64, current: &str, handle: &str) -> Result<SignedOut, StoreError> {
        if handle == handle_of(current) {
            return Ok(SignedOut::ThisBrowser);
        }
        let done = sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND handle = $2 AND id_hash <> $3
               AND EXISTS (SELECT 1 FROM sessions s WHERE s.id_hash = $3 AND s.user_id = $1 AND s.expires_at > $4)",
        )
        .bind(user_id)
        .bind(handle)
        .bind(current)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(if done.rows_affected() > 0 {
            SignedOut::Done
        } else {
            SignedOut::NoSuch
        })
    }

    /// Gives sessions from before handles were kept theirs (at start-up).
    pub(super) async fn fill_missing_handles(&self) -> Result<(), StoreError> {
        let missing: Vec<String> = sqlx::query_scalar("SELECT id_hash FROM sessions WHERE handle = ''")
            .fetch_all(&self.pool)
            .await?;
        for id_hash in missing {
            sqlx::query("UPDATE sessions SET handle = $1 WHERE id_hash = $2")
                .bind(handle_of(&id_hash))
                .bind(&id_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "browsers_tests.rs"]
mod tests;
