//! Shopify (owners only): the webhook URL and the events to send to it, the
//! signing key Shopify shows (pasted and stored) or a new signing secret shown
//! once (for other senders), and the shop's last signed deliveries.

use super::keys::{member_making, once_field, MakeForm, Said};
use super::pages::{self, csrf_field, Frame, Section};
use super::refused;
use super::session::Signed;
use super::{base_url, member, t};
use crate::keys::GIVEN_SECRET_LEN;
use crate::AppState;
use app::store::{By, Membership};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use leptos::prelude::*;

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
    shopify_page(&state, &signed, &member, &headers, StatusCode::OK, Said::Nothing).await
}

/// `POST /console/shops/{slug}/shopify/rotate`: the signing key Shopify shows,
/// pasted (`key`), stored and not shown again; or, from the form without that
/// field, a new signing secret, shown once. 422 for a key that cannot be one
/// (empty, spaces inside, too short or long), 409 for a form sent again;
/// nothing is changed but by the 200.
pub async fn rotate(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<MakeForm>,
) -> Response {
    let member = match member_making(&state, &signed, &slug, Section::Shopify, &form).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let pasted = form.key.as_deref().map(str::trim);
    // As long as `lookout shop rotate-secret --secret` takes, and no spaces inside.
    let fits = |key: &str| GIVEN_SECRET_LEN.contains(&key.len()) && key.chars().all(|c| c.is_ascii_graphic());
    if pasted.is_some_and(|key| !fits(key)) {
        let said = Said::Problem(t(signed.locale, "console.shopify.key_bad"));
        return shopify_page(
            &state,
            &signed,
            &member,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            said,
        )
        .await;
    }
    let secret = pasted.map_or_else(crate::keys::webhook_secret, str::to_string);
    let (status, said) = match state
        .store
        .rotate_webhook_secret(
            member.shop.id,
            &secret,
            &form.once,
            &By::Account(signed.session.user_id),
        )
        .await
    {
        Ok(true) if pasted.is_some() => {
            tracing::info!(user_id = signed.session.user_id, "console stored Shopify's signing key");
            (
                StatusCode::OK,
                Said::Note(t(signed.locale, "console.shopify.key_saved")),
            )
        }
        Ok(true) => {
            tracing::info!(user_id = signed.session.user_id, "console rotated the webhook secret");
            (StatusCode::OK, Said::Shown(secret))
        }
        Ok(false) => {
            let used = if pasted.is_some() {
                "console.shopify.key_form_used"
            } else {
                "console.shopify.form_used"
            };
            (StatusCode::CONFLICT, Said::Problem(t(signed.locale, used)))
        }
        Err(e) => return refused::not_written(signed.locale, &e, "rotate the webhook secret"),
    };
    shopify_page(&state, &signed, &member, &headers, status, said).await
}

async fn shopify_page(
    state: &AppState,
    signed: &Signed,
    member: &Membership,
    headers: &HeaderMap,
    status: StatusCode,
    said: Said,
) -> Response {
    let locale = signed.locale;
    let deliveries = match state.store.deliveries(member.shop.id).await {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "deliveries query failed");
            return refused::unavailable(locale);
        }
    };
    let url = format!(
        "{}/api/v1/shops/{}/webhooks/shopify",
        base_url(state, headers),
        member.shop.slug
    );
    let note = said.notice();
    let shown = said.shown(locale, "console.shopify.shown_once", "new-secret");
    let empty = deliveries
        .is_empty()
        .then(|| view! { <p>{t(locale, "console.shopify.none")}</p> });
    let rows = deliveries
        .into_iter()
        .map(|d| {
            view! {
                <tr>
                    <td>{pages::time(locale, &d.received_at)}</td>
                    <td>{topic_said(locale, d.topic)}</td>
                    // Which order it was about, as its number's key: the one
                    // to look for when a delivery was not kept.
                    <td>{d.order_key.map(|key| view! { <code>{key}</code> })}</td>
                    <td class=format!("outcome {}", d.outcome)>
                        {format!("{} ", outcome_said(locale, &d.outcome))}<code>{d.outcome.clone()}</code>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let topics = crate::shopify::ORDER_TOPICS
        .iter()
        .chain(crate::shopify::FULFILLMENT_TOPICS)
        .chain([&crate::shopify::REFUND_TOPIC, &crate::shopify::DELETE_TOPIC])
        .chain(crate::shopify::RETURN_TOPICS)
        .map(|topic| view! { <li><code>{*topic}</code></li> })
        .collect_view();
    let title = t(locale, "console.shopify.title");
    pages::page(
        status,
        &Frame::shop(signed, member, Section::Shopify),
        &title.clone(),
        view! {
                    <h1>{title}</h1>
                    {note}
                    <p>{t(locale, "console.shopify.url")}</p>
                    {pages::copy_box(locale, "webhook-url", url)}
                    <p>{t(locale, "console.shopify.topics")}</p>
                    <ul class="topics">{topics}</ul>
                    <h2 id="key-title">{t(locale, "console.shopify.key_title")}</h2>
                    <form method="post" action=format!("/console/shops/{}/shopify/rotate", member.shop.slug)>
                        {csrf_field(&signed.session.csrf)}
                        {once_field()}
                        <label for="shopify-key">{t(locale, "console.shopify.key_label")}</label>
                        <p class="hint" id="shopify-key-hint">{t(locale, "console.shopify.key_hint")}</p>
                        <input id="shopify-key" name="key" type="text" required autocomplete="off" spellcheck="false"
                            minlength=GIVEN_SECRET_LEN.start().to_string() maxlength=GIVEN_SECRET_LEN.end().to_string()
                            aria-describedby="shopify-key-hint"/>
                        <button type="submit">{t(locale, "console.shopify.key_save")}</button>
                    </form>
                    {shown}
                    // One click more, asking first: deliveries signed with the old secret fail at once.
                    <details class="confirm">
                        <summary>{t(locale, "console.shopify.rotate")}</summary>
                        <form method="post" action=format!("/console/shops/{}/shopify/rotate", member.shop.slug)>
                            {csrf_field(&signed.session.csrf)}
                            {once_field()}
                            <p class="hint">{t(locale, "console.shopify.rotate_hint")}</p>
                            <button type="submit" class="secondary">{t(locale, "console.shopify.rotate_confirm")}</button>
                        </form>
                    </details>
                    <h2>{t(locale, "console.shopify.deliveries")}</h2>
                    {empty}
                    {pages::scrolling(t(locale, "console.shopify.deliveries"), view! {
        <table>
                        <thead>
                            <tr>
                                <th scope="col">{t(locale, "console.shopify.received")}</th>
                                <th scope="col">{t(locale, "console.shopify.topic")}</th>
                                <th scope="col">{t(locale, "console.shopify.order")}</th>
                                <th scope="col">{t(locale, "console.shopify.outcome")}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
        })}
                },
    )
}

/// The outcomes of a delivery said in words of their own (`console.shopify.outcomes.*`).
const OUTCOMES_SAID: [&str; 7] = [
    "applied",
    "duplicate",
    "stale",
    "unknown_order",
    "ignored_topic",
    "no_email",
    "erased",
];

/// A delivery's topic as the list shows it: as sent, or in words when it is
/// one Lookout does not read (kept as `other`, never as sent: see `api::webhooks`).
fn topic_said(locale: app::i18n::Locale, topic: String) -> impl IntoView {
    match topic.as_str() {
        "other" => view! { <span>{t(locale, "console.shopify.other_topic")}</span> }.into_any(),
        _ => view! { <code>{topic}</code> }.into_any(),
    }
}

/// What a delivery's outcome means, in the console's language; an error code
/// (a refused delivery) as "Refused (code)".
fn outcome_said(locale: app::i18n::Locale, outcome: &str) -> String {
    match outcome {
        _ if OUTCOMES_SAID.contains(&outcome) => t(locale, &format!("console.shopify.outcomes.{outcome}")),
        // Answered 5xx: nothing was refused, and Shopify sends it again.
        "unavailable" | "internal_error" | "busy" => {
            app::i18n::t_args(locale, "console.shopify.outcomes.failed", &[("code", outcome)])
        }
        _ => app::i18n::t_args(locale, "console.shopify.outcomes.refused", &[("code", outcome)]),
    }
}

#[cfg(test)]
mod tests {
    use super::{outcome_said, OUTCOMES_SAID};
    use app::i18n::Locale;

    #[test]
    fn every_outcome_is_said_in_words_and_an_error_code_as_refused() {
        assert_eq!(
            outcome_said(Locale::De, "stale"),
            "Älter als der gespeicherte Stand; nichts geändert"
        );
        assert_eq!(
            outcome_said(Locale::En, "validation_failed"),
            "Refused (validation_failed)"
        );
        assert_eq!(
            outcome_said(Locale::En, "unavailable"),
            "Not handled here this time (unavailable); Shopify sends it again"
        );
        for locale in Locale::ALL {
            for outcome in OUTCOMES_SAID {
                let said = outcome_said(locale, outcome);
                assert!(
                    !said.contains("console.") && !said.contains('%'),
                    "{outcome} in {locale:?}: {said}"
                );
            }
        }
    }
}
