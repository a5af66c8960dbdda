//! The allowances kept in the database (`--shared-limits`): taken and checked
//! alike for lookups and for order-link requests, by every server that uses it.

use super::{refused, unix_ms, wait_of, LimitKey, Refusal, Rule, Spent};
use crate::store::Store;
use std::time::Duration;

/// Each key with its rule, as the shared allowances take them.
pub(super) fn paired(keys: &[LimitKey; 3], rules: &[Rule; 3]) -> [(LimitKey, Rule); 3] {
    std::array::from_fn(|i| (keys[i], rules[i]))
}

/// Takes one from each of the shared allowances `items`, or from none.
pub(super) async fn take_shared(store: &Store, items: &[(LimitKey, Rule); 3]) -> Result<(), Refusal> {
    match store.take_allowances(items, unix_ms()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(wait)) => Err(refused(Spent(wait))),
        Err(e) => {
            tracing::error!(error = %e, "shared limits unavailable");
            Err(Refusal::Unavailable)
        }
    }
}

/// Gives one back to each of the shared allowances `items` (what `take_shared`
/// took); a failure is logged, and the allowances refill on their own.
pub(super) async fn give_back_shared(store: &Store, items: &[(LimitKey, Rule); 3]) {
    if let Err(e) = store.give_back_allowances(items, unix_ms()).await {
        tracing::warn!(error = %e, "could not give a shared allowance back");
    }
}

/// Which of the shared allowances `items` are spent now (none said, when they
/// cannot be read).
pub(super) async fn spent_shared(store: &Store, items: &[(LimitKey, Rule); 3]) -> [bool; 3] {
    waits_shared(store, items).await.map(|wait| wait.is_some())
}

/// How long each of the shared allowances `items` makes a client wait now
/// (none said, when they cannot be read).
pub(super) async fn waits_shared(store: &Store, items: &[(LimitKey, Rule); 3]) -> [Option<Duration>; 3] {
    // Asked again twice when the database is busy (a burst holds its
    // connections): a refusal that knows its waits says when to ask again.
    for tries_left in (0..3).rev() {
        match store.allowance_waits(items, unix_ms()).await {
            Ok(waits) => return waits.map(|wait| wait.map(|ms| wait_of(Spent(ms)))),
            Err(e) if tries_left == 0 => tracing::warn!(error = %e, "could not read the shared allowances"),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    [None; 3]
}
