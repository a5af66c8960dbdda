//! Connections per client: at most so many open at once from one IPv4 address
//! or IPv6 /64, so that one host cannot hold every connection slot (HTTP/2
//! connections that answer pings stay open as long as their client likes), and
//! at most so many from one IPv6 /48, so that one site (a home is given a /56:
//! 256 /64s) cannot either. A trusted proxy's connections carry many clients and
//! are not counted. The tables hold one entry per client (and per /48) with a
//! connection open, so they are never larger than the connections served at once.

use app::limits::{Client, Proxies};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// Connections one client may have open at once, unless configured. Generous:
/// a browser opens at most six per site, and carrier-grade NAT puts many
/// shoppers behind one address.
pub const PER_CLIENT: usize = 256;

/// Connections one IPv6 /48 may have open at once, unless configured: a quarter
/// of the server's, so that one site cannot take them all, and many times what
/// the shoppers behind one mobile carrier's prefix open at once.
pub const PER_SITE: usize = crate::serve::MAX_CONNECTIONS / 4;

/// Who may open how many connections.
#[derive(Debug, Clone)]
pub struct PeerRules {
    /// Connections one client may have open at once (0: no cap).
    pub per_client: usize,
    /// Connections one IPv6 /48 may have open at once (0: no cap).
    pub per_site: usize,
    /// Proxies whose connections are not counted.
    pub proxies: Proxies,
}

impl Default for PeerRules {
    fn default() -> PeerRules {
        PeerRules {
            per_client: PER_CLIENT,
            per_site: PER_SITE,
            proxies: Proxies::none(),
        }
    }
}

/// The connections open per client and per IPv6 /48.
#[derive(Debug)]
pub struct Peers {
    rules: PeerRules,
    open: Mutex<Open>,
}

/// Connections open per client, and per IPv6 /48.
#[derive(Debug, Default)]
struct Open {
    clients: HashMap<Client, usize>,
    sites: HashMap<[u8; 6], usize>,
}

/// True when `key` has fewer than `cap` places taken (0: no cap).
fn has_room<K: std::hash::Hash + Eq>(counts: &HashMap<K, usize>, key: &K, cap: usize) -> bool {
    cap == 0 || counts.get(key).copied().unwrap_or(0) < cap
}

/// Gives a place back under `key`, forgetting keys with none.
fn give_back<K: std::hash::Hash + Eq>(counts: &mut HashMap<K, usize>, key: &K) {
    if let Some(count) = counts.get_mut(key) {
        *count -= 1;
        if *count == 0 {
            counts.remove(key);
        }
    }
}

/// One connection's place in its client's count; given back when dropped.
#[derive(Debug)]
pub struct PeerSlot {
    peers: Arc<Peers>,
    client: Option<Client>,
}

impl Peers {
    pub fn new(rules: PeerRules) -> Arc<Peers> {
        Arc::new(Peers {
            rules,
            open: Mutex::new(Open::default()),
        })
    }

    /// A place for a new connection from `peer`, or None when its client, or
    /// its IPv6 /48, has its share open already.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<PeerSlot> {
        let uncapped = self.rules.per_client == 0 && self.rules.per_site == 0;
        if uncapped || self.rules.proxies.is_proxy(peer) {
            return Some(PeerSlot {
                peers: self.clone(),
                client: None,
            });
        }
        let client = Client::new(Some(peer));
        if self.rules.per_client == 0 && client.site().is_none() {
            // IPv4 has no site cap: with no client cap, nothing to count.
            return Some(PeerSlot {
                peers: self.clone(),
                client: None,
            });
        }
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let site_free = client
            .site()
            .is_none_or(|site| has_room(&open.sites, &site, self.rules.per_site));
        if !site_free || !has_room(&open.clients, &client, self.rules.per_client) {
            return None;
        }
        *open.clients.entry(client).or_insert(0) += 1;
        if let Some(site) = client.site() {
            *open.sites.entry(site).or_insert(0) += 1;
        }
        Some(PeerSlot {
            peers: self.clone(),
            client: Some(client),
        })
    }

    /// Clients with a connection open (for tests and metrics).
    pub fn clients(&self) -> usize {
        self.open.lock().unwrap_or_else(PoisonError::into_inner).clients.len()
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let Some(client) = self.client else { return };
        let mut open = self.peers.open.lock().unwrap_or_else(PoisonError::into_inner);
        give_back(&mut open.clients, &client);
        if let Some(site) = client.site() {
            give_back(&mut open.sites, &site);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(per_client: usize, proxies: &[&str]) -> PeerRules {
        PeerRules {
            per_client,
            per_site: 0,
            proxies: Proxies::parse(proxies).unwrap(),
        }
    }

    #[test]
    fn a_client_gets_its_share_and_its_places_back() {
        let peers = Peers::new(rules(2, &[]));
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let (a, b) = (peers.admit(ip), peers.admit(ip));
        assert!(a.is_some() && b.is_some());
        assert!(peers.admit(ip).is_none(), "a third is refused");
        assert!(
            peers.admit("203.0.113.8".parse().unwrap()).is_some(),
            "another client is not"
        );
        drop(a);
        assert!(peers.admit(ip).is_some(), "a place given back is taken again");
    }

    #[test]
    fn an_ipv6_client_is_its_64_and_the_table_empties() {
        let peers = Peers::new(rules(1, &[]));
        let first = peers.admit("2001:db8:1:2::1".parse().unwrap());
        assert!(first.is_some());
        assert!(
            peers.admit("2001:db8:1:2::ffff".parse().unwrap()).is_none(),
            "the same /64"
        );
        let other = peers.admit("2001:db8:1:3::1".parse().unwrap());
        assert!(other.is_some());
        assert_eq!(peers.clients(), 2);
        drop((first, other));
        assert_eq!(peers.clients(), 0, "no entry without a connection");
    }

    #[test]
    fn a_trusted_proxy_and_a_cap_of_zero_are_not_counted() {
        let peers = Peers::new(rules(1, &["10.0.0.0/8"]));
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        let held: Vec<_> = (0..10).map(|_| peers.admit(proxy)).collect();
        assert!(held.iter().all(Option::is_some));
        assert_eq!(peers.clients(), 0);
        let open = Peers::new(rules(0, &[]));
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let held: Vec<_> = (0..10).map(|_| open.admit(ip)).collect();
        assert!(held.iter().all(Option::is_some));
    }

    #[test]
    fn one_ipv6_site_holds_its_share_across_its_64s() {
        let peers = Peers::new(PeerRules {
            per_client: 2,
            per_site: 3,
            proxies: Proxies::none(),
        });
        // Three /64s of one home's /56, two connections each: the site's three go first.
        let home = |n: u8, host: u8| -> IpAddr { format!("2001:db8:7:{n:x}00::{host}").parse().unwrap() };
        let held: Vec<_> = [(1, 1), (1, 2), (2, 1)]
            .iter()
            .map(|&(n, h)| peers.admit(home(n, h)))
            .collect();
        assert!(held.iter().all(Option::is_some));
        assert!(peers.admit(home(3, 1)).is_none(), "a fourth /64 of the same /48");
        assert!(peers.admit(home(2, 2)).is_none());
        // Another /48 and IPv4 are not held back by it.
        assert!(peers.admit("2001:db8:8::1".parse().unwrap()).is_some());
        let v4: Vec<_> = (0..2).map(|_| peers.admit("203.0.113.7".parse().unwrap())).collect();
        assert!(v4.iter().all(Option::is_some), "IPv4 has no site cap");
        // A client's own cap still holds inside its site, and places come back.
        drop(held);
        let again: Vec<_> = (0..3).map(|h| peers.admit(home(1, h))).collect();
        assert_eq!(again.iter().filter(|s| s.is_some()).count(), 2, "two per /64");
        drop(again);
        assert_eq!(
            peers.open.lock().unwrap().sites.len(),
            0,
            "no entry without a connection"
        );
    }

    #[test]
    fn the_site_cap_alone_applies_when_the_client_cap_is_off() {
        let peers = Peers::new(PeerRules {
            per_client: 0,
            per_site: 1,
            proxies: Proxies::none(),
        });
        let first = peers.admit("2001:db8:9:1::1".parse().unwrap());
        assert!(first.is_some());
        assert!(peers.admit("2001:db8:9:2::1".parse().unwrap()).is_none());
        let v4: Vec<_> = (0..10).map(|_| peers.admit("203.0.113.7".parse().unwrap())).collect();
        assert!(v4.iter().all(Option::is_some));
        assert_eq!(peers.clients(), 1, "IPv4 is not counted without a client cap");
    }
}
