//! Addresses mended before routing, as people type and paste them: a shop's
//! slug in capitals (`/track/Nordlys`, as a merchant may write it in a link or
//! in `data-shop`), one slash too many at the end (`/track/demo/`, a console
//! bookmark `/console/shops/demo/settings/`), and a mailed link with the
//! sentence's punctuation after it (`…/o/<token>.`, `…/password/<token>)`, as a
//! chat or a mail client that links the whole word leaves it). A `GET` or
//! `HEAD` of such an address is sent (308) to the address meant, the query
//! kept; anything else is routed as asked. One mend at a time: an address with
//! two faults is sent twice.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The middleware: a 308 to the mended address, else the request goes on.
pub async fn addresses(req: Request, next: Next) -> Response {
    if req.method() == Method::GET || req.method() == Method::HEAD {
        if let Some(location) = mended(req.uri()) {
            return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response();
        }
    }
    next.run(req).await
}

/// The address `uri` was meant to be, when it is one of the faults above.
fn mended(uri: &Uri) -> Option<HeaderValue> {
    let (path, query) = (uri.path(), uri.query());
    let (path, query) = match lower_case_shop(path) {
        Some(path) => (path, query),
        None => match token_as_mailed(path, query) {
            Some(mended) => mended,
            None => (without_trailing_slash(path)?, query),
        },
    };
    let location = match query {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    HeaderValue::from_str(&location).ok()
}

/// A shopper page (`/track/{shop}`, `/embed/{shop}`) whose slug is one in
/// lower case but was asked with capitals. Slugs are lower case, so the page
/// would otherwise be "Page not found" for every shopper.
fn lower_case_shop(path: &str) -> Option<String> {
    let (page, shop) = shopper_page(path)?;
    let lower = shop.to_ascii_lowercase();
    (lower != shop && app::normalize::is_slug(&lower)).then(|| format!("{page}{lower}"))
}

/// `/track/` or `/embed/`, and what follows it.
fn shopper_page(path: &str) -> Option<(&'static str, &str)> {
    match (path.strip_prefix("/track/"), path.strip_prefix("/embed/")) {
        (Some(rest), _) => Some(("/track/", rest)),
        (_, Some(rest)) => Some(("/embed/", rest)),
        _ => None,
    }
}

/// Characters a sentence may leave after a link: closing punctuation and
/// quotes, as typed or percent-encoded (in either case), the Japanese and
/// Chinese full stops (full- and half-width), commas and closing brackets, a
/// space (a plain or a non-breaking one), an escaped `>` and a slash.
const AFTER_A_LINK: &[&str] = &[
    ".",
    ",",
    ";",
    ":",
    "!",
    "?",
    ")",
    "]",
    "}",
    ">",
    "'",
    "\"",
    "/",
    "*",
    "%22",
    "%27",
    "%3E",
    "%29",
    "%5D",
    "%E3%80%82",
    "%E3%80%81",
    "%EF%BC%89",
    "%E2%80%9D",
    "%E2%80%99",
    "%20",
    "%C2%A0",
    "&gt;",
    "%26gt;",
    "%E3%80%8D",
    "%EF%BC%8E",
    "%EF%BD%A1",
    "%EF%BC%8C",
];

/// `text` without the [`AFTER_A_LINK`] at its end.
fn trimmed(text: &str) -> &str {
    let mut text = text;
    // The longest that ends it (`&gt;` rather than its `;`).
    while let Some(after) = AFTER_A_LINK
        .iter()
        .filter(|after| {
            text.len() >= after.len()
                && text.is_char_boundary(text.len() - after.len())
                && text[text.len() - after.len()..].eq_ignore_ascii_case(after)
        })
        .max_by_key(|after| after.len())
    {
        text = &text[..text.len() - after.len()];
    }
    text
}

/// A link that ends in a token (a set-password link, a shopper's order link)
/// with only [`AFTER_A_LINK`] after its 64 hex digits, or after its query (a
/// mailed order link ends in `?locale=de`): the link without them. A token
/// (and an order link's shop) in capitals, as some readers of printed or
/// scanned links make them, is the one mailed in lower case.
fn token_as_mailed<'q>(path: &str, query: Option<&'q str>) -> Option<(String, Option<&'q str>)> {
    let (start, last) = path.rsplit_once('/')?;
    let (start, last) = match last.is_empty() {
        // A slash after the token: the segment before it.
        true => start.rsplit_once('/')?,
        false => (start, last),
    };
    let links = start == "/console/password" || is_order_links(start);
    let token = last.get(..64)?;
    let after = &last[64..];
    if !links || !crate::token::is_token(token) || !trimmed(after).is_empty() {
        return None;
    }
    let meant = query.map(trimmed);
    let (start_meant, token_meant) = (start.to_ascii_lowercase(), token.to_ascii_lowercase());
    let cased = start_meant == start && token_meant == token;
    let tidy = after.is_empty() && !path.ends_with('/') && meant == query && cased;
    (!tidy).then(|| (format!("{start_meant}/{token_meant}"), meant))
}

/// `/track/{shop}/o`, where a shop's order links are.
fn is_order_links(start: &str) -> bool {
    start
        .strip_prefix("/track/")
        .and_then(|rest| rest.strip_suffix("/o"))
        .is_some_and(|shop| !shop.is_empty() && !shop.contains('/'))
}

/// One slash at the end of a shopper page (`/track/{shop}/`, `/embed/{shop}/`)
/// or of a console page (`/console/`, `/console/shops/{shop}/keys/`): the path
/// without it. Any other path is answered as asked (`/track/`, `/track/demo//`
/// and `/track/demo/x/` are "Page not found").
fn without_trailing_slash(path: &str) -> Option<String> {
    let bare = path.strip_suffix('/')?;
    if bare.ends_with('/') {
        return None;
    }
    let shopper = shopper_page(bare).is_some_and(|(_, shop)| !shop.is_empty() && !shop.contains('/'));
    let console = crate::console::is_console(bare);
    (shopper || console).then(|| bare.to_string())
}

#[cfg(test)]
mod tests;
