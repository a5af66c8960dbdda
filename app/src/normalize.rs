//! How shopper input is matched against stored orders (docs/api.md: "Order numbers
//! match after normalisation"). Shared, so the browser validates as the server does.

use crate::errors::FieldError;
use std::borrow::Cow;

/// Longest order number accepted, after trimming.
pub const MAX_ORDER_NUMBER_LEN: usize = 64;
/// Longest email address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;

/// Longest shop slug.
pub const MAX_SLUG_LEN: usize = 64;

/// A shop slug: `[a-z0-9-]{1,64}`. Checked before a slug is used for anything else.
pub fn is_slug(slug: &str) -> bool {
    (1..=MAX_SLUG_LEN).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// True for a link a shopper may be sent to: an absolute `http` or `https` URL
/// without spaces, control characters, quotes or angle brackets. Every URL from
/// any source is held to this before it is stored, and again before it is shown.
pub fn is_http_url(url: &str) -> bool {
    let rest = match (url.get(..8), url.get(..7)) {
        (Some(scheme), _) if scheme.eq_ignore_ascii_case("https://") => &url[8..],
        (_, Some(scheme)) if scheme.eq_ignore_ascii_case("http://") => &url[7..],
        _ => return false,
    };
    !rest.is_empty()
        && !rest.starts_with('/')
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\' | '`'))
}

/// The key an order number is stored and matched under: trimmed, one leading `#`
/// dropped, lower-cased. `" #A-1001 "` and `"a-1001"` give the same key. (A
/// shopper's typing is [`folded`] first, by the lookup: stored keys are as
/// they were.)
pub fn order_number_key(input: &str) -> Cow<'_, str> {
    lower_case(number_part(input))
}

/// `text` as a shopper means it: the full-width forms an East Asian keyboard
/// types (`＃１００１`, `ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ`, the ideographic space)
/// as the ASCII they stand for, and without the characters that hide or
/// reorder text unseen ([`hides_or_reorders`], control characters aside: those
/// are refused), which a pasted number often carries. Borrowed when there is
/// nothing to fold, as with all ASCII.
pub fn folded(text: &str) -> Cow<'_, str> {
    let folds = |c: char| is_full_width(c) || unseen_format(c);
    if text.is_ascii() || !text.chars().any(folds) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().filter(|&c| !unseen_format(c)).map(narrow).collect())
}

/// An email address as a shopper means it: [`folded`], and the full stops an
/// East Asian keyboard types (`。`, `｡`, `﹒`: `ada@example。com`) read as the
/// dot they stand for ([`as_dot`]). Borrowed when there is nothing to fold.
pub fn folded_email(text: &str) -> Cow<'_, str> {
    let text = folded(text);
    match text.chars().any(|c| as_dot(c) != c) {
        true => Cow::Owned(text.chars().map(as_dot).collect()),
        false => text,
    }
}

/// An ideographic full stop (`。`, the half-width `｡`, the small `﹒`) as the
/// dot it stands for in an address; any other character as it is.
pub fn as_dot(c: char) -> char {
    match c {
        '\u{3002}' | '\u{FF61}' | '\u{FE52}' => '.',
        c => c,
    }
}

/// Whether `c` is a full-width form an East Asian keyboard types for an
/// ASCII character (`ｖ`, `＃`, `１`, the ideographic space).
pub fn is_full_width(c: char) -> bool {
    matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}')
}

/// A full-width form ([`is_full_width`]) as the ASCII it stands for; any other
/// character as it is.
pub fn narrow(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        c => c,
    }
}

/// Whether `text` shows nothing: only spaces and characters that show nothing
/// ([`is_unseen`]: a zero-width space, a Braille blank) and marks with no
/// letter to sit on (U+0301, U+064E alone: any combining mark). A control
/// character is not nothing: it is refused by name where text is checked.
#[cfg(feature = "ssr")]
pub fn shows_nothing(text: &str) -> bool {
    use unicode_normalization::char::is_combining_mark;
    let nothing = |c: char| c.is_whitespace() || is_combining_mark(c) || (is_unseen(c) && !c.is_control());
    text.chars().all(nothing)
}

/// Whether `text` holds a character that hides or reorders text unseen (a
/// control character aside). What a shopper types may (they are dropped); what
/// is stored may not: shown to the merchant, it would hide or turn text around.
pub fn has_unseen_marks(text: &str) -> bool {
    !text.is_ascii() && text.chars().any(unseen_format)
}

/// [`has_unseen_marks`], and every other character seen as nothing
/// ([`is_unseen`]: joiners, soft hyphens, fillers): an order number, which
/// needs none of them, is refused with one.
pub fn has_unseen_characters(text: &str) -> bool {
    !text.is_ascii() && text.chars().any(|c| is_unseen(c) && !c.is_control())
}

/// A platform's order number as Lookout keeps it: [`folded`], and without any
/// other character seen as nothing (a joiner, a soft hyphen). An order, its
/// parcels and its refunds name it alike, so each finds the same key.
pub fn platform_number(text: &str) -> Cow<'_, str> {
    let text = folded(text);
    if !has_unseen_characters(&text) {
        return text;
    }
    Cow::Owned(text.chars().filter(|&c| c.is_control() || !is_unseen(c)).collect())
}

/// Whether `text` holds a full-width form of ASCII or the ideographic space.
pub fn has_full_width(text: &str) -> bool {
    !text.is_ascii() && text.chars().any(|c| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}'))
}

/// A character that hides or reorders text and is not a control character.
fn unseen_format(c: char) -> bool {
    hides_or_reorders(c) && !c.is_control()
}

/// The order number without surrounding space and one leading `#`, as typed.
fn number_part(input: &str) -> &str {
    let trimmed = input.trim();
    trimmed.strip_prefix('#').unwrap_or(trimmed).trim_start()
}

/// `text` in lower case, borrowed when it already is (as most emails are typed):
/// the lookup path then allocates no key.
fn lower_case(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return match text.bytes().any(|b| b.is_ascii_uppercase()) {
            true => Cow::Owned(text.to_ascii_lowercase()),
            false => Cow::Borrowed(text),
        };
    }
    let lowered = |c: char| {
        let mut lower = c.to_lowercase();
        lower.next() == Some(c) && lower.next().is_none()
    };
    match text.chars().all(lowered) {
        true => Cow::Borrowed(text),
        false => Cow::Owned(text.to_lowercase()),
    }
}

/// The key an email is matched under: trimmed and lower-cased.
pub fn email_key(input: &str) -> Cow<'_, str> {
    lower_case(input.trim())
}

/// Checks the shape of an order number; `field` names it in the error.
pub fn check_order_number(input: &str, field: &str) -> Result<(), FieldError> {
    let input = folded(input);
    let trimmed = input.trim();
    // Only `#` and spaces names no order ("##" would be the order "#").
    if number_part(&input).chars().all(|c| c == '#' || c.is_whitespace()) {
        return Err(FieldError::new(
            field,
            "order_number_required",
            "Enter the order number.",
        ));
    }
    if trimmed.chars().count() > MAX_ORDER_NUMBER_LEN {
        return Err(FieldError::new(
            field,
            "order_number_too_long",
            format!("An order number has at most {MAX_ORDER_NUMBER_LEN} characters."),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(control_characters(field));
    }
    Ok(())
}

/// The error of an order number holding a control character.
pub fn control_characters(field: &str) -> FieldError {
    FieldError::new(
        field,
        "order_number_invalid",
        "An order number cannot contain control characters.",
    )
}

/// Checks the shape of an email address: one `@` with text on both sides, a
/// dot in the domain, no spaces. Deliverability is the shop's business, not ours.
pub fn check_email(input: &str, field: &str) -> Result<(), FieldError> {
    let email = folded_email(input);
    let email = email.trim();
    if email.is_empty() {
        return Err(FieldError::new(
            field,
            "email_required",
            "Enter the email address used for the order.",
        ));
    }
    if email.chars().count() > MAX_EMAIL_LEN {
        return Err(FieldError::new(
            field,
            "email_too_long",
            format!("An email address has at most {MAX_EMAIL_LEN} characters."),
        ));
    }
    let well_formed = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if well_formed {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            "email_invalid",
            "Enter an email address like name@example.com.",
        ))
    }
}

/// A character that hides text or reorders it without being seen itself: a
/// control character, a direction mark, embedding, override or isolate, a
/// zero-width space, a word joiner, a line or paragraph separator. A shop's name
/// has none, so that it cannot pass for another's in a member's list or an
/// invitation; emoji sequences and scripts keep the joiners and variation
/// selectors they need (U+200C, U+200D, U+FE0F, tag characters of flags).
pub fn hides_or_reorders(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{61C}' | '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// [`hides_or_reorders`], and every other character that changes how the text
/// around it is shown without being seen itself: joiners, soft hyphens,
/// fillers (the Braille blank among them), variation selectors, tags, format
/// controls of musical and shorthand notation. An API key's name (plain words a
/// merchant types to tell keys apart) has none.
pub fn is_unseen(c: char) -> bool {
    hides_or_reorders(c)
        || matches!(c,
            '\u{AD}' | '\u{34F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}'
            | '\u{200C}' | '\u{200D}' | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
            | '\u{2800}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}' | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}' | '\u{E0100}'..='\u{E01EF}')
}

/// At most `max` bytes of `text`, cut at a character boundary.
pub fn clip(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Every error code `check_lookup` can give (the page's island carries a message
/// for each, in the shopper's language).
pub const LOOKUP_ERROR_CODES: [&str; 6] = [
    "email_required",
    "email_too_long",
    "email_invalid",
    "order_number_required",
    "order_number_too_long",
    "order_number_invalid",
];

/// Checks both lookup fields and returns every problem at once.
pub fn check_lookup(email: &str, order_number: &str) -> Result<(), Vec<FieldError>> {
    let errors: Vec<FieldError> = [
        check_email(email, "email"),
        check_order_number(order_number, "order_number"),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests;
