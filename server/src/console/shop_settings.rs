//! A shop's settings page: its form, with a live preview of the widget and the
//! script tag to paste, and saving it.

use super::noted::Noted;
use super::pages::{self, csrf_field, notice, Frame, Section};
use super::refused;
use super::session::Signed;
use super::{base_url, member, member_posting, t, Locale};
use crate::settings;
use crate::AppState;
use app::store::{By, Membership, ShopUpdate};
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
    settings_page(&state, &signed, &member, &headers, &form, StatusCode::OK, note, None)
}

#[derive(serde::Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    accent: String,
    #[serde(default)]
    allowed_origins: String,
    /// A checkbox: present when ticked.
    email_links: Option<String>,
    /// Empty: none.
    #[serde(default)]
    contact_email: String,
    /// Empty: none (UTC).
    #[serde(default)]
    time_zone: String,
    /// Empty: none.
    #[serde(default)]
    logo_url: String,
    /// The settings as the page showed them ([`Shown`], as JSON).
    #[serde(default)]
    seen: String,
}

/// The settings as the settings page showed them, sent back with its form: a
/// save changes only what was changed on the page, so that a page opened
/// before another owner saved does not undo what they saved (turn links by
/// email back on, say) by sending it back as it was.
#[derive(serde::Serialize, serde::Deserialize)]
struct Shown {
    name: String,
    locale: String,
    accent: String,
    allowed_origins: String,
    email_links: bool,
    /// Absent in a form from before it was on the page.
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    logo_url: String,
}

impl Shown {
    fn of(form: &SettingsForm) -> Shown {
        Shown {
            name: form.name.clone(),
            locale: form.locale.clone(),
            accent: form.accent.clone(),
            allowed_origins: form.allowed_origins.clone(),
            email_links: form.email_links.is_some(),
            contact_email: form.contact_email.clone(),
            time_zone: form.time_zone.clone(),
            logo_url: form.logo_url.clone(),
        }
    }

    /// What the page showed, read as a save of it would be: `None` for a form
    /// without it, or with what no page shows (a save then sets every field).
    fn from_form(form: &SettingsForm) -> Option<ShopUpdate> {
        let shown: Shown = serde_json::from_str(&form.seen).ok()?;
        let as_form = SettingsForm {
            csrf: String::new(),
            name: shown.name,
            locale: shown.locale,
            accent: shown.accent,
            allowed_origins: shown.allowed_origins,
            email_links: shown.email_links.then(String::new),
            contact_email: shown.contact_email,
            time_zone: shown.time_zone,
            logo_url: shown.logo_url,
            seen: String::new(),
        };
        update_of(&as_form, Locale::En).ok()
    }
}

/// `update` without the settings it leaves as `shown` had them.
fn only_changed(update: ShopUpdate, shown: &ShopUpdate) -> ShopUpdate {
    fn changed<T: PartialEq>(new: Option<T>, was: &Option<T>) -> Option<T> {
        new.filter(|new| was.as_ref() != Some(new))
    }
    ShopUpdate {
        name: changed(update.name, &shown.name),
        locale: changed(update.locale, &shown.locale),
        accent: changed(update.accent, &shown.accent),
        allowed_origins: changed(update.allowed_origins, &shown.allowed_origins),
        email_links: changed(update.email_links, &shown.email_links),
        contact_email: changed(update.contact_email, &shown.contact_email),
        time_zone: changed(update.time_zone, &shown.time_zone),
        logo_url: changed(update.logo_url, &shown.logo_url),
    }
}

/// Checks a settings form: the change to make, or what is wrong with it.
fn update_of(form: &SettingsForm, locale: Locale) -> Result<ShopUpdate, String> {
    let name = settings::check_name(&form.name).map_err(|_| t(locale, "console.settings.bad_name"))?;
    settings::check_locale(&form.locale).map_err(|_| t(locale, "console.settings.bad_locale"))?;
    let accent = match form.accent.trim() {
        "" => None,
        accent => Some(settings::check_accent(accent).map_err(|_| t(locale, "console.settings.bad_accent"))?),
    };
    let origins: Vec<String> = form
        .allowed_origins
        .split(['\n', ',', ' '])
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_string)
        .collect();
    let origins = settings::check_origins(&origins).map_err(|problem| match problem {
        settings::OriginsProblem::TooMany => t(locale, "console.settings.too_many_origins"),
        settings::OriginsProblem::TooLong => t(locale, "console.settings.origin_too_long"),
        settings::OriginsProblem::Bad(origin) => {
            let shown: String = origin.chars().take(100).collect();
            app::i18n::t_args(locale, "console.settings.bad_origin", &[("origin", &shown)])
        }
    })?;
    let contact_email =
        settings::check_contact_email(&form.contact_email).map_err(|_| t(locale, "console.settings.bad_contact"))?;
    let time_zone =
        settings::check_time_zone(&form.time_zone).map_err(|_| t(locale, "console.settings.bad_time_zone"))?;
    let logo_url = settings::check_logo_url(&form.logo_url).map_err(|_| t(locale, "console.settings.bad_logo"))?;
    Ok(ShopUpdate {
        contact_email: Some(contact_email),
        time_zone: Some(time_zone),
        logo_url: Some(logo_url),
        name: Some(name.to_string()),
        locale: Some(form.locale.clone()),
        accent: Some(accent),
        allowed_origins: Some(origins),
        email_links: Some(form.email_links.is_some()),
    })
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
        Err(problem) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return settings_page(&state, &signed, &member, &headers, &form, status, None, Some(problem));
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
    error: Option<String>,
) -> Response {
    let locale = signed.locale;
    let slug = member.shop.slug.clone();
    let languages = Locale::ALL
        .into_iter()
        .map(|l| view! { <option value=l.code() selected=form.locale == l.code()>{l.native_name()}</option> })
        .collect_view();
    let shop_locale = Locale::parse(&member.shop.locale).unwrap_or_default();
    let snippet = crate::embed::snippet(&base_url(state, headers), &slug, shop_locale);
    let preview = format!("/embed/{slug}");
    let title = t(locale, "console.settings.title");
    let action = format!("/console/shops/{slug}/settings");
    pages::page(
        status,
        &Frame::shop(signed, member, Section::Settings),
        &title.clone(),
        view! {
            <h1>{title}</h1>
            {notice(saved, false)}
            {notice(error, true)}
            <div class="split">
                <form method="post" action=action class="stack">
                    {csrf_field(&signed.session.csrf)}
                    <input type="hidden" name="seen" value=form.seen.clone()/>
                    // No `maxlength` on the fields a save keeps: a browser would
                    // cut a pasted value and save another; the server refuses
                    // one too long, saying so.
                    <label for="name">{t(locale, "console.settings.name")}</label>
                    <input id="name" name="name" required value=super::offered_again(&form.name, usize::MAX)/>
                    <label for="locale">{t(locale, "console.settings.locale")}</label>
                    <select id="locale" name="locale" aria-describedby="locale-hint">{languages}</select>
                    <p id="locale-hint" class="hint">{t(locale, "console.settings.locale_hint")}</p>
                    <label for="accent">{t(locale, "console.settings.accent")}</label>
                    <input id="accent" name="accent" placeholder="#0a7c59" value=form.accent.clone()/>
                    <label for="origins">{t(locale, "console.settings.origins")}</label>
                    <textarea id="origins" name="allowed_origins" rows="4" placeholder="https://shop.example">
                        {form.allowed_origins.clone()}
                    </textarea>
                    <p class="hint">{t(locale, "console.settings.origins_hint")}</p>
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
                        placeholder="help@shop.example" aria-describedby="contact-email-hint" value=form.contact_email.clone()/>
                    <p class="hint" id="contact-email-hint">{t(locale, "console.settings.contact_hint")}</p>
                    <label for="time-zone">{t(locale, "console.settings.time_zone")}</label>
                    // Text offered the zones named for places; older names are taken when typed.
                    <input id="time-zone" name="time_zone" type="text" list="time-zones" autocomplete="off"
                        spellcheck="false"
                        placeholder="Europe/Oslo" aria-describedby="time-zone-hint" value=form.time_zone.clone()/>
                    <datalist id="time-zones">
                        {app::zone::offered().map(|name| view! { <option value=name></option> }).collect_view()}
                    </datalist>
                    <p class="hint" id="time-zone-hint">{t(locale, "console.settings.time_zone_hint")}</p>
                    <label for="logo-url">{t(locale, "console.settings.logo")}</label>
                    <input id="logo-url" name="logo_url" type="text" inputmode="url" autocomplete="off"
                        spellcheck="false"
                        placeholder="https://cdn.shop.example/logo.svg" aria-describedby="logo-url-hint" value=form.logo_url.clone()/>
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
            <pre class="copy" id="snippet"><code>{snippet}</code></pre>
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(allowed_origins: String) -> SettingsForm {
        SettingsForm {
            csrf: String::new(),
            name: "Nordlys".into(),
            locale: "en".into(),
            accent: String::new(),
            allowed_origins,
            email_links: None,
            contact_email: String::new(),
            time_zone: String::new(),
            logo_url: String::new(),
            seen: String::new(),
        }
    }

    /// The form says which of the shared checks of the origins failed.
    #[test]
    fn too_many_origins_and_a_bad_one_are_told_apart() {
        let many: Vec<String> = (0..=settings::MAX_ORIGINS)
            .map(|i| format!("https://s{i}.example"))
            .collect();
        let refused = update_of(&form(many.join("\n")), Locale::En).err();
        assert_eq!(refused.as_deref(), Some("At most 20 sites may embed the widget."));
        let refused = update_of(&form("https://ok.example shop.example".into()), Locale::En).err();
        assert_eq!(
            refused.as_deref(),
            Some("“shop.example” is not a site's address: write it as scheme://host[:port], for example https://shop.example.")
        );
        // In the console's language, every word of it.
        let refused = update_of(&form("shop.example".into()), Locale::De).err();
        assert_eq!(
            refused.as_deref(),
            Some("„shop.example“ ist keine Adresse einer Website: Schreiben Sie sie als schema://host[:port], zum Beispiel https://shop.example.")
        );
        let long = format!("https://{}.example", "a".repeat(300));
        let refused = update_of(&form(long), Locale::Sv).err();
        assert_eq!(refused.as_deref(), Some("En webbplats adress har högst 270 tecken."));
        let kept = update_of(&form(many[..settings::MAX_ORIGINS].join(",")), Locale::En).map(|u| u.allowed_origins);
        assert_eq!(kept.ok().flatten().map(|o| o.len()), Some(settings::MAX_ORIGINS));
    }
}
