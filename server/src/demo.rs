//! The demo shop: realistic orders that together show every status in DESIGN.md.
//! Times are relative to now, so the demo always looks current. Loading twice
//! replaces the orders (each load has a newer `updated_at`).

use anyhow::{Context, Result};
use app::order::{parse_order, Order};
use app::store::{Backend, NewShop, Store, StoreError};
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// One demo order's credentials and what it shows.
pub struct DemoOrder {
    pub email: &'static str,
    pub order_number: &'static str,
    pub shows: &'static str,
}

/// The demo orders a person can try.
pub const ORDERS: &[DemoOrder] = &[
    DemoOrder {
        email: "ada@example.com",
        order_number: "#1001",
        shows: "paid, partly shipped, parcel on the way",
    },
    DemoOrder {
        email: "bjorn@example.com",
        order_number: "#1002",
        shows: "out for delivery",
    },
    DemoOrder {
        email: "clara@example.com",
        order_number: "#1003",
        shows: "delivered, return in progress with refund pending",
    },
    DemoOrder {
        email: "dieter@example.com",
        order_number: "#1004",
        shows: "archived, returned and refunded (EUR)",
    },
    DemoOrder {
        email: "emma@example.com",
        order_number: "#1005",
        shows: "cancelled, payment voided",
    },
    DemoOrder {
        email: "fei@example.com",
        order_number: "#1006",
        shows: "payment authorized, not yet captured (CNY)",
    },
    DemoOrder {
        email: "gustav@example.com",
        order_number: "#1007",
        shows: "on hold, payment expired (SEK)",
    },
    DemoOrder {
        email: "hanna@example.com",
        order_number: "#1008",
        shows: "subscription scheduled, payment pending",
    },
    DemoOrder {
        email: "ivan@example.com",
        order_number: "#1009",
        shows: "partly paid, being packed, label created",
    },
    DemoOrder {
        email: "jonas@example.com",
        order_number: "#1010",
        shows: "two parcels: delivered and delivery attempted; partly refunded",
    },
    DemoOrder {
        email: "kari@example.com",
        order_number: "#1011",
        shows: "ready for pickup, return requested",
    },
    DemoOrder {
        email: "li@example.com",
        order_number: "#1012",
        shows: "delivery failure (CNY)",
    },
    DemoOrder {
        email: "mia@example.com",
        order_number: "#1013",
        shows: "return inspected, refund processing",
    },
    DemoOrder {
        email: "noah@example.com",
        order_number: "#1014",
        shows: "return declined (USD)",
    },
    DemoOrder {
        email: "olga@example.com",
        order_number: "#1015",
        shows: "return failed, refund failed",
    },
];

/// Creates the shop `demo` if needed and (re)loads its orders. Returns how many were loaded.
pub async fn load(store: &Store) -> Result<usize> {
    let shop = match store.shop("demo").await? {
        Some(shop) => shop,
        None => match store
            .create_shop(&NewShop {
                slug: "demo".into(),
                name: "Nordlys Outfitters (demo)".into(),
                locale: "en".into(),
                accent: Some("#0a6e4f".into()),
                allowed_origins: vec![],
                webhook_secret: crate::keys::webhook_secret(),
            })
            .await
        {
            Ok(shop) => shop,
            // Another process created it in the meantime: use that one.
            Err(StoreError::ShopExists(_)) => store.shop("demo").await?.context("the demo shop vanished")?,
            Err(e) => return Err(e.into()),
        },
    };
    let bodies = orders();
    for body in &bodies {
        let order = parse_order(body.to_string().as_bytes())
            .map_err(|errors| anyhow::anyhow!("demo order is invalid: {errors:?}"))?;
        store
            .put_order(shop.id, &order)
            .await
            .with_context(|| format!("storing demo order {}", order.order_number))?;
    }
    Ok(bodies.len())
}

/// Orders written per transaction when generating.
const GENERATE_BATCH: u64 = 500;

/// The credentials of generated order `i` (1-based): `#G0000001` with `shopper1@example.com`.
pub fn generated_credentials(i: u64) -> (String, String) {
    (format!("shopper{i}@example.com"), format!("#G{i:07}"))
}

/// Adds `count` generated orders to the demo shop, the demo's orders repeated with
/// new numbers and emails (see `generated_credentials`), so they cover every status.
/// Generating again replaces them. `progress` is told how many are written so far.
pub async fn generate(store: &Store, count: u64, progress: impl Fn(u64) + Send + Sync + 'static) -> Result<()> {
    let shop = store.shop("demo").await?.context("the demo shop is missing")?;
    let templates = orders()
        .iter()
        .map(|body| {
            parse_order(body.to_string().as_bytes()).map_err(|e| anyhow::anyhow!("demo order is invalid: {e:?}"))
        })
        .collect::<Result<Vec<Order>>>()?;
    let templates = Arc::new(templates);
    // SQLite has one writer; PostgreSQL takes several batches at once.
    let workers = match store.backend() {
        Backend::Sqlite => 1,
        Backend::Postgres => 4,
    };
    let next = Arc::new(AtomicU64::new(0));
    let written = Arc::new(AtomicU64::new(0));
    let progress = Arc::new(progress);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (store, templates, next, written, progress) = (
            store.clone(),
            templates.clone(),
            next.clone(),
            written.clone(),
            progress.clone(),
        );
        tasks.spawn(async move {
            loop {
                let start = next.fetch_add(GENERATE_BATCH, Ordering::Relaxed);
                if start >= count {
                    return Ok::<_, anyhow::Error>(());
                }
                let end = (start + GENERATE_BATCH).min(count);
                let batch: Vec<Order> = (start + 1..=end)
                    .map(|i| {
                        let mut order = templates[(i % templates.len() as u64) as usize].clone();
                        (order.email, order.order_number) = generated_credentials(i);
                        order
                    })
                    .collect();
                store.replace_orders(shop.id, &batch).await?;
                progress(written.fetch_add(end - start, Ordering::Relaxed) + end - start);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.context("a generator task failed")??;
    }
    Ok(())
}

/// The demo order bodies, in the API's JSON form.
pub fn orders() -> Vec<Value> {
    let now = Utc::now();
    let t = |hours_ago: i64| (now - Duration::hours(hours_ago)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let day = |days_ahead: i64| (now + Duration::days(days_ahead)).format("%Y-%m-%d").to_string();
    let updated = t(0);
    let totals = |sub: &str, ship: &str, tax: &str, disc: &str, total: &str| json!({"subtotal": sub, "shipping": ship, "tax": tax, "discounts": disc, "total": total});
    let item = |id: &str, title: &str, variant: &str, qty: u32, price: &str| json!({"id": id, "title": title, "variant": variant, "quantity": qty, "price": price, "image_url": null, "sku": format!("SKU-{id}")});
    let placed = |at: &str| json!({"at": at, "kind": "placed", "message": "Order placed", "visibility": "customer"});
    let internal = |at: &str, msg: &str| json!({"at": at, "kind": "note", "message": msg, "visibility": "internal"});
    let address = |name: &str, street: &str, zip: &str, city: &str, cc: &str| json!({"name": name, "address1": street, "zip": zip, "city": city, "country_code": cc});
    let base = |number: &str, email: &str, placed_h: i64, currency: &str| {
        json!({
            "order_number": number, "email": email, "placed_at": t(placed_h), "updated_at": updated,
            "status": "open", "payment_status": "paid", "fulfillment_status": "fulfilled",
            "currency": currency, "tags": ["demo"], "note": "Internal: demo order, do not ship",
            "timeline": [placed(&t(placed_h)), internal(&t(placed_h - 1), "Fraud check passed (score 3)")],
        })
    };
    let with = |mut v: Value, extra: Value| {
        if let (Some(obj), Value::Object(add)) = (v.as_object_mut(), extra) {
            for (k, val) in add {
                obj.insert(k, val);
            }
        }
        v
    };
    let postnord = |n: &str| format!("https://tracking.postnord.example/{n}");

    vec![
        with(
            base("#1001", "ada@example.com", 72, "NOK"),
            json!({
                "fulfillment_status": "partially_fulfilled",
                "totals": totals("1249.00", "49.00", "0.00", "0.00", "1298.00"),
                "line_items": [item("li-1", "Wool socks", "Grey / M", 2, "249.50"), item("li-2", "Merino beanie", "Forest green", 1, "750.00")],
                "shipments": [{"id": "f-1", "status": "in_transit", "carrier": "PostNord", "tracking_number": "00370712345678901234",
                    "tracking_url": postnord("00370712345678901234"), "estimated_delivery": day(2), "shipped_at": t(30),
                    "line_items": [{"id": "li-1", "quantity": 2}],
                    "events": [
                        {"at": t(30), "status": "label_created", "message": "Shipping label created", "location": "Oslo, NO"},
                        {"at": t(20), "status": "in_transit", "message": "Departed terminal", "location": "Oslo, NO"},
                        {"at": t(6), "status": "in_transit", "message": "Arrived at sorting centre", "location": "Trondheim, NO"}]}],
                "timeline": [placed(&t(72)), {"at": t(30), "kind": "shipped", "message": "Wool socks shipped with PostNord", "visibility": "customer"},
                    internal(&t(71), "Customer called about gift wrap")],
                "shipping_address": address("Ada Lovelace", "Storgata 1", "0155", "Trondheim", "NO"),
            }),
        ),
        with(
            base("#1002", "bjorn@example.com", 96, "NOK"),
            json!({
                "totals": totals("599.00", "0.00", "0.00", "0.00", "599.00"),
                "line_items": [item("li-1", "Rain jacket", "Navy / L", 1, "599.00")],
                "shipments": [{"id": "f-1", "status": "out_for_delivery", "carrier": "Posten", "tracking_number": "70712345678",
                    "tracking_url": "https://sporing.posten.example/70712345678", "estimated_delivery": day(0), "shipped_at": t(50),
                    "line_items": [{"id": "li-1", "quantity": 1}],
                    "events": [{"at": t(50), "status": "in_transit", "message": "Picked up by carrier", "location": "Oslo, NO"},
                               {"at": t(2), "status": "out_for_delivery", "message": "Loaded on delivery vehicle", "location": "Bergen, NO"}]}],
                "shipping_address": address("Bjørn Dæhlie", "Bryggen 3", "5003", "Bergen", "NO"),
            }),
        ),
        with(
            base("#1003", "clara@example.com", 400, "SEK"),
            json!({
                "totals": totals("890.00", "59.00", "237.25", "0.00", "1186.25"),
                "line_items": [item("li-1", "Linen shirt", "White / S", 1, "490.00"), item("li-2", "Canvas tote", "Natural", 1, "400.00")],
                "shipments": [{"id": "f-1", "status": "delivered", "carrier": "PostNord", "tracking_number": "SE123456789",
                    "tracking_url": postnord("SE123456789"), "shipped_at": t(380), "delivered_at": t(330),
                    "line_items": [{"id": "li-1", "quantity": 1}, {"id": "li-2", "quantity": 1}],
                    "events": [{"at": t(380), "status": "in_transit", "message": "On its way", "location": "Malmö, SE"},
                               {"at": t(330), "status": "delivered", "message": "Delivered to mailbox", "location": "Uppsala, SE"}]}],
                "returns": [{"id": "r-1", "status": "in_progress", "requested_at": t(48), "reason": "Too small",
                    "line_items": [{"id": "li-1", "quantity": 1}], "refund": {"status": "pending", "amount": "490.00"}}],
                "shipping_address": address("Clara Svensson", "Drottninggatan 5", "753 10", "Uppsala", "SE"),
            }),
        ),
        with(
            base("#1004", "dieter@example.com", 900, "EUR"),
            json!({
                "status": "archived", "payment_status": "refunded", "return_status": "returned",
                "totals": totals("1249.00", "0.00", "237.31", "0.00", "1249.00"),
                "line_items": [item("li-1", "Down parka", "Black / XL", 1, "1249.00")],
                "shipments": [{"id": "f-1", "status": "delivered", "carrier": "DHL", "tracking_number": "JD014600003828",
                    "tracking_url": "https://dhl.example/track/JD014600003828", "shipped_at": t(880), "delivered_at": t(850),
                    "line_items": [{"id": "li-1", "quantity": 1}],
                    "events": [{"at": t(850), "status": "delivered", "message": "Zugestellt", "location": "Berlin, DE"}]}],
                "returns": [{"id": "r-1", "status": "returned", "requested_at": t(800), "reason": "Changed mind",
                    "line_items": [{"id": "li-1", "quantity": 1}], "refund": {"status": "succeeded", "amount": "1249.00"}}],
                "shipping_address": address("Dieter Müller", "Hauptstraße 10", "10115", "Berlin", "DE"),
            }),
        ),
        with(
            base("#1005", "emma@example.com", 30, "EUR"),
            json!({
                "status": "cancelled", "cancel_reason": "Cancelled at your request", "payment_status": "voided",
                "fulfillment_status": "unfulfilled",
                "totals": totals("89.00", "4.90", "16.91", "0.00", "93.90"),
                "line_items": [item("li-1", "Thermal mug", "Steel", 1, "89.00")],
                "timeline": [placed(&t(30)), {"at": t(28), "kind": "cancelled", "message": "Order cancelled", "visibility": "customer"},
                    internal(&t(29), "Customer emailed support to cancel")],
                "shipping_address": address("Emma Schmidt", "Ringstraße 2", "1010", "Wien", "AT"),
            }),
        ),
        with(
            base("#1006", "fei@example.com", 5, "CNY"),
            json!({
                "payment_status": "authorized", "fulfillment_status": "unfulfilled",
                "totals": totals("1299.00", "0.00", "0.00", "100.00", "1199.00"),
                "line_items": [item("li-1", "Hiking boots", "Brown / 39", 1, "1299.00")],
                "shipping_address": address("Fei Wang", "Nanjing Road 100", "200001", "Shanghai", "CN"),
            }),
        ),
        with(
            base("#1007", "gustav@example.com", 60, "SEK"),
            json!({
                "payment_status": "expired", "fulfillment_status": "on_hold",
                "hold_reason": "Waiting for a new payment: the card authorization expired",
                "totals": totals("349.00", "59.00", "102.00", "0.00", "408.00"),
                "line_items": [item("li-1", "Wool gloves", "Grey / M", 1, "349.00")],
                "shipping_address": address("Gustav Lind", "Kungsgatan 8", "411 19", "Göteborg", "SE"),
            }),
        ),
        with(
            base("#1008", "hanna@example.com", 10, "NOK"),
            json!({
                "payment_status": "pending", "fulfillment_status": "scheduled", "scheduled_at": t(-24 * 9),
                "totals": totals("199.00", "0.00", "0.00", "0.00", "199.00"),
                "line_items": [item("li-1", "Coffee subscription", "Monthly / 500 g", 1, "199.00")],
                "shipping_address": address("Hanna Berg", "Kirkegata 4", "4006", "Stavanger", "NO"),
            }),
        ),
        with(
            base("#1009", "ivan@example.com", 20, "EUR"),
            json!({
                "payment_status": "partially_paid", "fulfillment_status": "in_progress",
                "totals": totals("2400.00", "0.00", "456.00", "0.00", "2400.00"),
                "line_items": [item("li-1", "Tent", "2-person", 1, "2400.00")],
                "shipments": [{"id": "f-1", "status": "label_created", "carrier": "GLS", "tracking_number": "GLS778899",
                    "tracking_url": "https://gls.example/GLS778899", "estimated_delivery": day(5),
                    "line_items": [{"id": "li-1", "quantity": 1}],
                    "events": [{"at": t(1), "status": "label_created", "message": "Label printed", "location": "Hamburg, DE"}]}],
                "shipping_address": address("Ivan Petrov", "Alsterweg 1", "20095", "Hamburg", "DE"),
            }),
        ),
        with(
            base("#1010", "jonas@example.com", 200, "NOK"),
            json!({
                "payment_status": "partially_refunded",
                "totals": totals("1500.00", "99.00", "0.00", "150.00", "1449.00"),
                "line_items": [item("li-1", "Ski poles", "120 cm", 1, "500.00"), item("li-2", "Ski wax kit", "Universal", 2, "500.00")],
                "shipments": [
                    {"id": "f-1", "status": "delivered", "carrier": "PostNord", "tracking_number": "00370700000000000001",
                     "tracking_url": postnord("00370700000000000001"), "shipped_at": t(180), "delivered_at": t(150),
                     "line_items": [{"id": "li-1", "quantity": 1}],
                     "events": [{"at": t(150), "status": "delivered", "message": "Delivered", "location": "Tromsø, NO"}]},
                    {"id": "f-2", "status": "attempted_delivery", "carrier": "Posten", "tracking_number": "70700000002",
                     "tracking_url": "https://sporing.posten.example/70700000002", "estimated_delivery": day(1), "shipped_at": t(100),
                     "line_items": [{"id": "li-2", "quantity": 2}],
                     "events": [{"at": t(100), "status": "in_transit", "message": "On its way", "location": "Oslo, NO"},
                                {"at": t(8), "status": "attempted_delivery", "message": "Nobody home; new attempt tomorrow", "location": "Tromsø, NO"}]}],
                "timeline": [placed(&t(200)), {"at": t(120), "kind": "refund", "message": "Partial refund of 150.00 NOK for a late delivery", "visibility": "customer"}],
                "shipping_address": address("Jonas Nilsen", "Storgata 20", "9008", "Tromsø", "NO"),
            }),
        ),
        with(
            base("#1011", "kari@example.com", 120, "NOK"),
            json!({
                "totals": totals("450.00", "39.00", "0.00", "0.00", "489.00"),
                "line_items": [item("li-1", "Headlamp", "400 lm", 1, "450.00")],
                "shipments": [{"id": "f-1", "status": "ready_for_pickup", "carrier": "PostNord", "tracking_number": "00370700000000000011",
                    "tracking_url": postnord("00370700000000000011"), "shipped_at": t(90),
                    "line_items": [{"id": "li-1", "quantity": 1}],
                    "events": [{"at": t(12), "status": "ready_for_pickup", "message": "Ready at Coop Extra Lade", "location": "Trondheim, NO"}]}],
                "returns": [{"id": "r-1", "status": "return_requested", "requested_at": t(3), "reason": "Wrong colour",
                    "line_items": [{"id": "li-1", "quantity": 1}]}],
                "shipping_address": address("Kari Nordmann", "Ladeveien 9", "7041", "Trondheim", "NO"),
            }),
        ),
        with(
            base("#1012", "li@example.com", 300, "CNY"),
            json!({
                "totals": totals("699.00", "30.00", "0.00", "0.00", "729.00"),
                "line_items": [item("li-1", "Trail runners", "Blue / 42", 1, "699.00")],
                "shipments": [{"id": "f-1", "status": "failure", "carrier": "SF Express", "tracking_number": "SF1234567890",
                    "tracking_url": "https://sf-express.example/SF1234567890", "shipped_at": t(280),
                    "line_items": [{"id": "li-1", "quantity": 1}],
                    "events": [{"at": t(200), "status": "failure", "message": "Address could not be found", "location": "Beijing, CN"}]}],
                "shipping_address": address("Li Na", "Chaoyang 8", "100020", "Beijing", "CN"),
            }),
        ),
        with(
            base("#1013", "mia@example.com", 500, "SEK"),
            json!({
                "totals": totals("1190.00", "0.00", "297.50", "0.00", "1190.00"),
                "line_items": [item("li-1", "Fleece jacket", "Red / M", 1, "1190.00")],
                "shipments": [{"id": "f-1", "status": "delivered", "carrier": "DHL", "tracking_number": "JD014600009999",
                    "tracking_url": "https://dhl.example/track/JD014600009999", "shipped_at": t(480), "delivered_at": t(450),
                    "line_items": [{"id": "li-1", "quantity": 1}], "events": []}],
                "returns": [{"id": "r-1", "status": "inspection_complete", "requested_at": t(100),
                    "line_items": [{"id": "li-1", "quantity": 1}], "refund": {"status": "processing", "amount": "1190.00"}}],
                "shipping_address": address("Mia Andersson", "Storgatan 1", "111 51", "Stockholm", "SE"),
            }),
        ),
        with(
            base("#1014", "noah@example.com", 700, "USD"),
            json!({
                "totals": totals("120.00", "15.00", "0.00", "0.00", "135.00"),
                "line_items": [item("li-1", "Water bottle", "1 l", 2, "60.00")],
                "shipments": [{"id": "f-1", "status": "delivered", "carrier": "UPS", "tracking_number": "1Z999AA10123456784",
                    "tracking_url": "https://ups.example/1Z999AA10123456784", "shipped_at": t(680), "delivered_at": t(640),
                    "line_items": [{"id": "li-1", "quantity": 2}], "events": []}],
                "returns": [{"id": "r-1", "status": "declined", "requested_at": t(100), "reason": "Used item",
                    "line_items": [{"id": "li-1", "quantity": 1}]}],
                "shipping_address": address("Noah Smith", "5th Avenue 1", "10001", "New York", "US"),
            }),
        ),
        with(
            base("#1015", "olga@example.com", 600, "EUR"),
            json!({
                "totals": totals("75.00", "5.00", "15.20", "0.00", "80.00"),
                "line_items": [item("li-1", "Sunglasses", "Tortoise", 1, "75.00")],
                "shipments": [{"id": "f-1", "status": "delivered", "carrier": "PostNord", "tracking_number": "00370700000000000015",
                    "tracking_url": postnord("00370700000000000015"), "shipped_at": t(580), "delivered_at": t(550),
                    "line_items": [{"id": "li-1", "quantity": 1}], "events": []}],
                "returns": [{"id": "r-1", "status": "return_failed", "requested_at": t(300), "reason": "Parcel lost on the way back",
                    "line_items": [{"id": "li-1", "quantity": 1}], "refund": {"status": "failed", "amount": "75.00"}}],
                "shipping_address": address("Olga Virtanen", "Mannerheimintie 3", "00100", "Helsinki", "FI"),
            }),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::status::*;
    use std::collections::HashSet;

    #[test]
    fn the_demo_covers_every_status_value() {
        let orders: Vec<_> = orders()
            .iter()
            .map(|b| parse_order(b.to_string().as_bytes()).unwrap())
            .collect();
        assert!(orders.len() >= 12);
        assert_eq!(orders.len(), ORDERS.len());
        fn words<'a>(it: impl Iterator<Item = &'a str>) -> HashSet<&'a str> {
            it.collect()
        }
        assert_eq!(
            words(orders.iter().map(|o| o.status.as_str())),
            words(OrderStatus::ALL.iter().map(|s| s.as_str()))
        );
        assert_eq!(
            words(orders.iter().map(|o| o.payment_status.as_str())),
            words(PaymentStatus::ALL.iter().map(|s| s.as_str()))
        );
        assert_eq!(
            words(orders.iter().map(|o| o.fulfillment_status.as_str())),
            words(FulfillmentStatus::ALL.iter().map(|s| s.as_str()))
        );
        assert_eq!(
            words(
                orders
                    .iter()
                    .flat_map(|o| o.shipments.iter().map(|s| s.status.as_str()))
            ),
            words(ShipmentStatus::ALL.iter().map(|s| s.as_str()))
        );
        assert_eq!(
            words(orders.iter().map(|o| o.return_status.as_str())),
            words(ReturnStatus::ALL.iter().map(|s| s.as_str()))
        );
        let currencies: HashSet<_> = orders.iter().map(|o| o.currency.as_str()).collect();
        assert!(currencies.len() >= 4);
        for (order, listed) in orders.iter().zip(ORDERS) {
            assert_eq!(order.order_number, listed.order_number);
            assert_eq!(order.email, listed.email);
        }
    }
}
