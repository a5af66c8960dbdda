//! A lookup's attempt, taken from its three allowances before the query runs
//! and settled by its outcome. A request that ends before its outcome (the
//! client closed the connection while the database was slow) learned nothing,
//! so its attempt is given back: a shopper whose lookups were abandoned is
//! not refused later for "failed" lookups that found their order.
//!
//! With `--shared-limits` the take and the give-back run as tasks of their
//! own, which a dropped request cannot stop halfway (a take cut short in its
//! COMMIT would stay taken with nobody to give it back): what a take task
//! takes for a request gone by then is given back. Takes run at most half
//! the pool's connections at once, a slot waited for in the request, so that
//! a flood of abandoned lookups cannot queue takes without bound nor starve
//! the give-backs, which try again while the database is busy.

use super::shared::take_shared;
use super::{unix_ms, Backing, Keys, LimitKey, LookupLimits, Refusal, Rule};
use crate::store::Store;

/// An attempt taken by [`LookupLimits::take`]: kept by [`Taken::keep`], given
/// back by [`Taken::give_back`], and given back when dropped unsettled.
#[must_use = "an attempt dropped unsettled is given back"]
pub struct Taken<'a> {
    held: Option<Held<'a>>,
}

enum Held<'a> {
    Memory { limits: &'a LookupLimits, keys: Keys },
    Shared(SharedAttempt),
}

/// An attempt the database's allowances gave, owning what giving it back
/// takes; given back when dropped armed (by a task: a drop cannot wait).
struct SharedAttempt {
    store: Store,
    items: [(LimitKey, Rule); 3],
    armed: bool,
}

impl SharedAttempt {
    /// Gives the attempt back by a task of its own, once: the task, if this
    /// was armed (and a runtime runs it).
    fn give_back(&mut self) -> Option<tokio::task::JoinHandle<()>> {
        if !std::mem::take(&mut self.armed) {
            return None;
        }
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        Some(runtime.spawn(give_back_soon(self.store.clone(), self.items)))
    }
}

impl Drop for SharedAttempt {
    fn drop(&mut self) {
        self.give_back();
    }
}

/// How often, and how far apart, a shared give-back is tried while the
/// database is busy (its pool's 2 s wait each time): an attempt not given
/// back would hold a found order's allowance for the whole window.
const GIVE_BACK_TRIES: u32 = 5;
const GIVE_BACK_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// Gives a shared attempt back, trying again while the database is busy.
async fn give_back_soon(store: Store, items: [(LimitKey, Rule); 3]) {
    for tried in 1..=GIVE_BACK_TRIES {
        match store.give_back_allowances(&items, unix_ms()).await {
            Ok(_) => return,
            Err(e) if tried < GIVE_BACK_TRIES && e.is_unavailable() => tokio::time::sleep(GIVE_BACK_PAUSE).await,
            Err(e) => {
                tracing::warn!(error = %e, tries = tried, "could not give a shared allowance back");
                return;
            }
        }
    }
}

impl LookupLimits {
    /// Takes one attempt from all three allowances, or from none (as
    /// [`LookupLimits::reserve`]), to be settled by the lookup's outcome.
    pub async fn take(&self, keys: &Keys) -> Result<Taken<'_>, Refusal> {
        let held = match &self.backing {
            Backing::Memory { .. } => {
                self.reserve(keys).await?;
                Held::Memory {
                    limits: self,
                    keys: *keys,
                }
            }
            Backing::Shared(store) => {
                // A slot first, in the request: a request gone while it waits did nothing.
                let slot = self.shared_takes.clone().acquire_owned().await;
                let slot = slot.map_err(|_| Refusal::Unavailable)?;
                let (store, items) = (store.clone(), self.shared_items(keys));
                let (answer, taken) = tokio::sync::oneshot::channel();
                tokio::spawn(async move {
                    let attempt = take_shared(&store, &items).await.map(|()| SharedAttempt {
                        store,
                        items,
                        armed: true,
                    });
                    drop(slot);
                    // Nobody waiting any more: the attempt is dropped here, so given back.
                    drop(answer.send(attempt));
                });
                Held::Shared(taken.await.map_err(|_| Refusal::Unavailable)??)
            }
        };
        Ok(Taken { held: Some(held) })
    }
}

impl Taken<'_> {
    /// The attempt stays taken: the lookup was a miss.
    pub fn keep(mut self) {
        if let Some(Held::Shared(mut attempt)) = self.held.take() {
            attempt.armed = false;
        }
    }

    /// Gives the attempt back: the order was found, or the database failed.
    pub async fn give_back(mut self) {
        match self.held.take() {
            Some(Held::Memory { limits, keys }) => limits.release(&keys).await,
            Some(Held::Shared(mut attempt)) => {
                // Dropped while waiting, the task still gives the attempt back.
                if let Some(task) = attempt.give_back() {
                    drop(task.await);
                }
            }
            None => {}
        }
    }
}

impl Drop for Taken<'_> {
    fn drop(&mut self) {
        let Some(held) = self.held.take() else {
            return;
        };
        if let Held::Memory { limits, keys } = held {
            if let Backing::Memory { lookups } = &limits.backing {
                limits.give_back_in_memory(lookups, &keys);
            }
        }
        // A shared attempt gives itself back as it is dropped here.
    }
}

/// The slots for shared takes: half the pool's connections (at least one),
/// the other half left for give-backs and everything else the pool serves.
pub(super) fn take_slots(backing: &Backing) -> std::sync::Arc<tokio::sync::Semaphore> {
    let slots = match backing {
        Backing::Shared(store) => (store.pool_size() / 2).max(1),
        Backing::Memory { .. } => 0,
    };
    std::sync::Arc::new(tokio::sync::Semaphore::new(slots))
}
