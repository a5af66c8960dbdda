//! A signed-in account changes its password: only from the hash its current
//! password was checked against, only from a session that is still its own.
//! Every session of the account ends and the one that asked is replaced by a
//! new one (a stolen copy of its cookie is signed out too), its set-password
//! links stop working, and word of the change may be queued for its address.

use super::accounts::{hold_account, AccountRow, Hold};
use super::sessions::{insert_session, NewSession};
use super::{now, time_in, Store, StoreError};

/// At most this many notices of a changed password per account in an hour
/// (and none while one waits: it says it).
pub const NOTICES_PER_HOUR: i64 = 6;

impl Store {
    /// Changes the account's password from `old_hash` to `new_hash`, asked
    /// from the live session `asking` (the hash of its id), which `session`
    /// replaces. False, changing nothing, when the password is no longer
    /// `old_hash` (changed meanwhile) or `asking` is not one of the account's
    /// live sessions. With `notice` (the language of the page), a mail saying
    /// so is queued to the account's address (the sender writes it in the
    /// language the account chose, if it did), unless one is waiting or
    /// [`NOTICES_PER_HOUR`] were queued in the last hour.
    pub async fn change_password(
        &self,
        user_id: i64,
        old_hash: &str,
        new_hash: &str,
        asking: &str,
        session: &NewSession<'_>,
        notice: Option<&str>,
    ) -> Result<bool, StoreError> {
        let at = now();
        let mut conn = self.pool.acquire().await?;
        let mut tx = hold_account(&mut conn, self.backend, AccountRow::Id(user_id), Hold::Change).await?;
        let changed = sqlx::query(
            "UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3
             AND EXISTS (SELECT 1 FROM sessions WHERE id_hash = $4 AND user_id = $2 AND expires_at > $5)",
        )
        .bind(new_hash)
        .bind(user_id)
        .bind(old_hash)
        .bind(asking)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Ok(false);
        }
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM password_links WHERE user_id = $1",
        ] {
            sqlx::query(sql).bind(user_id).execute(&mut *tx).await?;
        }
        // The password is `new_hash` now, so the session is started.
        insert_session(&mut tx, session, user_id, new_hash, &at).await?;
        if let Some(locale) = notice {
            sqlx::query(
                "INSERT INTO password_notices (email, locale, created_at, next_at, user_id)
                 SELECT email, $1, $2, $2, id FROM users WHERE id = $3
                   AND NOT EXISTS (SELECT 1 FROM password_notices WHERE user_id = $3 AND done_at IS NULL)
                   AND (SELECT COUNT(*) FROM password_notices WHERE user_id = $3 AND created_at > $4) < $5",
            )
            .bind(locale)
            .bind(&at)
            .bind(user_id)
            .bind(time_in(-chrono::Duration::hours(1)))
            .bind(NOTICES_PER_HOUR)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

#[cfg(test)]
#[path = "password_change_tests.rs"]
mod tests;
