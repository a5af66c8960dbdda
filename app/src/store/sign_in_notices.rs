//! Word by mail of a sign-in from a browser the account has not signed in
//! with (table `sign_in_notices`): queued by the transaction that starts the
//! session, sent by the outbox's sender as the other mails are.

use super::{time_in, Store, StoreError};
use sqlx::{Any, Transaction};

/// Notices of new sign-ins queued for one account in an hour at most: a
/// stolen password tried from new browsers in a loop cannot fill its mailbox.
pub const SIGN_IN_NOTICES_PER_HOUR: i64 = 6;

/// A sign-in to tell of, as its mail says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInNotice {
    /// The browser's name and system, `"Firefox|Android"` (either may be empty).
    pub browser: String,
    /// When the session was started (UTC, RFC 3339).
    pub signed_in_at: String,
    /// Sign-ins from new browsers since, while it waited.
    pub more: i64,
}

/// Notes that the account `user_id` signed in at `at` and, when `locale`
/// is given (the server sends mail and the browser is not one the account
/// knows), queues word of it in `tx`: not for the account's first sign-in,
/// and at most [`SIGN_IN_NOTICES_PER_HOUR`]; while one is waiting to be
/// sent, it is counted in that one instead.
pub(super) async fn signed_in(
    tx: &mut Transaction<'_, Any>,
    user_id: i64,
    locale: Option<&str>,
    browser: &str,
    at: &str,
) -> Result<(), StoreError> {
    if let Some(locale) = locale {
        let queued = sqlx::query(
            "INSERT INTO sign_in_notices (email, locale, browser, signed_in_at, created_at, next_at, user_id)
             SELECT email, $1, $2, $3, $3, $3, id FROM users WHERE id = $4 AND signed_in_at IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM sign_in_notices WHERE user_id = $4 AND done_at IS NULL)
               AND (SELECT COUNT(*) FROM sign_in_notices WHERE user_id = $4 AND created_at > $5) < $6",
        )
        .bind(locale)
        .bind(browser)
        .bind(at)
        .bind(user_id)
        .bind(time_in(-chrono::Duration::hours(1)))
        .bind(SIGN_IN_NOTICES_PER_HOUR)
        .execute(&mut **tx)
        .await?;
        if queued.rows_affected() == 0 {
            sqlx::query("UPDATE sign_in_notices SET more = more + 1 WHERE user_id = $1 AND done_at IS NULL")
                .bind(user_id)
                .execute(&mut **tx)
                .await?;
        }
    }
    sqlx::query("UPDATE users SET signed_in_at = $1 WHERE id = $2")
        .bind(at)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// The sign-in a queued notice tells of, while it waits to be sent.
    pub async fn sign_in_notice(&self, id: i64) -> Result<Option<SignInNotice>, StoreError> {
        let row: Option<(String, String, i64)> =
            sqlx::query_as("SELECT browser, signed_in_at, more FROM sign_in_notices WHERE id = $1 AND done_at IS NULL")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(browser, signed_in_at, more)| SignInNotice {
            browser,
            signed_in_at,
            more,
        }))
    }
}

#[cfg(test)]
#[path = "sign_in_notices_tests.rs"]
mod tests;
