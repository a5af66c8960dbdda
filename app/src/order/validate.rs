//! The validator: the one place an [`OrderInput`] becomes a [`ValidOrder`].
//! Every problem is collected with the path of its field (`shipments[0].status`).

use super::fields::{shown, Validator, MAX_ID, MAX_NAME, MAX_NOTE, MAX_PHONE, MAX_STREET, MAX_TAG, MAX_TEXT, MAX_ZIP};
use super::input::{ItemRefInput, OrderInput};
use super::{Address, ItemRef, LineItem, Order, Refund, Return, Shipment, TimelineEvent, ValidOrder};
use crate::errors::FieldError;
use crate::normalize::{
    check_email, check_order_number, folded, has_full_width, has_unseen_characters, has_unseen_marks,
};
use crate::status::{
    FulfillmentStatus, OrderStatus, PaymentStatus, RefundStatus, ReturnStatus, ShipmentStatus, Visibility,
};
use crate::view::{Totals, TrackingEvent};
use std::collections::HashSet;

/// How many of each list one order may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub line_items: usize,
    pub shipments: usize,
    /// Tracking events per shipment.
    pub events: usize,
    pub returns: usize,
    pub timeline: usize,
    pub tags: usize,
    /// Line-item references per shipment or return.
    pub item_refs: usize,
    /// Other boxes' tracking per shipment (`more_tracking`).
    pub more_tracking: usize,
}

/// The limits every order is held to (docs/api.md lists them).
pub const LIMITS: Limits = Limits {
    line_items: 1000,
    shipments: 100,
    events: 500,
    returns: 100,
    timeline: 1000,
    tags: 100,
    item_refs: 1000,
    more_tracking: 50,
};

/// Parses and validates an order body.
pub fn parse_order(body: &[u8]) -> Result<ValidOrder, Vec<FieldError>> {
    validate(super::parse_input(body)?)
}

/// Validates an order input: the only way to a [`ValidOrder`].
pub fn validate(input: OrderInput) -> Result<ValidOrder, Vec<FieldError>> {
    Validator::default().order(input)
}

/// [`validate`] for a platform's order, whose parcels may name line items
/// the order does not list: a fulfillment can arrive before the order update
/// that adds its item, and an item taken off the order stays in the parcel
/// that shipped it. The references are kept as sent (a shopper sees only the
/// items the order lists). Its parts are put in the order a merge leaves them
/// (each event once), so that a platform's first word on an order is stored as
/// merging it into nothing would leave it: what is stored does not depend on
/// which delivery came first. A merchant's own order is held to [`validate`].
pub fn validate_platform(input: OrderInput) -> Result<ValidOrder, Vec<FieldError>> {
    let ValidOrder(mut order) = Validator {
        items_as_sent: true,
        ..Validator::default()
    }
    .order(input)?;
    order.tidy();
    Ok(ValidOrder(order))
}

impl Validator {
    fn order(mut self, input: OrderInput) -> Result<ValidOrder, Vec<FieldError>> {
        let order_number = self.required(input.order_number, "order_number").unwrap_or_default();
        if has_unseen_characters(&order_number) {
            let said = "An order number cannot contain invisible or direction-changing characters.";
            self.push("order_number", "order_number_invalid", said);
        } else if has_full_width(&order_number) {
            let said = format!(
                "An order number is written in ASCII: `{}` is `{}`.",
                order_number.trim(),
                folded(order_number.trim())
            );
            self.push("order_number", "order_number_invalid", said);
        } else if !order_number.is_empty() {
            if let Err(e) = check_order_number(&order_number, "order_number") {
                self.errors.push(e);
            }
        }
        let email = self.required(input.email, "email").unwrap_or_default();
        if has_unseen_marks(&email) {
            let said = "An email address cannot contain invisible or direction-changing characters.";
            self.push("email", "email_invalid", said);
        } else if !email.is_empty() {
            if let Err(e) = check_email(&email, "email") {
                self.errors.push(e);
            }
        }
        let placed_at = self.required_time(input.placed_at, "placed_at");
        let updated_at = self.required_time(input.updated_at, "updated_at");
        let status = self.word(input.status, "status", OrderStatus::parse, OrderStatus::expected);
        let cancel_reason = self.text(input.cancel_reason, "cancel_reason", MAX_TEXT);
        let payment_status = self.word(
            input.payment_status,
            "payment_status",
            PaymentStatus::parse,
            PaymentStatus::expected,
        );
        let fulfillment_status = self.word(
            input.fulfillment_status,
            "fulfillment_status",
            FulfillmentStatus::parse,
            FulfillmentStatus::expected,
        );
        let hold_reason = self.text(input.hold_reason, "hold_reason", MAX_TEXT);
        let scheduled_at = self.time(input.scheduled_at, "scheduled_at");
        if fulfillment_status == Some(FulfillmentStatus::Scheduled) && scheduled_at.is_none() {
            self.push(
                "scheduled_at",
                "required",
                "`scheduled_at` is required when fulfillment_status is scheduled.",
            );
        }
        let explicit_return_status = match input.return_status {
            Some(word) => self.word(Some(word), "return_status", ReturnStatus::parse, ReturnStatus::expected),
            None => None,
        };

        let currency = self
            .required(input.currency, "currency")
            .unwrap_or_default()
            .trim()
            .to_string();
        let iso_4217 = currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase());
        if !currency.is_empty() && !iso_4217 {
            self.push(
                "currency",
                "invalid_currency",
                format!(
                    "`currency` must be an ISO 4217 code such as NOK, not {:?}.",
                    shown(&currency)
                ),
            );
        }
        let totals = match input.totals {
            Some(t) => Totals {
                subtotal: self.money(t.subtotal, "totals.subtotal"),
                shipping: self.money(t.shipping, "totals.shipping"),
                tax: self.money(t.tax, "totals.tax"),
                discounts: self.money(t.discounts, "totals.discounts"),
                total: self.money(t.total, "totals.total"),
                tax_included: t.tax_included.unwrap_or(false),
            },
            None => {
                self.push("totals", "required", "`totals` is required.");
                Totals::default_zero()
            }
        };

        let mut ids = HashSet::new();
        let mut line_items = Vec::with_capacity(input.line_items.len().min(LIMITS.line_items));
        for (i, li) in self.capped(input.line_items, "line_items", LIMITS.line_items) {
            let p = format!("line_items[{i}]");
            line_items.push(LineItem {
                id: self.id(li.id, &format!("{p}.id"), &mut ids, "Line item"),
                title: self.required_text(li.title, &format!("{p}.title"), MAX_TEXT),
                variant: self.text(li.variant, &format!("{p}.variant"), MAX_TEXT),
                quantity: self.quantity(li.quantity, &format!("{p}.quantity")),
                price: self.money(li.price, &format!("{p}.price")),
                image_url: self.url(li.image_url, &format!("{p}.image_url")),
                sku: self.text(li.sku, &format!("{p}.sku"), MAX_ID),
            });
        }

        let mut shipment_ids = HashSet::new();
        let mut shipments = Vec::with_capacity(input.shipments.len().min(LIMITS.shipments));
        for (i, s) in self.capped(input.shipments, "shipments", LIMITS.shipments) {
            let p = format!("shipments[{i}]");
            let id = self.id(s.id, &format!("{p}.id"), &mut shipment_ids, "Shipment");
            let status = self.word(
                s.status,
                &format!("{p}.status"),
                ShipmentStatus::parse,
                ShipmentStatus::expected,
            );
            let line_items = self.item_refs(s.line_items, &p, &ids);
            let mut events = Vec::with_capacity(s.events.len().min(LIMITS.events));
            for (j, e) in self.capped(s.events, &format!("{p}.events"), LIMITS.events) {
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
                carrier: self.text(s.carrier, &format!("{p}.carrier"), MAX_ID),
                tracking_number: self.text(s.tracking_number, &format!("{p}.tracking_number"), MAX_ID),
                tracking_url: self.url(s.tracking_url, &format!("{p}.tracking_url")),
                more_tracking: self.more_tracking(s.more_tracking, &p),
                estimated_delivery: self.date(s.estimated_delivery, &format!("{p}.estimated_delivery")),
                shipped_at: self.time(s.shipped_at, &format!("{p}.shipped_at")),
                delivered_at: self.time(s.delivered_at, &format!("{p}.delivered_at")),
                line_items,
                events,
                updated_at: self.time(s.updated_at, &format!("{p}.updated_at")),
                cancelled_at: self.time(s.cancelled_at, &format!("{p}.cancelled_at")),
            });
        }

        let mut return_ids = HashSet::new();
        let mut returns = Vec::with_capacity(input.returns.len().min(LIMITS.returns));
        for (i, r) in self.capped(input.returns, "returns", LIMITS.returns) {
            let p = format!("returns[{i}]");
            let id = self.id(r.id, &format!("{p}.id"), &mut return_ids, "Return");
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
                updated_at: self.time(f.updated_at, &format!("{p}.refund.updated_at")),
            });
            returns.push(Return {
                id,
                status: status.unwrap_or(ReturnStatus::ReturnRequested),
                requested_at: self.required_time(r.requested_at, &format!("{p}.requested_at")),
                line_items: self.item_refs(r.line_items, &p, &ids),
                reason: self.text(r.reason, &format!("{p}.reason"), MAX_TEXT),
                refund,
                updated_at: self.time(r.updated_at, &format!("{p}.updated_at")),
                cancelled_at: self.time(r.cancelled_at, &format!("{p}.cancelled_at")),
            });
        }

        let mut timeline = Vec::with_capacity(input.timeline.len().min(LIMITS.timeline));
        for (i, t) in self.capped(input.timeline, "timeline", LIMITS.timeline) {
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
        // The same event twice (one moment written two ways is one time once
        // read) is one event, as a platform's deliveries keep it: the first kept.
        let firsts: Vec<bool> = {
            let mut seen = std::collections::HashSet::with_capacity(timeline.len());
            timeline.iter().map(|e| seen.insert(e)).collect()
        };
        let mut firsts = firsts.into_iter();
        timeline.retain(|_| firsts.next().unwrap_or(true));

        let shipping_address = input.shipping_address.map(|a| Address {
            name: self.text(a.name, "shipping_address.name", MAX_NAME),
            first_name: self.text(a.first_name, "shipping_address.first_name", MAX_NAME),
            last_name: self.text(a.last_name, "shipping_address.last_name", MAX_NAME),
            address1: self.text(a.address1, "shipping_address.address1", MAX_STREET),
            address2: self.text(a.address2, "shipping_address.address2", MAX_STREET),
            zip: self.text(a.zip, "shipping_address.zip", MAX_ZIP),
            city: self.text(a.city, "shipping_address.city", MAX_NAME),
            province: self.text(a.province, "shipping_address.province", MAX_NAME),
            country_code: self.country(a.country_code, "shipping_address.country_code"),
            phone: self.text(a.phone, "shipping_address.phone", MAX_PHONE),
        });
        let mut tags = Vec::with_capacity(input.tags.len().min(LIMITS.tags));
        for (i, tag) in self.capped(input.tags, "tags", LIMITS.tags) {
            if let Some(tag) = self.text(Some(tag), &format!("tags[{i}]"), MAX_TAG) {
                tags.push(tag);
            }
        }
        let note = self.text(input.note, "note", MAX_NOTE);

        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let return_status = explicit_return_status.unwrap_or_else(|| derive_return_status(&returns));
        Ok(ValidOrder(Order {
            order_number: order_number.trim().to_string(),
            // Full-width forms as the ASCII they stand for, and ideographic full
            // stops as dots, as lookups read them.
            email: crate::normalize::folded_email(email.trim()).into_owned(),
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
        }))
    }

    fn item_refs(&mut self, refs: Vec<ItemRefInput>, parent: &str, known: &HashSet<String>) -> Vec<ItemRef> {
        let mut out = Vec::with_capacity(refs.len().min(LIMITS.item_refs));
        for (k, r) in self.capped(refs, &format!("{parent}.line_items"), LIMITS.item_refs) {
            let p = format!("{parent}.line_items[{k}]");
            let id = self.required_text(r.id, &format!("{p}.id"), MAX_ID);
            if !id.is_empty() && !self.items_as_sent && !known.contains(&id) {
                self.push(
                    &format!("{p}.id"),
                    "unknown_line_item",
                    format!("No line item has the id {:?}.", shown(&id)),
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
            tax_included: false,
        }
    }
}

/// When the body gives no order-level return status, the latest return's
/// stands for the order (a cancelled one is none).
pub(super) fn derive_return_status(returns: &[Return]) -> ReturnStatus {
    returns
        .iter()
        .filter(|r| r.cancelled_at.is_none())
        .max_by(|a, b| super::by_time(&a.requested_at, &b.requested_at))
        .map(|r| r.status)
        .unwrap_or(ReturnStatus::NoReturn)
}
