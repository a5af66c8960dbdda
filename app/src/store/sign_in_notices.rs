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

/// How a sign-in is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInWord<'a> {
    /// The language of the sign-in page.
    pub locale: &'a str,
    /// Whether to tell the account of it: the server sends mail and the
    /// browser is not one the account knows.
    pub tell: bool,
}

impl SignInWord<'_> {
    /// A sign-in told to nobody, from an English page.
    pub const UNTOLD: SignInWord<'static> = SignInWord {
        locale: "en",
        tell: false,
    };
}

/// Notes that the account `user_id` signed in at `at` and, when `word`
/// says to, queues word of it in `tx`: not for the account's first sign-in,
/// and at most [`SIGN_IN_NOTICES_PER_HOUR`]; while one is waiting to be
/// sent, it is counted in that one instead. The mail is in the language the
/// account chose, else in the language of the account's first sign-in
/// (since its password was last set by a link, which proves the mailbox),
/// not the new browser's, which may be
/// anyone's: a browser that signed in once is known, so a later sign-in
/// from it may be a stranger's too. An account from before had none: its
/// first sign-in from a known browser since gives it.
pub(super) async fn signed_in(
    tx: &mut Transaction<'_, Any>,
    user_id: i64,
    word: SignInWord<'_>,
    browser: &str,
    at: &str,
) -> Result<(), StoreError> {
    let locale = word.locale;
    if word.tell {
        let queued = sqlx::query(
            "INSERT INTO sign_in_notices (email, locale, browser, signed_in_at, created_at, next_at, user_id)
             SELECT email, COALESCE(locale, sign_in_locale, $1), $2, $3, $3, $3, id FROM users
             WHERE id = $4 AND signed_in_at IS NOT NULL
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
            // Counted in the one waiting, unless this is the first sign-in
            // since a link set the password (the mailbox's owner: not told).
            sqlx::query(
                "UPDATE sign_in_notices SET more = more + 1 WHERE user_id = $1 AND done_at IS NULL
                   AND EXISTS (SELECT 1 FROM users WHERE id = $1 AND signed_in_at IS NOT NULL)",
            )
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        }
    }
    let noted = match word.tell {
        true => {
            "UPDATE users SET sign_in_locale = CASE WHEN signed_in_at IS NULL THEN $3 ELSE sign_in_locale END,
                              signed_in_at = $1 WHERE id = $2"
        }
        false => "UPDATE users SET sign_in_locale = COALESCE(sign_in_locale, $3), signed_in_at = $1 WHERE id = $2",
    };
    sqlx::query(noted)
        .bind(at)
        .bind(user_id)
        .bind(locale)
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
