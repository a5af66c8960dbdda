//! What the widget did, per shop and UTC day: lookups that found their order,
//! misses, rate-limited attempts and distinct orders found.
//!
//! A lookup only counts in memory (one short lock); `Store::flush_tally`, run
//! every few seconds by the server, adds the counts to the database. Orders are
//! counted distinct by a keyed hash (the shared secret `tally`), so no email or
//! order number is stored. The memory is bounded: past [`MAX_SHOPS`] shops or
//! [`MAX_ORDERS`] orders between two flushes, further counts are dropped (and
//! counted in `lookout_tally_dropped_total`).

use super::allowances::hex;
use super::{Store, StoreError};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// Shops counted between two flushes at most.
pub const MAX_SHOPS: usize = 1_024;
/// Distinct orders found between two flushes at most.
pub const MAX_ORDERS: usize = 65_536;
/// Days of distinct-order hashes kept in the database.
const KEEP_DAYS: i64 = 35;

/// How a lookup ended, as the console counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Found,
    Missed,
    Limited,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    found: i64,
    missed: i64,
    limited: i64,
}

/// Counts not yet in the database: per shop slug, per day (days since 1970-01-01, UTC).
#[derive(Debug, Default)]
struct Pending {
    shops: HashMap<String, HashMap<i64, Counts>>,
    /// (day, order number key) of lookups that found their order, per shop slug.
    orders: HashMap<String, HashSet<(i64, String)>>,
    order_count: usize,
}

/// The in-memory counts of one process, and its refusals for the abuse panel.
#[derive(Debug, Default)]
pub struct Tally {
    counts: Mutex<Pending>,
    pub(super) refusals: super::refusals::Refusals,
}

/// One shop's day, as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub found: i64,
    pub missed: i64,
    pub limited: i64,
    pub distinct_orders: i64,
}

fn today() -> i64 {
    chrono::Utc::now().timestamp().div_euclid(86_400)
}

fn day_text(day: i64) -> String {
    chrono::DateTime::from_timestamp(day.saturating_mul(86_400), 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

impl Tally {
    /// Counts one lookup of the shop `slug`; `number_key` is the order's when it was found.
    pub fn record(&self, slug: &str, counted: Counted, number_key: Option<&str>) {
        let day = today();
        let mut pending = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let pending = &mut *pending;
        if !pending.shops.contains_key(slug) && pending.shops.len() >= MAX_SHOPS {
            metrics::counter!("lookout_tally_dropped_total").increment(1);
            return;
        }
        let counts = pending
            .shops
            .entry(slug.to_string())
            .or_default()
            .entry(day)
            .or_default();
        match counted {
            Counted::Found => counts.found += 1,
            Counted::Missed => counts.missed += 1,
            Counted::Limited => counts.limited += 1,
        }
        if let Some(number_key) = number_key {
            if pending.order_count >= MAX_ORDERS {
                metrics::counter!("lookout_tally_dropped_total").increment(1);
                return;
            }
            let fresh = pending
                .orders
                .entry(slug.to_string())
                .or_default()
                .insert((day, number_key.to_string()));
            pending.order_count += usize::from(fresh);
        }
    }

    fn take(&self) -> Pending {
        std::mem::take(&mut *self.counts.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Puts counts that could not be written back, for the next flush.
    fn restore(&self, failed: Pending) {
        let mut pending = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        for (slug, days) in failed.shops {
            for (day, c) in days {
                let counts = pending.shops.entry(slug.clone()).or_default().entry(day).or_default();
                counts.found += c.found;
                counts.missed += c.missed;
                counts.limited += c.limited;
            }
        }
        for (slug, orders) in failed.orders {
            for order in orders {
                if pending.order_count < MAX_ORDERS && pending.orders.entry(slug.clone()).or_default().insert(order) {
                    pending.order_count += 1;
                }
            }
        }
    }
}

impl Store {
    /// Counts one lookup (in memory; see [`Store::flush_tally`]).
    pub fn tally(&self, slug: &str, counted: Counted, number_key: Option<&str>) {
        self.tally.record(slug, counted, number_key);
    }

    /// Adds the counts kept in memory (and the abuse panel's refusals) to the
    /// database; on failure the counts are kept for the next flush (the refusals
    /// are not). Lookups of shops that do not exist are dropped here.
    pub async fn flush_tally(&self) -> Result<(), StoreError> {
        let pending = self.tally.take();
        let refusals = self.tally.refusals.take();
        if pending.shops.is_empty() && refusals.is_empty() {
            return Ok(());
        }
        match self.write_tally(&pending, &refusals).await {
            Ok(()) => Ok(()),
            Err(e) => {
                self.tally.restore(pending);
                Err(e)
            }
        }
    }

    async fn write_tally(
        &self,
        pending: &Pending,
        refusals: &HashMap<String, HashMap<(super::refusals::Refused, String), i64>>,
    ) -> Result<(), StoreError> {
        let secret = self.server_secret("tally", &crate::limits::random_secret()).await?;
        let mut tx = self.pool.begin().await?;
        for (slug, days) in &pending.shops {
            let shop_id: Option<i64> = sqlx::query_scalar("SELECT id FROM shops WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(shop_id) = shop_id else { continue };
            for (day, c) in days {
                sqlx::query(
                    "INSERT INTO shop_days (shop_id, day, found, missed, limited) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (shop_id, day) DO UPDATE SET found = shop_days.found + excluded.found,
                        missed = shop_days.missed + excluded.missed, limited = shop_days.limited + excluded.limited",
                )
                .bind(shop_id)
                .bind(day_text(*day))
                .bind(c.found)
                .bind(c.missed)
                .bind(c.limited)
                .execute(&mut *tx)
                .await?;
            }
            for (day, number_key) in pending.orders.get(slug).into_iter().flatten() {
                let digest = Sha256::new()
                    .chain_update(secret)
                    .chain_update(slug.as_bytes())
                    .chain_update([0])
                    .chain_update(number_key.as_bytes())
                    .finalize();
                sqlx::query("INSERT INTO looked_up (shop_id, day, digest) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(shop_id)
                    .bind(day_text(*day))
                    .bind(hex(&digest[..16]))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query("DELETE FROM looked_up WHERE day < $1")
            .bind(day_text(today() - KEEP_DAYS))
            .execute(&mut *tx)
            .await?;
        Self::write_refusals(&mut tx, refusals).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The shop's last `days` days up to today (UTC), oldest first, days without
    /// lookups included as zeros.
    pub async fn shop_days(&self, shop_id: i64, days: i64) -> Result<Vec<Day>, StoreError> {
        let last = today();
        let first = last - days.max(1) + 1;
        let rows: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT d.day, d.found, d.missed, d.limited,
                    (SELECT COUNT(*) FROM looked_up l WHERE l.shop_id = d.shop_id AND l.day = d.day)
             FROM shop_days d WHERE d.shop_id = $1 AND d.day >= $2",
        )
        .bind(shop_id)
        .bind(day_text(first))
        .fetch_all(&self.pool)
        .await?;
        let by_day: HashMap<String, (i64, i64, i64, i64)> =
            rows.into_iter().map(|(d, f, m, l, o)| (d, (f, m, l, o))).collect();
        Ok((first..=last)
            .map(|n| {
                let day = day_text(n);
                let (found, missed, limited, distinct_orders) = by_day.get(&day).copied().unwrap_or_default();
                Day {
                    day,
                    found,
                    missed,
                    limited,
                    distinct_orders,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_bounded_by_shops_and_orders() {
        let tally = Tally::default();
        for n in 0..MAX_SHOPS + 10 {
            tally.record(&format!("shop-{n}"), Counted::Missed, None);
        }
        assert_eq!(tally.take().shops.len(), MAX_SHOPS);
        for n in 0..MAX_ORDERS + 10 {
            tally.record("demo", Counted::Found, Some(&n.to_string()));
        }
        let pending = tally.take();
        assert_eq!(pending.order_count, MAX_ORDERS);
        assert_eq!(pending.orders["demo"].len(), MAX_ORDERS);
        // Every lookup still counts; only the distinct-order hashes stop.
        assert_eq!(pending.shops["demo"][&today()].found, (MAX_ORDERS + 10) as i64);
    }

    #[test]
    fn the_same_order_twice_is_one_distinct_order() {
        let tally = Tally::default();
        tally.record("demo", Counted::Found, Some("1001"));
        tally.record("demo", Counted::Found, Some("1001"));
        tally.record("demo", Counted::Limited, None);
        let pending = tally.take();
        assert_eq!(pending.order_count, 1);
        let counts = pending.shops["demo"][&today()];
        assert_eq!((counts.found, counts.missed, counts.limited), (2, 0, 1));
    }
}
