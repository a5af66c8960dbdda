//! API keys (create, shown once; list by prefix and name; revoke), and what
//! every page that makes a secret shares: its one-time form and what it says
//! at its top. Owners only.

use super::noted::Noted;
use super::pages::{self, csrf_field, notice, Frame, Section};
use super::refused;
use super::session::{is_token, token, Signed};
use super::{member, member_posting, t};
use crate::keys::NotMade;
use crate::AppState;
use app::i18n::t_args;
use app::store::{By, Membership};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use leptos::prelude::*;

/// What to say at the top of the keys page after a change.
#[derive(serde::Deserialize)]
pub struct Revoked {
    revoked: Option<String>,
}

/// `GET /console/shops/{slug}/keys`
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    Noted(done): Noted<Revoked>,
) -> Response {
    let member = match member(&state, &signed, &slug, Section::Keys).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let note = done
        .and_then(|d| d.revoked)
        .filter(|p| crate::keys::is_prefix(p))
        .map(|p| {
            Said::Note(app::i18n::t_args(
                signed.locale,
                "console.keys.revoked",
                &[("prefix", &p)],
            ))
        });
    keys_page(
        &state,
        &signed,
        &member,
        StatusCode::OK,
        note.unwrap_or(Said::Nothing),
        "",
    )
    .await
}

/// A form that makes a secret: its CSRF token and its one-time token, which
/// makes a second sending of the same form (a reload) make nothing new.
#[derive(serde::Deserialize)]
pub struct MakeForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) once: String,
    /// The key form only: what the key is for.
    #[serde(default)]
    label: String,
    /// The Shopify form only: the signing key Shopify shows, pasted (no such
    /// field: a new secret is made and shown once).
    #[serde(default)]
    pub(super) key: Option<String>,
}

/// What a page says at its top after a change.
pub(super) enum Said {
    Nothing,
    /// A new secret, shown this once.
    Shown(String),
    Note(String),
    Problem(String),
}

impl Said {
    pub(super) fn notice(&self) -> impl IntoView {
        match self {
            Said::Note(text) => Some(notice(Some(text.clone()), false)),
            Said::Problem(text) => Some(notice(Some(text.clone()), true)),
            Said::Nothing | Said::Shown(_) => None,
        }
    }

    pub(super) fn shown(self, locale: app::i18n::Locale, text_key: &str, id: &'static str) -> impl IntoView {
        let Said::Shown(secret) = self else { return None };
        // The sentence is the status; the box and the copy button (whose own
        // "copied" status the script adds after the box) are beside it, not in it.
        Some(view! {
            <div class="notice" tabindex="-1" autofocus>
                <p role="status">{t(locale, text_key)}</p>
                {super::pages::copy_box(locale, id, secret)}
            </div>
        })
    }
}

/// The hidden field of a form that makes a secret.
pub(super) fn once_field() -> impl IntoView {
    view! { <input type="hidden" name="once" value=token()/> }
}

/// The shop of an owner's form that makes a secret, when the form carries this
/// session's CSRF token and a one-time token; else the page to answer with.
pub(super) async fn member_making(
    state: &AppState,
    signed: &Signed,
    slug: &str,
    section: Section,
    form: &MakeForm,
) -> Result<Membership, Response> {
    let member = member_posting(state, signed, slug, section, &form.csrf).await?;
    if is_token(&form.once) {
        Ok(member)
    } else {
        Err(refused::stale_form(signed.locale))
    }
}

/// `POST /console/shops/{slug}/keys`: a new key, shown on the answer only.
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    Form(form): Form<MakeForm>,
) -> Response {
    let member = match member_making(&state, &signed, &slug, Section::Keys, &form).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let locale = signed.locale;
    let problem =
        |key: &str, (name, value): (&str, &str)| Said::Problem(app::i18n::t_args(locale, key, &[(name, value)]));
    let by = By::Account(signed.session.user_id);
    let made = crate::keys::create(
        &state.store,
        &state.hashing,
        member.shop.id,
        &form.label,
        Some(&form.once),
        &by,
    );
    let (status, said) = match made.await {
        Ok(key) => {
            tracing::info!(user_id = signed.session.user_id, "console created an API key");
            (StatusCode::OK, Said::Shown(key))
        }
        Err(NotMade::FormUsed(made)) if crate::keys::is_prefix(&made) => (
            StatusCode::CONFLICT,
            problem("console.keys.form_used", ("prefix", &made)),
        ),
        Err(NotMade::FormUsed(_)) => return refused::stale_form(locale),
        Err(NotMade::Full) => (
            StatusCode::CONFLICT,
            problem("console.keys.full", ("most", &app::store::LIVE_KEYS.to_string())),
        ),
        Err(NotMade::TooOften) => (
            StatusCode::TOO_MANY_REQUESTS,
            problem(
                "console.keys.too_often",
                ("most", &app::store::KEYS_PER_HOUR.to_string()),
            ),
        ),
        Err(NotMade::Label) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            problem(
                "console.keys.bad_label",
                ("most", &crate::keys::MAX_LABEL_CHARS.to_string()),
            ),
        ),
        Err(NotMade::Busy) => return refused::busy(locale),
        Err(NotMade::Store(e)) => return refused::not_written(locale, &e, "create a key"),
        Err(e) => {
            tracing::error!(error = %e, "could not create a key");
            return refused::unavailable(locale);
        }
    };
    // A refused name is offered again to correct (cut to what the field holds).
    let typed = if status == StatusCode::OK {
        ""
    } else {
        &super::offered_again(&form.label, 4 * crate::keys::MAX_LABEL_CHARS)
    };
    keys_page(&state, &signed, &member, status, said, typed).await
}

#[derive(serde::Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    prefix: String,
}

/// `POST /console/shops/{slug}/keys/revoke`
pub async fn revoke(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    Form(form): Form<RevokeForm>,
) -> Response {
    let member = match member_posting(&state, &signed, &slug, Section::Keys, &form.csrf).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let no_such = |status| {
        let said = Said::Problem(t(signed.locale, "console.keys.no_such"));
        keys_page(&state, &signed, &member, status, said, "")
    };
    if !crate::keys::is_prefix(&form.prefix) {
        return no_such(StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let revoked = state
        .store
        .revoke_key(member.shop.id, &form.prefix, &By::Account(signed.session.user_id))
        .await;
    // A key revoked already (the form sent twice, or from a page opened before
    // another owner revoked it) is what was asked for: said as done, recorded once.
    let done = match revoked {
        Ok(false) => match state.store.keys(member.shop.id).await {
            Ok(keys) => keys.iter().any(|k| k.prefix == form.prefix && k.revoked_at.is_some()),
            Err(e) => return refused::not_written(signed.locale, &e, "read the keys after a revoke"),
        },
        Ok(true) => true,
        Err(e) => return refused::not_written(signed.locale, &e, "revoke a key"),
    };
    if done {
        // Refused from the next request on, not only once its verification
        // is a minute old.
        state.verified.forget(member.shop.id, &form.prefix);
        let to = format!("/console/shops/{}/keys?revoked={}", member.shop.slug, form.prefix);
        Redirect::to(&to).into_response()
    } else {
        no_such(StatusCode::NOT_FOUND).await
    }
}

async fn keys_page(
    state: &AppState,
    signed: &Signed,
    member: &Membership,
    status: StatusCode,
    said: Said,
    typed: &str,
) -> Response {
    let locale = signed.locale;
    let keys = match state.store.keys(member.shop.id).await {
        Ok(keys) => keys,
        // A key just made is shown (once) even when the list cannot be read.
        Err(e) if matches!(said, Said::Shown(_)) => {
            tracing::error!(error = %e, "keys query failed after a key was made");
            Vec::new()
        }
        Err(e) => {
            tracing::error!(error = %e, "keys query failed");
            return refused::unavailable(locale);
        }
    };
    let slug = member.shop.slug.clone();
    let csrf = signed.session.csrf.clone();
    let never = t(locale, "console.keys.never");
    let rows = keys
        .into_iter()
        .map(|k| {
            let state_cell = match &k.revoked_at {
                Some(at) => {
                    // "revoked %{at}", the time as every console time is shown.
                    let said = t(locale, "console.keys.revoked_at");
                    let (before, after) = said.split_once("%{at}").unwrap_or((&said, ""));
                    view! { {before.to_string()}{pages::time(locale, at)}{after.to_string()} }.into_any()
                }
                // One click more, asking first: apps using the key stop at once.
                None => {
                    let named = [("prefix", k.prefix.as_str())];
                    view! {
                        <details class="confirm">
                            // Each key's button named by its key, not one "Revoke" of many.
                            <summary>
                                {t(locale, "console.keys.revoke")}
                                <span class="visually-hidden">{format!(" lk_{}_…", k.prefix)}</span>
                            </summary>
                            <form method="post" action=format!("/console/shops/{slug}/keys/revoke")>
                                {csrf_field(&csrf)}
                                <input type="hidden" name="prefix" value=k.prefix.clone()/>
                                <p>{t_args(locale, "console.keys.revoke_confirm", &named)}</p>
                                <button type="submit" class="danger">{t_args(locale, "console.keys.revoke_key", &named)}</button>
                            </form>
                        </details>
                    }
                    .into_any()
                }
            };
            view! {
                <tr>
                    <th scope="row"><code>{format!("lk_{}_…", k.prefix)}</code></th>
                    <td>{k.label}</td>
                    <td>{pages::time(locale, &k.created_at)}</td>
                    <td>{match k.last_used_at {
                        Some(at) => pages::time(locale, &at).into_any(),
                        None => never.clone().into_any(),
                    }}</td>
                    <td>{state_cell}</td>
                </tr>
            }
        })
        .collect_view();
    let note = said.notice();
    let shown = said.shown(locale, "console.keys.shown_once", "new-key");
    let title = t(locale, "console.keys.title");
    pages::page(
        status,
        &Frame::shop(signed, member, Section::Keys),
        &title.clone(),
        view! {
                    <h1>{title}</h1>
                    {note}
                    {shown}
                    <form method="post" action=format!("/console/shops/{}/keys", member.shop.slug) class="stack">
                        {csrf_field(&signed.session.csrf)}
                        {once_field()}
                        <label for="key-label">{t(locale, "console.keys.label")}</label>
                        <input id="key-label" name="label" maxlength=crate::keys::MAX_LABEL_CHARS.to_string()
                            autocomplete="off" aria-describedby="key-label-hint" value=typed.to_string()/>
                        <p class="hint" id="key-label-hint">{t(locale, "console.keys.label_hint")}</p>
                        <button type="submit">{t(locale, "console.keys.create")}</button>
                    </form>
                    {pages::scrolling(t(locale, "console.keys.title"), view! {
        <table>
                        <thead>
                            <tr>
                                <th scope="col">{t(locale, "console.keys.prefix")}</th>
                                <th scope="col">{t(locale, "console.keys.label")}</th>
                                <th scope="col">{t(locale, "console.keys.created")}</th>
                                <th scope="col">{t(locale, "console.keys.last_used")}</th>
                                <th scope="col">{t(locale, "console.keys.state")}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
        })}
                },
    )
}
