//! `GET /track/{shop}/o/{token}`: the orders behind a link, for the browser
//! that opened it first; `POST …/forget` ends the link. Rendered on the server,
//! without scripts, from the stored shopper views: nothing internal to show.

use super::DEVICE_COOKIE;
use crate::token::{cookie, digest, is_token, token};
use crate::AppState;
use app::i18n::{t, t_args, Locale};
use app::normalize::is_slug;
use app::store::LinkState;
use app::ui::{ShopContact, ShopName};
use app::view::ShopperView;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;

/// The pages' content policy; `frame-ancestors 'none'` is added to every page
/// but the embedded one by the router's frame policy (`embed::frame_policy`).
const POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' https: data:; \
                      form-action 'self'; base-uri 'none'";

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    locale: Option<String>,
}

/// The language: `?locale=` (the mail's), else the browser's, else English.
fn locale_of(query: &PageQuery, headers: &HeaderMap) -> Locale {
    let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    app::i18n::asked_or_accepted(query.locale.as_deref().and_then(Locale::parse), accepted)
}

/// The page's language, once the path holds a shop's slug and a token (else the gone page).
fn checked(
    state: &AppState,
    query: &PageQuery,
    headers: &HeaderMap,
    slug: &str,
    link: &str,
) -> Result<Locale, Box<Response>> {
    let locale = locale_of(query, headers);
    match is_slug(slug) && is_token(link) {
        true => Ok(locale),
        false => Err(Box::new(gone(state, locale, slug))),
    }
}

/// `GET /track/{shop}/o/{token}`: the orders, for the browser holding the link;
/// for a link nobody has opened yet, a button that takes it (a GET changes
/// nothing, so a mail scanner fetching the link does not use it up).
pub async fn open(
    State(state): State<AppState>,
    Path((slug, link)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = match checked(&state, &query, &headers, &slug, &link) {
        Ok(locale) => locale,
        Err(page) => return *page,
    };
    let device = cookie(&headers, DEVICE_COOKIE).map(str::to_string);
    let device_hash = digest(device.as_deref().unwrap_or(""));
    match state.store.order_link(&slug, &digest(&link), &device_hash).await {
        Ok(LinkState::Open { shop_id, email_key }) => {
            let device = device.unwrap_or_default();
            list(&state, locale, &slug, &link, shop_id, &email_key, &device).await
        }
        Ok(LinkState::Unopened) => {
            let mut page = unopened(&state, locale, &slug, &link).await;
            // The cookie the button's post will carry: pressing twice (or a
            // retried post) then takes the link once, for this same browser.
            if device.is_none() {
                let value = device_cookie(&state, &slug, Some(&token()));
                page.headers_mut().append(header::SET_COOKIE, value);
            }
            page
        }
        Ok(LinkState::OtherDevice) => other_device(&state, locale, &slug),
        Ok(LinkState::Gone) => gone(&state, locale, &slug),
        Err(e) => {
            tracing::error!(error = %e, "order link query failed");
            unavailable(&state, locale)
        }
    }
}

/// `POST /track/{shop}/o/{token}`: this browser takes the link (if it is still
/// to be had) and is sent to the list.
pub async fn take(
    State(state): State<AppState>,
    Path((slug, link)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = match checked(&state, &query, &headers, &slug, &link) {
        Ok(locale) => locale,
        Err(page) => return *page,
    };
    let device = cookie(&headers, DEVICE_COOKIE).map_or_else(token, str::to_string);
    let (link_hash, device_hash) = (digest(&link), digest(&device));
    // Read first: only a link still to be had is written to (a made-up token
    // costs a read, never a write).
    let now = match state.store.order_link(&slug, &link_hash, &device_hash).await {
        Ok(LinkState::Unopened) => match state.store.take_order_link(&slug, &link_hash, &device_hash).await {
            Ok(true) => Ok(None),
            // Taken by another browser meanwhile: say so.
            Ok(false) => state.store.order_link(&slug, &link_hash, &device_hash).await.map(Some),
            Err(e) => {
                tracing::error!(error = %e, "order link could not be taken");
                return unavailable(&state, locale);
            }
        },
        other => other.map(Some),
    };
    match now {
        // Taken now, or this browser's already.
        Ok(None | Some(LinkState::Open { .. })) => {}
        Ok(Some(LinkState::OtherDevice)) => return other_device(&state, locale, &slug),
        Ok(Some(LinkState::Unopened | LinkState::Gone)) => return gone(&state, locale, &slug),
        Err(e) => {
            tracing::error!(error = %e, "order link query failed");
            return unavailable(&state, locale);
        }
    }
    let location = format!("/track/{slug}/o/{link}?locale={}", locale.code());
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .append(header::SET_COOKIE, device_cookie(&state, &slug, Some(&device)));
    response
}

/// A live link nobody has opened: one button, which takes it for this browser.
async fn unopened(state: &AppState, locale: Locale, slug: &str, link: &str) -> Response {
    let shop = match state.store.shop(slug).await {
        Ok(Some(shop)) => shop,
        Ok(None) => return gone(state, locale, slug),
        Err(e) => {
            tracing::error!(error = %e, "shop query failed");
            return unavailable(state, locale);
        }
    };
    let action = format!("/track/{slug}/o/{link}?locale={}", locale.code());
    let title = t(locale, "links.list_title");
    let body = view! {
        <header class="track-header">
            <ShopName name=shop.name.clone() logo=shop.logo_url.clone()/>
            <h1>{title.clone()}</h1>
        </header>
        <form method="post" action=action>
            <p>{t_args(locale, "links.open_intro", &[("shop", &shop.name)])}</p>
            <button type="submit" class="primary">{t(locale, "links.show")}</button>
        </form>
    };
    document(state, locale, StatusCode::OK, &title, body)
}

/// The orders behind a link, for the browser holding it (its cookie sent again,
/// so that it lasts as long as the newest link it holds).
async fn list(
    state: &AppState,
    locale: Locale,
    slug: &str,
    link: &str,
    shop_id: i64,
    email_key: &str,
    device: &str,
) -> Response {
    let (shop, orders) = match (
        state.store.shop(slug).await,
        state.store.orders_of(shop_id, email_key).await,
    ) {
        (Ok(Some(shop)), Ok(orders)) => (shop, orders),
        (Ok(None), _) => return gone(state, locale, slug),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "orders of a link could not be read");
            return unavailable(state, locale);
        }
    };
    let forget = format!("/track/{slug}/o/{link}/forget?locale={}", locale.code());
    let lookup = format!("/track/{slug}?locale={}", locale.code());
    let listed = match orders.is_empty() {
        true => view! { <p class="notice">{t(locale, "links.list_empty")}</p> }.into_any(),
        false => view! { <ul class="order-list">{listed(orders, locale, shop.zone())}</ul> }.into_any(),
    };
    let body = view! {
        <header class="track-header">
            <ShopName name=shop.name.clone() logo=shop.logo_url.clone()/>
            <h1>{t(locale, "links.list_title")}</h1>
        </header>
        <p>{t(locale, "links.list_intro")}</p>
        {listed}
        <form method="post" action=forget class="forget">
            <p class="hint">{t(locale, "links.forget_hint")}</p>
            <button type="submit" class="secondary">{t(locale, "links.forget")}</button>
        </form>
        <p><a href=lookup>{t(locale, "links.by_number")}</a></p>
        {shop.contact_email.clone().map(|address| view! { <ShopContact locale shop=shop.name.clone() address/> })}
    };
    let mut response = document(state, locale, StatusCode::OK, &t(locale, "links.list_title"), body);
    response
        .headers_mut()
        .append(header::SET_COOKIE, device_cookie(state, slug, Some(device)));
    response
}

fn other_device(state: &AppState, locale: Locale, slug: &str) -> Response {
    message(state, locale, StatusCode::FORBIDDEN, "links.other_device", Some(slug))
}

/// Each order as one line (number, date, status) that opens to the whole
/// shopper view, its times in the shop's `zone`.
fn listed(orders: Vec<ShopperView>, locale: Locale, zone: app::zone::Zone) -> impl IntoView {
    orders
        .into_iter()
        .enumerate()
        .map(|(i, order)| {
            let summary = app::ui::order_summary(&order, locale, zone);
            let html = app::ui::order_html_numbered(order, locale, zone, Some(i + 1));
            view! {
                <li>
                    <details>
                        <summary>{summary}</summary>
                        <div class="result-order" inner_html=html></div>
                    </details>
                </li>
            }
        })
        .collect_view()
}

/// `POST /track/{shop}/o/{token}/forget`: this browser gives up every link of
/// the shop it holds ("forget on this device"), and its cookie.
pub async fn forget(
    State(state): State<AppState>,
    Path((slug, link)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = match checked(&state, &query, &headers, &slug, &link) {
        Ok(locale) => locale,
        Err(page) => return *page,
    };
    // Only a browser that holds this link has links to give up: anything else
    // costs a read, never a write.
    if let Some(device) = cookie(&headers, DEVICE_COOKIE).map(digest) {
        let forgotten = match state.store.order_link(&slug, &digest(&link), &device).await {
            Ok(LinkState::Open { .. }) => state.store.forget_order_links(&slug, &device).await.map(|_| ()),
            Ok(_) => Ok(()),
            Err(e) => Err(e),
        };
        if let Err(e) = forgotten {
            tracing::error!(error = %e, "order links could not be forgotten");
            return unavailable(&state, locale);
        }
    }
    let mut response = message(&state, locale, StatusCode::OK, "links.forgotten", Some(&slug));
    response
        .headers_mut()
        .append(header::SET_COOKIE, device_cookie(&state, &slug, None));
    response
}

/// The device cookie: only for this shop's links, sent on the top-level visit
/// from a mail (Lax), not readable by scripts; `None` clears it.
fn device_cookie(state: &AppState, slug: &str, value: Option<&str>) -> HeaderValue {
    let path = format!("/track/{slug}/o/");
    let max_age = super::super::mail::LINK_MINUTES * 60;
    crate::token::set_cookie(DEVICE_COOKIE, value, &path, "Lax", max_age, state.secure_cookies)
}

/// Expired, used up, revoked or never made: all the same to the shopper.
fn gone(state: &AppState, locale: Locale, slug: &str) -> Response {
    let slug = is_slug(slug).then_some(slug);
    message(state, locale, StatusCode::GONE, "links.gone", slug)
}

/// The database could not answer: to be asked again after the seconds the API says.
fn unavailable(state: &AppState, locale: Locale) -> Response {
    let mut page = message(
        state,
        locale,
        StatusCode::SERVICE_UNAVAILABLE,
        "links.unavailable",
        None,
    );
    let wait = HeaderValue::from(crate::problem::RETRY_UNAVAILABLE_SECS);
    page.headers_mut().insert(header::RETRY_AFTER, wait);
    page
}

/// See `links::busy`.
pub(super) fn busy(state: &AppState, headers: &HeaderMap, uri: &axum::http::Uri) -> Response {
    let query = Query::<PageQuery>::try_from_uri(uri).map(|q| q.0).unwrap_or_default();
    let mut page = unavailable(state, locale_of(&query, headers));
    let wait = HeaderValue::from(crate::problem::RETRY_BUSY_SECS);
    page.headers_mut().insert(header::RETRY_AFTER, wait);
    page
}

/// A short page: one sentence and, when the shop is known, the way to ask again.
fn message(state: &AppState, locale: Locale, status: StatusCode, key: &str, slug: Option<&str>) -> Response {
    let text = t(locale, key);
    let again = slug.map(|slug| {
        let href = format!("/track/{slug}?locale={}#order-links", locale.code());
        view! { <p><a href=href>{t(locale, "links.ask_again")}</a></p> }
    });
    let title = t(locale, "links.list_title");
    document(
        state,
        locale,
        status,
        &title,
        view! {
            <h1>{title.clone()}</h1>
            <p class="notice" role="status">{text}</p>
            {again}
        },
    )
}

fn document(
    state: &AppState,
    locale: Locale,
    status: StatusCode,
    title: &str,
    body: impl IntoView + 'static,
) -> Response {
    let stylesheet = format!("/pkg/{}.css", state.leptos_options.output_name);
    let html = view! {
        <html lang=locale.lang_tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="robots" content="noindex"/>
                <title>{title.to_string()}</title>
                <link rel="stylesheet" href=stylesheet/>
            </head>
            <body>
                <main class="page">
                    <section class="track orders">{body}</section>
                </main>
            </body>
        </html>
    }
    .to_html();
    let mut response = crate::html::private_page(status, html, POLICY);
    let h = response.headers_mut();
    // The token in the address is kept out of `Referer` by the route (`token_in_address`).
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
