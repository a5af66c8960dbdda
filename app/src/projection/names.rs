//! The first name a shopper is greeted by, read from the whole name a platform
//! sent when it sent no first name of its own.

/// What may follow a name, or a company's name ("Smith, Jr.", "Acme, Inc.").
const SUFFIXES: &[&str] = &[
    "jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "inc", "ltd", "llc", "gmbh", "as", "ab",
];

/// What ends a company's name ("Acme AS", "Acme, Inc."): a company is
/// greeted by no name.
const COMPANY: &[&str] = &[
    "inc",
    "ltd",
    "llc",
    "gmbh",
    "as",
    "ab",
    "ag",
    "plc",
    "corp",
    "oy",
    "aps",
    "bv",
    "corporation",
    "limited",
    "co",
    "company",
    "llp",
    "sa",
    "s.a",
    "sas",
    "srl",
    "kg",
    "b.v",
    "a/s",
    "ltda",
    "k.k",
    "o.o",
    "ug",
    "spa",
    "s.p.a",
    "nv",
    "n.v",
    "pty",
    "sarl",
    "bhd",
];

/// What stands where a name should and is none: words that join two names
/// ("Mr and Mrs Smith"), and what forms are filled with for want of one.
const NOT_NAMES: &[&str] = &[
    "and", "&", "und", "et", "y", "e", "og", "och", "en", "i", "n/a", "na", "none", "null", "customer", "guest",
    "unknown",
];

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

/// Honours and letters that follow a whole name ("Ada Lovelace, Countess",
/// "Del Shannon, MBE"), compared as suffixes are.
const AFTER_NAME: &[&str] = &[
    "mbe", "obe", "cbe", "kbe", "dbe", "cpa", "qc", "kc", "mba", "countess", "count", "duke", "duchess", "lord",
    "lady", "baron", "baroness", "earl",
];

/// Titles in the page's languages (compared without a closing dot), and
/// what precedes a name on a label ("c/o"; "Attn:" and any word ending in a
/// colon are passed over too).
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "rev",
    "sir",
    "dame",
    "herr",
    "frau",
    "dipl.-ing",
    "mag",
    "m",
    "mme",
    "mlle",
    "sr",
    "sra",
    "srta",
    "d",
    "dª",
    "sig",
    "sig.ra",
    "dott",
    "dhr",
    "mevr",
    "pan",
    "pani",
    "hr",
    "señor",
    "senor",
    "señora",
    "senora",
    "dña",
    "dona",
    "monsieur",
    "madame",
    "mademoiselle",
    "signor",
    "signore",
    "signora",
    "mevrouw",
    "meneer",
    "fru",
    "frk",
    "capt",
    "sgt",
    "fr",
    "ing",
    "master",
    "lady",
    "c/o",
];

/// Words that begin a surname of several ("de la Cruz", "van der Berg", "von
/// Trapp", "dos Santos", "ibn Battuta"), as they are written: in lower case
/// ("Del", "Al" and "Van" begin given names).
const PARTICLES: &[&str] = &[
    "af", "al", "av", "bin", "da", "das", "de", "del", "della", "den", "der", "des", "di", "do", "dos", "du", "el",
    "ibn", "la", "le", "lo", "ten", "ter", "van", "von", "zu", "zur",
];

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

#[cfg(test)]
mod tests {
    use super::{first_name, greeted};

    /// A shopper is greeted by their first name only, however the whole name was
    /// written, and by none when it has no word.
    #[test]
    fn the_first_name_is_read_from_a_whole_name_however_it_is_written() {
        for (name, first) in [
            ("Ada Lovelace", Some("Ada")),
            ("Lovelace, Ada", Some("Ada")),
            ("Lovelace,Ada King", Some("Ada")),
            ("Ada Lovelace, Jr.", Some("Ada")),
            ("Ada Lovelace, Countess", Some("Ada")),
            ("Lovelace\u{FF0C} Ada", Some("Ada")),
            ("Dr. Ada Lovelace", Some("Ada")),
            ("Lovelace, Mrs Ada", Some("Ada")),
            ("Dr.", None),
            ("Dr. Lovelace", None),
            ("Lovelace, Dr.", None),
            ("Prof. Dr. Hans Müller", Some("Hans")),
            ("Herr Dr. Hans Müller", Some("Hans")),
            ("Sr. Juan Pérez", Some("Juan")),
            ("Dhr. Jan de Vries", Some("Jan")),
            ("Dipl.-Ing. Hans Müller", Some("Hans")),
            ("Acme, Inc.", None),
            ("Acme AS", None),
            ("Nordic Goods GmbH", None),
            ("Smith, JR", Some("Smith")),
            ("Lovelace,", Some("Lovelace")),
            ("Ada\u{200B}Lovelace", Some("Ada")),
            ("\u{2800} Ada", Some("Ada")),
            ("Ada", Some("Ada")),
            // A surname of several words before the comma: particles in lower case.
            ("de la Cruz, María", Some("María")),
            ("de la Cruz, Dr. María", Some("María")),
            ("van der Berg, Jan", Some("Jan")),
            ("dos Santos\u{FF0C} Ana", Some("Ana")),
            ("Ana de la Cruz, PhD", Some("Ana")),
            // After two words and a comma: an honour or a company names the
            // first; two surnames and a given name cannot be told from a name
            // and a job or a place, and greet no one.
            ("Del Shannon, MBE", Some("Del")),
            ("Ada Lovelace, Countess of Lovelace", Some("Ada")),
            ("Ada Lovelace, Baroness", Some("Ada")),
            ("Ada Lovelace, Acme Corp", Some("Ada")),
            ("García López, Juan", None),
            ("García López, María del Carmen", None),
            ("John Smith, CEO", None),
            ("Jane Doe, RN", None),
            ("John Smith, Oslo", None),
            // A company, whatever its kind, greets no one; nor does a person at one.
            ("Acme Corporation", None),
            ("Acme S.A.", None),
            ("Acme Sp. z o.o.", None),
            ("Acme A/S", None),
            ("The Lovelace Company", None),
            ("Smith, Acme Ltd", None),
            // Titles in the page's languages, labels, and what is no name.
            ("Señora María López", Some("María")),
            ("Monsieur Jean Dupont", Some("Jean")),
            ("Mevrouw Anna de Vries", Some("Anna")),
            ("Fru Ingrid Berg", Some("Ingrid")),
            ("Capt. Ada Lovelace", Some("Ada")),
            ("Attn: Ada Lovelace", Some("Ada")),
            ("c/o Ada Lovelace", Some("Ada")),
            ("Mr & Mrs Smith", None),
            ("Mr and Mrs John Smith", None),
            ("N/A", None),
            ("-", None),
            ("Customer", None),
            ("Lovelace, N/A", None),
            ("Al Smith, Acme Ltd", Some("Al")),
            ("Acme AS, Oslo", None),
            ("Smith Jr., CPA", Some("Smith")),
            ("Van Helsing, Jr.", Some("Van")),
            ("De La Cruz, Jr.", Some("De")),
            // A surname alone that begins with a particle: no first name.
            ("van Gogh", None),
            ("Dr. de la Cruz", None),
            ("Da Wei Li", Some("Da")),
            (" , ", None),
            ("", None),
        ] {
            assert_eq!(first_name(name).as_deref(), first, "{name:?}");
        }
    }

    /// An address's own first name is read as a whole name is, and nothing that
    /// is a word of its last name greets the shopper.
    #[test]
    fn a_shopper_is_greeted_by_a_first_name_never_by_a_surname() {
        for ((first, name, last), greeting) in [
            ((Some("Ada"), Some("Ada Lovelace"), Some("Lovelace")), Some("Ada")),
            ((Some("Ada Lovelace"), None, Some("Lovelace")), Some("Ada")),
            ((Some("Ada Lovelace"), None, None), Some("Ada")),
            ((Some("Dr. Ada"), None, None), None),
            ((Some("Dr. Lovelace"), None, None), None),
            ((Some("Lovelace, Ada"), None, None), Some("Ada")),
            ((Some("Acme AS"), None, None), None),
            ((Some("van Gogh"), None, None), None),
            ((Some("Dr."), Some("Ada Lovelace"), None), Some("Ada")),
            ((Some("Mary Ann"), None, Some("Smith")), Some("Mary")),
            ((Some("Jean-Luc"), None, Some("Picard")), Some("Jean-Luc")),
            ((None, Some("Lovelace"), Some("Lovelace")), None),
            ((Some(""), Some("Lovelace"), Some("LOVELACE")), None),
            ((Some("Lovelace"), Some("Lovelace"), Some("Lovelace")), None),
            ((None, Some("Ada Lovelace"), Some("Lovelace")), Some("Ada")),
            ((None, Some("Lovelace, Ada"), Some("Lovelace")), Some("Ada")),
            ((None, Some("Acme AS"), None), None),
            ((None, Some("Ada"), None), Some("Ada")),
            ((None, None, Some("Lovelace")), None),
        ] {
            assert_eq!(
                greeted(first, name, last).as_deref(),
                greeting,
                "{first:?} {name:?} {last:?}"
            );
        }
    }
}
