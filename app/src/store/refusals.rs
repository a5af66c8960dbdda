//! The console's abuse panel: order numbers, email addresses and clients whose
//! allowance of failed lookups (or of requests for order links) ran out, per
//! shop, over the last 24 hours.
//!
//! Refusals are counted in memory (bounded by [`MAX_SUBJECTS`] between two
//! flushes) and written with the daily counts. Emails are kept masked
//! (`a•••@example.com`) and clients as an IPv4 address without its last part or
//! an IPv6 /64; order numbers as their normalised key, since the merchant needs
//! to know which order is being guessed. Rows idle for 24 hours are deleted.

use super::{now, Store, StoreError};
use std::collections::HashMap;
use std::sync::Mutex;

/// Distinct (shop, kind, subject) refusals kept between two flushes at most.
pub const MAX_SUBJECTS: usize = 4_096;
/// The most bytes of a subject kept: an order number's key whole (64
/// characters of at most 4 bytes), an address masked, a client.
const MAX_SUBJECT_BYTES: usize = 256;

/// `subject` as it is counted and stored: its first [`MAX_SUBJECT_BYTES`].
pub(super) fn subject(subject: &str) -> &str {
    crate::normalize::clip(subject, MAX_SUBJECT_BYTES)
}

/// Which allowance ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refused {
    Order,
    Email,
    Client,
    /// Requests for order links by email: the address, the client, the shop.
    LinkEmail,
    LinkClient,
    LinkShop,
}

impl Refused {
    pub fn as_str(self) -> &'static str {
        match self {
            Refused::Order => "order",
            Refused::Email => "email",
            Refused::Client => "client",
            Refused::LinkEmail => "link_email",
            Refused::LinkClient => "link_client",
            Refused::LinkShop => "link_shop",
        }
    }
}

/// One row of the abuse panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `order`, `email` or `client`.
    pub kind: String,
    pub subject: String,
    /// Refused attempts since the subject was first refused within the window.
    pub attempts: i64,
    pub last_at: String,
}

/// An email as the abuse panel shows it: its first character and its domain.
pub fn masked_email(email_key: &str) -> String {
    match email_key.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_string(),
    }
}

type Pending = HashMap<String, HashMap<(Refused, String), i64>>;

/// Refusals not yet written, per shop slug.
#[derive(Debug, Default)]
pub struct Refusals(Mutex<(Pending, usize)>);

impl Refusals {
    /// Counts one refused attempt against `subject` of the shop `slug`.
    pub fn record(&self, slug: &str, kind: Refused, subject: &str) {
        let subject = self::subject(subject);
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (pending, count) = &mut *guard;
        let fresh = !pending
            .get(slug)
            .is_some_and(|shop| shop.contains_key(&(kind, subject.to_string())));
        if fresh && *count >= MAX_SUBJECTS {
            metrics::counter!("lookout_tally_dropped_total").increment(1);
            return;
        }
        *count += usize::from(fresh);
        *pending
            .entry(slug.to_string())
            .or_default()
            .entry((kind, subject.to_string()))
            .or_default() += 1;
    }

    /// Forgets what is counted against `subject` of the shop `slug` and not yet
    /// written (the order it names was erased).
    pub(super) fn forget(&self, slug: &str, kind: Refused, subject: &str) {
        let subject = self::subject(subject);
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (pending, count) = &mut *guard;
        if let Some(shop) = pending.get_mut(slug) {
            if shop.remove(&(kind, subject.to_string())).is_some() {
                *count = count.saturating_sub(1);
            }
        }
    }

    pub(super) fn take(&self) -> Pending {
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        guard.1 = 0;
        std::mem::take(&mut guard.0)
    }
}

impl Store {
    /// Counts a refused lookup against `subject` (in memory; see `Store::flush_tally`),
    /// for a shop known to exist: made-up slugs cannot fill the panel.
    pub fn note_refusal(&self, slug: &str, kind: Refused, subject: &str) {
        if self.tally.knows(slug) {
            self.tally.refusals.record(slug, kind, subject);
        }
    }

    /// Writes refusals counted in memory, in the flush's transaction; `ids` are
    /// the shops the flush has already found (others are looked up here).
    pub(super) async fn write_refusals(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        backend: super::Backend,
        pending: &Pending,
        ids: &HashMap<&String, i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        // One order on every server (see `write_tally`).
        let mut slugs: Vec<&String> = pending.keys().collect();
        slugs.sort();
        for slug in slugs {
            let mut subjects: Vec<_> = pending.get(slug).into_iter().flatten().collect();
            subjects.sort_by(|a, b| (a.0 .0.as_str(), &a.0 .1).cmp(&(b.0 .0.as_str(), &b.0 .1)));
            let shop_id: Option<i64> = match ids.get(slug) {
                Some(id) => Some(*id),
                None => {
                    sqlx::query_scalar("SELECT id FROM shops WHERE slug = $1")
                        .bind(slug)
                        .fetch_optional(&mut **tx)
                        .await?
                }
            };
            let Some(shop_id) = shop_id else { continue };
            for ((kind, subject), attempts) in subjects {
                sqlx::query(
                    "INSERT INTO refusals (shop_id, kind, subject, attempts, last_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (shop_id, kind, subject) DO UPDATE
                     SET attempts = refusals.attempts + excluded.attempts, last_at = excluded.last_at",
                )
                .bind(shop_id)
                .bind(kind.as_str())
                .bind(subject)
                .bind(*attempts)
                .bind(&at)
                .execute(&mut **tx)
                .await?;
            }
        }
        sqlx::query(idle_sql(backend))
            .bind(day_ago())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Deletes the abuse panel's rows idle for a day, as every flush of counts
    /// does: here for the hourly housekeeping, so that they go on a server
    /// that no lookup reaches any more too. How many.
    pub async fn prune_refusals(&self) -> Result<u64, StoreError> {
        let done = sqlx::query(idle_sql(self.backend))
            .bind(day_ago())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// The shop's refusals of the last 24 hours, most attempts first (at most 100).
    pub async fn refusals(&self, shop_id: i64) -> Result<Vec<Refusal>, StoreError> {
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(LISTED)
            .bind(shop_id)
            .bind(day_ago())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(kind, subject, attempts, last_at)| Refusal {
                kind,
                subject,
                attempts,
                last_at,
            })
            .collect())
    }
}

/// The abuse panel's rows idle for a day (`$1`). On PostgreSQL, not those
/// another server's flush holds: it is refreshing them, and waiting for it here
/// while it waits for a row this flush refreshed would deadlock. SQLite has one
/// writer.
fn idle_sql(backend: super::Backend) -> &'static str {
    match backend {
        super::Backend::Postgres => {
            "DELETE FROM refusals WHERE ctid = ANY(ARRAY(
                 SELECT ctid FROM refusals WHERE last_at < $1 FOR UPDATE SKIP LOCKED))"
        }
        super::Backend::Sqlite => "DELETE FROM refusals WHERE last_at < $1",
    }
}

fn day_ago() -> String {
    super::time_in(-chrono::Duration::hours(24))
}

/// The query of [`Store::refusals`], in the order of the index
/// `refusals_by_attempts`: the hundred listed are read, not every refusal.
pub(super) const LISTED: &str =
    "SELECT kind, subject, attempts, last_at FROM refusals WHERE shop_id = $1 AND last_at >= $2
     ORDER BY attempts DESC, last_at DESC LIMIT 100";

#[cfg(test)]
#[path = "refusals_tests.rs"]
mod flush_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_masked_and_subjects_bounded() {
        assert_eq!(masked_email("ada@example.com"), "a•••@example.com");
        assert_eq!(masked_email("nonsense"), "•••");
        let refusals = Refusals::default();
        for n in 0..MAX_SUBJECTS + 5 {
            refusals.record("demo", Refused::Order, &n.to_string());
        }
        refusals.record("demo", Refused::Order, "0");
        refusals.record("demo", Refused::Email, &"é".repeat(100));
        let pending = refusals.take();
        assert_eq!(pending["demo"].len(), MAX_SUBJECTS);
        assert_eq!(pending["demo"][&(Refused::Order, "0".to_string())], 2);
        assert_eq!(refusals.take().len(), 0, "taken once");
    }
}
