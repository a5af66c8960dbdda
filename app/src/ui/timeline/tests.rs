//! The progress bar and the history, from stored views made to say each case.

use super::*;
use crate::order::parse_order;

fn example() -> ShopperView {
    ShopperView::from(&*parse_order(include_str!("../../../../fixtures/order-1001.json").as_bytes()).unwrap())
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
fn history_is_in_time_order_to_the_fraction_of_a_second() {
    use crate::view::ShopperEvent;
    let mut view = example();
    let event = |at: &str, message: &str| ShopperEvent {
        at: at.into(),
        kind: "note".into(),
        message: message.into(),
    };
    view.shipments[0].shipped_at = Some("2026-11-03T10:00:00Z".into());
    view.timeline = vec![
        event("2026-11-03T10:00:00.500Z", "Half a second after"),
        event("2026-11-03T09:59:59.999999Z", "Just before"),
    ];
    let texts: Vec<String> = history(&view, Locale::En)
        .into_iter()
        .filter(|(at, _)| at.starts_with("2026-11-03"))
        .map(|(_, text)| text)
        .collect();
    assert_eq!(
        texts,
        ["Just before", "Parcel 1 shipped with PostNord", "Half a second after"]
    );
}

#[test]
fn a_merchants_event_of_a_parcel_stands_for_one_parcel_not_all() {
    use crate::view::ShopperEvent;
    let mut view = example();
    let mut later = view.shipments[0].clone();
    later.shipped_at = Some("2026-11-10T07:00:00Z".into());
    later.carrier = Some("Bring".into());
    view.shipments.push(later);
    let shipped = |at: &str| ShopperEvent {
        at: at.into(),
        kind: "shipped".into(),
        message: "On its way!".into(),
    };
    view.timeline = vec![shipped("2026-11-03T07:00:00Z")];
    let texts =
        |view: &ShopperView| -> Vec<String> { history(view, Locale::En).into_iter().map(|(_, text)| text).collect() };
    // The merchant's line says the first parcel's news; the second's is added.
    assert_eq!(
        texts(&view),
        [
            "Order placed",
            "On its way!",
            "Return requested",
            "Parcel 2 shipped with Bring"
        ]
    );
    // One event for each parcel: neither is added.
    view.timeline.push(shipped("2026-11-10T07:00:00Z"));
    assert!(
        texts(&view).iter().all(|t| !t.starts_with("Parcel")),
        "{:?}",
        texts(&view)
    );
}

#[test]
fn an_order_sent_with_no_parcel_to_follow_ends_at_shipped() {
    let mut view = example();
    view.shipments.clear();
    view.fulfillment_status = FulfillmentStatus::Fulfilled;
    let steps = progress(&view).expect("a way forward");
    let keys: Vec<&str> = steps.iter().map(|(key, _)| *key).collect();
    assert_eq!(keys, ["placed", "paid", "shipped"]);
    assert!(steps.iter().all(|(_, step)| *step == Step::Done), "{steps:?}");
    // Not yet sent: the whole way is shown.
    view.fulfillment_status = FulfillmentStatus::Unfulfilled;
    assert_eq!(progress(&view).map(|s| s.len()), Some(5));
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

#[test]
fn an_order_stopped_with_only_a_label_made_is_called_off() {
    let mut view = example();
    view.shipments[0].status = ShipmentStatus::LabelCreated;
    view.fulfillment_status = FulfillmentStatus::Unfulfilled;
    view.status = OrderStatus::Cancelled;
    assert!(called_off(&view) && progress(&view).is_none());
    view.status = OrderStatus::Open;
    view.payment_status = PaymentStatus::Refunded;
    assert!(called_off(&view) && progress(&view).is_none());
    // Once the parcel is with the carrier, something was sent: the delivery
    // is shown, but no step is next (nothing more follows).
    view.shipments[0].status = ShipmentStatus::InTransit;
    assert!(!called_off(&view) && progress(&view).is_none());
}

#[test]
fn an_order_stopped_before_all_was_sent_shows_no_way_forward_and_no_label_only_parcel() {
    let mut view = example();
    // Refunded in full with part sent (the parcel delivered): nothing more
    // comes, so no step is next.
    view.payment_status = PaymentStatus::Refunded;
    view.shipments[0].status = ShipmentStatus::Delivered;
    assert!(progress(&view).is_none());
    view.payment_status = PaymentStatus::Voided;
    assert!(progress(&view).is_none());
    // All sent and refunded as a goodwill gesture: the parcel still travels.
    view.payment_status = PaymentStatus::Refunded;
    view.fulfillment_status = FulfillmentStatus::Fulfilled;
    view.shipments[0].status = ShipmentStatus::InTransit;
    assert!(progress(&view).is_some());
    // Partly sent by the store's word, with no parcel to show: something left.
    let mut view = example();
    view.shipments.clear();
    assert!(sent(&view));
    // A stopped order's parcel with only its label is not shown; a moving one is.
    let mut view = example();
    let mut label = view.shipments[0].clone();
    label.status = ShipmentStatus::LabelCreated;
    view.shipments.push(label);
    assert_eq!(as_shown(view.clone()).shipments.len(), 2);
    view.status = OrderStatus::Cancelled;
    let shown = as_shown(view);
    assert_eq!(shown.shipments.len(), 1);
    assert_eq!(shown.shipments[0].status, ShipmentStatus::InTransit);
}
