//! One-time console forms: each form that makes a secret (an API key, a
//! webhook signing secret) carries a random token, recorded in the transaction
//! that makes the secret, so that the same form sent again (a reload, a second
//! click) makes nothing new.

use super::changes::{record, By, Done};
use super::{now, Store, StoreError};
use sqlx::{Any, Transaction};

/// How long a used form's token is kept: longer than any session (12 hours)
/// whose page could still hold the form.
pub const USED_FORMS_KEPT_DAYS: i64 = 1;
/// The most used tokens a shop keeps of each kind (the newest of its key
/// forms, and of its signing-secret forms): a shop's owner posting forms in a
/// loop cannot grow the table beyond this, and a reload is of a form among the
/// last few anyway. Kept apart, so that signing secrets made in a loop cannot
/// push out the key forms that the hourly allowance of keys counts.
pub const USED_FORMS_KEPT: i64 = 100;

/// Records `token` as used by a form of the shop that made `made` (a key's
/// prefix, or empty for a signing secret). False when it was used before: the
/// caller then makes nothing and rolls back.
pub(super) async fn use_form(
    tx: &mut Transaction<'_, Any>,
    shop_id: i64,
    token: &str,
    made: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO used_forms (token, shop_id, made, used_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (token) DO NOTHING",
    )
    .bind(token)
    .bind(shop_id)
    .bind(made)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    // This token and the newest others of its kind (times are to the second:
    // a tie is settled by the token, which is random).
    let kind = if made.is_empty() { "made = ''" } else { "made <> ''" };
    let prune = format!(
        "DELETE FROM used_forms WHERE shop_id = $1 AND {kind} AND token <> $2 AND token NOT IN (
             SELECT token FROM used_forms WHERE shop_id = $1 AND {kind} AND token <> $2
             ORDER BY used_at DESC, token LIMIT $3)"
    );
    sqlx::query(&prune)
        .bind(shop_id)
        .bind(token)
        .bind(USED_FORMS_KEPT - 1)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

impl Store {
    /// Sets the shop's webhook signing secret from the console form with this
    /// one-time token. False when that form was used before (a reload, a second
    /// click): the secret it made then stays the one in force.
    pub async fn rotate_webhook_secret(
        &self,
        shop_id: i64,
        secret: &str,
        form: &str,
        by: &By,
    ) -> Result<bool, StoreError> {
        let (_turn, mut conn) = self.shop_conn(shop_id).await?;
        let mut tx = super::shops::hold_shop(&mut conn, self.backend, shop_id).await?;
        if !use_form(&mut tx, shop_id, form, "").await? {
            return Ok(false);
        }
        sqlx::query("UPDATE shops SET webhook_secret = $1 WHERE id = $2")
            .bind(secret)
            .bind(shop_id)
            .execute(&mut *tx)
            .await?;
        record(&mut tx, shop_id, by, Done::SecretMade).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Forgets the tokens of forms used [`USED_FORMS_KEPT_DAYS`] ago or more; how many.
    pub async fn prune_used_forms(&self) -> Result<u64, StoreError> {
        self.prune(
            "DELETE FROM used_forms WHERE token IN (
                 SELECT token FROM used_forms WHERE used_at < $1 LIMIT $2)",
            USED_FORMS_KEPT_DAYS,
            super::activity::PRUNE_BATCH,
        )
        .await
    }
}
