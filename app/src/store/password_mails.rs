//! Forgotten passwords: a merchant asks on the console's sign-in page for a
//! link to set a new password, and the outbox mails it (table
//! `password_mails`). The page answers the same whatever the address; only
//! an account on at least one shop's team is queued a mail, at most
//! [`PASSWORD_MAILS_PER_DAY`] a day, counted in the transaction that queues
//! it (it holds the account's row), so that requests at once cannot pass it.
//!
//! When its turn comes, the sender finds the account by the queued address
//! (never by the row's id: SQLite may give a deleted account's id to a new
//! one) and stores a new link, which replaces the account's earlier one: the
//! mail's link is then the one that works. An account deleted, or removed
//! from every team, meanwhile is sent nothing.

use super::accounts::{hold_account, replace_link, AccountRow, Hold};
use super::{now, time_in, Queued, Store, StoreError};

/// Password mails one account may be queued in 24 hours; more requests are
/// answered the same and queue nothing.
pub const PASSWORD_MAILS_PER_DAY: i64 = 3;

/// What a request for a password link did (the page says the same for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRequest {
    /// A mail was queued.
    Queued,
    /// No account has the address, or it is on no shop's team: nothing queued.
    NoAccount,
    /// The account was queued [`PASSWORD_MAILS_PER_DAY`] in the last 24 hours.
    TooMany,
}

/// The account of `email` that may be sent a password link: on a team.
const ACCOUNT: &str = "SELECT u.id FROM users u
     WHERE u.email = $1 AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)";

impl Store {
    /// Queues a password link for the account with this (normalised) email,
    /// in `locale`, if there is one on a team and its day has room.
    pub async fn request_password_mail(&self, email: &str, locale: &str) -> Result<PasswordRequest, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = hold_account(&mut conn, self.backend, AccountRow::Email(email), Hold::Change).await?;
        let Some(user_id): Option<i64> = sqlx::query_scalar(ACCOUNT).bind(email).fetch_optional(&mut *tx).await? else {
            return Ok(PasswordRequest::NoAccount);
        };
        let at = now();
        let today: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM password_mails WHERE user_id = $1 AND created_at > $2")
                .bind(user_id)
                .bind(time_in(-chrono::Duration::days(1)))
                .fetch_one(&mut *tx)
                .await?;
        if today >= PASSWORD_MAILS_PER_DAY {
            return Ok(PasswordRequest::TooMany);
        }
        sqlx::query(
            "INSERT INTO password_mails (user_id, email, locale, created_at, next_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(user_id)
        .bind(email)
        .bind(locale)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(PasswordRequest::Queued)
    }

    /// For a claimed password mail: stores the link with `token_hash`, ending
    /// at `expires_at`, for the account of its address, which replaces the
    /// account's earlier link. False when no account on a team has the
    /// address any more (nothing stored, nothing to send).
    pub async fn password_mail_link(
        &self,
        queued: &Queued,
        token_hash: &str,
        expires_at: &str,
    ) -> Result<bool, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let email = queued.email.as_str();
        let mut tx = hold_account(&mut conn, self.backend, AccountRow::Email(email), Hold::Change).await?;
        let Some(user_id): Option<i64> = sqlx::query_scalar(ACCOUNT).bind(email).fetch_optional(&mut *tx).await? else {
            return Ok(false);
        };
        replace_link(&mut tx, user_id, token_hash, expires_at).await?;
        tx.commit().await?;
        Ok(true)
    }
}

#[cfg(test)]
#[path = "password_mails_tests.rs"]
mod tests;
