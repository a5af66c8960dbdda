//! Console sign-ins' allowances: the client's, the account's from this client,
//! and the account's from all clients, which a browser that has signed in to
//! the account before does not spend.

use super::{take_all, wait_of, Client, LimitKey, LookupLimits};
use std::time::Duration;

impl LookupLimits {
    /// Takes one attempt from each allowance of failed sign-ins a sign-in touches
    /// (the client's, the account's from this client, and, unless the browser
    /// has signed in to the account before (`known`), the account's from all
    /// clients), or from none (`account` is the normalised email). So guessing
    /// from many clients locks the account out for new browsers, never for one
    /// its owner has used.
    pub fn reserve_sign_in(&self, client: &Client, account: &str, known: bool) -> Result<(), Duration> {
        let keys = self.sign_in_keys(client, account);
        let n = if known { 2 } else { 3 };
        let now = self.now();
        let mut tables = self.sign_ins.lock().unwrap_or_else(|e| e.into_inner());
        take_all(&mut tables[..n], &keys[..n], &self.sign_in_rules[..n], now).map_err(wait_of)
    }

    /// Gives a sign-in's attempt back (the password was right), to the
    /// allowances `reserve_sign_in` took it from.
    pub fn release_sign_in(&self, client: &Client, account: &str, known: bool) {
        let keys = self.sign_in_keys(client, account);
        let n = if known { 2 } else { 3 };
        let now = self.now();
        let mut tables = self.sign_ins.lock().unwrap_or_else(|e| e.into_inner());
        for ((table, key), rule) in tables.iter_mut().zip(&keys).zip(self.sign_in_rules).take(n) {
            table.give_back(key, rule, now);
        }
    }

    /// What a browser that signed in to `account` keeps to say so (64 hex
    /// digits): a keyed hash of the account, which this server alone can make.
    pub fn known_browser_tag(&self, account: &str) -> String {
        self.keyed_digest(b'B', &[account.as_bytes()])
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn sign_in_keys(&self, client: &Client, account: &str) -> [LimitKey; 3] {
        let client = client.key_bytes();
        [
            self.key(b's', &[&client]),
            self.key(b'u', &[account.as_bytes(), &client]),
            self.key(b'U', &[account.as_bytes()]),
        ]
    }
}
