//! Erasing an order from the support view (owners): a shopper's erasure
//! request answered without the API. The same erasure as
//! `DELETE /api/v1/shops/{shop}/orders/{order_number}` (`Store::delete_order`:
//! the order and everything kept under its number, in one transaction),
//! recorded on the Changes page as the signed-in account's.
//!
//! The number is posted, never put in a URL, so it stays out of logs.

use super::pages::{csrf_field, Section};
use super::refused;
use super::session::Signed;
use super::support::{self, typed_number};
use super::{owner_posting, t, Locale};
use crate::AppState;
use app::store::{By, Erasure, Guard};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use leptos::prelude::*;

/// The form under an order found in the support view, shown to owners:
/// the number it was found by, which version of the order was shown (only
/// that one is erased), and a box to tick; its button names the order as
/// stored (`number`: as typed, as stored).
pub fn form(locale: Locale, csrf: &str, slug: &str, number: (&str, &str), version: &str) -> impl IntoView {
    let (number, name) = number;
    view! {
        <section aria-labelledby="erase-title">
            <h2 id="erase-title">{t(locale, "console.orders.erase_title")}</h2>
            <p class="hint" id="erase-hint">{t(locale, "console.orders.erase_hint")}</p>
            <form method="post" action=format!("/console/shops/{slug}/orders/erase")>
                {csrf_field(csrf)}
                <input type="hidden" name="number" value=number.to_string()/>
                <input type="hidden" name="seen" value=version.to_string()/>
                <label class="check">
                    <input type="checkbox" name="confirm" value="yes" required aria-describedby="erase-hint"/>
                    {t(locale, "console.orders.erase_confirm")}
                </label>
                <button type="submit" class="danger">
                    {app::i18n::t_args(locale, "console.orders.erase", &[("number", name)])}
                </button>
            </form>
        </section>
    }
}

#[derive(serde::Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    number: String,
    /// Which version of the order the page showed: [`app::store::order_version`].
    #[serde(default)]
    seen: String,
    /// The box: `yes` when ticked.
    #[serde(default)]
    confirm: String,
}

/// `POST /console/shops/{slug}/orders/erase`: 303 to the support view, which
/// says the order was erased; 422 for a bad number, the box not ticked or a
/// form without the version seen, 404 for no such order, 409 for an order
/// written again since the page showed it, 403 for staff; nothing is erased
/// but by the 303.
pub async fn erase(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    Form(form): Form<EraseForm>,
) -> Response {
    let member = match owner_posting(&state, &signed, &slug, Section::Orders, &form.csrf).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let locale = signed.locale;
    let refused = |status, number: &str, key| {
        let said = Some((t(locale, key), true));
        support::page(
            &state,
            &signed,
            &member,
            status,
            support::Typed::Number(number),
            said,
            None,
        )
    };
    let Some(number) = typed_number(&form.number) else {
        let shown = super::offered_again(&form.number, app::normalize::MAX_ORDER_NUMBER_LEN);
        return refused(StatusCode::UNPROCESSABLE_ENTITY, &shown, "console.orders.bad_number");
    };
    if form.confirm != "yes" {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, number, "console.orders.unconfirmed");
    }
    // A version as `order_version` writes it, or it is not compared.
    if !app::store::is_short_hash(&form.seen) {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, number, "console.orders.erase_unseen");
    }
    let number_key = app::normalize::order_number_key(number);
    let by = By::Account(signed.session.user_id);
    match state
        .store
        .erase_order(member.shop.id, &number_key, Guard::Seen(form.seen.clone()), &by)
        .await
    {
        Ok(Erasure::Erased) => {
            tracing::info!("order erased from the console");
            Redirect::to(&format!("/console/shops/{}/orders?done=erased", member.shop.slug)).into_response()
        }
        Ok(Erasure::NotFound) => refused(StatusCode::NOT_FOUND, number, "console.orders.erase_not_found"),
        Ok(Erasure::Changed) => refused(StatusCode::CONFLICT, number, "console.orders.erase_changed"),
        Err(e) => refused::not_written(locale, &e, "erase an order"),
    }
}
