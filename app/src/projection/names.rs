//! The first name a shopper is greeted by, read from the whole name a platform
//! sent when it sent no first name of its own.

mod lists;
#[cfg(test)]
mod tests;

use lists::{AFTER_NAME, COMPANY, NOT_NAMES, PARTICLES, SUFFIXES, TITLES};

/// The first name a shopper is greeted by, from their address: read from
/// its `first_name` as from a whole name ([`first_name`]: a whole name typed
/// there, "Ada Lovelace", is Ada; "Dr. Lovelace" is none), else from its
/// whole `name`; none when what is found is a word of its `last_name` (a
/// name that is a surname alone, as Shopify's addresses may be).
pub(super) fn greeted(first: Option<&str>, name: Option<&str>, last: Option<&str>) -> Option<String> {
    let found = first.and_then(first_name).or_else(|| name.and_then(first_name))?;
    let surname = last.map(words).unwrap_or_default();
    let lower = found.to_lowercase();
    (!surname.iter().any(|w| w.to_lowercase() == lower)).then_some(found)
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
    if before.last().is_some_and(company) || matches!(after.as_slice(), [word] if company(word)) {
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
                Some(_) => given.get(titles(&given)).filter(|w| is_name(w)).map(|w| w.to_string()),
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
    matches!(c, ',' | '\u{FF0C}')
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

/// How many of the first words are titles.
fn titles(words: &[&str]) -> usize {
    words.iter().take_while(|w| is(TITLES, w) || w.ends_with(':')).count()
}

/// Whether a word can be a name: it has a letter, and is not a word that
/// joins names or stands for none ([`NOT_NAMES`]).
fn is_name(word: &str) -> bool {
    word.chars().any(char::is_alphabetic) && !is(NOT_NAMES, word)
}

/// The first word past any titles; none when the titles leave one word (a
/// title and a surname) or none, or when what they leave begins with a
/// particle written as one ("van Gogh", "Dr. de la Cruz").
fn first(words: &[&str]) -> Option<String> {
    let titles = titles(words);
    match (titles, &words[titles..]) {
        (_, [word, ..]) if PARTICLES.contains(word) || !is_name(word) => None,
        (0, [word, ..]) | (_, [word, _, ..]) => Some(word.to_string()),
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
