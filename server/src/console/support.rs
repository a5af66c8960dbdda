//! The support view (owners and staff): find an order by its number, see the
//! merchant's whole order and, beside it, exactly what the shopper sees. Every
//! order opened is recorded (who, when, which); owners read the log.
//!
//! The number is posted, never put in a URL, so it stays out of logs.

use super::noted::{Done, Noted};
use super::pages::{self, csrf_field, notice, Frame, Section};
use super::refused;
use super::session::Signed;
use super::{erase, member, member_searching, t};
use crate::AppState;
use app::store::{Membership, Role};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use leptos::prelude::*;

/// The page frame, with the widget's stylesheet for the shopper's side.
fn frame<'a>(state: &AppState, signed: &'a Signed, member: &'a Membership, section: Section) -> Frame<'a> {
    Frame {
        widget_css: Some(format!(
            "/{}/{}.css",
            state.leptos_options.site_pkg_dir, state.leptos_options.output_name
        )),
        ..Frame::shop(signed, member, section)
    }
}

/// `GET /console/shops/{slug}/orders`
pub async fn form(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    done: Noted<Done>,
) -> Response {
    let erased = done.word() == Some("erased");
    let said = erased.then(|| (t(signed.locale, "console.orders.erased"), false));
    match member(&state, &signed, &slug, Section::Orders).await {
        Ok(member) => page(&state, &signed, &member, StatusCode::OK, Typed::Number(""), said, None),
        Err(page) => page,
    }
}

/// An order number typed in a form, trimmed, if it can be one, as a
/// shopper's lookup checks it (`check_order_number`: not empty without its
/// `#`, at most 64 characters, no control character, which PostgreSQL
/// refuses in a query's text), its bytes bounded first.
pub(super) fn typed_number(typed: &str) -> Option<&str> {
    let number = typed.trim();
    let fits = number.len() <= 4 * app::normalize::MAX_ORDER_NUMBER_LEN;
    (fits && app::normalize::check_order_number(number, "number").is_ok()).then_some(number)
}

#[derive(serde::Deserialize)]
pub struct FindForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    number: String,
}

/// `POST /console/shops/{slug}/orders`
pub async fn find(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    Form(form): Form<FindForm>,
) -> Response {
    let member = match member_searching(&state, &signed, &slug, &form.csrf).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let locale = signed.locale;
    let Some(number) = typed_number(&form.number) else {
        let problem = Some((t(locale, "console.orders.bad_number"), true));
        return page(
            &state,
            &signed,
            &member,
            StatusCode::UNPROCESSABLE_ENTITY,
            Typed::Number(&super::offered_again(
                &form.number,
                app::normalize::MAX_ORDER_NUMBER_LEN,
            )),
            problem,
            None,
        );
    };
    // As a shopper's lookup reads it: what the typing means (full-width forms
    // as ASCII, unseen marks dropped) first, then the typing as it was.
    let folded = app::normalize::folded(number);
    let mut number_key = app::normalize::order_number_key(&folded).into_owned();
    let mut looked_up = found(&state, &member, &number_key).await;
    if matches!(looked_up, Ok(None)) && matches!(folded, std::borrow::Cow::Owned(_)) {
        number_key = app::normalize::order_number_key(number).into_owned();
        looked_up = found(&state, &member, &number_key).await;
    }
    let found = match looked_up {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "support view query failed");
            return refused::unavailable(locale);
        }
    };
    let Some(Found {
        doc,
        shopper_html,
        shopper_locale,
        version,
        name,
    }) = found
    else {
        let problem = Some((t(locale, "console.orders.not_found"), true));
        return page(
            &state,
            &signed,
            &member,
            StatusCode::NOT_FOUND,
            Typed::Number(number),
            problem,
            None,
        );
    };
    if let Err(e) = state
        .store
        .record_support_view(member.shop.id, &signed.session.email, &number_key)
        .await
    {
        // Nothing is shown that could not be recorded.
        tracing::error!(error = %e, "could not record a support view");
        return refused::unavailable(locale);
    }
    let owner = member.role == Role::Owner;
    let shown = view! {
        // The erase form comes after both sides, which for an order of a
        // hundred parcels are long on a phone: a way straight to it.
        {owner.then(|| view! { <p><a href="#erase-title">{t(locale, "console.orders.erase_title")}</a></p> })}
        <div class="split">
            <section aria-labelledby="merchant-title">
                <h2 id="merchant-title">{t(locale, "console.orders.merchant")}</h2>
                <pre class="doc" tabindex="0" aria-labelledby="merchant-title">{doc}</pre>
            </section>
            <section aria-labelledby="shopper-title">
                <h2 id="shopper-title">{t(locale, "console.orders.shopper")}</h2>
                <div class="shopper" lang=shopper_locale.lang_tag() inner_html=shopper_html></div>
            </section>
        </div>
        {owner.then(|| {
            erase::form(locale, &signed.session.csrf, &member.shop.slug, (number, &name), &version)
        })}
    };
    page(
        &state,
        &signed,
        &member,
        StatusCode::OK,
        Typed::Number(number),
        None,
        Some(shown.into_any()),
    )
}

/// An order found in the support view.
struct Found {
    /// The merchant's order as pretty JSON.
    doc: String,
    /// The shopper's view of it as the page renders it (from the view stored
    /// with the order).
    shopper_html: String,
    /// The shop's language, which the shopper view is in.
    shopper_locale: app::i18n::Locale,
    /// Which version of the order this is: the erase form erases only it.
    version: String,
    /// The order's number as the merchant stored it (`#1001`), which the erase
    /// button names.
    name: String,
}

async fn found(
    state: &AppState,
    member: &Membership,
    number_key: &str,
) -> Result<Option<Found>, app::store::StoreError> {
    // Both from the database itself: lookup readers on a replica behind it
    // would not have an order written a moment ago.
    let Some((order, stored)) = state.store.order_with_view(member.shop.id, number_key).await? else {
        return Ok(None);
    };
    let doc = serde_json::to_string_pretty(&order).map_err(|e| app::store::StoreError::Corrupt(e.to_string()))?;
    let Some(view) = stored.and_then(|s| s.parse().ok()) else {
        return Err(app::store::StoreError::Corrupt("the order has no shopper view".into()));
    };
    let locale = app::i18n::Locale::parse(&member.shop.locale).unwrap_or_default();
    let version = app::store::order_version(&order);
    Ok(Some(Found {
        doc,
        shopper_html: app::ui::order_html(view, locale, member.shop.zone()),
        shopper_locale: locale,
        version,
        name: order.order_number.clone(),
    }))
}

/// What the page's forms show as typed: an order number, or a shopper's
/// email address.
#[derive(Debug, Clone, Copy)]
pub(super) enum Typed<'a> {
    Number(&'a str),
    Email(&'a str),
}

/// The page, with a note (`true`: an error) under the forms and what was
/// found under that.
pub(super) fn page(
    state: &AppState,
    signed: &Signed,
    member: &Membership,
    status: StatusCode,
    typed: Typed<'_>,
    said: Option<(String, bool)>,
    shown: Option<AnyView>,
) -> Response {
    let locale = signed.locale;
    let title = t(locale, "console.orders.title");
    let (number, email) = match typed {
        Typed::Number(number) => (number, ""),
        Typed::Email(email) => ("", email),
    };
    let action = format!("/console/shops/{}/orders", member.shop.slug);
    pages::page(
        status,
        &frame(state, signed, member, Section::Orders),
        &title.clone(),
        view! {
            <h1>{title}</h1>
            <form method="post" action=action.clone() class="inline">
                {csrf_field(&signed.session.csrf)}
                <label for="number">{t(locale, "console.orders.number")}</label>
                <input id="number" name="number" required maxlength="64" value=number.to_string()/>
                <button type="submit">{t(locale, "console.orders.find")}</button>
            </form>
            <form method="post" action=format!("{action}/by-email") class="inline">
                {csrf_field(&signed.session.csrf)}
                <label for="shopper-email">{t(locale, "console.orders.email")}</label>
                // Text, as typed: the lookup's own check says what is wrong with it.
                <input id="shopper-email" name="email" type="text" inputmode="email" autocomplete="off"
                    spellcheck="false" required maxlength=app::normalize::MAX_EMAIL_LEN value=email.to_string()/>
                <button type="submit">{t(locale, "console.orders.find_email")}</button>
            </form>
            <p class="hint">{t(locale, "console.orders.recorded")}</p>
            {said.map(|(text, error)| notice(Some(text), error))}
            {shown}
        },
    )
}
