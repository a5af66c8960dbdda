//! The order's way so far: where each step of the progress bar stands, and one
//! history merged from the merchant's events and what the order itself tells.

use crate::format::money;
use crate::i18n::{t, t_args, Locale};
use crate::own_words::{self, OwnWords, RefundWord};
use crate::status::{FulfillmentStatus, OrderStatus, PaymentStatus, ShipmentStatus};
use crate::view::ShopperView;

/// Where a step of the progress bar stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Done,
    Current,
    Todo,
    /// Not done, and something stands in its way: the payment expired, the
    /// store holds the order, a parcel could not be delivered.
    HeldUp,
}

impl Step {
    pub(super) fn word(self) -> &'static str {
        match self {
            Step::Done => "done",
            Step::Current => "current",
            Step::Todo => "todo",
            Step::HeldUp => "held",
        }
    }

    pub(super) fn key(self) -> &'static str {
        match self {
            Step::Done => "progress.done",
            Step::Current => "progress.current",
            Step::Todo => "progress.todo",
            Step::HeldUp => "progress.held",
        }
    }
}

/// An order that will not be sent: cancelled, or its payment refunded in full
/// or voided, before anything left. Its page shows no delivery and no way
/// forward ("will pack it soon" would be false).
pub fn called_off(order: &ShopperView) -> bool {
    let stopped = order.status == OrderStatus::Cancelled
        || matches!(order.payment_status, PaymentStatus::Refunded | PaymentStatus::Voided);
    let unsent = order.shipments.is_empty()
        && matches!(
            order.fulfillment_status,
            FulfillmentStatus::Unfulfilled
                | FulfillmentStatus::Scheduled
                | FulfillmentStatus::OnHold
                | FulfillmentStatus::InProgress
        );
    stopped && unsent
}

/// The five steps (placed, paid, shipped, out for delivery, delivered) and where each
/// stands, or `None` for a cancelled order, which has no way forward to show, and
/// for one [`called_off`].
/// A step is done only when it really happened: an authorized payment is not "paid"
/// even after the parcel left. The step after the last one done is the next one (read out as "next step").
pub fn progress(order: &ShopperView) -> Option<Vec<(&'static str, Step)>> {
    if order.status == OrderStatus::Cancelled || called_off(order) {
        return None;
    }
    let shipments = &order.shipments;
    let paid = matches!(
        order.payment_status,
        PaymentStatus::Paid | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
    );
    let shipped = order.fulfillment_status == FulfillmentStatus::Fulfilled
        || shipments.iter().any(|s| s.status != ShipmentStatus::LabelCreated);
    let out = shipments.iter().any(|s| {
        matches!(
            s.status,
            ShipmentStatus::OutForDelivery
                | ShipmentStatus::AttemptedDelivery
                | ShipmentStatus::ReadyForPickup
                | ShipmentStatus::Delivered
        )
    });
    let delivered = !shipments.is_empty()
        && order.fulfillment_status == FulfillmentStatus::Fulfilled
        && shipments.iter().all(|s| s.status == ShipmentStatus::Delivered);
    let done = [true, paid, shipped, out, delivered];
    // What stands in a step's way, said as "held up" rather than "next step".
    let failed = shipments.iter().any(|s| s.status == ShipmentStatus::Failure);
    let held = [
        false,
        order.payment_status == PaymentStatus::Expired,
        order.fulfillment_status == FulfillmentStatus::OnHold,
        failed,
        failed,
    ];
    let last_done = done.iter().rposition(|d| *d).unwrap_or(0);
    let keys = ["placed", "paid", "shipped", "out_for_delivery", "delivered"];
    Some(
        keys.iter()
            .zip(done)
            .enumerate()
            .map(|(i, (key, is_done))| {
                let state = if is_done {
                    Step::Done
                } else if held[i] {
                    Step::HeldUp
                } else if i == last_done + 1 {
                    Step::Current
                } else {
                    Step::Todo
                };
                (*key, state)
            })
            .collect(),
    )
}

/// One history in time order: the merchant's customer events, plus what the
/// order itself tells (placed, parcels shipped and delivered, returns requested)
/// unless the merchant's events already say it.
pub fn history(order: &ShopperView, locale: Locale) -> Vec<(String, String)> {
    let has = |kind: &str| order.timeline.iter().any(|e| e.kind == kind);
    let mut entries: Vec<(String, String)> = order
        .timeline
        .iter()
        .map(|e| (e.at.clone(), said(&e.kind, &e.message, locale)))
        .collect();
    if !has("placed") {
        entries.push((order.placed_at.clone(), t(locale, "timeline.placed")));
    }
    for (i, s) in order.shipments.iter().enumerate() {
        let n = (i + 1).to_string();
        if let (Some(at), false) = (&s.shipped_at, has("shipped")) {
            let text = match &s.carrier {
                Some(c) => t_args(locale, "timeline.shipped", &[("n", &n), ("carrier", c)]),
                None => t_args(locale, "timeline.shipped_plain", &[("n", &n)]),
            };
            entries.push((at.clone(), text));
        }
        if let (Some(at), false) = (&s.delivered_at, has("delivered")) {
            entries.push((at.clone(), t_args(locale, "timeline.delivered", &[("n", &n)])));
        }
    }
    if !has("return_requested") && !has("return") {
        for r in &order.returns {
            entries.push((r.requested_at.clone(), t(locale, "timeline.return_requested")));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
}

/// An event's message as the page says it: Lookout's own sentences (for a
/// platform's facts, [`own_words`]) in the shopper's language, a merchant's as
/// written.
fn said(kind: &str, message: &str, locale: Locale) -> String {
    match own_words::read(kind, message) {
        Some(OwnWords::Placed) => t(locale, "timeline.placed"),
        Some(OwnWords::Refund {
            word,
            amounts,
            currency,
        }) => {
            let key = match word {
                RefundWord::Issued => "timeline.refunded",
                RefundWord::Pending => "timeline.refund_pending",
                RefundWord::Failed => "timeline.refund_failed",
            };
            let amounts: Vec<String> = amounts.iter().map(|a| money(a, currency, locale)).collect();
            t_args(locale, key, &[("amount", &amounts.join(" + "))])
        }
        None => message.to_string(),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::order::parse_order;

    fn example() -> ShopperView {
        ShopperView::from(&*parse_order(include_str!("../../../fixtures/order-1001.json").as_bytes()).unwrap())
    }

    fn states(view: &ShopperView) -> Vec<Step> {
        progress(view).unwrap().into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn progress_shows_what_really_happened() {
        let mut view = example();
        // Paid, one parcel in transit: placed, paid, shipped done; out for delivery is next.
        assert_eq!(
            states(&view),
            [Step::Done, Step::Done, Step::Done, Step::Current, Step::Todo]
        );

        view.shipments[0].status = ShipmentStatus::Delivered;
        view.fulfillment_status = FulfillmentStatus::Fulfilled;
        assert_eq!(states(&view), [Step::Done; 5]);

        // An authorized payment is not "paid", even once the parcel is moving.
        view.payment_status = PaymentStatus::Authorized;
        view.shipments[0].status = ShipmentStatus::InTransit;
        assert_eq!(
            states(&view),
            [Step::Done, Step::Todo, Step::Done, Step::Current, Step::Todo]
        );

        view.status = OrderStatus::Cancelled;
        assert!(progress(&view).is_none(), "a cancelled order shows no way forward");
    }

    #[test]
    fn a_step_something_stands_in_the_way_of_is_held_up_not_next() {
        use Step::*;
        let mut view = example();
        // The parcel could not be delivered: out for delivery is held up, not next.
        view.shipments[0].status = ShipmentStatus::Failure;
        assert_eq!(states(&view), [Done, Done, Done, HeldUp, HeldUp]);
        // The payment expired, the store holds the order: paid and shipped held up.
        let mut view = example();
        view.shipments.clear();
        view.fulfillment_status = FulfillmentStatus::OnHold;
        view.payment_status = PaymentStatus::Expired;
        assert_eq!(states(&view), [Done, HeldUp, HeldUp, Todo, Todo]);
        // Paid again: paid is done, and what the store holds is still held up.
        view.payment_status = PaymentStatus::Paid;
        assert_eq!(states(&view), [Done, Done, HeldUp, Todo, Todo]);
    }

    #[test]
    fn a_parcel_at_a_pickup_point_or_after_a_tried_delivery_is_past_out_for_delivery() {
        let mut view = example();
        for status in [ShipmentStatus::ReadyForPickup, ShipmentStatus::AttemptedDelivery] {
            view.shipments[0].status = status;
            assert_eq!(
                states(&view),
                [Step::Done, Step::Done, Step::Done, Step::Done, Step::Current],
                "{status:?}"
            );
        }
    }

    #[test]
    fn an_order_refunded_or_voided_before_it_left_shows_no_way_forward() {
        let mut view = example();
        view.shipments.clear();
        view.fulfillment_status = FulfillmentStatus::Unfulfilled;
        for payment in [PaymentStatus::Refunded, PaymentStatus::Voided] {
            view.payment_status = payment;
            assert!(called_off(&view) && progress(&view).is_none(), "{payment:?}");
        }
        // Sent already (the store's word, with no parcel shown): still a way forward.
        view.fulfillment_status = FulfillmentStatus::Fulfilled;
        assert!(!called_off(&view) && progress(&view).is_some());
        view.payment_status = PaymentStatus::Paid;
        view.fulfillment_status = FulfillmentStatus::Unfulfilled;
        assert!(!called_off(&view));
    }

    #[test]
    fn a_new_unpaid_order_waits_for_payment() {
        let mut view = example();
        view.payment_status = PaymentStatus::Pending;
        view.fulfillment_status = FulfillmentStatus::Unfulfilled;
        view.shipments.clear();
        assert_eq!(
            states(&view),
            [Step::Done, Step::Current, Step::Todo, Step::Todo, Step::Todo]
        );
    }

    #[test]
    fn history_merges_events_in_time_order_without_duplicates() {
        let view = example();
        let entries = history(&view, Locale::En);
        let texts: Vec<_> = entries.iter().map(|(_, t)| t.as_str()).collect();
        // The merchant's "placed" event stands; shipped and return requested are added.
        assert_eq!(
            texts,
            ["Order placed", "Parcel 1 shipped with PostNord", "Return requested"]
        );
        assert!(entries.windows(2).all(|w| w[0].0 <= w[1].0));
        let german = history(&view, Locale::De);
        assert_eq!(german[1].1, "Paket 1 mit PostNord versandt");
    }

    #[test]
    fn lookouts_own_sentences_are_said_in_the_shoppers_language_and_a_merchants_as_written() {
        use crate::own_words::{refund, refund_failed, PLACED};
        use crate::view::ShopperEvent;
        let mut view = example();
        let event = |kind: &str, message: String| ShopperEvent {
            at: "2026-11-02T10:15:00Z".into(),
            kind: kind.into(),
            message,
        };
        view.timeline = vec![
            event("placed", PLACED.into()),
            event("refunded", refund(&["1990.00", "5"], "NOK")),
            event("refunded", "Refund of your deposit issued".into()),
            event("refund_failed", refund_failed(&["5"], "NOK")),
        ];
        let said = |locale| -> Vec<String> {
            let mut texts: Vec<String> = history(&view, locale)
                .into_iter()
                .filter(|(at, _)| at == "2026-11-02T10:15:00Z")
                .map(|(_, text)| text.replace('\u{a0}', " "))
                .collect();
            texts.sort();
            texts
        };
        assert_eq!(
            said(Locale::De),
            [
                "Bestellung eingegangen",
                "Eine Erstattung von 5,00 NOK ist fehlgeschlagen",
                "Erstattung von 1.990,00 NOK + 5,00 NOK",
                "Refund of your deposit issued"
            ]
            .map(String::from)
        );
        assert_eq!(
            said(Locale::Zh),
            [
                "Refund of your deposit issued",
                "已收到订单",
                "退款 NOK 1,990.00 + NOK 5.00",
                "退款 NOK 5.00 未成功"
            ]
            .map(String::from)
        );
    }
}
