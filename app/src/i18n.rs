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
    #[serde(rename = "zh-Hant")]
    ZhHant,
    #[serde(rename = "fr")]
    Fr,
    #[serde(rename = "es")]
    Es,
    #[serde(rename = "it")]
    It,
    #[serde(rename = "nl")]
    Nl,
    #[serde(rename = "pt")]
    Pt,
    #[serde(rename = "da")]
    Da,
    #[serde(rename = "pl")]
    Pl,
    #[serde(rename = "ja")]
    Ja,
}

impl Locale {
    /// Every locale, in the order the language switcher shows them.
    pub const ALL: [Locale; 14] = [
        Locale::En,
        Locale::Da,
        Locale::De,
        Locale::Es,
        Locale::Fr,
        Locale::It,
        Locale::Nl,
        Locale::Nb,
        Locale::Pl,
        Locale::Pt,
        Locale::Sv,
        Locale::Ja,
        Locale::Zh,
        Locale::ZhHant,
    ];

    /// The code used in `?locale=`, in files and in `<html lang>`.
    pub fn code(self) -> &'static str {
        self.names().code
    }

    /// The page's `lang`: the code, but Simplified Chinese as `zh-Hans` (the
    /// code of Traditional, `zh-Hant`, is already its tag), and Portuguese as
    /// written here, Brazil's (`pt-BR`), so that browsers and screen readers
    /// pick the right glyphs, words and voice.
    pub fn lang_tag(self) -> &'static str {
        self.names().tag
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        self.names().native
    }

    fn names(self) -> &'static Names {
        match self {
            Locale::En => &Names {
                code: "en",
                tag: "en",
                native: "English",
            },
            Locale::Nb => &Names {
                code: "nb",
                tag: "nb",
                native: "Norsk bokmål",
            },
            Locale::Sv => &Names {
                code: "sv",
                tag: "sv",
                native: "Svenska",
            },
            Locale::De => &Names {
                code: "de",
                tag: "de",
                native: "Deutsch",
            },
            Locale::Zh => &Names {
                code: "zh",
                tag: "zh-Hans",
                native: "简体中文",
            },
            Locale::ZhHant => &Names {
                code: "zh-Hant",
                tag: "zh-Hant",
                native: "繁體中文",
            },
            Locale::Fr => &Names {
                code: "fr",
                tag: "fr",
                native: "Français",
            },
            Locale::Es => &Names {
                code: "es",
                tag: "es",
                native: "Español",
            },
            Locale::It => &Names {
                code: "it",
                tag: "it",
                native: "Italiano",
            },
            Locale::Nl => &Names {
                code: "nl",
                tag: "nl",
                native: "Nederlands",
            },
            Locale::Pt => &Names {
                code: "pt",
                tag: "pt-BR",
                native: "Português",
            },
            Locale::Da => &Names {
                code: "da",
                tag: "da",
                native: "Dansk",
            },
            Locale::Pl => &Names {
                code: "pl",
                tag: "pl",
                native: "Polski",
            },
            Locale::Ja => &Names {
                code: "ja",
                tag: "ja",
                native: "日本語",
            },
        }
    }

    /// The locale whose [`code`](Locale::code) is exactly `code`.
    pub fn from_code(code: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Parses a language tag loosely: `nb`, `nb-NO`, `no`, `NN`, `zh-Hans-CN`, `de_AT`.
    pub fn parse(tag: &str) -> Option<Locale> {
        let mut subtags = tag.trim().split(['-', '_']);
        let primary = subtags.next()?;
        // Norwegian in any written form reads Bokmål best of what we have.
        if primary.eq_ignore_ascii_case("no") || primary.eq_ignore_ascii_case("nn") {
            return Some(Locale::Nb);
        }
        if primary.eq_ignore_ascii_case("zh") {
            return Some(chinese_script(subtags));
        }
        // Cantonese is written in Traditional characters where it is written.
        if primary.eq_ignore_ascii_case("yue") {
            return Some(Locale::ZhHant);
        }
        Locale::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The best supported locale in an `Accept-Language` header, by its
    /// q-values, among its first [`MAX_LANGUAGES`] entries (a browser sends a
    /// handful; a header of thousands is read no further).
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',').take(MAX_LANGUAGES) {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default();
            // A weight that is no number from 0 to 1 (`q=1e400`, `q=inf`, `q=NaN`,
            // `q=x`, `q=`) is none a browser sends: the entry counts as unwanted,
            // not as the most wanted. The name is read in either case (`Q=0.5`).
            let q = pieces
                .find_map(|p| {
                    p.split_once('=')
                        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
                })
                .map_or(Some(1.0), |(_, q)| q.trim().parse::<f32>().ok())
                .filter(|q| (0.0..=1.0).contains(q))
                .unwrap_or(0.0);
            if let Some(locale) = Locale::parse(tag) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, locale));
                }
            }
        }
        best.map(|(_, l)| l)
    }
}

/// Which characters a Chinese tag's reader reads, from the subtags after `zh`:
/// the first of `Hans`, `Hant`, `TW`, `HK` and `MO` among the next three
/// decides (a tag names its script before its region: `zh-Hant-CN`,
/// `zh-Hans-HK`): Simplified for `Hans`, Traditional for the others (Taiwan,
/// Hong Kong and Macao write Traditional); none of them, Simplified. An
/// extension or private part (`-u-…`, `-x-…`) and anything that is no subtag
/// end the search, as in the loader (`embed.js`, `code`; it lower-cases a tag
/// by Unicode's rules, so a Kelvin sign there reads as a `k`).
fn chinese_script<'a>(subtags: impl Iterator<Item = &'a str>) -> Locale {
    let subtag = |s: &&str| (2..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric());
    let decides = |s: &&str| {
        ["hans", "hant", "tw", "hk", "mo"]
            .iter()
            .any(|d| s.eq_ignore_ascii_case(d))
    };
    match subtags.take(3).take_while(subtag).find(decides) {
        Some(said) if !said.eq_ignore_ascii_case("hans") => Locale::ZhHant,
        _ => Locale::Zh,
    }
}

/// The language of a page no shop or account says it for: `asked` (a page's
/// `?locale=`, when it names one Lookout speaks), else the browser's best
/// (`Accept-Language`), else English.
pub fn asked_or_accepted(asked: Option<Locale>, accept_language: Option<&str>) -> Locale {
    asked
        .or_else(|| accept_language.and_then(Locale::from_accept_language))
        .unwrap_or_default()
}

/// A language's names: its code, its page's `lang` and its own name.
struct Names {
    code: &'static str,
    tag: &'static str,
    native: &'static str,
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

/// The translation of `key` for `count` things: `{key}_one` for one, else
/// `key` with `%{count}` filled in. Languages with more forms for more
/// (Polish) word `key` so that it reads with any number ("…: %{count}").
pub fn t_count(locale: Locale, key: &str, count: u64) -> String {
    match count {
        1 => t(locale, &format!("{key}_one")),
        n => t_args(locale, key, &[("count", &n.to_string())]),
    }
}

pub(crate) fn fill(template: &str, args: &[(&str, &str)]) -> String {
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
mod tests;
