//! Writes through the API, per key: every write with a verified key (an
//! order stored or erased, the settings changed) takes one from its key's
//! allowance after the key is checked and before the body is read, so that a
//! key that leaked, or an integration stuck in a loop, cannot keep the
//! database's write lock, which every shop shares on SQLite, busy for the
//! others. Not given back: a refused body was still read and checked. Kept in
//! this process's memory, keyed by a keyed hash of the key's prefix.

use super::{LimitKey, LookupLimits};
use std::time::Duration;

impl LookupLimits {
    /// Takes one write from the allowance of the API key with `prefix`.
    pub fn reserve_api_write(&self, prefix: &str) -> Result<(), Duration> {
        self.take_one(&self.api_writes, self.api_write_key(prefix), self.api_write_rule)
    }

    fn api_write_key(&self, prefix: &str) -> LimitKey {
        self.key(b'p', &[prefix.as_bytes()])
    }
}
