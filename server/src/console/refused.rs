//! The console's answers when it does not do what was asked: the database
//! away or busy, no such shop, owners only, too many forms, a form too large
//! or not this session's. Each a short page in the reader's language.

use super::pages::{message, message_saying, minutes, retry_after};
use super::Locale;
use axum::http::StatusCode;
use axum::response::Response;
use std::time::Duration;

/// A write the store refused or could not make, as the console answers it:
/// an account no longer an owner of the shop (its role taken away, or the
/// account deleted, while its form was on its way) as staff are, 403;
/// anything else is logged as `doing` failed, 503.
pub fn not_written(locale: Locale, e: &app::store::StoreError, doing: &'static str) -> Response {
    match e {
        app::store::StoreError::NotOwner => owners_only(locale),
        e => {
            tracing::error!(error = %e, doing, "a console write failed");
            unavailable(locale)
        }
    }
}

/// The database could not answer: try again after the seconds the API says.
pub fn unavailable(locale: Locale) -> Response {
    let page = message(
        StatusCode::SERVICE_UNAVAILABLE,
        locale,
        "console.error.unavailable_title",
        "console.error.unavailable",
    );
    retry_after(page, Duration::from_secs(crate::problem::RETRY_UNAVAILABLE_SECS))
}

/// The hashing gate turned the request away: try again shortly.
pub fn busy(locale: Locale) -> Response {
    busy_saying(locale, "console.error.busy")
}

/// A form that waited too long for its turn: not sent, to be sent again.
pub fn busy_form(locale: Locale) -> Response {
    busy_saying(locale, "console.error.busy_form")
}

fn busy_saying(locale: Locale, text_key: &str) -> Response {
    let page = message(
        StatusCode::SERVICE_UNAVAILABLE,
        locale,
        "console.error.busy_title",
        text_key,
    );
    retry_after(page, Duration::from_secs(crate::problem::RETRY_BUSY_SECS))
}

/// No such shop for this account (whether or not it exists).
pub fn not_found(locale: Locale) -> Response {
    message(
        StatusCode::NOT_FOUND,
        locale,
        "console.error.not_found_title",
        "console.error.not_found",
    )
}

/// A console address that is no page of it.
pub fn no_page(locale: Locale) -> Response {
    message(
        StatusCode::NOT_FOUND,
        locale,
        "console.error.not_found_title",
        "console.error.no_page",
    )
}

/// Staff asking for an owner's page.
pub fn owners_only(locale: Locale) -> Response {
    message(
        StatusCode::FORBIDDEN,
        locale,
        "console.error.owners_only_title",
        "console.error.owners_only",
    )
}

/// An account that posted more console forms than its allowance: try again after `wait`.
pub fn too_many(locale: Locale, wait: std::time::Duration) -> Response {
    let text = app::i18n::t_args(locale, "console.error.too_many", &[("minutes", &minutes(wait))]);
    let page = message_saying(
        StatusCode::TOO_MANY_REQUESTS,
        locale,
        "console.error.too_many_title",
        text,
    );
    retry_after(page, wait)
}

/// A form over the size the server reads (`guard::MAX_FORM_BODY`), refused unread.
pub fn too_large(locale: Locale) -> Response {
    message(
        StatusCode::PAYLOAD_TOO_LARGE,
        locale,
        "console.error.too_large_title",
        "console.error.too_large",
    )
}

/// A form whose CSRF token is missing or not this session's.
pub fn stale_form(locale: Locale) -> Response {
    message(
        StatusCode::FORBIDDEN,
        locale,
        "console.error.stale_form_title",
        "console.error.stale_form",
    )
}
