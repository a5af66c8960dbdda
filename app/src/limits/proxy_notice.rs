//! Telling the operator when the proxy in front is not set up the way the
//! limits need. Behind a proxy that is not trusted (`--trusted-proxy`), every
//! client's requests arrive from the proxy's address, so that all of them share
//! one client's allowances and connections; behind a trusted proxy that adds no
//! `X-Forwarded-For` (nginx adds none unless told to), the same. Neither
//! shows in any answer, so each is counted (`lookout_proxy_warnings_total`,
//! by reason) and logged as a warning: the first time, then at most once an
//! hour, however many requests show it.
//!
//! The log names the peer when its address is a private or loopback one (a
//! proxy, most likely, which is what the operator needs to name); a public
//! address is shown as the console shows clients (`203.0.113.x`): it may be a
//! shopper writing the header itself.

use super::Client;
use crate::reminder::Reminder;
use std::net::IpAddr;
use std::time::Duration;

/// How often a warning is logged again while its cause lasts: an hour.
const REMIND: Duration = Duration::from_secs(3600);

/// What is wrong with a request's proxy headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyWarning {
    /// `X-Forwarded-For` from a peer that is not a trusted proxy: ignored.
    Untrusted,
    /// A trusted proxy's request whose `X-Forwarded-For` names no client
    /// (none, empty, or no address): its client counts as the proxy.
    NoForwarded,
}

impl ProxyWarning {
    /// The reason's label on `lookout_proxy_warnings_total`.
    pub const fn label(self) -> &'static str {
        match self {
            ProxyWarning::Untrusted => "forwarded_untrusted",
            ProxyWarning::NoForwarded => "proxy_without_forwarded",
        }
    }

    /// Every reason, for listing the series at 0.
    pub const ALL: [ProxyWarning; 2] = [ProxyWarning::Untrusted, ProxyWarning::NoForwarded];

    /// What a request shows, if anything: `trusted` is whether its peer is a
    /// trusted proxy, `forwarded` whether it sent `X-Forwarded-For`, and
    /// `named` whether the client worked out is another than the peer.
    pub fn of(trusted: bool, forwarded: bool, named: bool) -> Option<ProxyWarning> {
        match (trusted, forwarded, named) {
            (false, true, _) => Some(ProxyWarning::Untrusted),
            (true, _, false) => Some(ProxyWarning::NoForwarded),
            _ => None,
        }
    }

    /// Counts a request from `peer` showing this, and logs it when due.
    pub fn note(self, peer: IpAddr) {
        metrics::counter!("lookout_proxy_warnings_total", "reason" => self.label()).increment(1);
        static DUE: [Reminder; 2] = [Reminder::new(REMIND), Reminder::new(REMIND)];
        if DUE[self as usize].due() {
            self.log(peer);
        }
    }

    fn log(self, peer: IpAddr) {
        let (shown, setting) = shown(peer);
        match self {
            ProxyWarning::Untrusted => tracing::warn!(
                peer = %shown,
                "a request from {shown} carried X-Forwarded-For, but {shown} is not a trusted proxy: the header is \
                 ignored and every client behind that address counts as one (one allowance, one share of \
                 connections). If it is your proxy, start with --trusted-proxy {setting}; if no proxy of yours \
                 is in front, a client or its own network's proxy wrote the header and nothing needs doing. \
                 Logged at most once an hour; counted in lookout_proxy_warnings_total"
            ),
            ProxyWarning::NoForwarded => tracing::warn!(
                peer = %shown,
                "a request from the trusted proxy {shown} carried no X-Forwarded-For naming a client: its client \
                 counts as the proxy, and every such client shares one allowance. Make the proxy add it (nginx: \
                 proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for). Logged at most once an hour; \
                 counted in lookout_proxy_warnings_total"
            ),
        }
    }
}

/// A peer as the log shows it, and the `--trusted-proxy` value naming it:
/// whole when private or loopback (a proxy's address, most likely; an
/// IPv4-mapped one as IPv4), else masked as the console shows clients, with
/// no value to copy (it may be a shopper's).
fn shown(peer: IpAddr) -> (String, String) {
    let peer = super::client::canonical(peer);
    let local = match peer {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
    };
    match local {
        true => (peer.to_string(), peer.to_string()),
        false => (Client::new(Some(peer)).masked(), "ITS-ADDRESS".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_untrusted_peer_forwarding_or_a_trusted_one_naming_no_client_is_warned_of() {
        assert_eq!(ProxyWarning::of(false, true, false), Some(ProxyWarning::Untrusted));
        assert_eq!(ProxyWarning::of(true, false, false), Some(ProxyWarning::NoForwarded));
        // A header that names no address: the client is the proxy.
        assert_eq!(ProxyWarning::of(true, true, false), Some(ProxyWarning::NoForwarded));
        assert_eq!(ProxyWarning::of(false, false, false), None);
        assert_eq!(ProxyWarning::of(true, true, true), None);
    }

    #[test]
    fn a_private_peer_is_named_and_a_public_one_masked() {
        let shown = |ip: &str| shown(ip.parse().unwrap());
        let named = |ip: &str| (ip.to_string(), ip.to_string());
        assert_eq!(shown("127.0.0.1"), named("127.0.0.1"));
        assert_eq!(shown("10.1.2.3"), named("10.1.2.3"));
        assert_eq!(shown("fd00::7"), named("fd00::7"));
        assert_eq!(shown("::1"), named("::1"));
        // On a dual-stack listener, IPv4 peers arrive mapped.
        assert_eq!(shown("::ffff:127.0.0.1"), named("127.0.0.1"));
        assert_eq!(shown("::ffff:10.0.0.5"), named("10.0.0.5"));
        // Each named value is one --trusted-proxy takes.
        assert!(super::super::Proxies::parse(&[shown("::ffff:10.0.0.5").1]).is_ok());
        let masked = |as_shown: &str| (as_shown.to_string(), "ITS-ADDRESS".to_string());
        assert_eq!(shown("203.0.113.9"), masked("203.0.113.x"));
        assert_eq!(shown("::ffff:203.0.113.9"), masked("203.0.113.x"));
        assert_eq!(shown("2001:db8:1:2:3:4:5:6"), masked("2001:db8:1:2::/64"));
    }
}
