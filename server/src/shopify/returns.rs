//! A Shopify return (`returns/*` topics) as a Lookout return, merged into the
//! order it belongs to. A return's payload carries no time of its own: the
//! delivery's `X-Shopify-Triggered-At` is its clock, and the earliest word of
//! it is when it was asked for. Its status says where it stands; a return
//! cancelled is kept for the merchant and hidden from the shopper.

use super::payload::Id;
use super::utc_to;
use app::order::{ItemRef, Return, LIMITS};
use app::status::ReturnStatus;
use chrono::SecondsFormat;
use serde::Deserialize;

/// The topics of a return's life.
pub const RETURN_TOPICS: &[&str] = &[
    "returns/request",
    "returns/approve",
    "returns/decline",
    "returns/cancel",
    "returns/close",
    "returns/reopen",
];

#[derive(Debug, Deserialize)]
struct OrderRef {
    id: Id,
}

#[derive(Debug, Deserialize)]
struct LineRef {
    id: Id,
}

#[derive(Debug, Deserialize)]
struct FulfillmentLineRef {
    line_item: Option<LineRef>,
}

#[derive(Debug, Deserialize)]
struct ReturnLine {
    quantity: Option<u32>,
    fulfillment_line_item: Option<FulfillmentLineRef>,
    line_item: Option<LineRef>,
}

/// The parts of Shopify's return Lookout reads.
#[derive(Debug, Deserialize)]
pub struct ShopifyReturn {
    id: Id,
    status: Option<String>,
    order: Option<OrderRef>,
    order_id: Option<Id>,
    #[serde(default)]
    return_line_items: Vec<ReturnLine>,
}

impl ShopifyReturn {
    /// Shopify's id of the order, when the payload names it.
    pub fn order_id(&self) -> Option<&Id> {
        self.order.as_ref().map(|o| &o.id).or(self.order_id.as_ref())
    }

    /// The key a return is remembered by, beside its order's own id: the
    /// payloads of its later steps may name only the return.
    pub fn link(&self) -> String {
        format!("return:{}", self.id.text())
    }

    /// This return as Shopify described it at `at` (RFC 3339), under `topic`.
    pub fn to_return(&self, topic: &str, at: &str) -> Return {
        // To the nanosecond Shopify gives: two steps in one second (an
        // approval made by a rule) are still one after the other.
        let at = utc_to(at, SecondsFormat::AutoSi);
        let word = self.status.as_deref().map(str::to_ascii_lowercase);
        let word = word.as_deref().unwrap_or(match topic {
            "returns/request" => "requested",
            "returns/decline" => "declined",
            "returns/cancel" => "canceled",
            "returns/close" => "closed",
            _ => "open",
        });
        let (status, cancelled) = match word {
            "requested" => (ReturnStatus::ReturnRequested, false),
            "declined" => (ReturnStatus::Declined, false),
            "closed" => (ReturnStatus::Returned, false),
            "canceled" | "cancelled" => (ReturnStatus::ReturnRequested, true),
            // `open`: approved, the items on their way back.
            _ => (ReturnStatus::InProgress, false),
        };
        Return {
            id: self.id.text(),
            status,
            requested_at: at.clone(),
            line_items: self
                .return_line_items
                .iter()
                .filter_map(|l| {
                    let line = l
                        .line_item
                        .as_ref()
                        .or_else(|| l.fulfillment_line_item.as_ref()?.line_item.as_ref())?;
                    Some(ItemRef {
                        id: line.id.text(),
                        quantity: l.quantity.filter(|q| *q > 0)?,
                    })
                })
                // As many as an order may have: more are not kept (as a
                // platform's overlong text is cut, not refused).
                .take(LIMITS.line_items)
                .collect(),
            reason: None,
            refund: None,
            updated_at: Some(at.clone()),
            cancelled_at: cancelled.then_some(at),
        }
    }
}
