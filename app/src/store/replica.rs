//! Lookups that read a replica (`database-lookup-url`) which has fallen
//! behind the primary. A shopper who looks an order up a moment after it was
//! written would be told it does not exist, and that miss would spend one of
//! their failed attempts. So a task checks once a second, on PostgreSQL, how
//! far the replica has replayed the primary's log: a replica that has not yet
//! replayed what the primary had written at the check before (a second ago) is
//! behind. While it is, a lookup that finds nothing there is asked again of the
//! primary, as it was asked of the replica; hits, and every lookup while the
//! replica keeps up, read the replica alone. What the primary wrote in the
//! last second or so may still be missed (the check's own delay): a shopper
//! rarely looks up an order that young.
//!
//! Told by `lookout_lookup_replica_behind` (1 while behind),
//! `lookout_lookup_replica_lag_seconds` (how old the last change the replica
//! replayed is, while behind: NaN before it has replayed one; 0 otherwise) and
//! `lookout_lookup_primary_reads_total` (misses asked again of the primary).
//! A lookup database that is not in recovery (the primary itself, a promoted
//! former replica) is never behind.

use super::{readers, Store, StoreError};
use crate::reminder::Reminder;
use crate::view::StoredView;
use sqlx::postgres::PgConnection;
use sqlx::AnyPool;
use sqlx::Connection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// How often the replica's place in the primary's log is checked.
pub const EVERY: Duration = Duration::from_secs(1);

/// How often falling behind is logged at most: a replica whose lag hovers
/// about a second would otherwise write two lines a second.
const SAID_EVERY: Duration = Duration::from_secs(60);

/// Whether lookups' replica is behind the primary (see the module's notes).
#[derive(Debug)]
pub struct ReplicaWatch {
    behind: AtomicBool,
    /// Falling behind is logged at most once every [`SAID_EVERY`] ...
    said: Reminder,
    /// ... and catching up only after a line said it behind.
    said_behind: AtomicBool,
}

impl Default for ReplicaWatch {
    fn default() -> ReplicaWatch {
        ReplicaWatch {
            behind: AtomicBool::new(false),
            said: Reminder::new(SAID_EVERY),
            said_behind: AtomicBool::new(false),
        }
    }
}

impl ReplicaWatch {
    /// True while the replica has not replayed what the primary had written a check ago.
    pub fn behind(&self) -> bool {
        self.behind.load(Ordering::Relaxed)
    }

    /// Lists the series from the start (a server calls this once its metrics
    /// recorder is in place), at what they are now.
    pub fn list(&self) {
        // The lag is told again at the next check.
        publish(self.behind(), None);
        metrics::counter!("lookout_lookup_primary_reads_total").increment(0);
    }

    fn set(&self, behind: bool, lag_secs: Option<f64>) {
        if self.behind.swap(behind, Ordering::Relaxed) != behind {
            match behind {
                true => {
                    let due = self.said.due();
                    self.said_behind.store(due, Ordering::Relaxed);
                    if due {
                        tracing::warn!(
                        lag_secs = ?lag_secs,
                        "the lookup database (a replica) is behind the primary: lookups that find nothing there \
                         are asked again of the primary until it catches up (logged at most once a minute; \
                         lookout_lookup_replica_behind tells every time)"
                        )
                    }
                }
                false if self.said_behind.swap(false, Ordering::Relaxed) => {
                    tracing::info!("the lookup database (a replica) has caught up with the primary")
                }
                false => {}
            }
        }
        publish(behind, lag_secs);
    }
}

/// Sets the gauges: whether behind, and the lag while behind (NaN when not
/// known: nothing replayed yet), 0 otherwise.
fn publish(behind: bool, lag_secs: Option<f64>) {
    metrics::gauge!("lookout_lookup_replica_behind").set(f64::from(u8::from(behind)));
    let lag = match behind {
        true => lag_secs.map_or(f64::NAN, |lag| lag.max(0.0)),
        false => 0.0,
    };
    metrics::gauge!("lookout_lookup_replica_lag_seconds").set(lag);
}

impl Store {
    /// Whether lookups read a replica that is watched: its series are then
    /// listed from the start (`ReplicaWatch::list`).
    pub fn list_replica_series(&self) {
        if let Some(replica) = &self.replica {
            replica.list();
        }
    }

    /// True while lookups read a replica that is behind.
    pub(super) fn replica_behind(&self) -> bool {
        self.replica.as_ref().is_some_and(|r| r.behind())
    }

    /// A lookup's miss on a replica that is behind, asked again of the
    /// primary. A primary that cannot answer leaves the replica's miss as the
    /// answer: a miss it is, as far as anyone can tell, and it must spend its
    /// failed attempt (an error would give it back, and a client could then
    /// tell hits, read from the replica, from misses without limit).
    pub(super) async fn primary_view(
        &self,
        slug: &str,
        number_key: &str,
        email_key: &str,
    ) -> Result<Option<StoredView>, StoreError> {
        metrics::counter!("lookout_lookup_primary_reads_total").increment(1);
        let found: Result<Option<Option<String>>, _> = sqlx::query_scalar(readers::LOOKUP)
            .bind(slug)
            .bind(number_key)
            .bind(email_key)
            .fetch_optional(&self.pool)
            .await;
        match found {
            Ok(found) => Ok(found.flatten().map(StoredView::new)),
            Err(e) => {
                tracing::debug!(error = %e, "a miss on the replica could not be asked of the primary: a miss");
                Ok(None)
            }
        }
    }
}

/// Watches the replica at `replica_url` against the primary `primary`, for as
/// long as the returned watch is kept.
pub(super) fn spawn(primary: AnyPool, replica_url: String) -> Arc<ReplicaWatch> {
    let watch = Arc::new(ReplicaWatch::default());
    tokio::spawn(run(Arc::downgrade(&watch), primary, replica_url));
    watch
}

/// How long one side of a check may take before the check counts as failed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

async fn run(watch: Weak<ReplicaWatch>, primary: AnyPool, url: String) {
    let mut replica: Option<PgConnection> = None;
    // The primary's place in its log at the check before.
    let mut written_before: Option<u64> = None;
    let mut ticks = tokio::time::interval(EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut failing = false;
    loop {
        ticks.tick().await;
        // The store dropped, or closed as the server stops: nothing to watch.
        let Some(watch) = watch.upgrade().filter(|_| !primary.is_closed()) else {
            return;
        };
        let checked = match within(written_position(&primary)).await {
            Ok(written) => match within(replayed_position(&mut replica, &url)).await {
                Ok(replayed) => Ok((written, replayed)),
                Err(e) => {
                    // Opened again at the next check.
                    replica = None;
                    Err(e)
                }
            },
            Err(e) => Err(e),
        };
        match checked {
            Ok((written, (replayed, lag_secs))) => {
                failing = false;
                watch.set(is_behind(replayed, written_before), lag_secs);
                written_before = Some(written);
            }
            Err(e) => {
                // Not known to be behind: no fallback (a primary that does not
                // answer could not help; a replica that does not answer fails
                // its lookups anyway), and the next check starts afresh.
                watch.set(false, None);
                written_before = None;
                if !failing {
                    tracing::warn!(error = %e, "could not compare the lookup database with the primary; trying again each second");
                }
                failing = true;
            }
        }
    }
}

/// `step`, failed when it takes longer than [`CHECK_TIMEOUT`].
async fn within<T>(step: impl std::future::Future<Output = Result<T, sqlx::Error>>) -> Result<T, sqlx::Error> {
    tokio::time::timeout(CHECK_TIMEOUT, step).await.unwrap_or_else(|_| {
        let late = std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer within 5 s");
        Err(sqlx::Error::Io(late))
    })
}

/// Behind: the replica has replayed less than the primary had written a check
/// ago. A database that replays nothing (no replica) is never behind.
fn is_behind(replayed: Option<u64>, written_before: Option<u64>) -> bool {
    matches!((replayed, written_before), (Some(replayed), Some(written)) if replayed < written)
}

/// The primary's place in its log now.
async fn written_position(primary: &AnyPool) -> Result<u64, sqlx::Error> {
    let written: String = sqlx::query_scalar("SELECT pg_current_wal_lsn()::text")
        .fetch_one(primary)
        .await?;
    lsn(&written).ok_or_else(|| sqlx::Error::Protocol(format!("not a log position: {written:?}")))
}

/// The replica's replayed place and the age of the last change it replayed,
/// in seconds; none for a database that is not replaying (a primary, also
/// one that was a replica once or came back from a crash: their replayed
/// place stays where it was).
async fn replayed_position(
    replica: &mut Option<PgConnection>,
    url: &str,
) -> Result<(Option<u64>, Option<f64>), sqlx::Error> {
    let conn = match replica {
        Some(conn) => conn,
        None => replica.insert(PgConnection::connect(url).await?),
    };
    let (replayed, lag): (Option<String>, Option<f64>) = sqlx::query_as(
        "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END,
                CASE WHEN pg_is_in_recovery()
                     THEN EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 END",
    )
    .fetch_one(conn)
    .await?;
    Ok((replayed.as_deref().and_then(lsn), lag))
}

/// A log position as PostgreSQL writes it (`16/B374D848`: two hex numbers).
fn lsn(text: &str) -> Option<u64> {
    let (high, low) = text.split_once('/')?;
    let high = u64::from_str_radix(high, 16).ok()?;
    let low = u64::from_str_radix(low, 16).ok()?;
    (high <= u64::from(u32::MAX) && low <= u64::from(u32::MAX)).then_some((high << 32) | low)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_positions_are_read_as_postgresql_writes_them() {
        assert_eq!(lsn("0/0"), Some(0));
        assert_eq!(lsn("16/B374D848"), Some((0x16 << 32) | 0xB374_D848));
        assert!(lsn("1/0") > lsn("0/FFFFFFFF"));
        for bad in ["", "0", "x/1", "1/", "/1", "100000000/0", "0/100000000"] {
            assert_eq!(lsn(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn behind_only_when_the_replica_has_not_replayed_what_was_written_a_check_ago() {
        assert!(is_behind(Some(10), Some(11)));
        assert!(!is_behind(Some(11), Some(11)));
        assert!(!is_behind(Some(12), Some(11)));
        assert!(!is_behind(None, Some(11)), "no replica");
        assert!(!is_behind(Some(10), None), "no check before");
    }
}
