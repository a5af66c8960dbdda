//! What every request passes before its handler: shopper forms only from
//! Lookout's own pages, small bodies for them, and no caching of anything that
//! may carry order data.
//!
//! A page on another site can make a shopper's browser post a form here; if the
//! answer (a redirect, a status) differed between a hit and a miss, that page
//! could use its visitors to guess orders. Browsers say where a request comes
//! from (`Sec-Fetch-Site`, else `Origin`), so such posts are refused before any
//! lookup. The embedded widget is a page of Lookout's own origin inside the
//! merchant's frame, so its posts are same-origin and pass.
//!
//! An origin is a scheme as well as a host. Behind a TLS proxy Lookout cannot
//! see which scheme a request came by, so the `Origin` fallback checks the
//! scheme only when Lookout knows it is served over HTTPS (`--secure-cookies`,
//! or HSTS): then a page on plain `http://` at the same host is another origin.

use crate::problem::ApiError;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest body a shopper's form or the page's server functions may send.
pub const MAX_FORM_BODY: u64 = 16 * 1024;

/// Browser form posts: the page's server functions (`/api/track`, …), the plain
/// form posts to `/track/{shop}` and `/embed/{shop}`, and the merchant console's
/// forms. The merchant API under `/api/v1` authenticates with keys and JSON bodies instead.
fn is_shopper_post(method: &Method, path: &str) -> bool {
    method == Method::POST
        && ((path.starts_with("/api/") && !path.starts_with("/api/v1/"))
            || path.starts_with("/track/")
            || path.starts_with("/embed/")
            || path.starts_with("/console/"))
}

/// How Lookout's own pages are reached, as far as the server knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Served {
    /// Over HTTPS only (`--secure-cookies` or HSTS): `Origin` must say `https`.
    Https,
    /// Not known (plain HTTP, or TLS ended by a proxy): `Origin` may say either.
    Unknown,
}

/// True when the browser says the request comes from another site.
/// Every current browser sends `Sec-Fetch-Site`; older ones send `Origin` on posts.
/// Requests with neither are not from a browser's cross-site form.
pub fn is_cross_site(headers: &HeaderMap, authority: Option<&str>, served: Served) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let origin = origin.to_str().ok().and_then(|o| o.split_once("://"));
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).or(authority);
    match (origin, host) {
        (Some((scheme, from)), Some(host)) => {
            let scheme_ok = match served {
                Served::Https => scheme.eq_ignore_ascii_case("https"),
                Served::Unknown => scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http"),
            };
            !(scheme_ok && from.trim_end_matches('/').eq_ignore_ascii_case(host))
        }
        // `Origin: null` (a sandboxed or privacy-redirected page) or no host to compare.
        _ => true,
    }
}

/// Refuses cross-site and oversized shopper posts; marks answers `no-store`.
pub async fn guard(State(served): State<Served>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let private = path.starts_with("/api/") || req.method() == Method::POST;
    let shopper_post = is_shopper_post(req.method(), path);
    if shopper_post {
        let authority = req.uri().authority().map(|a| a.as_str());
        if is_cross_site(req.headers(), authority, served) {
            return no_store(crate::refused_form::refusal(req.uri(), req.headers()));
        }
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_FORM_BODY) {
            return no_store(too_large(path, req.headers()));
        }
    }
    let req = if shopper_post && !req.headers().contains_key(header::CONTENT_LENGTH) {
        // A body without a declared length (chunked) is read here, up to the
        // same size, so that one too large is 413 on every path (a server
        // function could not tell it from a failure of its own).
        let (parts, body) = req.into_parts();
        match axum::body::to_bytes(body, MAX_FORM_BODY as usize).await {
            Ok(bytes) => Request::from_parts(parts, axum::body::Body::from(bytes)),
            Err(_) => return no_store(too_large(parts.uri.path(), &parts.headers)),
        }
    } else {
        req
    };
    let response = next.run(req).await;
    if private {
        no_store(response)
    } else {
        response
    }
}

/// A form post over [`MAX_FORM_BODY`], refused unread: a console page in the
/// browser's language for the console's forms (a merchant who pasted an image
/// into a field), the problem document everywhere else.
pub(crate) fn too_large(path: &str, headers: &HeaderMap) -> Response {
    match path.starts_with("/console/") {
        true => crate::console::form_too_large(headers),
        false => ApiError::TooLarge.into_response(),
    }
}

/// Marks a response as not to be stored by any cache (unless it says otherwise).
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        for (site, cross) in [
            ("same-origin", false),
            ("none", false),
            ("same-site", true),
            ("cross-site", true),
        ] {
            let h = headers(&[
                ("sec-fetch-site", site),
                ("origin", "http://a.example"),
                ("host", "a.example"),
            ]);
            for served in [Served::Https, Served::Unknown] {
                assert_eq!(is_cross_site(&h, None, served), cross, "{site}");
            }
        }
    }

    #[test]
    fn without_fetch_metadata_the_origin_must_be_this_host() {
        let unknown = Served::Unknown;
        let own = headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]);
        assert!(!is_cross_site(&own, None, unknown));
        let other = headers(&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")]);
        assert!(is_cross_site(&other, None, unknown));
        let null = headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]);
        assert!(is_cross_site(&null, None, unknown));
        // Another scheme is another origin, whatever the host.
        let ftp = headers(&[("origin", "ftp://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]);
        assert!(is_cross_site(&ftp, None, unknown));
        // HTTP/2 carries the host in the request's authority.
        let h2 = headers(&[("origin", "https://track.example")]);
        assert!(!is_cross_site(&h2, Some("track.example"), unknown));
        // Neither header: not a browser's cross-site form (curl, a server, a test).
        assert!(!is_cross_site(&HeaderMap::new(), None, unknown));
    }

    #[test]
    fn served_over_https_a_plain_http_page_at_the_same_host_is_another_origin() {
        let plain = headers(&[("origin", "http://track.example"), ("host", "track.example")]);
        assert!(is_cross_site(&plain, None, Served::Https));
        assert!(!is_cross_site(&plain, None, Served::Unknown));
        let own = headers(&[("origin", "HTTPS://Track.Example/"), ("host", "track.example")]);
        assert!(!is_cross_site(&own, None, Served::Https));
    }

    #[test]
    fn only_shopper_posts_are_guarded() {
        assert!(is_shopper_post(&Method::POST, "/api/track"));
        assert!(is_shopper_post(&Method::POST, "/track/demo"));
        assert!(is_shopper_post(&Method::POST, "/embed/demo"));
        assert!(!is_shopper_post(&Method::POST, "/api/v1/shops/demo/lookup"));
        assert!(is_shopper_post(&Method::POST, "/console/sign-in"));
        assert!(!is_shopper_post(&Method::GET, "/track/demo"));
    }
}
