//! The order's way so far: where each step of the progress bar stands, and one
//! history merged from the merchant's events and what the order itself tells.

use crate::format::money;
use crate::i18n::{t, t_args, Locale};
use crate::own_words::{self, OwnWords, RefundWord};
use crate::status::{FulfillmentStatus, OrderStatus, PaymentStatus, ShipmentStatus};
use crate::view::ShopperView;

/// Where a step of the progress bar stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Done,
    Current,
    Todo,
    /// Not done, and something stands in its way: the payment expired, the
    /// store holds the order, a parcel could not be delivered.
    HeldUp,
}

impl Step {
    pub(super) fn word(self) -> &'static str {
        match self {
            Step::Done => "done",
            Step::Current => "current",
            Step::Todo => "todo",
            Step::HeldUp => "held",
        }
    }

    pub(super) fn key(self) -> &'static str {
        match self {
            Step::Done => "progress.done",
            Step::Current => "progress.current",
            Step::Todo => "progress.todo",
            Step::HeldUp => "progress.held",
        }
    }
}

/// An order nothing more will be sent for: cancelled, or its payment refunded
/// in full or voided. What is still to be sent will not be ("the rest will
/// follow" would be false).
pub fn stopped(order: &ShopperView) -> bool {
    order.status == OrderStatus::Cancelled
        || matches!(order.payment_status, PaymentStatus::Refunded | PaymentStatus::Voided)
}

/// Whether something of the order has left the store: it says all or part
/// was sent, or a parcel is past its label.
pub fn sent(order: &ShopperView) -> bool {
    matches!(
        order.fulfillment_status,
        FulfillmentStatus::Fulfilled | FulfillmentStatus::PartiallyFulfilled
    ) || order.shipments.iter().any(|s| s.status != ShipmentStatus::LabelCreated)
}

/// The order as its page shows it: a [`stopped`] order's parcels that only
/// have their label are left out (no carrier will pick them up). The JSON
/// keeps them: its reader decides.
pub fn as_shown(mut order: ShopperView) -> ShopperView {
    if stopped(&order) {
        order.shipments.retain(|s| s.status != ShipmentStatus::LabelCreated);
    }
    order
}

/// An order [`stopped`] before anything left (a parcel may have its label).
/// Its page shows no delivery and no way forward ("will pack it soon" would
/// be false).
pub fn called_off(order: &ShopperView) -> bool {
    let unsent = !sent(order)
        && matches!(
            order.fulfillment_status,
            FulfillmentStatus::Unfulfilled
                | FulfillmentStatus::Scheduled
                | FulfillmentStatus::OnHold
                | FulfillmentStatus::InProgress
        );
    stopped(order) && unsent
}

/// The five steps (placed, paid, shipped, out for delivery, delivered) and where each
/// stands, or `None` for a cancelled order, which has no way forward to show, for
/// one [`stopped`] before all of it was sent (what was to follow will not), and
/// for one [`called_off`]. An order sent with no parcel to follow (a download, or
/// a store that gives no tracking) ends at "shipped": nothing says when it
/// arrives, and "out for delivery" would be its next step for ever.
/// A step is done only when it really happened: an authorized payment is not "paid"
/// even after the parcel left. The step after the last one done is the next one (read out as "next step").
pub fn progress(order: &ShopperView) -> Option<Vec<(&'static str, Step)>> {
    let partly_stopped = stopped(order) && order.fulfillment_status != FulfillmentStatus::Fulfilled;
    if order.status == OrderStatus::Cancelled || partly_stopped || called_off(order) {
        return None;
    }
    let shipments = &order.shipments;
    let paid = matches!(
        order.payment_status,
        PaymentStatus::Paid | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
    );
    let shipped = sent(order);
    let out = shipments.iter().any(|s| {
        matches!(
            s.status,
            ShipmentStatus::OutForDelivery
                | ShipmentStatus::AttemptedDelivery
                | ShipmentStatus::ReadyForPickup
                | ShipmentStatus::Delivered
        )
    });
    let delivered = !shipments.is_empty()
        && order.fulfillment_status == FulfillmentStatus::Fulfilled
        && shipments.iter().all(|s| s.status == ShipmentStatus::Delivered);
    let done = [true, paid, shipped, out, delivered];
    // What stands in a step's way, said as "held up" rather than "next step".
    let failed = shipments.iter().any(|s| s.status == ShipmentStatus::Failure);
    let held = [
        false,
        order.payment_status == PaymentStatus::Expired,
        order.fulfillment_status == FulfillmentStatus::OnHold,
        failed,
        failed,
    ];
    let last_done = done.iter().rposition(|d| *d).unwrap_or(0);
    let keys = ["placed", "paid", "shipped", "out_for_delivery", "delivered"];
    let steps = match shipments.is_empty() && order.fulfillment_status == FulfillmentStatus::Fulfilled {
        true => 3,
        false => keys.len(),
    };
    Some(
        keys[..steps]
            .iter()
            .zip(done)
            .enumerate()
            .map(|(i, (key, is_done))| {
                let state = if is_done {
                    Step::Done
                } else if held[i] {
                    Step::HeldUp
                } else if i == last_done + 1 {
                    Step::Current
                } else {
                    Step::Todo
                };
                (*key, state)
            })
            .collect(),
    )
}

/// One history in time order: the merchant's customer events, plus what the
/// order itself tells (placed, parcels shipped and delivered, returns requested)
/// unless the merchant's events already say it. Each merchant event of a
/// parcel's kind (`shipped`, `delivered`) says it of one parcel: the earliest
/// parcels' lines are left out, as many as it has such events, and a parcel
/// sent later still has its own.
pub fn history(order: &ShopperView, locale: Locale) -> Vec<(String, String)> {
    let count = |kind: &str| order.timeline.iter().filter(|e| e.kind == kind).count();
    let mut entries: Vec<(String, String)> = order
        .timeline
        .iter()
        .map(|e| (e.at.clone(), said(&e.kind, &e.message, locale)))
        .collect();
    if count("placed") == 0 {
        entries.push((order.placed_at.clone(), t(locale, "timeline.placed")));
    }
    let mut shipped = vec![];
    let mut delivered = vec![];
    for (i, s) in order.shipments.iter().enumerate() {
        let n = (i + 1).to_string();
        if let Some(at) = &s.shipped_at {
            let text = match &s.carrier {
                Some(c) => t_args(locale, "timeline.shipped", &[("n", &n), ("carrier", c)]),
                None => t_args(locale, "timeline.shipped_plain", &[("n", &n)]),
            };
            shipped.push((at.clone(), text));
        }
        if let Some(at) = &s.delivered_at {
            delivered.push((at.clone(), t_args(locale, "timeline.delivered", &[("n", &n)])));
        }
    }
    for (mut lines, kind) in [(shipped, "shipped"), (delivered, "delivered")] {
        lines.sort_by(|a, b| crate::order::by_time(&a.0, &b.0));
        entries.extend(lines.into_iter().skip(count(kind)));
    }
    if count("return_requested") == 0 && count("return") == 0 {
        for r in &order.returns {
            entries.push((r.requested_at.clone(), t(locale, "timeline.return_requested")));
        }
    }
    entries.sort_by(|a, b| crate::order::by_time(&a.0, &b.0));
    entries
}

/// An event's message as the page says it: Lookout's own sentences (for a
/// platform's facts, [`own_words`]) in the shopper's language, a merchant's as
/// written.
fn said(kind: &str, message: &str, locale: Locale) -> String {
    match own_words::read(kind, message) {
        Some(OwnWords::Placed) => t(locale, "timeline.placed"),
        Some(OwnWords::Refund {
            word,
            amounts,
            currency,
        }) => {
            let key = match word {
                RefundWord::Issued => "timeline.refunded",
                RefundWord::Pending => "timeline.refund_pending",
                RefundWord::Failed => "timeline.refund_failed",
            };
            let amounts: Vec<String> = amounts.iter().map(|a| money(a, currency, locale)).collect();
            t_args(locale, key, &[("amount", &amounts.join(" + "))])
        }
        None => message.to_string(),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests;
