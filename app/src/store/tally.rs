//! What the widget did, per shop and UTC day: lookups that found their order,
//! misses, rate-limited attempts and distinct orders found.
//!
//! A lookup only counts in memory (one short lock, no allocation once its shop
//! is known); `Store::flush_tally`, run every few seconds by the server, adds
//! the counts to the database. Distinct orders are a sketch of keyed hashes
//! (`sketch`), so no email or order number is kept, in memory or stored.
//!
//! Lookups name their shop by a slug nobody checked, so a client could count
//! lookups of made-up shops. Shops known to exist (made here, or found by a
//! flush) are always counted; other slugs, at most [`MAX_UNKNOWN`] between two
//! flushes, and the flush drops those that are no shop; beyond that, counts are
//! dropped (and counted in `lookout_tally_dropped_total`). A shop's day takes a
//! few bytes, and 4 KiB once an order was found.

use super::sketch::{order_hash, Sketch};
use super::{Store, StoreError};
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

/// Slugs not known to be shops counted between two flushes at most.
pub const MAX_UNKNOWN: usize = 64;

/// How a lookup ended, as the console counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Found,
    Missed,
    Limited,
}

/// One shop's day not yet in the database.
#[derive(Debug, Default, Clone)]
struct DayTally {
    found: i64,
    missed: i64,
    limited: i64,
    orders: Option<Sketch>,
}

impl DayTally {
    fn add(&mut self, other: DayTally) {
        self.found += other.found;
        self.missed += other.missed;
        self.limited += other.limited;
        match (&mut self.orders, other.orders) {
            (Some(mine), Some(theirs)) => mine.merge(&theirs),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
    }
}

/// Counts not yet in the database: per shop slug, per day (days since 1970-01-01, UTC).
type Pending = HashMap<String, HashMap<i64, DayTally>>;

/// What a process counts in memory: the pending counts, the shops known to
/// exist, and how many other slugs are pending.
#[derive(Debug, Default)]
struct Counts {
    pending: Pending,
    known: HashSet<String>,
    unknown: usize,
}

/// The in-memory counts of one process, and its refusals for the abuse panel.
#[derive(Debug, Default)]
pub struct Tally {
    counts: Mutex<Counts>,
    pub(super) refusals: super::refusals::Refusals,
    /// Held by a flush from taking the counts to writing them, and by an
    /// erasure: counts taken before an erasure are written before it, never after.
    pub(super) flushing: tokio::sync::Mutex<()>,
    /// The key of the order hashes (the shared secret `tally`, set when the store migrates).
    pub(super) secret: OnceLock<[u8; 32]>,
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

/// Days a distinct-order sketch is kept: the console's chart shows 30.
pub const SKETCH_DAYS: i64 = 31;

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
        let hash = number_key.map(|key| order_hash(self.secret.get().unwrap_or(&[0; 32]), slug, key));
        let day = today();
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let counts = &mut *counts;
        if !counts.pending.contains_key(slug) {
            if !counts.known.contains(slug) {
                if counts.unknown >= MAX_UNKNOWN {
                    metrics::counter!("lookout_tally_dropped_total").increment(1);
                    return;
                }
                counts.unknown += 1;
            }
            counts.pending.insert(slug.to_string(), HashMap::new());
        }
        let Some(shop) = counts.pending.get_mut(slug) else {
            return;
        };
        let tally = shop.entry(day).or_default();
        match counted {
            Counted::Found => tally.found += 1,
            Counted::Missed => tally.missed += 1,
            Counted::Limited => tally.limited += 1,
        }
        if let Some(hash) = hash {
            tally.orders.get_or_insert_with(Sketch::default).insert(hash);
        }
    }

    /// Notes that a shop exists: its lookups are counted without limit.
    pub(super) fn know(&self, slug: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if !counts.known.contains(slug) {
            counts.known.insert(slug.to_string());
        }
    }

    /// True for a shop known to exist.
    pub(super) fn knows(&self, slug: &str) -> bool {
        self.counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .known
            .contains(slug)
    }

    fn take(&self) -> Pending {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.unknown = 0;
        std::mem::take(&mut counts.pending)
    }

    /// Puts counts that could not be written back, for the next flush: those of
    /// known shops, and of others as room allows.
    fn restore(&self, failed: Pending) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let counts = &mut *counts;
        for (slug, days) in failed {
            if !counts.pending.contains_key(&slug) && !counts.known.contains(&slug) {
                if counts.unknown >= MAX_UNKNOWN {
                    continue;
                }
                counts.unknown += 1;
            }
            let shop = counts.pending.entry(slug).or_default();
            for (day, tally) in days {
                shop.entry(day).or_default().add(tally);
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
        let _flushing = self.tally.flushing.lock().await;
        let pending = self.tally.take();
        let refusals = self.tally.refusals.take();
        if pending.is_empty() && refusals.is_empty() {
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
        // Rows are written in one order (by slug, then day) on every server, so
        // that two servers flushing at once wait for each other, never deadlock.
        let mut slugs: Vec<&String> = pending.keys().collect();
        slugs.sort();
        let mut conn = self.pool.acquire().await?;
        let mut tx = super::begin_write(&mut conn, self.backend).await?;
        let mut found_shops = HashMap::new();
        for slug in slugs {
            let shop_id: Option<i64> = sqlx::query_scalar("SELECT id FROM shops WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(shop_id) = shop_id else { continue };
            found_shops.insert(slug, shop_id);
            let mut days: Vec<_> = pending.get(slug).into_iter().flatten().collect();
            days.sort_by_key(|(day, _)| **day);
            for (day, tally) in days {
                let stored: Option<String> = sqlx::query_scalar(
                    "INSERT INTO shop_days (shop_id, day, found, missed, limited) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (shop_id, day) DO UPDATE SET found = shop_days.found + excluded.found,
                        missed = shop_days.missed + excluded.missed, limited = shop_days.limited + excluded.limited
                     RETURNING sketch",
                )
                .bind(shop_id)
                .bind(day_text(*day))
                .bind(tally.found)
                .bind(tally.missed)
                .bind(tally.limited)
                .fetch_one(&mut *tx)
                .await?;
                if let Some(orders) = &tally.orders {
                    let mut sketch = stored.as_deref().and_then(Sketch::from_text).unwrap_or_default();
                    sketch.merge(orders);
                    sqlx::query("UPDATE shop_days SET sketch = $1 WHERE shop_id = $2 AND day = $3")
                        .bind(sketch.to_text())
                        .bind(shop_id)
                        .bind(day_text(*day))
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        Self::write_refusals(&mut tx, self.backend, refusals, &found_shops).await?;
        tx.commit().await?;
        for slug in found_shops.into_keys() {
            self.tally.know(slug);
        }
        Ok(())
    }

    /// Drops the distinct-order sketches of days the console no longer shows
    /// (older than [`SKETCH_DAYS`]): a sketch can be tested against order
    /// numbers by whoever has the database, its key being there too. The day's
    /// counts stay. How many.
    pub async fn prune_sketches(&self) -> Result<u64, StoreError> {
        let done = sqlx::query("UPDATE shop_days SET sketch = NULL WHERE day < $1 AND sketch IS NOT NULL")
            .bind(day_text(today() - SKETCH_DAYS))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// The shop's last `days` days up to today (UTC), oldest first, days without
    /// lookups included as zeros.
    pub async fn shop_days(&self, shop_id: i64, days: i64) -> Result<Vec<Day>, StoreError> {
        let last = today();
        let first = last - days.max(1) + 1;
        let rows: Vec<(String, i64, i64, i64, Option<String>)> = sqlx::query_as(
            "SELECT day, found, missed, limited, sketch FROM shop_days WHERE shop_id = $1 AND day >= $2",
        )
        .bind(shop_id)
        .bind(day_text(first))
        .fetch_all(&self.pool)
        .await?;
        let by_day: HashMap<String, (i64, i64, i64, i64)> = rows
            .into_iter()
            .map(|(d, f, m, l, sketch)| {
                let distinct = sketch
                    .as_deref()
                    .and_then(Sketch::from_text)
                    .map_or(0, |s| s.estimate());
                (d, (f, m, l, distinct))
            })
            .collect();
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
    fn made_up_shops_cannot_crowd_out_known_ones() {
        let tally = Tally::default();
        tally.know("demo");
        for n in 0..MAX_UNKNOWN + 10 {
            tally.record(&format!("made-up-{n}"), Counted::Missed, None);
        }
        tally.record("demo", Counted::Missed, None);
        let pending = tally.take();
        assert_eq!(pending.len(), MAX_UNKNOWN + 1);
        assert!(pending.contains_key("demo"));
        // A failed flush puts back the known shop, and others only as room allows.
        for n in 0..MAX_UNKNOWN {
            tally.record(&format!("other-{n}"), Counted::Missed, None);
        }
        tally.restore(pending);
        let pending = tally.take();
        assert_eq!(pending.len(), MAX_UNKNOWN + 1);
        assert_eq!(pending["demo"][&today()].missed, 1);
    }

    #[test]
    fn the_same_order_twice_is_one_distinct_order() {
        let tally = Tally::default();
        tally.record("demo", Counted::Found, Some("1001"));
        tally.record("demo", Counted::Found, Some("1001"));
        tally.record("demo", Counted::Limited, None);
        let pending = tally.take();
        let day = &pending["demo"][&today()];
        assert_eq!((day.found, day.missed, day.limited), (2, 0, 1));
        assert_eq!(day.orders.as_ref().map(Sketch::estimate), Some(1));
        // A failed flush puts everything back, sketches merged.
        tally.record("demo", Counted::Found, Some("1002"));
        tally.restore(pending);
        let day = &tally.take()["demo"][&today()];
        assert_eq!((day.found, day.orders.as_ref().map(Sketch::estimate)), (3, Some(2)));
    }
}
