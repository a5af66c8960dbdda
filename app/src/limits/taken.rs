//! A lookup's attempt, taken from its three allowances before the query runs
//! and settled by its outcome. A request that ends before its outcome (the
//! client closed the connection while the database was slow) learned nothing,
//! so its attempt is given back, and counted as abandoned: a shopper whose
//! lookups were abandoned is not refused later for "failed" lookups that
//! found their order. Taking and giving back the database's allowances
//! (`--shared-limits`) run as tasks of their own, which a dropped request
//! cannot stop halfway: an attempt the database took is settled either way.

use super::shared::{give_back_shared, take_shared};
use super::{give_back_all, Backing, Keys, LimitKey, LookupLimits, Refusal, Rule};
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

impl Drop for SharedAttempt {
    fn drop(&mut self) {
        if !std::mem::take(&mut self.armed) {
            return;
        }
        let (store, items) = (self.store.clone(), self.items);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { give_back_shared(&store, &items).await });
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
                let (store, items) = (store.clone(), self.shared_items(keys));
                let (answer, taken) = tokio::sync::oneshot::channel();
                tokio::spawn(async move {
                    let attempt = take_shared(&store, &items).await.map(|()| SharedAttempt {
                        store,
                        items,
                        armed: true,
                    });
                    // Nobody waiting any more: the attempt is dropped, so given back.
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
                attempt.armed = false;
                let (store, items) = (attempt.store.clone(), attempt.items);
                let task = tokio::spawn(async move { give_back_shared(&store, &items).await });
                // Dropped while waiting, the task still gives the attempt back.
                drop(task.await);
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
        metrics::counter!("lookout_lookups_total", "outcome" => "abandoned").increment(1);
        if let Held::Memory { limits, keys } = held {
            let now = limits.now();
            if let Backing::Memory { lookups } = &limits.backing {
                let mut tables = lookups.lock().unwrap_or_else(|e| e.into_inner());
                give_back_all(&mut tables[..], &keys.0, &limits.rules, now);
            }
        }
        // A shared attempt gives itself back as it is dropped here.
    }
}
