//! A parcel sent in several boxes (`more_tracking`): what is accepted, what
//! is refused, and what a shopper reads of it.

use super::*;
use crate::i18n::Locale;
use crate::view::{ShopperView, Tracking};
use serde_json::{json, Value};

const EXAMPLE: &str = include_str!("../../../fixtures/order-1001.json");

fn with_boxes(boxes: Value) -> Value {
    let mut body: Value = serde_json::from_str(EXAMPLE).expect("the example is JSON");
    body["shipments"][0]["more_tracking"] = boxes;
    body
}

fn refused(body: &Value) -> Vec<(String, String)> {
    parse_order(body.to_string().as_bytes())
        .expect_err("the body should be refused")
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

#[test]
fn each_box_is_kept_as_sent_and_an_order_without_boxes_is_stored_as_before() {
    let body = with_boxes(json!([
        {"tracking_number": "00370712345678901235", "tracking_url": "https://tracking.example/00370712345678901235"},
        {"tracking_number": "00370712345678901236"},
        {"tracking_url": "https://tracking.example/box-3"}
    ]));
    let order = parse_order(body.to_string().as_bytes()).expect("accepted");
    let boxes = &order.shipments[0].more_tracking;
    assert_eq!(boxes.len(), 3);
    assert_eq!(boxes[1].tracking_number.as_deref(), Some("00370712345678901236"));
    assert_eq!(boxes[1].tracking_url, None);
    assert_eq!(boxes[2].tracking_url.as_deref(), Some("https://tracking.example/box-3"));

    // Without boxes, the stored document has no such field (its version, and
    // every order stored before, stay as they were).
    let plain = parse_order(EXAMPLE.as_bytes()).expect("accepted");
    let stored = serde_json::to_value(&*plain).expect("an order is JSON");
    assert!(stored["shipments"][0].get("more_tracking").is_none(), "{stored}");
}

#[test]
fn a_box_without_tracking_a_script_link_an_over_long_number_or_too_many_boxes_are_refused() {
    let errors = refused(&with_boxes(json!([
        {},
        {"tracking_url": "javascript:alert(1)"},
        {"tracking_number": "9".repeat(201)},
        {"tracking_number": null, "tracking_url": null}
    ])));
    let find = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, c)| c.as_str());
    assert_eq!(find("shipments[0].more_tracking[0]"), Some("required"), "{errors:?}");
    assert_eq!(
        find("shipments[0].more_tracking[1].tracking_url"),
        Some("invalid_url"),
        "{errors:?}"
    );
    assert_eq!(
        find("shipments[0].more_tracking[2].tracking_number"),
        Some("too_long"),
        "{errors:?}"
    );
    assert_eq!(find("shipments[0].more_tracking[3]"), Some("required"), "{errors:?}");

    let many: Vec<Value> = (0..=LIMITS.more_tracking)
        .map(|i| json!({"tracking_number": format!("BOX{i}")}))
        .collect();
    let errors = refused(&with_boxes(Value::Array(many)));
    assert_eq!(
        errors,
        [("shipments[0].more_tracking".to_string(), "too_many".to_string())]
    );
    // Not a list at all.
    let errors = refused(&with_boxes(json!("1Z2")));
    assert!(errors.iter().any(|(f, _)| f.contains("more_tracking")), "{errors:?}");
}

#[test]
fn a_platforms_boxes_are_fitted_not_refused() {
    let mut parcel = parse_order(EXAMPLE.as_bytes()).expect("accepted").shipments[0].clone();
    parcel.more_tracking = (0..LIMITS.more_tracking + 5)
        .map(|i| Tracking {
            tracking_number: Some(format!("{i}").repeat(300)),
            tracking_url: Some(format!("https://tracking.example/{}", "x".repeat(3000))),
        })
        .chain([Tracking {
            tracking_number: None,
            tracking_url: None,
        }])
        .collect();
    let fitted = parcel.fitted();
    assert_eq!(fitted.more_tracking.len(), LIMITS.more_tracking);
    for b in &fitted.more_tracking {
        assert_eq!(b.tracking_number.as_deref().map(|n| n.chars().count()), Some(200));
        assert_eq!(b.tracking_url, None, "a link over its limit is dropped");
    }
}

#[test]
fn the_shopper_reads_every_box_and_no_link_they_may_not_follow() {
    let body = with_boxes(json!([
        {"tracking_number": "00370712345678901235", "tracking_url": "https://tracking.example/00370712345678901235"},
        {"tracking_number": "00370712345678901236"}
    ]));
    let mut order = parse_order(body.to_string().as_bytes()).expect("accepted").0;
    // A link stored before links were checked is not shown, and a box left
    // with nothing is not listed.
    order.shipments[0].more_tracking.push(Tracking {
        tracking_number: None,
        tracking_url: Some("javascript:alert(1)".into()),
    });
    let view = ShopperView::from(&order);
    let boxes = &view.shipments[0].more_tracking;
    assert_eq!(boxes.len(), 2, "{boxes:?}");
    let json = serde_json::to_string(&view).expect("a view is JSON");
    assert!(!json.contains("javascript"), "{json}");

    let html = crate::ui::order_html(view.clone(), Locale::En, crate::zone::Zone::default());
    assert_eq!(html.matches(r#"<p class="tracking">"#).count(), 3, "{html}");
    for number in ["00370712345678901234", "00370712345678901235", "00370712345678901236"] {
        assert!(html.contains(number), "{number} in {html}");
    }
    assert!(
        html.contains(r#"href="https://tracking.example/00370712345678901235""#),
        "{html}"
    );
    assert!(!html.contains("javascript"), "{html}");

    // A parcel of one box: one line, and no field in the shopper's JSON.
    let plain = ShopperView::from(&parse_order(EXAMPLE.as_bytes()).expect("accepted").0);
    let json = serde_json::to_value(&plain).expect("a view is JSON");
    assert!(json["shipments"][0].get("more_tracking").is_none(), "{json}");
    let html = crate::ui::order_html(plain, Locale::En, crate::zone::Zone::default());
    assert_eq!(html.matches(r#"<p class="tracking">"#).count(), 1, "{html}");
}

#[test]
fn a_box_with_a_link_and_no_number_is_not_called_a_tracking_number() {
    let body = with_boxes(json!([{"tracking_url": "https://tracking.example/box-2"}]));
    let view = ShopperView::from(&parse_order(body.to_string().as_bytes()).expect("accepted").0);
    let html = crate::ui::order_html(view, Locale::En, crate::zone::Zone::default());
    // The first box has a number, the second only its link.
    assert_eq!(html.matches(r#"<p class="tracking">"#).count(), 2, "{html}");
    assert_eq!(html.matches("Tracking number:").count(), 1, "{html}");
    assert!(
        html.contains(r#"<p class="tracking"><a href="https://tracking.example/box-2""#),
        "{html}"
    );
    assert!(html.contains("Track with the carrier"), "{html}");
}

#[test]
fn an_archived_order_whose_other_box_is_on_its_way_is_open_to_the_shopper() {
    let body = with_boxes(json!([{"tracking_number": "00370712345678901235"}]));
    let mut order = parse_order(body.to_string().as_bytes()).expect("accepted").0;
    order.status = OrderStatus::Archived;
    order.shipments[0].tracking_number = None;
    order.shipments[0].tracking_url = None;
    order.shipments[0].status = ShipmentStatus::InTransit;
    assert_eq!(ShopperView::from(&order).status, OrderStatus::Open);
    order.shipments[0].more_tracking.clear();
    assert_eq!(ShopperView::from(&order).status, OrderStatus::Archived);
}
