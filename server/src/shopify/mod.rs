//! Shopify's webhook payloads mapped onto Lookout's order model.
//!
//! An order payload (`orders/*` topics) becomes an [`OrderInput`], validated
//! like a REST body. A fulfillment payload becomes one parcel and a refund one
//! line of history, merged into the stored order it belongs to
//! (`app::order::merge`). Field names follow Shopify's
//! REST Admin API order resource.

use app::normalize::is_http_url;
use app::order::{ItemRef, LineItemInput, OrderInput, Shipment, ShipmentInput, TimelineEvent, TimelineEventInput};
use app::status::{OrderStatus, ShipmentStatus, Visibility};
use app::view::Tracking;
use chrono::{DateTime, SecondsFormat, Utc};
pub mod deliveries;
mod payload;
mod refunds;
mod returns;
mod totals;

pub use payload::{DeletedOrder, Fulfillment, Id, Refund, ShopifyOrder};
use payload::{LineItem, MoneySet};
pub use returns::{ShopifyReturn, RETURN_TOPICS};

/// The topics Lookout acts on; any other is acknowledged and ignored.
pub const ORDER_TOPICS: &[&str] = &[
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "orders/fulfilled",
    "orders/partially_fulfilled",
];
pub const FULFILLMENT_TOPICS: &[&str] = &["fulfillments/create", "fulfillments/update"];
pub const REFUND_TOPIC: &str = "refunds/create";
/// An order deleted in Shopify: erased here.
pub const DELETE_TOPIC: &str = "orders/delete";

/// Whether Lookout acts on a topic (the ones above and [`RETURN_TOPICS`]).
pub fn is_handled_topic(topic: &str) -> bool {
    let topics = [
        ORDER_TOPICS,
        FULFILLMENT_TOPICS,
        &[REFUND_TOPIC, DELETE_TOPIC],
        RETURN_TOPICS,
    ];
    topics.iter().any(|list| list.contains(&topic))
}

/// Shopify's times carry the shop's offset; Lookout's are UTC. Unparseable text is
/// passed on as it is, for the validator to name.
fn utc(time: &str) -> String {
    utc_to(time, SecondsFormat::Secs)
}

/// [`utc`], to the given precision.
fn utc_to(time: &str, precision: SecondsFormat) -> String {
    DateTime::parse_from_rfc3339(time)
        .map(|t| t.with_timezone(&Utc).to_rfc3339_opts(precision, true))
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

/// A Shopify fulfillment as a Lookout parcel. Its `status` says whether the
/// parcel left at all: `success` once it did; `pending` or `open` while a
/// fulfillment service has yet to take it; `cancelled`, `error` or `failure`
/// when it never will. Such a parcel is kept as cancelled (never shown to the
/// shopper: the store makes another), so that a late "created" for it cannot
/// bring it back. Its `shipment_status` says what the carrier reported since.
/// Its items are kept as sent, whether or not the stored order lists them yet:
/// a parcel is the same whichever delivery came first.
fn shipment(f: &Fulfillment) -> Shipment {
    let refused = matches!(f.status.as_deref(), Some("error" | "failure"));
    let never = refused || f.status.as_deref() == Some("cancelled");
    let waiting = matches!(f.status.as_deref(), Some("pending" | "open"));
    // A gift card or a digital product: sent by email, nothing to carry.
    let nothing_to_carry = !f.line_items.is_empty() && f.line_items.iter().all(|l| l.requires_shipping == Some(false));
    let tracked = f.tracking_number.is_some()
        || !f.tracking_numbers.is_empty()
        || f.tracking_url.is_some()
        || !f.tracking_urls.is_empty();
    let status = match f.shipment_status.as_deref() {
        _ if refused => ShipmentStatus::Failure,
        Some("failure") => ShipmentStatus::Failure,
        Some("in_transit" | "carrier_picked_up" | "delayed") => ShipmentStatus::InTransit,
        Some("out_for_delivery") => ShipmentStatus::OutForDelivery,
        Some("attempted_delivery") => ShipmentStatus::AttemptedDelivery,
        Some("ready_for_pickup") => ShipmentStatus::ReadyForPickup,
        // `picked_up`: a local pickup the shopper collected.
        Some("delivered" | "picked_up") => ShipmentStatus::Delivered,
        // label_printed, label_purchased, confirmed: the carrier does not have it yet.
        Some(_) => ShipmentStatus::LabelCreated,
        // Nothing from a carrier: one with a tracking number reports soon (its
        // first word may be `confirmed`, which must not read as a step back);
        // one without (sent by hand, a local delivery) is on its way, as
        // Shopify's own status page says.
        None if waiting || tracked => ShipmentStatus::LabelCreated,
        // Nothing to carry (a gift card Shopify sends by email): there.
        None if nothing_to_carry => ShipmentStatus::Delivered,
        None => ShipmentStatus::InTransit,
    };
    let updated_at = f.updated_at();
    let delivered_at = (status == ShipmentStatus::Delivered)
        .then(|| updated_at.clone())
        .flatten();
    let cancelled_at = never.then(|| updated_at.clone()).flatten();
    let mut boxes = boxes(f).into_iter();
    let (tracking_number, tracking_url) = boxes.next().unwrap_or_default();
    Shipment {
        id: f.id.text(),
        status,
        carrier: f.tracking_company.clone(),
        tracking_number,
        tracking_url,
        more_tracking: boxes
            .map(|(tracking_number, tracking_url)| Tracking {
                tracking_number,
                tracking_url,
            })
            .collect(),
        estimated_delivery: None,
        shipped_at: f.created_at.as_deref().filter(|_| !waiting).map(utc),
        delivered_at,
        line_items: f
            .line_items
            .iter()
            .filter(|l| l.quantity.unwrap_or(0) > 0)
            .map(|l| ItemRef {
                id: l.id.text(),
                quantity: l.quantity.unwrap_or(0),
            })
            .collect(),
        events: vec![],
        updated_at,
        cancelled_at,
    }
    .fitted()
}

/// A fulfillment's boxes, each a tracking number and a carrier's page, paired
/// as Shopify lists them (`tracking_numbers[i]` goes with `tracking_urls[i]`;
/// the single `tracking_number` and `tracking_url` are the first of each, and
/// stand for it when given). Only a link a shopper may follow is kept; a
/// box left with neither is dropped.
fn boxes(f: &Fulfillment) -> Vec<(Option<String>, Option<String>)> {
    // The single field, when given, is the first box's; the list gives the others.
    let list = |many: &[String], one: &Option<String>| -> Vec<String> {
        let mut all = many.to_vec();
        match (one, all.first_mut()) {
            (Some(one), Some(first)) => first.clone_from(one),
            (Some(one), None) => all.push(one.clone()),
            (None, _) => {}
        }
        all
    };
    let numbers = list(&f.tracking_numbers, &f.tracking_number);
    let urls = list(&f.tracking_urls, &f.tracking_url);
    (0..numbers.len().max(urls.len()))
        .map(|i| {
            let number = numbers.get(i).map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
            let url = urls
                .get(i)
                .map(|u| u.trim())
                .filter(|u| is_http_url(u))
                .map(str::to_string);
            (number, url)
        })
        .filter(|(number, url)| number.is_some() || url.is_some())
        .collect()
}

/// Shopify's order as a Lookout order input, to be validated like any other.
pub fn order_input(o: &ShopifyOrder) -> OrderInput {
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
        OrderStatus::Cancelled
    } else if o.closed_at.is_some() {
        OrderStatus::Archived
    } else {
        OrderStatus::Open
    };
    // An item an order edit removed, or a refund took back before it was
    // sent, is no longer on the order: what is left of it is shown.
    let lines: Vec<(&LineItem, u32)> = o
        .line_items
        .iter()
        .filter_map(|l| Some((l, l.current_quantity.or(l.quantity)?)).filter(|(_, n)| *n > 0))
        .collect();
    let line_items: Vec<LineItemInput> = lines
        .iter()
        .map(|&(l, quantity)| LineItemInput {
            id: Some(l.id.text()),
            title: l.title.clone().or_else(|| l.name.clone()),
            variant: l.variant_title.clone(),
            quantity: Some(quantity),
            price: Some(amount(l.price_set.as_ref(), l.price.as_ref())),
            image_url: None,
            sku: l.sku.clone().filter(|s| !s.is_empty()),
        })
        .collect();
    // Edits or refunds took items off: the totals are what is left.
    let edited = o
        .line_items
        .iter()
        .any(|l| l.current_quantity.is_some_and(|n| Some(n) != l.quantity));
    let placed_at = o.created_at.as_deref().map(utc);
    let event = |at: &str, kind: &str, message: String, visibility| TimelineEvent {
        at: at.to_string(),
        kind: kind.to_string(),
        message,
        visibility,
    };
    let mut timeline = vec![];
    if let Some(at) = &placed_at {
        timeline.push(event(at, "placed", app::own_words::PLACED.into(), Visibility::Customer));
    }
    if let (Some(at), Some(reason)) = (&o.cancelled_at, &o.cancel_reason) {
        let message = format!("Order cancelled ({})", cancel_code(reason));
        timeline.push(event(&utc(at), "cancelled", message, Visibility::Internal));
    }
    timeline.extend(
        o.refunds
            .iter()
            .flat_map(|r| refunds::events(r, currency.as_deref().unwrap_or_default())),
    );
    let word = |w: &str| Some(w.to_string());
    OrderInput {
        order_number: o.name.clone(),
        // Shopify sends "" for an order without one: the next one is tried.
        email: [
            o.email.as_ref(),
            o.contact_email.as_ref(),
            o.customer.as_ref().and_then(|c| c.email.as_ref()),
        ]
        .into_iter()
        .flatten()
        .find(|e| !e.trim().is_empty())
        .cloned(),
        placed_at,
        updated_at: o.updated_at.as_deref().or(o.created_at.as_deref()).map(utc),
        status: word(status.as_str()),
        cancel_reason: o.cancelled_at.as_ref().and(o.cancel_reason.as_deref()).map(cancel_code),
        payment_status: word(payment_status(o.financial_status.as_deref())),
        fulfillment_status: word(fulfillment_status(o.fulfillment_status.as_deref())),
        currency,
        totals: Some(totals::of(o, &line_items, edited)),
        line_items,
        shipments: o
            .fulfillments
            .iter()
            .map(|f| ShipmentInput::from(shipment(f)))
            .collect(),
        timeline: timeline.into_iter().map(TimelineEventInput::from).collect(),
        shipping_address: o.shipping_address.clone(),
        tags: o
            .tags
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        note: o.note.clone().filter(|n| !n.trim().is_empty()),
        ..OrderInput::default()
    }
}

impl ShopifyOrder {
    /// Shopify's numeric id of the order, as text.
    pub fn id(&self) -> Option<String> {
        self.id.as_ref().map(Id::text)
    }

    /// Its times that are not RFC 3339, each as the error of its own field
    /// (a cancellation or a closing at a time that cannot be read would
    /// otherwise be judged by a time that is not one).
    pub fn unreadable_times(&self) -> Vec<app::errors::FieldError> {
        let times = [
            ("created_at", &self.created_at),
            ("updated_at", &self.updated_at),
            ("cancelled_at", &self.cancelled_at),
            ("closed_at", &self.closed_at),
        ];
        times
            .into_iter()
            .filter(|(_, at)| {
                at.as_deref()
                    .is_some_and(|at| DateTime::parse_from_rfc3339(at).is_err())
            })
            .map(|(field, _)| {
                let message = format!("`{field}` must be an RFC 3339 time, as Shopify sends it.");
                app::errors::FieldError::new(field, "invalid_time", message)
            })
            .collect()
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

    /// This fulfillment as a parcel.
    pub fn shipment(&self) -> Shipment {
        shipment(self)
    }
}

/// Shopify's reason for a cancellation, one of its six codes; anything else
/// (Shopify sends no free text here) is `other`, which shoppers read as the
/// store's decision.
fn cancel_code(reason: &str) -> String {
    const CODES: [&str; 6] = ["customer", "inventory", "fraud", "declined", "staff", "other"];
    let code = reason.trim().to_ascii_lowercase();
    match CODES.contains(&code.as_str()) {
        true => code,
        false => "other".to_string(),
    }
}

#[cfg(test)]
mod tests;
