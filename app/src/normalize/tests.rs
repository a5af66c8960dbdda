//! How shopper input is matched and checked.

use super::*;

#[test]
fn the_lookup_error_codes_are_exactly_those_check_lookup_gives() {
    let long_email = format!("{}@example.com", "a".repeat(MAX_EMAIL_LEN));
    let long_number = "1".repeat(MAX_ORDER_NUMBER_LEN + 1);
    let mut given: Vec<String> = [
        ("", ""),
        (long_email.as_str(), long_number.as_str()),
        ("nope", "10\u{7}01"),
    ]
    .into_iter()
    .flat_map(|(email, number)| check_lookup(email, number).unwrap_err())
    .map(|e| e.code)
    .collect();
    given.sort();
    let mut listed = LOOKUP_ERROR_CODES.map(String::from).to_vec();
    listed.sort();
    assert_eq!(given, listed);
}

#[test]
fn order_numbers_match_trimmed_without_hash_and_case_insensitively() {
    assert_eq!(order_number_key("#1001"), "1001");
    assert_eq!(order_number_key("  #1001 "), "1001");
    assert_eq!(order_number_key("1001"), "1001");
    assert_eq!(order_number_key("#SE-77a"), "se-77a");
    assert_eq!(order_number_key("# 1001"), "1001");
}

#[test]
fn only_one_leading_hash_is_dropped() {
    assert_eq!(order_number_key("##1001"), "#1001");
    assert_eq!(order_number_key("10#01"), "10#01");
}

#[test]
fn emails_match_trimmed_and_case_insensitively() {
    assert_eq!(email_key("  Ada@Example.COM "), "ada@example.com");
}

#[test]
fn keys_typed_in_lower_case_are_borrowed_not_copied() {
    use std::borrow::Cow;
    assert!(matches!(
        email_key(" ada@example.com "),
        Cow::Borrowed("ada@example.com")
    ));
    assert!(matches!(order_number_key(" #g0000001"), Cow::Borrowed("g0000001")));
    assert!(matches!(email_key("Ada@example.com"), Cow::Owned(_)));
    // Characters whose lower case is another character are never kept as typed.
    for typed in ["ǅ@example.com", "İ@example.com", "ΟΔΟΣ@example.com", "K@example.com"] {
        assert!(matches!(email_key(typed), Cow::Owned(_)), "{typed}");
        assert_eq!(email_key(typed), typed.to_lowercase(), "{typed}");
    }
}

proptest::proptest! {
    #[test]
    fn keys_are_the_trimmed_input_in_lower_case(input in proptest::prop_oneof!["\\PC{0,40}", "[ -~]{0,40}"]) {
        proptest::prop_assert_eq!(email_key(&input), input.trim().to_lowercase());
        let number = input.trim();
        let number = number.strip_prefix('#').unwrap_or(number).trim_start();
        proptest::prop_assert_eq!(order_number_key(&input), number.to_lowercase());
    }
}

#[test]
fn a_bare_hash_or_blank_is_not_an_order_number() {
    for blank in ["#", "   ", "##", "# #", " # \t# ", "###"] {
        assert_eq!(
            check_order_number(blank, "order_number").unwrap_err().code,
            "order_number_required",
            "{blank:?}"
        );
    }
    assert!(check_order_number("#1001", "order_number").is_ok());
    assert!(check_order_number("##1", "order_number").is_ok());
}

#[test]
fn overlong_or_control_order_numbers_are_refused() {
    let long = "1".repeat(MAX_ORDER_NUMBER_LEN + 1);
    assert_eq!(
        check_order_number(&long, "n").unwrap_err().code,
        "order_number_too_long"
    );
    assert_eq!(
        check_order_number("10\u{0}01", "n").unwrap_err().code,
        "order_number_invalid"
    );
}

#[test]
fn malformed_emails_are_refused_with_a_specific_code() {
    for bad in [
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "a b@example.com",
        "a@b@example.com",
        "ada@.com",
    ] {
        assert_eq!(check_email(bad, "email").unwrap_err().code, "email_invalid", "{bad}");
    }
    assert_eq!(check_email("  ", "email").unwrap_err().code, "email_required");
    assert!(check_email(" Ada@Example.com ", "email").is_ok());
}

#[test]
fn check_lookup_reports_both_fields_at_once() {
    let errors = check_lookup("nope", "").unwrap_err();
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["email", "order_number"]);
}

#[test]
fn full_width_input_and_unseen_marks_fold_into_the_ascii_meant() {
    let key = |typed: &str| order_number_key(&folded(typed)).into_owned();
    assert_eq!(key("＃１００１"), "1001");
    assert_eq!(key("＃1001"), "1001");
    assert_eq!(key("\u{3000}#１００１\u{3000}"), "1001");
    assert_eq!(key("\u{200F}#1001\u{200B}"), "1001");
    assert_eq!(key("#Ａ－１００１"), "a-1001");
    assert_eq!(email_key(&folded("ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ")), "ada@example.com");
    assert_eq!(email_key(&folded("\u{FEFF}ada@example.com\u{200E}")), "ada@example.com");
    // Stored keys are as they were: folding is the lookup's.
    assert_eq!(order_number_key("＃１００１"), "＃１００１");
    assert!(check_lookup("ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ", "＃１００１").is_ok());
    // An email's ideographic full stops are its dots; the number's are not.
    assert_eq!(folded_email("ada@example。com"), "ada@example.com");
    assert_eq!(folded_email("ａｄａ＠ｅｘａｍｐｌｅ｡ｃｏ﹒ｊｐ"), "ada@example.co.jp");
    assert!(matches!(folded_email("ada@example.com"), Cow::Borrowed(_)));
    assert!(check_lookup("ada@example。com", "#1001").is_ok());
    assert_eq!(folded("#1001。"), "#1001。");
    // Only marks: no order number; a control character is still refused.
    assert_eq!(
        check_order_number("\u{200B}＃\u{200F}", "n").unwrap_err().code,
        "order_number_required"
    );
    assert_eq!(
        check_order_number("10\u{0}01", "n").unwrap_err().code,
        "order_number_invalid"
    );
    // Letters of other scripts are not folded: only the full-width forms of ASCII.
    assert_eq!(folded("#注文1001"), "#注文1001");
    assert_eq!(folded("åse@bücher.example"), "åse@bücher.example");
    assert!(matches!(folded("#1001"), Cow::Borrowed("#1001")));
    assert!(has_unseen_characters("#10\u{200D}01") && !has_unseen_marks("#10\u{200D}01"));
}
