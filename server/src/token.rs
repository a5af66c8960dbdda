//! Opaque tokens: 32 random bytes as hex, of which the database keeps only the
//! SHA-256. Console sessions, CSRF tokens, set-password links and shoppers'
//! order links all use these.

use axum::http::{header, HeaderMap, HeaderValue};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A new token: 32 random bytes from the operating system, as 64 hex digits.
pub fn token() -> String {
    crate::keys::webhook_secret()
}

/// True for text shaped like a [`token`] (64 hex digits): anything else is
/// refused before any query.
pub fn is_token(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The SHA-256 of a token, hex: what the database keeps of it.
pub fn digest(token: &str) -> String {
    digest_bytes(token.as_bytes())
}

/// [`digest`] of bytes that need not be text.
pub fn digest_bytes(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two tokens in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// The cookies of a request that are read: more than a browser keeps for one
/// site; a header of thousands is read no further.
const MAX_COOKIES: usize = 200;

/// The value of the cookie `name`, if the request has it (and it is token-shaped).
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .take(MAX_COOKIES)
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| is_token(v))
}

/// A `Set-Cookie` value for a token cookie: HttpOnly, on `path`, with `same_site`,
/// kept `max_age_secs`; `None` clears it. `Secure` when the site is reached over HTTPS.
pub fn set_cookie(
    name: &'static str,
    value: Option<&str>,
    path: &str,
    same_site: &str,
    max_age_secs: i64,
    secure: bool,
) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let (value, max_age) = match value {
        Some(v) => (v, max_age_secs),
        None => ("", 0),
    };
    let text = format!("{name}={value}; Path={path}; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| {
        HeaderValue::from_str(&format!("{name}=; Max-Age=0")).unwrap_or(HeaderValue::from_static("Max-Age=0"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_compare_exactly() {
        let (a, b) = (token(), token());
        assert!(is_token(&a) && is_token(&b));
        assert_ne!(a, b);
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &b));
        assert!(!same_token(&a, &a[..63]));
        assert!(!is_token("zz") && !is_token(&format!("{a}0")));
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), a);
    }

    #[test]
    fn a_cookie_is_found_among_the_first_ones_read() {
        let t = token();
        let header = |before: usize| {
            let mut headers = HeaderMap::new();
            let value = format!("{}lookout={t}", "a=b; ".repeat(before));
            headers.insert(header::COOKIE, value.parse().unwrap());
            headers
        };
        assert_eq!(cookie(&header(0), "lookout"), Some(t.as_str()));
        assert_eq!(cookie(&header(MAX_COOKIES - 1), "lookout"), Some(t.as_str()));
        assert_eq!(cookie(&header(MAX_COOKIES), "lookout"), None, "read no further");
        assert_eq!(cookie(&header(0), "other"), None);
    }
}
