//! The locales, their files and the strings read from them.

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
    // Traditional Chinese is read from its own file, not from Simplified's or English.
    assert_eq!(t(Locale::Zh, "form.submit"), "查询订单");
    assert_eq!(t(Locale::ZhHant, "form.submit"), "查詢訂單");
    assert_eq!(t(Locale::ZhHant, "console.sign_out"), "登出");
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
        Locale::from_accept_language("fi-FI,fi;q=0.9,de;q=0.8,en;q=0.7"),
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
    assert_eq!(Locale::from_accept_language("fi, ko;q=0.5"), None);
    assert_eq!(Locale::from_accept_language(""), None);
    assert_eq!(Locale::from_accept_language("de;q=0"), None);
    assert_eq!(Locale::from_accept_language("DE-at, EN;q=0.5"), Some(Locale::De));
    // Weights no browser sends do not win over the real ones.
    for odd in ["1e400", "inf", "NaN", "2", "-1", "", "x"] {
        assert_eq!(
            Locale::from_accept_language(&format!("de;q={odd}, sv;q=0.5")),
            Some(Locale::Sv),
            "q={odd}"
        );
    }
    assert_eq!(Locale::from_accept_language("de;q=0.001, sv;q=0"), Some(Locale::De));
    assert_eq!(Locale::from_accept_language("de;Q=0.4, sv ; q = 0.5"), Some(Locale::Sv));
    // Only the first entries are read: a header of thousands costs no more.
    let long = format!("{}de", "a,".repeat(MAX_LANGUAGES));
    assert_eq!(Locale::from_accept_language(&long), None);
    let within = format!("{}de", "a,".repeat(MAX_LANGUAGES - 1));
    assert_eq!(Locale::from_accept_language(&within), Some(Locale::De));
}

#[test]
fn a_code_is_one_of_the_fourteen_exactly() {
    for locale in Locale::ALL {
        assert_eq!(Locale::from_code(locale.code()), Some(locale));
    }
    for code in [
        "", "DE", "de-AT", "no", " en", "en ", "fr-CA", "pt-BR", "ko", "zh-Hans", "zh-hant", "zh-TW", "zh_Hant",
    ] {
        assert_eq!(Locale::from_code(code), None, "{code:?}");
    }
}

#[test]
fn each_language_is_read_back_from_its_code_its_page_tag_and_either_case() {
    let mut codes = BTreeSet::new();
    for locale in Locale::ALL {
        assert!(codes.insert(locale.code()), "{} twice", locale.code());
        assert_eq!(Locale::parse(locale.code()), Some(locale));
        assert_eq!(Locale::parse(locale.lang_tag()), Some(locale));
        assert_eq!(Locale::parse(&locale.lang_tag().to_ascii_uppercase()), Some(locale));
        assert!(!locale.native_name().is_empty());
    }
    assert_eq!(Locale::parse("NO"), Some(Locale::Nb));
    assert_eq!(Locale::parse("nn_NO"), Some(Locale::Nb));
    for tag in ["", "-", "n", "nob", "e", "english", "fi-FI", "pt\u{0}", "zho"] {
        assert_eq!(Locale::parse(tag), None, "{tag:?}");
    }
}

#[test]
fn chinese_is_read_in_the_characters_its_reader_writes() {
    let traditional = [
        "zh-Hant",
        "zh-TW",
        "zh-HK",
        "zh-MO",
        "zh_tw",
        "ZH-HANT-CN",
        "zh-Hant-TW",
        "zh-yue-HK",
        "zh-Latn-TW",
        "yue",
        "yue-HK",
    ];
    for tag in traditional {
        assert_eq!(Locale::parse(tag), Some(Locale::ZhHant), "{tag}");
    }
    // Past a private part, a subtag too long or not ASCII, or the third: nothing said.
    let simplified = [
        "zh",
        "zh-CN",
        "zh-SG",
        "zh-Hans",
        "zh-Hans-HK",
        "zh-Hans-TW",
        "ZH_cn",
        "zh-",
        "zh-x-tw",
        "zh-abcdefghi-TW",
        "zh-é-TW",
        "zh-ab.c-TW",
        "zh-a-b-c-TW",
        "zh-cmn-Latn-CN-TW",
        "zh-H\u{212A}",
    ];
    for tag in simplified {
        assert_eq!(Locale::parse(tag), Some(Locale::Zh), "{tag}");
    }
    // A browser set for Taiwan, with Chinese in general after it.
    assert_eq!(
        Locale::from_accept_language("zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7"),
        Some(Locale::ZhHant)
    );
    assert_eq!(
        Locale::from_accept_language("zh-CN,zh;q=0.9,zh-TW;q=0.8"),
        Some(Locale::Zh)
    );
    assert_eq!(Locale::ZhHant.lang_tag(), "zh-Hant");
    assert_ne!(Locale::ZhHant.native_name(), Locale::Zh.native_name());
}
