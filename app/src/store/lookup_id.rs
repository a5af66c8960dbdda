//! The integer an order's lookup row is kept under in SQLite (`order_lookups`,
//! migrations/sqlite/20261204000001_order_lookups.sql): a hash of its number
//! combined with its shop's id, so one descent of one B-tree finds a lookup.
//!
//! The hash is stored (`orders.lookup_id`) and recomputed by every reader, so it
//! must never change: the first 8 bytes of the SHA-256 of the normalised order
//! number, as a big-endian integer with its top bit cleared (63 bits, never
//! negative). Combined with the shop's id by exclusive or, which SQL can compute
//! (`(a | b) - (a & b)` for two non-negative integers), so a lookup, which knows
//! the shop only by its slug, finds the shop and the row in one statement.
//! Collisions are rare (about one in 2^63 per pair of orders) and handled: the
//! migration says how.

use sha2::{Digest, Sha256};

/// The 63-bit hash of a normalised order number.
pub fn number_hash(number_key: &str) -> i64 {
    sha256_prefix(&[number_key.as_bytes()]) & i64::MAX
}

/// The first 8 bytes of the SHA-256 of `parts`, one after another, as a
/// big-endian integer: the same in every process and every version.
pub(super) fn sha256_prefix(parts: &[&[u8]]) -> i64 {
    let digest = parts
        .iter()
        .fold(Sha256::new(), |hash, part| hash.chain_update(part))
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// The lookup id of (shop id, normalised order number).
pub fn lookup_id(shop_id: i64, number_key: &str) -> i64 {
    number_hash(number_key) ^ shop_id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_never_changes() {
        // Stored in every database: a change here would lose every lookup row.
        assert_eq!(number_hash("1001"), 0x7e67_5fe7_aaee_830b);
    }

    #[test]
    fn ids_are_never_negative_and_differ_by_shop() {
        for key in ["1001", "g0000001", "", "ä"] {
            assert!(number_hash(key) >= 0);
            assert_ne!(lookup_id(1, key), lookup_id(2, key));
            assert!(lookup_id(i64::MAX, key) >= 0);
        }
    }
}
