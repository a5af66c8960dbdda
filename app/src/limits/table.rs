//! One table of allowances: for each key, how much of its allowance is spent,
//! as a GCRA "theoretical arrival time" (one `u64` of milliseconds a key).
//!
//! A key with `allowed` attempts per `window` may hold at most `allowed`
//! attempts at once; each refills `window / allowed` after it was taken. A key
//! whose allowance is whole again is the same as no key, and is dropped.
//!
//! The table never holds more than its capacity. When it is full, keys with at
//! most one attempt outstanding are forgotten first (one typo carries the least
//! information); if that frees little, the least spent eighth of the keys is
//! forgotten. (So is the least spent eighth when the table is within a
//! sixteenth of full and its hash table must be made again: see
//! [`Table::keep_slots`].) A new key is never refused for want of room
//! (refusing would let a flood lock every shopper out), and the keys forgotten
//! are always the least spent: freeing a key with `k` attempts out takes a
//! table full of keys spent more recently, tens of thousands of misses.
//!
//! Forgetting a key does not give it its allowance back: what it had spent is
//! remembered in fixed memory ([`Forgotten`]), under the key's own fingerprint,
//! and a key that comes back starts from there. Spreading misses over more keys
//! than the table holds, to have every key aimed at forgotten after each guess,
//! no longer resets them while the records last: each comes back as spent as it
//! left, so its next miss leaves two attempts out, past the cheap forgetting.
//! No key starts with attempts another key spent. Records are fixed memory and
//! are pushed out by a flood of more keys than they hold (docs/abuse.md).

use super::forgotten::Forgotten;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::time::Duration;

/// A limiter key: 16 bytes of a keyed hash (never the email, number or address itself).
pub type LimitKey = [u8; 16];

/// How one kind of key refills: one attempt every `interval` ms, at most `tolerance` ms ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    interval: u64,
    tolerance: u64,
}

impl Rule {
    /// `allowed` attempts (at least 1) per `window`.
    pub fn new(allowed: u32, window: Duration) -> Rule {
        let allowed = u64::from(allowed.max(1));
        let window = u64::try_from(window.as_millis()).unwrap_or(u64::MAX / 4).max(1);
        let interval = (window / allowed).max(1);
        Rule {
            interval,
            tolerance: interval.saturating_mul(allowed),
        }
    }

    /// The time for one attempt to refill.
    pub fn interval(&self) -> Duration {
        Duration::from_millis(self.interval)
    }

    /// How far ahead a key's state may run: the whole allowance's worth of intervals.
    pub fn tolerance(&self) -> Duration {
        Duration::from_millis(self.tolerance)
    }
}

/// Keys are already uniformly random (a keyed hash): their first 8 bytes are the hash.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut word = [0u8; 8];
        let n = bytes.len().min(8);
        word[..n].copy_from_slice(&bytes[..n]);
        self.0 ^= u64::from_le_bytes(word);
    }
    fn write_usize(&mut self, _: usize) {
        // The array's length prefix carries nothing.
    }
}

/// After a scan of a full table that freed little, the next one waits this long (ms).
const RESCAN_MS: u64 = 1000;

/// The allowances of one kind of key, at most `capacity` of them.
pub struct Table {
    entries: HashMap<LimitKey, u64, BuildHasherDefault<KeyHasher>>,
    capacity: usize,
    /// After a scan that freed little: no new scan before this time.
    rescan_at: u64,
    /// Keys forgotten while they still had attempts out (for metrics).
    forced: u64,
    /// What the keys forgotten with attempts out had spent.
    forgotten: Forgotten,
    /// Times the hash table was made again (`keep_slots`).
    #[cfg(test)]
    remade: usize,
}

/// A key's allowance is spent: it has an attempt again after this many ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spent(pub u64);

impl Table {
    /// An empty table that will hold at most `capacity` keys (at least 1).
    pub fn new(capacity: usize) -> Table {
        Table {
            entries: HashMap::default(),
            capacity: capacity.max(1),
            rescan_at: 0,
            forced: 0,
            forgotten: Forgotten::new(capacity),
            #[cfg(test)]
            remade: 0,
        }
    }

    /// Keys forgotten so far while they still had attempts out.
    pub fn forced(&self) -> u64 {
        self.forced
    }

    /// Bytes held for what forgotten keys had spent (none until one is).
    pub fn forgotten_bytes(&self) -> usize {
        self.forgotten.bytes()
    }

    /// Whether the table holds `key`.
    #[cfg(test)]
    pub fn holds(&self, key: &LimitKey) -> bool {
        self.entries.contains_key(key)
    }

    /// Keys the table's memory has room for now, before it grows.
    #[cfg(test)]
    pub fn slots(&self) -> usize {
        self.entries.capacity()
    }

    /// Keys held now.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `key` may take one attempt at `now`, and its new state if so.
    /// Changes nothing.
    pub fn check(&self, key: &LimitKey, rule: Rule, now: u64) -> Result<u64, Spent> {
        let next = self
            .entries
            .get(key)
            .copied()
            .unwrap_or_else(|| self.remembered(key))
            .max(now)
            .saturating_add(rule.interval);
        if next - now > rule.tolerance {
            return Err(Spent((next - now - rule.tolerance).max(1)));
        }
        Ok(next)
    }

    /// The state a key the table does not hold starts from: what it had spent
    /// when it was forgotten, as [`Forgotten`] remembers it (nothing, if it was
    /// never forgotten or its record was pushed out).
    fn remembered(&self, key: &LimitKey) -> u64 {
        self.forgotten.whole_at(key)
    }

    /// Makes sure `key` has a place, making room if the table is full.
    pub fn room_for(&mut self, key: &LimitKey, rule: Rule, now: u64) {
        let full = self.entries.len() >= self.capacity;
        // Most calls find room: the key is looked for only when there is none.
        if !full && self.entries.capacity() > self.entries.len() || self.entries.contains_key(key) {
            return;
        }
        if full {
            self.make_room(rule, now);
        }
        self.keep_slots(now);
    }

    /// Leaves the hash table room for one more key without growing past what
    /// `capacity` keys take. The hash table grows (doubles) when it has no room
    /// left for a new key, and the marks that removed keys leave in it use that
    /// room up before it holds `capacity` keys: a table that had forgotten or
    /// given back keys doubled below its capacity. When the room is gone it is
    /// made again here, for twice the keys held but never more than `capacity`
    /// (at the same size, that clears the marks). Made again with room for a
    /// few keys, a table near full under hits and misses would be copied at
    /// nearly every miss; so when the new one would have room for less than a
    /// sixteenth of `capacity` and the table is that close to full, the least
    /// spent eighth is forgotten first (as when the table is full).
    fn keep_slots(&mut self, now: u64) {
        let held = self.entries.len();
        if self.entries.capacity() > held {
            return;
        }
        let wanted = (held * 2).min(self.capacity).max(held + 1);
        let mut fresh = HashMap::with_capacity_and_hasher(wanted, Default::default());
        let least = self.capacity / 16;
        if fresh.capacity() - held < least && self.capacity.saturating_sub(held) < least {
            self.forget_least_spent(now);
        }
        fresh.extend(self.entries.drain());
        self.entries = fresh;
        #[cfg(test)]
        {
            self.remade += 1;
        }
    }

    /// Takes the attempt [`Table::check`] allowed (after [`Table::room_for`]).
    /// A key coming back into the table takes its record with it (the table's
    /// state now says all the record did), so the cell is free for another.
    /// (A key held is changed in place: inserting it again would ask the hash
    /// table for room it does not need.)
    pub fn commit(&mut self, key: LimitKey, next: u64) {
        if let Some(held) = self.entries.get_mut(&key) {
            *held = next;
            return;
        }
        self.entries.insert(key, next);
        self.forgotten.clear(&key);
    }

    /// Gives one attempt back (the lookup found its order), to the key's record
    /// if the table forgot the key meanwhile.
    pub fn give_back(&mut self, key: &LimitKey, rule: Rule, now: u64) {
        match self.entries.get_mut(key) {
            Some(tat) => {
                *tat = tat.saturating_sub(rule.interval);
                if *tat <= now {
                    self.entries.remove(key);
                }
            }
            None => self.forgotten.give_back(key, rule.interval),
        }
    }

    /// Forgets keys with at most one attempt outstanding; if that frees little,
    /// the next such scan waits a second, and the least spent eighth goes.
    fn make_room(&mut self, rule: Rule, now: u64) {
        if now >= self.rescan_at {
            let before = self.entries.len();
            let keep_after = now.saturating_add(rule.interval);
            let forgotten = &mut self.forgotten;
            self.entries
                .retain(|key, tat| *tat > keep_after || forget(forgotten, key, *tat, now));
            if before - self.entries.len() < (self.capacity / 16).max(1) {
                // Scanning again at the next new key would cost a scan per key.
                self.rescan_at = now.saturating_add(RESCAN_MS);
            }
            if self.entries.len() < self.capacity {
                return;
            }
        }
        self.forget_least_spent(now);
    }

    /// Forgets the eighth of the keys with the least spent allowances.
    fn forget_least_spent(&mut self, now: u64) {
        let mut tats: Vec<u64> = self.entries.values().copied().collect();
        let cut = (tats.len() / 8).min(tats.len().saturating_sub(1));
        let (_, threshold, _) = tats.select_nth_unstable(cut);
        let threshold = *threshold;
        let (forgotten, forced) = (&mut self.forgotten, &mut self.forced);
        self.entries.retain(|key, tat| {
            if *tat > threshold {
                return true;
            }
            // A key whose allowance is whole again had nothing out.
            *forced += u64::from(*tat > now);
            forget(forgotten, key, *tat, now)
        });
    }
}

/// Remembers what a key being forgotten had spent, if it still has attempts
/// out; false, for `retain` to drop it.
fn forget(forgotten: &mut Forgotten, key: &LimitKey, tat: u64, now: u64) -> bool {
    if tat > now {
        forgotten.remember(key, tat);
    }
    false
}

#[cfg(test)]
mod tests;
