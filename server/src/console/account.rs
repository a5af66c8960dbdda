//! Signing in and out, and setting a password from a one-time link.
//!
//! A sign-in's password is checked by `credentials::check_password`: allowances
//! of failures taken before any hashing, the bounded hashing gate, a dummy hash
//! when there is no such account.

use super::credentials::{check_password, Refused, Right};
use super::pages::{self, bare, notice, Frame};
use super::refused;
use super::session::{self, Signed, FORM_COOKIE, SESSION_COOKIE};
use super::{locale_of, t, CsrfForm};
use crate::api::auth::ClientOf;
use crate::AppState;
use app::limits::KNOWN_DAYS;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use leptos::prelude::*;

/// `GET /console`: the sign-in form, or the account's shops.
pub async fn home(
    State(state): State<AppState>,
    signed: Result<Signed, Response>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let signed = match signed {
        Ok(signed) => signed,
        // No session: sign in; one that has ended is said so (what a form was
        // sending when it ended was not saved), whether its cookie came here or
        // to another console page, which sent the browser here without it
        // (`session::ENDED`). Anything else (the database is down) is said as
        // it is.
        Err(answer) if answer.status().is_redirection() => {
            let sent_here = uri.query().is_some_and(|q| q.split('&').any(|p| p == "ended=1"));
            let ended = sent_here
                || answer
                    .headers()
                    .get(header::LOCATION)
                    .is_some_and(|l| l == session::ENDED);
            let out = uri
                .query()
                .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("out=")));
            let said = match (ended, out) {
                (true, _) => Some((t(locale_of(&headers), "console.sign_in.ended"), true)),
                // Signed out here, or everywhere: said so, as a status.
                (false, Some("here")) => Some((t(locale_of(&headers), "console.sign_in.signed_out"), false)),
                (false, Some("everywhere")) => {
                    Some((t(locale_of(&headers), "console.sign_in.signed_out_everywhere"), false))
                }
                _ => None,
            };
            // The ended session's cookie is cleared here too (the answer
            // instead of this page carried that), so the notice is said once.
            let mut page = sign_in_page(&state, &headers, StatusCode::OK, said, "");
            for clear in answer.headers().get_all(header::SET_COOKIE) {
                page.headers_mut().append(header::SET_COOKIE, clear.clone());
            }
            return page;
        }
        Err(answer) => return answer,
    };
    let shops = match state.store.memberships(signed.session.user_id).await {
        Ok(shops) => shops,
        Err(e) => {
            tracing::error!(error = %e, "memberships query failed");
            return refused::unavailable(signed.locale);
        }
    };
    if let [only] = shops.as_slice() {
        return Redirect::to(&format!("/console/shops/{}", only.shop.slug)).into_response();
    }
    let locale = signed.locale;
    // An account on no shop's team (its last shop took it off) is told why the
    // list is empty and what to do.
    let none = shops.is_empty();
    let list = shops
        .into_iter()
        .map(|m| {
            let href = format!("/console/shops/{}", m.shop.slug);
            view! { <li><a href=href>{m.shop.name}</a>" · "{t(locale, &format!("console.role.{}", m.role.as_str()))}</li> }
        })
        .collect_view();
    let frame = Frame::plain(&signed);
    let title = t(locale, "console.shops.title");
    pages::page(
        StatusCode::OK,
        &frame,
        &title.clone(),
        view! {
            <h1>{title}</h1>
            {none.then(|| view! { <p>{t(locale, "console.shops.none")}</p> })}
            <ul class="shops">{list}</ul>
        },
    )
}

/// The sign-in page; after a refused sign-in, with the address that was typed
/// (never the password).
fn sign_in_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    said: Option<(String, bool)>,
    typed: &str,
) -> Response {
    let locale = locale_of(headers);
    let form_token = session::form_token(state, headers);
    let forgot = state.mail.is_some().then(|| {
        view! { <p><a href="/console/forgot">{t(locale, "console.sign_in.forgot")}</a></p> }
    });
    let title = t(locale, "console.sign_in.title");
    let mut response = bare(
        status,
        locale,
        &title.clone(),
        view! {
            <h1>{title}</h1>
            {said.map(|(text, error)| notice(Some(text), error))}
            <form method="post" action="/console/sign-in" class="stack">
                <input type="hidden" name="csrf" value=form_token.clone()/>
                <label for="email">{t(locale, "console.sign_in.email")}</label>
                // Text, not `type="email"`, as the invitation's field (`invite.rs`).
                <input id="email" name="email" type="text" inputmode="email" autocomplete="username" required maxlength="254"
                    autocapitalize="none" spellcheck="false"
                    value=typed.to_string()/>
                <label for="password">{t(locale, "console.sign_in.password")}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <button type="submit">{t(locale, "console.sign_in.submit")}</button>
            </form>
            {forgot}
        },
    );
    response
        .headers_mut()
        .append(header::SET_COOKIE, session::form_cookie(state, &form_token));
    response
}

/// The cookie of a browser that has signed in to an account: its sign-ins are
/// not counted against the account's allowance from all clients, so that many
/// clients guessing cannot lock the owner out of a browser they have used. One
/// account's (the last signed in to); made by `LookupLimits::known_browser_tag`.
pub const KNOWN_COOKIE: session::CookieName = session::CookieName {
    plain: "lookout_console_known",
    secure: "__Host-lookout_console_known",
};

pub(super) fn known_cookie(state: &AppState, tag: &str) -> axum::http::HeaderValue {
    let max_age = i64::try_from(KNOWN_DAYS * 24 * 3600).unwrap_or(i64::MAX);
    session::set_cookie_for(state, KNOWN_COOKIE, Some(tag), max_age)
}

/// Days since 1970, as the known browsers' tags count them.
pub(super) fn today() -> u64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| d.as_secs() / 86_400)
}

#[derive(serde::Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /console/sign-in`
pub async fn sign_in(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let locale = locale_of(&headers);
    if !session::form_token_ok(&state, &headers, &form.csrf) {
        return refused::stale_form(locale);
    }
    let typed = super::offered_again(form.email.trim(), app::normalize::MAX_EMAIL_LEN);
    let wrong = |status| {
        sign_in_page(
            &state,
            &headers,
            status,
            Some((t(locale, "console.sign_in.wrong"), true)),
            &typed,
        )
    };
    // Bounded before anything is hashed or counted; an address with a control
    // character (a NUL, which PostgreSQL refuses in a query) is no account's.
    let unreadable = form.email.chars().count() > app::normalize::MAX_EMAIL_LEN
        || form.email.trim().chars().any(char::is_control)
        || form.password.len() > super::password::MAX_BYTES;
    if unreadable {
        return wrong(StatusCode::UNAUTHORIZED);
    }
    // As typed on any keyboard (full-width letters), as the invitation reads it.
    let email = app::normalize::email_key(&super::meant_email(&form.email)).into_owned();
    let limited = |wait: std::time::Duration| {
        let minutes = pages::minutes(wait);
        let text = app::i18n::t_args(locale, "console.sign_in.limited", &[("minutes", &minutes)]);
        let page = sign_in_page(
            &state,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            Some((text, true)),
            &typed,
        );
        pages::retry_after(page, wait)
    };
    let Right { account, hash, known } = match check_password(&state, &client, &headers, &email, form.password).await {
        Ok(right) => right,
        Err(Refused::Limited(wait)) => return limited(wait),
        Err(Refused::Wrong) => {
            tracing::info!("console sign-in refused");
            return wrong(StatusCode::UNAUTHORIZED);
        }
        Err(Refused::Busy) => return refused::busy(locale),
        Err(Refused::Unavailable) => return refused::unavailable(locale),
    };
    // Word by mail of a sign-in from a browser the account does not know.
    let word = app::store::SignInWord {
        locale: locale.code(),
        tell: state.mail.is_some() && !known,
    };
    match open_session(&state, &headers, account.id, &email, &hash, word).await {
        Ok(Some(cookies)) => {
            tracing::info!(user_id = account.id, "console sign-in");
            let mut response = Redirect::to("/console").into_response();
            for cookie in cookies {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        // The password was changed between its check and now.
        Ok(None) => {
            tracing::info!(
                user_id = account.id,
                "console sign-in refused: the password changed meanwhile"
            );
            wrong(StatusCode::UNAUTHORIZED)
        }
        Err(e) => {
            tracing::error!(error = %e, "could not start a session");
            refused::unavailable(locale)
        }
    }
}

/// Starts a session on this browser for the account `user_id` (of the email
/// key `email`) whose password hash `hash` was just proven, by a sign-in or
/// by setting it from a link; `word` says how it is noted and told. Returns
/// the cookies to set (the session, the form token cleared, the
/// known-browser tag); None when the password changed meanwhile.
pub(super) async fn open_session(
    state: &AppState,
    headers: &HeaderMap,
    user_id: i64,
    email: &str,
    hash: &str,
    word: app::store::SignInWord<'_>,
) -> Result<Option<Vec<axum::http::HeaderValue>>, app::store::StoreError> {
    // One browser, one session: one it still had (another account's, say) ends
    // here rather than staying valid, unseen, until it expires.
    if let Some(old) = session::cookie(state, headers, SESSION_COOKIE) {
        if let Err(e) = state.store.end_session(&session::digest(old)).await {
            tracing::warn!(error = %e, "could not end the browser's previous session");
        }
    }
    let Some(cookie) = session::start(state, user_id, hash, super::browsers::of(headers), word).await? else {
        return Ok(None);
    };
    if let (Some(mailer), true) = (&state.mail, word.tell) {
        mailer.wake();
    }
    let tag = state.limits.known_browser_tag(email, hash, today());
    Ok(Some(vec![
        cookie,
        session::set_cookie(state, FORM_COOKIE, None),
        known_cookie(state, &tag),
    ]))
}

/// To the sign-in page, which says the browser is signed out (`here`) or every
/// browser of the account is (`everywhere`), with the session's cookie cleared.
fn signed_out(state: &AppState, out: &str) -> Response {
    let mut response = Redirect::to(&format!("/console?out={out}")).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session::set_cookie(state, SESSION_COOKIE, None));
    response
}

/// `POST /console/sign-out`: ends this session.
pub async fn sign_out(State(state): State<AppState>, signed: Signed, Form(form): Form<CsrfForm>) -> Response {
    if !signed.csrf_ok(&form.csrf) {
        return refused::stale_form(signed.locale);
    }
    match state.store.end_session(&signed.id_hash).await {
        Ok(()) => signed_out(&state, "here"),
        Err(e) => {
            tracing::error!(error = %e, "could not end a session");
            refused::unavailable(signed.locale)
        }
    }
}

/// `POST /console/sign-out-everywhere`: ends every session of the account.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !signed.csrf_ok(&form.csrf) {
        return refused::stale_form(signed.locale);
    }
    match state.store.end_sessions(signed.session.user_id).await {
        Ok(_) => signed_out(&state, "everywhere"),
        Err(e) => {
            tracing::error!(error = %e, "could not end sessions");
            refused::unavailable(signed.locale)
        }
    }
}
