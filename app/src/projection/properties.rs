//! The projection under any input: nothing internal survives it.

use crate::order::{parse_order, Address, TimelineEvent};
use crate::status::Visibility;
use crate::view::ShopperView;
use proptest::prelude::*;

const EXAMPLE: &str = include_str!("../../../fixtures/order-1001.json");
const MARK: &str = "INTERNAL\u{1f512}";

proptest! {
    /// Whatever an order's internal fields hold (quotes, markup, any Unicode), none of it
    /// reaches the shopper view: every internal value carries a marker that must not appear.
    #[test]
    fn no_internal_field_survives_the_projection(
        note in ".{0,40}",
        tags in proptest::collection::vec(".{0,12}", 0..4),
        street in ".{0,30}",
        zip in "[0-9A-Z ]{0,8}",
        last_name in "[^ ,&\u{FF0C}\u{060C}]{0,12}",
        sku in ".{0,12}",
        reason in ".{0,20}",
        internal_events in proptest::collection::vec(".{0,30}", 0..4),
    ) {
        let mut order = parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
        // The surname is one word glued to the marker: what splits words (a
        // space, a control or an unseen character) would make its pieces
        // words of their own, and "Ada INTERNAL nV" reads as a company's name.
        let last_name: String = last_name
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control() && !crate::normalize::is_unseen(*c))
            .collect();
        order.note = Some(format!("{MARK}{note}"));
        order.tags = tags.iter().map(|t| format!("{MARK}{t}")).collect();
        order.shipping_address = Some(Address {
            name: Some(format!("Ada {MARK}{last_name}")),
            address1: Some(format!("{MARK}{street}")),
            address2: Some(format!("{MARK}2")),
            zip: Some(format!("{MARK}{zip}")),
            province: Some(format!("{MARK}p")),
            phone: Some(format!("{MARK}+47")),
            last_name: Some(format!("{MARK}{last_name}")),
            city: Some("Oslo".into()),
            country_code: Some("NO".into()),
            first_name: None,
        });
        order.line_items[0].sku = Some(format!("{MARK}{sku}"));
        order.line_items[0].id = format!("{MARK}li");
        for s in &mut order.shipments {
            s.id = format!("{MARK}s");
            for r in &mut s.line_items { r.id = format!("{MARK}li"); }
        }
        for r in &mut order.returns {
            r.reason = Some(format!("{MARK}{reason}"));
            r.id = format!("{MARK}r");
            for i in &mut r.line_items { i.id = format!("{MARK}li"); }
        }
        for message in &internal_events {
            order.timeline.push(TimelineEvent {
                at: "2026-11-04T00:00:00Z".into(),
                kind: "note".into(),
                message: format!("{MARK}{message}"),
                visibility: Visibility::Internal,
            });
        }
        order.email = format!("{MARK}@example.com");
        let json = serde_json::to_string(&ShopperView::from(&order)).unwrap();
        prop_assert!(!json.contains(MARK), "{}", json);
        // The allowed part of the address still shows.
        prop_assert!(json.contains("\"first_name\":\"Ada\""));
    }
}
