//! Console sign-ins' allowances: the client's, the account's from this client,
//! and the account's from all clients, which a browser that has signed in to
//! the account before does not spend. Such a browser keeps a tag: a random
//! nonce, the day it was made and a keyed hash of both with the account and its
//! password hash, so a tag works for one account, for 180 days, and only until
//! the password changes.

use super::{give_back_all, take_all, wait_of, Client, LimitKey, LookupLimits};
use crate::store::{hex, unhex};
use std::ops::Range;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// Days a known browser's tag works from its sign-in.
pub const KNOWN_DAYS: u64 = 180;

impl LookupLimits {
    /// Takes one attempt from the client's allowance of failed sign-ins and the
    /// account's from this client, or from neither (`account` is the normalised
    /// email). Taken before anything is read or hashed.
    pub fn reserve_sign_in(&self, client: &Client, account: &str) -> Result<(), Duration> {
        self.take_sign_in(client, account, 0..2)
    }

    /// Takes one attempt from the account's allowance from all clients: for a
    /// browser that is not known to the account. So guessing from many clients
    /// locks the account out for new browsers, never for one its owner has used.
    pub fn reserve_sign_in_anywhere(&self, client: &Client, account: &str) -> Result<(), Duration> {
        self.take_sign_in(client, account, 2..3)
    }

    /// Gives a sign-in's attempt back (the password was right, or nothing was
    /// checked), to the client's and the account's from this client, and to the
    /// account's from all clients when it was taken (`anywhere`).
    pub fn release_sign_in(&self, client: &Client, account: &str, anywhere: bool) {
        let keys = self.sign_in_keys(client, account);
        let n = if anywhere { 3 } else { 2 };
        let now = self.now();
        let mut tables = self.sign_ins.lock().unwrap_or_else(|e| e.into_inner());
        give_back_all(&mut tables[..n], &keys[..n], &self.sign_in_rules[..n], now);
    }

    /// Takes one attempt from the sign-in allowances in `which` (by position:
    /// the client's, the account's from this client, the account's from all).
    fn take_sign_in(&self, client: &Client, account: &str, which: Range<usize>) -> Result<(), Duration> {
        let keys = self.sign_in_keys(client, account);
        let now = self.now();
        let mut tables = self.sign_ins.lock().unwrap_or_else(|e| e.into_inner());
        let rules = &self.sign_in_rules[which.clone()];
        take_all(&mut tables[which.clone()], &keys[which], rules, now).map_err(wait_of)
    }

    /// A new tag for a browser that signed in to `account` (whose stored password
    /// hash is `password_hash`) on `day` (days since 1970): 64 hex digits.
    pub fn known_browser_tag(&self, account: &str, password_hash: &str, day: u64) -> String {
        let nonce: [u8; 8] = rand::random();
        self.tag_of(account, password_hash, nonce, day)
    }

    /// True when `tag` was made by this server for `account` with this password
    /// hash, no more than [`KNOWN_DAYS`] before `today`.
    pub fn is_known_browser(&self, tag: &str, account: &str, password_hash: &str, today: u64) -> bool {
        let nonce: Option<[u8; 8]> = tag.get(0..16).and_then(unhex).and_then(|b| b.try_into().ok());
        let day: Option<[u8; 4]> = tag.get(16..24).and_then(unhex).and_then(|b| b.try_into().ok());
        let (Some(nonce), Some(day)) = (nonce, day) else {
            return false;
        };
        let day = u64::from(u32::from_be_bytes(day));
        let fresh = day <= today && today - day <= KNOWN_DAYS;
        let expected = self.tag_of(account, password_hash, nonce, day);
        // In time that does not depend on where they differ.
        fresh && bool::from(tag.as_bytes().ct_eq(expected.as_bytes()))
    }

    fn tag_of(&self, account: &str, password_hash: &str, nonce: [u8; 8], day: u64) -> String {
        let day = u32::try_from(day).unwrap_or(u32::MAX).to_be_bytes();
        let mac = self.keyed_digest(b'B', &[account.as_bytes(), password_hash.as_bytes(), &nonce, &day]);
        // 8 + 4 + 20 bytes: the mac cut to 20 bytes (no length extension from it).
        hex(&[&nonce[..], &day, &mac[..20]].concat())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::LimitSettings;

    #[test]
    fn a_tag_works_for_its_account_and_password_for_180_days() {
        let limits = LookupLimits::new(LimitSettings::default());
        let tag = limits.known_browser_tag("a@example.com", "$argon2id$one", 20_000);
        assert_eq!(tag.len(), 64);
        assert!(tag.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(limits.is_known_browser(&tag, "a@example.com", "$argon2id$one", 20_000));
        assert!(limits.is_known_browser(&tag, "a@example.com", "$argon2id$one", 20_180));
        assert!(
            !limits.is_known_browser(&tag, "a@example.com", "$argon2id$one", 20_181),
            "expired"
        );
        assert!(
            !limits.is_known_browser(&tag, "a@example.com", "$argon2id$one", 19_999),
            "from the future"
        );
        assert!(
            !limits.is_known_browser(&tag, "b@example.com", "$argon2id$one", 20_000),
            "another account"
        );
        assert!(
            !limits.is_known_browser(&tag, "a@example.com", "$argon2id$two", 20_000),
            "a new password"
        );
        let other_server = LookupLimits::new(LimitSettings::default());
        assert!(!other_server.is_known_browser(&tag, "a@example.com", "$argon2id$one", 20_000));
        // Its day changed, or any digit: no longer the server's.
        let mut later = tag.clone().into_bytes();
        later[23] = if later[23] == b'0' { b'1' } else { b'0' };
        let later = String::from_utf8(later).unwrap();
        assert!(!limits.is_known_browser(&later, "a@example.com", "$argon2id$one", 20_100));
        assert!(!limits.is_known_browser("", "a@example.com", "$argon2id$one", 20_000));
        assert!(!limits.is_known_browser(&"é".repeat(32), "a@example.com", "$argon2id$one", 20_000));
        assert_ne!(
            tag,
            limits.known_browser_tag("a@example.com", "$argon2id$one", 20_000),
            "a nonce each"
        );
    }
}
