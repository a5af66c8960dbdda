//! Rate limits on failed lookups (per client, per shop and order number, per shop
//! and email), on failed API-key checks (per client) and on failed webhook
//! signatures (per client and shop).
//!
//! Reserve, then work: an attempt takes its place in every allowance it touches,
//! all or none, before the database is asked, and a lookup that finds its order
//! gives it back. A burst therefore gets no more misses than the allowance,
//! however many requests arrive at once. Keys are fixed-size keyed hashes, every
//! table has a capacity (see `table`), and with `shared` the allowances live in
//! the database, so that every server (and a restarted one) counts the same.

mod api_writes;
mod client;
mod console;
mod forgotten;
mod links;
mod proxy_notice;
mod settings;
mod shared;
mod sign_ins;
pub use sign_ins::KNOWN_DAYS;
mod table;
mod taken;
mod webhooks;

pub use client::{client_of, Client, Proxies};
pub use links::{LinkRefusal, LinkRules, CONSOLE_MAILS};
pub use proxy_notice::ProxyWarning;
pub use settings::{LimitSettings, ACCOUNT_FROM_ALL_CLIENTS, DEFAULT_API_WRITES_PER_KEY, DEFAULT_CAPACITY};
pub use table::{LimitKey, Rule, Spent, Table};
pub use taken::Taken;

use crate::store::Store;
use sha2::{Digest, Sha256};
use shared::{give_back_shared, paired, spent_shared, take_shared};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Why an attempt may not go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// An allowance is spent (or a table is full): try again after this long.
    Limited(Duration),
    /// The shared allowances could not be read.
    Unavailable,
}

/// The three keys one lookup touches: client, (shop, order number), (shop, email).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keys([LimitKey; 3]);

/// The tables of one process, or the database's shared ones.
enum Backing {
    Memory { lookups: Box<Mutex<[Table; 3]>> },
    Shared(Store),
}

/// The limits, shared by every request of one process.
pub struct LookupLimits {
    settings: LimitSettings,
    rules: [Rule; 3],
    auth_rule: Rule,
    secret: [u8; 32],
    backing: Backing,
    /// Failed key checks stay per process: they guard this process's hashing.
    auth: Mutex<Table>,
    /// Failed sign-ins: per client (under `auth_rule`), per account and client,
    /// and per account (`sign_in_rules`).
    sign_ins: Mutex<[Table; 3]>,
    sign_in_rules: [Rule; 3],
    /// Failed webhook signatures per client and shop (see `webhooks`).
    webhooks: Mutex<Table>,
    webhook_rule: Rule,
    /// Console forms per account (see `console`).
    console: Mutex<Table>,
    console_rule: Rule,
    /// API writes per key (see `api_writes`).
    api_writes: Mutex<Table>,
    api_write_rule: Rule,
    /// Requests for order links (see `links`).
    links: links::LinkTables,
    /// Shared takes running at once (see `taken`).
    shared_takes: std::sync::Arc<tokio::sync::Semaphore>,
    epoch: Instant,
}

impl std::fmt::Debug for LookupLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LookupLimits")
            .field("settings", &self.settings)
            .field("shared", &self.is_shared())
            .finish()
    }
}

impl LookupLimits {
    /// Limits kept in this process's memory.
    pub fn new(settings: LimitSettings) -> LookupLimits {
        let capacity = settings.capacity;
        let tables = [Table::new(capacity), Table::new(capacity), Table::new(capacity)];
        Self::with_backing(
            settings,
            random_secret(),
            Backing::Memory {
                lookups: Box::new(Mutex::new(tables)),
            },
        )
    }

    /// Limits kept in the database, counted alike by every server that uses it.
    pub async fn shared(settings: LimitSettings, store: Store) -> Result<LookupLimits, crate::store::StoreError> {
        let secret = store.limiter_secret(&random_secret()).await?;
        Ok(Self::with_backing(settings, secret, Backing::Shared(store)))
    }

    fn with_backing(settings: LimitSettings, secret: [u8; 32], backing: Backing) -> LookupLimits {
        let w = settings.window;
        LookupLimits {
            rules: [
                Rule::new(settings.per_client, w),
                Rule::new(settings.per_order, w),
                Rule::new(settings.per_email, w),
            ],
            auth_rule: Rule::new(settings.failed_auth_per_client, w),
            auth: Mutex::new(Table::new(settings.capacity)),
            sign_ins: Mutex::new([
                Table::new(settings.capacity),
                Table::new(settings.capacity),
                Table::new(settings.capacity),
            ]),
            sign_in_rules: [
                Rule::new(settings.failed_auth_per_client, w),
                Rule::new(settings.failed_sign_ins_per_account, w),
                Rule::new(
                    settings
                        .failed_sign_ins_per_account
                        .saturating_mul(ACCOUNT_FROM_ALL_CLIENTS),
                    w,
                ),
            ],
            webhooks: Mutex::new(Table::new(settings.capacity)),
            webhook_rule: Rule::new(settings.failed_webhooks_per_shop, w),
            console: Mutex::new(Table::new(settings.capacity)),
            console_rule: Rule::new(settings.console_writes_per_account, w),
            api_writes: Mutex::new(Table::new(settings.capacity)),
            api_write_rule: Rule::new(settings.api_writes_per_key, w),
            links: links::LinkTables::new(&settings.links, settings.capacity),
            secret,
            shared_takes: taken::take_slots(&backing),
            backing,
            epoch: Instant::now(),
            settings,
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &LimitSettings {
        &self.settings
    }

    /// True when the allowances live in the database.
    pub fn is_shared(&self) -> bool {
        matches!(self.backing, Backing::Shared(_))
    }

    /// The keys of one lookup. The number and email are the normalised keys; only
    /// a keyed hash of them is kept.
    pub fn keys(&self, client: &Client, shop: &str, number_key: &str, email_key: &str) -> Keys {
        Keys([
            self.key(b'c', &[&client.key_bytes()]),
            self.key(b'o', &[shop.as_bytes(), number_key.as_bytes()]),
            self.key(b'e', &[shop.as_bytes(), email_key.as_bytes()]),
        ])
    }

    fn key(&self, kind: u8, parts: &[&[u8]]) -> LimitKey {
        let digest = self.keyed_digest(kind, parts);
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        key
    }

    /// SHA-256 of the secret, `kind` and `parts` (each with its length).
    fn keyed_digest(&self, kind: u8, parts: &[&[u8]]) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(self.secret);
        hash.update([kind]);
        for part in parts {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
        hash.finalize().into()
    }

    /// Takes one attempt from all three allowances, or from none.
    pub async fn reserve(&self, keys: &Keys) -> Result<(), Refusal> {
        match &self.backing {
            Backing::Memory { lookups } => {
                let now = self.now();
                let mut tables = lookups.lock().unwrap_or_else(|e| e.into_inner());
                take_all(&mut tables[..], &keys.0, &self.rules, now).map_err(refused)
            }
            Backing::Shared(store) => take_shared(store, &self.shared_items(keys)).await,
        }
    }

    /// Which of a refused lookup's allowances are spent: client, order, email.
    pub async fn spent(&self, keys: &Keys) -> [bool; 3] {
        match &self.backing {
            Backing::Memory { lookups } => {
                let now = self.now();
                let tables = lookups.lock().unwrap_or_else(|e| e.into_inner());
                spent_in(&tables, &keys.0, &self.rules, now)
            }
            Backing::Shared(store) => spent_shared(store, &self.shared_items(keys)).await,
        }
    }

    /// Gives a reserved attempt back to all three allowances (the order was found).
    pub async fn release(&self, keys: &Keys) {
        match &self.backing {
            Backing::Memory { lookups } => self.give_back_in_memory(lookups, keys),
            Backing::Shared(store) => give_back_shared(store, &self.shared_items(keys)).await,
        }
    }

    /// [`LookupLimits::release`] of this process's tables (it needs no wait).
    fn give_back_in_memory(&self, lookups: &Mutex<[Table; 3]>, keys: &Keys) {
        let now = self.now();
        let mut tables = lookups.lock().unwrap_or_else(|e| e.into_inner());
        give_back_all(&mut tables[..], &keys.0, &self.rules, now);
    }

    /// Takes one attempt from a client's allowance of failed key checks.
    pub fn reserve_auth(&self, client: &Client) -> Result<(), Duration> {
        self.take_one(&self.auth, self.key(b'a', &[&client.key_bytes()]), self.auth_rule)
    }

    /// Gives a key check's attempt back (the key was valid).
    pub fn release_auth(&self, client: &Client) {
        self.give_one(&self.auth, self.key(b'a', &[&client.key_bytes()]), self.auth_rule);
    }

    /// Takes one attempt for `key` from a table of its own under `rule`.
    fn take_one(&self, table: &Mutex<Table>, key: LimitKey, rule: Rule) -> Result<(), Duration> {
        let now = self.now();
        let mut table = table.lock().unwrap_or_else(|e| e.into_inner());
        take_all(std::slice::from_mut(&mut *table), &[key], &[rule], now).map_err(wait_of)
    }

    /// Gives back what [`Self::take_one`] took.
    fn give_one(&self, table: &Mutex<Table>, key: LimitKey, rule: Rule) {
        let now = self.now();
        let mut table = table.lock().unwrap_or_else(|e| e.into_inner());
        table.give_back(&key, rule, now);
    }

    /// Keys held in memory now, and keys forgotten early because a table was full:
    /// client, order, email, key checks, webhook signatures (for metrics and tests).
    pub fn held_keys(&self) -> [(usize, u64); 5] {
        let of = |t: &Table| (t.len(), t.forced());
        let auth = of(&self.auth.lock().unwrap_or_else(|e| e.into_inner()));
        let webhooks = of(&self.webhooks.lock().unwrap_or_else(|e| e.into_inner()));
        match &self.backing {
            Backing::Memory { lookups } => {
                let t = lookups.lock().unwrap_or_else(|e| e.into_inner());
                [of(&t[0]), of(&t[1]), of(&t[2]), auth, webhooks]
            }
            Backing::Shared(_) => [(0, 0), (0, 0), (0, 0), auth, webhooks],
        }
    }

    /// Forgets shared allowances that have refilled (call now and then).
    pub async fn forget_refilled(&self) {
        if let Backing::Shared(store) = &self.backing {
            if let Err(e) = store.forget_refilled_allowances(unix_ms()).await {
                tracing::warn!(error = %e, "could not prune the shared allowances");
            }
        }
    }

    fn shared_items(&self, keys: &Keys) -> [(LimitKey, Rule); 3] {
        paired(&keys.0, &self.rules)
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX / 2)
    }
}

/// Takes one attempt for `keys[i]` from `tables[i]` under `rules[i]` for every i,
/// or none: a spent allowance anywhere refuses the lot (the longest wait is
/// answered) before any table makes room.
fn take_all(tables: &mut [Table], keys: &[LimitKey], rules: &[Rule], now: u64) -> Result<(), Spent> {
    let mut next = [0u64; 3];
    debug_assert!(keys.len() <= next.len());
    let mut spent: Option<Spent> = None;
    for (i, ((table, key), rule)) in tables.iter().zip(keys).zip(rules).enumerate() {
        match table.check(key, *rule, now) {
            Ok(n) => next[i] = n,
            Err(Spent(ms)) => spent = Some(Spent(spent.map_or(ms, |Spent(old)| old.max(ms)))),
        }
    }
    if let Some(spent) = spent {
        return Err(spent);
    }
    for (i, ((table, key), rule)) in tables.iter_mut().zip(keys).zip(rules).enumerate() {
        table.room_for(key, *rule, now);
        table.commit(*key, next[i]);
    }
    Ok(())
}

/// Gives one attempt back to each of `tables`, under `keys` and `rules`: what
/// [`take_all`] took.
fn give_back_all(tables: &mut [Table], keys: &[LimitKey], rules: &[Rule], now: u64) {
    for ((table, key), rule) in tables.iter_mut().zip(keys).zip(rules) {
        table.give_back(key, *rule, now);
    }
}

/// How long a spent allowance makes a client wait, in whole seconds rounded up
/// (a client that waits as long as `Retry-After` says finds an attempt): at
/// least a second.
fn wait_of(Spent(ms): Spent) -> Duration {
    Duration::from_secs(ms.div_ceil(1000).max(1))
}

/// Which of three allowances kept in memory are spent now.
fn spent_in(tables: &[Table; 3], keys: &[LimitKey; 3], rules: &[Rule; 3], now: u64) -> [bool; 3] {
    waits_in(tables, keys, rules, now).map(|wait| wait.is_some())
}

/// How long each of three allowances kept in memory makes a client wait now
/// (none: it has room).
fn waits_in(tables: &[Table; 3], keys: &[LimitKey; 3], rules: &[Rule; 3], now: u64) -> [Option<Duration>; 3] {
    std::array::from_fn(|i| tables[i].check(&keys[i], rules[i], now).err().map(wait_of))
}

/// A spent allowance as an answer.
fn refused(spent: Spent) -> Refusal {
    Refusal::Limited(wait_of(spent))
}

/// Milliseconds since the Unix epoch (the shared allowances' clock: servers' clocks must agree).
fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2))
}

/// 32 bytes from the operating system's random source.
pub fn random_secret() -> [u8; 32] {
    use rand::RngCore;
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

#[cfg(test)]
mod taken_tests;
#[cfg(test)]
mod tests;
