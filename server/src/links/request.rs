//! `POST /track/{shop}/links` (and `/embed/{shop}/links`): a shopper asks for a
//! link to their orders. Whether or not the address has orders, and whether or
//! not its allowance is spent, the answer is the same redirect to the page with
//! "If we have orders for this address, we've sent you a link"; the work that
//! differs (finding the orders, sending) happens later, in the mailer.

use crate::AppState;
use app::i18n::Locale;
use app::limits::LinkRefusal;
use app::lookup::{email_fingerprint, hex_colour};
use app::normalize::{check_email, email_key, is_slug};
use app::store::{masked_email, Refused};
use app::ui::lookup_form::page_address;
use app::ui::LinkNotice;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use leptos::prelude::provide_context;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    email: String,
    /// The language of the page the request came from: the mail's.
    #[serde(default)]
    mail_locale: String,
    /// `?locale=` and `?accent=` of the page, kept through the redirect.
    locale: Option<String>,
    accent: Option<String>,
}

pub async fn request(State(state): State<AppState>, Path(slug): Path<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let embed = parts.uri.path().starts_with("/embed/");
    // A malformed or oversized body counts as an empty form: the shopper sees what to fill in.
    let form = match Form::<LinkForm>::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(Form(form)) => form,
        Err(_) => LinkForm::default(),
    };
    let Some(mailer) = state.mail.clone() else {
        return not_offered();
    };
    if !is_slug(&slug) {
        return not_offered();
    }
    let shop = match state.store.shop(&slug).await {
        Ok(Some(shop)) if shop.email_links => shop,
        Ok(_) => return not_offered(),
        Err(e) => {
            tracing::error!(error = %e, "shop query failed");
            return unavailable();
        }
    };
    if let Err(error) = check_email(&form.email, "email") {
        let notice = LinkNotice::Invalid {
            code: error.code.clone(),
            email: app::normalize::clip(&form.email, 320).to_string(),
        };
        // The page the form is on, rendered with the error beside the field.
        let mut parts = parts;
        if let Ok(uri) = page(embed, &slug, &form, false).parse() {
            parts.uri = uri;
        }
        let mut response = crate::posted::render(&state, parts, move || provide_context(notice.clone())).await;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return response;
    }
    let locale = Locale::parse(&form.mail_locale)
        .or_else(|| Locale::parse(&shop.locale))
        .unwrap_or_default();
    // As the shopper meant it (full-width forms as ASCII, unseen marks dropped), as lookups read it.
    let email = app::normalize::folded_email(&form.email);
    let key = email_key(&email);
    let client = state.client(&parts);
    // Counted before anything is queued: a burst gets no more than the allowance.
    let outcome = match state.limits.reserve_link_request(&client, &slug, &key).await {
        Ok(()) => match state
            .store
            .queue_link_request(shop.id, email.trim(), locale.code())
            .await
        {
            Ok(()) => {
                mailer.wake();
                "queued"
            }
            Err(e) => {
                tracing::error!(error = %e, "could not queue an order link request");
                // Nothing was asked for: the allowance goes back.
                state.limits.release_link_request(&client, &slug, &key).await;
                return unavailable();
            }
        },
        Err(LinkRefusal::Unavailable) => return unavailable(),
        Err(LinkRefusal::Spent { waits }) => {
            let [by_email, by_client, by_shop] = waits.map(|wait| wait.is_some());
            if by_email {
                state.store.note_refusal(&slug, Refused::LinkEmail, &masked_email(&key));
            }
            if by_client {
                state.store.note_refusal(&slug, Refused::LinkClient, &client.masked());
            }
            if by_shop {
                state.store.note_refusal(&slug, Refused::LinkShop, "");
            }
            "limited"
        }
    };
    tracing::info!(outcome, email_hash = %email_fingerprint(&form.email), "order link requested");
    metrics::counter!("lookout_order_link_requests_total", "outcome" => outcome).increment(1);
    sent(embed, &slug, &form)
}

/// The one answer to a well-formed request: back to the page, which says a link
/// is on its way if there are orders (a redirect, so a reload does not ask again).
fn sent(embed: bool, slug: &str, form: &LinkForm) -> Response {
    let location = format!("{}#order-links", page(embed, slug, form, true));
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The page the form was on (its checked `?locale=` and `?accent=` kept), with `?sent=1` when `sent`.
fn page(embed: bool, slug: &str, form: &LinkForm, sent: bool) -> String {
    let locale = form.locale.as_deref().and_then(Locale::parse);
    let accent = form.accent.as_deref().and_then(hex_colour);
    page_address(
        embed,
        slug,
        sent.then_some("sent=1"),
        locale.map(Locale::code),
        accent.as_deref(),
    )
}

/// The shop does not exist, has turned the feature off, or this server sends no mail.
fn not_offered() -> Response {
    (
        StatusCode::NOT_FOUND,
        "This shop does not send links to orders by email.",
    )
        .into_response()
}

fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "The order service is unavailable right now. Please try again in a moment.",
    )
        .into_response()
}
