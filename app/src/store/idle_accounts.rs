//! Accounts nobody can use and nothing waits for: invited (or made on the
//! command line), never given a password, and no longer on any shop's team.
//! Their addresses are forgotten once their last link has ended and they
//! were last invited, and last mailed an invitation, a day ago or more (with
//! those finished invitations).

use super::accounts::{email_of, hold_account, AccountRow, Hold};
use super::{now, time_in, Store, StoreError};

/// Days an account without a password is kept after it was made, and after
/// its last invitation was made or mailed: the invitations' day bounds per
/// address ([`super::INVITES_PER_ACCOUNT_PER_DAY`],
/// [`super::MAILS_PER_ACCOUNT_PER_DAY`]) count by account, and must not start
/// again early because the account was forgotten.
pub const IDLE_ACCOUNT_KEPT_DAYS: i64 = super::invites::BOUND_DAYS;

/// Accounts forgotten per hourly round at most (the rest wait for the next).
const IDLE_ACCOUNTS_PER_ROUND: i64 = 1_000;

/// The idle accounts: `$1` the time before which they were made and last
/// invited or mailed an invitation, `$2` now (a link that ends later still waits to be used).
const IDLE: &str = "SELECT u.id FROM users u
     WHERE u.password_hash IS NULL AND u.created_at < $1
       AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)
       AND NOT EXISTS (SELECT 1 FROM password_links l
                       WHERE l.user_id = u.id AND l.used_at IS NULL AND l.expires_at > $2)
       AND NOT EXISTS (SELECT 1 FROM invitations i
                       WHERE i.user_id = u.id
                         AND (i.done_at IS NULL OR i.created_at >= $1 OR i.mailed_at >= $1))";

impl Store {
    /// Forgets idle accounts (see the module); how many. Each is checked
    /// again and deleted in a transaction of its own that holds its row (on
    /// SQLite, the write lock): an owner who invites it meanwhile either
    /// comes first, and it is kept, or after, and makes it anew.
    pub async fn prune_idle_accounts(&self) -> Result<u64, StoreError> {
        let before = time_in(-chrono::Duration::days(IDLE_ACCOUNT_KEPT_DAYS));
        let candidates: Vec<i64> = sqlx::query_scalar(&format!("{IDLE} ORDER BY u.id LIMIT $3"))
            .bind(&before)
            .bind(now())
            .bind(IDLE_ACCOUNTS_PER_ROUND)
            .fetch_all(&self.pool)
            .await?;
        let mut forgotten = 0;
        for id in candidates {
            match self.forget_if_idle(id, &before).await {
                Ok(true) => forgotten += 1,
                Ok(false) => {}
                Err(e) => {
                    // What this round did stands; the rest wait for the next.
                    if forgotten > 0 {
                        tracing::info!(forgotten, "forgot idle accounts without a password before an error");
                    }
                    return Err(e);
                }
            }
        }
        Ok(forgotten)
    }

    /// Deletes the account `id` if it is still idle, in a transaction that
    /// holds its row; whether it did.
    async fn forget_if_idle(&self, id: i64, before: &str) -> Result<bool, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = hold_account(&mut conn, self.backend, AccountRow::Id(id), Hold::Delete).await?;
        let still: Option<i64> = sqlx::query_scalar(&format!("{IDLE} AND u.id = $3"))
            .bind(before)
            .bind(now())
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if still.is_some() {
            if let Some(email) = email_of(&mut tx, id).await? {
                super::changes::forget_subject(&mut tx, &email).await?;
            }
            // Its invitations are finished and over a day old: they count
            // for no bound any more, and SQLite may give the id to the
            // next new account, whose team row must not show them.
            for delete in [
                "DELETE FROM invitations WHERE user_id = $1",
                "UPDATE invitations SET invited_by = NULL WHERE invited_by = $1",
                "DELETE FROM password_mails WHERE user_id = $1",
                "DELETE FROM password_notices WHERE user_id = $1",
                "DELETE FROM sign_in_notices WHERE user_id = $1",
                "DELETE FROM users WHERE id = $1",
            ] {
                sqlx::query(delete).bind(id).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(still.is_some())
    }
}
