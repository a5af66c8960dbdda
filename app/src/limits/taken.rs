//! A lookup's attempt, taken from its three allowances before the query runs
//! and settled by its outcome. A request that ends before its outcome (the
//! client closed the connection while the database was slow) learned nothing,
//! so its attempt is given back: a shopper whose lookups were abandoned is
//! not refused later for "failed" lookups that found their order.

use super::shared::give_back_shared;
use super::{give_back_all, Backing, Keys, LookupLimits, Refusal};

/// An attempt taken by [`LookupLimits::take`]: kept by [`Taken::keep`], given
/// back by [`Taken::give_back`], and given back when dropped unsettled.
#[must_use = "an attempt dropped unsettled is given back"]
pub struct Taken<'a> {
    limits: &'a LookupLimits,
    keys: Option<Keys>,
}

impl LookupLimits {
    /// Takes one attempt from all three allowances, or from none (as
    /// [`LookupLimits::reserve`]), to be settled by the lookup's outcome.
    pub async fn take(&self, keys: &Keys) -> Result<Taken<'_>, Refusal> {
        self.reserve(keys).await?;
        Ok(Taken {
            limits: self,
            keys: Some(*keys),
        })
    }
}

impl Taken<'_> {
    /// The attempt stays taken: the lookup was a miss.
    pub fn keep(mut self) {
        self.keys = None;
    }

    /// Gives the attempt back: the order was found, or the database failed.
    pub async fn give_back(mut self) {
        if let Some(keys) = self.keys.take() {
            self.limits.release(&keys).await;
        }
    }
}

impl Drop for Taken<'_> {
    fn drop(&mut self) {
        let Some(keys) = self.keys.take() else {
            return;
        };
        let limits = self.limits;
        match &limits.backing {
            Backing::Memory { lookups } => {
                let now = limits.now();
                let mut tables = lookups.lock().unwrap_or_else(|e| e.into_inner());
                give_back_all(&mut tables[..], &keys.0, &limits.rules, now);
            }
            // The database's allowances are given back by a task of their own:
            // a drop cannot wait.
            Backing::Shared(store) => {
                let (store, items) = (store.clone(), limits.shared_items(&keys));
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(async move { give_back_shared(&store, &items).await });
                }
            }
        }
    }
}
