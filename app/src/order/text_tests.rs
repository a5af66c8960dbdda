//! Text that shows nothing is no text, and a country is its two-letter code.

use super::*;
use serde_json::{json, Value};

const EXAMPLE: &str = include_str!("../../../fixtures/order-1001.json");

fn with(change: impl FnOnce(&mut Value)) -> Result<ValidOrder, Vec<crate::errors::FieldError>> {
    let mut body: Value = serde_json::from_str(EXAMPLE).unwrap();
    change(&mut body);
    parse_order(body.to_string().as_bytes())
}

/// A title of spaces and characters that show nothing is as missing as an
/// empty one: a shopper would read an item without a name.
#[test]
fn a_required_text_that_shows_nothing_is_missing() {
    for blank in [
        "",
        "   ",
        " \u{200B} ",
        "\u{2800}",
        "\u{FEFF}\u{2060}",
        "\u{301}",
        "\u{E48}",
        "\u{1D165}",
    ] {
        let errors = with(|b| b["line_items"][0]["title"] = json!(blank)).unwrap_err();
        let codes: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(codes, [("line_items[0].title", "required")], "{blank:?}");
    }
    assert!(with(|b| b["line_items"][0]["title"] = json!("Wool \u{200B}socks")).is_ok());
}

/// Two letters, kept in upper case; anything else names the field.
#[test]
fn a_country_is_its_two_letter_code_in_upper_case() {
    let order = with(|b| b["shipping_address"]["country_code"] = json!("no")).unwrap();
    let address = order.shipping_address.as_ref().unwrap();
    assert_eq!(address.country_code.as_deref(), Some("NO"));
    for bad in ["12", "N", "Ö1", "n-"] {
        let errors = with(|b| b["shipping_address"]["country_code"] = json!(bad)).unwrap_err();
        let codes: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(codes, [("shipping_address.country_code", "invalid_country")], "{bad:?}");
    }
    let errors = with(|b| b["shipping_address"]["country_code"] = json!("NOR")).unwrap_err();
    assert_eq!(errors[0].code, "too_long");
    // A platform's country that is no code is dropped, not refused.
    let mut input: crate::order::OrderInput = serde_json::from_str(EXAMPLE).unwrap();
    if let Some(a) = input.shipping_address.as_mut() {
        a.country_code = Some("N".into());
    }
    let fitted = validate_platform(input.fitted()).unwrap();
    assert_eq!(fitted.shipping_address.as_ref().unwrap().country_code, None);
}

/// An order stored before countries were checked, with a country that is no
/// code, still takes a platform's news: the country is dropped in the merge.
#[test]
fn a_merge_drops_a_stored_country_that_is_no_code() {
    let mut order = with(|_| {}).unwrap().into_inner();
    if let Some(a) = order.shipping_address.as_mut() {
        a.country_code = Some("1".into());
    }
    assert!(ValidOrder::check(order.clone()).is_err(), "refused when sent");
    let merged = ValidOrder::check_merged(order).unwrap();
    assert_eq!(merged.shipping_address.as_ref().unwrap().country_code, None);
}
