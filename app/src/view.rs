//! The shopper view: everything a shopper may see of an order, and nothing else.
//!
//! This is a separate type from the stored order on purpose. It is built from an
//! allow-list in `projection.rs`, so an internal field (staff note, tags, internal
//! timeline events, street address, SKUs, internal ids) has no place to land.

use crate::status::{FulfillmentStatus, OrderStatus, PaymentStatus, RefundStatus, ReturnStatus, ShipmentStatus};
use serde::{Deserialize, Serialize};

/// The answer to a successful lookup (docs/api.md, "The shopper view").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShopperView {
    pub order_number: String,
    pub placed_at: String,
    pub status: OrderStatus,
    /// Why the order was cancelled, in neutral words (`customer`, `inventory`,
    /// `store`) or the merchant's own; only when `status` is `cancelled`.
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub cancel_reason: Option<String>,
    pub payment_status: PaymentStatus,
    pub fulfillment_status: FulfillmentStatus,
    /// Why the fulfillment waits (`payment`, `address`, `inventory`, `store`) or
    /// the merchant's own words; only when `fulfillment_status` is `on_hold`.
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub hold_reason: Option<String>,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub scheduled_at: Option<String>,
    pub return_status: ReturnStatus,
    pub currency: String,
    pub totals: Totals,
    pub line_items: Vec<ShopperLineItem>,
    pub shipments: Vec<ShopperShipment>,
    pub returns: Vec<ShopperReturn>,
    pub timeline: Vec<ShopperEvent>,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub ship_to: Option<ShipTo>,
}

/// Order totals as decimal strings in the order's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Totals {
    pub subtotal: String,
    pub shipping: String,
    pub tax: String,
    pub discounts: String,
    pub total: String,
    /// True when the prices include `tax` (VAT, as in most of Europe): it is
    /// part of them, not added to them. Left out when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ssr", schema(required = false))]
    pub tax_included: bool,
}

/// One ordered product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShopperLineItem {
    pub title: String,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub variant: Option<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = i64, minimum = 1, maximum = 4294967295.0))]
    pub quantity: u32,
    pub price: String,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub image_url: Option<String>,
}

/// A product inside one parcel or one return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShopperItemRef {
    pub title: String,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub variant: Option<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = i64, minimum = 1, maximum = 4294967295.0))]
    pub quantity: u32,
}

/// One parcel and its tracking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShopperShipment {
    pub status: ShipmentStatus,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub carrier: Option<String>,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub tracking_number: Option<String>,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub tracking_url: Option<String>,
    /// The tracking of the parcel's other boxes, when it was sent in several
    /// (an extension: left out when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ssr", schema(required = false))]
    pub more_tracking: Vec<Tracking>,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub estimated_delivery: Option<String>,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub shipped_at: Option<String>,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub delivered_at: Option<String>,
    pub line_items: Vec<ShopperItemRef>,
    pub events: Vec<TrackingEvent>,
}

/// One more box of a parcel sent in several, each with its own tracking: a
/// number, a carrier's link, or both. The same shape is stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Tracking {
    #[cfg_attr(feature = "ssr", schema(max_length = 200))]
    pub tracking_number: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 2000))]
    pub tracking_url: Option<String>,
}

/// One carrier scan. The same shape is stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TrackingEvent {
    pub at: String,
    pub status: ShipmentStatus,
    #[cfg_attr(feature = "ssr", schema(max_length = 1000))]
    pub message: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 1000))]
    pub location: Option<String>,
}

/// One return and its refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShopperReturn {
    pub status: ReturnStatus,
    pub requested_at: String,
    pub line_items: Vec<ShopperItemRef>,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub refund: Option<Refund>,
}

/// The money coming back for a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Refund {
    pub status: RefundStatus,
    pub amount: String,
}

/// A customer-visible timeline event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShopperEvent {
    pub at: String,
    pub kind: String,
    pub message: String,
}

/// Where the order goes, coarsely: enough to recognise it, not to find the door.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShipTo {
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub first_name: Option<String>,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub city: Option<String>,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub country_code: Option<String>,
}

/// What the tracking page needs to know before any lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopPage {
    pub slug: String,
    pub name: String,
    /// The language the page is shown in.
    pub locale: crate::i18n::Locale,
    /// The language asked for with `?locale=`, kept in links and form posts.
    pub requested: Option<String>,
    /// The accent colour (`#rrggbb` or `#rgb`): `?accent=` when valid, else the shop's.
    pub accent: Option<String>,
    /// The page offers "Don't have your order number?" (the shop allows it and
    /// the server sends mail).
    pub email_links: bool,
    /// Where shoppers may write to the shop about an order, when it says.
    pub contact_email: Option<String>,
    /// The shop's time zone (an IANA name), which the page says times in
    /// before its island says them in the shopper's own; UTC when `None`.
    pub time_zone: Option<String>,
    /// The shop's logo (an `https://` address), shown in place of its name.
    pub logo_url: Option<String>,
}

/// A shopper view as the store keeps it: the JSON the projection made when the
/// order was last written. A lookup answers with these bytes as they are; the
/// page parses them to render.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredView(String);

#[cfg(feature = "ssr")]
impl StoredView {
    /// The view of `order`, as stored beside it.
    pub fn of(order: &crate::order::Order) -> Result<StoredView, serde_json::Error> {
        serde_json::to_string(&ShopperView::from(order)).map(StoredView)
    }

    /// Wraps JSON read back from the store.
    pub(crate) fn new(json: String) -> StoredView {
        StoredView(json)
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The JSON text, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The view itself.
    pub fn parse(&self) -> Result<ShopperView, serde_json::Error> {
        serde_json::from_str(&self.0)
    }
}
