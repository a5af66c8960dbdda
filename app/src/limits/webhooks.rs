//! Failed webhook signatures, per client and shop: a delivery takes an attempt
//! before the shop is read, its body received or its HMAC computed, and one
//! whose signature is right gives it back. Counted per shop, not per client
//! alone, because a platform sends every shop's deliveries from the same
//! addresses: one shop's wrong secret must not stop the others'. Kept in this
//! process's memory even when the lookup allowances are shared: they guard this
//! process's hashing.

use super::{take_all, wait_of, Client, LimitKey, LookupLimits};
use std::time::Duration;

impl LookupLimits {
    /// Takes one attempt from the allowance of failed signatures of `client` at
    /// the shop `slug` (checked to be a slug, and so short, by the caller).
    pub fn reserve_webhook(&self, client: &Client, slug: &str) -> Result<(), Duration> {
        let key = self.webhook_key(client, slug);
        let now = self.now();
        let mut table = self.webhooks.lock().unwrap_or_else(|e| e.into_inner());
        take_all(std::slice::from_mut(&mut *table), &[key], &[self.webhook_rule], now).map_err(wait_of)
    }

    /// Gives a delivery's attempt back: its signature was right, or it was not
    /// the client's failure (the database could not be read, or there was no
    /// room to receive the body).
    pub fn release_webhook(&self, client: &Client, slug: &str) {
        let key = self.webhook_key(client, slug);
        let now = self.now();
        let mut table = self.webhooks.lock().unwrap_or_else(|e| e.into_inner());
        table.give_back(&key, self.webhook_rule, now);
    }

    fn webhook_key(&self, client: &Client, slug: &str) -> LimitKey {
        self.key(b'w', &[&client.key_bytes(), slug.as_bytes()])
    }
}
