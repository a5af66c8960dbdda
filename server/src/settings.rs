//! Checks for shop settings, the same from the command line and the console.

use app::i18n::Locale;

/// A shop slug: `[a-z0-9-]{1,64}`.
pub fn check_slug(slug: &str) -> Result<(), String> {
    if app::normalize::is_slug(slug) {
        Ok(())
    } else {
        Err(format!("invalid shop slug {slug:?}: use 1 to 64 of a-z, 0-9 and -"))
    }
}

/// The code of one of [`Locale::ALL`]; returned as that locale.
pub fn check_locale(locale: &str) -> Result<Locale, String> {
    Locale::from_code(locale).ok_or_else(|| {
        format!(
            "unsupported locale {locale:?}: use one of {}",
            Locale::ALL.map(Locale::code).join(", ")
        )
    })
}

/// A hex colour, `#rgb` or `#rrggbb`; returned lower-cased.
pub fn check_accent(accent: &str) -> Result<String, String> {
    app::lookup::hex_colour(accent)
        .ok_or_else(|| format!("invalid accent colour {accent:?}: use a hex colour such as #0a7c59"))
}

/// The longest shop name accepted.
pub const MAX_NAME_CHARS: usize = 100;
/// The most allowed origins a shop may list.
pub const MAX_ORIGINS: usize = 20;

/// A shop's name: 1 to [`MAX_NAME_CHARS`] characters once trimmed, none that
/// hides or reorders text ([`app::normalize::hides_or_reorders`]); returned
/// trimmed. Members of several shops pick one by its name, and invitations are
/// sent in it.
pub fn check_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    // Characters that show nothing (a Braille blank, say) are no name either.
    if app::normalize::shows_nothing(name) {
        Err("a shop's name must not be empty".to_string())
    } else if name.chars().count() > MAX_NAME_CHARS {
        Err(format!("a shop's name has at most {MAX_NAME_CHARS} characters"))
    } else if name.chars().any(app::normalize::hides_or_reorders) {
        Err(
            "a shop's name has no control characters, direction marks or zero-width spaces (line \
             breaks, tabs, U+202E), so that it cannot pass for another's"
                .to_string(),
        )
    } else {
        Ok(name)
    }
}

/// Where shoppers may write to a shop: a plain mailbox ([`crate::mail::is_mailbox`])
/// in ASCII (it goes into mail headers as it is: a domain in another script
/// is written in its `xn--` form), without `=?` (which a mail reader could
/// take for an encoded word); trimmed; empty is none (the setting removed).
/// Bounded in bytes before it is read.
pub fn check_contact_email(typed: &str) -> Result<Option<String>, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let plain = typed.len() <= app::normalize::MAX_EMAIL_LEN
        && typed.is_ascii()
        && !typed.contains("=?")
        && crate::mail::is_mailbox(typed);
    if !plain {
        return Err(format!(
            "a contact address is one plain email address in ASCII of at most {} characters, such as \
             help@shop.example (a domain in another script in its xn-- form)",
            app::normalize::MAX_EMAIL_LEN
        ));
    }
    Ok(Some(typed.to_string()))
}

/// The time zone a shop's pages say times in: a name of the IANA time zone
/// database (`Europe/Oslo`), in any case, with spaces around it trimmed;
/// returned as the database spells it. Empty is none (UTC: the setting
/// removed). Bounded in bytes before it is looked up.
pub fn check_time_zone(typed: &str) -> Result<Option<String>, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    app::zone::canonical(typed)
        .map(|name| Some(name.to_string()))
        .ok_or_else(|| {
            format!(
                "a time zone is the name of one in the IANA time zone database, such as Europe/Oslo, \
             America/New_York or UTC ({} characters at most)",
                app::zone::MAX_NAME_LEN
            )
        })
}

/// The longest logo address accepted.
pub const MAX_LOGO_URL_LEN: usize = 2048;

/// A shop's logo: the `https://` address of an image, as a browser asks for
/// it: printable ASCII without quotes, angle brackets or back slashes (a host
/// in another script in its `xn--` form, other characters percent-encoded),
/// no user name or password before the host, and a host (and port) as an
/// allowed origin names them, which is a name on the internet: its last label
/// has a letter (no IP address, which a browser may read as another: `0x7f.1`
/// is 127.0.0.1) and it is not `localhost`; at most [`MAX_LOGO_URL_LEN`]
/// characters once trimmed; its scheme written `https://`; empty is none (the
/// setting removed).
pub fn check_logo_url(typed: &str) -> Result<Option<String>, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let problem = || {
        format!(
            "a logo is the https:// address of an image, in ASCII without spaces or quotes, of at most \
             {MAX_LOGO_URL_LEN} characters, such as https://cdn.shop.example/logo.svg"
        )
    };
    let plain = |b: u8| b.is_ascii_graphic() && !b"\"'<>\\`^{}|".contains(&b);
    if typed.len() > MAX_LOGO_URL_LEN || !typed.bytes().all(plain) {
        return Err(problem());
    }
    let rest = match typed.get(..8) {
        Some(scheme) if scheme.eq_ignore_ascii_case("https://") => &typed[8..],
        _ => return Err(problem()),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') || check_origin(&format!("https://{authority}")).is_err() {
        return Err(problem());
    }
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host)
        .to_ascii_lowercase();
    // A last label a browser reads as a number (`1`, `0x7f`, `0X`) makes the host an IPv4 address.
    let number = |label: &str| {
        let hex = label.strip_prefix("0x").or_else(|| label.strip_prefix("0X"));
        hex.map_or(label.bytes().all(|b| b.is_ascii_digit()), |digits| {
            digits.bytes().all(|b| b.is_ascii_hexdigit())
        })
    };
    let named = host.rsplit_once('.').is_some_and(|(_, last)| !number(last));
    if !named || host == "localhost" || host.ends_with(".localhost") {
        return Err(problem());
    }
    Ok(Some(format!("https://{rest}")))
}

/// The longest allowed origin (a host name has at most 253 characters).
pub const MAX_ORIGIN_LEN: usize = 270;

/// An origin a shop's widget may be framed by, as a browser names it:
/// `https://host[:port]`, in lower case, a name in another script in its
/// `xn--` form, without the scheme's own port. A
/// page's address (`https://shop.example/pages/track`) names its origin: what
/// follows the host (path, query, fragment) is left out.
pub fn check_origin(origin: &str) -> Result<String, OriginsProblem> {
    if origin.len() > MAX_ORIGIN_LEN {
        return Err(OriginsProblem::TooLong);
    }
    let err = || OriginsProblem::Bad(origin.to_string());
    let (scheme, rest) = origin.trim().split_once("://").ok_or_else(err)?;
    let scheme = scheme.to_ascii_lowercase();
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !(scheme == "https" || scheme == "http") {
        return Err(err());
    }
    // A port is a number from 1 to 65535, written as a browser writes it
    // (`:080` is `:80`); the scheme's own is left out.
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(':') && (!name.starts_with('[') || name.ends_with(']')) => {
            (name, Some(port_number(port).ok_or_else(err)?))
        }
        _ => (host.as_str(), None),
    };
    // A name in another script (`bücher.example`, as a browser's address bar
    // shows it) as browsers send it in `Origin`: its `xn--` form.
    let ascii;
    let name = match name.is_ascii() {
        true => name,
        false => {
            ascii = idna::domain_to_ascii(name).map_err(|_| err())?;
            ascii.as_str()
        }
    };
    if !is_host(name) || !readable(name) {
        return Err(err());
    }
    match port {
        Some(443) if scheme == "https" => Ok(format!("{scheme}://{name}")),
        Some(80) if scheme == "http" => Ok(format!("{scheme}://{name}")),
        Some(port) => Ok(format!("{scheme}://{name}:{port}")),
        None => Ok(format!("{scheme}://{name}")),
    }
}

/// A host as an origin names it: an IPv6 address in brackets, or names (or an
/// IPv4 address) of letters, digits and inner hyphens between single dots.
fn is_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<std::net::Ipv6Addr>().is_ok();
    }
    // At most 253 characters in all, as DNS has it (a name in another script
    // too, once in its `xn--` form).
    !host.is_empty() && host.len() <= 253 && host.split('.').all(is_label)
}

/// Whether a name's `xn--` labels stand for a name in another script (an
/// `xn--` label that decodes to nothing valid, `xn--zz`, names no site).
fn readable(host: &str) -> bool {
    let encoded = host
        .split('.')
        .any(|label| label.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--")));
    !encoded || idna::domain_to_unicode(host).1.is_ok()
}

/// One label of a host name: 1 to 63 letters, digits and inner hyphens.
pub(crate) fn is_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A port as an address writes it: digits only, 1 to 65535.
pub(crate) fn port_number(port: &str) -> Option<u16> {
    port.parse()
        .ok()
        .filter(|p| *p > 0 && port.bytes().all(|b| b.is_ascii_digit()))
}

/// What is wrong with a list of allowed origins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginsProblem {
    /// More than [`MAX_ORIGINS`].
    TooMany,
    /// An origin longer than [`MAX_ORIGIN_LEN`].
    TooLong,
    /// The first origin (as given, at most [`MAX_ORIGIN_LEN`] bytes) that is none.
    Bad(String),
}

impl std::fmt::Display for OriginsProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OriginsProblem::TooMany => write!(f, "a shop lists at most {MAX_ORIGINS} allowed origins"),
            OriginsProblem::TooLong => write!(f, "an allowed origin has at most {MAX_ORIGIN_LEN} characters"),
            OriginsProblem::Bad(origin) => write!(
                f,
                "invalid allowed origin {origin:?}: use scheme://host[:port], e.g. https://shop.example"
            ),
        }
    }
}

/// Checks every origin and returns them normalised, each once in the order
/// first given (`https://A.example:443` is `https://a.example`), at most
/// [`MAX_ORIGINS`] of them; or the first problem.
pub fn check_origins(origins: &[String]) -> Result<Vec<String>, OriginsProblem> {
    // Bounded before any is read: no list of so many is one of twenty repeated.
    if origins.len() > 4 * MAX_ORIGINS {
        return Err(OriginsProblem::TooMany);
    }
    let mut checked: Vec<String> = Vec::with_capacity(origins.len());
    for origin in origins {
        let origin = check_origin(origin)?;
        if !checked.contains(&origin) {
            checked.push(origin);
        }
    }
    match checked.len() > MAX_ORIGINS {
        true => Err(OriginsProblem::TooMany),
        false => Ok(checked),
    }
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
