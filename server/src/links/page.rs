//! `GET /track/{shop}/o/{token}`: the orders behind a link, for the browser
//! that opened it first; `POST …/forget` ends the link. Rendered on the server,
//! without scripts, from the stored shopper views: nothing internal to show.

use super::DEVICE_COOKIE;
use crate::token::{cookie, digest, is_token, token};
use crate::AppState;
use app::i18n::{t, Locale};
use app::normalize::is_slug;
use app::store::LinkState;
use app::view::ShopperView;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;

const POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' https: data:; \
                      form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    locale: Option<String>,
}

/// The language: `?locale=` (the mail's), else the browser's, else English.
fn locale_of(query: &PageQuery, headers: &HeaderMap) -> Locale {
    query
        .locale
        .as_deref()
        .and_then(Locale::parse)
        .unwrap_or_else(|| crate::console::locale_of(headers))
}

pub async fn open(
    State(state): State<AppState>,
    Path((slug, link)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = locale_of(&query, &headers);
    if !is_slug(&slug) || !is_token(&link) {
        return gone(&state, locale, &slug);
    }
    let held = cookie(&headers, DEVICE_COOKIE).map(str::to_string);
    let device = held.clone().unwrap_or_else(token);
    let opened = match state
        .store
        .open_order_link(&slug, &digest(&link), &digest(&device))
        .await
    {
        Ok(opened) => opened,
        Err(e) => {
            tracing::error!(error = %e, "order link query failed");
            return unavailable(&state, locale);
        }
    };
    let (shop_id, email_key) = match opened {
        LinkState::Open { shop_id, email_key, .. } => (shop_id, email_key),
        LinkState::OtherDevice => {
            return message(&state, locale, StatusCode::FORBIDDEN, "links.other_device", Some(&slug));
        }
        LinkState::Gone => return gone(&state, locale, &slug),
    };
    let (shop, orders) = match (
        state.store.shop(&slug).await,
        state.store.orders_of(shop_id, &email_key).await,
    ) {
        (Ok(Some(shop)), Ok(orders)) => (shop, orders),
        (Ok(None), _) => return gone(&state, locale, &slug),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "orders of a link could not be read");
            return unavailable(&state, locale);
        }
    };
    let forget = format!("/track/{slug}/o/{link}/forget?locale={}", locale.code());
    let lookup = format!("/track/{slug}?locale={}", locale.code());
    let body = view! {
        <header class="track-header">
            <p class="shop-name">{shop.name.clone()}</p>
            <h1>{t(locale, "links.list_title")}</h1>
        </header>
        <p>{t(locale, "links.list_intro")}</p>
        {orders.is_empty().then(|| view! { <p class="notice">{t(locale, "links.list_empty")}</p> })}
        <ul class="order-list">{listed(orders, locale)}</ul>
        <form method="post" action=forget class="forget">
            <p class="hint">{t(locale, "links.forget_hint")}</p>
            <button type="submit" class="secondary">{t(locale, "links.forget")}</button>
        </form>
        <p><a href=lookup>{t(locale, "links.by_number")}</a></p>
    };
    let mut response = document(&state, locale, StatusCode::OK, &t(locale, "links.list_title"), body);
    if held.is_none() {
        // The first opening: this browser keeps the link.
        let value = device_cookie(&state, &slug, Some(&device));
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Each order as one line (number, date, status) that opens to the whole shopper view.
fn listed(orders: Vec<ShopperView>, locale: Locale) -> impl IntoView {
    orders
        .into_iter()
        .enumerate()
        .map(|(i, order)| {
            let summary = app::ui::order_summary(&order, locale);
            let html = app::ui::order_html_numbered(order, locale, i + 1);
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

/// `POST /track/{shop}/o/{token}/forget`: the browser holding the link ends it.
pub async fn forget(
    State(state): State<AppState>,
    Path((slug, link)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = locale_of(&query, &headers);
    if let (true, true, Some(device)) = (is_slug(&slug), is_token(&link), cookie(&headers, DEVICE_COOKIE)) {
        if let Err(e) = state.store.revoke_order_link(&digest(&link), &digest(device)).await {
            tracing::error!(error = %e, "order link could not be revoked");
            return unavailable(&state, locale);
        }
    }
    let mut response = message(&state, locale, StatusCode::OK, "links.forgotten", Some(&slug));
    if is_slug(&slug) {
        let value = device_cookie(&state, &slug, None);
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The device cookie: only for this shop's links, sent on the top-level visit
/// from a mail (Lax), not readable by scripts; `None` clears it.
fn device_cookie(state: &AppState, slug: &str, value: Option<&str>) -> HeaderValue {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let max_age = if value.is_some() {
        super::super::mail::LINK_MINUTES * 60
    } else {
        0
    };
    let text = format!(
        "{DEVICE_COOKIE}={}; Path=/track/{slug}/o/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        value.unwrap_or("")
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("lookout_orders=; Max-Age=0"))
}

/// Expired, used up, revoked or never made: all the same to the shopper.
fn gone(state: &AppState, locale: Locale, slug: &str) -> Response {
    let slug = is_slug(slug).then_some(slug);
    message(state, locale, StatusCode::GONE, "links.gone", slug)
}

fn unavailable(state: &AppState, locale: Locale) -> Response {
    message(
        state,
        locale,
        StatusCode::SERVICE_UNAVAILABLE,
        "error.unavailable",
        None,
    )
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
        <html lang=locale.code()>
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
    let mut response = (status, format!("<!DOCTYPE html>{html}")).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The link's token is in this page's address: no other site learns it.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
