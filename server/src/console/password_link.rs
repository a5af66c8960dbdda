//! Setting a console password from a one-time link (an invitation's, a
//! forgotten password's, or one `lookout user create` printed): the form, the
//! new password's checks, and the session it starts.

use super::account::open_session;
use super::pages::{self, bare, notice};
use super::refused;
use super::session;
use super::{locale_of, t, Locale};
use crate::keys;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use leptos::prelude::*;

/// A link that does not work: where to get a new one ("Forgot your
/// password?" when the server sends mail).
fn dead_link(state: &AppState, locale: Locale) -> Response {
    let text = if state.mail.is_some() {
        "console.password.dead_forgot"
    } else {
        "console.password.dead"
    };
    pages::message(StatusCode::NOT_FOUND, locale, "console.password.dead_title", text)
}

fn password_page(locale: Locale, status: StatusCode, token: &str, email: &str, error: Option<String>) -> Response {
    let title = t(locale, "console.password.title");
    let action = super::password::link_path(token);
    bare(
        status,
        locale,
        &title.clone(),
        view! {
            <h1>{title}</h1>
            <p>{app::i18n::t_args(locale, "console.password.for", &[("email", email)])}</p>
            {notice(error, true)}
            <form method="post" action=action class="stack">
                {pages::new_password_fields(locale, email)}
                <button type="submit">{t(locale, "console.password.submit")}</button>
            </form>
        },
    )
}

/// `GET /console/password/{token}`
pub async fn password_form(State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let locale = locale_of(&headers);
    if !session::is_token(&token) {
        return dead_link(&state, locale);
    }
    match state.store.password_link(&session::digest(&token)).await {
        Ok(Some(email)) => password_page(locale, StatusCode::OK, &token, &email, None),
        Ok(None) => dead_link(&state, locale),
        Err(e) => {
            tracing::error!(error = %e, "password link query failed");
            refused::unavailable(locale)
        }
    }
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
}

/// `POST /console/password/{token}`: the link is its own proof (a form from
/// another site is refused by the guard before this runs).
pub async fn set_password(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let locale = locale_of(&headers);
    if !session::is_token(&token) {
        return dead_link(&state, locale);
    }
    let token_hash = session::digest(&token);
    let email = match state.store.password_link(&token_hash).await {
        Ok(Some(email)) => email,
        Ok(None) => return dead_link(&state, locale),
        Err(e) => {
            tracing::error!(error = %e, "password link query failed");
            return refused::unavailable(locale);
        }
    };
    if let Err(weak) = super::password::check(&form.password, &form.again, &email) {
        return password_page(
            locale,
            StatusCode::UNPROCESSABLE_ENTITY,
            &token,
            &email,
            Some(t(locale, weak.key())),
        );
    }
    let password = form.password;
    let Ok(Ok(hash)) = state.hashing.run(move || keys::hash(&password)).await else {
        return refused::busy(locale);
    };
    match state.store.set_password(&token_hash, &hash).await {
        Ok(Some(user_id)) => signed_in_with_new_password(&state, &headers, locale, (user_id, &email), &hash).await,
        Ok(None) => dead_link(&state, locale),
        Err(e) => {
            tracing::error!(error = %e, "could not set a password");
            refused::unavailable(locale)
        }
    }
}

/// After a password is set from a link: this browser is signed in with it
/// (the link was the proof a sign-in would ask for again), and the page says
/// so with the way into the console. `account` is the account's id and
/// email. Where no session can be started (the password changed again
/// meanwhile, the database went away), it says the password is set and to
/// sign in.
async fn signed_in_with_new_password(
    state: &AppState,
    headers: &HeaderMap,
    locale: Locale,
    (user_id, email): (i64, &str),
    hash: &str,
) -> Response {
    let set_only = || {
        pages::message(
            StatusCode::OK,
            locale,
            "console.password.done_title",
            "console.password.done",
        )
    };
    let email = app::normalize::email_key(email);
    // The account's first sign-in since the link, untold (the mailbox's owner
    // just proved it): its page's language is the one later notices are
    // written in, until the account chooses one, and the next new browser is told.
    let word = app::store::SignInWord {
        locale: locale.code(),
        tell: false,
    };
    let cookies = match open_session(state, headers, user_id, &email, hash, word).await {
        Ok(Some(cookies)) => cookies,
        Ok(None) => return set_only(),
        Err(e) => {
            tracing::warn!(error = %e, "password set; could not sign the browser in");
            return set_only();
        }
    };
    tracing::info!(user_id, "console sign-in with a new password");
    let mut response = pages::message_leading(
        StatusCode::OK,
        locale,
        "console.password.done_title",
        t(locale, "console.password.done_signed_in"),
        "console.password.open",
    );
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}
