//! Whom a link by email goes to: the one address on the orders, and only when
//! it is the address typed; and whether an address typed for an account is
//! one a mail can be sent to.

/// The address to mail: the orders' one address (up to case, as lookups match
/// it: "Åse@…" is "åse@…"), if the typed address is it. A letter whose lower
/// case is another letter's (the Kelvin sign is `k`, the Angstrom sign `å`, the
/// Ohm sign `ω`) makes a look-alike of another address, and gets none. More than
/// 20 spellings are too many to tell (the store reads at most 21), and get none.
pub(super) fn one_address<'a>(stored: &'a [String], typed: &str) -> Option<&'a str> {
    if stored.len() > 20 {
        return None;
    }
    let first = stored.first()?.trim();
    let look_alike = |a: &str| a.chars().any(folds_into_another);
    let key = app::normalize::email_key(first);
    let same = |a: &str| !look_alike(a) && app::normalize::email_key(a) == key;
    (stored.iter().all(|a| same(a)) && same(typed)).then_some(first)
}

/// Whether `email` (as typed for an account: an invitation, `lookout user
/// create`) is a plain mailbox a mail can go to: the shape every address has
/// ([`app::normalize::check_email`]), no hidden or reordering character and
/// no full-width form of an ASCII one, a
/// local part of letters, digits and `!#$%&'*+-/=?^_`{|}~` in dot-separated
/// runs, and a domain of names (letters, digits, inner hyphens), not an
/// address in brackets. Mail servers take more; a person's address is this.
pub fn is_mailbox(email: &str) -> bool {
    let email = email.trim();
    // Full-width forms (`ｖ` for `v`) look like the address meant and are not it.
    let hidden = |c: char| app::normalize::is_unseen(c) || app::normalize::is_full_width(c);
    if app::normalize::check_email(email, "email").is_err() || email.chars().any(hidden) {
        return false;
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let atom = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let local_ok = local.split('.').all(|run| !run.is_empty() && run.chars().all(atom));
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.chars().count() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    local_ok && domain.split('.').all(label_ok) && email.parse::<lettre::Address>().is_ok()
}

/// A letter that is written as another in compatibility form (NFKC) and that
/// lower case changes: the Kelvin sign (`K`, then `k`), the Angstrom sign
/// (`Å`), the Ohm sign (`Ω`), the title-case `ǅ`. Letters with case of their
/// own (`Å`, `ẞ`, `İ`) are not.
fn folds_into_another(c: char) -> bool {
    use unicode_normalization::UnicodeNormalization;
    let changes_case = c.to_lowercase().ne(std::iter::once(c));
    changes_case && std::iter::once(c).nfkc().ne(std::iter::once(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_goes_only_to_the_one_address_typed() {
        let one = ["Ada@Example.com".to_string()];
        assert_eq!(one_address(&one, " ada@example.COM "), Some("Ada@Example.com"));
        assert_eq!(one_address(&one, "\u{212A}ate@example.com"), None);
        let many = vec!["kate@example.com".to_string(); 21];
        assert_eq!(
            one_address(&many, "kate@example.com"),
            None,
            "more spellings than are read"
        );
        let two = ["kate@example.com".to_string(), "\u{212A}ate@example.com".to_string()];
        assert_eq!(
            one_address(&two, "kate@example.com"),
            None,
            "a look-alike's order under the key"
        );
        assert_eq!(one_address(&[], "kate@example.com"), None);
        // Letters beyond ASCII in another case: the address lookups match.
        let nordic = ["Åse.Berg@Example.no".to_string()];
        assert_eq!(one_address(&nordic, "åse.berg@example.no"), Some("Åse.Berg@Example.no"));
        assert_eq!(one_address(&nordic, "ÅSE.BERG@EXAMPLE.NO"), Some("Åse.Berg@Example.no"));
        assert_eq!(one_address(&nordic, "ase.berg@example.no"), None, "another address");
        let kelvin = ["\u{212A}ate@example.com".to_string()];
        assert_eq!(
            one_address(&kelvin, "\u{212A}ate@example.com"),
            None,
            "a look-alike stored"
        );
        // The Angstrom and Ohm signs are look-alikes of letters beyond ASCII.
        let angstrom = ["Åse@x.example".to_string(), "\u{212B}se@x.example".to_string()];
        assert_eq!(one_address(&angstrom, "åse@x.example"), None);
        assert_eq!(one_address(&nordic, "\u{212B}se.berg@example.no"), None);
        let omega = ["ωmega@x.example".to_string()];
        assert_eq!(one_address(&omega, "\u{2126}mega@x.example"), None);
        // Letters lower case leaves as they are, or that come back: addresses.
        let street = ["straße@x.example".to_string()];
        assert_eq!(one_address(&street, "STRAßE@x.example"), Some("straße@x.example"));
        let strasse = ["STRAẞE@x.example".to_string()];
        assert_eq!(one_address(&strasse, "straße@x.example"), Some("STRAẞE@x.example"));
        let istanbul = ["İSTANBUL@x.example".to_string()];
        assert_eq!(one_address(&istanbul, "İSTANBUL@x.example"), Some("İSTANBUL@x.example"));
        assert_eq!(
            one_address(&["dž@x.example".to_string()], "\u{1C5}@x.example"),
            None,
            "title case ǅ"
        );
        let elodie = ["ÉLODIE@x.example".to_string()];
        assert_eq!(one_address(&elodie, "élodie@x.example"), Some("ÉLODIE@x.example"));
    }

    #[test]
    fn an_account_is_invited_at_a_plain_mailbox_only() {
        for good in [
            "ada@example.com",
            "ada.lovelace+shop@mail.example.co.uk",
            "o'brien@example.ie",
            "åse.berg@bücher.example",
            "x@a-b.example",
        ] {
            assert!(is_mailbox(good), "{good}");
        }
        for bad in [
            "<a@b.example>",
            "a@[127.0.0.1]",
            "a+<script>@b.example",
            "a@b..example",
            "a@-b.example",
            "a@b-.example",
            "a@b.example\u{202E}",
            "a\u{200B}@b.example",
            "\u{FF56}5@x.example",
            "a@example\u{FF0E}com",
            ".a@b.example",
            "a..b@b.example",
            "a\"b@b.example",
            "a,b@b.example",
            "a@b",
            "",
        ] {
            assert!(!is_mailbox(bad), "{bad:?}");
        }
    }
}
