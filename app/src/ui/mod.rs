//! The pages: the HTML shell, the router and the components.

mod contact;
// The lookup island in the browser.
#[cfg(feature = "hydrate")]
mod enhance;
pub mod lookup_form;
mod order_links;
mod shop_name;
// Orders are rendered on the server only (the island gets them as HTML).
#[cfg(feature = "ssr")]
mod order;
#[cfg(feature = "ssr")]
mod timeline;
mod track;

pub use contact::ShopContact;
pub use shop_name::ShopName;

use crate::errors::LookupError;
use crate::i18n::{t, Locale};
use crate::view::ShopperView;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Html, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The result of a lookup that arrived as a plain form post (no WebAssembly).
/// When present, the page is rendered as static HTML without hydration scripts.
#[derive(Debug, Clone)]
pub struct PostedLookup {
    pub email: String,
    pub order_number: String,
    pub result: Result<ShopperView, LookupError>,
}

/// An order as its shopper sees it, rendered to HTML in `locale`, its times in
/// the shop's `zone`: what a lookup from the page's island answers with, and
/// what a plain form post shows.
#[cfg(feature = "ssr")]
pub fn order_html(order: ShopperView, locale: crate::i18n::Locale, zone: crate::zone::Zone) -> String {
    order_html_numbered(order, locale, zone, None)
}

/// The same for the `n`th of several orders on one page (its heading's id is
/// `order-heading-{n}`, so that ids stay unique).
#[cfg(feature = "ssr")]
pub fn order_html_numbered(
    order: ShopperView,
    locale: crate::i18n::Locale,
    zone: crate::zone::Zone,
    n: Option<usize>,
) -> String {
    use leptos::tachys::view::RenderHtml;
    let heading_id = n.map_or_else(|| "order-heading".to_string(), |n| format!("order-heading-{n}"));
    Owner::new().with(|| view! { <order::OrderView order locale zone heading_id/> }.to_html())
}

/// One line for an order in a list (number, date, where it stands).
#[cfg(feature = "ssr")]
pub fn order_summary(order: &ShopperView, locale: crate::i18n::Locale, zone: crate::zone::Zone) -> String {
    use crate::status::OrderStatus;
    let standing = match order.status {
        OrderStatus::Cancelled => order::status(locale, "order", order.status.as_str()).0,
        _ => order::status(locale, "fulfillment", order.fulfillment_status.as_str()).0,
    };
    let placed = zone.date(&order.placed_at, locale);
    format!("{} · {placed} · {standing}", order.order_number)
}

/// What the page says about a request for a link to one's orders: sent (the
/// one answer to every well-formed request) or a field error's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkNotice {
    Sent,
    /// A field error's code, and the address as typed (shown again in the field).
    Invalid {
        code: String,
        email: String,
    },
}

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let hydrate = use_context::<PostedLookup>().is_none();
    page_document(options, hydrate, view! { <App/> })
}

/// The document for a path no route of the server answers: the "Page not found"
/// page (404), whatever the app's router would make of the path. The server's
/// fallback renders this, never [`App`]: Leptos's router matches `/track/demo/`
/// as `/track/demo`, which the server does not, and a page rendered outside its
/// route has none of the server's context. Nothing on it is hydrated.
pub fn not_found_shell(options: LeptosOptions) -> impl IntoView {
    page_document(options, false, view! { <NotFoundApp/> })
}

/// The HTML document around `body`, with the hydration scripts when `hydrate`.
fn page_document(options: LeptosOptions, hydrate: bool, body: impl IntoView + 'static) -> impl IntoView {
    // `lookout.<hash>` once the server has found the built site (see the server's `assets`).
    let stylesheet = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    #[cfg(feature = "ssr")]
    content_security_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="referrer" content="same-origin"/>
                <link rel="icon" href="data:,"/>
                <link rel="stylesheet" href=stylesheet/>
                // Islands: only the lookup is hydrated, when the browser is idle.
                {hydrate.then(|| view! { <HydrationScripts options=options.clone() islands=true/> })}
                <MetaTags/>
            </head>
            <body>
                {body}
            </body>
        </html>
    }
}

/// The root component: routes to the tracking page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="Track your order"/>
        <Router>
            <main class="page">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/track/:shop") view=|| view! { <track::TrackPage compact=false/> } ssr=SsrMode::Async/>
                    <Route path=path!("/embed/:shop") view=|| view! { <track::TrackPage compact=true/> } ssr=SsrMode::Async/>
                    <Route path=path!("/") view=HomePage/>
                </Routes>
            </main>
        </Router>
    }
}

/// [`App`] for a path no route answers: the same frame, the "Page not found" page in it.
#[component]
fn NotFoundApp() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text=t(request_locale(), "page.title")/>
        <main class="page">
            <NotFoundPage/>
        </main>
    }
}

#[component]
fn HomePage() -> impl IntoView {
    view! {
        <Html {..} lang="en"/>
        <h1>"Lookout"</h1>
        <p>"Order tracking for online stores. Try the demo store: "<a href="/track/demo">"/track/demo"</a></p>
    }
}

/// The answer for a path that is no page, or a shop that does not exist, in the
/// language the request asks for ([`request_locale`]).
#[component]
fn NotFoundPage() -> impl IntoView {
    set_status(404);
    let locale = request_locale();
    view! {
        <Html {..} lang=locale.lang_tag()/>
        <Title text=t(locale, "page.not_found_title")/>
        <h1>{t(locale, "page.not_found_title")}</h1>
        <p>{t(locale, "page.not_found_body")}</p>
    }
}

/// The language of a page that has no shop to say it (no such page or shop, the
/// store unavailable): the page's `?locale=` if it names one, else the browser's
/// first language that Lookout speaks, else English. Server-rendered only.
pub(crate) fn request_locale() -> Locale {
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<http::request::Parts>() {
        let accepted = parts
            .headers
            .get(http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        return crate::i18n::asked_or_accepted(asked_locale(&parts.uri), accepted);
    }
    Locale::default()
}

/// The language an address asks for with `?locale=`, when it names one
/// Lookout speaks: read as the shop's pages read it, decoded, the last one if
/// repeated.
#[cfg(feature = "ssr")]
pub fn asked_locale(uri: &http::Uri) -> Option<Locale> {
    type Query = axum::extract::Query<std::collections::HashMap<String, String>>;
    let query = Query::try_from_uri(uri).ok()?;
    query.0.get("locale").and_then(|l| Locale::parse(l))
}

/// A strict Content-Security-Policy for a rendered page: scripts only from this
/// origin or inline with this response's nonce (Leptos puts it on its hydration and
/// data scripts), WebAssembly compiled by the browser, no plugins, no foreign forms.
/// Styles likewise: the stylesheet, and the accent colour's style element with the nonce.
/// The frame policy is added by the server.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'nonce-{nonce}'; \
         img-src 'self' https: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Answers a server-rendered page 503 with `Retry-After`: the database did
/// not answer. Nothing in the browser.
fn set_unavailable() {
    #[cfg(feature = "ssr")]
    crate::lookup::answer_status(&crate::errors::LookupError::Unavailable);
}

/// Sets the HTTP status of a server-rendered page; nothing in the browser.
fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(options), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        options.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}
