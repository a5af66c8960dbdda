//! The demo orders' data, built as typed order inputs: fifteen orders that
//! together show every status value. Times are relative to now.

use app::order::{
    AddressInput, ItemRefInput, LineItemInput, OrderInput, RefundInput, ReturnInput, ShipmentInput, TimelineEventInput,
    TotalsInput, TrackingEventInput,
};
use chrono::{Duration, SecondsFormat, Utc};

/// When every demo order was last changed: older than any write a merchant
/// or a platform could make, so that a real order put at a demo order's
/// number (the contract's example is `#1001`, as Ada's) replaces it rather
/// than being refused as stale. Nothing a shopper sees depends on it (no
/// demo order shown as paid has a refund in its history).
pub const DEMO_UPDATED_AT: &str = "1970-01-01T00:00:00Z";

/// The demo order bodies, in the order of [`super::ORDERS`].
pub fn orders() -> Vec<OrderInput> {
    let now = Utc::now();
    let t = |hours_ago: i64| (now - Duration::hours(hours_ago)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let at = |hours_ago: i64| Some(t(hours_ago));
    let day = |days_ahead: i64| Some((now + Duration::days(days_ahead)).format("%Y-%m-%d").to_string());
    let updated = DEMO_UPDATED_AT.to_string();
    let base = |number: &str, email: &str, placed_h: i64, currency: &str| OrderInput {
        order_number: s(number),
        email: s(email),
        placed_at: at(placed_h),
        updated_at: Some(updated.clone()),
        status: s("open"),
        payment_status: s("paid"),
        fulfillment_status: s("fulfilled"),
        currency: s(currency),
        tags: vec!["demo".to_string()],
        note: s("Internal: demo order, do not ship"),
        timeline: vec![
            customer(t(placed_h), "placed", "Order placed"),
            internal(t(placed_h - 1), "Fraud check passed (score 3)"),
        ],
        ..Default::default()
    };

    vec![
        OrderInput {
            fulfillment_status: s("partially_fulfilled"),
            totals: totals("1249.00", "49.00", "0.00", "0.00", "1298.00"),
            line_items: vec![
                item("li-1", "Wool socks", "Grey / M", 2, "249.50"),
                item("li-2", "Merino beanie", "Forest green", 1, "750.00"),
            ],
            shipments: vec![ShipmentInput {
                estimated_delivery: day(2),
                shipped_at: at(30),
                line_items: refs(&[("li-1", 2)]),
                events: vec![
                    event(t(30), "label_created", "Shipping label created", "Oslo, NO"),
                    event(t(20), "in_transit", "Departed terminal", "Oslo, NO"),
                    event(t(6), "in_transit", "Arrived at sorting centre", "Trondheim, NO"),
                ],
                ..shipment("in_transit", "PostNord", "00370712345678901234")
            }],
            timeline: vec![
                customer(t(72), "placed", "Order placed"),
                internal(t(71), "Customer called about gift wrap"),
            ],
            shipping_address: address("Ada Lovelace", "Storgata 1", "0155", "Trondheim", "NO"),
            ..base("#1001", "ada@example.com", 72, "NOK")
        },
        OrderInput {
            totals: totals("599.00", "0.00", "0.00", "0.00", "599.00"),
            line_items: vec![item("li-1", "Rain jacket", "Navy / L", 1, "599.00")],
            shipments: vec![ShipmentInput {
                estimated_delivery: day(0),
                shipped_at: at(50),
                line_items: refs(&[("li-1", 1)]),
                events: vec![
                    event(t(50), "in_transit", "Picked up by carrier", "Oslo, NO"),
                    event(t(2), "out_for_delivery", "Loaded on delivery vehicle", "Bergen, NO"),
                ],
                ..shipment("out_for_delivery", "Posten", "70712345678")
            }],
            shipping_address: address("Bjørn Dæhlie", "Bryggen 3", "5003", "Bergen", "NO"),
            ..base("#1002", "bjorn@example.com", 96, "NOK")
        },
        OrderInput {
            totals: vat_totals("890.00", "59.00", "189.80", "0.00", "949.00"),
            line_items: vec![
                item("li-1", "Linen shirt", "White / S", 1, "490.00"),
                item("li-2", "Canvas tote", "Natural", 1, "400.00"),
            ],
            shipments: vec![ShipmentInput {
                shipped_at: at(380),
                delivered_at: at(330),
                line_items: refs(&[("li-1", 1), ("li-2", 1)]),
                events: vec![
                    event(t(380), "in_transit", "On its way", "Malmö, SE"),
                    event(t(330), "delivered", "Delivered to mailbox", "Uppsala, SE"),
                ],
                ..shipment("delivered", "PostNord", "SE123456789")
            }],
            returns: returns("in_progress", t(48), Some("Too small"), Some(("pending", "490.00"))),
            shipping_address: address("Clara Svensson", "Drottninggatan 5", "753 10", "Uppsala", "SE"),
            ..base("#1003", "clara@example.com", 400, "SEK")
        },
        OrderInput {
            status: s("archived"),
            payment_status: s("refunded"),
            return_status: s("returned"),
            totals: vat_totals("1249.00", "0.00", "199.42", "0.00", "1249.00"),
            line_items: vec![item("li-1", "Down parka", "Black / XL", 1, "1249.00")],
            shipments: vec![ShipmentInput {
                shipped_at: at(880),
                delivered_at: at(850),
                line_items: refs(&[("li-1", 1)]),
                events: vec![event(t(850), "delivered", "Delivered", "Berlin, DE")],
                ..shipment("delivered", "DHL", "JD014600003828")
            }],
            returns: returns("returned", t(800), Some("Changed mind"), Some(("succeeded", "1249.00"))),
            shipping_address: address("Dieter Müller", "Hauptstraße 10", "10115", "Berlin", "DE"),
            ..base("#1004", "dieter@example.com", 900, "EUR")
        },
        OrderInput {
            status: s("cancelled"),
            cancel_reason: s("customer"),
            payment_status: s("voided"),
            fulfillment_status: s("unfulfilled"),
            totals: vat_totals("89.00", "4.90", "15.65", "0.00", "93.90"),
            line_items: vec![item("li-1", "Thermal mug", "Steel", 1, "89.00")],
            timeline: vec![
                customer(t(30), "placed", "Order placed"),
                internal(t(29), "Customer emailed support to cancel"),
            ],
            shipping_address: address("Emma Schmidt", "Ringstraße 2", "1010", "Wien", "AT"),
            ..base("#1005", "emma@example.com", 30, "EUR")
        },
        OrderInput {
            payment_status: s("authorized"),
            fulfillment_status: s("unfulfilled"),
            totals: totals("1299.00", "0.00", "0.00", "100.00", "1199.00"),
            line_items: vec![item("li-1", "Hiking boots", "Brown / 39", 1, "1299.00")],
            shipping_address: address("Fei Wang", "Nanjing Road 100", "200001", "Shanghai", "CN"),
            ..base("#1006", "fei@example.com", 5, "CNY")
        },
        OrderInput {
            payment_status: s("expired"),
            fulfillment_status: s("on_hold"),
            hold_reason: s("payment"),
            totals: vat_totals("349.00", "59.00", "81.60", "0.00", "408.00"),
            line_items: vec![item("li-1", "Wool gloves", "Grey / M", 1, "349.00")],
            shipping_address: address("Gustav Lind", "Kungsgatan 8", "411 19", "Göteborg", "SE"),
            ..base("#1007", "gustav@example.com", 60, "SEK")
        },
        OrderInput {
            payment_status: s("pending"),
            fulfillment_status: s("scheduled"),
            scheduled_at: at(-24 * 9),
            totals: totals("199.00", "0.00", "0.00", "0.00", "199.00"),
            line_items: vec![item("li-1", "Coffee subscription", "Monthly / 500 g", 1, "199.00")],
            shipping_address: address("Hanna Berg", "Kirkegata 4", "4006", "Stavanger", "NO"),
            ..base("#1008", "hanna@example.com", 10, "NOK")
        },
        OrderInput {
            payment_status: s("partially_paid"),
            fulfillment_status: s("in_progress"),
            totals: vat_totals("2400.00", "0.00", "383.19", "0.00", "2400.00"),
            line_items: vec![item("li-1", "Tent", "2-person", 1, "2400.00")],
            shipments: vec![ShipmentInput {
                estimated_delivery: day(5),
                line_items: refs(&[("li-1", 1)]),
                events: vec![event(t(1), "label_created", "Label printed", "Hamburg, DE")],
                ..shipment("label_created", "GLS", "GLS778899")
            }],
            shipping_address: address("Ivan Petrov", "Alsterweg 1", "20095", "Hamburg", "DE"),
            ..base("#1009", "ivan@example.com", 20, "EUR")
        },
        OrderInput {
            payment_status: s("partially_refunded"),
            totals: totals("1500.00", "99.00", "0.00", "0.00", "1599.00"),
            line_items: vec![
                item("li-1", "Ski poles", "120 cm", 1, "500.00"),
                item("li-2", "Ski wax kit", "Universal", 2, "500.00"),
            ],
            shipments: vec![
                ShipmentInput {
                    shipped_at: at(180),
                    delivered_at: at(150),
                    line_items: refs(&[("li-1", 1)]),
                    events: vec![event(t(150), "delivered", "Delivered", "Tromsø, NO")],
                    ..shipment("delivered", "PostNord", "00370700000000000001")
                },
                ShipmentInput {
                    id: s("f-2"),
                    estimated_delivery: day(1),
                    shipped_at: at(100),
                    line_items: refs(&[("li-2", 2)]),
                    events: vec![
                        event(t(100), "in_transit", "On its way", "Oslo, NO"),
                        event(
                            t(8),
                            "attempted_delivery",
                            "Nobody home; new attempt tomorrow",
                            "Tromsø, NO",
                        ),
                    ],
                    ..shipment("attempted_delivery", "Posten", "70700000002")
                },
            ],
            timeline: vec![
                customer(t(200), "placed", "Order placed"),
                customer(t(120), "refunded", &app::own_words::refund(&["150.00"], "NOK")),
            ],
            shipping_address: address("Jonas Nilsen", "Storgata 20", "9008", "Tromsø", "NO"),
            ..base("#1010", "jonas@example.com", 200, "NOK")
        },
        OrderInput {
            totals: totals("450.00", "39.00", "0.00", "0.00", "489.00"),
            line_items: vec![item("li-1", "Headlamp", "400 lm", 1, "450.00")],
            shipments: vec![ShipmentInput {
                shipped_at: at(90),
                line_items: refs(&[("li-1", 1)]),
                events: vec![event(
                    t(12),
                    "ready_for_pickup",
                    "Ready at Coop Extra Lade",
                    "Trondheim, NO",
                )],
                ..shipment("ready_for_pickup", "PostNord", "00370700000000000011")
            }],
            returns: returns("return_requested", t(3), Some("Wrong colour"), None),
            shipping_address: address("Kari Nordmann", "Ladeveien 9", "7041", "Trondheim", "NO"),
            ..base("#1011", "kari@example.com", 120, "NOK")
        },
        OrderInput {
            totals: totals("699.00", "30.00", "0.00", "0.00", "729.00"),
            line_items: vec![item("li-1", "Trail runners", "Blue / 42", 1, "699.00")],
            shipments: vec![ShipmentInput {
                shipped_at: at(280),
                line_items: refs(&[("li-1", 1)]),
                events: vec![event(t(200), "failure", "Address could not be found", "Beijing, CN")],
                ..shipment("failure", "SF Express", "SF1234567890")
            }],
            shipping_address: address("Li Na", "Chaoyang 8", "100020", "Beijing", "CN"),
            ..base("#1012", "li@example.com", 300, "CNY")
        },
        OrderInput {
            totals: vat_totals("1190.00", "0.00", "238.00", "0.00", "1190.00"),
            line_items: vec![item("li-1", "Fleece jacket", "Red / M", 1, "1190.00")],
            shipments: vec![ShipmentInput {
                shipped_at: at(480),
                delivered_at: at(450),
                line_items: refs(&[("li-1", 1)]),
                ..shipment("delivered", "DHL", "JD014600009999")
            }],
            returns: returns("inspection_complete", t(100), None, Some(("processing", "1190.00"))),
            shipping_address: address("Mia Andersson", "Storgatan 1", "111 51", "Stockholm", "SE"),
            ..base("#1013", "mia@example.com", 500, "SEK")
        },
        OrderInput {
            totals: totals("120.00", "15.00", "0.00", "0.00", "135.00"),
            line_items: vec![item("li-1", "Water bottle", "1 l", 2, "60.00")],
            shipments: vec![ShipmentInput {
                shipped_at: at(680),
                delivered_at: at(640),
                line_items: refs(&[("li-1", 2)]),
                ..shipment("delivered", "UPS", "1Z999AA10123456784")
            }],
            returns: returns("declined", t(100), Some("Used item"), Some(("cancelled", "60.00"))),
            shipping_address: address("Noah Smith", "5th Avenue 1", "10001", "New York", "US"),
            ..base("#1014", "noah@example.com", 700, "USD")
        },
        OrderInput {
            totals: vat_totals("75.00", "5.00", "16.25", "0.00", "80.00"),
            line_items: vec![item("li-1", "Sunglasses", "Tortoise", 1, "75.00")],
            shipments: vec![ShipmentInput {
                shipped_at: at(580),
                delivered_at: at(550),
                line_items: refs(&[("li-1", 1)]),
                ..shipment("delivered", "PostNord", "00370700000000000015")
            }],
            returns: returns(
                "return_failed",
                t(300),
                Some("Parcel lost on the way back"),
                Some(("failed", "75.00")),
            ),
            shipping_address: address("Olga Virtanen", "Mannerheimintie 3", "00100", "Helsinki", "FI"),
            ..base("#1015", "olga@example.com", 600, "EUR")
        },
    ]
}

fn s(text: &str) -> Option<String> {
    Some(text.to_string())
}

fn totals(subtotal: &str, shipping: &str, tax: &str, discounts: &str, total: &str) -> Option<TotalsInput> {
    Some(TotalsInput {
        subtotal: s(subtotal),
        shipping: s(shipping),
        tax: s(tax),
        discounts: s(discounts),
        total: s(total),
        tax_included: None,
    })
}

/// Totals of a shop whose prices include the tax (VAT, as in most of Europe):
/// `tax` is the part of `total` that is tax.
fn vat_totals(subtotal: &str, shipping: &str, tax: &str, discounts: &str, total: &str) -> Option<TotalsInput> {
    totals(subtotal, shipping, tax, discounts, total).map(|t| TotalsInput {
        tax_included: Some(true),
        ..t
    })
}

/// A line item with the SKU `SKU-{id}` and no image.
fn item(id: &str, title: &str, variant: &str, quantity: u32, price: &str) -> LineItemInput {
    LineItemInput {
        id: s(id),
        title: s(title),
        variant: s(variant),
        quantity: Some(quantity),
        price: s(price),
        image_url: None,
        sku: Some(format!("SKU-{id}")),
    }
}

/// References to line items, each as (id, quantity).
fn refs(list: &[(&str, u32)]) -> Vec<ItemRefInput> {
    list.iter()
        .map(|&(id, quantity)| ItemRefInput {
            id: s(id),
            quantity: Some(quantity),
        })
        .collect()
}

/// The parcel `f-1` with its carrier's tracking; its times, items and events are the caller's.
fn shipment(status: &str, carrier: &str, tracking_number: &str) -> ShipmentInput {
    let site = match carrier {
        "PostNord" => "tracking.postnord.example",
        "Posten" => "sporing.posten.example",
        "DHL" => "dhl.example/track",
        "GLS" => "gls.example",
        "SF Express" => "sf-express.example",
        "UPS" => "ups.example",
        _ => "",
    };
    ShipmentInput {
        id: s("f-1"),
        status: s(status),
        carrier: s(carrier),
        tracking_number: s(tracking_number),
        tracking_url: (!site.is_empty()).then(|| format!("https://{site}/{tracking_number}")),
        ..Default::default()
    }
}

fn event(at: String, status: &str, message: &str, location: &str) -> TrackingEventInput {
    TrackingEventInput {
        at: Some(at),
        status: s(status),
        message: s(message),
        location: s(location),
    }
}

/// An order's only return: `r-1`, of one `li-1`, with its refund as (status, amount).
fn returns(status: &str, at: String, reason: Option<&str>, refund: Option<(&str, &str)>) -> Vec<ReturnInput> {
    vec![ReturnInput {
        id: s("r-1"),
        status: s(status),
        requested_at: Some(at),
        line_items: refs(&[("li-1", 1)]),
        reason: reason.map(str::to_string),
        refund: refund.map(|(status, amount)| RefundInput {
            status: s(status),
            amount: s(amount),
            updated_at: None,
        }),
        updated_at: None,
        cancelled_at: None,
    }]
}

/// A timeline event the shopper sees.
fn customer(at: String, kind: &str, message: &str) -> TimelineEventInput {
    TimelineEventInput {
        at: Some(at),
        kind: s(kind),
        message: s(message),
        visibility: s("customer"),
    }
}

/// A staff-only note on the timeline.
fn internal(at: String, message: &str) -> TimelineEventInput {
    TimelineEventInput {
        at: Some(at),
        kind: s("note"),
        message: s(message),
        visibility: s("internal"),
    }
}

fn address(name: &str, street: &str, zip: &str, city: &str, country_code: &str) -> Option<AddressInput> {
    Some(AddressInput {
        name: s(name),
        address1: s(street),
        zip: s(zip),
        city: s(city),
        country_code: s(country_code),
        ..Default::default()
    })
}
