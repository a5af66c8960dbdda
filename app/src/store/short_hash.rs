//! The short public names the console shows for things it must not show
//! whole (a session, an order's version): the first 16 bytes of a SHA-256,
//! in lowercase hex, and the check that a posted name can be one.

use sha2::{Digest, Sha256};

/// Hex digits of a short hash.
const SHORT_HASH_HEX: usize = 32;

/// The first 16 bytes of the SHA-256 of `bytes`, in lowercase hex.
pub fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..SHORT_HASH_HEX / 2]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `text` can be a [`short_hash`]: 32 lowercase hex digits (checked
/// before it is looked up or compared).
pub fn is_short_hash(text: &str) -> bool {
    text.len() == SHORT_HASH_HEX && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_hash_is_what_its_check_takes() {
        let hash = short_hash(b"lookout");
        assert!(is_short_hash(&hash), "{hash}");
        assert_ne!(hash, short_hash(b"lookout2"));
        let upper = hash.to_uppercase();
        for not in ["", "0", &upper, &format!("{hash}0"), &"g".repeat(32), &hash[1..]] {
            assert!(!is_short_hash(not), "{not:?}");
        }
    }
}
