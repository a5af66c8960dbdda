//! Whether a merchant's reason for cancelling or holding an order speaks of
//! fraud: the words, in every language a shopper page speaks.

use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;
use whole::WHOLE;
use words::{ANYWHERE, HARMLESS_STARTS, WORD_STARTS};

mod whole;
mod words;

/// The word lists as they are compared: without marks, in lower case.
fn unmarked_lists() -> &'static [Vec<String>; 2] {
    static LISTS: OnceLock<[Vec<String>; 2]> = OnceLock::new();
    LISTS.get_or_init(|| {
        let unmarked = |list: &[&str]| list.iter().map(|w| unmarked(w)).collect();
        [unmarked(WORD_STARTS), unmarked(WHOLE)]
    })
}

/// `text` in lower case, full-width letters as their plain forms, without
/// the marks on Latin letters ("Refusé" is "refuse", Polish "ł" and Danish
/// "ø" are "l" and "o"),
/// `_`, `-` and the other hyphens and dashes as spaces; other scripts as written.
fn unmarked(text: &str) -> String {
    if text.is_ascii() {
        let spaced = text.to_ascii_lowercase().replace(['_', '-'], " ");
        return one_space(&spaced);
    }
    let unmarked = text
        .nfkd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'ł' => 'l',
            'Ł' => 'L',
            'ø' => 'o',
            'Ø' => 'O',
            '_' | '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{2E3A}' | '\u{2E3B}' => ' ',
            c => c,
        })
        .nfc()
        .collect::<String>()
        .to_lowercase();
    one_space(&unmarked)
}

/// Runs of spaces, line breaks and tabs as one space ("charge\r\nback").
fn one_space(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True when a reason speaks of what a store suspected or a bank refused
/// (fraud, risk, suspicion, a declined or stolen card, a chargeback), in any of
/// the languages a shopper page speaks: a shopper is never told that an order
/// was flagged, in any wording a merchant is likely to use. English words are
/// matched where a word starts ("risky", not "brisket"), and so are French,
/// Spanish, Italian, Portuguese and Polish ones ("frauduleuse", "rechazada",
/// "podejrzenie"), with or without the marks on their letters ("refuse" as
/// "refusé"), a few short ones only as whole words ("scam", not "scampi") and
/// words harmless alone only in their phrase ("not approved", "por robo"):
/// their stems are chosen to begin no common word of another of these
/// languages ("furto", not "furt", which begins "further"). German,
/// Norwegian, Swedish, Danish and Dutch ones anywhere, as they end compounds
/// ("Kreditkartenbetrug", "creditcardfraude"); Chinese (simplified and
/// traditional) and Japanese ones anywhere. Doubt goes to the shopper's side:
/// a harmless reason that shares a word (Norwegian "stolen", the chair) is
/// shown as `store`.
pub(super) fn speaks_of_suspicion(reason: &str) -> bool {
    // Words written together in camel case ("PaymentDeclined") are words.
    let mut chars = reason.chars().peekable();
    let mut parted = String::new();
    let mut camel = false;
    while let Some(c) = chars.next() {
        parted.push(c);
        if c.is_lowercase() && chars.peek().is_some_and(|n| n.is_uppercase()) {
            parted.push(' ');
            camel = true;
        }
    }
    speaks_of_seen(reason) || (camel && speaks_of_seen(&parted))
}

/// [`speaks_of_suspicion`] of text as it is seen.
fn speaks_of_seen(reason: &str) -> bool {
    use crate::normalize::is_unseen;
    if !reason.chars().any(is_unseen) {
        return speaks_of_it(reason);
    }
    // Read as seen: what shows nothing is either nothing inside a word
    // ("fr\u{200B}aud") or a space between two ("card\u{200B}stolen"); line
    // breaks, tabs and other controls are spaces.
    let spaced = |c: char| if is_unseen(c) { ' ' } else { c };
    let parted: String = reason.chars().map(spaced).collect();
    let joined: String = reason
        .chars()
        .filter(|&c| c.is_whitespace() || c.is_control() || !is_unseen(c))
        .map(spaced)
        .collect();
    speaks_of_it(&parted) || speaks_of_it(&joined)
}

/// [`speaks_of_suspicion`] of text without characters that show nothing.
fn speaks_of_it(reason: &str) -> bool {
    // One form for letters with marks ("ü" as one character or as "u" and a
    // mark), and for full-width ones ("ＦＲＡＵＤ").
    let plain = match reason.is_ascii() {
        true => reason.to_ascii_lowercase(),
        false => reason.nfkc().collect::<String>().to_lowercase(),
    };
    if ANYWHERE.iter().any(|word| plain.contains(word)) {
        return true;
    }
    let reason = unmarked(reason);
    // Words of plain letters also with marks put on them ("FRÁUD").
    if ANYWHERE.iter().any(|word| word.is_ascii() && reason.contains(word)) {
        return true;
    }
    let [starts, whole] = unmarked_lists();
    let at_word_start = |i: usize| reason[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
    reason.char_indices().filter(|&(i, _)| at_word_start(i)).any(|(i, _)| {
        let rest = &reason[i..];
        let harmless = HARMLESS_STARTS.iter().any(|w| rest.starts_with(w));
        (!harmless && starts.iter().any(|w| rest.starts_with(w.as_str())))
            || whole.iter().any(|w| {
                rest.strip_prefix(w.as_str())
                    .is_some_and(|after| after.chars().next().is_none_or(|c| !c.is_alphanumeric()))
            })
    })
}

#[cfg(test)]
mod tests;
