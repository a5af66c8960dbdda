//! Failed webhook signatures, per client and shop: a delivery takes an attempt
//! before the shop is read, its body received or its HMAC computed, and one
//! whose signature is right gives it back. Counted per shop, not per client
//! alone, because a platform sends every shop's deliveries from the same
//! addresses: one shop's wrong secret must not stop the others'. Kept in this
//! process's memory even when the lookup allowances are shared: they guard this
//! process's hashing.

use super::{Client, LimitKey, LookupLimits};
use std::time::Duration;

impl LookupLimits {
    /// Takes one attempt from the allowance of failed signatures of `client` at
    /// the shop `slug` (checked to be a slug, and so short, by the caller).
    pub fn reserve_webhook(&self, client: &Client, slug: &str) -> Result<(), Duration> {
        self.take_one(&self.webhooks, self.webhook_key(client, slug), self.webhook_rule)
    }

    /// Gives a delivery's attempt back: its signature was right, or it was not
    /// the client's failure (the database could not be read, or there was no
    /// room to receive the body).
    pub fn release_webhook(&self, client: &Client, slug: &str) {
        self.give_one(&self.webhooks, self.webhook_key(client, slug), self.webhook_rule);
    }

    fn webhook_key(&self, client: &Client, slug: &str) -> LimitKey {
        self.key(b'w', &[&client.key_bytes(), slug.as_bytes()])
    }
}
