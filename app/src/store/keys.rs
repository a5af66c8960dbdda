//! API keys: each shop's Argon2id key hashes, found by their public prefix.

use super::changes::{record, By, Done};
use super::{now, Store, StoreError};

/// Live (unrevoked) keys a shop may hold at once.
pub const LIVE_KEYS: i64 = 20;
/// Keys a shop's console forms may make in an hour (revoked or not): making
/// and revoking keys in a loop would otherwise keep the server's hashing busy
/// for every shop. The operator's command line is not held to it.
pub const KEYS_PER_HOUR: i64 = 20;
/// Revoked keys a shop's list keeps, the most recently revoked; older ones are
/// forgotten when another is revoked.
pub const REVOKED_KEYS_KEPT: i64 = 50;

/// Why a new key was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRefusal {
    /// The console form that asked for it was used before (a reload, a second
    /// click); it made what is named here (a key's prefix, or empty for a
    /// signing secret).
    FormUsed(String),
    /// The shop holds [`LIVE_KEYS`] live keys.
    Full,
    /// The shop's console made [`KEYS_PER_HOUR`] keys in the last hour.
    TooOften,
}

/// A stored API key: its shop and its Argon2id hash.
#[derive(Debug, Clone)]
pub struct StoredKey {
    pub shop_id: i64,
    pub hash: String,
}

/// What may be shown of a stored key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub prefix: String,
    /// What the key is for, as its maker named it (empty: not named).
    pub label: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// When the key was last verified (a key in use is verified about once a minute).
    pub last_used_at: Option<String>,
}

impl<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> for KeyInfo {
    fn from_row(row: &'r sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        Ok(KeyInfo {
            prefix: row.try_get("prefix")?,
            label: row.try_get("label")?,
            created_at: row.try_get("created_at")?,
            revoked_at: row.try_get("revoked_at")?,
            last_used_at: row.try_get("last_used_at")?,
        })
    }
}

impl Store {
    /// Whether a key could be made now (checked before hashing one): `form` is
    /// the console form's one-time token, `None` from the command line. Held
    /// as a reservation by a caller that holds the shop's turn
    /// (`Store::shop_turn`) until `insert_key`: neither takes it.
    pub async fn key_room(&self, shop_id: i64, form: Option<&str>) -> Result<Result<(), KeyRefusal>, StoreError> {
        room(&self.pool, shop_id, form).await
    }

    /// Stores a new API key's hash under its public prefix, unless the shop
    /// already holds [`LIVE_KEYS`] live keys or `form` was used before. The
    /// check and the insert are one transaction that holds the shop (SQLite's
    /// write lock, the shop's row on PostgreSQL), so that concurrent requests
    /// cannot pass the cap together, whether or not they held the shop's turn.
    pub async fn insert_key(
        &self,
        shop_id: i64,
        prefix: &str,
        hash: &str,
        label: &str,
        form: Option<&str>,
        by: &By,
    ) -> Result<Result<(), KeyRefusal>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = super::shops::hold_shop(&mut conn, self.backend, shop_id).await?;
        if let Err(refused) = room(&mut *tx, shop_id, form).await? {
            return Ok(Err(refused));
        }
        if let Some(form) = form {
            // The same token sent to another shop at once: used there first.
            if !super::forms::use_form(&mut tx, shop_id, form, prefix).await? {
                return Ok(Err(KeyRefusal::FormUsed(String::new())));
            }
        }
        sqlx::query("INSERT INTO api_keys (shop_id, prefix, hash, label, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(shop_id)
            .bind(prefix)
            .bind(hash)
            .bind(label)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        record(&mut tx, shop_id, by, Done::KeyMade { prefix, name: label }).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// A shop's keys, newest first: prefix, name, created, revoked (never the hash).
    pub async fn keys(&self, shop_id: i64) -> Result<Vec<KeyInfo>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT prefix, label, created_at, revoked_at, last_used_at FROM api_keys WHERE shop_id = $1
             ORDER BY created_at DESC, id DESC",
        )
        .bind(shop_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revokes a shop's live key by its prefix, and forgets the shop's revoked
    /// keys beyond the [`REVOKED_KEYS_KEPT`] most recently revoked. False when
    /// there is no such live key.
    pub async fn revoke_key(&self, shop_id: i64, prefix: &str, by: &By) -> Result<bool, StoreError> {
        let (_turn, mut conn) = self.shop_conn(shop_id).await?;
        let mut tx = super::shops::hold_shop(&mut conn, self.backend, shop_id).await?;
        let done = sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 WHERE shop_id = $2 AND prefix = $3 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(shop_id)
        .bind(prefix)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM api_keys WHERE shop_id = $1 AND revoked_at IS NOT NULL AND id NOT IN (
                 SELECT id FROM api_keys WHERE shop_id = $1 AND revoked_at IS NOT NULL
                 ORDER BY revoked_at DESC, id DESC LIMIT $2)",
        )
        .bind(shop_id)
        .bind(REVOKED_KEYS_KEPT)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() > 0 {
            record(&mut tx, shop_id, by, Done::KeyRevoked { prefix }).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// The live (unrevoked) key with this prefix, if any.
    pub async fn key_by_prefix(&self, prefix: &str) -> Result<Option<StoredKey>, StoreError> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT shop_id, hash FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL")
                .bind(prefix)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(shop_id, hash)| StoredKey { shop_id, hash }))
    }
}

/// Whether the shop has room for a key and `form` was not used before (what
/// it made is named only to the shop it made it for).
async fn room<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    shop_id: i64,
    form: Option<&str>,
) -> Result<Result<(), KeyRefusal>, StoreError> {
    let (live, lately, made): (i64, i64, Option<String>) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM api_keys WHERE shop_id = $1 AND revoked_at IS NULL),
                (SELECT COUNT(*) FROM used_forms WHERE shop_id = $1 AND made <> '' AND used_at > $3),
                (SELECT CASE WHEN shop_id = $1 THEN made ELSE '' END FROM used_forms WHERE token = $2)",
    )
    .bind(shop_id)
    .bind(form)
    .bind(super::time_in(-chrono::Duration::hours(1)))
    .fetch_one(db)
    .await?;
    Ok(match made {
        Some(made) => Err(KeyRefusal::FormUsed(made)),
        None if live >= LIVE_KEYS => Err(KeyRefusal::Full),
        None if form.is_some() && lately >= KEYS_PER_HOUR => Err(KeyRefusal::TooOften),
        None => Ok(()),
    })
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
