//! Builds the shopper view from a stored order by allow-list: each shopper field
//! is copied by name; nothing is copied wholesale.

use crate::order::{ItemRef, LineItem, Order};
use crate::status::Visibility;
use crate::view::{ShipTo, ShopperEvent, ShopperItemRef, ShopperLineItem, ShopperReturn, ShopperShipment, ShopperView};

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
            cancel_reason: order.cancel_reason.clone(),
            payment_status: order.payment_status,
            fulfillment_status: order.fulfillment_status,
            hold_reason: order.hold_reason.clone(),
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
                    image_url: li.image_url.clone(),
                })
                .collect(),
            shipments: order
                .shipments
                .iter()
                .map(|s| {
                    let mut events = s.events.clone();
                    events.sort_by(|a, b| b.at.cmp(&a.at));
                    ShopperShipment {
                        status: s.status,
                        carrier: s.carrier.clone(),
                        tracking_number: s.tracking_number.clone(),
                        tracking_url: s.tracking_url.clone(),
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
                    refund: r.refund.clone(),
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
        let order = parse_order(EXAMPLE.as_bytes()).unwrap();
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
        let order = parse_order(EXAMPLE.as_bytes()).unwrap();
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
        let order = parse_order(EXAMPLE.as_bytes()).unwrap();
        let view = ShopperView::from(&order);
        assert_eq!(view.timeline.len(), 1);
        assert_eq!(view.timeline[0].kind, "placed");
    }

    #[test]
    fn parcel_items_are_shown_by_title_not_by_internal_id() {
        let order = parse_order(EXAMPLE.as_bytes()).unwrap();
        let view = ShopperView::from(&order);
        assert_eq!(view.shipments[0].line_items[0].title, "Wool socks");
        assert_eq!(view.shipments[0].line_items[0].quantity, 1);
        assert_eq!(view.returns[0].refund.as_ref().unwrap().amount, "249.50");
    }
}
