//! First names read from whole names and from addresses' parts.

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
        ("Lord Alan Sugar", Some("Alan")),
        ("Professor Ada Lovelace", Some("Ada")),
        ("Dr. med. Hans Müller", Some("Hans")),
        ("Dott.ssa Maria Rossi", Some("Maria")),
        ("Mw. Anna de Vries", Some("Anna")),
        ("mgr Jan Kowalski", Some("Jan")),
        ("Fröken Ingrid Berg", Some("Ingrid")),
        ("The Smiths", None),
        ("Familie Müller", None),
        ("Mr&Mrs Smith", None),
        ("Herr und Frau Müller", None),
        ("José Ortega y Gasset", Some("José")),
        ("J. Smith", None),
        ("J.R.R. Tolkien", None),
        ("\"Ada\" Lovelace", Some("Ada")),
        ("(Ada) Lovelace", Some("Ada")),
        ("🌸 Ada Lovelace", Some("Ada")),
        ("Acme Holdings", None),
        ("株式会社トヨタ", None),
        ("阿里巴巴有限公司", None),
        ("علي، محمد", Some("محمد")),
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
        // The field holds a first name: after a title, its one word is it.
        ((Some("Dr. Ada"), None, None), Some("Ada")),
        ((Some("Mrs Ada"), None, Some("Lovelace")), Some("Ada")),
        ((Some("Lady Ada"), None, None), Some("Ada")),
        ((Some("Dr."), None, None), None),
        // A full name typed as the last name; short names that are also words.
        ((Some("Ada"), None, Some("Ada Lovelace")), Some("Ada")),
        ((Some("Ab"), None, None), Some("Ab")),
        ((Some("Sa"), None, None), Some("Sa")),
        ((Some("al"), None, None), Some("al")),
        ((Some("Acme GmbH"), None, None), None),
        ((Some("N/A"), Some("Ada Lovelace"), None), Some("Ada")),
        ((Some("Mr & Mrs"), Some("Ada Lovelace"), None), Some("Ada")),
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
