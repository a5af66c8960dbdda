//! Limits on requests for a link to one's orders by email: per address at a
//! shop, per client and per shop. Every request counts, found or not, since each
//! one may send a mail; a request takes from all three allowances or from none,
//! before anything is queued.

use super::{take_all, wait_of, Client, LookupLimits, Rule, Table};
use std::sync::Mutex;
use std::time::Duration;

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

/// A refused link request: which allowances were spent (email, client, shop)
/// and how long until one more request would pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkRefusal {
    pub spent: [bool; 3],
    pub wait: Duration,
}

impl LookupLimits {
    /// Takes one request from the allowances of `email_key` (normalised) at `shop`,
    /// of `client` and of `shop`, or from none.
    pub fn reserve_link_request(&self, client: &Client, shop: &str, email_key: &str) -> Result<(), LinkRefusal> {
        let keys = [
            self.key(b'L', &[shop.as_bytes(), email_key.as_bytes()]),
            self.key(b'k', &[&client.key_bytes()]),
            self.key(b'S', &[shop.as_bytes()]),
        ];
        let now = self.now();
        let links = &self.links;
        let mut tables = links.tables.lock().unwrap_or_else(|e| e.into_inner());
        take_all(&mut tables[..], &keys, &links.rules, now).map_err(|spent| {
            let mut which = [false; 3];
            for (i, flag) in which.iter_mut().enumerate() {
                *flag = tables[i].check(&keys[i], links.rules[i], now).is_err();
            }
            LinkRefusal {
                spent: which,
                wait: wait_of(spent),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::LimitSettings;
    use std::sync::Arc;

    fn limits(rules: LinkRules) -> LookupLimits {
        LookupLimits::new(LimitSettings {
            links: rules,
            ..LimitSettings::default()
        })
    }

    #[test]
    fn each_allowance_refuses_and_says_which() {
        let l = limits(LinkRules {
            per_email: 2,
            per_client: 3,
            per_shop: 4,
            ..LinkRules::default()
        });
        let a = Client::new(Some("203.0.113.1".parse().unwrap()));
        let b = Client::new(Some("203.0.113.2".parse().unwrap()));
        assert!(l.reserve_link_request(&a, "s", "x@example.com").is_ok());
        assert!(l.reserve_link_request(&a, "s", "x@example.com").is_ok());
        let refused = l.reserve_link_request(&a, "s", "x@example.com").unwrap_err();
        assert_eq!(refused.spent, [true, false, false]);
        assert!(refused.wait >= Duration::from_secs(1));
        // A refused request took nothing: the client still has one left.
        assert!(l.reserve_link_request(&a, "s", "y@example.com").is_ok());
        assert_eq!(
            l.reserve_link_request(&a, "s", "z@example.com").unwrap_err().spent,
            [false, true, false]
        );
        // The shop's fourth request passes, the fifth is refused whoever asks.
        assert!(l.reserve_link_request(&b, "s", "w@example.com").is_ok());
        assert_eq!(
            l.reserve_link_request(&b, "s", "v@example.com").unwrap_err().spent,
            [false, false, true]
        );
        // Another shop has its own allowances.
        assert!(l.reserve_link_request(&b, "t", "x@example.com").is_ok());
    }

    #[test]
    fn a_burst_gets_exactly_the_allowance() {
        let l = Arc::new(limits(LinkRules {
            per_email: 3,
            per_client: 1_000,
            per_shop: 1_000,
            ..LinkRules::default()
        }));
        let passed: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..200)
                .map(|i| {
                    let l = l.clone();
                    s.spawn(move || {
                        let client = Client::new(Some(format!("198.51.100.{}", i % 250).parse().unwrap()));
                        usize::from(l.reserve_link_request(&client, "s", "x@example.com").is_ok())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
        });
        assert_eq!(passed, 3);
    }
}
