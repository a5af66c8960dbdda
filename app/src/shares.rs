//! What each owner holds of something shared, with a cap per owner: the known
//! lane of key hashing (`server::hash_gate`, a shop or an account), the places
//! of large orders' pages (`crate::renders`, a client). An owner has an entry
//! only while it holds some, so the table is never larger than the shares
//! taken.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// The amounts held per owner, and the most one owner may hold.
#[derive(Debug)]
pub struct Shares<K: Hash + Eq> {
    held: Arc<Mutex<HashMap<K, u32>>>,
    cap: u32,
}

/// An owner's part, given back when dropped.
#[derive(Debug)]
pub struct Share<K: Hash + Eq> {
    held: Arc<Mutex<HashMap<K, u32>>>,
    owner: K,
    weight: u32,
}

impl<K: Hash + Eq + Clone> Shares<K> {
    /// Shares of at most `cap` per owner.
    pub fn new(cap: u32) -> Shares<K> {
        Shares {
            held: Arc::default(),
            cap,
        }
    }

    /// `weight` more for `owner`, unless it would then hold more than the cap
    /// (an owner that holds none may take any one weight).
    pub fn take(&self, owner: K, weight: u32) -> Option<Share<K>> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let now = held.get(&owner).copied().unwrap_or(0);
        if now > 0 && now.saturating_add(weight) > self.cap {
            return None;
        }
        held.insert(owner.clone(), now.saturating_add(weight));
        Some(Share {
            held: self.held.clone(),
            owner,
            weight,
        })
    }

    /// The owners holding some now.
    pub fn owners(&self) -> usize {
        self.held.lock().map_or(0, |h| h.len())
    }
}

impl<K: Hash + Eq> Drop for Share<K> {
    fn drop(&mut self) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(amount) = held.get_mut(&self.owner) {
            *amount = amount.saturating_sub(self.weight);
            if *amount == 0 {
                held.remove(&self.owner);
            }
        }
    }
}
