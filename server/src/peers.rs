//! Connections per client: at most so many open at once from one IPv4 address
//! or IPv6 /64, so that one host cannot hold every connection slot (HTTP/2
//! connections that answer pings stay open as long as their client likes). A
//! trusted proxy's connections carry many clients and are not counted. The
//! table holds one entry per client with a connection open, so it is never
//! larger than the connections served at once.

use app::limits::{Client, Proxies};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// Connections one client may have open at once, unless configured. Generous:
/// a browser opens at most six per site, and carrier-grade NAT puts many
/// shoppers behind one address.
pub const PER_CLIENT: usize = 256;

/// Who may open how many connections.
#[derive(Debug, Clone)]
pub struct PeerRules {
    /// Connections one client may have open at once (0: no cap).
    pub per_client: usize,
    /// Proxies whose connections are not counted.
    pub proxies: Proxies,
}

impl Default for PeerRules {
    fn default() -> PeerRules {
        PeerRules {
            per_client: PER_CLIENT,
            proxies: Proxies::none(),
        }
    }
}

/// The connections open per client.
#[derive(Debug)]
pub struct Peers {
    rules: PeerRules,
    open: Mutex<HashMap<Client, usize>>,
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
            open: Mutex::new(HashMap::new()),
        })
    }

    /// A place for a new connection from `peer`, or None when its client has
    /// its share open already.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<PeerSlot> {
        if self.rules.per_client == 0 || self.rules.proxies.is_proxy(peer) {
            return Some(PeerSlot {
                peers: self.clone(),
                client: None,
            });
        }
        let client = Client::new(Some(peer));
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(client).or_insert(0);
        if *count >= self.rules.per_client {
            return None;
        }
        *count += 1;
        Some(PeerSlot {
            peers: self.clone(),
            client: Some(client),
        })
    }

    /// Clients with a connection open (for tests and metrics).
    pub fn clients(&self) -> usize {
        self.open.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let Some(client) = self.client else { return };
        let mut open = self.peers.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(per_client: usize, proxies: &[&str]) -> PeerRules {
        PeerRules {
            per_client,
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
}
