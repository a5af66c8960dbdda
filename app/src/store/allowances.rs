//! Lookup allowances shared through the database (`--shared-limits`): the same
//! GCRA state as the in-memory tables (`limits::table`), one row per key, taken
//! for all of a lookup's keys in one transaction.

use super::{begin_write, Backend, Store, StoreError};
use crate::limits::{LimitKey, Rule};

/// Bytes as lower-case hex digits.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from hex digits (an even number of them).
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    text.len()
        .is_multiple_of(2)
        .then(|| {
            (0..text.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
                .collect()
        })
        .flatten()
}

fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

impl Store {
    /// Takes one attempt from every key's allowance at `now` (Unix ms), all or none.
    /// `Ok(Err(wait_ms))` when one is spent. Keys are locked in a fixed order, so
    /// concurrent lookups on other servers cannot deadlock.
    pub async fn take_allowances(&self, items: &[(LimitKey, Rule)], now: i64) -> Result<Result<(), u64>, StoreError> {
        let mut sorted = items.to_vec();
        sorted.sort_by_key(|(key, _)| *key);
        let mut conn = self.pool.acquire().await?;
        let mut tx = begin_write(&mut conn, self.backend).await?;
        for (key, rule) in &sorted {
            let (interval, tolerance) = (ms(rule.interval()), ms(rule.tolerance()));
            let key = hex(key);
            let taken: Option<i64> = sqlx::query_scalar(
                "INSERT INTO lookup_allowances (limit_key, whole_at) VALUES ($1, $2 + $3)
                 ON CONFLICT (limit_key) DO UPDATE
                 SET whole_at = (CASE WHEN lookup_allowances.whole_at > $2 THEN lookup_allowances.whole_at ELSE $2 END) + $3
                 WHERE (CASE WHEN lookup_allowances.whole_at > $2 THEN lookup_allowances.whole_at ELSE $2 END) + $3 - $2 <= $4
                 RETURNING whole_at",
            )
            .bind(&key)
            .bind(now)
            .bind(interval)
            .bind(tolerance)
            .fetch_optional(&mut *tx)
            .await?;
            if taken.is_none() {
                let whole_at: i64 = sqlx::query_scalar("SELECT whole_at FROM lookup_allowances WHERE limit_key = $1")
                    .bind(&key)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.rollback().await?;
                let wait = whole_at.saturating_add(interval) - tolerance - now;
                return Ok(Err(u64::try_from(wait).unwrap_or(0).max(1)));
            }
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Gives one attempt back to every key's allowance.
    pub async fn give_back_allowances(&self, items: &[(LimitKey, Rule)], now: i64) -> Result<(), StoreError> {
        let mut sorted = items.to_vec();
        sorted.sort_by_key(|(key, _)| *key);
        let mut conn = self.pool.acquire().await?;
        let mut tx = begin_write(&mut conn, self.backend).await?;
        for (key, rule) in &sorted {
            let key = hex(key);
            sqlx::query("UPDATE lookup_allowances SET whole_at = whole_at - $1 WHERE limit_key = $2")
                .bind(ms(rule.interval()))
                .bind(&key)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM lookup_allowances WHERE limit_key = $1 AND whole_at <= $2")
                .bind(&key)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// For each of three keys, whether its allowance has no attempt left at `now`
    /// (one query). Changes nothing.
    pub async fn spent_allowances(&self, items: &[(LimitKey, Rule); 3], now: i64) -> Result<[bool; 3], StoreError> {
        Ok(self.allowance_waits(items, now).await?.map(|wait| wait.is_some()))
    }

    /// How long each key's allowance makes a client wait at `now`, in
    /// milliseconds (none: it has room).
    pub async fn allowance_waits(
        &self,
        items: &[(LimitKey, Rule); 3],
        now: i64,
    ) -> Result<[Option<u64>; 3], StoreError> {
        let keys = items.map(|(key, _)| hex(&key));
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT limit_key, whole_at FROM lookup_allowances WHERE limit_key IN ($1, $2, $3)")
                .bind(&keys[0])
                .bind(&keys[1])
                .bind(&keys[2])
                .fetch_all(&self.pool)
                .await?;
        Ok([0, 1, 2].map(|i| {
            let (interval, tolerance) = (ms(items[i].1.interval()), ms(items[i].1.tolerance()));
            let (_, whole_at) = rows.iter().find(|(key, _)| *key == keys[i])?;
            let wait = (*whole_at).max(now) + interval - tolerance - now;
            u64::try_from(wait).ok().filter(|wait| *wait > 0)
        }))
    }

    /// Deletes allowances that are whole again at `now`; returns how many.
    /// PostgreSQL: rows a lookup holds are skipped (deleting them in another
    /// order than lookups lock them could deadlock), in batches of 10,000.
    pub async fn forget_refilled_allowances(&self, now: i64) -> Result<u64, StoreError> {
        let statement = match self.backend {
            Backend::Sqlite => "DELETE FROM lookup_allowances WHERE whole_at <= $1",
            Backend::Postgres => {
                "DELETE FROM lookup_allowances WHERE limit_key IN (
                   SELECT limit_key FROM lookup_allowances WHERE whole_at <= $1
                   ORDER BY limit_key LIMIT 10000 FOR UPDATE SKIP LOCKED)"
            }
        };
        let mut total = 0;
        loop {
            let done = sqlx::query(statement).bind(now).execute(&self.pool).await?;
            total += done.rows_affected();
            if done.rows_affected() < 10_000 {
                return Ok(total);
            }
        }
    }

    /// Allowances held in the database now (for tests and diagnostics).
    pub async fn allowance_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM lookup_allowances")
            .fetch_one(&self.pool)
            .await?)
    }

    /// The secret limiter keys are hashed with, shared by every server: the first
    /// server to ask stores `candidate`; everyone gets the stored one.
    pub async fn limiter_secret(&self, candidate: &[u8; 32]) -> Result<[u8; 32], StoreError> {
        self.server_secret("limiter", candidate).await
    }

    /// The shared secret called `name`, made from `candidate` by the first server to ask.
    pub(super) async fn server_secret(&self, name: &str, candidate: &[u8; 32]) -> Result<[u8; 32], StoreError> {
        sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(hex(candidate))
            .execute(&self.pool)
            .await?;
        let stored: String = sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        unhex(&stored)
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or_else(|| StoreError::Corrupt(format!("the stored {name} secret is not 32 hex bytes")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn hex_round_trips_and_rejects_junk() {
        assert_eq!(unhex(&hex(&[0, 1, 254, 255])), Some(vec![0, 1, 254, 255]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }

    #[tokio::test]
    async fn shared_allowances_take_all_or_none_and_give_back() {
        let (_dir, store) = super::super::tests::store().await;
        let rule = Rule::new(2, Duration::from_secs(20));
        let (a, b) = ([1u8; 16], [2u8; 16]);
        assert_eq!(store.take_allowances(&[(a, rule), (b, rule)], 0).await.unwrap(), Ok(()));
        assert_eq!(store.take_allowances(&[(a, rule)], 0).await.unwrap(), Ok(()));
        // a is spent: b is not taken either.
        assert_eq!(
            store.take_allowances(&[(b, rule), (a, rule)], 0).await.unwrap(),
            Err(10_000)
        );
        assert_eq!(store.take_allowances(&[(b, rule)], 0).await.unwrap(), Ok(()));
        // What the abuse panel asks: a and b are spent, an unknown key is not.
        let three = [(a, rule), (b, rule), ([3; 16], rule)];
        assert_eq!(store.spent_allowances(&three, 0).await.unwrap(), [true, true, false]);
        // And how long each makes a client wait, as a refused take says.
        assert_eq!(
            store.allowance_waits(&three, 0).await.unwrap(),
            [Some(10_000), Some(10_000), None]
        );
        assert_eq!(
            store.allowance_waits(&three, 9_999).await.unwrap(),
            [Some(1), Some(1), None]
        );
        assert_eq!(
            store.spent_allowances(&three, 10_000).await.unwrap(),
            [false, false, false],
            "refilled by one"
        );
        store.give_back_allowances(&[(a, rule)], 0).await.unwrap();
        assert_eq!(store.take_allowances(&[(a, rule)], 0).await.unwrap(), Ok(()));
        assert_eq!(store.forget_refilled_allowances(20_000).await.unwrap(), 2);
        assert_eq!(store.allowance_count().await.unwrap(), 0);
        let secret = store.limiter_secret(&[7; 32]).await.unwrap();
        assert_eq!(secret, [7; 32]);
        assert_eq!(
            store.limiter_secret(&[9; 32]).await.unwrap(),
            [7; 32],
            "the first secret stays"
        );
    }
}
