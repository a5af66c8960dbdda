//! A shop's settings page: its form, with a live preview of the widget and the
//! script tag to paste, and saving it.

use super::noted::Noted;
use super::pages::{self, csrf_field, notice, Frame, Section};
use super::refused;
use super::session::Signed;
use super::settings_form::{only_changed, update_of, Problem, SettingsForm, Shown};
use super::{base_url, member, member_posting, t, Locale};
use crate::AppState;
use app::store::{By, Membership};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use leptos::prelude::*;

/// `?saved=1` after the settings were saved.
#[derive(serde::Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

/// `GET /console/shops/{slug}/settings`
pub async fn settings(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    Noted(saved): Noted<Saved>,
    headers: HeaderMap,
) -> Response {
    let member = match member(&state, &signed, &slug, Section::Settings).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let shop = &member.shop;
    let form = SettingsForm {
        csrf: String::new(),
        name: shop.name.clone(),
        locale: shop.locale.clone(),
        accent: shop.accent.clone().unwrap_or_default(),
        allowed_origins: shop.allowed_origins.join("\n"),
        email_links: shop.email_links.then(|| "on".to_string()),
        contact_email: shop.contact_email.clone().unwrap_or_default(),
        // A name this build's database does not know (its pages say times in
        // UTC) is shown as none, so that it does not stop every save.
        time_zone: shop
            .time_zone
            .as_deref()
            .and_then(app::zone::canonical)
            .unwrap_or_default()
            .to_string(),
        logo_url: shop.logo_url.clone().unwrap_or_default(),
        seen: String::new(),
    };
    let form = SettingsForm {
        seen: serde_json::to_string(&Shown::of(&form)).unwrap_or_default(),
        ..form
    };
    let saved = saved.and_then(|s| s.saved).is_some_and(|s| s == "1");
    let note = saved.then(|| t(signed.locale, "console.settings.saved"));
    settings_page(&state, &signed, &member, &headers, &form, StatusCode::OK, note, &[])
}

/// `POST /console/shops/{slug}/settings`: saves, then shows the page again (with
/// the preview reloaded), or answers 422 with the form as it was sent.
pub async fn save_settings(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<SettingsForm>,
) -> Response {
    let member = match member_posting(&state, &signed, &slug, Section::Settings, &form.csrf).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let update = match update_of(&form, signed.locale) {
        Ok(update) => match Shown::from_form(&form) {
            Some(shown) => only_changed(update, &shown),
            None => update,
        },
        Err(problems) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return settings_page(&state, &signed, &member, &headers, &form, status, None, &problems);
        }
    };
    match state
        .store
        .update_shop(&member.shop.slug, &update, &By::Account(signed.session.user_id))
        .await
    {
        Ok(_) => Redirect::to(&format!("/console/shops/{}/settings?saved=1", member.shop.slug)).into_response(),
        Err(e) => refused::not_written(signed.locale, &e, "save shop settings"),
    }
}

#[allow(clippy::too_many_arguments)]
fn settings_page(
    state: &AppState,
    signed: &Signed,
    member: &Membership,
    headers: &HeaderMap,
    form: &SettingsForm,
    status: StatusCode,
    saved: Option<String>,
    problems: &[Problem],
) -> Response {
    let locale = signed.locale;
    // A field with a problem is marked, and read out with it (and its hint).
    let bad = |field: &str| problems.iter().any(|p| p.field == field).then_some("true");
    let told = |field: &str, hint: Option<&str>| {
        let told = problems
            .iter()
            .any(|p| p.field == field)
            .then(|| format!("problem-{field}"));
        let said: Vec<String> = told.into_iter().chain(hint.map(str::to_string)).collect();
        (!said.is_empty()).then(|| said.join(" "))
    };
    let slug = member.shop.slug.clone();
    let languages = Locale::ALL
        .into_iter()
        .map(|l| view! { <option value=l.code() lang=l.lang_tag() selected=form.locale == l.code()>{l.native_name()}</option> })
        .collect_view();
    let shop_locale = Locale::parse(&member.shop.locale).unwrap_or_default();
    let snippet = crate::embed::snippet(&base_url(state, headers), &slug, shop_locale);
    let preview = format!("/embed/{slug}");
    // Until a site is saved, the tag shows no widget anywhere: said beside it.
    let no_sites = member.shop.allowed_origins.is_empty().then(|| {
        let sites = t(locale, "console.settings.origins");
        let text = app::i18n::t_args(locale, "console.settings.no_sites", &[("sites", &sites)]);
        view! { <p class="notice" id="no-sites">{text}</p> }
    });
    let title = t(locale, "console.settings.title");
    let action = format!("/console/shops/{slug}/settings");
    pages::page(
        status,
        &Frame::shop(signed, member, Section::Settings),
        &title.clone(),
        view! {
            <h1>{title}</h1>
            {notice(saved, false)}
            {pages::problems(problems)}
            <div class="split">
                <form method="post" action=action class="stack">
                    {csrf_field(&signed.session.csrf)}
                    <input type="hidden" name="seen" value=form.seen.clone()/>
                    // No `maxlength` on the fields a save keeps: a browser would
                    // cut a pasted value and save another; the server refuses
                    // one too long, saying so.
                    <label for="name">{t(locale, "console.settings.name")}</label>
                    <input id="name" name="name" required aria-invalid=bad("name") aria-describedby=told("name", None)
                        value=super::offered_again(&form.name, usize::MAX)/>
                    <label for="locale">{t(locale, "console.settings.locale")}</label>
                    <select id="locale" name="locale" aria-invalid=bad("locale") aria-describedby=told("locale", Some("locale-hint"))>
                        {languages}
                    </select>
                    <p id="locale-hint" class="hint">{t(locale, "console.settings.locale_hint")}</p>
                    <label for="accent">{t(locale, "console.settings.accent")}</label>
                    <input id="accent" name="accent" placeholder="#0a7c59" aria-invalid=bad("accent")
                        aria-describedby=told("accent", Some("accent-hint")) value=form.accent.clone()/>
                    <p class="hint" id="accent-hint">{t(locale, "console.settings.accent_hint")}</p>
                    <label for="origins">{t(locale, "console.settings.origins")}</label>
                    <textarea id="origins" name="allowed_origins" rows="4" placeholder="https://shop.example"
                        aria-invalid=bad("origins") aria-describedby=told("origins", Some("origins-hint"))>
                        {form.allowed_origins.clone()}
                    </textarea>
                    <p class="hint" id="origins-hint">{t(locale, "console.settings.origins_hint")}</p>
                    <label class="check">
                        <input type="checkbox" name="email_links" value="on" checked=form.email_links.is_some()
                            aria-describedby="email-links-hint"/>
                        {t(locale, "console.settings.email_links")}
                    </label>
                    <p class="hint" id="email-links-hint">
                        {t(locale, "console.settings.email_links_hint")}
                        {state.mail.is_none().then(|| format!(" {}", t(locale, "console.settings.email_links_no_mail")))}
                    </p>
                    <label for="contact-email">{t(locale, "console.settings.contact")}</label>
                    // Text, not `type="email"`: a browser would send a domain
                    // in another script in its `xn--` form (a change the page
                    // did not show), or refuse to send the form at all.
                    <input id="contact-email" name="contact_email" type="text" inputmode="email" autocomplete="off"
                        spellcheck="false"
                        placeholder="help@shop.example" aria-invalid=bad("contact-email")
                        aria-describedby=told("contact-email", Some("contact-email-hint")) value=form.contact_email.clone()/>
                    <p class="hint" id="contact-email-hint">{t(locale, "console.settings.contact_hint")}</p>
                    <label for="time-zone">{t(locale, "console.settings.time_zone")}</label>
                    // Text offered the zones named for places; older names are taken when typed.
                    <input id="time-zone" name="time_zone" type="text" list="time-zones" autocomplete="off"
                        spellcheck="false"
                        placeholder="Europe/Oslo" aria-invalid=bad("time-zone")
                        aria-describedby=told("time-zone", Some("time-zone-hint")) value=form.time_zone.clone()/>
                    <datalist id="time-zones">
                        {app::zone::offered().map(|name| view! { <option value=name></option> }).collect_view()}
                    </datalist>
                    <p class="hint" id="time-zone-hint">{t(locale, "console.settings.time_zone_hint")}</p>
                    <label for="logo-url">{t(locale, "console.settings.logo")}</label>
                    <input id="logo-url" name="logo_url" type="text" inputmode="url" autocomplete="off"
                        spellcheck="false"
                        placeholder="https://cdn.shop.example/logo.svg" aria-invalid=bad("logo-url")
                        aria-describedby=told("logo-url", Some("logo-url-hint")) value=form.logo_url.clone()/>
                    <p class="hint" id="logo-url-hint">{t(locale, "console.settings.logo_hint")}</p>
                    <button type="submit">{t(locale, "console.settings.save")}</button>
                </form>
                <section aria-labelledby="preview-title">
                    <h2 id="preview-title">{t(locale, "console.settings.preview")}</h2>
                    <iframe class="preview" src=preview title=t(locale, "console.settings.preview")></iframe>
                </section>
            </div>
            <h2>{t(locale, "console.settings.snippet")}</h2>
            <p>{t(locale, "console.settings.snippet_hint")}</p>
            {no_sites}
            {pages::copy_box(locale, "snippet", snippet)}
        },
    )
}
