//! The full order as merchants send and read it (API.md, "The order body"), and
//! its validation. Server-only: this type holds internal fields and never reaches a shopper.

use crate::errors::FieldError;
use crate::normalize::{check_email, check_order_number};
use crate::status::{
    FulfillmentStatus, OrderStatus, PaymentStatus, RefundStatus, ReturnStatus, ShipmentStatus, Visibility,
};
use crate::view::{Refund, Totals, TrackingEvent};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Largest order body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
const MAX_TEXT: usize = 1000;
const MAX_NOTE: usize = 10_000;
const MAX_ITEMS: usize = 1000;

/// A validated order: every status is a known word, every time is RFC 3339 UTC,
/// every amount a decimal string, every reference resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub order_number: String,
    pub email: String,
    pub placed_at: String,
    pub updated_at: String,
    pub status: OrderStatus,
    pub cancel_reason: Option<String>,
    pub payment_status: PaymentStatus,
    pub fulfillment_status: FulfillmentStatus,
    pub hold_reason: Option<String>,
    pub scheduled_at: Option<String>,
    pub return_status: ReturnStatus,
    pub currency: String,
    pub totals: Totals,
    pub line_items: Vec<LineItem>,
    pub shipments: Vec<Shipment>,
    pub returns: Vec<Return>,
    pub timeline: Vec<TimelineEvent>,
    pub shipping_address: Option<Address>,
    pub tags: Vec<String>,
    pub note: Option<String>,
}

/// One ordered product, with the merchant's own id and SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    pub id: String,
    pub title: String,
    pub variant: Option<String>,
    pub quantity: u32,
    pub price: String,
    pub image_url: Option<String>,
    pub sku: Option<String>,
}

/// A reference to a line item by id, with how many of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRef {
    pub id: String,
    pub quantity: u32,
}

/// One parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    pub id: String,
    pub status: ShipmentStatus,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    pub estimated_delivery: Option<String>,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
    pub line_items: Vec<ItemRef>,
    pub events: Vec<TrackingEvent>,
}

/// One return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Return {
    pub id: String,
    pub status: ReturnStatus,
    pub requested_at: String,
    pub line_items: Vec<ItemRef>,
    pub reason: Option<String>,
    pub refund: Option<Refund>,
}

/// One timeline event; `internal` ones are for staff only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub at: String,
    pub kind: String,
    pub message: String,
    pub visibility: Visibility,
}

/// The full shipping address. Only the city, country and first name ever reach a shopper.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Address {
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub zip: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub country_code: Option<String>,
    pub phone: Option<String>,
}

// ---- The body as received: everything optional, so every missing field is reported at once.

#[derive(Debug, Default, Deserialize)]
struct RawOrder {
    order_number: Option<String>,
    email: Option<String>,
    placed_at: Option<String>,
    updated_at: Option<String>,
    status: Option<String>,
    cancel_reason: Option<String>,
    payment_status: Option<String>,
    fulfillment_status: Option<String>,
    hold_reason: Option<String>,
    scheduled_at: Option<String>,
    return_status: Option<String>,
    currency: Option<String>,
    totals: Option<RawTotals>,
    #[serde(default)]
    line_items: Vec<RawLineItem>,
    #[serde(default)]
    shipments: Vec<RawShipment>,
    #[serde(default)]
    returns: Vec<RawReturn>,
    #[serde(default)]
    timeline: Vec<RawTimelineEvent>,
    shipping_address: Option<Address>,
    #[serde(default)]
    tags: Vec<String>,
    note: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawTotals {
    subtotal: Option<String>,
    shipping: Option<String>,
    tax: Option<String>,
    discounts: Option<String>,
    total: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawLineItem {
    id: Option<String>,
    title: Option<String>,
    variant: Option<String>,
    quantity: Option<u32>,
    price: Option<String>,
    image_url: Option<String>,
    sku: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawItemRef {
    id: Option<String>,
    quantity: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
struct RawShipment {
    id: Option<String>,
    status: Option<String>,
    carrier: Option<String>,
    tracking_number: Option<String>,
    tracking_url: Option<String>,
    estimated_delivery: Option<String>,
    shipped_at: Option<String>,
    delivered_at: Option<String>,
    #[serde(default)]
    line_items: Vec<RawItemRef>,
    #[serde(default)]
    events: Vec<RawTrackingEvent>,
}

#[derive(Debug, Default, Deserialize)]
struct RawTrackingEvent {
    at: Option<String>,
    status: Option<String>,
    message: Option<String>,
    location: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawReturn {
    id: Option<String>,
    status: Option<String>,
    requested_at: Option<String>,
    #[serde(default)]
    line_items: Vec<RawItemRef>,
    reason: Option<String>,
    refund: Option<RawRefund>,
}

#[derive(Debug, Default, Deserialize)]
struct RawRefund {
    status: Option<String>,
    amount: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawTimelineEvent {
    at: Option<String>,
    kind: Option<String>,
    message: Option<String>,
    visibility: Option<String>,
}

/// Parses and validates an order body. On failure, every problem found is returned
/// with the path of the field it concerns (`shipments[0].status`).
pub fn parse_order(body: &[u8]) -> Result<Order, Vec<FieldError>> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let raw: RawOrder = match serde_path_to_error::deserialize(&mut de) {
        Ok(raw) => raw,
        Err(err) => {
            let path = err.path().to_string();
            // The path of a problem at the top level is ".", empty (inside the value of
            // a key named "") or ends in "?" (the body ended inside an object): name
            // the deepest known field, else the body.
            let known = path.trim_end_matches(['?', '.']);
            let field = if known.is_empty() {
                "body".to_string()
            } else {
                known.to_string()
            };
            let inner = err.into_inner();
            let message = if inner.is_syntax() || inner.is_eof() {
                format!("The body is not valid JSON: {inner}")
            } else {
                format!("Wrong type: {inner}")
            };
            return Err(vec![FieldError::new(field, "malformed", message)]);
        }
    };
    if let Err(err) = de.end() {
        return Err(vec![FieldError::new(
            "body",
            "malformed",
            format!("The body is not valid JSON: {err}"),
        )]);
    }
    Validator::default().order(raw)
}

/// Collects field errors while turning raw input into validated values.
#[derive(Default)]
struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    fn push(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, code, message));
    }

    fn required(&mut self, value: Option<String>, field: &str) -> Option<String> {
        match value {
            Some(v) if !v.trim().is_empty() => Some(v),
            _ => {
                self.push(field, "required", format!("`{field}` is required."));
                None
            }
        }
    }

    /// Optional text, trimmed; empty becomes absent; over `max` characters is an error.
    fn text(&mut self, value: Option<String>, field: &str, max: usize) -> Option<String> {
        let value = value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())?;
        if value.chars().count() > max {
            self.push(field, "too_long", format!("`{field}` has at most {max} characters."));
        }
        Some(value)
    }

    fn required_text(&mut self, value: Option<String>, field: &str, max: usize) -> String {
        let value = self.required(value, field);
        self.text(value, field, max).unwrap_or_default()
    }

    fn time(&mut self, value: Option<String>, field: &str) -> Option<String> {
        let value = value.filter(|v| !v.trim().is_empty())?;
        match DateTime::parse_from_rfc3339(value.trim()) {
            Ok(t) => Some(t.with_timezone(&Utc).to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            Err(_) => {
                self.push(
                    field,
                    "invalid_time",
                    format!("`{field}` must be an RFC 3339 time such as 2026-11-02T10:15:00Z, not {value:?}."),
                );
                None
            }
        }
    }

    fn required_time(&mut self, value: Option<String>, field: &str) -> String {
        let value = self.required(value, field);
        self.time(value, field).unwrap_or_default()
    }

    fn date(&mut self, value: Option<String>, field: &str) -> Option<String> {
        let value = value.filter(|v| !v.trim().is_empty())?;
        let trimmed = value.trim();
        if NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").is_ok() {
            return Some(trimmed.to_string());
        }
        // A full time is accepted too; its UTC date is kept.
        if let Ok(t) = DateTime::parse_from_rfc3339(trimmed) {
            return Some(t.with_timezone(&Utc).format("%Y-%m-%d").to_string());
        }
        self.push(
            field,
            "invalid_date",
            format!("`{field}` must be a date such as 2026-11-06, not {value:?}."),
        );
        None
    }

    fn money(&mut self, value: Option<String>, field: &str) -> String {
        let Some(value) = self.required(value, field) else {
            return String::new();
        };
        let value = value.trim().to_string();
        if is_money(&value) {
            value
        } else {
            self.push(
                field,
                "invalid_money",
                format!("`{field}` must be a non-negative decimal string such as \"249.50\", not {value:?}."),
            );
            String::new()
        }
    }

    fn url(&mut self, value: Option<String>, field: &str) -> Option<String> {
        let value = self.text(value, field, 2000)?;
        let lower = value.to_ascii_lowercase();
        let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
            && value.len() > "https://".len()
            && !value
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>');
        if ok {
            Some(value)
        } else {
            self.push(field, "invalid_url", format!("`{field}` must be an http or https URL."));
            None
        }
    }

    fn word<T>(
        &mut self,
        value: Option<String>,
        field: &str,
        parse: fn(&str) -> Option<T>,
        expected: fn() -> String,
    ) -> Option<T> {
        let value = self.required(value, field)?;
        let parsed = parse(value.trim());
        if parsed.is_none() {
            self.push(
                field,
                "unknown_status",
                format!(
                    "`{field}` has the unknown value {value:?}; expected one of: {}.",
                    expected()
                ),
            );
        }
        parsed
    }

    fn quantity(&mut self, value: Option<u32>, field: &str) -> u32 {
        match value {
            Some(q) if q >= 1 => q,
            Some(_) => {
                self.push(field, "invalid_quantity", format!("`{field}` must be at least 1."));
                0
            }
            None => {
                self.push(field, "required", format!("`{field}` is required."));
                0
            }
        }
    }

    fn order(mut self, raw: RawOrder) -> Result<Order, Vec<FieldError>> {
        let order_number = self.required(raw.order_number, "order_number").unwrap_or_default();
        if !order_number.is_empty() {
            if let Err(e) = check_order_number(&order_number, "order_number") {
                self.errors.push(e);
            }
        }
        let email = self.required(raw.email, "email").unwrap_or_default();
        if !email.is_empty() {
            if let Err(e) = check_email(&email, "email") {
                self.errors.push(e);
            }
        }
        let placed_at = self.required_time(raw.placed_at, "placed_at");
        let updated_at = self.required_time(raw.updated_at, "updated_at");
        let status = self.word(raw.status, "status", OrderStatus::parse, OrderStatus::expected);
        let cancel_reason = self.text(raw.cancel_reason, "cancel_reason", MAX_TEXT);
        let payment_status = self.word(
            raw.payment_status,
            "payment_status",
            PaymentStatus::parse,
            PaymentStatus::expected,
        );
        let fulfillment_status = self.word(
            raw.fulfillment_status,
            "fulfillment_status",
            FulfillmentStatus::parse,
            FulfillmentStatus::expected,
        );
        let hold_reason = self.text(raw.hold_reason, "hold_reason", MAX_TEXT);
        let scheduled_at = self.time(raw.scheduled_at, "scheduled_at");
        if fulfillment_status == Some(FulfillmentStatus::Scheduled) && scheduled_at.is_none() {
            self.push(
                "scheduled_at",
                "required",
                "`scheduled_at` is required when fulfillment_status is scheduled.",
            );
        }
        let explicit_return_status = match raw.return_status {
            Some(word) => self.word(Some(word), "return_status", ReturnStatus::parse, ReturnStatus::expected),
            None => None,
        };

        let currency = self
            .required(raw.currency, "currency")
            .unwrap_or_default()
            .trim()
            .to_string();
        let iso_4217 = currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase());
        if !currency.is_empty() && !iso_4217 {
            self.push(
                "currency",
                "invalid_currency",
                format!("`currency` must be an ISO 4217 code such as NOK, not {currency:?}."),
            );
        }
        let totals = match raw.totals {
            Some(t) => Totals {
                subtotal: self.money(t.subtotal, "totals.subtotal"),
                shipping: self.money(t.shipping, "totals.shipping"),
                tax: self.money(t.tax, "totals.tax"),
                discounts: self.money(t.discounts, "totals.discounts"),
                total: self.money(t.total, "totals.total"),
            },
            None => {
                self.push("totals", "required", "`totals` is required.");
                Totals::default_zero()
            }
        };

        if raw.line_items.len() > MAX_ITEMS {
            self.push(
                "line_items",
                "too_many",
                format!("An order has at most {MAX_ITEMS} line items."),
            );
        }
        let mut ids = HashSet::new();
        let mut line_items = Vec::with_capacity(raw.line_items.len());
        for (i, li) in raw.line_items.into_iter().enumerate() {
            let p = format!("line_items[{i}]");
            let id = self.required_text(li.id, &format!("{p}.id"), 200);
            if !id.is_empty() && !ids.insert(id.clone()) {
                self.push(
                    &format!("{p}.id"),
                    "duplicate_id",
                    format!("Line item id {id:?} is used twice."),
                );
            }
            line_items.push(LineItem {
                title: self.required_text(li.title, &format!("{p}.title"), MAX_TEXT),
                variant: self.text(li.variant, &format!("{p}.variant"), MAX_TEXT),
                quantity: self.quantity(li.quantity, &format!("{p}.quantity")),
                price: self.money(li.price, &format!("{p}.price")),
                image_url: self.url(li.image_url, &format!("{p}.image_url")),
                sku: self.text(li.sku, &format!("{p}.sku"), 200),
                id,
            });
        }

        let mut shipment_ids = HashSet::new();
        let mut shipments = Vec::with_capacity(raw.shipments.len());
        for (i, s) in raw.shipments.into_iter().enumerate() {
            let p = format!("shipments[{i}]");
            let id = self.required_text(s.id, &format!("{p}.id"), 200);
            if !id.is_empty() && !shipment_ids.insert(id.clone()) {
                self.push(
                    &format!("{p}.id"),
                    "duplicate_id",
                    format!("Shipment id {id:?} is used twice."),
                );
            }
            let status = self.word(
                s.status,
                &format!("{p}.status"),
                ShipmentStatus::parse,
                ShipmentStatus::expected,
            );
            let refs = self.item_refs(s.line_items, &p, &ids);
            let mut events = Vec::with_capacity(s.events.len());
            for (j, e) in s.events.into_iter().enumerate() {
                let ep = format!("{p}.events[{j}]");
                let status = self.word(
                    e.status,
                    &format!("{ep}.status"),
                    ShipmentStatus::parse,
                    ShipmentStatus::expected,
                );
                events.push(TrackingEvent {
                    at: self.required_time(e.at, &format!("{ep}.at")),
                    status: status.unwrap_or(ShipmentStatus::InTransit),
                    message: self.text(e.message, &format!("{ep}.message"), MAX_TEXT),
                    location: self.text(e.location, &format!("{ep}.location"), MAX_TEXT),
                });
            }
            shipments.push(Shipment {
                id,
                status: status.unwrap_or(ShipmentStatus::InTransit),
                carrier: self.text(s.carrier, &format!("{p}.carrier"), 200),
                tracking_number: self.text(s.tracking_number, &format!("{p}.tracking_number"), 200),
                tracking_url: self.url(s.tracking_url, &format!("{p}.tracking_url")),
                estimated_delivery: self.date(s.estimated_delivery, &format!("{p}.estimated_delivery")),
                shipped_at: self.time(s.shipped_at, &format!("{p}.shipped_at")),
                delivered_at: self.time(s.delivered_at, &format!("{p}.delivered_at")),
                line_items: refs,
                events,
            });
        }

        let mut return_ids = HashSet::new();
        let mut returns = Vec::with_capacity(raw.returns.len());
        for (i, r) in raw.returns.into_iter().enumerate() {
            let p = format!("returns[{i}]");
            let id = self.required_text(r.id, &format!("{p}.id"), 200);
            if !id.is_empty() && !return_ids.insert(id.clone()) {
                self.push(
                    &format!("{p}.id"),
                    "duplicate_id",
                    format!("Return id {id:?} is used twice."),
                );
            }
            let status = self.word(
                r.status,
                &format!("{p}.status"),
                ReturnStatus::parse,
                ReturnStatus::expected,
            );
            if status == Some(ReturnStatus::NoReturn) {
                self.push(
                    &format!("{p}.status"),
                    "unknown_status",
                    "A return cannot have the status no_return.",
                );
            }
            let refund = r.refund.map(|f| Refund {
                status: self
                    .word(
                        f.status,
                        &format!("{p}.refund.status"),
                        RefundStatus::parse,
                        RefundStatus::expected,
                    )
                    .unwrap_or(RefundStatus::Pending),
                amount: self.money(f.amount, &format!("{p}.refund.amount")),
            });
            returns.push(Return {
                id,
                status: status.unwrap_or(ReturnStatus::ReturnRequested),
                requested_at: self.required_time(r.requested_at, &format!("{p}.requested_at")),
                line_items: self.item_refs(r.line_items, &p, &ids),
                reason: self.text(r.reason, &format!("{p}.reason"), MAX_TEXT),
                refund,
            });
        }

        let mut timeline = Vec::with_capacity(raw.timeline.len());
        for (i, t) in raw.timeline.into_iter().enumerate() {
            let p = format!("timeline[{i}]");
            let kind = self.required_text(t.kind, &format!("{p}.kind"), 40);
            if !kind.is_empty()
                && !kind
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                self.push(
                    &format!("{p}.kind"),
                    "invalid_kind",
                    "`kind` is a snake_case word such as placed or shipped.",
                );
            }
            // Absent visibility means internal: nothing is shown to shoppers unless the merchant says so.
            let visibility = match t.visibility {
                Some(v) => self
                    .word(
                        Some(v),
                        &format!("{p}.visibility"),
                        Visibility::parse,
                        Visibility::expected,
                    )
                    .unwrap_or(Visibility::Internal),
                None => Visibility::Internal,
            };
            timeline.push(TimelineEvent {
                at: self.required_time(t.at, &format!("{p}.at")),
                message: self.required_text(t.message, &format!("{p}.message"), MAX_TEXT),
                kind,
                visibility,
            });
        }

        let shipping_address = raw.shipping_address.map(|a| Address {
            name: self.text(a.name, "shipping_address.name", 200),
            first_name: self.text(a.first_name, "shipping_address.first_name", 200),
            last_name: self.text(a.last_name, "shipping_address.last_name", 200),
            address1: self.text(a.address1, "shipping_address.address1", 500),
            address2: self.text(a.address2, "shipping_address.address2", 500),
            zip: self.text(a.zip, "shipping_address.zip", 40),
            city: self.text(a.city, "shipping_address.city", 200),
            province: self.text(a.province, "shipping_address.province", 200),
            country_code: self.text(a.country_code, "shipping_address.country_code", 2),
            phone: self.text(a.phone, "shipping_address.phone", 64),
        });
        let mut tags = Vec::with_capacity(raw.tags.len());
        for (i, tag) in raw.tags.into_iter().enumerate() {
            if let Some(tag) = self.text(Some(tag), &format!("tags[{i}]"), 255) {
                tags.push(tag);
            }
        }
        let note = self.text(raw.note, "note", MAX_NOTE);

        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let return_status = explicit_return_status.unwrap_or_else(|| derive_return_status(&returns));
        Ok(Order {
            order_number: order_number.trim().to_string(),
            email: email.trim().to_string(),
            placed_at,
            updated_at,
            status: status.unwrap_or(OrderStatus::Open),
            cancel_reason,
            payment_status: payment_status.unwrap_or(PaymentStatus::Pending),
            fulfillment_status: fulfillment_status.unwrap_or(FulfillmentStatus::Unfulfilled),
            hold_reason,
            scheduled_at,
            return_status,
            currency,
            totals,
            line_items,
            shipments,
            returns,
            timeline,
            shipping_address,
            tags,
            note,
        })
    }

    fn item_refs(&mut self, refs: Vec<RawItemRef>, parent: &str, known: &HashSet<String>) -> Vec<ItemRef> {
        let mut out = Vec::with_capacity(refs.len());
        for (k, r) in refs.into_iter().enumerate() {
            let p = format!("{parent}.line_items[{k}]");
            let id = self.required_text(r.id, &format!("{p}.id"), 200);
            if !id.is_empty() && !known.contains(&id) {
                self.push(
                    &format!("{p}.id"),
                    "unknown_line_item",
                    format!("No line item has the id {id:?}."),
                );
            }
            out.push(ItemRef {
                quantity: self.quantity(r.quantity, &format!("{p}.quantity")),
                id,
            });
        }
        out
    }
}

impl Totals {
    fn default_zero() -> Self {
        let zero = || "0".to_string();
        Totals {
            subtotal: zero(),
            shipping: zero(),
            tax: zero(),
            discounts: zero(),
            total: zero(),
        }
    }
}

/// When the body gives no order-level return status, the latest return's stands for the order.
fn derive_return_status(returns: &[Return]) -> ReturnStatus {
    returns
        .iter()
        .max_by(|a, b| a.requested_at.cmp(&b.requested_at))
        .map(|r| r.status)
        .unwrap_or(ReturnStatus::NoReturn)
}

/// A non-negative decimal with at most 12 integer and 4 fractional digits.
fn is_money(s: &str) -> bool {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |p: &str, max: usize| !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit());
    digits(int, 12) && frac.is_none_or(|f| digits(f, 4))
}

/// Compares two stored RFC 3339 times; `None` when either does not parse.
pub fn is_older(candidate: &str, stored: &str) -> Option<bool> {
    let a = DateTime::parse_from_rfc3339(candidate).ok()?;
    let b = DateTime::parse_from_rfc3339(stored).ok()?;
    Some(a < b)
}

#[cfg(test)]
mod tests;
