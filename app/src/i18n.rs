//! The shopper's language: which locales exist, how one is chosen, and the
//! translated strings (YAML files in `app/locales/`, compiled in by rust-i18n).

use serde::{Deserialize, Serialize};

/// A language the widget speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "nb")]
    Nb,
    #[serde(rename = "sv")]
    Sv,
    #[serde(rename = "de")]
    De,
    #[serde(rename = "zh")]
    Zh,
    #[serde(rename = "fr")]
    Fr,
    #[serde(rename = "es")]
    Es,
}

impl Locale {
    /// Every locale, in the order the language switcher shows them.
    pub const ALL: [Locale; 7] = [
        Locale::En,
        Locale::De,
        Locale::Es,
        Locale::Fr,
        Locale::Nb,
        Locale::Sv,
        Locale::Zh,
    ];

    /// The code used in `?locale=`, in files and in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Nb => "nb",
            Locale::Sv => "sv",
            Locale::De => "de",
            Locale::Zh => "zh",
            Locale::Fr => "fr",
            Locale::Es => "es",
        }
    }

    /// The page's `lang`: the code, but Chinese as written here, Simplified
    /// (`zh-Hans`), so that browsers and screen readers pick its glyphs and voice.
    pub fn lang_tag(self) -> &'static str {
        match self {
            Locale::Zh => "zh-Hans",
            other => other.code(),
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Nb => "Norsk bokmål",
            Locale::Sv => "Svenska",
            Locale::De => "Deutsch",
            Locale::Zh => "中文",
            Locale::Fr => "Français",
            Locale::Es => "Español",
        }
    }

    /// The locale whose [`code`](Locale::code) is exactly `code`.
    pub fn from_code(code: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Parses a language tag loosely: `nb`, `nb-NO`, `no`, `NN`, `zh-Hans-CN`, `de_AT`.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?;
        // Norwegian in any written form reads Bokmål best of what we have.
        [
            ("en", Locale::En),
            ("nb", Locale::Nb),
            ("no", Locale::Nb),
            ("nn", Locale::Nb),
            ("sv", Locale::Sv),
            ("de", Locale::De),
            ("zh", Locale::Zh),
            ("fr", Locale::Fr),
            ("es", Locale::Es),
        ]
        .into_iter()
        .find(|(code, _)| primary.eq_ignore_ascii_case(code))
        .map(|(_, locale)| locale)
    }

    /// The best supported locale in an `Accept-Language` header, by its
    /// q-values, among its first [`MAX_LANGUAGES`] entries (a browser sends a
    /// handful; a header of thousands is read no further).
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',').take(MAX_LANGUAGES) {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(locale) = Locale::parse(tag) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, locale));
                }
            }
        }
        best.map(|(_, l)| l)
    }
}

/// The entries of an `Accept-Language` header that are read.
pub const MAX_LANGUAGES: usize = 32;

/// The translation of `key` in `locale`.
pub fn t(locale: Locale, key: &str) -> String {
    rust_i18n::t!(key, locale = locale.code()).into_owned()
}

/// The translation of `key` with `%{name}` placeholders filled in, in one pass
/// over the translation: a value is never searched for placeholders itself (an
/// invited address `%{role}@example.com` stays as it is).
pub fn t_args(locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
    fill(&t(locale, key), args)
}

/// The translation of `key` cut where its `%{name}` placeholder stands: what
/// comes before it and after it, so that the value can be marked up of its own
/// (a date in a `<time>` element). All of it before, when there is no such placeholder.
pub fn t_around(locale: Locale, key: &str, name: &str) -> (String, String) {
    let text = t(locale, key);
    match text.split_once(&format!("%{{{name}}}")) {
        Some((before, after)) => (before.to_string(), after.to_string()),
        None => (text, String::new()),
    }
}

/// `text` in brackets after what it qualifies, as the language writes them
/// ("owner@example.com (you)", "…（您）"), its leading space included.
pub fn aside(locale: Locale, text: &str) -> String {
    t_args(locale, "page.aside", &[("text", text)])
}

/// The title of a page that answers with an error: `title`, said after the
/// word for an error ("Error: Settings"), so that it is read out first as the
/// page opens. Shopper pages and console pages alike.
pub fn error_title(locale: Locale, title: &str) -> String {
    t_args(locale, "page.error_title", &[("title", title)])
}

/// The translation of `key` for `count` things: `{key}_one` for one (every
/// language Lookout speaks has one form for one and one for more; Chinese
/// writes both alike), else `key` with `%{count}` filled in.
pub fn t_count(locale: Locale, key: &str, count: u64) -> String {
    match count {
        1 => t(locale, &format!("{key}_one")),
        n => t_args(locale, key, &[("count", &n.to_string())]),
    }
}

fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("%{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let value = after.find('}').and_then(|end| {
            args.iter()
                .find(|(name, _)| *name == &after[..end])
                .map(|(_, v)| (end, v))
        });
        match value {
            Some((end, value)) => {
                out.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str("%{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn a_translation_is_cut_around_its_placeholder() {
        assert_eq!(
            t_around(Locale::En, "order.placed", "date"),
            ("Placed on ".to_string(), String::new())
        );
        let (before, after) = t_around(Locale::Zh, "order.placed", "date");
        assert_eq!(
            t_args(Locale::Zh, "order.placed", &[("date", "X")]),
            format!("{before}X{after}")
        );
        // No such placeholder: all of it before.
        assert_eq!(t_around(Locale::En, "progress.placed", "date").0, "Placed");
    }

    #[test]
    fn one_thing_is_said_in_the_singular_and_more_with_their_count() {
        assert_eq!(
            t_count(Locale::En, "console.browsers.more", 1),
            "One more browser is signed in to this account. To sign it out, use “Sign out on every device”."
        );
        assert!(t_count(Locale::De, "console.browsers.more", 1).starts_with("Ein weiterer Browser ist"));
        assert!(t_count(Locale::En, "mail.sign_in.more", 3).starts_with("3 more browsers"));
        for locale in Locale::ALL {
            for key in ["console.browsers.more", "mail.sign_in.more"] {
                assert!(!t_count(locale, key, 1).contains('%'), "{key} in {locale:?}");
                assert!(t_count(locale, key, 7).contains('7'), "{key} in {locale:?}");
            }
        }
    }

    #[test]
    fn placeholders_are_filled_once_and_values_are_never_read_as_placeholders() {
        let args = [("email", "%{role}@evil.example"), ("role", "owner")];
        assert_eq!(
            fill("Invited %{email} as %{role}", &args),
            "Invited %{role}@evil.example as owner"
        );
        assert_eq!(
            fill("%{role}%{role}, %{unknown} %{open", &args),
            "ownerowner, %{unknown} %{open"
        );
        assert_eq!(fill("100% {sure} %", &args), "100% {sure} %");
        assert_eq!(fill("ø%{role}ø", &args), "øownerø");
    }
    use std::collections::BTreeSet;

    /// Every key path of a YAML document, e.g. `status.payment.paid.name`.
    fn keys(value: &serde_yaml::Value, prefix: &str, out: &mut BTreeSet<String>) {
        match value {
            serde_yaml::Value::Mapping(map) => {
                for (k, v) in map {
                    let k = k.as_str().expect("string keys");
                    let path = if prefix.is_empty() {
                        k.to_string()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    keys(v, &path, out);
                }
            }
            _ => {
                out.insert(prefix.to_string());
            }
        }
    }

    fn keys_of(locale: Locale) -> BTreeSet<String> {
        let path = format!("{}/locales/{}.yml", env!("CARGO_MANIFEST_DIR"), locale.code());
        let text = std::fs::read_to_string(&path).expect("locale file");
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
        let mut out = BTreeSet::new();
        keys(&doc, "", &mut out);
        out
    }

    #[test]
    fn every_locale_has_every_key_and_no_extra_ones() {
        let english = keys_of(Locale::En);
        assert!(english.len() > 100, "English has {} keys", english.len());
        for locale in Locale::ALL {
            let other = keys_of(locale);
            let missing: Vec<_> = english.difference(&other).collect();
            let extra: Vec<_> = other.difference(&english).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", locale.code());
            assert!(extra.is_empty(), "{} has keys English lacks: {extra:?}", locale.code());
        }
    }

    #[test]
    fn every_key_resolves_through_the_library_in_every_locale() {
        for locale in Locale::ALL {
            for key in keys_of(Locale::En) {
                let text = t(locale, &key);
                assert!(
                    !text.is_empty() && text != key && !text.ends_with(&key),
                    "{}: {key}",
                    locale.code()
                );
            }
        }
        // A translated string really differs from English where it should.
        assert_eq!(t(Locale::Nb, "form.submit"), "Spor bestilling");
        assert_eq!(t(Locale::Zh, "status.payment.paid.name"), "已付款");
        assert_ne!(t(Locale::Fr, "form.submit"), t(Locale::En, "form.submit"));
        assert_ne!(t(Locale::Es, "form.submit"), t(Locale::En, "form.submit"));
    }

    /// The `%{name}` placeholders of a translation.
    fn placeholders(text: &str) -> Vec<&str> {
        let mut names: Vec<&str> = text
            .split("%{")
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn every_translation_has_the_placeholders_english_has() {
        for key in keys_of(Locale::En) {
            let english = t(Locale::En, &key);
            for locale in Locale::ALL {
                let text = t(locale, &key);
                assert_eq!(
                    placeholders(&text),
                    placeholders(&english),
                    "{}: {key}: {text:?}",
                    locale.code()
                );
            }
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            t_args(Locale::De, "order.heading", &[("number", "#1001")]),
            "Bestellung #1001"
        );
    }

    #[test]
    fn accept_language_picks_the_best_supported_tag() {
        assert_eq!(
            Locale::from_accept_language("pt-BR,pt;q=0.9,de;q=0.8,en;q=0.7"),
            Some(Locale::De)
        );
        assert_eq!(
            Locale::from_accept_language("fr-CA,fr;q=0.9,en;q=0.7"),
            Some(Locale::Fr)
        );
        assert_eq!(Locale::from_accept_language("es-419, en;q=0.5"), Some(Locale::Es));
        assert_eq!(Locale::from_accept_language("ES_mx"), Some(Locale::Es));
        assert_eq!(Locale::from_accept_language("nn-NO"), Some(Locale::Nb));
        assert_eq!(
            Locale::from_accept_language("zh-Hans-CN;q=0.5, sv;q=0.6"),
            Some(Locale::Sv)
        );
        assert_eq!(Locale::from_accept_language("pt, it;q=0.5"), None);
        assert_eq!(Locale::from_accept_language(""), None);
        assert_eq!(Locale::from_accept_language("de;q=0"), None);
        assert_eq!(Locale::from_accept_language("DE-at, EN;q=0.5"), Some(Locale::De));
        // Only the first entries are read: a header of thousands costs no more.
        let long = format!("{}de", "a,".repeat(MAX_LANGUAGES));
        assert_eq!(Locale::from_accept_language(&long), None);
        let within = format!("{}de", "a,".repeat(MAX_LANGUAGES - 1));
        assert_eq!(Locale::from_accept_language(&within), Some(Locale::De));
    }

    #[test]
    fn a_code_is_one_of_the_seven_exactly() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_code(locale.code()), Some(locale));
        }
        for code in ["", "DE", "de-AT", "no", " en", "en ", "fr-CA", "it", "zh-Hans"] {
            assert_eq!(Locale::from_code(code), None, "{code:?}");
        }
    }
}
