//! How many attempts the limits allow, per what, over which window, and the
//! defaults a server starts with.

use super::{LinkRules, Proxies};
use std::time::Duration;

/// How many attempts are allowed, per what, over which window.
#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// Misses one client (IPv4 address or IPv6 /64) may make per `window`.
    pub per_client: u32,
    /// Misses against one order number of one shop per `window`.
    pub per_order: u32,
    /// Misses against one email address of one shop per `window`.
    pub per_email: u32,
    /// The window the allowances refill over.
    pub window: Duration,
    /// Failed API-key checks one client may make per `window`; failed console
    /// sign-ins count against the same number, separately.
    pub failed_auth_per_client: u32,
    /// Failed console sign-ins against one account from one client per `window`;
    /// from all clients together, [`ACCOUNT_FROM_ALL_CLIENTS`] times as many.
    pub failed_sign_ins_per_account: u32,
    /// Failed webhook signatures (and deliveries to unknown shops) from one
    /// client to one shop per `window`; taken before the body is read.
    pub failed_webhooks_per_shop: u32,
    /// Console forms one account may post per `window` (see `console`).
    pub console_writes_per_account: u32,
    /// Writes through the API one key may make per `window` (see `api_writes`).
    pub api_writes_per_key: u32,
    /// Requests for order links by email (in the database too when the limits are shared).
    pub links: LinkRules,
    /// Keys each in-memory table holds at most.
    pub capacity: usize,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub proxies: Proxies,
}

/// How many times an account's allowance of failed sign-ins from one client it
/// may fail from all clients together: one client alone cannot lock an account
/// out for everyone else, and guessing from many is still bounded.
pub const ACCOUNT_FROM_ALL_CLIENTS: u32 = 10;

/// Writes one API key may make per window unless configured: 100 a second
/// on average over the default 15 minutes, all of them at once if need be
/// (a backfill), and then no more.
pub const DEFAULT_API_WRITES_PER_KEY: u32 = 90_000;

/// Keys each in-memory table holds at most, unless configured: seven eighths of
/// 65,536, the most a hash table of 65,536 slots holds (its load is at most
/// seven eighths), about 1.6 MiB when full. One key more would double the table
/// to 131,072 slots and 3.1 MiB, half of them empty.
pub const DEFAULT_CAPACITY: usize = 57_344;

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            per_client: 20,
            per_order: 8,
            per_email: 8,
            window: Duration::from_secs(15 * 60),
            failed_auth_per_client: 20,
            failed_sign_ins_per_account: 5,
            failed_webhooks_per_shop: 60,
            console_writes_per_account: 100,
            api_writes_per_key: DEFAULT_API_WRITES_PER_KEY,
            links: LinkRules::default(),
            capacity: DEFAULT_CAPACITY,
            proxies: Proxies::none(),
        }
    }
}
