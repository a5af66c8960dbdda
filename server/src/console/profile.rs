//! The signed-in account's own page, `/console/account`: its address, a
//! new password in place of the one it has, its language (`language`) and
//! the browsers signed in to it (`browsers`).
//!
//! A change asks for the current password, so that a browser left signed in
//! is not enough to take the account over. Before anything is hashed, the form
//! takes one of the account's console changes and the new password must be
//! acceptable; the current password is then checked as a sign-in's is
//! (`credentials::check_password`: the sign-in allowances, then the bounded
//! hashing gate). Once
//! changed, every session of the account ends, this browser gets a new one,
//! the account's set-password links stop working, and its address is told by
//! mail (when the server sends mail).

use super::account::{known_cookie, today};
use super::credentials::{check_password, Refused};
use super::noted::{Done, Noted};
use super::pages::{self, csrf_field, notice, Frame};
use super::refused;
use super::session::{Fresh, Signed};
use super::{browsers, language};
use super::{password, t};
use crate::api::auth::ClientOf;
use crate::keys;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use leptos::prelude::*;

/// `GET /console/account`
pub async fn account(State(state): State<AppState>, signed: Signed, done: Noted<Done>) -> Response {
    let note = match done.word() {
        Some("password") => Some("console.account.changed"),
        Some("signed_out") => Some("console.browsers.signed_out"),
        Some("language") => Some("console.language.saved"),
        _ => None,
    };
    let said = note.map(|key| (t(signed.locale, key), false));
    account_page(&state, &signed, StatusCode::OK, said).await
}

/// The page, with a note (`true`: an error) at its top.
pub(super) async fn account_page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    said: Option<(String, bool)>,
) -> Response {
    let locale = signed.locale;
    // Without the list, the page still changes a password.
    let browsers = match state.store.signed_in(signed.session.user_id, &signed.id_hash).await {
        Ok((browsers, more)) => Some(browsers::list(locale, &signed.session.csrf, browsers, more)),
        Err(e) => {
            tracing::error!(error = %e, "could not list an account's browsers");
            None
        }
    };
    // Without the current password, a link by mail (when the server sends mail).
    let forgot = state.mail.is_some().then(|| {
        view! { <p><a href="/console/forgot">{t(locale, "console.account.forgot")}</a></p> }
    });
    let (text, error) = said.map_or((None, false), |(text, error)| (Some(text), error));
    let title = t(locale, "console.account.title");
    let email = signed.session.email.as_str();
    pages::page(
        status,
        &Frame::plain(signed),
        &title.clone(),
        view! {
            <h1>{title}</h1>
            {notice(text, error)}
            <p>{app::i18n::t_args(locale, "console.account.signed_in_as", &[("email", email)])}</p>
            <h2>{t(locale, "console.account.change")}</h2>
            <form method="post" action="/console/account/password" class="stack">
                {csrf_field(&signed.session.csrf)}
                <label for="current">{t(locale, "console.account.current")}</label>
                <input id="current" name="current" type="password" autocomplete="current-password" required/>
                {pages::new_password_fields(locale, email)}
                <p class="hint">{t(locale, "console.account.others_signed_out")}</p>
                <button type="submit">{t(locale, "console.account.submit")}</button>
            </form>
            {forgot}
            {language::section(signed)}
            {browsers}
        },
    )
}

/// What every form of the account page is checked for first: this session's
/// token (403), then one of the account's console forms (429); the answer
/// when it is refused.
pub(super) fn refused_form(state: &AppState, signed: &Signed, csrf: &str) -> Option<Response> {
    if !signed.csrf_ok(csrf) {
        return Some(refused::stale_form(signed.locale));
    }
    if let Err(wait) = state.limits.reserve_console_write(signed.session.user_id) {
        return Some(refused::too_many(signed.locale, wait));
    }
    None
}

#[derive(serde::Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
}

/// `POST /console/account/password`
pub async fn change_password(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<ChangeForm>,
) -> Response {
    let locale = signed.locale;
    if let Some(refused) = refused_form(&state, &signed, &form.csrf) {
        return refused;
    }
    let refused = |status, key: &str| account_page(&state, &signed, status, Some((t(locale, key), true)));
    let (user_id, email) = (signed.session.user_id, signed.session.email.as_str());
    // Bounded and checked before anything is hashed or counted as a guess.
    if form.current.is_empty() || form.current.len() > password::MAX_BYTES {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, "console.account.wrong_current").await;
    }
    if let Err(weak) = password::check(&form.password, &form.again, email) {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, weak.key()).await;
    }
    if form.password == form.current {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, "console.account.same").await;
    }
    let limited = |wait: std::time::Duration| {
        let minutes = pages::minutes(wait);
        let text = app::i18n::t_args(locale, "console.account.limited", &[("minutes", &minutes)]);
        let (state, signed) = (&state, &signed);
        async move {
            let page = account_page(state, signed, StatusCode::TOO_MANY_REQUESTS, Some((text, true))).await;
            pages::retry_after(page, wait)
        }
    };
    let old_hash = match check_password(&state, &client, &headers, email, form.current).await {
        Ok(right) if right.account.id == user_id => right.hash,
        // Another account under the session's address (never, while the session lasts).
        Ok(_) | Err(Refused::Wrong) => {
            tracing::info!(user_id, "console password change refused: current password wrong");
            return refused(StatusCode::UNPROCESSABLE_ENTITY, "console.account.wrong_current").await;
        }
        Err(Refused::Limited(wait)) => return limited(wait).await,
        Err(Refused::Busy) => return refused::busy(locale),
        Err(Refused::Unavailable) => return refused::unavailable(locale),
    };
    let new = form.password;
    let Ok(Ok(new_hash)) = state.hashing.run(move || keys::hash(&new)).await else {
        return refused::busy(locale);
    };
    // Word of the change by mail, when the server sends mail.
    let notice = state.mail.is_some().then_some(locale.code());
    let fresh = Fresh::random(signed.session.browser.clone());
    let changed = state
        .store
        .change_password(user_id, &old_hash, &new_hash, &signed.id_hash, &fresh.row(), notice)
        .await;
    match changed {
        Ok(true) => {
            tracing::info!(user_id, "console password changed");
            if let Some(mailer) = &state.mail {
                mailer.wake();
            }
            let mut response = Redirect::to("/console/account?done=password").into_response();
            let h = response.headers_mut();
            h.append(header::SET_COOKIE, fresh.cookie(&state));
            // This browser stays known to the account under its new password.
            let tag = state.limits.known_browser_tag(email, &new_hash, today());
            h.append(header::SET_COOKIE, known_cookie(&state, &tag));
            response
        }
        Ok(false) => refused(StatusCode::CONFLICT, "console.account.changed_meanwhile").await,
        Err(e) => {
            tracing::error!(error = %e, "could not change a password");
            refused::unavailable(locale)
        }
    }
}
