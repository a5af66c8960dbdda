//! API keys (create, shown once; list by prefix; revoke) and Shopify (the
//! webhook URL, a new signing secret shown once, the last deliveries). Owners only.

use super::pages::{self, csrf_field, notice, Frame, Section};
use super::session::Signed;
use super::{base_url, member, member_posting, t, CsrfForm};
use crate::AppState;
use app::store::Membership;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use leptos::prelude::*;

/// What to say at the top of the keys page after a change.
#[derive(serde::Deserialize, Default)]
pub struct Done {
    revoked: Option<String>,
}

/// `GET /console/shops/{slug}/keys`
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let member = match member(&state, &signed, &slug, Section::Keys).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let note = done
        .revoked
        .filter(|p| crate::keys::is_prefix(p))
        .map(|p| app::i18n::t_args(signed.locale, "console.keys.revoked", &[("prefix", &p)]));
    keys_page(&state, &signed, &member, None, note).await
}

/// `POST /console/shops/{slug}/keys`: a new key, shown on the answer only.
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let member = match member_posting(&state, &signed, &slug, Section::Keys, &form.csrf).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    match crate::keys::create(&state.store, &state.hashing, member.shop.id).await {
        Ok(key) => {
            tracing::info!(user_id = signed.session.user_id, "console created an API key");
            keys_page(&state, &signed, &member, Some(key), None).await
        }
        Err(e) => {
            tracing::error!(error = %e, "could not create a key");
            pages::unavailable(signed.locale)
        }
    }
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
    if !crate::keys::is_prefix(&form.prefix) {
        return pages::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            signed.locale,
            "console.keys.no_such_title",
            "console.keys.no_such",
        );
    }
    match state.store.revoke_key(member.shop.id, &form.prefix).await {
        Ok(true) => Redirect::to(&format!(
            "/console/shops/{}/keys?revoked={}",
            member.shop.slug, form.prefix
        ))
        .into_response(),
        Ok(false) => pages::message(
            StatusCode::NOT_FOUND,
            signed.locale,
            "console.keys.no_such_title",
            "console.keys.no_such",
        ),
        Err(e) => {
            tracing::error!(error = %e, "could not revoke a key");
            pages::unavailable(signed.locale)
        }
    }
}

async fn keys_page(
    state: &AppState,
    signed: &Signed,
    member: &Membership,
    new_key: Option<String>,
    note: Option<String>,
) -> Response {
    let locale = signed.locale;
    let keys = match state.store.keys(member.shop.id).await {
        Ok(keys) => keys,
        Err(e) => {
            tracing::error!(error = %e, "keys query failed");
            return pages::unavailable(locale);
        }
    };
    let slug = member.shop.slug.clone();
    let csrf = signed.session.csrf.clone();
    let never = t(locale, "console.keys.never");
    let rows = keys
        .into_iter()
        .map(|k| {
            let state_cell = match &k.revoked_at {
                Some(at) => app::i18n::t_args(locale, "console.keys.revoked_at", &[("at", at)]).into_any(),
                None => view! {
                    <form method="post" action=format!("/console/shops/{slug}/keys/revoke")>
                        {csrf_field(&csrf)}
                        <input type="hidden" name="prefix" value=k.prefix.clone()/>
                        <button type="submit" class="danger">{t(locale, "console.keys.revoke")}</button>
                    </form>
                }
                .into_any(),
            };
            view! {
                <tr>
                    <th scope="row"><code>{format!("lk_{}_…", k.prefix)}</code></th>
                    <td>{k.created_at}</td>
                    <td>{k.last_used_at.unwrap_or_else(|| never.clone())}</td>
                    <td>{state_cell}</td>
                </tr>
            }
        })
        .collect_view();
    let shown = new_key.map(|key| {
        view! {
            <div class="notice" role="status">
                <p>{t(locale, "console.keys.shown_once")}</p>
                <pre class="copy" id="new-key"><code>{key}</code></pre>
            </div>
        }
    });
    let title = t(locale, "console.keys.title");
    pages::page(
        StatusCode::OK,
        &Frame::shop(signed, member, Section::Keys),
        &title.clone(),
        view! {
                    <h1>{title}</h1>
                    {notice(note, false)}
                    {shown}
                    <form method="post" action=format!("/console/shops/{}/keys", member.shop.slug)>
                        {csrf_field(&signed.session.csrf)}
                        <button type="submit">{t(locale, "console.keys.create")}</button>
                    </form>
                    {pages::scrolling(t(locale, "console.keys.title"), view! {
        <table>
                        <thead>
                            <tr>
                                <th scope="col">{t(locale, "console.keys.prefix")}</th>
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

/// `GET /console/shops/{slug}/shopify`
pub async fn shopify(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let member = match member(&state, &signed, &slug, Section::Shopify).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    shopify_page(&state, &signed, &member, &headers, None).await
}

/// `POST /console/shops/{slug}/shopify/rotate`: a new signing secret, shown once.
pub async fn rotate(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let member = match member_posting(&state, &signed, &slug, Section::Shopify, &form.csrf).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let secret = crate::keys::webhook_secret();
    match state.store.set_webhook_secret(&member.shop.slug, &secret).await {
        Ok(_) => {
            tracing::info!(user_id = signed.session.user_id, "console rotated the webhook secret");
            shopify_page(&state, &signed, &member, &headers, Some(secret)).await
        }
        Err(e) => {
            tracing::error!(error = %e, "could not rotate the webhook secret");
            pages::unavailable(signed.locale)
        }
    }
}

async fn shopify_page(
    state: &AppState,
    signed: &Signed,
    member: &Membership,
    headers: &HeaderMap,
    new_secret: Option<String>,
) -> Response {
    let locale = signed.locale;
    let deliveries = match state.store.deliveries(member.shop.id).await {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "deliveries query failed");
            return pages::unavailable(locale);
        }
    };
    let url = format!(
        "{}/api/v1/shops/{}/webhooks/shopify",
        base_url(state, headers),
        member.shop.slug
    );
    let shown = new_secret.map(|secret| {
        view! {
            <div class="notice" role="status">
                <p>{t(locale, "console.shopify.shown_once")}</p>
                <pre class="copy" id="new-secret"><code>{secret}</code></pre>
            </div>
        }
    });
    let empty = deliveries
        .is_empty()
        .then(|| view! { <p>{t(locale, "console.shopify.none")}</p> });
    let rows = deliveries
        .into_iter()
        .map(|d| {
            view! {
                <tr>
                    <td>{d.received_at}</td>
                    <td><code>{d.topic}</code></td>
                    <td class=format!("outcome {}", d.outcome)>{d.outcome.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let title = t(locale, "console.shopify.title");
    pages::page(
        StatusCode::OK,
        &Frame::shop(signed, member, Section::Shopify),
        &title.clone(),
        view! {
                    <h1>{title}</h1>
                    <p>{t(locale, "console.shopify.url")}</p>
                    <pre class="copy" id="webhook-url"><code>{url}</code></pre>
                    {shown}
                    <form method="post" action=format!("/console/shops/{}/shopify/rotate", member.shop.slug)>
                        {csrf_field(&signed.session.csrf)}
                        <p class="hint">{t(locale, "console.shopify.rotate_hint")}</p>
                        <button type="submit" class="secondary">{t(locale, "console.shopify.rotate")}</button>
                    </form>
                    <h2>{t(locale, "console.shopify.deliveries")}</h2>
                    {empty}
                    {pages::scrolling(t(locale, "console.shopify.deliveries"), view! {
        <table>
                        <thead>
                            <tr>
                                <th scope="col">{t(locale, "console.shopify.received")}</th>
                                <th scope="col">{t(locale, "console.shopify.topic")}</th>
                                <th scope="col">{t(locale, "console.shopify.outcome")}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
        })}
                },
    )
}
