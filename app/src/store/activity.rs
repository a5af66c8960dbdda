//! What the console shows of a shop's activity: the support view's audit log,
//! the last Shopify deliveries and when each API key was last used.

use super::{now, time_in, Store, StoreError};

/// Deliveries kept per shop.
pub const DELIVERIES_KEPT: i64 = 100;
/// How long a delivery's id is kept to know Shopify's retries of it, which
/// come for at most 48 hours. A delivery retried after that is merged again,
/// which changes nothing: every merge is idempotent.
pub const DELIVERY_IDS_KEPT_DAYS: i64 = 7;
/// Audit entries a page shows.
pub const AUDIT_SHOWN: i64 = 200;
/// How long the support view's audit log keeps an entry.
pub const AUDIT_KEPT_DAYS: i64 = 365;
/// Rows one pruning statement deletes at most: a database never pruned before
/// (an upgrade) is not locked for one long delete while writes wait.
pub(super) const PRUNE_BATCH: i64 = 10_000;

/// One Shopify delivery with a valid signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub topic: String,
    pub outcome: String,
    pub received_at: String,
    /// The key of the order it was about (its number in lower case, without
    /// `#`), when it named one that could be read.
    pub order_key: Option<String>,
}

/// One opening of an order in the support view, or its listing among the
/// orders of an email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportView {
    pub email: String,
    pub number_key: String,
    pub viewed_at: String,
    /// Listed among an address's orders (number, date, where it stands), not opened.
    pub listed: bool,
}

impl Store {
    /// Records that an account (by its email) opened an order in the support view.
    pub async fn record_support_view(&self, shop_id: i64, email: &str, number_key: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO support_views (shop_id, email, number_key, viewed_at) VALUES ($1, $2, $3, $4)")
            .bind(shop_id)
            .bind(email)
            .bind(number_key)
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records that an account (by its email) was shown these orders (by their
    /// keys) listed among an email address's orders: one entry each, at once.
    pub async fn record_support_listing(
        &self,
        shop_id: i64,
        email: &str,
        number_keys: &[String],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let at = now();
        for number_key in number_keys {
            sqlx::query(
                "INSERT INTO support_views (shop_id, email, number_key, viewed_at, kind) VALUES ($1, $2, $3, $4, 'listed')",
            )
            .bind(shop_id)
            .bind(email)
            .bind(number_key)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Page `page` (from 1) of the shop's support views, newest first,
    /// [`AUDIT_SHOWN`] a page, and whether there are older ones. Pages are
    /// counted, not cursors: an entry's id would tell other shops' activity.
    pub async fn support_views(&self, shop_id: i64, page: u32) -> Result<(Vec<SupportView>, bool), StoreError> {
        let skipped = i64::from(page.max(1) - 1) * AUDIT_SHOWN;
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT email, number_key, viewed_at, kind FROM support_views
             WHERE shop_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
        )
        .bind(shop_id)
        .bind(AUDIT_SHOWN + 1)
        .bind(skipped)
        .fetch_all(&self.pool)
        .await?;
        let mut views: Vec<SupportView> = rows
            .into_iter()
            .map(|(email, number_key, viewed_at, kind)| SupportView {
                email,
                number_key,
                viewed_at,
                listed: kind == "listed",
            })
            .collect();
        let shown = AUDIT_SHOWN as usize;
        let more = views.len() > shown;
        views.truncate(shown);
        Ok((views, more))
    }

    /// Records a delivery and forgets all but the shop's last [`DELIVERIES_KEPT`].
    /// The order's number is kept only if the shop did not erase an order of
    /// that number (an erasure blanks the numbers of the deliveries recorded
    /// before it; this is for one recorded after, whose change was made
    /// before it).
    pub async fn record_delivery(
        &self,
        shop_id: i64,
        topic: &str,
        outcome: &str,
        order_key: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO webhook_log (shop_id, topic, outcome, received_at, order_key) VALUES ($1, $2, $3, $4,
                 CASE WHEN EXISTS (SELECT 1 FROM erased_orders WHERE shop_id = $1 AND number_key = $5)
                 THEN NULL ELSE $5 END)",
        )
        .bind(shop_id)
        .bind(topic)
        .bind(outcome)
        .bind(now())
        .bind(order_key)
        .execute(&self.pool)
        .await?;
        sqlx::query(
            "DELETE FROM webhook_log WHERE shop_id = $1 AND id <= (
                 SELECT id FROM webhook_log WHERE shop_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)",
        )
        .bind(shop_id)
        .bind(DELIVERIES_KEPT)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets the ids of deliveries received [`DELIVERY_IDS_KEPT_DAYS`] ago or
    /// more; how many.
    pub async fn prune_delivery_ids(&self) -> Result<u64, StoreError> {
        self.prune_delivery_ids_by(PRUNE_BATCH).await
    }

    /// [`Store::prune_delivery_ids`], `batch` rows a statement.
    pub(super) async fn prune_delivery_ids_by(&self, batch: i64) -> Result<u64, StoreError> {
        self.prune(
            "DELETE FROM webhook_deliveries WHERE (shop_id, webhook_id) IN (
                 SELECT shop_id, webhook_id FROM webhook_deliveries WHERE received_at < $1 LIMIT $2)",
            DELIVERY_IDS_KEPT_DAYS,
            batch,
        )
        .await
    }

    /// Forgets the support view's audit entries [`AUDIT_KEPT_DAYS`] old or
    /// more; how many.
    pub async fn prune_support_views(&self) -> Result<u64, StoreError> {
        self.prune(
            "DELETE FROM support_views WHERE id IN (
                 SELECT id FROM support_views WHERE viewed_at < $1 LIMIT $2)",
            AUDIT_KEPT_DAYS,
            PRUNE_BATCH,
        )
        .await
    }

    /// Runs `delete` (rows older than `$1`, at most `$2` of them) until it
    /// deletes fewer than `batch` rows; how many it deleted.
    pub(super) async fn prune(&self, delete: &str, days: i64, batch: i64) -> Result<u64, StoreError> {
        let before = time_in(-chrono::Duration::days(days));
        let mut forgotten = 0;
        loop {
            let done = sqlx::query(delete)
                .bind(&before)
                .bind(batch)
                .execute(&self.pool)
                .await?;
            forgotten += done.rows_affected();
            if done.rows_affected() < batch.unsigned_abs() {
                return Ok(forgotten);
            }
        }
    }

    /// The shop's last deliveries, newest first.
    pub async fn deliveries(&self, shop_id: i64) -> Result<Vec<Delivery>, StoreError> {
        let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT topic, outcome, received_at, order_key FROM webhook_log WHERE shop_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(shop_id)
        .bind(DELIVERIES_KEPT)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(topic, outcome, received_at, order_key)| Delivery {
                topic,
                outcome,
                received_at,
                order_key,
            })
            .collect())
    }

    /// Notes that the key with this prefix was just verified.
    pub async fn key_used(&self, prefix: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE prefix = $2")
            .bind(now())
            .bind(prefix)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
