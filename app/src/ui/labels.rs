//! Plain-word names and one-sentence explanations for every status a shopper sees.

use crate::status::{FulfillmentStatus, OrderStatus, PaymentStatus, RefundStatus, ReturnStatus, ShipmentStatus};

/// A status as a shopper reads it.
pub struct Label {
    pub name: &'static str,
    pub explanation: &'static str,
}

const fn l(name: &'static str, explanation: &'static str) -> Label {
    Label { name, explanation }
}

pub fn order(s: OrderStatus) -> Label {
    match s {
        OrderStatus::Open => l("Active", "Your order is active."),
        OrderStatus::Archived => l("Completed", "Your order is complete."),
        OrderStatus::Cancelled => l(
            "Cancelled",
            "This order was cancelled. Any money taken is refunded to your original payment method.",
        ),
    }
}

pub fn payment(s: PaymentStatus) -> Label {
    match s {
        PaymentStatus::Pending => l(
            "Payment pending",
            "The store is waiting for your payment to go through.",
        ),
        PaymentStatus::Authorized => l(
            "Authorized",
            "Your payment is approved and will be charged when your order ships.",
        ),
        PaymentStatus::PartiallyPaid => l(
            "Partly paid",
            "Part of the order total has been paid; the rest is still due.",
        ),
        PaymentStatus::Paid => l("Paid", "Your payment has been received."),
        PaymentStatus::PartiallyRefunded => l("Partly refunded", "Part of your payment has been refunded."),
        PaymentStatus::Refunded => l("Refunded", "Your payment has been refunded in full."),
        PaymentStatus::Voided => l(
            "Voided",
            "The payment authorization was cancelled, so no money was taken.",
        ),
        PaymentStatus::Expired => l("Expired", "The payment authorization ran out, so no money was taken."),
    }
}

pub fn fulfillment(s: FulfillmentStatus) -> Label {
    match s {
        FulfillmentStatus::Unfulfilled => l("Being prepared", "The store has your order and will pack it soon."),
        FulfillmentStatus::Scheduled => l("Scheduled", "Your order is scheduled to be prepared on a later date."),
        FulfillmentStatus::OnHold => l(
            "On hold",
            "Your order is paused: the store will contact you if anything is needed.",
        ),
        FulfillmentStatus::InProgress => l("Being packed", "The store is packing your order now."),
        FulfillmentStatus::PartiallyFulfilled => l(
            "Partly shipped",
            "Some of your items are on their way; the rest will follow.",
        ),
        FulfillmentStatus::Fulfilled => l("Shipped", "All of your items have been sent."),
    }
}

pub fn shipment(s: ShipmentStatus) -> Label {
    match s {
        ShipmentStatus::LabelCreated => l(
            "Label created",
            "The parcel is packed and waiting for the carrier to pick it up.",
        ),
        ShipmentStatus::InTransit => l("On the way", "The carrier has your parcel and is moving it toward you."),
        ShipmentStatus::OutForDelivery => l(
            "Out for delivery",
            "The parcel is on the delivery vehicle and should arrive today.",
        ),
        ShipmentStatus::AttemptedDelivery => l(
            "Delivery attempted",
            "The carrier tried to deliver but could not; check the carrier's notice for what happens next.",
        ),
        ShipmentStatus::ReadyForPickup => l("Ready for pickup", "The parcel is waiting for you at the pickup point."),
        ShipmentStatus::Delivered => l("Delivered", "The parcel has been delivered."),
        ShipmentStatus::Failure => l(
            "Delivery problem",
            "The carrier could not deliver the parcel; the store will be in touch.",
        ),
    }
}

pub fn returns(s: ReturnStatus) -> Label {
    match s {
        ReturnStatus::NoReturn => l("No return", "There is no return for this order."),
        ReturnStatus::ReturnRequested => l(
            "Return requested",
            "Your return request has been received and is waiting for the store to approve it.",
        ),
        ReturnStatus::InProgress => l(
            "Return in progress",
            "Your return is approved; send the items back as instructed.",
        ),
        ReturnStatus::InspectionComplete => l(
            "Return inspected",
            "The store has received and checked your returned items.",
        ),
        ReturnStatus::Returned => l("Returned", "Your return is complete."),
        ReturnStatus::Declined => l(
            "Return declined",
            "The store declined this return; they will explain why.",
        ),
        ReturnStatus::ReturnFailed => l(
            "Return problem",
            "Something went wrong with this return; the store will contact you.",
        ),
    }
}

pub fn refund(s: RefundStatus) -> &'static str {
    match s {
        RefundStatus::Pending => "Refund pending",
        RefundStatus::Processing => "Refund processing",
        RefundStatus::Succeeded => "Refunded",
        RefundStatus::Failed => "Refund failed",
        RefundStatus::Cancelled => "Refund cancelled",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_name_and_a_sentence() {
        let all: Vec<Label> = OrderStatus::ALL
            .iter()
            .map(|s| order(*s))
            .chain(PaymentStatus::ALL.iter().map(|s| payment(*s)))
            .chain(FulfillmentStatus::ALL.iter().map(|s| fulfillment(*s)))
            .chain(ShipmentStatus::ALL.iter().map(|s| shipment(*s)))
            .chain(ReturnStatus::ALL.iter().map(|s| returns(*s)))
            .collect();
        for label in all {
            assert!(!label.name.is_empty());
            assert!(label.explanation.ends_with('.'), "{}", label.explanation);
        }
    }
}
