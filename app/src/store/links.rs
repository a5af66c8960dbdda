//! Links to a shopper's orders, sent by email: the token's SHA-256, the shop and
//! address it opens, when it stops working, and the browser it was first opened
//! in (the SHA-256 of that browser's cookie). Behind a link: the address's orders
//! at that shop from the last 12 months, as their stored shopper views.

use super::{now, time_in, Backend, Store, StoreError};
use crate::view::{ShopperView, StoredView};
use chrono::{DateTime, Utc};

/// Orders a link lists at most (the newest).
pub const ORDERS_LISTED: usize = 50;
/// Orders read to find them: the address's newest by the time of placing as
/// stored (UTC text, which sorts as time does but for fractions of a second
/// within one second), a few more than are listed. Each read is a whole
/// stored view, up to about half a megabyte for the largest orders, so a page
/// of them holds what it shows and little more (500 were read before: 280 MB
/// for an address with that many of the largest orders).
const ORDERS_READ: i64 = ORDERS_LISTED as i64 + 10;

/// What a link is to the browser that presents it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// This browser holds it: it may read the orders of `email_key` at shop `shop_id`.
    Open { shop_id: i64, email_key: String },
    /// Live and not opened yet: the first browser to ask for the orders keeps it.
    Unopened,
    /// Opened before in another browser.
    OtherDevice,
    /// Expired, revoked, another shop's or never made.
    Gone,
}

impl Store {
    /// Stores a new link (its token's SHA-256) valid for `valid`, if the shop
    /// still offers links by email (turning them off revokes the links there
    /// are, so one made after that would outlive it); false when it does not.
    pub async fn create_order_link(
        &self,
        token_hash: &str,
        shop_id: i64,
        email_key: &str,
        valid: chrono::Duration,
    ) -> Result<bool, StoreError> {
        // On PostgreSQL the shop's row is read under a share lock: a change of
        // settings turning links off holds the row until it has revoked the links
        // there are, and this insert then reads the row as it left it. Without it
        // the insert read the row as before and its link outlived the revoking.
        // (SQLite has one writer: the change is done before this reads.)
        let lock = match self.backend {
            Backend::Postgres => " FOR SHARE",
            Backend::Sqlite => "",
        };
        let done = sqlx::query(&format!(
            "INSERT INTO order_links (token_hash, shop_id, email_key, expires_at)
             SELECT $1, id, $3, $4 FROM shops WHERE id = $2 AND email_links = 1{lock}"
        ))
        .bind(token_hash)
        .bind(shop_id)
        .bind(email_key)
        .bind(time_in(valid))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes a link that was never sent (its mail failed).
    pub async fn delete_order_link(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM order_links WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// What the link of shop `slug` whose token hashes to `token_hash` is to the
    /// browser whose cookie hashes to `device_hash`. Reads only: a mail scanner
    /// fetching the link changes nothing. A shop that turned links by email off
    /// has none: links sent before stop working too.
    pub async fn order_link(&self, slug: &str, token_hash: &str, device_hash: &str) -> Result<LinkState, StoreError> {
        let row: Option<(i64, String, Option<String>)> = sqlx::query_as(
            "SELECT l.shop_id, l.email_key, l.device_hash FROM order_links l JOIN shops s ON s.id = l.shop_id
             WHERE l.token_hash = $1 AND s.slug = $2 AND s.email_links = 1
               AND l.revoked_at IS NULL AND l.expires_at > $3",
        )
        .bind(token_hash)
        .bind(slug)
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            None => LinkState::Gone,
            Some((_, _, None)) => LinkState::Unopened,
            Some((shop_id, email_key, Some(owner))) if owner == device_hash => LinkState::Open { shop_id, email_key },
            Some(_) => LinkState::OtherDevice,
        })
    }

    /// Gives a live, unopened link of shop `slug` to the browser whose cookie
    /// hashes to `device_hash`. One statement decides, so of two browsers asking
    /// at once only one gets it; false when it was not to be had.
    pub async fn take_order_link(&self, slug: &str, token_hash: &str, device_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE order_links SET device_hash = $1
             WHERE token_hash = $2 AND device_hash IS NULL AND revoked_at IS NULL AND expires_at > $3
               AND shop_id = (SELECT id FROM shops WHERE slug = $4 AND email_links = 1)",
        )
        .bind(device_hash)
        .bind(token_hash)
        .bind(now())
        .bind(slug)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Ends for good every link of shop `slug` that the browser whose cookie
    /// hashes to `device_hash` holds; how many.
    pub async fn forget_order_links(&self, slug: &str, device_hash: &str) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE order_links SET revoked_at = $1
             WHERE device_hash = $2 AND revoked_at IS NULL AND shop_id = (SELECT id FROM shops WHERE slug = $3)",
        )
        .bind(now())
        .bind(device_hash)
        .bind(slug)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// The shopper views of `email_key`'s orders at shop `shop_id` placed in the
    /// last 12 months, newest first, at most [`ORDERS_LISTED`]. A view that does
    /// not read back (changed by hand in the database) is left out and logged.
    pub async fn orders_of(&self, shop_id: i64, email_key: &str) -> Result<Vec<ShopperView>, StoreError> {
        let since = Utc::now() - chrono::Duration::days(365);
        Ok(self.views_with_email(shop_id, email_key, Some(since)).await?.0)
    }

    /// The shopper views of every order of `email_key` at shop `shop_id`, for
    /// the console's support view: newest first (one whose time of placing
    /// cannot be read last, and logged), at most [`ORDERS_LISTED`], and whether
    /// there are more.
    pub async fn orders_with_email(
        &self,
        shop_id: i64,
        email_key: &str,
    ) -> Result<(Vec<ShopperView>, bool), StoreError> {
        self.views_with_email(shop_id, email_key, None).await
    }

    /// The views of `email_key`'s orders placed `since` (every one for `None`,
    /// one whose time of placing cannot be read included, last), newest first,
    /// at most [`ORDERS_LISTED`], and whether there were more. The database
    /// orders them by the stored time of placing (UTC, so its text sorts as
    /// time does) before [`ORDERS_READ`] are read; they are sorted again here
    /// by the time itself.
    async fn views_with_email(
        &self,
        shop_id: i64,
        email_key: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<(Vec<ShopperView>, bool), StoreError> {
        let sql = views_with_email_sql(self.backend);
        let rows: Vec<String> = sqlx::query_scalar(&sql)
            .bind(shop_id)
            .bind(email_key)
            .bind(ORDERS_READ + 1)
            .fetch_all(&self.pool)
            .await?;
        // One row past those read says there are more.
        let all_read = rows.len() <= ORDERS_READ.unsigned_abs() as usize;
        let mut views: Vec<(Option<DateTime<Utc>>, ShopperView)> = rows
            .into_iter()
            .filter_map(|json| match StoredView::new(json).parse() {
                Ok(view) => Some(view),
                Err(e) => {
                    tracing::error!(error = %crate::errors::json_problem(&e), "stored shopper view unreadable");
                    None
                }
            })
            .filter_map(|view| {
                let placed = DateTime::parse_from_rfc3339(&view.placed_at)
                    .ok()
                    .map(|p| p.with_timezone(&Utc));
                if placed.is_none() {
                    tracing::error!("stored shopper view's placed_at unreadable");
                }
                match (since, placed) {
                    (None, placed) => Some((placed, view)),
                    (Some(since), Some(placed)) => (placed >= since).then_some((Some(placed), view)),
                    (Some(_), None) => None,
                }
            })
            .collect();
        // Newest first, an unreadable time last (`None` sorts before any time).
        views.sort_by_key(|(placed, _)| std::cmp::Reverse(*placed));
        let more = views.len() > ORDERS_LISTED || !all_read;
        views.truncate(ORDERS_LISTED);
        Ok((views.into_iter().map(|(_, view)| view).collect(), more))
    }

    /// The addresses the merchant has on the orders of `email_key` at the shop
    /// (each once, at most 21: more than 20 is too many to be one address's):
    /// the link is mailed to the one, if it is one.
    /// Addresses that differ only in case share a key, and so may a look-alike
    /// (U+212A KELVIN SIGN lower-cases to `k`); the address typed on the page is
    /// not the one to trust.
    pub async fn order_emails(&self, shop_id: i64, email_key: &str) -> Result<Vec<String>, StoreError> {
        let email = match self.backend {
            Backend::Sqlite => "json_extract(doc, '$.email')",
            Backend::Postgres => "doc->>'email'",
        };
        let sql = format!(
            "SELECT DISTINCT {email} FROM orders WHERE shop_id = $1 AND email_key = $2 AND shopper_view IS NOT NULL
             LIMIT 21"
        );
        let found: Vec<Option<String>> = sqlx::query_scalar(&sql)
            .bind(shop_id)
            .bind(email_key)
            .fetch_all(&self.pool)
            .await?;
        // An address missing from the document counts as one more address.
        Ok(found.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// Forgets links that stopped working a day ago or more, a batch a statement.
    pub async fn prune_order_links(&self) -> Result<u64, StoreError> {
        self.prune(
            "DELETE FROM order_links WHERE token_hash IN (
                 SELECT token_hash FROM order_links WHERE expires_at < $1 LIMIT $2)",
            1,
            super::activity::PRUNE_BATCH,
        )
        .await
    }
}

/// The query of [`Store::views_with_email`]: the address's orders in the order
/// of the index `orders_by_email_placed` (its expression written alike), so
/// that the newest are read first and no more than the limit.
pub(super) fn views_with_email_sql(backend: Backend) -> String {
    let placed = match backend {
        Backend::Sqlite => "json_extract(doc, '$.placed_at')",
        Backend::Postgres => "doc->>'placed_at'",
    };
    format!(
        "SELECT shopper_view FROM orders WHERE shop_id = $1 AND email_key = $2 AND shopper_view IS NOT NULL
         ORDER BY {placed} DESC NULLS LAST, id DESC LIMIT $3"
    )
}

#[cfg(test)]
#[path = "links_tests.rs"]
mod tests;
