//! What the keys a full table forgot had spent, remembered in fixed memory.
//!
//! A table that forgets a key with attempts still out must not hand that key a
//! whole allowance when it comes back: an attacker who makes a table forget (by
//! spreading misses over more keys than it holds) would otherwise reset every
//! key he aims at, round after round. So each forgotten key's state (the time
//! its allowance is whole again) is written, with a 32-bit fingerprint of the
//! key, into one of two cells chosen by two other parts of the key; a key the
//! table does not hold starts from the cell that bears its fingerprint, if one
//! does. A cell never speaks for another key (but for one key in four billion
//! that shares a cell and a fingerprint), so no key starts with attempts it did
//! not spend.
//!
//! A key's record goes into its own cell if it has one, else into whichever of
//! its two cells holds the earlier time (an empty or refilled one first), and
//! only if that time is not later than its own. When both cells hold later
//! records, this one is dropped, and the key comes back whole, as every
//! forgotten key did before. The memory is fixed and an attacker's keys are
//! not: once more keys are forgotten between two guesses at one key than there
//! are cells, its record is gone (docs/abuse.md, "Where it stops").
//!
//! Times are kept in whole seconds (rounded up, so never earlier than the
//! truth), from the limiter's own start. The cells are made at the first key
//! forgotten with attempts out: a table that never fills costs nothing here.

use super::table::LimitKey;

/// The most cells a row has (each 8 bytes).
const MOST_CELLS: usize = 1 << 18;
/// The fewest cells a row has.
const FEWEST_CELLS: usize = 64;

/// One forgotten key's record: its fingerprint and when it is whole again
/// (seconds; 0 for an empty cell).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Cell {
    fingerprint: u32,
    secs: u32,
}

/// Two rows of cells.
pub struct Forgotten {
    cells: Vec<Cell>,
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
        self.cells.capacity() * std::mem::size_of::<Cell>()
    }

    /// Remembers that `key`, forgotten, is whole again at `whole_at` (ms).
    pub fn remember(&mut self, key: &LimitKey, whole_at: u64) {
        if self.cells.is_empty() {
            self.cells = vec![Cell::default(); 2 * self.width];
        }
        let record = Cell {
            fingerprint: fingerprint(key),
            secs: u32::try_from(whole_at.div_ceil(1000)).unwrap_or(u32::MAX),
        };
        let [a, b] = self.cells_of(key);
        let own = self.own_cell(key);
        let at = match own {
            Some(at) => at,
            None if self.cells[a].secs <= self.cells[b].secs => a,
            None => b,
        };
        let cell = &mut self.cells[at];
        if own.is_some() || cell.secs <= record.secs {
            *cell = Cell {
                fingerprint: record.fingerprint,
                secs: cell.secs.max(record.secs),
            };
        }
    }

    /// Forgets `key`'s record (it is back in the table).
    pub fn clear(&mut self, key: &LimitKey) {
        if let Some(at) = self.own_cell(key) {
            self.cells[at] = Cell::default();
        }
    }

    /// Takes `interval_ms` off `key`'s record, in whole seconds (rounded down, so
    /// never more than was given back).
    pub fn give_back(&mut self, key: &LimitKey, interval_ms: u64) {
        if let Some(at) = self.own_cell(key) {
            let secs = u32::try_from(interval_ms / 1000).unwrap_or(u32::MAX);
            let cell = &mut self.cells[at];
            cell.secs = cell.secs.saturating_sub(secs).max(1);
        }
    }

    /// The cell that holds `key`'s record, if one does.
    fn own_cell(&self, key: &LimitKey) -> Option<usize> {
        if self.cells.is_empty() {
            return None;
        }
        let fingerprint = fingerprint(key);
        self.cells_of(key)
            .into_iter()
            .find(|&at| self.cells[at].fingerprint == fingerprint && self.cells[at].secs > 0)
    }

    /// When `key` is whole again (ms), as its own record says: 0 when it has none.
    pub fn whole_at(&self, key: &LimitKey) -> u64 {
        if self.cells.is_empty() {
            return 0;
        }
        let fingerprint = fingerprint(key);
        self.cells_of(key)
            .into_iter()
            .map(|at| self.cells[at])
            .filter(|cell| cell.fingerprint == fingerprint)
            .map(|cell| u64::from(cell.secs) * 1000)
            .max()
            .unwrap_or(0)
    }

    /// The key's cell in each row, from the low bits of each half of the key (a
    /// keyed hash: every part is as random as any other).
    fn cells_of(&self, key: &LimitKey) -> [usize; 2] {
        let mask = (self.width - 1) as u64;
        [
            (half(key, 0) & mask) as usize,
            self.width + (half(key, 8) & mask) as usize,
        ]
    }
}

/// Eight bytes of the key from `at`, as a number.
fn half(key: &LimitKey, at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&key[at..at + 8]);
    u64::from_le_bytes(word)
}

/// 32 bits of the key that choose no cell: the high halves of both halves.
fn fingerprint(key: &LimitKey) -> u32 {
    ((half(key, 0) >> 32) ^ (half(key, 8) >> 32)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key whose halves are `a` and `b`.
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
    fn a_forgotten_key_is_remembered_as_it_was_and_never_lends_its_spending() {
        let mut f = Forgotten::new(32);
        let (ours, theirs) = (key(1 | 7 << 32, 1), key(1 | 9 << 32, 1));
        f.remember(&ours, 1_500);
        assert_eq!(f.whole_at(&ours), 2_000, "rounded up to the second");
        // Another key with the same two cells starts from nothing.
        assert_eq!(f.whole_at(&theirs), 0);
        // Its record goes into the cell with the earlier time (the empty one).
        f.remember(&theirs, 9_000);
        assert_eq!((f.whole_at(&ours), f.whole_at(&theirs)), (2_000, 9_000));
        // A third, less spent, pushes out neither.
        let third = key(1 | 11 << 32, 1);
        f.remember(&third, 1_000);
        assert_eq!(f.whole_at(&third), 0);
        assert_eq!((f.whole_at(&ours), f.whole_at(&theirs)), (2_000, 9_000));
        // One as spent for longer takes the earlier cell.
        f.remember(&third, 5_000);
        assert_eq!((f.whole_at(&ours), f.whole_at(&third)), (0, 5_000));
        // A key's own record only ever moves later.
        f.remember(&theirs, 3_000);
        assert_eq!(f.whole_at(&theirs), 9_000);
        // An attempt given back comes off it (whole seconds, rounded down), and a
        // key back in the table takes its record away.
        f.give_back(&theirs, 2_500);
        assert_eq!(f.whole_at(&theirs), 7_000);
        f.clear(&theirs);
        assert_eq!((f.whole_at(&theirs), f.whole_at(&third)), (0, 5_000));
    }

    #[test]
    fn the_rows_are_bounded_whatever_the_capacity() {
        for (capacity, width) in [(0, 64), (100, 256), (65_536, 131_072), (usize::MAX, MOST_CELLS)] {
            let mut f = Forgotten::new(capacity);
            f.remember(&key(u64::MAX, u64::MAX), u64::MAX);
            assert_eq!(f.bytes(), 2 * width * 8, "capacity {capacity}");
            assert_eq!(f.whole_at(&key(u64::MAX, u64::MAX)), u64::from(u32::MAX) * 1000);
        }
    }
}
