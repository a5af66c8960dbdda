//! The projection, case by case.

use crate::order::parse_order;
use crate::view::ShopperView;

const EXAMPLE: &str = include_str!("../../../fixtures/order-1001.json");

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

/// Times are in order by the instant they stand for, not by their text: a
/// time with a fraction of a second is later than the whole second before it.
#[test]
fn events_are_in_the_order_of_their_times_not_of_their_text() {
    let mut order = parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
    let mut later = order.timeline[0].clone();
    later.at = "2026-11-02T10:15:00.5Z".into();
    later.kind = "paid".into();
    order.timeline.insert(0, later);
    let view = ShopperView::from(&order);
    let kinds: Vec<&str> = view.timeline.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["placed", "paid"]);
    let shipment = &mut order.shipments[0];
    let mut first = shipment.events[0].clone();
    first.at = "2026-11-03T09:00:00Z".into();
    let mut second = first.clone();
    second.at = "2026-11-03T09:00:00.25Z".into();
    second.message = Some("second".into());
    shipment.events = vec![second, first];
    let view = ShopperView::from(&order);
    let newest = &view.shipments[0].events[0];
    assert_eq!(newest.message.as_deref(), Some("second"), "newest first");
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
    order.fulfillment_status = crate::status::FulfillmentStatus::OnHold;
    for (code, shown) in [
        ("high_risk_of_fraud", "store"),
        ("HIGH_RISK_OF_FRAUD", "store"),
        ("High risk of fraud", "store"),
        ("suspected-fraud", "store"),
        ("awaiting_payment", "payment"),
        ("incorrect_address", "address"),
        ("inventory_out_of_stock", "inventory"),
        ("other", "store"),
        ("Verdacht auf Betrug", "store"),
        ("风险审核中", "store"),
        ("HighRisk", "store"),
        ("PaymentDeclined", "store"),
        ("Waiting for the engraver", "Waiting for the engraver"),
    ] {
        order.hold_reason = Some(code.to_string());
        assert_eq!(ShopperView::from(&order).hold_reason.as_deref(), Some(shown), "{code}");
    }
}

#[test]
fn a_cancel_reason_never_tells_a_shopper_the_order_was_flagged() {
    let mut order = parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
    order.status = crate::status::OrderStatus::Cancelled;
    for (code, shown) in [
        ("fraud", "store"),
        ("fraud_suspected", "store"),
        ("FRAUD - do not ship", "store"),
        ("chargeback risk", "store"),
        ("declined (stolen card)", "store"),
        ("Card Declined", "store"),
        ("suspected reshipper", "store"),
        ("Betrugsverdacht", "store"),
        ("ZAHLUNG ABGELEHNT", "store"),
        ("HighRisk", "store"),
        ("PaymentDeclined", "store"),
        ("cardStolen", "store"),
        ("Mistanke om svindel", "store"),
        ("BEDRÄGERI", "store"),
        ("Kortet är stulet", "store"),
        ("疑似欺诈订单", "store"),
        ("支付风险", "store"),
        ("Risiko zu hoch", "store"),
        ("Verd\u{61}\u{308}chtige Bestellung", "store"),
        ("Kreditkartenbetrug", "store"),
        ("card-fraud", "store"),
        ("被盜刷", "store"),
        ("涉嫌欺詐", "store"),
        ("Le volume est épuisé", "Le volume est épuisé"),
        ("Articolo esaurito in magazzino", "Articolo esaurito in magazzino"),
        (
            "Entregas suspensas durante o feriado",
            "Entregas suspensas durante o feriado",
        ),
        (
            "Produto riscado, aguardando reposição",
            "Produto riscado, aguardando reposição",
        ),
        ("Produkt chwilowo niedostępny", "Produkt chwilowo niedostępny"),
        ("Artikel is uitverkocht", "Artikel is uitverkocht"),
        (
            "Den vandafvisende jakke er udsolgt",
            "Den vandafvisende jakke er udsolgt",
        ),
        (
            "住所の記載が不正確なため確認中です",
            "住所の記載が不正確なため確認中です",
        ),
        ("お客様が受け取りを拒否されました", "お客様が受け取りを拒否されました"),
        // Stems of other languages begin no English word shown here.
        ("Truffle oil sold out", "Truffle oil sold out"),
        ("Further items follow", "Further items follow"),
        ("Contest prize ships later", "Contest prize ships later"),
        ("Grabado no disponible", "Grabado no disponible"),
        ("Die Gravur ist nicht möglich", "Die Gravur ist nicht möglich"),
        ("刻字服务暂停", "刻字服务暂停"),
        // English words only where a word starts: a brisket is no risk.
        ("The brisket sold out", "The brisket sold out"),
        ("customer", "customer"),
        ("Inventory", "inventory"),
        ("staff", "store"),
        ("The engraver retired", "The engraver retired"),
    ] {
        order.cancel_reason = Some(code.to_string());
        assert_eq!(
            ShopperView::from(&order).cancel_reason.as_deref(),
            Some(shown),
            "{code}"
        );
    }
}

#[test]
fn a_reason_is_given_only_for_the_state_the_order_is_in() {
    use crate::status::{FulfillmentStatus, OrderStatus};
    let mut order = parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
    order.cancel_reason = Some("customer".into());
    order.hold_reason = Some("awaiting_payment".into());
    order.status = OrderStatus::Open;
    order.fulfillment_status = FulfillmentStatus::Unfulfilled;
    let view = ShopperView::from(&order);
    assert_eq!((view.cancel_reason, view.hold_reason), (None, None));
    order.status = OrderStatus::Cancelled;
    order.fulfillment_status = FulfillmentStatus::OnHold;
    let view = ShopperView::from(&order);
    assert_eq!(view.cancel_reason.as_deref(), Some("customer"));
    assert_eq!(view.hold_reason.as_deref(), Some("payment"));
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

#[test]
fn an_archived_order_reads_as_completed_only_once_its_tracked_parcels_have_arrived() {
    use crate::status::{OrderStatus, ShipmentStatus};
    let mut order = parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
    order.status = OrderStatus::Archived;
    order.shipments.truncate(1);
    order.shipments[0].status = ShipmentStatus::InTransit;
    assert_eq!(ShopperView::from(&order).status, OrderStatus::Open);
    for status in [
        ShipmentStatus::OutForDelivery,
        ShipmentStatus::AttemptedDelivery,
        ShipmentStatus::ReadyForPickup,
    ] {
        order.shipments[0].status = status;
        assert_eq!(ShopperView::from(&order).status, OrderStatus::Open, "{status:?}");
    }
    // Nothing more to come: a parcel that failed, one not yet with the carrier,
    // one without tracking (sent by hand), one delivered.
    for status in [ShipmentStatus::Failure, ShipmentStatus::LabelCreated] {
        order.shipments[0].status = status;
        assert_eq!(ShopperView::from(&order).status, OrderStatus::Archived, "{status:?}");
    }
    let mut untracked = order.clone();
    untracked.shipments[0].status = ShipmentStatus::InTransit;
    untracked.shipments[0].tracking_number = None;
    untracked.shipments[0].tracking_url = None;
    assert_eq!(ShopperView::from(&untracked).status, OrderStatus::Archived);
    order.shipments[0].status = ShipmentStatus::Delivered;
    assert_eq!(ShopperView::from(&order).status, OrderStatus::Archived);
    // A parcel that was never sent (hidden from the shopper) does not hold it open.
    let mut never = order.shipments[0].clone();
    never.status = ShipmentStatus::InTransit;
    never.cancelled_at = Some("2026-11-05T10:00:00Z".into());
    order.shipments.push(never);
    assert_eq!(ShopperView::from(&order).status, OrderStatus::Archived);
    // Nor does it open a cancelled order.
    order.status = OrderStatus::Cancelled;
    order.shipments[0].status = ShipmentStatus::InTransit;
    assert_eq!(ShopperView::from(&order).status, OrderStatus::Cancelled);
}

#[test]
fn a_refunds_failure_takes_back_only_the_money_it_names() {
    use crate::order::TimelineEvent;
    use crate::own_words::{refund, refund_failed, refund_pending};
    use crate::status::{PaymentStatus, Visibility};
    let mut order = parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
    order.payment_status = PaymentStatus::Paid;
    order.updated_at = "2026-11-05T00:00:00Z".into();
    let at = "2026-11-06T10:00:00Z";
    let line = |kind: &str, message: String| TimelineEvent {
        at: at.into(),
        kind: kind.into(),
        message,
        visibility: Visibility::Customer,
    };
    // Pending, then failed: no money went back.
    order.timeline = vec![
        line("refund_pending", refund_pending(&["549.00"], "NOK")),
        line("refund_failed", refund_failed(&["549.00"], "NOK")),
    ];
    assert_eq!(ShopperView::from(&order).payment_status, PaymentStatus::Paid);
    // Pending alone, or settled, or another part of the same money refused,
    // or another refund's failure at the same moment: money went back.
    for timeline in [
        vec![line("refund_pending", refund_pending(&["549.00"], "NOK"))],
        vec![
            line("refunded", refund(&["549.00"], "NOK")),
            line("refund_failed", refund_failed(&["549.00"], "NOK")),
        ],
        vec![
            line("refund_pending", refund_pending(&["549.00"], "NOK")),
            line("refund_failed", refund_failed(&["1490.00"], "NOK")),
        ],
    ] {
        order.timeline = timeline;
        assert_eq!(
            ShopperView::from(&order).payment_status,
            PaymentStatus::PartiallyRefunded
        );
    }
    // An approved payment took no money: a refund said of it changes nothing.
    order.payment_status = PaymentStatus::Authorized;
    order.timeline = vec![
        line("refund_pending", refund_pending(&["549.00"], "NOK")),
        line("refunded", refund(&["549.00"], "NOK")),
    ];
    assert_eq!(ShopperView::from(&order).payment_status, PaymentStatus::Authorized);
}
