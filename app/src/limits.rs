//! Rate limits on failed lookups: per client address, per (shop, order number) and
//! per (shop, email). A client or target that used up its allowance of misses is
//! refused (429 with `Retry-After`) until the allowance refills, even for a correct guess.
//!
//! State is per process (see the scaling docs for running several servers).

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many failed lookups are allowed, per what, over which window.
#[derive(Debug, Clone, Copy)]
pub struct LimitSettings {
    /// Misses one client address may make per `window` (a shared office NAT needs room).
    pub per_client: u32,
    /// Misses against one order number of one shop per `window`.
    pub per_order: u32,
    /// Misses against one email address of one shop per `window`.
    pub per_email: u32,
    /// The window the allowances refill over.
    pub window: Duration,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy you run).
    pub trust_proxy: bool,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            per_client: 20,
            per_order: 8,
            per_email: 8,
            window: Duration::from_secs(15 * 60),
            trust_proxy: false,
        }
    }
}

/// The limiters, shared by every request of one process.
pub struct LookupLimits {
    settings: LimitSettings,
    client: DefaultKeyedRateLimiter<String>,
    order: DefaultKeyedRateLimiter<String>,
    email: DefaultKeyedRateLimiter<String>,
    blocked: Mutex<HashMap<String, Instant>>,
    /// Misses recorded, to forget refilled keys now and then.
    failures: std::sync::atomic::AtomicU64,
}

/// Every this many misses, keys whose allowance has refilled are forgotten, so
/// memory follows the misses of one window, not of the process's life.
const PRUNE_EVERY: u64 = 10_000;

impl std::fmt::Debug for LookupLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LookupLimits")
            .field("settings", &self.settings)
            .finish()
    }
}

/// A quota that refuses the `allowed`-th miss in a burst (so that miss blocks what follows),
/// refilling one miss every `window / allowed`.
fn quota(allowed: u32, window: Duration) -> Quota {
    let allowed = allowed.max(2);
    let burst = NonZeroU32::new(allowed - 1).unwrap_or(NonZeroU32::MIN);
    let period = (window / allowed).max(Duration::from_millis(1));
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

/// Which keys a lookup touches.
pub struct Keys {
    client: String,
    order: String,
    email: String,
}

impl Keys {
    /// The keys for one attempt. The email and number are the normalised keys; they stay in memory only.
    pub fn new(client: &str, shop: &str, number_key: &str, email_key: &str) -> Keys {
        Keys {
            client: format!("c:{client}"),
            order: format!("o:{shop}:{number_key}"),
            email: format!("e:{shop}:{email_key}"),
        }
    }
}

impl LookupLimits {
    /// Limiters with these settings.
    pub fn new(settings: LimitSettings) -> LookupLimits {
        LookupLimits {
            client: RateLimiter::keyed(quota(settings.per_client, settings.window)),
            order: RateLimiter::keyed(quota(settings.per_order, settings.window)),
            email: RateLimiter::keyed(quota(settings.per_email, settings.window)),
            blocked: Mutex::new(HashMap::new()),
            failures: std::sync::atomic::AtomicU64::new(0),
            settings,
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> LimitSettings {
        self.settings
    }

    /// `Err(wait)` when any of the keys is blocked now.
    pub fn check(&self, keys: &Keys) -> Result<(), Duration> {
        let now = Instant::now();
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        let wait = [&keys.client, &keys.order, &keys.email]
            .into_iter()
            .filter_map(|k| blocked.get(k.as_str()).copied())
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max();
        if blocked.len() > 100_000 {
            blocked.retain(|_, until| *until > now);
        }
        match wait {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    /// Counts one miss against every key; a key whose allowance is used up is blocked
    /// until the limiter would let it through again.
    pub fn record_failure(&self, keys: &Keys) {
        let now = Instant::now();
        let clock = governor::clock::DefaultClock::default();
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        let s = self.settings;
        for (limiter, key, allowed) in [
            (&self.client, &keys.client, s.per_client),
            (&self.order, &keys.order, s.per_order),
            (&self.email, &keys.email, s.per_email),
        ] {
            let wait = if allowed <= 1 {
                // One miss allowed: this was it.
                Some(s.window)
            } else {
                limiter
                    .check_key(key)
                    .err()
                    .map(|n| n.wait_time_from(governor::clock::Clock::now(&clock)))
            };
            if let Some(wait) = wait {
                blocked.insert(key.clone(), now + wait.max(Duration::from_secs(1)));
            }
        }
        drop(blocked);
        let seen = self.failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if seen.is_multiple_of(PRUNE_EVERY) {
            for limiter in [&self.client, &self.order, &self.email] {
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        }
    }

    /// How many keys the limiters remember (for tests and diagnostics).
    pub fn remembered_keys(&self) -> usize {
        self.client.len() + self.order.len() + self.email.len()
    }
}

/// The client's address: the socket's peer, or with `trust_proxy` the last address
/// in `X-Forwarded-For` (the one our own proxy appended).
pub fn client_address(peer: Option<SocketAddr>, forwarded_for: Option<&str>, trust_proxy: bool) -> String {
    let forwarded = forwarded_for
        .filter(|_| trust_proxy)
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse::<IpAddr>().ok());
    match (forwarded, peer) {
        (Some(ip), _) => ip.to_string(),
        (None, Some(peer)) => peer.ip().to_string(),
        (None, None) => "unknown".to_string(),
    }
}

/// The client address of a request, from its connection (axum's `ConnectInfo`) and headers.
pub fn client_of(parts: &http::request::Parts, trust_proxy: bool) -> String {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let forwarded = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    client_address(peer, forwarded, trust_proxy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per: u32) -> LookupLimits {
        LookupLimits::new(LimitSettings {
            per_client: per,
            per_order: per,
            per_email: per,
            ..LimitSettings::default()
        })
    }

    #[test]
    fn misses_beyond_the_allowance_block_the_client() {
        let l = limits(3);
        let keys = |n: u32| Keys::new("10.0.0.1", "demo", &n.to_string(), "a@example.com");
        for n in 0..3 {
            assert!(l.check(&keys(n)).is_ok());
            l.record_failure(&keys(n));
        }
        // The email key is now used up as well as the client; a new order number does not help.
        let wait = l.check(&keys(99)).unwrap_err();
        assert!(
            wait > Duration::from_secs(60) && wait <= Duration::from_secs(15 * 60),
            "{wait:?}"
        );
        // Another client, order and email is not affected.
        assert!(l.check(&Keys::new("10.0.0.2", "demo", "1", "b@example.com")).is_ok());
    }

    #[test]
    fn one_order_number_is_protected_against_many_clients() {
        let l = limits(2);
        for c in 0..2 {
            l.record_failure(&Keys::new(
                &format!("10.0.0.{c}"),
                "demo",
                "1001",
                &format!("x{c}@example.com"),
            ));
        }
        assert!(l
            .check(&Keys::new("10.9.9.9", "demo", "1001", "ada@example.com"))
            .is_err());
        assert!(l
            .check(&Keys::new("10.9.9.9", "other-shop", "1001", "ada@example.com"))
            .is_ok());
    }

    #[test]
    fn keys_whose_allowance_refilled_are_forgotten() {
        let l = LookupLimits::new(LimitSettings {
            window: Duration::from_secs(1),
            ..LimitSettings::default()
        });
        let miss = |batch: u64, i: u64| {
            l.record_failure(&Keys::new(
                &format!("10.{batch}.{}.{}", i / 256, i % 256),
                "demo",
                &format!("{batch}-{i}"),
                &format!("{batch}-{i}@example.com"),
            ))
        };
        for i in 0..PRUNE_EVERY {
            miss(1, i);
        }
        // A window later the first batch has refilled; the next prune forgets it.
        std::thread::sleep(Duration::from_millis(1200));
        for i in 0..PRUNE_EVERY {
            miss(2, i);
        }
        // Without forgetting, 3 keys per miss: 60,000.
        let remembered = l.remembered_keys();
        assert!(remembered <= 3 * PRUNE_EVERY as usize, "{remembered}");
        assert!(remembered > 0);
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        assert_eq!(client_address(Some(peer), Some("203.0.113.9"), false), "127.0.0.1");
        assert_eq!(
            client_address(Some(peer), Some("198.51.100.1, 203.0.113.9"), true),
            "203.0.113.9"
        );
        assert_eq!(client_address(Some(peer), Some("garbage"), true), "127.0.0.1");
    }
}
