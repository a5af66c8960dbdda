//! Builds the shopper view from a stored order by allow-list: each shopper field
//! is copied by name; nothing is copied wholesale.

use crate::normalize::is_http_url;
use crate::order::{by_time, instant, ItemRef, LineItem, Order};
use crate::own_words::OwnWords;
use crate::status::{FulfillmentStatus, OrderStatus, PaymentStatus, ShipmentStatus, Visibility};
use crate::view::{
    Refund, ShipTo, ShopperEvent, ShopperItemRef, ShopperLineItem, ShopperReturn, ShopperShipment, ShopperView,
    Tracking,
};
use names::greeted;
use suspicion::speaks_of_suspicion;

/// The number of these rules. Raise it with any change that makes a stored
/// order's view come out differently: a server whose number is higher than the
/// database's makes every stored view again when it migrates (`store/views.rs`).
pub const RULES: i64 = 12;

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
        timeline.sort_by(|a, b| by_time(&a.at, &b.at));

        ShopperView {
            order_number: order.order_number.clone(),
            placed_at: order.placed_at.clone(),
            status: shown_status(order),
            // A reason only for the state the order is in: a leftover one says nothing true.
            cancel_reason: (order.status == OrderStatus::Cancelled)
                .then_some(order.cancel_reason.as_deref())
                .flatten()
                .map(shopper_cancel_reason),
            payment_status: shown_payment_status(order),
            fulfillment_status: order.fulfillment_status,
            hold_reason: (order.fulfillment_status == FulfillmentStatus::OnHold)
                .then_some(order.hold_reason.as_deref())
                .flatten()
                .map(shopper_hold_reason),
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
                    events.sort_by(|a, b| by_time(&b.at, &a.at));
                    ShopperShipment {
                        status: s.status,
                        carrier: s.carrier.clone(),
                        tracking_number: s.tracking_number.clone(),
                        tracking_url: link(&s.tracking_url),
                        more_tracking: s
                            .more_tracking
                            .iter()
                            .map(|t| Tracking {
                                tracking_number: t.tracking_number.clone(),
                                tracking_url: link(&t.tracking_url),
                            })
                            .filter(|t| t.tracking_number.is_some() || t.tracking_url.is_some())
                            .collect(),
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
                .filter(|r| r.cancelled_at.is_none())
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
                first_name: greeted(a.first_name.as_deref(), a.name.as_deref(), a.last_name.as_deref()),
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
/// through the API is shown as written, unless it speaks of a store's suspicion
/// (`speaks_of_suspicion`): that is `store`.
pub fn shopper_cancel_reason(reason: &str) -> String {
    let code = reason.trim().to_ascii_lowercase();
    if speaks_of_suspicion(reason) {
        return "store".to_string();
    }
    match code.as_str() {
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
    if speaks_of_suspicion(reason) {
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

/// The order's status as the shopper reads it: an order the store archived
/// ("Completed") while a tracked parcel of it is on its way (with the carrier,
/// out for delivery, tried, at a pickup point) is still open to the shopper.
/// Shopify archives an order once it is paid and sent, by default, so most of
/// its orders are archived the day their parcel leaves. A parcel without
/// tracking, or that failed, says nothing more to come: the store's word stands.
fn shown_status(order: &Order) -> OrderStatus {
    let travelling = order.shipments.iter().any(|s| {
        s.cancelled_at.is_none()
            && (s.tracking_number.is_some() || s.tracking_url.is_some() || !s.more_tracking.is_empty())
            && matches!(
                s.status,
                ShipmentStatus::InTransit
                    | ShipmentStatus::OutForDelivery
                    | ShipmentStatus::AttemptedDelivery
                    | ShipmentStatus::ReadyForPickup
            )
    });
    match order.status {
        OrderStatus::Archived if travelling => OrderStatus::Open,
        status => status,
    }
}

fn shown_payment_status(order: &Order) -> PaymentStatus {
    // An approved payment took no money, so none can have gone back.
    let paid = matches!(order.payment_status, PaymentStatus::Paid | PaymentStatus::PartiallyPaid);
    let updated = instant(&order.updated_at);
    // Money given back counts; money on its way counts unless the same
    // money's refund failed, said at the same moment, of the same amounts (a
    // pending refund that then failed: `own_words::refund_failed`).
    let shown = |e: &&crate::order::TimelineEvent| e.visibility == Visibility::Customer;
    let failed = |refund: &crate::order::TimelineEvent| {
        order.timeline.iter().filter(shown).any(|e| {
            e.kind == "refund_failed"
                && e.at == refund.at
                && refund_amounts(e).is_some_and(|failed| Some(failed) == refund_amounts(refund))
        })
    };
    let refunded_since = order
        .timeline
        .iter()
        .filter(shown)
        .any(|e| instant(&e.at) > updated && (e.kind == "refunded" || (e.kind == "refund_pending" && !failed(e))));
    if paid && refunded_since {
        PaymentStatus::PartiallyRefunded
    } else {
        order.payment_status
    }
}

/// The amounts and currency of a refund's line in Lookout's own words.
fn refund_amounts(e: &crate::order::TimelineEvent) -> Option<(Vec<&str>, &str)> {
    match crate::own_words::read(&e.kind, &e.message)? {
        OwnWords::Refund { amounts, currency, .. } => Some((amounts, currency)),
        OwnWords::Placed => None,
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

mod names;
mod suspicion;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
