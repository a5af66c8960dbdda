//! Shopify's webhook payloads mapped onto Lookout's order model.
//!
//! An order payload (`orders/*` topics) becomes a Lookout order body, which then
//! goes through the same validation as the REST API. A fulfillment or refund
//! payload changes the stored order it belongs to. Field names follow Shopify's
//! REST Admin API order resource.

use app::order::{ItemRef, Order, Shipment, TimelineEvent};
use app::status::{PaymentStatus, ShipmentStatus, Visibility};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

/// The topics Lookout acts on; any other is acknowledged and ignored.
pub const ORDER_TOPICS: &[&str] = &[
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "orders/fulfilled",
];
pub const FULFILLMENT_TOPICS: &[&str] = &["fulfillments/create", "fulfillments/update"];
pub const REFUND_TOPIC: &str = "refunds/create";

/// Shopify sends ids as JSON numbers; Lookout keeps them as text.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Id {
    Number(u64),
    Text(String),
}

impl Id {
    pub fn text(&self) -> String {
        match self {
            Id::Number(n) => n.to_string(),
            Id::Text(s) => s.clone(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct Money {
    amount: Option<String>,
    currency_code: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct MoneySet {
    #[serde(default)]
    shop_money: Money,
    #[serde(default)]
    presentment_money: Money,
}

#[derive(Debug, Deserialize)]
struct Customer {
    email: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LineItem {
    id: Id,
    title: Option<String>,
    name: Option<String>,
    variant_title: Option<String>,
    quantity: Option<u32>,
    price: Option<String>,
    price_set: Option<MoneySet>,
    sku: Option<String>,
}

#[derive(Debug, Deserialize)]
struct FulfillmentLine {
    id: Id,
    quantity: Option<u32>,
}

/// A fulfillment, inside an order payload or alone (`fulfillments/*`).
#[derive(Debug, Deserialize)]
pub struct Fulfillment {
    id: Id,
    /// Shopify's id of the order (in `fulfillments/*` payloads).
    pub order_id: Option<Id>,
    /// `#1001.1`: the order's name, a dot, the fulfillment's number.
    name: Option<String>,
    status: Option<String>,
    shipment_status: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    tracking_company: Option<String>,
    tracking_number: Option<String>,
    #[serde(default)]
    tracking_numbers: Vec<String>,
    tracking_url: Option<String>,
    #[serde(default)]
    tracking_urls: Vec<String>,
    #[serde(default)]
    line_items: Vec<FulfillmentLine>,
}

#[derive(Debug, Deserialize)]
struct Transaction {
    amount: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    currency: Option<String>,
}

/// A refund, inside an order payload or alone (`refunds/create`).
#[derive(Debug, Deserialize)]
pub struct Refund {
    /// Shopify's id of the order.
    pub order_id: Option<Id>,
    created_at: Option<String>,
    #[serde(default)]
    transactions: Vec<Transaction>,
}

#[derive(Debug, Deserialize)]
struct Address {
    name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    address1: Option<String>,
    address2: Option<String>,
    zip: Option<String>,
    city: Option<String>,
    province: Option<String>,
    country_code: Option<String>,
    phone: Option<String>,
}

/// The parts of Shopify's order resource Lookout reads.
#[derive(Debug, Deserialize)]
pub struct ShopifyOrder {
    id: Option<Id>,
    name: Option<String>,
    email: Option<String>,
    contact_email: Option<String>,
    customer: Option<Customer>,
    created_at: Option<String>,
    updated_at: Option<String>,
    cancelled_at: Option<String>,
    cancel_reason: Option<String>,
    closed_at: Option<String>,
    financial_status: Option<String>,
    fulfillment_status: Option<String>,
    currency: Option<String>,
    presentment_currency: Option<String>,
    subtotal_price: Option<String>,
    subtotal_price_set: Option<MoneySet>,
    total_price: Option<String>,
    total_price_set: Option<MoneySet>,
    total_tax: Option<String>,
    total_tax_set: Option<MoneySet>,
    total_discounts: Option<String>,
    total_discounts_set: Option<MoneySet>,
    total_shipping_price_set: Option<MoneySet>,
    #[serde(default)]
    line_items: Vec<LineItem>,
    #[serde(default)]
    fulfillments: Vec<Fulfillment>,
    #[serde(default)]
    refunds: Vec<Refund>,
    note: Option<String>,
    tags: Option<String>,
    shipping_address: Option<Address>,
}

/// Shopify's times carry the shop's offset; Lookout's are UTC. Unparseable text is
/// passed on as it is, for the validator to name.
fn utc(time: &str) -> String {
    DateTime::parse_from_rfc3339(time)
        .map(|t| t.with_timezone(&Utc).to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|_| time.to_string())
}

/// The shopper's amount: the presentment money when given, else the shop's.
fn amount(set: Option<&MoneySet>, plain: Option<&String>) -> String {
    set.and_then(|s| {
        s.presentment_money
            .amount
            .clone()
            .or_else(|| s.shop_money.amount.clone())
    })
    .or_else(|| plain.cloned())
    .unwrap_or_else(|| "0.00".to_string())
}

fn payment_status(financial_status: Option<&str>) -> &'static str {
    match financial_status.unwrap_or("pending") {
        "authorized" => "authorized",
        "partially_paid" => "partially_paid",
        "paid" => "paid",
        "partially_refunded" => "partially_refunded",
        "refunded" => "refunded",
        "voided" => "voided",
        "expired" => "expired",
        _ => "pending",
    }
}

fn fulfillment_status(status: Option<&str>) -> &'static str {
    match status {
        Some("fulfilled") => "fulfilled",
        Some("partial") => "partially_fulfilled",
        Some("pending" | "in_progress" | "open") => "in_progress",
        Some("on_hold") => "on_hold",
        Some("scheduled") => "scheduled",
        // null, "unfulfilled", "restocked" (items put back on the shelf)
        _ => "unfulfilled",
    }
}

/// A Shopify fulfillment as a Lookout shipment, or None for a cancelled one (no
/// parcel will travel). `known` are the order's line item ids.
fn shipment(f: &Fulfillment, known: &[String]) -> Option<Shipment> {
    let status = match (f.status.as_deref(), f.shipment_status.as_deref()) {
        (Some("cancelled"), _) => return None,
        (Some("error" | "failure"), _) | (_, Some("failure")) => ShipmentStatus::Failure,
        (_, Some("in_transit")) => ShipmentStatus::InTransit,
        (_, Some("out_for_delivery")) => ShipmentStatus::OutForDelivery,
        (_, Some("attempted_delivery")) => ShipmentStatus::AttemptedDelivery,
        (_, Some("ready_for_pickup")) => ShipmentStatus::ReadyForPickup,
        (_, Some("delivered")) => ShipmentStatus::Delivered,
        // label_printed, label_purchased, confirmed, or nothing heard from the carrier yet
        _ => ShipmentStatus::LabelCreated,
    };
    let delivered_at = (status == ShipmentStatus::Delivered)
        .then(|| f.updated_at.as_deref().map(utc))
        .flatten();
    Some(Shipment {
        id: f.id.text(),
        status,
        carrier: f.tracking_company.clone(),
        tracking_number: f
            .tracking_number
            .clone()
            .or_else(|| f.tracking_numbers.first().cloned()),
        tracking_url: f.tracking_url.clone().or_else(|| f.tracking_urls.first().cloned()),
        estimated_delivery: None,
        shipped_at: f.created_at.as_deref().map(utc),
        delivered_at,
        line_items: f
            .line_items
            .iter()
            .filter(|l| known.contains(&l.id.text()) && l.quantity.unwrap_or(0) > 0)
            .map(|l| ItemRef {
                id: l.id.text(),
                quantity: l.quantity.unwrap_or(0),
            })
            .collect(),
        events: vec![],
    })
}

/// What a refund gave back, as a sentence for the order's history; None when no
/// refund transaction succeeded.
fn refund_event(r: &Refund, currency: &str) -> Option<TimelineEvent> {
    let refunded: Vec<&Transaction> = r
        .transactions
        .iter()
        .filter(|t| t.kind.as_deref() == Some("refund") && !matches!(t.status.as_deref(), Some("failure" | "error")))
        .collect();
    let first = refunded.first()?;
    let currency = first.currency.as_deref().unwrap_or(currency);
    let amounts: Vec<&str> = refunded.iter().filter_map(|t| t.amount.as_deref()).collect();
    Some(TimelineEvent {
        at: utc(r.created_at.as_deref().unwrap_or_default()),
        kind: "refunded".to_string(),
        message: format!("Refund of {} {currency} issued", amounts.join(" + ")),
        visibility: Visibility::Customer,
    })
}

/// Shopify's order as a Lookout order body (API.md), to be validated like any other.
pub fn order_body(o: &ShopifyOrder) -> Value {
    let currency = o
        .presentment_currency
        .clone()
        .or_else(|| {
            o.total_price_set
                .as_ref()
                .and_then(|s| s.presentment_money.currency_code.clone())
        })
        .or_else(|| o.currency.clone());
    let status = if o.cancelled_at.is_some() {
        "cancelled"
    } else if o.closed_at.is_some() {
        "archived"
    } else {
        "open"
    };
    let lines: Vec<&LineItem> = o.line_items.iter().filter(|l| l.quantity.unwrap_or(0) > 0).collect();
    let known: Vec<String> = lines.iter().map(|l| l.id.text()).collect();
    let placed_at = o.created_at.as_deref().map(utc);
    let mut timeline = vec![];
    if let Some(at) = &placed_at {
        timeline.push(json!({"at": at, "kind": "placed", "message": "Order placed", "visibility": "customer"}));
    }
    if let (Some(at), Some(reason)) = (&o.cancelled_at, &o.cancel_reason) {
        timeline.push(json!({"at": utc(at), "kind": "cancelled", "message": format!("Order cancelled ({reason})"), "visibility": "internal"}));
    }
    for r in &o.refunds {
        if let Some(event) = refund_event(r, currency.as_deref().unwrap_or_default()) {
            timeline.push(serde_json::to_value(event).unwrap_or(Value::Null));
        }
    }
    let tags: Vec<String> = o
        .tags
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    json!({
        "order_number": o.name,
        "email": o.email.clone().or_else(|| o.contact_email.clone()).or_else(|| o.customer.as_ref().and_then(|c| c.email.clone())),
        "placed_at": placed_at,
        "updated_at": o.updated_at.as_deref().or(o.created_at.as_deref()).map(utc),
        "status": status,
        "cancel_reason": if o.cancelled_at.is_some() { o.cancel_reason.clone() } else { None },
        "payment_status": payment_status(o.financial_status.as_deref()),
        "fulfillment_status": fulfillment_status(o.fulfillment_status.as_deref()),
        "currency": currency,
        "totals": {
            "subtotal": amount(o.subtotal_price_set.as_ref(), o.subtotal_price.as_ref()),
            "shipping": amount(o.total_shipping_price_set.as_ref(), None),
            "tax": amount(o.total_tax_set.as_ref(), o.total_tax.as_ref()),
            "discounts": amount(o.total_discounts_set.as_ref(), o.total_discounts.as_ref()),
            "total": amount(o.total_price_set.as_ref(), o.total_price.as_ref()),
        },
        "line_items": lines.iter().map(|l| json!({
            "id": l.id.text(),
            "title": l.title.clone().or_else(|| l.name.clone()),
            "variant": l.variant_title,
            "quantity": l.quantity,
            "price": amount(l.price_set.as_ref(), l.price.as_ref()),
            "sku": l.sku.clone().filter(|s| !s.is_empty()),
        })).collect::<Vec<_>>(),
        "shipments": o.fulfillments.iter().filter_map(|f| shipment(f, &known)).collect::<Vec<_>>(),
        "timeline": timeline,
        "shipping_address": o.shipping_address.as_ref().map(|a| json!({
            "name": a.name, "first_name": a.first_name, "last_name": a.last_name,
            "address1": a.address1, "address2": a.address2, "zip": a.zip, "city": a.city,
            "province": a.province, "country_code": a.country_code, "phone": a.phone,
        })),
        "tags": tags,
        "note": o.note.clone().filter(|n| !n.trim().is_empty()),
    })
}

impl ShopifyOrder {
    /// Shopify's numeric id of the order, as text.
    pub fn id(&self) -> Option<String> {
        self.id.as_ref().map(Id::text)
    }
}

impl Fulfillment {
    /// The order's name from the fulfillment's (`#1001.2` → `#1001`).
    pub fn order_name(&self) -> Option<&str> {
        let name = self.name.as_deref()?;
        Some(name.rsplit_once('.').map_or(name, |(order, _)| order))
    }

    /// When Shopify last changed it, in UTC.
    pub fn updated_at(&self) -> Option<String> {
        self.updated_at.as_deref().or(self.created_at.as_deref()).map(utc)
    }

    /// Puts this fulfillment into a stored order: replaces the shipment with its
    /// id, adds it if new, removes it if cancelled.
    pub fn apply_to(&self, order: &mut Order) {
        let known: Vec<String> = order.line_items.iter().map(|l| l.id.clone()).collect();
        let id = self.id.text();
        let position = order.shipments.iter().position(|s| s.id == id);
        match (shipment(self, &known), position) {
            (Some(new), Some(i)) => order.shipments[i] = new,
            (Some(new), None) => order.shipments.push(new),
            (None, Some(i)) => {
                order.shipments.remove(i);
            }
            (None, None) => {}
        }
    }
}

impl Refund {
    /// When the refund was made, in UTC.
    pub fn created_at(&self) -> Option<String> {
        self.created_at.as_deref().map(utc)
    }

    /// Records this refund in a stored order: a line in its history (once) and a
    /// refunded payment status. Whether it refunded everything is for the
    /// `orders/updated` that Shopify sends with it to say.
    pub fn apply_to(&self, order: &mut Order) {
        let Some(event) = refund_event(self, &order.currency) else {
            return;
        };
        if !order.timeline.contains(&event) {
            order.timeline.push(event);
        }
        if matches!(
            order.payment_status,
            PaymentStatus::Paid | PaymentStatus::PartiallyPaid | PaymentStatus::Authorized
        ) {
            order.payment_status = PaymentStatus::PartiallyRefunded;
        }
    }
}
