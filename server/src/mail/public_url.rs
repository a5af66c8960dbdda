//! The public URL that links in mail are made from: an origin, nothing more.

/// `http(s)://host[:port]`, or `None` when the URL is anything more (a path, a
/// query, a fragment, userinfo) or another scheme.
pub fn checked_public_url(url: &str) -> Option<String> {
    let url = url.trim().trim_end_matches('/');
    if url.contains(['#', '@', '?']) {
        return None;
    }
    let uri: axum::http::Uri = url.parse().ok()?;
    let scheme = uri.scheme_str().filter(|s| matches!(*s, "http" | "https"))?;
    let authority = uri.authority()?;
    let host_ok = is_host(authority.host());
    // A port, when given, is one a link can reach (1 to 65535, digits only).
    let port_ok = match authority
        .as_str()
        .rsplit_once(']')
        .map_or(authority.as_str(), |(_, rest)| rest)
        .split_once(':')
    {
        None => true,
        Some((_, port)) => crate::settings::port_number(port).is_some(),
    };
    let bare = uri
        .path_and_query()
        .is_none_or(|p| p.as_str().is_empty() || p.as_str() == "/");
    (host_ok && port_ok && bare).then(|| format!("{scheme}://{authority}"))
}

/// Whether a URL's host is one a link can reach: an IPv6 address in
/// brackets, an IPv4 address, or names of letters, digits and inner hyphens
/// (not all digits: `999.999.999.999` is no address).
fn is_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<std::net::Ipv6Addr>().is_ok();
    }
    if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return host.parse::<std::net::Ipv4Addr>().is_ok();
    }
    // A name may end in a dot (`shop.example.`); its last label has a letter
    // (`shop.123` and `0x7f.0.0.1` are neither names nor addresses).
    let name = host.strip_suffix('.').unwrap_or(host);
    let top_has_letter = name
        .rsplit('.')
        .next()
        .is_some_and(|l| l.bytes().any(|b| b.is_ascii_alphabetic()));
    name.len() <= 253 && name.split('.').all(crate::settings::is_label) && top_has_letter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_origins_only() {
        assert_eq!(
            checked_public_url("https://t.example/").as_deref(),
            Some("https://t.example")
        );
        assert_eq!(
            checked_public_url("http://127.0.0.1:3000").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(
            checked_public_url("https://[::1]:3000").as_deref(),
            Some("https://[::1]:3000")
        );
        assert_eq!(
            checked_public_url("https://track.shop-1.example:8443").as_deref(),
            Some("https://track.shop-1.example:8443")
        );
        assert_eq!(
            checked_public_url("https://shop.example.").as_deref(),
            Some("https://shop.example.")
        );
        assert_eq!(
            checked_public_url("http://localhost:3000").as_deref(),
            Some("http://localhost:3000")
        );
        for bad in [
            "t.example",
            "ftp://t.example",
            "https://t.example/x",
            "https://",
            "https://a b",
            "https://e.example?x=1",
            "https://..",
            "https://u:p@t.example",
            "https://t.example#x",
            "https://t.example/#x",
            "https://t.example:99999",
            "https://t.example:80abc",
            "https://t.example:+80",
            "https://t.example:",
            "https://t.example:0",
            "https://[zz]",
            "https://[::1]:99999",
            "https://-.example",
            "https://999.999.999.999",
            "https://shop.123",
            "https://0x7f.0.0.1",
            &format!("https://{}.example", vec!["a".repeat(63); 4].join(".")),
        ] {
            assert_eq!(checked_public_url(bad), None, "{bad}");
        }
    }
}
