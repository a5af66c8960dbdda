//! Forgotten passwords: a merchant asks on the console's sign-in page for a
//! link to set a new password, and the outbox mails it (table
//! `password_mails`). Asking is the same whatever the address: every request
//! is queued (the page's allowances bound how many), and the sender decides.
//!
//! When its turn comes, the sender finds the account by the queued address
//! (there is no id to trust: SQLite may give a deleted account's id to a new
//! one). Only an account on at least one shop's team is sent a link, and at
//! most [`PASSWORD_MAILS_PER_DAY`] in 24 hours: the mail is counted before it
//! goes, in the transaction that holds the account's row, so senders working
//! at once cannot pass the bound. The link replaces the account's earlier
//! one: the newest mail's link is the one that works.

use super::accounts::{hold_account, replace_link, AccountRow, Hold};
use super::{now, time_in, Queued, Store, StoreError};

/// Password links one account may be mailed in 24 hours; more requests are
/// answered the same and send nothing.
pub const PASSWORD_MAILS_PER_DAY: i64 = 3;

/// What a queued request's mail may carry, decided when it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordLink {
    /// A link was stored (it replaced the account's earlier one), and the
    /// mail counted.
    Made,
    /// No account has the address, or it is on no shop's team: nothing is sent.
    NoAccount,
    /// The account was mailed [`PASSWORD_MAILS_PER_DAY`] links in the last 24
    /// hours: nothing is sent.
    DayFull,
}

/// The account of `$1` that may be sent a password link: on a team.
const ACCOUNT: &str = "SELECT u.id FROM users u
     WHERE u.email = $1 AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)";

impl Store {
    /// Queues a request for a password link to this (normalised) address, in
    /// `locale` (the sender writes it in the language the account chose, if
    /// it did). The same work whether an account has the address or not.
    pub async fn queue_password_mail(&self, email: &str, locale: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO password_mails (email, locale, created_at, next_at) VALUES ($1, $2, $3, $3)")
            .bind(email)
            .bind(locale)
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// For a claimed password mail: if the account of its address may be sent
    /// a link now, counts the mail and stores the link with `token_hash`,
    /// ending at `expires_at`. A try again after a failed one was counted
    /// already, and keeps its place.
    pub async fn password_mail_link(
        &self,
        queued: &Queued,
        token_hash: &str,
        expires_at: &str,
    ) -> Result<PasswordLink, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let email = queued.email.as_str();
        let mut tx = hold_account(&mut conn, self.backend, AccountRow::Email(email), Hold::Change).await?;
        let Some(user_id): Option<i64> = sqlx::query_scalar(ACCOUNT).bind(email).fetch_optional(&mut *tx).await? else {
            return Ok(PasswordLink::NoAccount);
        };
        let counted: Option<Option<String>> = sqlx::query_scalar("SELECT mailed_at FROM password_mails WHERE id = $1")
            .bind(queued.id)
            .fetch_optional(&mut *tx)
            .await?;
        if counted.flatten().is_none() {
            let today: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM password_mails WHERE user_id = $1 AND mailed_at > $2 AND id <> $3",
            )
            .bind(user_id)
            .bind(time_in(-chrono::Duration::days(1)))
            .bind(queued.id)
            .fetch_one(&mut *tx)
            .await?;
            if today >= PASSWORD_MAILS_PER_DAY {
                return Ok(PasswordLink::DayFull);
            }
            sqlx::query("UPDATE password_mails SET user_id = $1, mailed_at = $2 WHERE id = $3")
                .bind(user_id)
                .bind(now())
                .bind(queued.id)
                .execute(&mut *tx)
                .await?;
        }
        replace_link(&mut tx, user_id, token_hash, expires_at).await?;
        tx.commit().await?;
        Ok(PasswordLink::Made)
    }
}

#[cfg(test)]
#[path = "password_mails_tests.rs"]
mod tests;
