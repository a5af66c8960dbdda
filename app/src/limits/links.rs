//! Limits on requests for a link to one's orders by email: per address at a
//! shop, per client and per shop. Every request counts, found or not, since each
//! one may send a mail; a request takes from all three allowances or from none,
//! before anything is queued. With shared limits the allowances live in the
//! database beside the lookups' (other keys), so every server counts one.

use super::shared::{give_back_shared, paired, take_shared, waits_shared};
use super::{give_back_all, take_all, waits_in, Backing, Client, LimitKey, LookupLimits, Refusal, Rule, Table};
use std::sync::Mutex;
use std::time::Duration;

/// Where password links asked on the console's sign-in page count, as if
/// it were a shop: per address, per client (with the client's order-link
/// requests) and all addresses together. No shop's slug has a slash.
pub const CONSOLE_MAILS: &str = "/console";

/// How many link requests are allowed, per what, over which window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkRules {
    /// Requests for one email address at one shop.
    pub per_email: u32,
    /// Requests from one client (IPv4 address or IPv6 /64), all shops together.
    pub per_client: u32,
    /// Requests at one shop, all addresses together.
    pub per_shop: u32,
    pub window: Duration,
}

impl Default for LinkRules {
    fn default() -> Self {
        LinkRules {
            per_email: 3,
            per_client: 10,
            per_shop: 300,
            window: Duration::from_secs(60 * 60),
        }
    }
}

/// The allowances of link requests: email at shop, client, shop.
pub(super) struct LinkTables {
    tables: Mutex<[Table; 3]>,
    rules: [Rule; 3],
}

impl LinkTables {
    pub(super) fn new(rules: &LinkRules, capacity: usize) -> LinkTables {
        LinkTables {
            tables: Mutex::new([Table::new(capacity), Table::new(capacity), Table::new(capacity)]),
            rules: [
                Rule::new(rules.per_email, rules.window),
                Rule::new(rules.per_client, rules.window),
                Rule::new(rules.per_shop, rules.window),
            ],
        }
    }
}

/// A refused link request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    /// How long each allowance (email, client, shop) makes the client wait
    /// before one more request would pass; none for one with room.
    Spent { waits: [Option<Duration>; 3] },
    /// The shared allowances could not be read or written.
    Unavailable,
}

impl LookupLimits {
    /// Takes one request from the allowances of `email_key` (normalised) at `shop`,
    /// of `client` and of `shop`, or from none.
    pub async fn reserve_link_request(&self, client: &Client, shop: &str, email_key: &str) -> Result<(), LinkRefusal> {
        let keys = self.link_keys(client, shop, email_key);
        let Backing::Shared(store) = &self.backing else {
            return self.reserve_link_here(&keys);
        };
        let items = paired(&keys, &self.links.rules);
        match take_shared(store, &items).await {
            Ok(()) => Ok(()),
            Err(Refusal::Limited(_)) => Err(LinkRefusal::Spent {
                waits: waits_shared(store, &items).await,
            }),
            Err(Refusal::Unavailable) => Err(LinkRefusal::Unavailable),
        }
    }

    /// Gives a reserved request back to all three allowances (it could not be
    /// queued, so it asked for nothing).
    pub async fn release_link_request(&self, client: &Client, shop: &str, email_key: &str) {
        let keys = self.link_keys(client, shop, email_key);
        match &self.backing {
            Backing::Shared(store) => give_back_shared(store, &paired(&keys, &self.links.rules)).await,
            _ => {
                let now = self.now();
                let mut tables = self.links.tables.lock().unwrap_or_else(|e| e.into_inner());
                give_back_all(&mut tables[..], &keys, &self.links.rules, now);
            }
        }
    }

    /// The allowances a request counts against: the address at the shop, the
    /// client, the shop.
    fn link_keys(&self, client: &Client, shop: &str, email_key: &str) -> [LimitKey; 3] {
        [
            self.key(b'L', &[shop.as_bytes(), email_key.as_bytes()]),
            self.key(b'k', &[&client.key_bytes()]),
            self.key(b'S', &[shop.as_bytes()]),
        ]
    }

    /// The same in this process's memory.
    fn reserve_link_here(&self, keys: &[LimitKey; 3]) -> Result<(), LinkRefusal> {
        let now = self.now();
        let links = &self.links;
        let mut tables = links.tables.lock().unwrap_or_else(|e| e.into_inner());
        take_all(&mut tables[..], keys, &links.rules, now).map_err(|_| LinkRefusal::Spent {
            waits: waits_in(&tables, keys, &links.rules, now),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::LimitSettings;
    use std::sync::Arc;

    fn settings(rules: LinkRules) -> LimitSettings {
        LimitSettings {
            links: rules,
            ..LimitSettings::default()
        }
    }

    /// Two servers' limits sharing one database (SQLite, or PostgreSQL when
    /// `LOOKOUT_TEST_POSTGRES` names one), each through a store and a pool of its
    /// own, and the directory it lives in.
    async fn shared(rules: LinkRules) -> (tempfile::TempDir, [Arc<LookupLimits>; 2]) {
        let (dir, store, url) = crate::store::tests::store_at().await;
        let other = crate::store::Store::connect(&url).await.unwrap();
        let one = LookupLimits::shared(settings(rules), store).await.unwrap();
        let two = LookupLimits::shared(settings(rules), other).await.unwrap();
        (dir, [Arc::new(one), Arc::new(two)])
    }

    fn spent(refusal: Result<(), LinkRefusal>) -> [bool; 3] {
        match refusal {
            Err(LinkRefusal::Spent { waits }) => {
                assert!(waits.iter().flatten().all(|wait| *wait >= Duration::from_secs(1)));
                waits.map(|wait| wait.is_some())
            }
            other => panic!("not refused as spent: {other:?}"),
        }
    }

    /// Requests alternate between `servers` (the same limits twice, or two
    /// servers sharing them): the allowances are counted once either way.
    async fn each_allowance_refuses_and_says_which(servers: [Arc<LookupLimits>; 2]) {
        let [l, m] = servers;
        let a = Client::new(Some("203.0.113.1".parse().unwrap()));
        let b = Client::new(Some("203.0.113.2".parse().unwrap()));
        assert!(l.reserve_link_request(&a, "s", "x@example.com").await.is_ok());
        assert!(m.reserve_link_request(&a, "s", "x@example.com").await.is_ok());
        assert_eq!(
            spent(l.reserve_link_request(&a, "s", "x@example.com").await),
            [true, false, false]
        );
        // A refused request took nothing: the client still has one left.
        assert!(m.reserve_link_request(&a, "s", "y@example.com").await.is_ok());
        assert_eq!(
            spent(l.reserve_link_request(&a, "s", "z@example.com").await),
            [false, true, false]
        );
        // The shop's fourth request passes, the fifth is refused whoever asks.
        assert!(m.reserve_link_request(&b, "s", "w@example.com").await.is_ok());
        assert_eq!(
            spent(l.reserve_link_request(&b, "s", "v@example.com").await),
            [false, false, true]
        );
        // Another shop has its own allowances.
        assert!(m.reserve_link_request(&b, "t", "x@example.com").await.is_ok());
    }

    const SMALL: LinkRules = LinkRules {
        per_email: 2,
        per_client: 3,
        per_shop: 4,
        window: Duration::from_secs(60 * 60),
    };

    /// A request given back (it could not be queued) is as if never made.
    async fn a_request_given_back_spends_nothing(servers: [Arc<LookupLimits>; 2]) {
        let [l, m] = servers;
        let a = Client::new(Some("203.0.113.1".parse().unwrap()));
        for _ in 0..10 {
            assert!(l.reserve_link_request(&a, "s", "x@example.com").await.is_ok());
            m.release_link_request(&a, "s", "x@example.com").await;
        }
        assert!(l.reserve_link_request(&a, "s", "x@example.com").await.is_ok());
        assert!(m.reserve_link_request(&a, "s", "x@example.com").await.is_ok());
        assert_eq!(
            spent(l.reserve_link_request(&a, "s", "x@example.com").await),
            [true, false, false]
        );
    }

    #[tokio::test]
    async fn a_request_given_back_spends_nothing_in_memory() {
        let l = Arc::new(LookupLimits::new(settings(SMALL)));
        a_request_given_back_spends_nothing([l.clone(), l]).await;
    }

    #[tokio::test]
    async fn a_request_given_back_spends_nothing_across_servers_sharing_limits() {
        let (_dir, servers) = shared(SMALL).await;
        a_request_given_back_spends_nothing(servers).await;
    }

    #[tokio::test]
    async fn each_allowance_refuses_and_says_which_in_memory() {
        let l = Arc::new(LookupLimits::new(settings(SMALL)));
        each_allowance_refuses_and_says_which([l.clone(), l]).await;
    }

    #[tokio::test]
    async fn each_allowance_refuses_and_says_which_across_servers_sharing_limits() {
        let (_dir, servers) = shared(SMALL).await;
        each_allowance_refuses_and_says_which(servers).await;
    }

    /// 200 requests at once for one address, through `servers`: three pass.
    /// One shed because the database was busy (its connections all taken
    /// longer than a request waits, on a busy machine) is asked again, as the
    /// server's client would ask again.
    async fn a_burst_gets_exactly_the_allowance(servers: [Arc<LookupLimits>; 2]) {
        let mut burst = tokio::task::JoinSet::new();
        for i in 0..200u32 {
            let l = servers[i as usize % 2].clone();
            burst.spawn(async move {
                let client = Client::new(Some(format!("198.51.100.{}", i % 250).parse().unwrap()));
                for _ in 0..10 {
                    match l.reserve_link_request(&client, "s", "x@example.com").await {
                        Err(LinkRefusal::Unavailable) => tokio::time::sleep(Duration::from_millis(100)).await,
                        decided => return decided,
                    }
                }
                Err(LinkRefusal::Unavailable)
            });
        }
        let (mut passed, mut refused) = (0, 0);
        while let Some(outcome) = burst.join_next().await {
            match outcome.unwrap() {
                Ok(()) => passed += 1,
                Err(LinkRefusal::Spent { waits }) => {
                    assert_eq!(waits.map(|wait| wait.is_some()), [true, false, false]);
                    refused += 1;
                }
                Err(LinkRefusal::Unavailable) => panic!("the shared allowances were unavailable"),
            }
        }
        assert_eq!((passed, refused), (3, 197));
    }

    const BURST: LinkRules = LinkRules {
        per_email: 3,
        per_client: 1_000,
        per_shop: 1_000,
        window: Duration::from_secs(60 * 60),
    };

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_burst_gets_exactly_the_allowance_in_memory() {
        let l = Arc::new(LookupLimits::new(settings(BURST)));
        a_burst_gets_exactly_the_allowance([l.clone(), l]).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_burst_through_two_servers_sharing_limits_gets_the_allowance_once() {
        let (_dir, servers) = shared(BURST).await;
        a_burst_gets_exactly_the_allowance(servers).await;
    }
}
