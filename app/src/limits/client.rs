//! Who a request comes from, as the limits count it: the connection's peer, or,
//! when that peer is a proxy the operator trusts, the address that proxy says it
//! served. IPv6 clients count by their /64 (one subscriber's whole network).

use super::proxy_notice::ProxyWarning;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// How many `X-Forwarded-For` entries are read at most, from the right.
const MAX_HOPS: usize = 32;

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxies {
    nets: Vec<IpNet>,
    /// Believe the connecting peer whatever its address (`--trust-proxy`): for a
    /// single proxy in front whose address is not known in advance.
    any_peer: bool,
}

impl Proxies {
    /// No proxy is trusted: the client is the connection's peer.
    pub fn none() -> Proxies {
        Proxies::default()
    }

    /// Trust these networks (`--trusted-proxy CIDR`; a bare address is a /32 or /128).
    pub fn parse<S: AsRef<str>>(cidrs: &[S]) -> Result<Proxies, String> {
        let nets = cidrs
            .iter()
            .map(|c| {
                let c = c.as_ref().trim();
                c.parse::<IpNet>()
                    .or_else(|_| c.parse::<IpAddr>().map(IpNet::from))
                    .map(|n| n.trunc())
                    .map_err(|_| format!("invalid trusted proxy {c:?}: use an address or a CIDR such as 10.0.0.0/8"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Proxies { nets, any_peer: false })
    }

    /// The same, also believing the connecting peer whatever its address.
    pub fn with_any_peer(mut self, any_peer: bool) -> Proxies {
        self.any_peer = any_peer;
        self
    }

    /// True when some proxy is trusted at all.
    pub fn is_configured(&self) -> bool {
        self.any_peer || !self.nets.is_empty()
    }

    /// True when a connection from `peer` is a trusted proxy's: it carries many
    /// clients' requests.
    pub fn is_proxy(&self, peer: IpAddr) -> bool {
        self.any_peer || self.trusts(peer)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|n| n.contains(&ip))
    }

    /// The client of a connection from `peer` carrying these `X-Forwarded-For`
    /// header lines (in order). Entries are read from the right, across every line,
    /// skipping trusted hops, and only while the hop that added them is trusted. An
    /// entry that is no address stops the walk at the last trusted hop.
    pub fn client<'a>(&self, peer: Option<IpAddr>, forwarded: impl Iterator<Item = &'a str>) -> Option<IpAddr> {
        let peer = peer.map(canonical)?;
        if !(self.any_peer || self.trusts(peer)) {
            return Some(peer);
        }
        let lines: Vec<&str> = forwarded.collect();
        let entries = lines.iter().rev().flat_map(|line| line.rsplit(',')).take(MAX_HOPS);
        let mut hop = peer;
        for entry in entries {
            match parse_entry(entry) {
                Some(ip) => {
                    hop = ip;
                    if !self.trusts(ip) {
                        return Some(ip);
                    }
                }
                None => return Some(hop),
            }
        }
        Some(hop)
    }
}

/// An `X-Forwarded-For` entry: an address, possibly with a port (`[v6]:port`, `v4:port`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| entry.strip_prefix('[')?.strip_suffix(']')?.parse().ok())
        .map(canonical)
}

/// IPv4-mapped IPv6 addresses are their IPv4 address.
pub(super) fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The identity the limits count a client by: an IPv4 address or an IPv6 /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Client(Option<IpAddr>);

impl Client {
    /// The client at `ip` (`None`: no address known; all such share one allowance).
    pub fn new(ip: Option<IpAddr>) -> Client {
        Client(ip.map(|ip| match canonical(ip) {
            IpAddr::V6(v6) => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(bits))
            }
            v4 => v4,
        }))
    }

    /// How the console shows a client: an IPv4 address without its last part
    /// (`203.0.113.x`), an IPv6 /64 (`2001:db8:1:2::/64`), or `unknown`.
    pub fn masked(&self) -> String {
        match self.0 {
            Some(IpAddr::V4(v4)) => {
                let [a, b, c, _] = v4.octets();
                format!("{a}.{b}.{c}.x")
            }
            Some(IpAddr::V6(v6)) => format!("{v6}/64"),
            None => "unknown".to_string(),
        }
    }

    /// The IPv6 /48 the client is in (a site's prefix; a home's /56 lies in
    /// one), as its first 6 bytes; None for IPv4 and unknown clients.
    pub fn site(&self) -> Option<[u8; 6]> {
        match self.0 {
            Some(IpAddr::V6(v6)) => {
                let o = v6.octets();
                Some([o[0], o[1], o[2], o[3], o[4], o[5]])
            }
            _ => None,
        }
    }

    /// The bytes the client's limiter key is made from.
    pub fn key_bytes(&self) -> Vec<u8> {
        match self.0 {
            Some(IpAddr::V4(v4)) => v4.octets().to_vec(),
            Some(IpAddr::V6(v6)) => v6.octets().to_vec(),
            None => Vec::new(),
        }
    }
}

/// The client of a request, from its connection (axum's `ConnectInfo`) and headers;
/// the one already found for it, if a layer before kept it in the request's
/// extensions (so that a proxy's request is counted once, however many parts
/// of the server ask).
pub fn client_of(parts: &http::request::Parts, proxies: &Proxies) -> Client {
    if let Some(client) = parts.extensions.get::<Client>() {
        return *client;
    }
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded = parts.headers.get_all("x-forwarded-for");
    let client = proxies.client(peer, forwarded.iter().filter_map(|v| v.to_str().ok()));
    if let Some(peer) = peer {
        let named = client.is_some_and(|client| client != canonical(peer));
        let warning = ProxyWarning::of(proxies.is_proxy(peer), forwarded.iter().next().is_some(), named);
        if let Some(warning) = warning {
            warning.note(peer);
        }
    }
    Client::new(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn client(p: &Proxies, peer: &str, lines: &[&str]) -> Option<IpAddr> {
        p.client(Some(ip(peer)), lines.iter().copied())
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let p = Proxies::parse(&["10.0.0.0/8"]).unwrap();
        assert_eq!(client(&p, "203.0.113.9", &["198.51.100.1"]), Some(ip("203.0.113.9")));
        assert_eq!(
            client(&Proxies::none(), "127.0.0.1", &["198.51.100.1"]),
            Some(ip("127.0.0.1"))
        );
    }

    #[test]
    fn a_forged_entry_left_of_the_proxys_own_is_ignored() {
        let p = Proxies::parse(&["10.0.0.1"]).unwrap();
        // The client wrote its own header; the proxy appended the real address.
        assert_eq!(
            client(&p, "10.0.0.1", &["1.2.3.4, 5.6.7.8, 203.0.113.9"]),
            Some(ip("203.0.113.9"))
        );
        // The proxy added a second header line instead of appending: read across lines.
        assert_eq!(
            client(&p, "10.0.0.1", &["1.2.3.4", "203.0.113.9"]),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn two_trusted_hops_are_skipped() {
        let p = Proxies::parse(&["10.0.0.0/8", "192.168.1.0/24"]).unwrap();
        assert_eq!(
            client(&p, "10.0.0.1", &["6.6.6.6, 203.0.113.9, 192.168.1.20"]),
            Some(ip("203.0.113.9"))
        );
        // Only trusted hops: the leftmost one is as far as we know.
        assert_eq!(client(&p, "10.0.0.1", &["192.168.1.20"]), Some(ip("192.168.1.20")));
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(
            client(&p, "10.0.0.1", &["6.6.6.6, junk, 192.168.1.20"]),
            Some(ip("192.168.1.20"))
        );
    }

    #[test]
    fn any_peer_trusts_one_hop_only() {
        let p = Proxies::none().with_any_peer(true);
        assert_eq!(
            client(&p, "172.16.0.5", &["1.2.3.4, 203.0.113.9"]),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(client(&p, "172.16.0.5", &[]), Some(ip("172.16.0.5")));
    }

    #[test]
    fn ports_brackets_and_mapped_addresses_are_understood() {
        let p = Proxies::parse(&["::1"]).unwrap();
        assert_eq!(client(&p, "::1", &["[2001:db8::1]:443"]), Some(ip("2001:db8::1")));
        assert_eq!(client(&p, "::1", &["203.0.113.9:5000"]), Some(ip("203.0.113.9")));
        assert_eq!(client(&p, "::ffff:127.0.0.1", &[]), Some(ip("127.0.0.1")));
        let v4 = Proxies::parse(&["127.0.0.1"]).unwrap();
        assert_eq!(
            client(&v4, "::ffff:127.0.0.1", &["203.0.113.9"]),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn bad_proxy_settings_are_refused_with_the_value() {
        let err = Proxies::parse(&["10.0.0.0/33"]).unwrap_err();
        assert!(err.contains("10.0.0.0/33"), "{err}");
        assert!(Proxies::parse(&["nonsense"]).is_err());
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        assert_eq!(
            Client::new(Some(ip("2001:db8:1:2:aaaa::1"))),
            Client::new(Some(ip("2001:db8:1:2:bbbb::9")))
        );
        assert_ne!(
            Client::new(Some(ip("2001:db8:1:2::1"))),
            Client::new(Some(ip("2001:db8:1:3::1")))
        );
        assert_ne!(Client::new(Some(ip("192.0.2.1"))), Client::new(Some(ip("192.0.2.2"))));
    }
}
