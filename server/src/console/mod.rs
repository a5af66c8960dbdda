//! The merchant console at `/console`: sign in, a shop's settings with a live
//! preview, API keys and Shopify, the support view and what the widget did.
//!
//! Server-rendered pages whose forms post (it works without JavaScript); one
//! small script adds copy buttons. Every page is for a signed-in account
//! (`session::Signed`) and, under `/console/shops/{slug}`, for a member of that
//! shop (`member`); owners see everything, staff the overview and the support
//! view. Every form carries its session's CSRF token, and the guard refuses
//! posts from other sites before any handler runs.

mod account;
mod audit;
mod browsers;
mod changes;
mod chart;
mod credentials;
mod days_csv;
mod erase;
mod first_steps;
mod forgot;
mod invite;
mod keys;
mod language;
mod noted;
mod pages;
mod paging;
pub mod password;
mod password_link;
mod profile;
mod refused;
pub mod session;
mod settings_form;
mod shop;
mod shop_settings;
mod shopify;
mod shopper_orders;
mod support;
mod team;

pub use account::KNOWN_COOKIE;
pub use app::i18n::Locale;
pub use browsers::named as browser_in_words;
pub use pages::{utc as time_in_words, Section};

use crate::AppState;
use app::store::{Membership, Role};
use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use session::Signed;

/// The console's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(account::home))
        .route("/console/sign-in", to_page("/console").post(account::sign_in))
        .route("/console/sign-out", to_page("/console").post(account::sign_out))
        .route("/console/forgot", get(forgot::form).post(forgot::request))
        .route(
            "/console/sign-out-everywhere",
            to_page("/console").post(account::sign_out_everywhere),
        )
        .route(ACCOUNT, get(profile::account))
        .route(
            "/console/account/password",
            to_page(ACCOUNT).post(profile::change_password),
        )
        .route(language::PATH, to_page(ACCOUNT).post(language::choose))
        .route(
            "/console/account/browsers/sign-out",
            to_page(ACCOUNT).post(browsers::sign_out),
        )
        .route(
            "/console/password/{token}",
            get(password_link::password_form)
                .post(password_link::set_password)
                .layer(crate::html::token_in_address()),
        )
        .route("/console/console.css", get(stylesheet))
        .route("/console/console.js", get(script))
        .route("/console/shops/{slug}", get(shop::overview))
        .route("/console/shops/{slug}/days.csv", get(days_csv::download))
        .route(
            "/console/shops/{slug}/settings",
            get(shop_settings::settings).post(shop_settings::save_settings),
        )
        .route("/console/shops/{slug}/keys", get(keys::list).post(keys::create))
        .route(
            "/console/shops/{slug}/keys/revoke",
            to_section("/keys").post(keys::revoke),
        )
        .route("/console/shops/{slug}/shopify", get(shopify::shopify))
        .route(
            "/console/shops/{slug}/shopify/rotate",
            to_section("/shopify").post(shopify::rotate),
        )
        .route("/console/shops/{slug}/orders", get(support::form).post(support::find))
        .route(
            "/console/shops/{slug}/orders/erase",
            to_section("/orders").post(erase::erase),
        )
        .route(
            "/console/shops/{slug}/orders/by-email",
            to_section("/orders").post(shopper_orders::find),
        )
        .route("/console/shops/{slug}/audit", get(audit::audit))
        .route("/console/shops/{slug}/changes", get(changes::changes))
        .route("/console/shops/{slug}/team", get(team::team).post(team::change))
        .route(
            "/console/shops/{slug}/team/invite",
            to_section("/team").post(invite::invite),
        )
}

/// The account's page, where its forms are.
const ACCOUNT: &str = "/console/account";

/// What a GET of an address a form posts to answers (a bookmark, an address the
/// browser offers again after a post): 303 to the page the form is on, never a
/// blank 405.
fn to_page(page: &'static str) -> MethodRouter<AppState> {
    get(move || async move { Redirect::to(page) })
}

/// [`to_page`] for a form on a shop's page: `section` of the shop, `/console`
/// for a slug that cannot be one.
fn to_section(section: &'static str) -> MethodRouter<AppState> {
    get(move |Path(slug): Path<String>| async move {
        match app::normalize::is_slug(&slug) {
            true => Redirect::to(&format!("/console/shops/{slug}{section}")),
            false => Redirect::to("/console"),
        }
    })
}

/// The translation of a console text.
pub fn t(locale: Locale, key: &str) -> String {
    app::i18n::t(locale, key)
}

/// The console's language for a browser: its `Accept-Language`, else English.
pub fn locale_of(headers: &HeaderMap) -> Locale {
    let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    app::i18n::asked_or_accepted(None, accepted)
}

/// What was typed in a one-line field, as its form offers it again: at most
/// `max` characters, without control characters (no browser's field holds
/// one; a NUL would reach the page as sent).
pub fn offered_again(typed: &str, max: usize) -> String {
    typed.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// True for the console's addresses: `/console` and every path under it.
pub fn is_console(path: &str) -> bool {
    path == "/console" || path.starts_with("/console/")
}

/// A console address no route serves (a mistyped or outdated bookmark, a link
/// cut short): 404, the console's page saying so with the way back, in the
/// signed-in account's language (its session read in the lane of people's
/// pages), else the browser's.
pub async fn no_page(state: &AppState, parts: &axum::http::request::Parts) -> Response {
    let locale = match crate::page_lane::enter_for(state, parts).await {
        Some(_turn) => session::reader_locale(state, &parts.headers).await,
        None => locale_of(&parts.headers),
    };
    refused::no_page(locale)
}

/// The page answering a console request that waited too long for its turn
/// (`page_lane`), in the browser's language: nothing was read or done, and a
/// form is said not to have been sent.
pub fn busy(parts: &axum::http::request::Parts) -> Response {
    let locale = locale_of(&parts.headers);
    match parts.method {
        axum::http::Method::GET | axum::http::Method::HEAD => refused::busy(locale),
        _ => refused::busy_form(locale),
    }
}

/// The page answering a console form too large to read (`guard`), in the
/// browser's language: the form is refused before any session is read.
pub fn form_too_large(headers: &HeaderMap) -> Response {
    refused::too_large(locale_of(headers))
}

/// The signed-in account's membership of the shop `slug`, or the page to answer
/// instead: not found for a shop it is not a member of (existing or not), 403 for
/// staff on an owner's section. The account's first visit is recorded.
pub async fn member(state: &AppState, signed: &Signed, slug: &str, section: Section) -> Result<Membership, Response> {
    let member = membership(state, signed, slug, section).await?;
    seen(state, signed, &member).await;
    Ok(member)
}

/// [`member`] without recording the visit.
async fn membership(state: &AppState, signed: &Signed, slug: &str, section: Section) -> Result<Membership, Response> {
    if !app::normalize::is_slug(slug) {
        return Err(refused::not_found(signed.locale));
    }
    match state.store.membership(signed.session.user_id, slug).await {
        Ok(Some(m)) if m.role != Role::Owner && !section.for_staff() => Err(refused::owners_only(signed.locale)),
        Ok(Some(m)) => Ok(m),
        Ok(None) => Err(refused::not_found(signed.locale)),
        Err(e) => {
            tracing::error!(error = %e, "membership query failed");
            Err(refused::unavailable(signed.locale))
        }
    }
}

/// Records the first time an account opens a shop since it was added (the
/// team page then says so; read with the membership, written once); a failure
/// is logged and tried again at its next click.
async fn seen(state: &AppState, signed: &Signed, m: &Membership) {
    if m.opened {
        return;
    }
    if let Err(e) = state.store.mark_opened(signed.session.user_id, m.shop.id).await {
        tracing::warn!(error = %e, "could not record the account's first visit to the shop");
    }
}

/// For a form post: the membership as [`member`] gives it, once the form's CSRF
/// token is this session's (else 403, nothing changed) and the account's
/// allowance of console changes has room (else 429, nothing changed); the
/// visit is recorded only then.
pub async fn member_posting(
    state: &AppState,
    signed: &Signed,
    slug: &str,
    section: Section,
    csrf: &str,
) -> Result<Membership, Response> {
    let member = membership(state, signed, slug, section).await?;
    posting(state, signed, member, csrf, Allowance::Changes).await
}

/// [`member_posting`] for a support-view search, which takes from the
/// account's allowance of searches rather than of changes.
pub async fn member_searching(
    state: &AppState,
    signed: &Signed,
    slug: &str,
    csrf: &str,
) -> Result<Membership, Response> {
    let member = membership(state, signed, slug, Section::Orders).await?;
    posting(state, signed, member, csrf, Allowance::Searches).await
}

/// Which of an account's allowances a form takes from (`app::limits::console`).
enum Allowance {
    Changes,
    Searches,
}

/// [`member_posting`] for a form only owners may post in a section staff
/// may open (403 for staff, before the token and the allowance).
pub async fn owner_posting(
    state: &AppState,
    signed: &Signed,
    slug: &str,
    section: Section,
    csrf: &str,
) -> Result<Membership, Response> {
    let member = membership(state, signed, slug, section).await?;
    if member.role != Role::Owner {
        return Err(refused::owners_only(signed.locale));
    }
    posting(state, signed, member, csrf, Allowance::Changes).await
}

async fn posting(
    state: &AppState,
    signed: &Signed,
    member: Membership,
    csrf: &str,
    allowance: Allowance,
) -> Result<Membership, Response> {
    if !signed.csrf_ok(csrf) {
        return Err(refused::stale_form(signed.locale));
    }
    let user = signed.session.user_id;
    let taken = match allowance {
        Allowance::Changes => state.limits.reserve_console_write(user),
        Allowance::Searches => state.limits.reserve_console_search(user),
    };
    if let Err(wait) = taken {
        return Err(refused::too_many(signed.locale, wait));
    }
    seen(state, signed, &member).await;
    Ok(member)
}

/// Where this Lookout is reached, for the embed snippet and the webhook URL:
/// `--public-url` when it is set (behind a proxy that ends TLS, the browser's
/// request cannot say it), else as the browser reached it.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.public_url {
        return url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b)))
        .unwrap_or("127.0.0.1:3000");
    let scheme = if state.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// A form that carries only its CSRF token.
#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

const CSS: &str = include_str!("../../assets/console.css");
const JS: &str = include_str!("../../assets/console.js");

fn static_text(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

async fn stylesheet() -> Response {
    static_text(CSS, "text/css; charset=utf-8")
}

async fn script() -> Response {
    static_text(JS, "text/javascript; charset=utf-8")
}

/// The normalised key of an email address typed in a console form, if it can
/// be one: checked by length (bytes, before anything else reads it), then, as
/// [`meant_email`], as an address.
pub fn typed_email(typed: &str) -> Option<String> {
    if typed.len() > 4 * app::normalize::MAX_EMAIL_LEN {
        return None;
    }
    let meant = meant_email(typed);
    app::normalize::check_email(&meant, "email")
        .is_ok()
        .then(|| app::normalize::email_key(&meant).into_owned())
}

/// An email address as meant on any keyboard: the full-width forms an East
/// Asian keyboard types (`ｗｉｄｅ＠shop．example`) and its full stops (`。`, `｡`)
/// as the ASCII they stand for; anything hidden in it is left for the
/// address's own check to refuse.
pub fn meant_email(typed: &str) -> String {
    typed
        .chars()
        .map(|c| app::normalize::as_dot(app::normalize::narrow(c)))
        .collect()
}
