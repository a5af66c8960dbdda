//! The order body as received (docs/api.md, "The order body"): every field
//! optional, so that every problem is reported at once. REST bodies and import
//! lines are parsed into it; Shopify payloads, CSV rows and the demo build it.

use super::{Address, ItemRef, Order, Shipment, TimelineEvent};
use crate::errors::FieldError;
use serde::{Deserialize, Serialize};

/// The shipping address as received: the stored shape, every part optional.
pub type AddressInput = Address;

/// An order body before validation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(expecting = "a JSON object")]
pub struct OrderInput {
    pub order_number: Option<String>,
    pub email: Option<String>,
    pub placed_at: Option<String>,
    pub updated_at: Option<String>,
    pub status: Option<String>,
    pub cancel_reason: Option<String>,
    pub payment_status: Option<String>,
    pub fulfillment_status: Option<String>,
    pub hold_reason: Option<String>,
    pub scheduled_at: Option<String>,
    pub return_status: Option<String>,
    pub currency: Option<String>,
    pub totals: Option<TotalsInput>,
    #[serde(default)]
    pub line_items: Vec<LineItemInput>,
    #[serde(default)]
    pub shipments: Vec<ShipmentInput>,
    #[serde(default)]
    pub returns: Vec<ReturnInput>,
    #[serde(default)]
    pub timeline: Vec<TimelineEventInput>,
    pub shipping_address: Option<AddressInput>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(expecting = "a JSON object")]
pub struct TotalsInput {
    pub subtotal: Option<String>,
    pub shipping: Option<String>,
    pub tax: Option<String>,
    pub discounts: Option<String>,
    pub total: Option<String>,
    pub tax_included: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(expecting = "a JSON object")]
pub struct LineItemInput {
    pub id: Option<String>,
    pub title: Option<String>,
    pub variant: Option<String>,
    pub quantity: Option<u32>,
    pub price: Option<String>,
    pub image_url: Option<String>,
    pub sku: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(expecting = "a JSON object")]
pub struct ItemRefInput {
    pub id: Option<String>,
    pub quantity: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(expecting = "a JSON object")]
pub struct ShipmentInput {
    pub id: Option<String>,
    pub status: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    #[serde(default)]
    pub more_tracking: Vec<TrackingInput>,
    pub estimated_delivery: Option<String>,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
    #[serde(default)]
    pub line_items: Vec<ItemRefInput>,
    #[serde(default)]
    pub events: Vec<TrackingEventInput>,
    pub updated_at: Option<String>,
    pub cancelled_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(expecting = "a JSON object")]
pub struct TrackingInput {
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(expecting = "a JSON object")]
pub struct TrackingEventInput {
    pub at: Option<String>,
    pub status: Option<String>,
    pub message: Option<String>,
    pub location: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(expecting = "a JSON object")]
pub struct ReturnInput {
    pub id: Option<String>,
    pub status: Option<String>,
    pub requested_at: Option<String>,
    #[serde(default)]
    pub line_items: Vec<ItemRefInput>,
    pub reason: Option<String>,
    pub refund: Option<RefundInput>,
    pub updated_at: Option<String>,
    pub cancelled_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(expecting = "a JSON object")]
pub struct RefundInput {
    pub status: Option<String>,
    pub amount: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(expecting = "a JSON object")]
pub struct TimelineEventInput {
    pub at: Option<String>,
    pub kind: Option<String>,
    pub message: Option<String>,
    pub visibility: Option<String>,
}

/// The fields that hold an amount, by the last part of their path.
const MONEY_FIELDS: [&str; 7] = ["subtotal", "shipping", "tax", "discounts", "total", "price", "amount"];

/// Parses an order body. A body that is not JSON of the right shape is one
/// `malformed` error naming the deepest field known (`shipments[0].status`).
pub fn parse_input(body: &[u8]) -> Result<OrderInput, Vec<FieldError>> {
    // A byte order mark, as some editors and Windows tools write before JSON
    // (an import's first line may have one too): not part of the order.
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if body.trim_ascii().is_empty() {
        let message = "The body is empty: send the order as a JSON object (docs/api.md).";
        return Err(vec![FieldError::new("body", "malformed", message)]);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let input: OrderInput = match serde_path_to_error::deserialize(&mut de) {
        Ok(input) => input,
        Err(err) => {
            let field = FieldError::field_at(&err.path().to_string());
            let inner = err.into_inner();
            let message = if inner.is_syntax() || inner.is_eof() {
                format!("The body is not valid JSON: {inner}")
            } else {
                // A quantity is a u32 to serde; to a merchant, a whole number.
                let inner = inner
                    .to_string()
                    .replace("expected u32", "expected a whole number from 0 to 4294967295");
                // An amount sent as a JSON number: say what it must be.
                let amount = MONEY_FIELDS.iter().any(|f| field.ends_with(f)) && inner.contains("expected a string");
                let hint = if amount {
                    " (an amount is a decimal string such as \"10.00\")"
                } else {
                    ""
                };
                format!("Wrong type: {inner}{hint}")
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
    Ok(input)
}

// ---- A stored order as input again, to be checked after a change.

impl From<Order> for OrderInput {
    fn from(o: Order) -> Self {
        OrderInput {
            order_number: Some(o.order_number),
            email: Some(o.email),
            placed_at: Some(o.placed_at),
            updated_at: Some(o.updated_at),
            status: Some(o.status.as_str().to_string()),
            cancel_reason: o.cancel_reason,
            payment_status: Some(o.payment_status.as_str().to_string()),
            fulfillment_status: Some(o.fulfillment_status.as_str().to_string()),
            hold_reason: o.hold_reason,
            scheduled_at: o.scheduled_at,
            return_status: Some(o.return_status.as_str().to_string()),
            currency: Some(o.currency),
            totals: Some(TotalsInput {
                subtotal: Some(o.totals.subtotal),
                shipping: Some(o.totals.shipping),
                tax: Some(o.totals.tax),
                discounts: Some(o.totals.discounts),
                total: Some(o.totals.total),
                tax_included: Some(o.totals.tax_included),
            }),
            line_items: o
                .line_items
                .into_iter()
                .map(|li| LineItemInput {
                    id: Some(li.id),
                    title: Some(li.title),
                    variant: li.variant,
                    quantity: Some(li.quantity),
                    price: Some(li.price),
                    image_url: li.image_url,
                    sku: li.sku,
                })
                .collect(),
            shipments: o.shipments.into_iter().map(ShipmentInput::from).collect(),
            returns: o
                .returns
                .into_iter()
                .map(|r| ReturnInput {
                    id: Some(r.id),
                    status: Some(r.status.as_str().to_string()),
                    requested_at: Some(r.requested_at),
                    line_items: refs(r.line_items),
                    reason: r.reason,
                    refund: r.refund.map(|f| RefundInput {
                        status: Some(f.status.as_str().to_string()),
                        amount: Some(f.amount),
                        updated_at: f.updated_at,
                    }),
                    updated_at: r.updated_at,
                    cancelled_at: r.cancelled_at,
                })
                .collect(),
            timeline: o.timeline.into_iter().map(TimelineEventInput::from).collect(),
            shipping_address: o.shipping_address,
            tags: o.tags,
            note: o.note,
        }
    }
}

/// Item references as input again.
fn refs(refs: Vec<ItemRef>) -> Vec<ItemRefInput> {
    refs.into_iter()
        .map(|r| ItemRefInput {
            id: Some(r.id),
            quantity: Some(r.quantity),
        })
        .collect()
}

impl From<Shipment> for ShipmentInput {
    fn from(s: Shipment) -> Self {
        ShipmentInput {
            id: Some(s.id),
            status: Some(s.status.as_str().to_string()),
            carrier: s.carrier,
            tracking_number: s.tracking_number,
            tracking_url: s.tracking_url,
            more_tracking: s
                .more_tracking
                .into_iter()
                .map(|t| TrackingInput {
                    tracking_number: t.tracking_number,
                    tracking_url: t.tracking_url,
                })
                .collect(),
            estimated_delivery: s.estimated_delivery,
            shipped_at: s.shipped_at,
            delivered_at: s.delivered_at,
            line_items: refs(s.line_items),
            events: s
                .events
                .into_iter()
                .map(|e| TrackingEventInput {
                    at: Some(e.at),
                    status: Some(e.status.as_str().to_string()),
                    message: e.message,
                    location: e.location,
                })
                .collect(),
            updated_at: s.updated_at,
            cancelled_at: s.cancelled_at,
        }
    }
}

impl From<TimelineEvent> for TimelineEventInput {
    fn from(t: TimelineEvent) -> Self {
        TimelineEventInput {
            at: Some(t.at),
            kind: Some(t.kind),
            message: Some(t.message),
            visibility: Some(t.visibility.as_str().to_string()),
        }
    }
}

/// The sum of the items' price × quantity (`12.50` × 2 = `25.00`): an
/// import's subtotal when the file gives none, a Shopify order's once edits
/// or refunds took items off it. None when a price or quantity cannot be read
/// (validation then says which). Prices have at most four decimals.
pub fn items_sum(items: &[LineItemInput]) -> Option<String> {
    let mut places = 2;
    let mut sum: u128 = 0;
    for item in items {
        // An amount as validation reads one, or validation names the price.
        let price = item.price.as_deref()?.trim();
        if !super::is_money(price) {
            return None;
        }
        let (whole, part) = price.split_once('.').unwrap_or((price, ""));
        places = places.max(part.len());
        let units: u128 = format!("{whole}{part:0<4}").parse().ok()?;
        sum = sum.checked_add(units.checked_mul(u128::from(item.quantity?))?)?;
    }
    let part = format!("{:04}", sum % 10_000);
    Some(format!("{}.{}", sum / 10_000, &part[..places]))
}
