//! The first name a shopper is greeted by, read from the whole name a platform
//! sent when it sent no first name of its own.

mod lists;
#[cfg(test)]
mod tests;

use lists::{AFTER_NAME, COMPANY, FAMILY, JOINERS, NOT_NAMES, PARTICLES, SUFFIXES, TITLES};

/// The first name a shopper is greeted by, from their address: its
/// `first_name` ([`given`]: a whole name typed there, "Ada Lovelace", is
/// Ada; "Mrs Ada" is Ada), unless it is the `last_name` copied; else read
/// from its whole `name` ([`first_name`]), unless what is found is a word of
/// its `last_name` (a name that is a surname alone, as Shopify's addresses
/// may be).
pub(super) fn greeted(first: Option<&str>, name: Option<&str>, last: Option<&str>) -> Option<String> {
    let same = |a: &str, b: &str| words(a).join(" ").to_lowercase() == words(b).join(" ").to_lowercase();
    if let Some(own) = first.filter(|f| !last.is_some_and(|l| same(f, l))).and_then(given) {
        return Some(own);
    }
    let found = name.and_then(first_name)?;
    let surname = last.map(words).unwrap_or_default();
    let lower = found.to_lowercase();
    (!surname.iter().any(|w| w.to_lowercase() == lower)).then_some(found)
}

/// The first name in an address's `first_name`: read as a whole name when
/// it has a comma; else its first word past titles and labels, which may be
/// the only word ("Mrs Ada"), unless the field is a company's or a couple's
/// name, or its word is none (an initial, a placeholder).
fn given(field: &str) -> Option<String> {
    if field.contains(is_comma) {
        return first_name(field);
    }
    let words = words(field);
    if is_company(&words) || is_couple(&words) {
        return None;
    }
    let rest = &words[titles(&words)..];
    match rest {
        [word, _, ..] if PARTICLES.contains(word) => None,
        [word, ..] => named(word),
        [] => None,
    }
}

/// The first name in a whole name: its first word, or the first word after
/// the comma of a name written surname first ("Lovelace, Ada", "de la Cruz,
/// María", a full-width comma too), unless what follows the comma is a
/// suffix ("Smith, Jr.", "Acme, Inc."); titles before it are passed over
/// ("Prof. Dr. Hans Müller"), and a title with one word after it ("Dr.
/// Lovelace") or none gives none, as does a surname alone that begins with a
/// particle ("van Gogh").
/// Only one word before the comma, after particles written in lower case,
/// is taken for a surname. After two words, an honour or a company names
/// the first ("Ada Lovelace, Countess" is Ada, "Del Shannon, MBE" is Del,
/// "Al Smith, Acme Ltd" is Al); anything else greets no one, since two
/// surnames and a given name ("García López, Juan") cannot be told from a
/// name and a job or a place ("John Smith, CEO", "John Smith, Oslo").
/// Particles are words in lower case: "Van Helsing" is a name's first word.
/// A company's name ("Acme AS", "Acme, Inc.") gives none.
/// Words are also parted where something shows nothing
/// ("Ada\u{200B}Lovelace"). None when there is no word.
pub(super) fn first_name(name: &str) -> Option<String> {
    let (before, after) = name.split_once(is_comma).unwrap_or((name, ""));
    let (before, after) = (words(before), words(after));
    let company = |w: &&str| is(COMPANY, w);
    if is_company(&before) || matches!(after.as_slice(), [word] if company(word)) || is_couple(&before) {
        return None;
    }
    match name.split_once(is_comma) {
        Some((surname, given)) if is_surname(&words(surname)) => {
            let given = words(given);
            match given.first() {
                // "Smith, Jr.": no given name after the comma.
                Some(word) if is(SUFFIXES, word) => first(&words(name)),
                // "Smith, Acme Ltd": a person at a company, by surname.
                Some(_) if given.iter().any(company) => None,
                // "Lovelace, Dr. Ada", "Lovelace, Ada"; "Lovelace, Dr." gives none.
                Some(_) => given.get(titles(&given)).and_then(|w| named(w)),
                None => first(&words(name)),
            }
        }
        // Two words before the comma: a name and an honour ("Ada Lovelace,
        // Countess", "Al Smith, Acme Ltd"), or two surnames and a given name
        // ("García López, Juan"), or a name and a job, a place ("John Smith,
        // CEO"): only the first is told apart, the rest greet no one.
        Some((before, given)) if are_two_surnames(&words(before)) => {
            let honour = |w: &&str| is(SUFFIXES, w) || is(AFTER_NAME, w) || is(COMPANY, w);
            match words(given).iter().any(honour) {
                true => first(&words(name)),
                false => None,
            }
        }
        _ => first(&words(name)),
    }
}

fn is_comma(c: char) -> bool {
    matches!(c, ',' | '\u{FF0C}' | '\u{060C}')
}

/// Whether words are a company's name: a name and what ends a company's
/// ("Acme AS", "Acme Holdings"), or a Japanese or Chinese company's marks.
fn is_company(words: &[&str]) -> bool {
    let marked = |w: &&str| {
        ["株式会社", "有限会社", "有限公司", "股份公司"]
            .iter()
            .any(|m| w.contains(m))
    };
    (words.len() > 1 && words.last().is_some_and(|w| is(COMPANY, w))) || words.iter().any(marked)
}

/// Whether words name two people or more: "Mr & Mrs Smith", "Mr&Mrs Smith",
/// "Mr and Mrs John Smith", "Herr und Frau Müller", "Familie Müller".
fn is_couple(words: &[&str]) -> bool {
    let joined = |w: &&str| w.contains('&');
    let after_titles = words.get(titles(words)).is_some_and(|w| is(JOINERS, w));
    words.iter().any(joined) || after_titles || words.first().is_some_and(|w| is(FAMILY, w))
}

/// A word as a first name: without the marks around it (quotes, brackets, a
/// closing dot, an emoji; not the `…` of a name cut short), if it has a letter and is not an initial ("J.",
/// "J.R.R.") nor what forms are filled with for want of a name.
fn named(word: &str) -> Option<String> {
    let initial = word.trim_matches('.').split('.').all(|part| part.chars().count() == 1);
    // The mark of a name cut to the length kept (`…`) stays.
    let core = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '…');
    let letters = core.chars().any(char::is_alphabetic);
    (letters && !initial && !is(NOT_NAMES, core) && !word.contains('/')).then(|| core.to_string())
}

/// The words of a name: parted by spaces, commas and what shows nothing.
fn words(text: &str) -> Vec<&str> {
    let parts = |c: char| c.is_whitespace() || is_comma(c) || crate::normalize::is_unseen(c);
    text.split(parts).filter(|w| !w.is_empty()).collect()
}

/// Whether `word`, without a closing dot and in any case, is in `list`.
fn is(list: &[&str], word: &str) -> bool {
    list.contains(&word.trim_end_matches('.').to_lowercase().as_str())
}

/// How many of the first words are titles, labels ("Attn:", "c/o") or
/// have no letter (an emoji before a name).
fn titles(words: &[&str]) -> usize {
    let passed = |w: &&&str| is(TITLES, w) || w.ends_with(':') || !w.chars().any(char::is_alphabetic);
    words.iter().take_while(passed).count()
}

/// The first word past any titles; none when the titles leave one word (a
/// title and a surname) or none, or when what they leave begins with a
/// particle written as one ("van Gogh", "Dr. de la Cruz").
fn first(words: &[&str]) -> Option<String> {
    let titles = titles(words);
    match (titles, &words[titles..]) {
        (_, [word, ..]) if PARTICLES.contains(word) => None,
        (0, [word, ..]) | (_, [word, _, ..]) => named(word),
        _ => None,
    }
}

/// Whether the words before a comma are two names, as "Ada Lovelace" or
/// two surnames ("García López", "García de la Vega") are written: two
/// words besides particles in lower case, neither a title nor a suffix.
fn are_two_surnames(words: &[&str]) -> bool {
    let mut names = words.iter().filter(|w| !PARTICLES.contains(w));
    let plain = |w: &&&str| !is(SUFFIXES, w) && !is(TITLES, w) && !is(AFTER_NAME, w);
    names.clone().count() == 2 && names.all(|w| plain(&w))
}

/// Whether the words before a comma are a surname: one word, after
/// particles ("de la Cruz").
fn is_surname(words: &[&str]) -> bool {
    words
        .split_last()
        .is_some_and(|(_, before)| before.iter().all(|w| PARTICLES.contains(w)))
}
