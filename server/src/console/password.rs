//! Console passwords: what is accepted, and one-time set-password links.
//!
//! Hashing is Argon2id, the same as API keys (`keys::hash` / `keys::verify`),
//! always through the server's bounded hashing gate.

/// The fewest characters a password may have.
pub const MIN_CHARS: usize = 12;
/// The most bytes a password may have: a bound on the hash's input.
pub const MAX_BYTES: usize = 256;
/// How long a set-password link works.
pub const LINK_HOURS: i64 = 24;

const COMMON: &str = include_str!("../../assets/common-passwords.txt");

/// Why a new password is refused (each has its own message in the console).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weak {
    TooShort,
    TooLong,
    Common,
    /// One character again and again (spaces only, too).
    Repeated,
    IsEmail,
    Mismatch,
    /// A control character (NUL, a tab, a line break): it cannot be typed in
    /// every sign-in form, nor given on a command line.
    Control,
}

impl Weak {
    /// The translation key of the message.
    pub fn key(self) -> &'static str {
        match self {
            Weak::TooShort => "console.password.too_short",
            Weak::TooLong => "console.password.too_long",
            Weak::Common => "console.password.common",
            Weak::Repeated => "console.password.repeated",
            Weak::IsEmail => "console.password.is_email",
            Weak::Mismatch => "console.password.mismatch",
            Weak::Control => "console.password.control",
        }
    }
}

/// Checks a new password (and its repetition) for the account `email`.
pub fn check(password: &str, again: &str, email: &str) -> Result<(), Weak> {
    if password.len() > MAX_BYTES {
        return Err(Weak::TooLong);
    }
    if password.chars().count() < MIN_CHARS {
        return Err(Weak::TooShort);
    }
    if password.chars().any(char::is_control) {
        return Err(Weak::Control);
    }
    let lower = password.trim().to_lowercase();
    // Spaces only, or one character again and again, are as easy to guess as
    // the list's; said apart, so that the merchant knows why.
    let mut chars = lower.chars();
    if chars.next().is_none_or(|first| chars.all(|c| c == first)) {
        return Err(Weak::Repeated);
    }
    if COMMON
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|common| common.trim() == lower)
    {
        return Err(Weak::Common);
    }
    if lower == email.trim().to_lowercase() {
        return Err(Weak::IsEmail);
    }
    if password != again {
        return Err(Weak::Mismatch);
    }
    Ok(())
}

/// A new set-password link's token and the time it stops working (RFC 3339).
pub fn new_link() -> (String, String) {
    let expires = app::store::time_in(chrono::Duration::hours(LINK_HOURS));
    (super::session::token(), expires)
}

/// The path of a set-password link.
pub fn link_path(token: &str) -> String {
    format!("/console/password/{token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_for_what_is_wrong() {
        let email = "owner@shop.example";
        assert_eq!(check("short", "short", email), Err(Weak::TooShort));
        let long = "x".repeat(MAX_BYTES + 1);
        assert_eq!(check(&long, &long, email), Err(Weak::TooLong));
        assert_eq!(check("Password1234", "Password1234", email), Err(Weak::Common));
        // One character again and again, whatever its case; spaces only.
        for same in [" ".repeat(12), "a".repeat(12), "Aa".repeat(6), "é".repeat(12)] {
            assert_eq!(check(&same, &same, email), Err(Weak::Repeated), "{same:?}");
        }
        for control in [
            "a\u{0}bcdefghijklmn",
            "correct horse\tbattery",
            "correct horse\nbattery",
        ] {
            assert_eq!(check(control, control, email), Err(Weak::Control), "{control:?}");
        }
        let padded = format!(" {} ", "b".repeat(12));
        assert_eq!(check(&padded, &padded, email), Err(Weak::Repeated));
        // Said in words of its own.
        assert_eq!(
            app::i18n::t(app::i18n::Locale::En, Weak::Repeated.key()),
            "A password of one character again and again is easy to guess. Please choose another."
        );
        assert_eq!(
            check("OWNER@shop.example", "OWNER@shop.example", email),
            Err(Weak::IsEmail)
        );
        assert_eq!(
            check("a long passphrase", "a long passphrase!", email),
            Err(Weak::Mismatch)
        );
        assert_eq!(check("a long passphrase", "a long passphrase", email), Ok(()));
        // Characters, not bytes: twelve Chinese characters are long enough.
        let zh = "订单状态查询工具很好用的";
        assert_eq!(check(zh, zh, email), Ok(()));
    }

    #[test]
    fn the_common_list_is_all_long_enough_to_matter() {
        for line in COMMON.lines().filter(|l| !l.starts_with('#')) {
            assert!(line.chars().count() >= MIN_CHARS, "{line}");
            assert_eq!(line, line.to_lowercase(), "{line}");
        }
    }
}
