//! API keys: each shop's Argon2id key hashes, found by their public prefix.

use super::{now, Store, StoreError};

/// Live (unrevoked) keys a shop may hold at once.
pub const LIVE_KEYS: i64 = 20;
/// Revoked keys a shop's list keeps; older ones are forgotten when a key is made.
pub const REVOKED_KEYS_KEPT: i64 = 50;

/// Why a new key was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRefusal {
    /// The console form that asked for it already made a key (a reload, a second click).
    FormUsed,
    /// The shop holds [`LIVE_KEYS`] live keys.
    Full,
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
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// When the key was last verified (a key in use is verified about once a minute).
    pub last_used_at: Option<String>,
}

impl Store {
    /// Whether a key could be made now (checked before hashing one): `form` is
    /// the console form's one-time token, `None` from the command line.
    pub async fn key_room(&self, shop_id: i64, form: Option<&str>) -> Result<Result<(), KeyRefusal>, StoreError> {
        room(&self.pool, shop_id, form).await
    }

    /// Stores a new API key's hash under its public prefix, unless the shop
    /// already holds [`LIVE_KEYS`] live keys or `form` already made one; the
    /// check and the insert are one step, so concurrent requests cannot pass
    /// the cap together. Forgets revoked keys beyond [`REVOKED_KEYS_KEPT`].
    pub async fn insert_key(
        &self,
        shop_id: i64,
        prefix: &str,
        hash: &str,
        form: Option<&str>,
    ) -> Result<Result<(), KeyRefusal>, StoreError> {
        let mut tx = self.pool.begin().await?;
        // Holds the shop's row (a write lock on SQLite) until the commit, so that
        // the count below cannot be read by two makers at once on PostgreSQL.
        sqlx::query("UPDATE shops SET id = id WHERE id = $1")
            .bind(shop_id)
            .execute(&mut *tx)
            .await?;
        if let Err(refused) = room(&mut *tx, shop_id, form).await? {
            return Ok(Err(refused));
        }
        sqlx::query("INSERT INTO api_keys (shop_id, prefix, hash, created_at, form_token) VALUES ($1, $2, $3, $4, $5)")
            .bind(shop_id)
            .bind(prefix)
            .bind(hash)
            .bind(now())
            .bind(form)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "DELETE FROM api_keys WHERE shop_id = $1 AND revoked_at IS NOT NULL AND id <= (
                 SELECT id FROM api_keys WHERE shop_id = $1 AND revoked_at IS NOT NULL
                 ORDER BY id DESC LIMIT 1 OFFSET $2)",
        )
        .bind(shop_id)
        .bind(REVOKED_KEYS_KEPT)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// A shop's keys, newest first: prefix, created, revoked (never the hash).
    pub async fn keys(&self, shop_id: i64) -> Result<Vec<KeyInfo>, StoreError> {
        let rows: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT prefix, created_at, revoked_at, last_used_at FROM api_keys WHERE shop_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(shop_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(prefix, created_at, revoked_at, last_used_at)| KeyInfo {
                prefix,
                created_at,
                revoked_at,
                last_used_at,
            })
            .collect())
    }

    /// Revokes a shop's live key by its prefix. False when there is no such live key.
    pub async fn revoke_key(&self, shop_id: i64, prefix: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 WHERE shop_id = $2 AND prefix = $3 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(shop_id)
        .bind(prefix)
        .execute(&self.pool)
        .await?;
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

/// Whether the shop has room for a key and `form` has made none.
async fn room<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    shop_id: i64,
    form: Option<&str>,
) -> Result<Result<(), KeyRefusal>, StoreError> {
    let (live, used): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM api_keys WHERE shop_id = $1 AND revoked_at IS NULL),
                (SELECT COUNT(*) FROM api_keys WHERE form_token = $2)",
    )
    .bind(shop_id)
    .bind(form)
    .fetch_one(db)
    .await?;
    Ok(if used > 0 {
        Err(KeyRefusal::FormUsed)
    } else if live >= LIVE_KEYS {
        Err(KeyRefusal::Full)
    } else {
        Ok(())
    })
}
