//! One table of allowances: for each key, how much of its allowance is spent,
//! as a GCRA "theoretical arrival time" (one `u64` of milliseconds a key).
//!
//! A key with `allowed` attempts per `window` may hold at most `allowed`
//! attempts at once; each refills `window / allowed` after it was taken. A key
//! whose allowance is whole again is the same as no key, and is dropped.
//!
//! The table never holds more than its capacity. When it is full, keys with at
//! most one attempt outstanding are forgotten first (one typo carries the least
//! information). What happens when it is full of keys with two or more depends
//! on what the table protects ([`AtCapacity`]): a table of targets (order
//! numbers, emails) refuses new keys until some refill, so a flood can never
//! free a target's spent allowance; a table of clients forgets its least spent
//! eighth instead, so a flood of clients cannot lock every other client out.

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
        for chunk in bytes.chunks(8).take(1) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(word);
        }
    }
    fn write_usize(&mut self, _: usize) {
        // The array's length prefix carries nothing.
    }
}

/// After a scan of a full table that freed little, the next one waits this long (ms).
const RESCAN_MS: u64 = 1000;

/// What a full table does when no key can be forgotten for free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtCapacity {
    /// Refuse new keys until held ones refill (targets: never free a spent key early).
    Refuse,
    /// Forget the least spent eighth of the keys (clients: never lock everyone out).
    ForgetLeastSpent,
}

/// The allowances of one kind of key, at most `capacity` of them.
pub struct Table {
    entries: HashMap<LimitKey, u64, BuildHasherDefault<KeyHasher>>,
    capacity: usize,
    at_capacity: AtCapacity,
    /// After a scan that freed little: no new scan before this time.
    full_until: u64,
}

/// Why an attempt may not go ahead now, and for how long (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The key's allowance is spent.
    Spent(u64),
    /// The table is full of keys that cannot be forgotten yet.
    Full(u64),
}

impl Refused {
    /// How long until trying again makes sense, in ms.
    pub fn wait_ms(self) -> u64 {
        match self {
            Refused::Spent(ms) | Refused::Full(ms) => ms,
        }
    }
}

impl Table {
    /// An empty table that will hold at most `capacity` keys (at least 1).
    pub fn new(capacity: usize, at_capacity: AtCapacity) -> Table {
        Table {
            entries: HashMap::default(),
            capacity: capacity.max(1),
            at_capacity,
            full_until: 0,
        }
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
    pub fn check(&self, key: &LimitKey, rule: Rule, now: u64) -> Result<u64, Refused> {
        let next = self
            .entries
            .get(key)
            .copied()
            .unwrap_or(now)
            .max(now)
            .saturating_add(rule.interval);
        if next - now > rule.tolerance {
            return Err(Refused::Spent((next - now - rule.tolerance).max(1)));
        }
        Ok(next)
    }

    /// Makes sure `key` has a place, making room if the table is full.
    pub fn room_for(&mut self, key: &LimitKey, rule: Rule, now: u64) -> Result<(), Refused> {
        if self.entries.len() < self.capacity || self.entries.contains_key(key) {
            return Ok(());
        }
        self.make_room(rule, now)
    }

    /// [`Table::check`] and [`Table::room_for`] together; nothing is taken yet.
    pub fn admit(&mut self, key: &LimitKey, rule: Rule, now: u64) -> Result<u64, Refused> {
        let next = self.check(key, rule, now)?;
        self.room_for(key, rule, now)?;
        Ok(next)
    }

    /// Takes the attempt [`Table::admit`] allowed.
    pub fn commit(&mut self, key: LimitKey, next: u64) {
        self.entries.insert(key, next);
    }

    /// Gives one attempt back (the lookup found its order).
    pub fn give_back(&mut self, key: &LimitKey, rule: Rule, now: u64) {
        if let Some(tat) = self.entries.get_mut(key) {
            *tat = tat.saturating_sub(rule.interval);
            if *tat <= now {
                self.entries.remove(key);
            }
        }
    }

    /// Forgets keys with at most one attempt outstanding. If that frees little,
    /// no new scan is made for a second; if it frees nothing, the table refuses or
    /// forgets its least spent keys ([`AtCapacity`]).
    fn make_room(&mut self, rule: Rule, now: u64) -> Result<(), Refused> {
        if now >= self.full_until {
            let before = self.entries.len();
            let keep_after = now.saturating_add(rule.interval);
            self.entries.retain(|_, tat| *tat > keep_after);
            let freed = before - self.entries.len();
            if freed < (self.capacity / 16).max(1) {
                // Scanning again at the next new key would cost a scan per key.
                self.full_until = now.saturating_add(RESCAN_MS);
            }
            if self.entries.len() < self.capacity {
                return Ok(());
            }
        }
        match self.at_capacity {
            AtCapacity::Refuse => Err(Refused::Full(self.full_until.saturating_sub(now).max(1))),
            AtCapacity::ForgetLeastSpent => {
                self.forget_least_spent();
                Ok(())
            }
        }
    }

    /// Forgets the eighth of the keys with the least spent allowances.
    fn forget_least_spent(&mut self) {
        let mut tats: Vec<u64> = self.entries.values().copied().collect();
        let cut = (tats.len() / 8).min(tats.len().saturating_sub(1));
        let (_, threshold, _) = tats.select_nth_unstable(cut);
        let threshold = *threshold;
        self.entries.retain(|_, tat| *tat > threshold);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> LimitKey {
        let mut k = [0u8; 16];
        k[..8].copy_from_slice(&n.to_le_bytes());
        k[8..].copy_from_slice(&n.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_le_bytes());
        k
    }

    fn take(t: &mut Table, k: u64, rule: Rule, now: u64) -> Result<(), Refused> {
        let next = t.admit(&key(k), rule, now)?;
        t.commit(key(k), next);
        Ok(())
    }

    #[test]
    fn a_key_gets_exactly_its_allowance_in_a_burst_then_one_per_interval() {
        let rule = Rule::new(8, Duration::from_secs(800));
        let mut t = Table::new(100, AtCapacity::Refuse);
        for _ in 0..8 {
            take(&mut t, 1, rule, 0).unwrap();
        }
        assert_eq!(take(&mut t, 1, rule, 0), Err(Refused::Spent(100_000)));
        assert_eq!(take(&mut t, 1, rule, 99_999), Err(Refused::Spent(1)));
        take(&mut t, 1, rule, 100_000).unwrap();
        assert!(take(&mut t, 1, rule, 100_000).is_err());
        // Another key is untouched.
        take(&mut t, 2, rule, 0).unwrap();
    }

    #[test]
    fn a_given_back_attempt_can_be_taken_again_and_a_whole_allowance_is_forgotten() {
        let rule = Rule::new(2, Duration::from_secs(20));
        let mut t = Table::new(100, AtCapacity::Refuse);
        take(&mut t, 1, rule, 0).unwrap();
        take(&mut t, 1, rule, 0).unwrap();
        assert!(take(&mut t, 1, rule, 0).is_err());
        t.give_back(&key(1), rule, 0);
        take(&mut t, 1, rule, 0).unwrap();
        t.give_back(&key(1), rule, 0);
        t.give_back(&key(1), rule, 0);
        assert!(t.is_empty(), "a key with its whole allowance is dropped");
        t.give_back(&key(7), rule, 0); // unknown keys: nothing happens
        assert!(t.is_empty());
    }

    #[test]
    fn a_full_table_forgets_single_attempts_first_and_never_a_spent_key() {
        let rule = Rule::new(4, Duration::from_secs(40));
        let mut t = Table::new(10, AtCapacity::Refuse);
        // Key 0 is under attack: its allowance is spent.
        for _ in 0..4 {
            take(&mut t, 0, rule, 0).unwrap();
        }
        // A flood of single misses fills the table again and again.
        for k in 1..1000 {
            take(&mut t, k, rule, 0).unwrap();
            assert!(t.len() <= 10);
        }
        assert!(
            matches!(take(&mut t, 0, rule, 0), Err(Refused::Spent(_))),
            "the flood did not free key 0"
        );
    }

    #[test]
    fn a_table_full_of_spent_keys_refuses_new_keys_and_rescans_at_most_once_a_second() {
        let rule = Rule::new(2, Duration::from_secs(20));
        let mut t = Table::new(3, AtCapacity::Refuse);
        for k in 0..3 {
            take(&mut t, k, rule, 0).unwrap();
            take(&mut t, k, rule, 0).unwrap();
        }
        // Every key has two attempts outstanding; one refills at 10 s.
        assert_eq!(take(&mut t, 9, rule, 0), Err(Refused::Full(1_000)));
        // No rescan within a second, however often asked.
        assert_eq!(take(&mut t, 9, rule, 400), Err(Refused::Full(600)));
        assert_eq!(take(&mut t, 9, rule, 5_000), Err(Refused::Full(1_000)));
        assert_eq!(t.len(), 3);
        take(&mut t, 9, rule, 10_000).unwrap();
        assert!(t.len() <= 3);
        // Held keys still answer by their own state.
        assert!(take(&mut t, 9, rule, 10_000).is_ok());
    }

    #[test]
    fn a_full_table_of_clients_forgets_its_least_spent_instead_of_refusing() {
        let rule = Rule::new(4, Duration::from_secs(40));
        let mut t = Table::new(16, AtCapacity::ForgetLeastSpent);
        // Key 0 is spent; sixteen others have two attempts out, so nothing is free to forget.
        for _ in 0..4 {
            take(&mut t, 0, rule, 0).unwrap();
        }
        for k in 1..16 {
            take(&mut t, k, rule, 0).unwrap();
            take(&mut t, k, rule, 0).unwrap();
        }
        for k in 100..200 {
            take(&mut t, k, rule, 0).unwrap();
            take(&mut t, k, rule, 0).unwrap();
            assert!(t.len() <= 16);
        }
        // The most spent key outlived a flood of less spent ones.
        assert!(matches!(take(&mut t, 0, rule, 0), Err(Refused::Spent(_))));
    }

    #[test]
    fn a_scan_that_frees_little_is_not_repeated_at_every_new_key() {
        let rule = Rule::new(2, Duration::from_secs(20));
        let mut t = Table::new(32, AtCapacity::Refuse);
        for k in 0..31 {
            take(&mut t, k, rule, 0).unwrap();
            take(&mut t, k, rule, 0).unwrap();
        }
        take(&mut t, 31, rule, 0).unwrap(); // one key with a single attempt: the only one to forget
        take(&mut t, 32, rule, 0).unwrap(); // the scan frees it, and little else
        assert_eq!(t.len(), 32);
        assert_eq!(take(&mut t, 33, rule, 1), Err(Refused::Full(999)));
    }

    #[test]
    fn rules_never_divide_by_zero_or_overflow() {
        for (allowed, window) in [(0, 0), (1, 0), (u32::MAX, 1), (1, u64::MAX)] {
            let rule = Rule::new(allowed, Duration::from_millis(window));
            let mut t = Table::new(0, AtCapacity::Refuse);
            take(&mut t, 1, rule, u64::MAX / 2).unwrap();
        }
    }
}
