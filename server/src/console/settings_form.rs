//! The settings form of a shop's page: what it sends, the settings as the page
//! showed them, and its checks, which say everything wrong with a form at once.

use super::{t, Locale};
use crate::settings;
use app::store::ShopUpdate;

#[derive(serde::Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) locale: String,
    #[serde(default)]
    pub(super) accent: String,
    #[serde(default)]
    pub(super) allowed_origins: String,
    /// A checkbox: present when ticked.
    pub(super) email_links: Option<String>,
    /// Empty: none.
    #[serde(default)]
    pub(super) contact_email: String,
    /// Empty: none (UTC).
    #[serde(default)]
    pub(super) time_zone: String,
    /// Empty: none.
    #[serde(default)]
    pub(super) logo_url: String,
    /// The settings as the page showed them ([`Shown`], as JSON).
    #[serde(default)]
    pub(super) seen: String,
}

/// The settings as the settings page showed them, sent back with its form: a
/// save changes only what was changed on the page, so that a page opened
/// before another owner saved does not undo what they saved (turn links by
/// email back on, say) by sending it back as it was.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct Shown {
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
    pub(super) fn of(form: &SettingsForm) -> Shown {
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
    pub(super) fn from_form(form: &SettingsForm) -> Option<ShopUpdate> {
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
pub(super) fn only_changed(update: ShopUpdate, shown: &ShopUpdate) -> ShopUpdate {
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

/// What is wrong with one field of a form: the field's id on the page (its
/// label's `for`) and the sentence saying so, in the console's language.
pub struct Problem {
    pub field: &'static str,
    pub text: String,
}

/// Checks a settings form: the change to make, or everything wrong with it,
/// field by field in the form's order (so that a form of three bad fields is
/// answered once, not three times).
pub(super) fn update_of(form: &SettingsForm, locale: Locale) -> Result<ShopUpdate, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut said = |field: &'static str, text: String| problems.push(Problem { field, text });
    let name = settings::check_name(&form.name).map_err(|_| said("name", t(locale, "console.settings.bad_name")));
    let shop_locale =
        settings::check_locale(&form.locale).map_err(|_| said("locale", t(locale, "console.settings.bad_locale")));
    let accent = match form.accent.trim() {
        "" => Ok(None),
        accent => settings::check_accent(accent)
            .map(Some)
            .map_err(|_| said("accent", t(locale, "console.settings.bad_accent"))),
    };
    let origins: Vec<String> = form
        .allowed_origins
        .split(['\n', ',', ' '])
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_string)
        .collect();
    let origins = settings::check_origins(&origins).map_err(|problem| match problem {
        settings::OriginsProblem::TooMany => said("origins", t(locale, "console.settings.too_many_origins")),
        // Every site that is not one, each said once (a list has at most
        // four times `MAX_ORIGINS` entries before it is read), so that one
        // sending mends them all.
        _ => {
            let mut each: Vec<String> = Vec::new();
            for origin in &origins {
                let text = match settings::check_origin(origin) {
                    Ok(_) => continue,
                    Err(settings::OriginsProblem::Bad(origin)) => {
                        // Isolated (FSI … PDI), so that a direction mark in it
                        // cannot turn the sentence around it.
                        let shown: String = origin.chars().take(100).collect();
                        let shown = format!("\u{2068}{shown}\u{2069}");
                        app::i18n::t_args(locale, "console.settings.bad_origin", &[("origin", &shown)])
                    }
                    Err(_) => t(locale, "console.settings.origin_too_long"),
                };
                if !each.contains(&text) {
                    each.push(text);
                }
            }
            said("origins", each.join(" "))
        }
    });
    let contact_email = settings::check_contact_email(&form.contact_email)
        .map_err(|_| said("contact-email", t(locale, "console.settings.bad_contact")));
    let time_zone = settings::check_time_zone(&form.time_zone)
        .map_err(|_| said("time-zone", t(locale, "console.settings.bad_time_zone")));
    let logo_url =
        settings::check_logo_url(&form.logo_url).map_err(|_| said("logo-url", t(locale, "console.settings.bad_logo")));
    match (name, shop_locale, accent, origins, contact_email, time_zone, logo_url) {
        (Ok(name), Ok(_), Ok(accent), Ok(origins), Ok(contact_email), Ok(time_zone), Ok(logo_url)) => Ok(ShopUpdate {
            contact_email: Some(contact_email),
            time_zone: Some(time_zone),
            logo_url: Some(logo_url),
            name: Some(name.to_string()),
            locale: Some(form.locale.clone()),
            accent: Some(accent),
            allowed_origins: Some(origins),
            email_links: Some(form.email_links.is_some()),
        }),
        _ => Err(problems),
    }
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

    /// The sentences of a form's problems, or none for a form that passes.
    fn refused(form: &SettingsForm, locale: Locale) -> Vec<String> {
        update_of(form, locale)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.text)
            .collect()
    }

    /// The form says which of the shared checks of the origins failed.
    #[test]
    fn too_many_origins_and_a_bad_one_are_told_apart() {
        let many: Vec<String> = (0..=settings::MAX_ORIGINS)
            .map(|i| format!("https://s{i}.example"))
            .collect();
        assert_eq!(
            refused(&form(many.join("\n")), Locale::En),
            ["At most 20 sites may embed the widget."]
        );
        assert_eq!(
            refused(&form("https://ok.example shop.example".into()), Locale::En),
            ["“\u{2068}shop.example\u{2069}” is not a site's address: write it as scheme://host[:port], for example https://shop.example."]
        );
        // In the console's language, every word of it.
        assert_eq!(
            refused(&form("shop.example".into()), Locale::De),
            ["„\u{2068}shop.example\u{2069}“ ist keine Adresse einer Website: Schreiben Sie sie als schema://host[:port], zum Beispiel https://shop.example."]
        );
        // Every site that is none, each said, in the list's order; the good one not.
        assert_eq!(
            refused(&form("shop.example https://ok.example\nftp://x.example, https://xn--zz.example".into()), Locale::En),
            ["“\u{2068}shop.example\u{2069}” is not a site's address: write it as scheme://host[:port], for example https://shop.example. \
              “\u{2068}ftp://x.example\u{2069}” is not a site's address: write it as scheme://host[:port], for example https://shop.example. \
              “\u{2068}https://xn--zz.example\u{2069}” is not a site's address: write it as scheme://host[:port], for example https://shop.example."]
        );
        // A site too long is said so, wherever it stands, and so is every bad one beside it.
        let long = format!("https://{}.example", "a".repeat(300));
        for list in [format!("shop.example {long}"), format!("{long} shop.example {long}")] {
            let said = refused(&form(list), Locale::En).join("");
            assert!(
                said.contains("“\u{2068}shop.example\u{2069}” is not a site's address"),
                "{said}"
            );
            assert_eq!(
                said.matches("A site's address has at most 270 characters.").count(),
                1,
                "{said}"
            );
        }
        assert_eq!(
            refused(&form(long), Locale::Sv),
            ["En webbplats adress har högst 270 tecken."]
        );
        let kept = update_of(&form(many[..settings::MAX_ORIGINS].join(",")), Locale::En).map(|u| u.allowed_origins);
        assert_eq!(kept.ok().flatten().map(|o| o.len()), Some(settings::MAX_ORIGINS));
    }

    /// Every bad field of a form is named at once, in the form's order, by the
    /// id of its field on the page; the good ones are not.
    #[test]
    fn every_bad_field_is_named_at_once_in_the_forms_order() {
        let bad = SettingsForm {
            accent: "red".into(),
            time_zone: "Mars/Base".into(),
            logo_url: "http://logo.example/x.png".into(),
            ..form("not-a-site".into())
        };
        let problems = update_of(&bad, Locale::En).err().unwrap_or_default();
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["accent", "origins", "time-zone", "logo-url"]);
        assert_eq!(
            problems[0].text,
            "The accent colour must be a hex colour such as #0a7c59."
        );
        let bad = SettingsForm {
            name: String::new(),
            locale: "xx".into(),
            contact_email: "not an address".into(),
            ..form(String::new())
        };
        let fields: Vec<&'static str> = update_of(&bad, Locale::En)
            .err()
            .unwrap_or_default()
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["name", "locale", "contact-email"]);
        assert!(update_of(&form("https://bücher.example".into()), Locale::En).is_ok());
    }
}
