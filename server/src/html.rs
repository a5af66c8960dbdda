//! Pages the server renders itself (the console, the list behind an order link):
//! one finished document, answered as private HTML under its own policy. And
//! what every page says to caches, whoever rendered it.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// What a page that says nothing else tells caches: a browser may keep it but
/// asks again before every use, and no shared cache keeps it (each page carries
/// a Content-Security-Policy nonce of its own, which must not reach other
/// visitors). Pages that say `no-store` keep saying it.
pub const PAGE_CACHE_CONTROL: &str = "private, no-cache";

/// Every HTML answer varies with `Accept-Language` (a page's language follows it
/// unless `?locale=` or a signed-in console account's choice says otherwise;
/// said of every page, so that none is missed)
/// besides what it already varies on, and says [`PAGE_CACHE_CONTROL`] unless it
/// says something of its own. Runs outside the compression layer, which adds
/// `Vary: accept-encoding`, so that the two are one header.
pub async fn page_caching(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    if html {
        let headers = response.headers_mut();
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static(PAGE_CACHE_CONTROL));
        vary_on(headers, "accept-language");
    }
    response
}

/// Adds `name` to the answer's `Vary` (one header, the names it had kept)
/// unless it is there already or the answer varies on everything (`*`).
fn vary_on(headers: &mut HeaderMap, name: &str) {
    let mut names: Vec<String> = headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if names.iter().any(|v| v == "*" || v.eq_ignore_ascii_case(name)) {
        return;
    }
    names.push(name.to_string());
    if let Ok(value) = HeaderValue::from_str(&names.join(", ")) {
        headers.insert(header::VARY, value);
    }
}

/// For the routes whose address holds a secret token (a set-password link, an
/// order link): whatever the page loads or posts is told its origin only, never
/// the address, so the token reaches no access log as a `Referer`. Not
/// `no-referrer`: under it, browsers without Sec-Fetch-Site send `Origin: null`
/// on the page's own forms, which the guard refuses as cross-site.
pub fn token_in_address() -> tower_http::set_header::SetResponseHeaderLayer<HeaderValue> {
    tower_http::set_header::SetResponseHeaderLayer::overriding(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin"),
    )
}

/// `html` (a rendered `<html>` element) as a page: its doctype, UTF-8, the
/// Content-Security-Policy `policy`, never cached.
pub fn private_page(status: StatusCode, html: String, policy: &'static str) -> Response {
    let mut response = (status, format!("<!DOCTYPE html>{html}")).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vary_gains_a_name_once_in_one_header() {
        let mut headers = HeaderMap::new();
        vary_on(&mut headers, "accept-language");
        assert_eq!(headers[header::VARY], "accept-language");
        let mut headers = HeaderMap::new();
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        headers.append(header::VARY, HeaderValue::from_static("origin"));
        vary_on(&mut headers, "accept-language");
        vary_on(&mut headers, "accept-language");
        assert_eq!(headers.get_all(header::VARY).iter().count(), 1);
        assert_eq!(headers[header::VARY], "accept-encoding, origin, accept-language");
        let mut headers = HeaderMap::new();
        headers.insert(header::VARY, HeaderValue::from_static("*"));
        vary_on(&mut headers, "accept-language");
        assert_eq!(headers[header::VARY], "*");
    }
}
