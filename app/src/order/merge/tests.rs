use super::*;
use crate::order::parse_order;
use crate::status::{PaymentStatus, RefundStatus, ReturnStatus, ShipmentStatus, Visibility};
use proptest::prelude::*;

const EXAMPLE: &str = include_str!("../../../../fixtures/order-1001.json");

fn base() -> Order {
    let mut order = parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
    order.shipments.clear();
    order.timeline.clear();
    order
}

/// One delivery from a platform.
#[derive(Debug, Clone)]
pub(crate) enum Delivery {
    Order(Box<Order>),
    Shipment(Shipment),
    Event(TimelineEvent),
    Return(crate::order::Return),
}

pub(crate) fn apply(order: &mut Order, delivery: &Delivery) -> Merge {
    match delivery {
        Delivery::Order(o) => order.merge(o.as_ref().clone()),
        Delivery::Shipment(s) => order.merge_shipment(s.clone()),
        Delivery::Event(e) => order.merge_events(vec![e.clone()]),
        Delivery::Return(r) => order.merge_return(r.clone()),
    }
}

const CLOCKS: &[&str] = &[
    "2026-11-03T08:00:00Z",
    "2026-11-03T09:00:00Z",
    "2026-11-03T09:00:00.5Z",
    "2026-11-04T10:00:00+02:00",
];

fn clock() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(proptest::sample::select(CLOCKS).prop_map(str::to_string))
}

fn order_version() -> impl Strategy<Value = Delivery> {
    (
        proptest::sample::select(CLOCKS),
        proptest::sample::select(PaymentStatus::ALL),
        proptest::option::of("[a-c]{1,3}"),
        proptest::collection::vec(shipment(), 0..3),
        proptest::collection::vec(event(), 0..3),
        (
            proptest::collection::vec(a_return(), 0..3),
            proptest::sample::select(ReturnStatus::ALL),
        ),
    )
        .prop_map(
            |(updated_at, payment_status, note, shipments, timeline, (returns, return_status))| {
                let mut order = base();
                order.updated_at = updated_at.to_string();
                order.payment_status = payment_status;
                order.note = note;
                order.shipments = shipments;
                order.timeline = timeline;
                order.returns = returns;
                // As the platform says it: its returns may not have arrived yet.
                order.return_status = return_status;
                // A version names each parcel and each return once.
                order.shipments.sort_by(|a, b| a.id.cmp(&b.id));
                order.shipments.dedup_by(|a, b| a.id == b.id);
                order.returns.sort_by(|a, b| a.id.cmp(&b.id));
                order.returns.dedup_by(|a, b| a.id == b.id);
                Delivery::Order(Box::new(order))
            },
        )
}

fn shipment() -> impl Strategy<Value = Shipment> {
    (
        proptest::sample::select(&["p1", "p2", "p3"][..]),
        proptest::sample::select(ShipmentStatus::ALL),
        clock(),
        clock(),
        proptest::option::of(proptest::sample::select(&["UPS", "DHL"][..])),
        any::<bool>(),
        proptest::collection::vec(proptest::sample::select(&["1Z1", "1Z2"][..]), 0..3),
    )
        .prop_map(
            |(id, status, updated_at, shipped_at, carrier, cancelled, boxes)| Shipment {
                id: id.to_string(),
                status,
                carrier: carrier.map(str::to_string),
                tracking_number: None,
                tracking_url: None,
                // Versions of one parcel may differ in their boxes only.
                more_tracking: boxes
                    .into_iter()
                    .map(|n| crate::view::Tracking {
                        tracking_number: Some(n.to_string()),
                        tracking_url: None,
                    })
                    .collect(),
                estimated_delivery: None,
                shipped_at,
                delivered_at: None,
                line_items: vec![crate::order::ItemRef {
                    id: "li-1".into(),
                    quantity: 1,
                }],
                events: vec![],
                cancelled_at: cancelled.then(|| "2026-11-05T00:00:00Z".to_string()),
                updated_at,
            },
        )
}

fn a_return() -> impl Strategy<Value = crate::order::Return> {
    (
        proptest::sample::select(&["r1", "r2"][..]),
        proptest::sample::select(&ReturnStatus::ALL[1..]),
        clock(),
        proptest::option::of((proptest::sample::select(RefundStatus::ALL), clock())),
        // When each word of it says it was asked for, and whether it was called off.
        (proptest::sample::select(CLOCKS), clock()),
    )
        .prop_map(
            |(id, status, updated_at, refund, (asked, cancelled_at))| crate::order::Return {
                id: id.to_string(),
                status,
                requested_at: asked.to_string(),
                cancelled_at,
                line_items: vec![],
                reason: None,
                refund: refund.map(|(status, updated_at)| crate::order::Refund {
                    status,
                    amount: "10.00".into(),
                    updated_at,
                }),
                updated_at,
            },
        )
}

fn event() -> impl Strategy<Value = TimelineEvent> {
    (
        proptest::sample::select(CLOCKS),
        proptest::sample::select(&["refunded", "refund_failed", "placed", "note"][..]),
        any::<bool>(),
    )
        .prop_map(|(at, kind, customer)| TimelineEvent {
            at: at.to_string(),
            kind: kind.to_string(),
            message: format!("{kind} at {at}"),
            visibility: if customer {
                Visibility::Customer
            } else {
                Visibility::Internal
            },
        })
}

pub(crate) fn delivery() -> impl Strategy<Value = Delivery> {
    prop_oneof![
        order_version(),
        shipment().prop_map(Delivery::Shipment),
        event().prop_map(Delivery::Event),
        a_return().prop_map(Delivery::Return),
    ]
}

/// Deliveries, the same deliveries shuffled with some of them twice.
fn deliveries_and_a_reordering() -> impl Strategy<Value = (Vec<Delivery>, Vec<Delivery>)> {
    proptest::collection::vec(delivery(), 1..8).prop_flat_map(|deliveries| {
        let n = deliveries.len();
        (
            Just(deliveries.clone()),
            proptest::collection::vec(0..n, 0..4),
            Just(deliveries).prop_shuffle(),
        )
            .prop_map(|(original, repeats, mut shuffled)| {
                for i in repeats {
                    shuffled.push(original[i].clone());
                }
                (original, shuffled)
            })
    })
}

fn merged(deliveries: &[Delivery]) -> Order {
    let mut order = base();
    for d in deliveries {
        apply(&mut order, d);
    }
    order
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_permutation_of_deliveries_ends_the_same((deliveries, reordered) in deliveries_and_a_reordering()) {
        let a = merged(&deliveries);
        let b = merged(&reordered);
        prop_assert_eq!(&a, &b);
        // A merged order is still a valid one.
        prop_assert!(crate::order::ValidOrder::check(a).is_ok());
    }

    #[test]
    fn delivering_anything_twice_changes_nothing_the_second_time(deliveries in proptest::collection::vec(delivery(), 1..6)) {
        let mut order = merged(&deliveries);
        for d in &deliveries {
            prop_assert_ne!(apply(&mut order, d), Merge::Changed);
        }
    }
}

#[test]
fn every_permutation_of_a_shopify_day_ends_the_same() {
    // An order placed, paid (later), two parcels created and one updated, a refund
    // event: all 720 arrival orders of six deliveries.
    let mut paid = base();
    paid.updated_at = "2026-11-03T09:00:00Z".into();
    paid.payment_status = PaymentStatus::Paid;
    let parcel = |id: &str, status, at: &str| Shipment {
        id: id.into(),
        status,
        carrier: Some("UPS".into()),
        tracking_number: None,
        tracking_url: None,
        more_tracking: vec![],
        estimated_delivery: None,
        shipped_at: Some("2026-11-03T10:00:00Z".into()),
        delivered_at: None,
        line_items: vec![],
        events: vec![],
        updated_at: Some(at.into()),
        cancelled_at: None,
    };
    let deliveries = vec![
        Delivery::Order(Box::new(base())),
        Delivery::Order(Box::new(paid)),
        Delivery::Shipment(parcel("p1", ShipmentStatus::InTransit, "2026-11-03T10:00:00Z")),
        Delivery::Shipment(parcel("p2", ShipmentStatus::LabelCreated, "2026-11-03T11:00:00Z")),
        Delivery::Shipment(parcel("p1", ShipmentStatus::Delivered, "2026-11-04T10:00:00Z")),
        Delivery::Event(TimelineEvent {
            at: "2026-11-05T10:00:00Z".into(),
            kind: "refunded".into(),
            message: "Refund of 10.00 NOK issued".into(),
            visibility: Visibility::Customer,
        }),
    ];
    let expected = merged(&deliveries);
    assert_eq!(expected.shipments.len(), 2);
    assert_eq!(expected.shipments[0].status, ShipmentStatus::Delivered);
    assert_eq!(expected.payment_status, PaymentStatus::Paid);
    let mut seen = 0;
    permutations(deliveries.len(), &mut |order: &[usize]| {
        let reordered: Vec<Delivery> = order.iter().map(|&i| deliveries[i].clone()).collect();
        assert_eq!(merged(&reordered), expected, "arrival order {order:?}");
        seen += 1;
    });
    assert_eq!(seen, 720);
}

/// Calls `f` with every permutation of `0..n` (Heap's algorithm).
fn permutations(n: usize, f: &mut impl FnMut(&[usize])) {
    fn heap(k: usize, a: &mut Vec<usize>, f: &mut impl FnMut(&[usize])) {
        if k <= 1 {
            f(a);
            return;
        }
        for i in 0..k {
            heap(k - 1, a, f);
            let j = if k.is_multiple_of(2) { i } else { 0 };
            a.swap(j, k - 1);
        }
    }
    heap(n, &mut (0..n).collect(), f);
}

#[test]
fn a_later_parcel_update_wins_over_the_order_clock_and_an_earlier_one_is_stale() {
    let mut order = base();
    order.updated_at = "2026-11-10T00:00:00Z".into();
    let mut parcel = Shipment {
        id: "p1".into(),
        status: ShipmentStatus::InTransit,
        carrier: None,
        tracking_number: None,
        tracking_url: None,
        more_tracking: vec![],
        estimated_delivery: None,
        shipped_at: None,
        delivered_at: None,
        line_items: vec![],
        events: vec![],
        updated_at: Some("2026-11-04T00:00:00Z".into()),
        cancelled_at: None,
    };
    // Older than the order, but new to this parcel: applied.
    assert_eq!(order.merge_shipment(parcel.clone()), Merge::Changed);
    let earlier = Shipment {
        status: ShipmentStatus::LabelCreated,
        updated_at: Some("2026-11-03T00:00:00Z".into()),
        ..parcel.clone()
    };
    assert_eq!(order.merge_shipment(earlier), Merge::Stale);
    assert_eq!(order.merge_shipment(parcel.clone()), Merge::Unchanged);
    parcel.status = ShipmentStatus::Delivered;
    parcel.updated_at = Some("2026-11-05T00:00:00Z".into());
    assert_eq!(order.merge_shipment(parcel), Merge::Changed);
    assert_eq!(order.shipments[0].status, ShipmentStatus::Delivered);
}

/// The example order as a platform first sends it: no returns yet.
fn without_returns() -> Order {
    let mut order = base();
    order.returns.clear();
    order.return_status = ReturnStatus::NoReturn;
    order
}

#[test]
fn equal_clocks_settle_the_same_whether_a_return_came_before_or_after() {
    let asked = Delivery::Return(crate::order::Return {
        id: "r1".into(),
        status: ReturnStatus::ReturnRequested,
        requested_at: "2026-11-02T11:00:00Z".into(),
        cancelled_at: None,
        line_items: vec![],
        reason: None,
        refund: None,
        updated_at: Some("2026-11-02T11:00:00Z".into()),
    });
    // Two versions of the order at one clock, as a platform's own return
    // status says it (none: its returns say it).
    let version = |note: &str| {
        let mut order = without_returns();
        order.updated_at = "2026-11-03T10:00:00Z".into();
        order.note = Some(note.into());
        Delivery::Order(Box::new(order))
    };
    let (a, b) = (version("aaa"), version("zzz"));
    let mut ends = vec![];
    permutations(3, &mut |p| {
        let all = [asked.clone(), a.clone(), b.clone()];
        let mut order = without_returns();
        for &i in p {
            apply(&mut order, &all[i]);
        }
        ends.push(order);
    });
    assert_eq!(ends.len(), 6);
    for end in &ends {
        assert_eq!(end, &ends[0]);
    }
    assert_eq!(
        ends[0].note.as_deref(),
        Some("zzz"),
        "the same version as without a return"
    );
    assert_eq!(ends[0].return_status, ReturnStatus::ReturnRequested);
}
