//! The page a shopper's browser shows for a lookup form another site's page
//! sent (the guard refuses it before any lookup): in the shopper's language,
//! saying that nothing was looked up, with a link to the shop's own tracking
//! page. Other clients get the problem document `cross_site`.

use crate::problem::ApiError;
use app::i18n::{t, Locale};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The refusal of a cross-site post to `path`: a page when a browser posted a
/// shopper's form (it navigates, asking for HTML), else the problem document.
pub fn refusal(path: &str, query: Option<&str>, headers: &HeaderMap) -> Response {
    let page = path
        .strip_prefix("/track/")
        .map(|shop| (shop, false))
        .or_else(|| path.strip_prefix("/embed/").map(|shop| (shop, true)));
    let navigates = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    match page {
        Some((shop, framed)) if navigates => refused_page(shop, framed, locale(query, headers)),
        _ => ApiError::CrossSite.into_response(),
    }
}

/// The page's language: `?locale=` as the page had it, else the browser's, else English.
fn locale(query: Option<&str>, headers: &HeaderMap) -> Locale {
    let asked = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("locale="))
        .and_then(Locale::parse);
    asked
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or_default()
}

/// 403, a page of the refusal's words and a link to `/track/{shop}` when
/// `shop` is a shop's address (opened in a tab of its own from a widget's
/// frame, whose page is the merchant's).
fn refused_page(shop: &str, framed: bool, locale: Locale) -> Response {
    let title = t(locale, "page.refused_title");
    let link = match app::normalize::is_slug(shop) {
        true => {
            let target = if framed {
                r#" target="_blank" rel="noopener""#
            } else {
                ""
            };
            format!(
                r#"<p><a href="/track/{shop}"{target}>{}</a></p>"#,
                t(locale, "page.refused_link")
            )
        }
        false => String::new(),
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><main><h1>{title}</h1><p>{body}</p>{link}</main></body></html>",
        lang = locale.lang_tag(),
        body = t(locale, "page.refused_body"),
    );
    let mut response = (StatusCode::FORBIDDEN, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}
