//! What each Shopify delivery does to the stored order, given that order: the
//! webhook handler's decisions, apart from the store and the network, so that
//! they can be tested on their own in every arrival order (DESIGN.md:
//! "platforms are unordered").

use super::{Fulfillment, Refund};
use app::errors::FieldError;
use app::order::{Order, Return, ValidOrder};
use app::store::Decision;

/// An order payload (`orders/*`), validated by `validate_platform` (which
/// leaves it as merging it into nothing would): written as it is when no order
/// is stored; merged into the stored order otherwise.
pub fn order(stored: Option<Order>, incoming: ValidOrder) -> Result<Decision, Vec<FieldError>> {
    match stored {
        None => Ok(Decision::Write(Box::new(incoming))),
        stored => Decision::merged(stored, |order| order.merge(incoming.into_inner())),
    }
}

/// A fulfillment (`fulfillments/*`): its parcel merged into the stored order.
pub fn fulfillment(stored: Option<Order>, fulfillment: &Fulfillment) -> Result<Decision, Vec<FieldError>> {
    Decision::merged(stored, |order| order.merge_shipment(fulfillment.shipment()))
}

/// A refund (`refunds/create`): its lines of history, if it has any.
pub fn refund(stored: Option<Order>, refund: &Refund) -> Result<Decision, Vec<FieldError>> {
    Decision::merged(stored, |order| {
        let events = refund.events_for(order);
        order.merge_events(events)
    })
}

/// A return (`returns/*`): the return as Shopify last described it.
pub fn return_of(stored: Option<Order>, ret: Return) -> Result<Decision, Vec<FieldError>> {
    Decision::merged(stored, |order| order.merge_return(ret))
}

#[cfg(test)]
mod tests;
