//! API keys: each shop's Argon2id key hashes, found by their public prefix.

use super::{now, Store, StoreError};

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
    /// Stores a new API key's hash under its public prefix.
    pub async fn insert_key(&self, shop_id: i64, prefix: &str, hash: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO api_keys (shop_id, prefix, hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(shop_id)
            .bind(prefix)
            .bind(hash)
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(())
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
