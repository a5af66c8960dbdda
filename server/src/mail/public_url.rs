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
    let host_ok = authority
        .host()
        .split('.')
        .all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b"-:[]".contains(&b)));
    let bare = uri
        .path_and_query()
        .is_none_or(|p| p.as_str().is_empty() || p.as_str() == "/");
    (host_ok && bare).then(|| format!("{scheme}://{authority}"))
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
        ] {
            assert_eq!(checked_public_url(bad), None, "{bad}");
        }
    }
}
