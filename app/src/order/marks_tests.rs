//! Characters that hide or turn text around, unseen, in an order's number or
//! email: refused from a merchant, dropped from a platform's order.

use super::*;
use crate::normalize::{email_key, order_number_key};
use serde_json::{json, Value};

const EXAMPLE: &str = include_str!("../../../fixtures/order-1001.json");

fn example() -> Value {
    serde_json::from_str(EXAMPLE).expect("the example is JSON")
}

#[test]
fn a_merchants_order_number_or_email_with_unseen_marks_is_refused() {
    for (field, value, code) in [
        ("order_number", "\u{202E}1001", "order_number_invalid"),
        ("order_number", "#10\u{200B}01", "order_number_invalid"),
        ("order_number", "#10\u{200D}01", "order_number_invalid"),
        ("order_number", "#10\u{AD}01", "order_number_invalid"),
        ("email", "\u{202E}ada@example.com", "email_invalid"),
        ("email", "ada@example.com\u{2066}", "email_invalid"),
    ] {
        let mut body = example();
        body[field] = json!(value);
        let errors = parse_order(body.to_string().as_bytes()).expect_err("refused");
        let found: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(found, [(field, code)], "{value:?}");
        assert!(errors[0].message.contains("invisible"), "{}", errors[0].message);
    }
}

#[test]
fn a_platforms_order_keeps_its_number_and_email_without_the_marks() {
    let mut input: OrderInput = serde_json::from_str(EXAMPLE).expect("an order input");
    input.order_number = Some("\u{200F}#10\u{200D}01".into());
    input.email = Some("ada@example.com\u{200B}".into());
    let order = validate_platform(input.fitted()).expect("accepted");
    assert_eq!(order.order_number, "#1001");
    assert_eq!(order.email, "ada@example.com");
}

#[test]
fn a_merchants_number_in_full_width_is_refused_and_a_platforms_read_as_ascii() {
    let mut body = example();
    body["order_number"] = json!("＃１００１");
    let errors = parse_order(body.to_string().as_bytes()).expect_err("refused");
    assert_eq!(errors[0].code, "order_number_invalid");
    assert!(
        errors[0].message.contains("`＃１００１` is `#1001`"),
        "{}",
        errors[0].message
    );
    // An email in full width is kept as the ASCII it stands for.
    let mut body = example();
    body["email"] = json!("ａｄａ＠example.com");
    assert_eq!(
        parse_order(body.to_string().as_bytes()).expect("accepted").email,
        "ada@example.com"
    );
    // A platform's: folded, with its marks and joiners dropped.
    let mut input: OrderInput = serde_json::from_str(EXAMPLE).expect("an order input");
    input.order_number = Some("\u{200F}＃１０\u{AD}０１".into());
    let order = validate_platform(input.fitted()).expect("accepted");
    assert_eq!(order.order_number, "#1001");
    assert_eq!(order_number_key(&order.order_number), "1001");
    assert_eq!(email_key(&order.email), "ada@example.com");
}
