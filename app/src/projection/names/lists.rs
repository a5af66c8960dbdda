//! The words names are read by: titles, honours, companies, particles, and
//! what stands where a name should and is none.

/// What may follow a name, or a company's name ("Smith, Jr.", "Acme, Inc.").
pub(super) const SUFFIXES: &[&str] = &[
    "jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "inc", "ltd", "llc", "gmbh", "as", "ab",
];

/// What ends a company's name ("Acme AS", "Acme, Inc."): a company is
/// greeted by no name.
pub(super) const COMPANY: &[&str] = &[
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
pub(super) const NOT_NAMES: &[&str] = &[
    "and", "&", "und", "et", "y", "e", "og", "och", "en", "i", "n/a", "na", "none", "null", "customer", "guest",
    "unknown",
];

/// Honours and letters that follow a whole name ("Ada Lovelace, Countess",
/// "Del Shannon, MBE"), compared as suffixes are.
pub(super) const AFTER_NAME: &[&str] = &[
    "mbe", "obe", "cbe", "kbe", "dbe", "cpa", "qc", "kc", "mba", "countess", "count", "duke", "duchess", "lord",
    "lady", "baron", "baroness", "earl",
];

/// Titles in the page's languages (compared without a closing dot), and
/// what precedes a name on a label ("c/o"; "Attn:" and any word ending in a
/// colon are passed over too).
pub(super) const TITLES: &[&str] = &[
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
pub(super) const PARTICLES: &[&str] = &[
    "af", "al", "av", "bin", "da", "das", "de", "del", "della", "den", "der", "des", "di", "do", "dos", "du", "el",
    "ibn", "la", "le", "lo", "ten", "ter", "van", "von", "zu", "zur",
];
