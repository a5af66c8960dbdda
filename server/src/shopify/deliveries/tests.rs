//! One order's Shopify deliveries in every arrival order, some twice; one that
//! comes before its order is dropped, as the handler does: the stored order is
//! the same whatever the order of arrival, as long as each fulfillment's news
//! also comes with the order (Shopify sends both).

use super::super::{order_input, Fulfillment, Refund, ShopifyOrder};
use app::order::{validate_platform, Order};
use app::store::Decision;
use proptest::prelude::*;
use serde_json::{json, Value};

const ORDER: &str = include_str!("../../../../fixtures/shopify/order.json");
const FULFILLMENT: &str = include_str!("../../../../fixtures/shopify/fulfillment.json");
const REFUND: &str = include_str!("../../../../fixtures/shopify/refund.json");

#[derive(Debug, Clone)]
enum Delivery {
    Order(Value),
    Fulfillment(Value),
    Refund(Value),
}

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("a fixture is JSON")
}

/// The order as Shopify describes it at `at`, listing the first `items` of its
/// line items.
fn order_at(at: &str, items: usize) -> Value {
    let mut order = fixture(ORDER);
    order["updated_at"] = json!(at);
    order["line_items"].as_array_mut().expect("line items").truncate(items);
    order
}

/// The parcel of both line items, as Shopify describes it at `at`.
fn parcel_at(at: &str, shipment_status: Value) -> Value {
    let order = fixture(ORDER);
    let mut parcel = fixture(FULFILLMENT);
    parcel["updated_at"] = json!(at);
    parcel["shipment_status"] = shipment_status;
    parcel["line_items"] = order["line_items"].clone();
    parcel
}

/// A day of one order, as the groups of deliveries Shopify sends for each
/// thing that happens (a fulfillment's change comes as the fulfillment and as
/// the order carrying it): created with one item; a parcel of two shipped
/// before the update that adds the second item; the parcel in transit; an
/// older update arriving late; the order cancelled and refunded, its refund
/// listed twice.
fn a_day() -> Vec<Vec<Delivery>> {
    let created = order_at("2026-11-02T11:15:00+01:00", 1);
    let shipped = parcel_at("2026-11-03T09:00:00-05:00", Value::Null);
    let mut updated = order_at("2026-11-03T16:00:00Z", 2);
    updated["fulfillments"] = json!([shipped.clone()]);
    let in_transit = parcel_at("2026-11-04T09:00:00Z", json!("in_transit"));
    let mut moving = order_at("2026-11-04T09:00:00Z", 2);
    moving["fulfillments"] = json!([in_transit.clone()]);
    let mut older = order_at("2026-11-02T12:00:00Z", 1);
    older["note"] = json!("an older word");
    let refund = fixture(REFUND);
    let mut cancelled = order_at("2026-11-06T08:00:00Z", 2);
    cancelled["cancelled_at"] = json!("2026-11-06T08:00:00Z");
    cancelled["cancel_reason"] = json!("customer");
    cancelled["financial_status"] = json!("refunded");
    cancelled["fulfillments"] = json!([in_transit.clone()]);
    cancelled["refunds"] = json!([refund.clone(), refund.clone()]);
    vec![
        vec![Delivery::Order(created)],
        vec![Delivery::Fulfillment(shipped), Delivery::Order(updated)],
        vec![Delivery::Fulfillment(in_transit), Delivery::Order(moving)],
        vec![Delivery::Order(older)],
        vec![Delivery::Refund(refund), Delivery::Order(cancelled)],
    ]
}

/// Every delivery of the day, in the order it happened.
fn in_order(day: &[Vec<Delivery>]) -> Vec<Delivery> {
    day.iter().flatten().cloned().collect()
}

/// What the handler decides for `delivery`, given the stored order.
fn decide(stored: Option<Order>, delivery: &Delivery) -> Decision {
    let decided = match delivery {
        Delivery::Order(payload) => {
            let payload: ShopifyOrder = serde_json::from_value(payload.clone()).expect("an order payload");
            let incoming = validate_platform(order_input(&payload).fitted()).expect("a valid order");
            super::order(stored, incoming)
        }
        Delivery::Fulfillment(payload) => {
            let fulfillment: Fulfillment = serde_json::from_value(payload.clone()).expect("a fulfillment");
            super::fulfillment(stored, &fulfillment)
        }
        Delivery::Refund(payload) => {
            let refund: Refund = serde_json::from_value(payload.clone()).expect("a refund");
            super::refund(stored, &refund)
        }
    };
    decided.unwrap_or_else(|errors| panic!("{delivery:?} was refused: {errors:?}"))
}

/// The stored order after `deliveries` arrive in this order, if any. One that
/// finds no order is acknowledged and dropped, as the handler does (answered
/// `unknown_order`, which Shopify does not retry): its news comes with the
/// order's own delivery.
fn stored_after(deliveries: &[Delivery]) -> Option<Order> {
    let mut stored: Option<Order> = None;
    for delivery in deliveries {
        match decide(stored.clone(), delivery) {
            Decision::Write(order) => stored = Some(order.into_inner()),
            Decision::UnknownOrder | Decision::Unchanged | Decision::Stale => {}
        }
    }
    stored
}

/// [`stored_after`], failing if no order was stored.
fn order_after(deliveries: &[Delivery]) -> Order {
    stored_after(deliveries).expect("an order delivery arrived")
}

#[test]
fn a_day_in_the_order_it_happened_keeps_every_part() {
    let order = order_after(&in_order(&a_day()));
    let parcel = &order.shipments[0];
    let items: Vec<&str> = parcel.line_items.iter().map(|i| i.id.as_str()).collect();
    let listed: Vec<&str> = order.line_items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(items, listed, "the parcel holds both items");
    assert_eq!(parcel.status.as_str(), "in_transit");
    assert_eq!(
        order.note.as_deref(),
        Some("Gift wrap, call before delivery"),
        "the older update's note was not kept"
    );
    let refunds = order.timeline.iter().filter(|e| e.kind == "refunded").count();
    assert_eq!(refunds, 1, "one refund, once: {:?}", order.timeline);
}

#[test]
fn a_parcel_that_arrives_before_its_item_still_holds_it() {
    let day = a_day();
    let (created, shipped, updated) = (&day[0][0], &day[1][0], &day[1][1]);
    let parcel_first = order_after(&[created.clone(), shipped.clone(), updated.clone()]);
    let item_first = order_after(&[created.clone(), updated.clone(), shipped.clone()]);
    assert_eq!(parcel_first, item_first);
    assert_eq!(parcel_first.shipments[0].line_items.len(), 2);
}

#[test]
fn an_order_first_heard_of_cancelled_lists_its_refund_once() {
    let day = a_day();
    let cancelled = &day[4][1];
    let order = order_after(std::slice::from_ref(cancelled));
    let refunds = order.timeline.iter().filter(|e| e.kind == "refunded").count();
    assert_eq!(refunds, 1, "{:?}", order.timeline);
    assert_eq!(order, order_after(&[day[0][0].clone(), cancelled.clone()]));
}

/// Some of the day's happenings, their deliveries in the order they happened,
/// and the same deliveries shuffled, some of them twice.
fn some_of_a_day_shuffled() -> impl Strategy<Value = (Vec<Delivery>, Vec<Delivery>)> {
    let day = a_day();
    let n = day.len();
    proptest::sample::subsequence(day, 1..=n)
        .prop_map(|some| in_order(&some))
        .prop_flat_map(|some| {
            let n = some.len();
            (
                Just(some.clone()),
                Just(some.clone()).prop_shuffle(),
                proptest::collection::vec(0..n, 0..4),
            )
        })
        .prop_map(|(some, mut shuffled, again)| {
            shuffled.extend(again.into_iter().map(|i| some[i].clone()));
            (some, shuffled)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn any_arrival_order_stores_the_same_order((some, shuffled) in some_of_a_day_shuffled()) {
        prop_assert_eq!(stored_after(&shuffled), stored_after(&some));
    }
}

/// A return's steps, as Shopify sends them: the request names the order, the
/// later steps may name only the return.
fn return_step(topic: &str, status: &str, at: &str) -> app::order::Return {
    let payload = json!({
        "id": 9001,
        "status": status,
        "order": {"id": 820982911946154508u64},
        "return_line_items": [{"quantity": 1, "fulfillment_line_item": {"line_item": {"id": 866550311766439020u64}}}]
    });
    let r: super::super::ShopifyReturn = serde_json::from_value(payload).expect("a return");
    r.to_return(topic, at)
}

#[test]
fn a_returns_steps_in_any_order_leave_its_last_word_and_its_first_time() {
    let steps = [
        return_step("returns/request", "requested", "2026-11-08T09:00:00Z"),
        return_step("returns/approve", "open", "2026-11-08T12:00:00+01:00"),
        return_step("returns/close", "closed", "2026-11-12T10:00:00Z"),
    ];
    let base = order_after(&[Delivery::Order(order_at("2026-11-02T11:15:00+01:00", 2))]);
    let orders = [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1], [0, 2, 1], [1, 0, 2]];
    let mut seen = vec![];
    for order in orders {
        let mut stored = base.clone();
        for i in order {
            let decided = super::return_of(Some(stored.clone()), steps[i].clone()).expect("merged");
            if let Decision::Write(o) = decided {
                stored = o.into_inner();
            }
        }
        seen.push(stored);
    }
    for (i, o) in seen.iter().enumerate() {
        assert_eq!(o.returns, seen[0].returns, "arrival {i}");
        assert_eq!(o, &seen[0], "arrival {i}");
    }
    let order = &seen[0];
    assert_eq!(order.returns.len(), 1);
    assert_eq!(order.returns[0].status, app::status::ReturnStatus::Returned);
    assert_eq!(
        order.returns[0].requested_at, "2026-11-08T09:00:00Z",
        "asked for when first heard of"
    );
    assert_eq!(order.return_status, app::status::ReturnStatus::Returned);
    // Cancelled later: hidden from the shopper, and the order has no return.
    let cancelled = return_step("returns/cancel", "canceled", "2026-11-13T10:00:00Z");
    let Decision::Write(o) = super::return_of(Some(order.clone()), cancelled).expect("merged") else {
        panic!("a change")
    };
    let o = o.into_inner();
    assert!(o.returns[0].cancelled_at.is_some());
    assert_eq!(o.return_status, app::status::ReturnStatus::NoReturn);
    let view = app::view::ShopperView::from(&o);
    assert!(view.returns.is_empty());
    // An older step again is stale.
    let again = return_step("returns/approve", "open", "2026-11-08T11:00:00Z");
    assert!(matches!(super::return_of(Some(o), again), Ok(Decision::Stale)));
}

#[test]
fn a_returns_later_steps_keep_its_items_and_steps_in_one_second_follow_each_other() {
    let base = order_after(&[Delivery::Order(order_at("2026-11-02T11:15:00+01:00", 2))]);
    let request = return_step("returns/request", "requested", "2026-11-08T09:00:00.100Z");
    // Shopify's later steps name only the return.
    let bare = |topic: &str, status: &str, at: &str| {
        let r: super::super::ShopifyReturn =
            serde_json::from_value(json!({"id": 9001, "status": status})).expect("a return");
        r.to_return(topic, at)
    };
    let approve = bare("returns/approve", "open", "2026-11-08T09:00:00.900Z");
    let close = bare("returns/close", "closed", "2026-11-12T10:00:00Z");
    for steps in [
        [request.clone(), approve.clone(), close.clone()],
        [close.clone(), request.clone(), approve.clone()],
        [approve.clone(), close.clone(), request.clone()],
    ] {
        let mut stored = base.clone();
        let mut after_approve = None;
        for step in steps {
            let is_approve = step.status == app::status::ReturnStatus::InProgress;
            if let Decision::Write(o) = super::return_of(Some(stored.clone()), step).expect("merged") {
                stored = o.into_inner();
            }
            if is_approve {
                after_approve = Some(stored.returns[0].status);
            }
        }
        assert_eq!(stored.returns[0].line_items.len(), 1, "the request's item stays");
        assert_eq!(stored.returns[0].status, app::status::ReturnStatus::Returned);
        assert_eq!(stored.returns[0].requested_at, "2026-11-08T09:00:00.100Z");
        assert!(after_approve.is_some());
    }
    // The approval 0.8 s after the request is newer, not a tie.
    let mut stored = base.clone();
    for step in [request, approve] {
        if let Decision::Write(o) = super::return_of(Some(stored.clone()), step).expect("merged") {
            stored = o.into_inner();
        }
    }
    assert_eq!(stored.returns[0].status, app::status::ReturnStatus::InProgress);
}

#[test]
fn a_returns_items_are_read_in_either_shape_and_every_step_adds_to_them() {
    let read = |items: Value| {
        let r: super::super::ShopifyReturn =
            serde_json::from_value(json!({"id": 9001, "status": "requested", "return_line_items": items}))
                .expect("a return");
        r.to_return("returns/request", "2026-11-08T09:00:00Z")
    };
    let direct = read(json!([{"quantity": 2, "line_item": {"id": 11}}]));
    let nested = read(json!([{"quantity": 1, "fulfillment_line_item": {"line_item": {"id": 12}}}]));
    assert_eq!(direct.line_items[0].id, "11");
    assert_eq!(nested.line_items[0].id, "12");
    // Two steps naming different items, in either order: both, each as most named.
    let base = order_after(&[Delivery::Order(order_at("2026-11-02T11:15:00+01:00", 2))]);
    let mut later = read(json!([{"quantity": 1, "line_item": {"id": 11}}, {"quantity": 1, "line_item": {"id": 12}}]));
    later.updated_at = Some("2026-11-09T09:00:00Z".into());
    let mut ends = vec![];
    for steps in [[direct.clone(), later.clone()], [later, direct]] {
        let mut stored = base.clone();
        for step in steps {
            if let Decision::Write(o) = super::return_of(Some(stored.clone()), step).expect("merged") {
                stored = o.into_inner();
            }
        }
        ends.push(stored.returns[0].line_items.clone());
    }
    assert_eq!(ends[0], ends[1]);
    let said: Vec<(&str, u32)> = ends[0].iter().map(|i| (i.id.as_str(), i.quantity)).collect();
    assert_eq!(said, [("11", 2), ("12", 1)]);
}
