//! The support view's second question (owners and staff): which orders has the
//! shop for this email address? For a shopper who writes without their order
//! number. Each order is listed by its number, date and where it stands, with
//! a button that opens it as a search by its number does; every order listed
//! is recorded in the audit log as listed.
//!
//! The address is posted, never put in a URL, so it stays out of logs.

use super::pages::csrf_field;
use super::refused;
use super::session::Signed;
use super::support::{self, Typed};
use super::{member_searching, t};
use crate::AppState;
use app::view::ShopperView;
use app::zone::Zone;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use leptos::prelude::*;

#[derive(serde::Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// `POST /console/shops/{slug}/orders/by-email`: the orders with the address,
/// newest first, at most `app::store::ORDERS_LISTED`; 422 for what is not an email
/// address (checked as a lookup checks it, before it becomes a key), 404 for
/// an address without orders.
pub async fn find(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    Form(form): Form<EmailForm>,
) -> Response {
    let member = match member_searching(&state, &signed, &slug, &form.csrf).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let locale = signed.locale;
    // Shown again as typed, as far as an address goes (in characters, as it is checked).
    let shown = super::offered_again(&form.email, app::normalize::MAX_EMAIL_LEN);
    let page = |status, said: Option<(String, bool)>, list: Option<AnyView>| {
        support::page(&state, &signed, &member, status, Typed::Email(&shown), said, list)
    };
    if let Err(error) = app::normalize::check_email(&form.email, "email") {
        // What is wrong, as the lookup's check says it, in the staff's words.
        let key = match error.code.as_str() {
            "email_required" => "console.orders.email_required",
            "email_too_long" => "field.email_too_long",
            _ => "console.orders.bad_email",
        };
        let said = Some((t(locale, key), true));
        return page(StatusCode::UNPROCESSABLE_ENTITY, said, None);
    }
    // As a shopper's lookup reads it (full-width forms as ASCII, unseen marks dropped).
    let email = app::normalize::folded_email(&form.email);
    let key = app::normalize::email_key(&email);
    let (orders, more) = match state.store.orders_with_email(member.shop.id, &key).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "support view query failed");
            return refused::unavailable(locale);
        }
    };
    if orders.is_empty() {
        let said = Some((t(locale, "console.orders.email_not_found"), true));
        return page(StatusCode::NOT_FOUND, said, None);
    }
    let keys: Vec<String> = orders
        .iter()
        .map(|o| app::normalize::order_number_key(&o.order_number).into_owned())
        .collect();
    if let Err(e) = state
        .store
        .record_support_listing(member.shop.id, &signed.session.email, &keys)
        .await
    {
        // Nothing is shown that could not be recorded.
        tracing::error!(error = %e, "could not record a support listing");
        return refused::unavailable(locale);
    }
    let zone = member.shop.zone();
    let open = format!("/console/shops/{}/orders", member.shop.slug);
    let list = listed(&orders, locale, zone, &open, &signed.session.csrf, more);
    page(StatusCode::OK, None, Some(list))
}

/// The orders as a list, each with a button that opens it (a search by its
/// number, posted to `open`), and a note when there are more than it shows.
fn listed(
    orders: &[ShopperView],
    locale: app::i18n::Locale,
    zone: Zone,
    open: &str,
    csrf: &str,
    more: bool,
) -> AnyView {
    let count = app::format::count(orders.len() as i64, locale);
    let heading = match more {
        true => "console.orders.email_found_newest",
        false => "console.orders.email_found",
    };
    let heading = app::i18n::t_args(locale, heading, &[("count", &count)]);
    let items = orders
        .iter()
        .map(|order| {
            let summary = app::ui::order_summary(order, locale, zone);
            let label = app::i18n::t_args(locale, "console.orders.open", &[("number", &order.order_number)]);
            view! {
                <li>
                    <form method="post" action=open.to_string() class="inline">
                        {csrf_field(csrf)}
                        <input type="hidden" name="number" value=order.order_number.clone()/>
                        <span>{summary}</span> " "
                        <button type="submit" class="secondary" aria-label=label>{t(locale, "console.orders.open_short")}</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="listed-title">
            <h2 id="listed-title">{heading}</h2>
            <ul class="order-list">{items}</ul>
            {more.then(|| view! { <p class="hint">{t(locale, "console.orders.email_more")}</p> })}
        </section>
    }
    .into_any()
}
