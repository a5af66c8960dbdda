//! "Forgot your password?": a merchant asks, from the sign-in page, for a
//! link to set a new password. Whatever the address (an account or none, its
//! day's mails spent or not, its allowance spent or not), a well-formed
//! request gets the same answer: the allowances (per address, per client,
//! all addresses together) are taken, the request is queued the same way
//! whatever the address (nothing here reads accounts), and the answer is
//! a redirect to "if an account has this address, a link is on its way". The
//! work that differs (finding the account, its day's bound, the link) is the
//! mailer's, later. Only a spent allowance of the client's, or of every
//! address's together, is said as it is (429): it tells nothing of the
//! address.

use super::noted::Noted;
use super::pages::{self, bare, notice};
use super::refused;
use super::{locale_of, session, t, typed_email, Locale};
use crate::api::auth::ClientOf;
use crate::AppState;
use app::limits::{LinkRefusal, CONSOLE_MAILS};
use app::lookup::email_fingerprint;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use leptos::prelude::*;

/// `?sent=1` after a request.
#[derive(serde::Deserialize)]
pub struct Sent {
    sent: Option<String>,
}

/// `GET /console/forgot`: the form, or, after a request, what happens next.
pub async fn form(State(state): State<AppState>, headers: HeaderMap, Noted(query): Noted<Sent>) -> Response {
    let locale = locale_of(&headers);
    if state.mail.is_none() {
        return no_mail(locale);
    }
    let sent = query.and_then(|q| q.sent).is_some_and(|s| s == "1");
    let sent = sent.then(|| t(locale, "console.forgot.sent"));
    page(&state, &headers, StatusCode::OK, (sent, false), "")
}

/// The form, with a notice (`(text, is_error)`) and the address typed.
fn page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    said: (Option<String>, bool),
    typed: &str,
) -> Response {
    let locale = locale_of(headers);
    let form_token = session::form_token(state, headers);
    let title = t(locale, "console.forgot.title");
    let mut response = bare(
        status,
        locale,
        &title.clone(),
        view! {
            <h1>{title}</h1>
            {notice(said.0, said.1)}
            <p>{t(locale, "console.forgot.intro")}</p>
            <form method="post" action="/console/forgot" class="stack">
                <input type="hidden" name="csrf" value=form_token.clone()/>
                <label for="email">{t(locale, "console.sign_in.email")}</label>
                // Text, not `type="email"`, as the invitation's field (`invite.rs`).
                <input id="email" name="email" type="text" inputmode="email" autocomplete="username" required maxlength="254"
                    autocapitalize="none" spellcheck="false"
                    value=typed.to_string()/>
                <button type="submit">{t(locale, "console.forgot.submit")}</button>
            </form>
            <p><a href="/console">{t(locale, "console.forgot.back")}</a></p>
        },
    );
    response
        .headers_mut()
        .append(header::SET_COOKIE, session::form_cookie(state, &form_token));
    response
}

fn no_mail(locale: Locale) -> Response {
    pages::message(
        StatusCode::NOT_FOUND,
        locale,
        "console.forgot.title",
        "console.forgot.no_mail",
    )
}

#[derive(serde::Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// `POST /console/forgot`
pub async fn request(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> Response {
    let locale = locale_of(&headers);
    if !session::form_token_ok(&state, &headers, &form.csrf) {
        return refused::stale_form(locale);
    }
    let Some(mailer) = state.mail.clone() else {
        return no_mail(locale);
    };
    // Kept in the form when refused, no longer than an address may be.
    let typed = &super::offered_again(form.email.trim(), app::normalize::MAX_EMAIL_LEN);
    // Bounded before it is read as an address.
    let Some(email) = typed_email(&form.email) else {
        let said = (Some(t(locale, "console.forgot.bad_email")), true);
        return page(&state, &headers, StatusCode::UNPROCESSABLE_ENTITY, said, typed);
    };
    // Counted before anything is read: a burst gets no more than the allowance.
    let outcome = match state.limits.reserve_link_request(&client, CONSOLE_MAILS, &email).await {
        Ok(()) => match state.store.queue_password_mail(&email, locale.code()).await {
            Ok(()) => {
                mailer.wake();
                "queued"
            }
            Err(e) => {
                tracing::error!(error = %e, "could not queue a password link");
                // Nothing was asked for: the allowance goes back.
                state.limits.release_link_request(&client, CONSOLE_MAILS, &email).await;
                return refused::unavailable(locale);
            }
        },
        Err(LinkRefusal::Unavailable) => return refused::unavailable(locale),
        // The address's allowance alone: answered as any other, since it
        // tells of the address.
        Err(LinkRefusal::Spent { waits: [_, None, None] }) => "limited",
        // The client's, or every address's together: said as it is, with
        // their wait only, since they tell nothing of the address (a
        // merchant learns to wait, rather than for a mail that will not come).
        Err(LinkRefusal::Spent {
            waits: [_, by_client, by_all],
        }) => {
            let wait = by_client.max(by_all).unwrap_or_default();
            tracing::info!(
                by_client = by_client.is_some(),
                by_all = by_all.is_some(),
                "console password link refused"
            );
            metrics::counter!("lookout_password_link_requests_total", "outcome" => "refused").increment(1);
            let text = app::i18n::t_args(locale, "console.forgot.limited", &[("minutes", &pages::minutes(wait))]);
            let page = page(
                &state,
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                (Some(text), true),
                typed,
            );
            return pages::retry_after(page, wait);
        }
    };
    tracing::info!(outcome, email_hash = %email_fingerprint(&email), "console password link requested");
    metrics::counter!("lookout_password_link_requests_total", "outcome" => outcome).increment(1);
    Redirect::to("/console/forgot?sent=1").into_response()
}
