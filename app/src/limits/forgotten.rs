//! What the keys a full table forgot had spent, remembered in fixed memory.
//!
//! A table that forgets a key with attempts still out must not hand that key a
//! whole allowance when it comes back: an attacker who makes a table forget (by
//! spreading misses over more keys than it holds) would otherwise reset every
//! key he aims at, round after round. So each forgotten key's state (the time
//! its allowance is whole again) is written into two rows of cells, one cell a
//! row, chosen by two different parts of the key; a cell keeps the latest time
//! written to it. A key the table does not hold starts from the earlier of its
//! two cells: never less than it had spent when it was forgotten, since both
//! its cells hold at least that. Other keys sharing both cells may start with
//! attempts spent that they did not spend; how many is bounded by the table
//! (see `Table::check`), so a key the table does not hold is never refused.
//!
//! Times are kept in whole seconds (rounded up, so never earlier than the
//! truth), from the limiter's own start. The rows are made at the first key
//! forgotten with attempts out: a table that never fills costs nothing here.

use super::table::LimitKey;

/// The most cells a row has (each 4 bytes).
const MOST_CELLS: usize = 1 << 18;
/// The fewest cells a row has.
const FEWEST_CELLS: usize = 64;

/// Two rows of cells, each the latest whole-again time (in seconds) written to it.
pub struct Forgotten {
    cells: Vec<u32>,
    /// Cells per row, a power of two.
    width: usize,
}

impl Forgotten {
    /// Rows sized for a table of `capacity` keys: twice as many cells as keys
    /// (rounded up to a power of two), within bounds.
    pub fn new(capacity: usize) -> Forgotten {
        let width = capacity
            .saturating_mul(2)
            .clamp(FEWEST_CELLS, MOST_CELLS)
            .next_power_of_two();
        Forgotten {
            cells: Vec::new(),
            width,
        }
    }

    /// Bytes held now.
    pub fn bytes(&self) -> usize {
        self.cells.capacity() * std::mem::size_of::<u32>()
    }

    /// Remembers that `key`, forgotten, is whole again at `whole_at` (ms).
    pub fn remember(&mut self, key: &LimitKey, whole_at: u64) {
        if self.cells.is_empty() {
            self.cells = vec![0; 2 * self.width];
        }
        let secs = u32::try_from(whole_at.div_ceil(1000)).unwrap_or(u32::MAX);
        for cell in self.cells_of(key) {
            let old = &mut self.cells[cell];
            *old = (*old).max(secs);
        }
    }

    /// The earliest time (ms) at which `key` may be whole again, as far as what
    /// was forgotten tells: 0 when nothing was.
    pub fn whole_at(&self, key: &LimitKey) -> u64 {
        if self.cells.is_empty() {
            return 0;
        }
        let [a, b] = self.cells_of(key);
        u64::from(self.cells[a].min(self.cells[b])) * 1000
    }

    /// The key's cell in each row, from two different parts of the key (a keyed
    /// hash: every part is as random as any other).
    fn cells_of(&self, key: &LimitKey) -> [usize; 2] {
        let part = |at: usize| {
            let mut word = [0u8; 8];
            word.copy_from_slice(&key[at..at + 8]);
            u64::from_le_bytes(word)
        };
        let mask = (self.width - 1) as u64;
        [(part(0) & mask) as usize, self.width + (part(8) & mask) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(a: u64, b: u64) -> LimitKey {
        let mut k = [0u8; 16];
        k[..8].copy_from_slice(&a.to_le_bytes());
        k[8..].copy_from_slice(&b.to_le_bytes());
        k
    }

    #[test]
    fn nothing_is_held_until_something_is_forgotten() {
        let f = Forgotten::new(65_536);
        assert_eq!((f.bytes(), f.whole_at(&key(1, 2))), (0, 0));
    }

    #[test]
    fn a_forgotten_key_is_never_remembered_as_less_spent_than_it_was() {
        let mut f = Forgotten::new(32);
        f.remember(&key(1, 1), 1_500);
        assert_eq!(f.whole_at(&key(1, 1)), 2_000, "rounded up to the second");
        // A later, smaller time for a key sharing its cells does not lower it.
        f.remember(&key(1 + 64, 1 + 64), 500);
        assert_eq!(f.whole_at(&key(1, 1)), 2_000);
        // A key sharing only one cell starts from the other: nothing.
        assert_eq!(f.whole_at(&key(1, 2)), 0);
        assert_eq!(f.whole_at(&key(2, 1)), 0);
    }

    #[test]
    fn the_rows_are_bounded_whatever_the_capacity() {
        for (capacity, width) in [(0, 64), (100, 256), (65_536, 131_072), (usize::MAX, MOST_CELLS)] {
            let mut f = Forgotten::new(capacity);
            f.remember(&key(u64::MAX, u64::MAX), u64::MAX);
            assert_eq!(f.bytes(), 2 * width * 4, "capacity {capacity}");
            assert_eq!(f.whole_at(&key(u64::MAX, u64::MAX)), u64::from(u32::MAX) * 1000);
        }
    }
}
