//! Builds the shopper view from a stored order by allow-list: each shopper field
//! is copied by name; nothing is copied wholesale.

use crate::normalize::is_http_url;
use crate::order::{instant, ItemRef, LineItem, Order};
use crate::status::{PaymentStatus, Visibility};
use crate::view::{
    Refund, ShipTo, ShopperEvent, ShopperItemRef, ShopperLineItem, ShopperReturn, ShopperShipment, ShopperView,
};

impl From<&Order> for ShopperView {
    fn from(order: &Order) -> Self {
        let items = |refs: &[ItemRef]| resolve(refs, &order.line_items);
        let mut timeline: Vec<ShopperEvent> = order
            .timeline
            .iter()
            .filter(|e| e.visibility == Visibility::Customer)
            .map(|e| ShopperEvent {
                at: e.at.clone(),
                kind: e.kind.clone(),
                message: e.message.clone(),
            })
            .collect();
        timeline.sort_by(|a, b| a.at.cmp(&b.at));

        ShopperView {
            order_number: order.order_number.clone(),
            placed_at: order.placed_at.clone(),
            status: order.status,
            cancel_reason: order.cancel_reason.as_deref().map(shopper_cancel_reason),
            payment_status: shown_payment_status(order),
            fulfillment_status: order.fulfillment_status,
            hold_reason: order.hold_reason.as_deref().map(shopper_hold_reason),
            scheduled_at: order.scheduled_at.clone(),
            return_status: order.return_status,
            currency: order.currency.clone(),
            totals: order.totals.clone(),
            line_items: order
                .line_items
                .iter()
                .map(|li| ShopperLineItem {
                    title: li.title.clone(),
                    variant: li.variant.clone(),
                    quantity: li.quantity,
                    price: li.price.clone(),
                    image_url: link(&li.image_url),
                })
                .collect(),
            shipments: order
                .shipments
                .iter()
                .filter(|s| s.cancelled_at.is_none())
                .map(|s| {
                    let mut events = s.events.clone();
                    events.sort_by(|a, b| b.at.cmp(&a.at));
                    ShopperShipment {
                        status: s.status,
                        carrier: s.carrier.clone(),
                        tracking_number: s.tracking_number.clone(),
                        tracking_url: link(&s.tracking_url),
                        estimated_delivery: s.estimated_delivery.clone(),
                        shipped_at: s.shipped_at.clone(),
                        delivered_at: s.delivered_at.clone(),
                        line_items: items(&s.line_items),
                        events,
                    }
                })
                .collect(),
            returns: order
                .returns
                .iter()
                .map(|r| ShopperReturn {
                    status: r.status,
                    requested_at: r.requested_at.clone(),
                    line_items: items(&r.line_items),
                    refund: r.refund.as_ref().map(|f| Refund {
                        status: f.status,
                        amount: f.amount.clone(),
                    }),
                })
                .collect(),
            timeline,
            ship_to: order.shipping_address.as_ref().map(|a| ShipTo {
                first_name: a.first_name.clone().or_else(|| {
                    a.name
                        .as_deref()
                        .and_then(|n| n.split_whitespace().next())
                        .map(str::to_string)
                }),
                city: a.city.clone(),
                country_code: a.country_code.clone(),
            }),
        }
    }
}

/// A stored link, only if it is one a shopper may follow (stored links were
/// checked when written; this holds for whatever was stored before that rule).
fn link(url: &Option<String>) -> Option<String> {
    url.clone().filter(|u| is_http_url(u))
}

/// Platforms' cancel reasons in words a shopper may read: `customer`,
/// `inventory` or `store` (the store's own decision, whatever it was: fraud
/// checks and declined payments included). Text a merchant wrote for shoppers
/// through the API is shown as written.
pub fn shopper_cancel_reason(reason: &str) -> String {
    match reason.trim().to_ascii_lowercase().as_str() {
        "customer" => "customer",
        "inventory" => "inventory",
        "fraud" | "declined" | "staff" | "other" | "store" => "store",
        _ => return reason.to_string(),
    }
    .to_string()
}

/// Platforms' reasons for holding a fulfillment in words a shopper may read:
/// `payment` (the store waits for the payment), `address` (the store needs to
/// check the shipping address), `inventory` (an item is out of stock) or `store`
/// (any other decision of the store's, fraud checks included: a shopper is never
/// told that an order was flagged). Text a merchant wrote for shoppers through
/// the API is shown as written, unless it speaks of fraud or risk: that is `store`.
pub fn shopper_hold_reason(reason: &str) -> String {
    let code = reason.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    if code.contains("fraud") || code.contains("risk") {
        return "store".to_string();
    }
    match code.as_str() {
        "awaiting_payment" | "payment" => "payment",
        "incorrect_address" | "address" => "address",
        "inventory_out_of_stock" | "inventory" => "inventory",
        "high_risk_of_fraud"
        | "awaiting_return_items"
        | "online_store_post_purchase_cross_sell"
        | "unknown_delivery_date"
        | "other"
        | "store" => "store",
        _ => return reason.to_string(),
    }
    .to_string()
}

/// The payment status a shopper sees: as the platform last said, except that a
/// refund the shopper may see in the history (not an internal one), recorded
/// after the order's last update, shows a paid order as partly refunded until
/// the platform's next word on the order.
fn shown_payment_status(order: &Order) -> PaymentStatus {
    let paid = matches!(
        order.payment_status,
        PaymentStatus::Paid | PaymentStatus::PartiallyPaid | PaymentStatus::Authorized
    );
    let updated = instant(&order.updated_at);
    let refunded_since = order
        .timeline
        .iter()
        .any(|e| e.kind == "refunded" && e.visibility == Visibility::Customer && instant(&e.at) > updated);
    if paid && refunded_since {
        PaymentStatus::PartiallyRefunded
    } else {
        order.payment_status
    }
}

/// Turns line-item references into what a shopper recognises: title, variant, quantity.
fn resolve(refs: &[ItemRef], items: &[LineItem]) -> Vec<ShopperItemRef> {
    refs.iter()
        .filter_map(|r| {
            items.iter().find(|li| li.id == r.id).map(|li| ShopperItemRef {
                title: li.title.clone(),
                variant: li.variant.clone(),
                quantity: r.quantity,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::order::parse_order;
    use crate::view::ShopperView;

    const EXAMPLE: &str = include_str!("../../fixtures/order-1001.json");

    #[test]
    fn internal_fields_do_not_survive_the_projection() {
        let order = parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
        let json = serde_json::to_string(&ShopperView::from(&order)).unwrap();
        for secret in [
            "Staff only",
            "fraud score",
            "vip",
            "gift wrap",
            "Storgata",
            "0155",
            "Lovelace",
            "WS-GM",
            "li-1",
            "f-1",
            "r-1",
            "Too small",
            "ada@example.com",
        ] {
            assert!(!json.contains(secret), "{secret:?} leaked into {json}");
        }
    }

    #[test]
    fn the_view_has_exactly_the_contract_fields() {
        let order = parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
        let value = serde_json::to_value(ShopperView::from(&order)).unwrap();
        let mut keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "cancel_reason",
                "currency",
                "fulfillment_status",
                "hold_reason",
                "line_items",
                "order_number",
                "payment_status",
                "placed_at",
                "return_status",
                "returns",
                "scheduled_at",
                "ship_to",
                "shipments",
                "status",
                "timeline",
                "totals",
            ]
        );
        assert_eq!(
            value["ship_to"],
            serde_json::json!({"first_name": "Ada", "city": "Oslo", "country_code": "NO"})
        );
    }

    #[test]
    fn only_customer_events_reach_the_timeline() {
        let order = parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
        let view = ShopperView::from(&order);
        assert_eq!(view.timeline.len(), 1);
        assert_eq!(view.timeline[0].kind, "placed");
    }

    #[test]
    fn a_hold_reason_reaches_the_shopper_as_a_neutral_word_never_as_a_fraud_flag() {
        let mut order = parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
        for (code, shown) in [
            ("high_risk_of_fraud", "store"),
            ("HIGH_RISK_OF_FRAUD", "store"),
            ("High risk of fraud", "store"),
            ("suspected-fraud", "store"),
            ("awaiting_payment", "payment"),
            ("incorrect_address", "address"),
            ("inventory_out_of_stock", "inventory"),
            ("other", "store"),
            ("Waiting for the engraver", "Waiting for the engraver"),
        ] {
            order.hold_reason = Some(code.to_string());
            assert_eq!(ShopperView::from(&order).hold_reason.as_deref(), Some(shown), "{code}");
        }
    }

    #[test]
    fn an_internal_refund_does_not_change_the_payment_status_a_shopper_sees() {
        use crate::order::TimelineEvent;
        use crate::status::{PaymentStatus, Visibility};
        let mut order = parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
        order.payment_status = PaymentStatus::Paid;
        let refund = |visibility| TimelineEvent {
            at: "2999-01-01T00:00:00Z".into(),
            kind: "refunded".into(),
            message: "Refunded 10.00".into(),
            visibility,
        };
        order.timeline.push(refund(Visibility::Internal));
        let view = ShopperView::from(&order);
        assert_eq!(view.payment_status, PaymentStatus::Paid);
        assert!(view.timeline.iter().all(|e| e.kind != "refunded"));
        order.timeline.push(refund(Visibility::Customer));
        assert_eq!(
            ShopperView::from(&order).payment_status,
            PaymentStatus::PartiallyRefunded
        );
    }

    #[test]
    fn parcel_items_are_shown_by_title_not_by_internal_id() {
        let order = parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
        let view = ShopperView::from(&order);
        assert_eq!(view.shipments[0].line_items[0].title, "Wool socks");
        assert_eq!(view.shipments[0].line_items[0].quantity, 1);
        assert_eq!(view.returns[0].refund.as_ref().unwrap().amount, "249.50");
    }
}

#[cfg(test)]
mod properties {
    use crate::order::{parse_order, Address, TimelineEvent};
    use crate::status::Visibility;
    use crate::view::ShopperView;
    use proptest::prelude::*;

    const EXAMPLE: &str = include_str!("../../fixtures/order-1001.json");
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
            last_name in "[^ ]{0,12}",
            sku in ".{0,12}",
            reason in ".{0,20}",
            internal_events in proptest::collection::vec(".{0,30}", 0..4),
        ) {
            let mut order = parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
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
}
