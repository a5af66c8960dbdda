//! The full order as merchants send and read it (docs/api.md, "The order body").
//! Server-only: these types hold internal fields and never reach a shopper.
//!
//! Every way in (the REST API, Shopify's webhooks, an import file, the demo)
//! builds an [`OrderInput`]; [`validate`] is the only maker of a [`ValidOrder`];
//! the store writes nothing else. [`merge`] says how a platform's deliveries
//! combine, whatever order they arrive in.

mod fields;
mod fit;
mod input;
pub mod merge;
mod validate;

pub use fields::is_money;
pub use input::{
    items_sum, parse_input, AddressInput, ItemRefInput, LineItemInput, OrderInput, RefundInput, ReturnInput,
    ShipmentInput, TimelineEventInput, TotalsInput, TrackingEventInput, TrackingInput,
};
pub use validate::{parse_order, validate, validate_platform, Limits, LIMITS};

use crate::status::{
    FulfillmentStatus, OrderStatus, PaymentStatus, RefundStatus, ReturnStatus, ShipmentStatus, Visibility,
};
use crate::view::{Totals, Tracking, TrackingEvent};
use serde::{Deserialize, Serialize};

/// Largest order body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// An order: every status is a known word, every time is RFC 3339 UTC, every
/// amount a decimal string, every reference resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Order {
    #[schema(max_length = 64)]
    pub order_number: String,
    #[schema(max_length = 254)]
    pub email: String,
    pub placed_at: String,
    pub updated_at: String,
    pub status: OrderStatus,
    #[schema(max_length = 1000)]
    pub cancel_reason: Option<String>,
    pub payment_status: PaymentStatus,
    pub fulfillment_status: FulfillmentStatus,
    #[schema(max_length = 1000)]
    pub hold_reason: Option<String>,
    pub scheduled_at: Option<String>,
    /// May be left out when sent: from the returns (`no_return` without any).
    #[schema(required = false)]
    pub return_status: ReturnStatus,
    #[schema(min_length = 3, max_length = 3)]
    pub currency: String,
    pub totals: Totals,
    /// May be left out when sent: none.
    #[schema(required = false, max_items = 1000)]
    pub line_items: Vec<LineItem>,
    /// May be left out when sent: none.
    #[schema(required = false, max_items = 100)]
    pub shipments: Vec<Shipment>,
    /// May be left out when sent: none.
    #[schema(required = false, max_items = 100)]
    pub returns: Vec<Return>,
    /// May be left out when sent: none.
    #[schema(required = false, max_items = 1000)]
    pub timeline: Vec<TimelineEvent>,
    pub shipping_address: Option<Address>,
    /// May be left out when sent: none. Each tag has at most 255 characters.
    #[schema(required = false, schema_with = tags_schema)]
    pub tags: Vec<String>,
    #[schema(max_length = 10000)]
    pub note: Option<String>,
}

/// The tags' schema: its list capped and each tag's length, which utoipa's
/// attributes cannot give a list's entries.
fn tags_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(fields::MAX_TAG)),
        )
        .max_items(Some(LIMITS.tags))
        .description(Some(
            "May be left out when sent: none. Each tag has at most 255 characters.",
        ))
        .build()
}

/// One ordered product, with the merchant's own id and SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LineItem {
    #[schema(max_length = 200)]
    pub id: String,
    #[schema(max_length = 1000)]
    pub title: String,
    #[schema(max_length = 1000)]
    pub variant: Option<String>,
    #[schema(value_type = i64, minimum = 1, maximum = 4294967295.0)]
    pub quantity: u32,
    pub price: String,
    #[schema(max_length = 2000)]
    pub image_url: Option<String>,
    #[schema(max_length = 200)]
    pub sku: Option<String>,
}

/// A reference to a line item by id, with how many of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemRef {
    #[schema(max_length = 200)]
    pub id: String,
    #[schema(value_type = i64, minimum = 1, maximum = 4294967295.0)]
    pub quantity: u32,
}

/// One parcel. `updated_at` is when its source last changed it: a platform's
/// later word about this parcel replaces an earlier one whatever the order's own
/// `updated_at`. A cancelled parcel (`cancelled_at`) is kept for the merchant and
/// never shown to the shopper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Shipment {
    #[schema(max_length = 200)]
    pub id: String,
    pub status: ShipmentStatus,
    #[schema(max_length = 200)]
    pub carrier: Option<String>,
    #[schema(max_length = 200)]
    pub tracking_number: Option<String>,
    #[schema(max_length = 2000)]
    pub tracking_url: Option<String>,
    /// The tracking of the parcel's other boxes, when it was sent in several.
    /// May be left out when sent: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false, max_items = 50)]
    pub more_tracking: Vec<Tracking>,
    pub estimated_delivery: Option<String>,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
    /// May be left out when sent: none.
    #[schema(required = false, max_items = 1000)]
    pub line_items: Vec<ItemRef>,
    /// May be left out when sent: none.
    #[schema(required = false, max_items = 500)]
    pub events: Vec<TrackingEvent>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub cancelled_at: Option<String>,
}

/// One return, with when it last changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Return {
    #[schema(max_length = 200)]
    pub id: String,
    pub status: ReturnStatus,
    pub requested_at: String,
    /// May be left out when sent: none.
    #[schema(required = false, max_items = 1000)]
    pub line_items: Vec<ItemRef>,
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
    pub refund: Option<Refund>,
    #[serde(default)]
    pub updated_at: Option<String>,
    /// When the return was called off (the shopper or the store cancelled
    /// it): kept for the merchant, never shown to the shopper.
    #[serde(default)]
    pub cancelled_at: Option<String>,
}

/// The money coming back for a return, with when it last changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ReturnRefund)]
pub struct Refund {
    pub status: RefundStatus,
    pub amount: String,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// One timeline event; `internal` ones are for staff only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimelineEvent {
    pub at: String,
    #[schema(max_length = 40)]
    pub kind: String,
    #[schema(max_length = 1000)]
    pub message: String,
    /// May be left out when sent: `internal`.
    #[schema(required = false)]
    pub visibility: Visibility,
}

/// The full shipping address. Only the city, country and first name ever reach a shopper.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(expecting = "a JSON object")]
pub struct Address {
    #[schema(max_length = 200)]
    pub name: Option<String>,
    #[schema(max_length = 200)]
    pub first_name: Option<String>,
    #[schema(max_length = 200)]
    pub last_name: Option<String>,
    #[schema(max_length = 500)]
    pub address1: Option<String>,
    #[schema(max_length = 500)]
    pub address2: Option<String>,
    #[schema(max_length = 40)]
    pub zip: Option<String>,
    #[schema(max_length = 200)]
    pub city: Option<String>,
    #[schema(max_length = 200)]
    pub province: Option<String>,
    #[schema(min_length = 2, max_length = 2)]
    pub country_code: Option<String>,
    #[schema(max_length = 64)]
    pub phone: Option<String>,
}

/// An order that passed [`validate`]. Only the validator makes one, so holding
/// one is proof that every limit and rule was checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ValidOrder(Order);

impl ValidOrder {
    /// Checks an order again after a change (a merge, say), through the same validator.
    pub fn check(order: Order) -> Result<ValidOrder, Vec<crate::errors::FieldError>> {
        validate(OrderInput::from(order))
    }

    /// [`ValidOrder::check`] for a platform's order after a merge
    /// ([`validate_platform`]: its parcels may name items it does not list).
    /// A country the stored part holds from before countries were checked,
    /// that is no code, is dropped, as a platform's is: the platform's news
    /// is never refused for what it did not send.
    pub fn check_merged(mut order: Order) -> Result<ValidOrder, Vec<crate::errors::FieldError>> {
        if let Some(address) = order.shipping_address.as_mut() {
            fit::drop_unknown_country(&mut address.country_code);
        }
        validate_platform(OrderInput::from(order))
    }

    /// The order itself.
    pub fn into_inner(self) -> Order {
        self.0
    }
}

impl std::ops::Deref for ValidOrder {
    type Target = Order;

    fn deref(&self) -> &Order {
        &self.0
    }
}

/// The time an RFC 3339 text stands for; `None` when it does not parse.
pub fn instant(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Orders two stored times by the instants they stand for (as text,
/// `10:15:00.5Z` would come before `10:15:00Z`), then by their text, so that
/// any two are in one order. A time that does not parse comes first.
pub(crate) fn by_time(a: &str, b: &str) -> std::cmp::Ordering {
    instant(a).cmp(&instant(b)).then_with(|| a.cmp(b))
}

/// Compares two stored RFC 3339 times; `None` when either does not parse.
pub fn is_older(candidate: &str, stored: &str) -> Option<bool> {
    Some(instant(candidate)? < instant(stored)?)
}

#[cfg(test)]
mod marks_tests;
#[cfg(test)]
mod more_tracking_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod text_tests;
#[cfg(test)]
mod time_tests;
