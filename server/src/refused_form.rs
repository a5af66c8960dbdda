//! The page a shopper's browser shows for a form of a shop's page that
//! another site's page sent (the guard refuses it before anything is done):
//! in the shopper's language, saying that nothing was done, with a link to the
//! shop's own tracking page. Other clients get the problem document
//! `cross_site`.

use crate::problem::ApiError;
use app::i18n::{asked_or_accepted, t, Locale};
use app::ui::lookup_form::page_address;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;

/// Nothing but the page itself: no script, style, image, form or frame.
const POLICY: &str = "default-src 'none'; base-uri 'none'; form-action 'none'";

/// The refusal of a cross-site post to `uri`: a page when a browser posted
/// a form of a shop's page (it navigates, asking for HTML), else the problem
/// document.
pub fn refusal(uri: &Uri, headers: &HeaderMap) -> Response {
    let path = uri.path();
    let of_page = path.starts_with("/track/") || path.starts_with("/embed/");
    let navigates = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if !(of_page && navigates) {
        return ApiError::CrossSite.into_response();
    }
    let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    // The link carries only a language the page was asked in: the shop's
    // page reads the browser's itself, and falls back on the shop's own.
    let kept = app::ui::asked_locale(uri);
    let framed = path.starts_with("/embed/");
    page(shop_of(path), framed, asked_or_accepted(kept, accepted), kept)
}

/// The shop a path of its pages is for (`/track/{shop}/…`, `/embed/{shop}`),
/// as its address writes it, when it can be one.
fn shop_of(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/track/").or_else(|| path.strip_prefix("/embed/"))?;
    let slug = rest.split('/').next()?.to_ascii_lowercase();
    app::normalize::is_slug(&slug).then_some(slug)
}

/// 403, the refusal's words and a link to the shop's tracking page in the
/// same language: from the widget's frame (`framed`) in a tab of its own, as
/// the tracking page is framed by no site.
fn page(shop: Option<String>, framed: bool, locale: Locale, kept: Option<Locale>) -> Response {
    let title = t(locale, "page.refused_title");
    let link = shop.map(|slug| {
        let href = page_address(false, &slug, None, kept.map(Locale::code), None);
        let words = t(locale, "page.refused_link");
        match framed {
            true => view! { <p><a href=href target="_blank" rel="noopener">{words}</a></p> }.into_any(),
            false => view! { <p><a href=href>{words}</a></p> }.into_any(),
        }
    });
    let html = view! {
        <html lang=locale.lang_tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="robots" content="noindex"/>
                // An answer that refuses says so first in its title, as every page does.
                <title>{app::i18n::error_title(locale, &title)}</title>
            </head>
            <body>
                <main>
                    <h1>{title}</h1>
                    <p>{t(locale, "page.refused_body")}</p>
                    {link}
                </main>
            </body>
        </html>
    }
    .to_html();
    crate::html::private_page(StatusCode::FORBIDDEN, html, POLICY)
}
