//! What a write of one order decided and did: the change's decision, given
//! the stored order, and what came of it (`writes` carries them out).

use crate::errors::FieldError;
use crate::order::merge::Merge;
use crate::order::{Order, ValidOrder};

/// Whether a write created the order or replaced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    Created,
    Replaced,
}

/// What a change decided, given the stored order.
#[derive(Debug)]
pub enum Decision {
    /// Write this order.
    Write(Box<ValidOrder>),
    /// The stored order already says this.
    Unchanged,
    /// The stored order is newer than this change.
    Stale,
    /// There is no order to change (the delivery is not recorded, so a retry after
    /// the order arrives is applied).
    UnknownOrder,
}

impl Decision {
    /// Merges a platform's delivery into the stored order (`merge` says what it
    /// changed) and decides: write the result if it changed (when it is still
    /// valid as a platform's order, [`ValidOrder::check_merged`]: its parcels
    /// may name items it does not list), else nothing; no stored order is an
    /// unknown one.
    pub fn merged(stored: Option<Order>, merge: impl FnOnce(&mut Order) -> Merge) -> Result<Decision, Vec<FieldError>> {
        let Some(mut order) = stored else {
            return Ok(Decision::UnknownOrder);
        };
        match merge(&mut order) {
            Merge::Changed => ValidOrder::check_merged(order).map(|order| Decision::Write(Box::new(order))),
            Merge::Unchanged => Ok(Decision::Unchanged),
            Merge::Stale => Ok(Decision::Stale),
        }
    }
}

/// What [`Store::update_order`](super::Store::update_order) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Updated {
    Created,
    Replaced,
    Unchanged,
    Stale,
    UnknownOrder,
    /// The delivery was applied before; nothing was done.
    Duplicate,
    /// A platform's delivery of an order that was erased and not stored
    /// again since: nothing was done, the delivery is not recorded.
    Erased,
}

/// Which of the platform's orders a delivery names, by the platform's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformOrder {
    /// None: the delivery names its order only by number.
    Unnamed,
    /// The order's own delivery (an `orders/*` topic): linked to the order.
    Own(String),
    /// A delivery about the order (a parcel): not linked.
    About(String),
    /// A return's step: linked by the return's own id (`link`, `return:…`),
    /// and merged only into the order that `order` (the platform's id of the
    /// order it is a return of, when the delivery names it) still holds.
    Return { order: Option<String>, link: String },
}

impl PlatformOrder {
    /// The platform's ids the delivery names (its own, and its order's).
    pub(super) fn ids(&self) -> Vec<&str> {
        match self {
            PlatformOrder::Unnamed => vec![],
            PlatformOrder::Own(id) | PlatformOrder::About(id) => vec![id],
            PlatformOrder::Return { order, link } => order.iter().map(String::as_str).chain([link.as_str()]).collect(),
        }
    }
}
