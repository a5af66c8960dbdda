//! Distinct orders looked up per shop and day, counted without storing any:
//! a HyperLogLog sketch of 4,096 one-byte registers (about 1.6% standard error,
//! exact in practice for the small counts of a small shop), fed a keyed hash of
//! each order found. Sketches merge by taking each register's maximum, so every
//! server's flushes add up in the database to the sketch of all of them.
//!
//! Written here rather than taken from a crate: the sketch is stored as a
//! database value and merged by every server, so its layout and its hash must
//! stay fixed across builds, and that is this file.

/// log2 of the number of registers.
const P: u32 = 12;
/// Registers in a sketch.
pub const REGISTERS: usize = 1 << P;

/// One sketch: for each register, the longest run of leading zeros seen, plus one.
#[derive(Clone, PartialEq, Eq)]
pub struct Sketch(Box<[u8; REGISTERS]>);

impl std::fmt::Debug for Sketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sketch(~{})", self.estimate())
    }
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch(Box::new([0; REGISTERS]))
    }
}

impl Sketch {
    /// Adds one item by its 64-bit hash (the hash must be uniformly distributed).
    pub fn insert(&mut self, hash: u64) {
        let index = usize::try_from(hash >> (64 - P)).unwrap_or(0);
        // The rest of the bits, with a stop bit so the rank is at most 64 - P + 1.
        let rest = (hash << P) | (1 << (P - 1));
        let rank = u8::try_from(rest.leading_zeros() + 1).unwrap_or(u8::MAX);
        if let Some(register) = self.0.get_mut(index) {
            *register = (*register).max(rank);
        }
    }

    /// Adds everything another sketch has seen.
    pub fn merge(&mut self, other: &Sketch) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0.iter()) {
            *mine = (*mine).max(*theirs);
        }
    }

    /// How many distinct items were inserted, estimated (linear counting while
    /// registers are still empty, which is exact in practice for small counts).
    pub fn estimate(&self) -> i64 {
        let m = REGISTERS as f64;
        let zeros = self.0.iter().filter(|r| **r == 0).count();
        let harmonic: f64 = self.0.iter().map(|r| 2f64.powi(-i32::from(*r))).sum();
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let raw = alpha * m * m / harmonic;
        let estimate = if raw <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            raw
        };
        estimate.round() as i64
    }

    /// The stored form: the registers as hex.
    pub fn to_text(&self) -> String {
        super::allowances::hex(&self.0[..])
    }

    /// A stored sketch; `None` when the text is not one.
    pub fn from_text(text: &str) -> Option<Sketch> {
        let bytes = super::allowances::unhex(text)?;
        let registers: Box<[u8; REGISTERS]> = bytes.into_boxed_slice().try_into().ok()?;
        Some(Sketch(registers))
    }
}

/// The 64-bit hash a sketch is fed for one order: SHA-256 keyed with the shared
/// secret `tally`, over the shop and the order's number key.
pub fn order_hash(secret: &[u8; 32], shop: &str, number_key: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(secret)
        .chain_update(shop.as_bytes())
        .chain_update([0])
        .chain_update(number_key.as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sketch_of(range: std::ops::Range<u32>) -> Sketch {
        let mut s = Sketch::default();
        for n in range {
            s.insert(order_hash(&[1; 32], "demo", &n.to_string()));
        }
        s
    }

    #[test]
    fn small_counts_are_exact_and_repeats_count_once() {
        assert_eq!(Sketch::default().estimate(), 0);
        for n in [1, 2, 10, 100] {
            let mut s = sketch_of(0..n);
            s.merge(&sketch_of(0..n));
            assert_eq!(s.estimate(), i64::from(n), "{n}");
        }
    }

    #[test]
    fn large_counts_are_within_a_few_percent_and_merges_add_up() {
        let mut s = sketch_of(0..50_000);
        s.merge(&sketch_of(25_000..100_000));
        let error = (s.estimate() - 100_000).abs() as f64 / 100_000.0;
        assert!(
            error < 0.05,
            "estimate {} is off by {:.1}%",
            s.estimate(),
            error * 100.0
        );
    }

    #[test]
    fn the_stored_form_round_trips_and_junk_is_refused() {
        let s = sketch_of(0..500);
        assert_eq!(Sketch::from_text(&s.to_text()), Some(s));
        assert_eq!(Sketch::from_text("abc"), None);
        assert_eq!(Sketch::from_text(&"00".repeat(REGISTERS - 1)), None);
    }
}
