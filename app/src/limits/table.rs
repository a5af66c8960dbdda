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
//! forgotten. A new key is never refused for want of room (refusing would let a
//! flood lock every shopper out), and the keys forgotten are always the least
//! spent: freeing a key with `k` attempts out takes a table full of keys spent
//! more recently, tens of thousands of misses.
//!
//! Forgetting a key does not give it its allowance back: what it had spent is
//! remembered in fixed memory ([`Forgotten`]), and a key that comes back starts
//! from there, though never with less than one attempt left (so a key the table
//! does not hold is never refused). Spreading misses over more keys than the
//! table holds, to have every key aimed at forgotten after each guess, no longer
//! resets them: each comes back as spent as it left, and its next guess leaves
//! two attempts out, past the cheap forgetting.

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
            .unwrap_or_else(|| self.remembered(key, rule, now))
            .max(now)
            .saturating_add(rule.interval);
        if next - now > rule.tolerance {
            return Err(Spent((next - now - rule.tolerance).max(1)));
        }
        Ok(next)
    }

    /// The state a key the table does not hold starts from: what it had spent
    /// when it was forgotten, as [`Forgotten`] remembers it, but at least one
    /// attempt short of the whole allowance.
    fn remembered(&self, key: &LimitKey, rule: Rule, now: u64) -> u64 {
        let most = now.saturating_add(rule.tolerance.saturating_sub(rule.interval));
        self.forgotten.whole_at(key).min(most)
    }

    /// Makes sure `key` has a place, making room if the table is full.
    pub fn room_for(&mut self, key: &LimitKey, rule: Rule, now: u64) {
        if self.entries.len() >= self.capacity && !self.entries.contains_key(key) {
            self.make_room(rule, now);
        }
    }

    /// Takes the attempt [`Table::check`] allowed (after [`Table::room_for`]).
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
        let before = self.entries.len();
        let forgotten = &mut self.forgotten;
        self.entries
            .retain(|key, tat| *tat > threshold || forget(forgotten, key, *tat, now));
        self.forced += (before - self.entries.len()) as u64;
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
mod tests {
    use super::*;

    fn key(n: u64) -> LimitKey {
        let mut k = [0u8; 16];
        k[..8].copy_from_slice(&n.to_le_bytes());
        k[8..].copy_from_slice(&n.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_le_bytes());
        k
    }

    /// One attempt for key `k`, as `take_all` takes it for one table.
    fn take(t: &mut Table, k: u64, rule: Rule, now: u64) -> Result<(), Spent> {
        let next = t.check(&key(k), rule, now)?;
        t.room_for(&key(k), rule, now);
        t.commit(key(k), next);
        Ok(())
    }

    #[test]
    fn a_key_gets_exactly_its_allowance_in_a_burst_then_one_per_interval() {
        let rule = Rule::new(8, Duration::from_secs(800));
        let mut t = Table::new(100);
        for _ in 0..8 {
            take(&mut t, 1, rule, 0).unwrap();
        }
        assert_eq!(take(&mut t, 1, rule, 0), Err(Spent(100_000)));
        assert_eq!(take(&mut t, 1, rule, 99_999), Err(Spent(1)));
        take(&mut t, 1, rule, 100_000).unwrap();
        assert!(take(&mut t, 1, rule, 100_000).is_err());
        // Another key is untouched.
        take(&mut t, 2, rule, 0).unwrap();
    }

    #[test]
    fn a_given_back_attempt_can_be_taken_again_and_a_whole_allowance_is_forgotten() {
        let rule = Rule::new(2, Duration::from_secs(20));
        let mut t = Table::new(100);
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
    fn a_flood_of_single_misses_never_frees_a_spent_key() {
        let rule = Rule::new(4, Duration::from_secs(40));
        let mut t = Table::new(1_000);
        for _ in 0..4 {
            take(&mut t, 0, rule, 0).unwrap();
        }
        for k in 1..2_000 {
            take(&mut t, k, rule, 0).unwrap();
            assert!(t.len() <= 1_000);
        }
        assert!(take(&mut t, 0, rule, 0).is_err(), "the flood did not free key 0");
        assert_eq!(t.forced(), 0, "only single misses were forgotten");
    }

    #[test]
    fn a_table_full_of_spent_keys_forgets_the_least_spent_and_never_refuses_a_new_key() {
        let rule = Rule::new(4, Duration::from_secs(40));
        let mut t = Table::new(1_000);
        // Key 0 is spent; the others have two attempts out, so nothing is free to forget.
        for _ in 0..4 {
            take(&mut t, 0, rule, 0).unwrap();
        }
        for k in 1..1_000 {
            take(&mut t, k, rule, 0).unwrap();
            take(&mut t, k, rule, 0).unwrap();
        }
        for k in 1_000..1_300 {
            // A new key may start from what the keys forgotten before it had
            // spent, but always has one attempt.
            take(&mut t, k, rule, 0).unwrap();
            let _ = take(&mut t, k, rule, 0);
            assert!(t.len() <= 1_000);
        }
        assert!(t.forced() > 0);
        // The most spent key outlived a flood of less spent ones.
        assert!(take(&mut t, 0, rule, 0).is_err());
    }

    #[test]
    fn a_scan_that_frees_little_is_not_repeated_at_every_new_key() {
        let rule = Rule::new(2, Duration::from_secs(20));
        let mut t = Table::new(32);
        for k in 0..31 {
            take(&mut t, k, rule, 0).unwrap();
            take(&mut t, k, rule, 0).unwrap();
        }
        take(&mut t, 31, rule, 0).unwrap(); // one key with a single attempt: the only one to forget
        take(&mut t, 32, rule, 0).unwrap(); // the scan frees it, and little else
        assert_eq!((t.len(), t.forced()), (32, 0));
        // Within the second, the next new key goes straight to forgetting the least spent.
        take(&mut t, 33, rule, 1).unwrap();
        assert!(t.forced() > 0);
        assert!(t.len() <= 32);
    }

    #[test]
    fn spreading_misses_over_more_keys_than_the_table_holds_does_not_reset_a_key() {
        // 8 attempts per 15 minutes; a table of 1,000 keys. Each round, one miss
        // at the key aimed at, then one at each of 1,100 others, so the table
        // fills and forgets every key with one attempt out, the aimed one too.
        let rule = Rule::new(8, Duration::from_secs(900));
        let mut t = Table::new(1_000);
        let mut refused_at = None;
        for round in 0..15u64 {
            let now = round * 1_500;
            if take(&mut t, 0, rule, now).is_err() {
                refused_at.get_or_insert(round);
            }
            for k in 1..=1_100 {
                take(&mut t, round * 10_000 + k, rule, now).unwrap();
            }
        }
        assert_eq!(
            refused_at,
            Some(8),
            "the aimed key had 8 attempts, however often it was forgotten"
        );
        // Fixed memory: two rows of twice as many 4-byte cells as the table has keys.
        assert_eq!(t.forgotten_bytes(), 2 * 2_048 * 4);
    }

    #[test]
    fn a_key_forgotten_while_fully_spent_comes_back_with_one_attempt_only() {
        let rule = Rule::new(4, Duration::from_secs(40));
        let mut t = Table::new(16);
        for k in 0..16 {
            for _ in 0..4 {
                take(&mut t, k, rule, 0).unwrap();
            }
        }
        // A new key forces out the least spent eighth: here, some fully spent keys.
        take(&mut t, 99, rule, 0).unwrap();
        let gone = (0..16).find(|&k| !t.holds(&key(k))).expect("one key was forgotten");
        take(&mut t, gone, rule, 0).unwrap();
        assert!(take(&mut t, gone, rule, 0).is_err());
    }

    #[test]
    fn rules_never_divide_by_zero_or_overflow() {
        for (allowed, window) in [(0, 0), (1, 0), (u32::MAX, 1), (1, u64::MAX)] {
            let rule = Rule::new(allowed, Duration::from_millis(window));
            let mut t = Table::new(0);
            take(&mut t, 1, rule, u64::MAX / 2).unwrap();
            take(&mut t, 2, rule, u64::MAX / 2).unwrap();
        }
    }

    proptest::proptest! {
        /// Whatever the order of attempts and give-backs, a table of 4 keys grants
        /// no attempt that a table without bounds would refuse, except the one
        /// attempt a key forgotten while fully spent comes back with; and it never
        /// refuses a key it does not hold.
        #[test]
        fn a_bounded_table_grants_no_more_than_an_unbounded_one(
            ops in proptest::collection::vec((0u64..12, 0u64..4_000, proptest::bool::weighted(0.2)), 1..300)
        ) {
            let rule = Rule::new(3, Duration::from_secs(30));
            let (mut bounded, mut unbounded) = (Table::new(4), Table::new(usize::MAX));
            let mut now = 0;
            for (k, dt, give) in ops {
                now += dt;
                if give {
                    bounded.give_back(&key(k), rule, now);
                    unbounded.give_back(&key(k), rule, now);
                    continue;
                }
                let held = bounded.holds(&key(k));
                match take(&mut bounded, k, rule, now) {
                    Err(_) => proptest::prop_assert!(held, "a key not held was refused"),
                    Ok(()) => match take(&mut unbounded, k, rule, now) {
                        Ok(()) => {}
                        // The one attempt back: this key was forgotten fully spent.
                        Err(_) => proptest::prop_assert!(!held, "key {} granted past its allowance", k),
                    },
                }
                proptest::prop_assert!(bounded.len() <= 4);
            }
        }
    }
}
