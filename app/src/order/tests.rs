use super::fields::is_money;
use super::*;
use crate::errors::FieldError;
use serde_json::{json, Value};

const EXAMPLE: &str = include_str!("../../../fixtures/order-1001.json");

fn example() -> Value {
    serde_json::from_str(EXAMPLE).unwrap()
}

fn errors_of(body: &Value) -> Vec<FieldError> {
    parse_order(body.to_string().as_bytes()).expect_err("the body should be refused")
}

fn fields_of(body: &Value) -> Vec<String> {
    errors_of(body).into_iter().map(|e| e.field).collect()
}

#[test]
fn the_contract_example_is_accepted_as_written() {
    let order = parse_order(EXAMPLE.as_bytes()).unwrap();
    assert_eq!(order.order_number, "#1001");
    assert_eq!(order.payment_status, PaymentStatus::Paid);
    assert_eq!(order.shipments[0].events[0].location.as_deref(), Some("Oslo, NO"));
    assert_eq!(order.timeline[1].visibility, Visibility::Internal);
    assert_eq!(order.note.as_deref(), Some("Staff only: check fraud score"));
    // No return_status in the body: the latest return's status stands for the order.
    assert_eq!(order.return_status, ReturnStatus::InProgress);
}

#[test]
fn every_missing_required_field_is_reported_at_once() {
    let fields = fields_of(&json!({}));
    for f in [
        "order_number",
        "email",
        "placed_at",
        "updated_at",
        "status",
        "payment_status",
        "fulfillment_status",
        "currency",
        "totals",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} missing from {fields:?}");
    }
}

#[test]
fn unknown_status_words_name_the_field_and_the_accepted_words() {
    let mut body = example();
    body["payment_status"] = json!("payed");
    body["shipments"][0]["status"] = json!("lost_at_sea");
    let errors = errors_of(&body);
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0].field, "payment_status");
    assert_eq!(errors[0].code, "unknown_status");
    assert!(errors[0].message.contains("partially_paid"));
    assert_eq!(errors[1].field, "shipments[0].status");
}

#[test]
fn a_byte_order_mark_before_the_order_is_not_part_of_it() {
    let body = [b"\xEF\xBB\xBF".as_slice(), example().to_string().as_bytes()].concat();
    let order = parse_order(&body).unwrap();
    assert_eq!(order.order_number, "#1001");
    // Anywhere else it is text the JSON does not allow.
    let inside = [b"{\xEF\xBB\xBF".as_slice(), &example().to_string().as_bytes()[1..]].concat();
    assert!(parse_order(&inside).is_err());
}

#[test]
fn malformed_money_times_and_dates_are_refused() {
    let mut body = example();
    body["totals"]["total"] = json!("548,00");
    body["line_items"][0]["price"] = json!("-1");
    body["placed_at"] = json!("yesterday");
    body["shipments"][0]["estimated_delivery"] = json!("06/11/2026");
    assert_eq!(
        fields_of(&body),
        [
            "placed_at",
            "totals.total",
            "line_items[0].price",
            "shipments[0].estimated_delivery"
        ]
    );
}

#[test]
fn an_error_quotes_at_most_40_characters_of_a_bad_value() {
    let mut body = example();
    let long = "9,".repeat(5_000);
    body["totals"]["total"] = json!(long);
    body["shipments"][0]["estimated_delivery"] = json!(long);
    body["status"] = json!(long);
    // Ids as long as an id may be: used twice, and one that names no line item.
    let mut item = body["line_items"][0].clone();
    item["id"] = json!("9,".repeat(100));
    if let Some(items) = body["line_items"].as_array_mut() {
        items.extend([item.clone(), item]);
    }
    body["shipments"][0]["line_items"][0]["id"] = json!("9,".repeat(99));
    let errors = errors_of(&body);
    assert_eq!(errors.len(), 5, "{errors:?}");
    for error in errors {
        assert!(error.message.len() < 300, "{}: {}", error.field, error.message);
        assert!(error.message.contains("9,9,9,"), "{}", error.message);
    }
}

#[test]
fn references_to_missing_line_items_are_refused() {
    let mut body = example();
    body["shipments"][0]["line_items"][0]["id"] = json!("li-404");
    body["returns"][0]["line_items"][0]["id"] = json!("li-405");
    let errors = errors_of(&body);
    assert_eq!(errors.iter().filter(|e| e.code == "unknown_line_item").count(), 2);
    assert_eq!(errors[0].field, "shipments[0].line_items[0].id");
}

#[test]
fn script_urls_are_not_accepted_as_tracking_links() {
    let mut body = example();
    body["shipments"][0]["tracking_url"] = json!("javascript:alert(1)");
    body["line_items"][0]["image_url"] = json!("data:text/html,hi");
    let codes: Vec<_> = errors_of(&body).into_iter().map(|e| e.code).collect();
    assert_eq!(codes, ["invalid_url", "invalid_url"]);
}

#[test]
fn wrong_types_and_broken_json_are_reported_with_their_place() {
    let mut body = example();
    body["line_items"][0]["quantity"] = json!("two");
    let errors = errors_of(&body);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "line_items[0].quantity");
    assert_eq!(errors[0].code, "malformed");
    // Messages speak of JSON, not of Rust's types.
    let mut negative = example();
    negative["line_items"][0]["quantity"] = json!(-1);
    let mut text_address = example();
    text_address["shipping_address"] = json!("x");
    for (body, field, expected) in [
        (
            negative,
            "line_items[0].quantity",
            "expected a whole number from 0 to 4294967295",
        ),
        (text_address, "shipping_address", "expected a JSON object"),
    ] {
        let errors = errors_of(&body);
        assert_eq!(errors[0].field, field, "{errors:?}");
        let message = &errors[0].message;
        assert!(message.contains(expected), "{message}");
        assert!(!message.contains("u32") && !message.contains("struct"), "{message}");
    }

    let errors = parse_order(b"{\"order_number\": ").unwrap_err();
    assert_eq!(errors[0].code, "malformed");
    assert_eq!(errors[0].field, "order_number", "the deepest field known");
    // The body ends where the next key would be: no field to name but the body.
    let errors = parse_order(b"{\"order_number\": \"#4\",").unwrap_err();
    assert_eq!(
        (errors[0].field.as_str(), errors[0].code.as_str()),
        ("body", "malformed")
    );
    assert!(errors[0].message.contains("not valid JSON"), "{}", errors[0].message);
    assert!(parse_order(b"[]").is_err());
    assert!(parse_order(b"{} trailing").is_err());
    // No body at all (curl's `--data @file` of a file not there): said so,
    // not "EOF while parsing a value".
    for empty in [&b""[..], b" \r\n"] {
        let errors = parse_order(empty).unwrap_err();
        assert_eq!(
            errors[0].message,
            "The body is empty: send the order as a JSON object (docs/api.md)."
        );
    }
    // An amount as a JSON number: what it must be is said; other numbers are not amounts.
    let mut body: Value = serde_json::from_str(EXAMPLE).unwrap();
    body["totals"]["total"] = json!(10);
    let errors = errors_of(&body);
    assert_eq!(errors[0].field, "totals.total");
    assert!(
        errors[0]
            .message
            .ends_with("(an amount is a decimal string such as \"10.00\")"),
        "{}",
        errors[0].message
    );
    body["totals"]["total"] = json!("10.00");
    body["order_number"] = json!(1001);
    let errors = errors_of(&body);
    assert!(!errors[0].message.contains("amount"), "{}", errors[0].message);

    // Found by fuzzing: broken JSON inside the value of a key named "" was
    // reported against a field with no name.
    let errors = parse_order(b"{\"order_number\": \"#1\", \"\": [{\"a\"::}]}").unwrap_err();
    assert_eq!(
        (errors[0].field.as_str(), errors[0].code.as_str()),
        ("body", "malformed")
    );
}

#[test]
fn zero_quantities_duplicate_ids_and_bad_currency_are_refused() {
    let mut body = example();
    body["line_items"][0]["quantity"] = json!(0);
    body["line_items"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "li-1", "title": "Again", "quantity": 1, "price": "1.00"}));
    body["currency"] = json!("nok");
    let codes: Vec<_> = errors_of(&body).into_iter().map(|e| e.code).collect();
    assert_eq!(codes, ["invalid_currency", "invalid_quantity", "duplicate_id"]);
}

#[test]
fn scheduled_fulfillment_needs_a_date() {
    let mut body = example();
    body["fulfillment_status"] = json!("scheduled");
    assert_eq!(fields_of(&body), ["scheduled_at"]);
    body["scheduled_at"] = json!("2026-12-01T09:00:00Z");
    assert!(parse_order(body.to_string().as_bytes()).is_ok());
}

#[test]
fn timeline_events_without_visibility_stay_internal() {
    let mut body = example();
    body["timeline"][0].as_object_mut().unwrap().remove("visibility");
    let order = parse_order(body.to_string().as_bytes()).unwrap();
    assert_eq!(order.timeline[0].visibility, Visibility::Internal);
}

#[test]
fn money_shapes() {
    for ok in ["0", "0.00", "249.50", "1249", "12.3456"] {
        assert!(is_money(ok), "{ok}");
    }
    for bad in ["", ".5", "5.", "-1", "1,00", "1.23456", "1e3", " 1"] {
        assert!(!is_money(bad), "{bad}");
    }
}

#[test]
fn amounts_are_kept_without_leading_zeros() {
    let mut body: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    body["totals"]["total"] = "000548.00".into();
    body["totals"]["tax"] = "00.00".into();
    body["totals"]["discounts"] = "000".into();
    body["line_items"][0]["price"] = " 0249.50 ".into();
    body["totals"]["shipping"] = "0000000000049.00".into();
    let order = parse_order(body.to_string().as_bytes()).unwrap().into_inner();
    assert_eq!(order.totals.total, "548.00");
    assert_eq!(order.totals.tax, "0.00");
    assert_eq!(order.totals.discounts, "0");
    assert_eq!(order.line_items[0].price, "249.50");
    assert_eq!(order.totals.shipping, "49.00", "leading zeros count toward no limit");
    assert_eq!(order.totals.subtotal, "499.00", "well-formed amounts as sent");
}

#[test]
fn staleness_compares_instants_not_strings() {
    assert_eq!(is_older("2026-11-03T08:00:00Z", "2026-11-03T08:00:00.5Z"), Some(true));
    assert_eq!(
        is_older("2026-11-03T09:00:00+01:00", "2026-11-03T08:00:00Z"),
        Some(false)
    );
    assert_eq!(is_older("2026-11-03T08:00:00Z", "2026-11-03T08:00:00Z"), Some(false));
}

#[test]
fn every_list_has_a_limit_and_one_more_is_refused_by_name() {
    let shipment = |i: usize| json!({"id": format!("s{i}"), "status": "in_transit", "line_items": [], "events": []});
    let event = |_| json!({"at": "2026-11-03T07:00:00Z", "status": "in_transit"});
    let note = |_| json!({"at": "2026-11-03T07:00:00Z", "kind": "note", "message": "m"});
    let ret =
        |i: usize| json!({"id": format!("r{i}"), "status": "in_progress", "requested_at": "2026-11-08T09:00:00Z"});
    // The example's parcel refers to li-1, so the first item keeps that id.
    let item = |i: usize| json!({"id": format!("li-{}", i + 1), "title": "t", "quantity": 1, "price": "1.00"});
    type Set = Box<dyn Fn(&mut Value, Vec<Value>)>;
    let cases: Vec<(&str, usize, Set)> = vec![
        (
            "line_items",
            LIMITS.line_items,
            Box::new(|b, v| b["line_items"] = json!(v)),
        ),
        (
            "shipments",
            LIMITS.shipments,
            Box::new(|b, v| b["shipments"] = json!(v)),
        ),
        (
            "shipments[0].events",
            LIMITS.events,
            Box::new(|b, v| b["shipments"][0]["events"] = json!(v)),
        ),
        ("returns", LIMITS.returns, Box::new(|b, v| b["returns"] = json!(v))),
        ("timeline", LIMITS.timeline, Box::new(|b, v| b["timeline"] = json!(v))),
        ("tags", LIMITS.tags, Box::new(|b, v| b["tags"] = json!(v))),
    ];
    for (field, limit, set) in cases {
        let make = |n: usize| -> Vec<Value> {
            (0..n)
                .map(|i| match field {
                    "line_items" => item(i),
                    "shipments" => shipment(i),
                    "shipments[0].events" => event(i),
                    "returns" => ret(i),
                    "timeline" => note(i),
                    _ => json!(format!("tag{i}")),
                })
                .collect()
        };
        // At the limit: accepted.
        let mut body = example();
        body["returns"] = json!([]);
        set(&mut body, make(limit));
        assert!(parse_order(body.to_string().as_bytes()).is_ok(), "{field} at {limit}");
        // One more: refused, naming the list.
        set(&mut body, make(limit + 1));
        let errors = errors_of(&body);
        assert!(
            errors.iter().any(|e| e.field == field && e.code == "too_many"),
            "{field}: {errors:?}"
        );
    }
}

#[test]
fn a_nul_character_in_any_text_is_refused_by_name() {
    for (field, set) in [
        (
            "note",
            &(|b: &mut Value| b["note"] = json!("a\u{0}b")) as &dyn Fn(&mut Value),
        ),
        ("line_items[0].title", &|b: &mut Value| {
            b["line_items"][0]["title"] = json!("\u{0}")
        }),
        ("tags[0]", &|b: &mut Value| b["tags"] = json!(["x\u{0}"])),
    ] {
        let mut body = example();
        set(&mut body);
        let errors = errors_of(&body);
        assert!(
            errors.iter().any(|e| e.field == field && e.code == "invalid_text"),
            "{field}: {errors:?}"
        );
    }
}

/// The order's return status, when not given, is the latest return's: latest
/// by the instant its time stands for, not by its text.
#[test]
fn the_latest_return_by_time_gives_the_order_its_return_status() {
    let mut body = example();
    let mut later = body["returns"][0].clone();
    later["id"] = json!("r-2");
    later["status"] = json!("returned");
    later["requested_at"] = json!("2026-11-08T09:00:00.5Z");
    body["returns"].as_array_mut().unwrap().insert(0, later);
    let order = parse_order(body.to_string().as_bytes()).unwrap();
    assert_eq!(order.return_status.as_str(), "returned");
}

#[test]
fn the_same_event_written_twice_is_kept_once() {
    let mut body: Value = serde_json::from_str(EXAMPLE).unwrap();
    let event =
        |at: &str, message: &str| json!({"at": at, "kind": "note", "message": message, "visibility": "customer"});
    body["timeline"] = json!([
        event("2026-11-03T10:00:00Z", "Packed"),
        event("2026-11-03T11:00:00+01:00", "Packed"),
        event("2026-11-03T10:00:00Z", "Packed again"),
        event("2026-11-03T10:00:00.000Z", "Packed"),
    ]);
    let order = parse_order(body.to_string().as_bytes()).unwrap().into_inner();
    let said: Vec<&str> = order.timeline.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(said, ["Packed", "Packed again"]);
}
