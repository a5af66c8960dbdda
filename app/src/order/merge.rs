//! How a platform's deliveries combine into one stored order, whatever order
//! they arrive in (DESIGN.md: "platforms are unordered").
//!
//! An order is a set of independent parts, each kept by its own clock:
//! - the order itself (statuses, totals, items, address, notes): the version with
//!   the latest `updated_at` wins;
//! - each parcel and each return, by id: the version with the latest own
//!   `updated_at` wins, whatever the order's; a return's refund likewise;
//! - the timeline: every event ever delivered, once.
//!
//! Equal clocks are settled by comparing the versions' JSON, so every replica and
//! every arrival order picks the same one. Each part is a maximum, and the
//! timeline a union: merging is commutative, associative and idempotent, which
//! `tests::any_permutation_of_deliveries_ends_the_same` checks.

use super::{instant, Order, Return, Shipment, TimelineEvent};
use crate::status::ReturnStatus;
use serde::Serialize;
use std::cmp::Ordering;

/// What a merge did to the stored order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    /// Something changed: the order must be written.
    Changed,
    /// Nothing changed; the delivery said what is stored already.
    Unchanged,
    /// Nothing changed because what was delivered is older than what is stored.
    Stale,
}

impl Order {
    /// Merges a platform's whole order into this one.
    pub fn merge(&mut self, mut incoming: Order) -> Merge {
        let before = self.clone();
        let shipments = std::mem::take(&mut incoming.shipments);
        let returns = std::mem::take(&mut incoming.returns);
        let timeline = std::mem::take(&mut incoming.timeline);
        // `incoming` is now the order without its parts; `head(self)` is made only on a tie.
        let order = instant(&incoming.updated_at)
            .cmp(&instant(&self.updated_at))
            .then_with(|| tie(&incoming, &head(self)));
        if order == Ordering::Greater {
            let parts = (
                std::mem::take(&mut self.shipments),
                std::mem::take(&mut self.returns),
                std::mem::take(&mut self.timeline),
            );
            *self = incoming;
            (self.shipments, self.returns, self.timeline) = parts;
        }
        for s in shipments {
            keep_latest(&mut self.shipments, s, |s| &s.id, |s| s.updated_at.as_deref(), |s| s);
        }
        for r in returns {
            merge_return(&mut self.returns, r);
        }
        // Each event once: `tidy` sorts them and drops the repeats.
        self.timeline.extend(timeline);
        self.tidy();
        outcome(&before, self, order == Ordering::Less)
    }

    /// Merges one parcel as a platform last described it.
    pub fn merge_shipment(&mut self, incoming: Shipment) -> Merge {
        let before = self.clone();
        let older = keep_latest(
            &mut self.shipments,
            incoming,
            |s| &s.id,
            |s| s.updated_at.as_deref(),
            |s| s,
        ) == Ordering::Less;
        self.tidy();
        outcome(&before, self, older)
    }

    /// Merges one return as a platform last described it.
    pub fn merge_return(&mut self, incoming: Return) -> Merge {
        let before = self.clone();
        let older = self.returns.iter().find(|r| r.id == incoming.id).is_some_and(|stored| {
            version(stored.updated_at.as_deref(), &(), incoming.updated_at.as_deref(), &()) == Ordering::Greater
        });
        merge_return(&mut self.returns, incoming);
        self.tidy();
        outcome(&before, self, older)
    }

    /// Adds events to the history, each once.
    pub fn merge_events(&mut self, events: Vec<TimelineEvent>) -> Merge {
        let before = self.clone();
        self.timeline.extend(events);
        self.tidy();
        outcome(&before, self, false)
    }

    /// Puts the parts in an order that does not depend on arrival: parcels by
    /// when they shipped, returns by when they were asked for, events by time.
    pub(super) fn tidy(&mut self) {
        self.shipments.sort_by(|a, b| {
            (a.shipped_at.as_deref().and_then(instant), &a.id).cmp(&(b.shipped_at.as_deref().and_then(instant), &b.id))
        });
        self.returns
            .sort_by(|a, b| (instant(&a.requested_at), &a.id).cmp(&(instant(&b.requested_at), &b.id)));
        // A platform's order says nothing of its returns: they say it.
        if !self.returns.is_empty() {
            self.return_status = super::validate::derive_return_status(&self.returns);
        }
        self.timeline.sort_by(event_order);
        self.timeline.dedup();
    }
}

fn outcome(before: &Order, after: &Order, older: bool) -> Merge {
    match (before == after, older) {
        (false, _) => Merge::Changed,
        (true, true) => Merge::Stale,
        (true, false) => Merge::Unchanged,
    }
}

/// The order without its parts, for comparing two versions of the order itself.
fn head(order: &Order) -> Order {
    let mut head = order.clone();
    (head.shipments, head.returns, head.timeline) = (vec![], vec![], vec![]);
    head
}

/// How two versions of the order itself compare at one clock: by their JSON
/// without the return status, then with it. A stored order's status of its
/// returns is the returns' (`tidy`), which says which returns had arrived, not
/// what was delivered: compared first, it let a return's arrival decide
/// between two versions. Where versions differ in nothing else, the returns
/// settle the status whichever is kept.
fn tie(a: &Order, b: &Order) -> Ordering {
    let without = |o: &Order| Order {
        return_status: ReturnStatus::NoReturn,
        ..o.clone()
    };
    json(&without(a))
        .cmp(&json(&without(b)))
        .then_with(|| json(a).cmp(&json(b)))
}

/// How version `a` compares with version `b`: by clock (no clock, or one that
/// does not parse, is oldest), then by JSON text.
fn version<T: Serialize>(a_clock: Option<&str>, a: &T, b_clock: Option<&str>, b: &T) -> Ordering {
    a_clock
        .and_then(instant)
        .cmp(&b_clock.and_then(instant))
        .then_with(|| json(a).cmp(&json(b)))
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Keeps, among `list`'s entry with `incoming`'s id and `incoming`, the later
/// version (compared on `compared`). Returns how `incoming` compared.
fn keep_latest<T: Clone, C: Serialize>(
    list: &mut Vec<T>,
    incoming: T,
    id: impl Fn(&T) -> &String,
    clock: impl Fn(&T) -> Option<&str>,
    compared: impl Fn(&T) -> &C,
) -> Ordering {
    match list.iter_mut().find(|s| id(s) == id(&incoming)) {
        None => {
            list.push(incoming);
            Ordering::Greater
        }
        Some(stored) => {
            let order = version(clock(&incoming), compared(&incoming), clock(stored), compared(stored));
            if order == Ordering::Greater {
                *stored = incoming;
            }
            order
        }
    }
}

/// A return is kept by its own clock, and its refund by the refund's.
fn merge_return(list: &mut Vec<Return>, incoming: Return) {
    let Some(stored) = list.iter_mut().find(|r| r.id == incoming.id) else {
        list.push(incoming);
        return;
    };
    // Compared without the parts kept apart: the refund (by its own clock),
    // when it was asked for (the earliest word of it) and its items (all
    // that any word of it named).
    let without_refund = |r: &Return| Return {
        refund: None,
        requested_at: String::new(),
        line_items: vec![],
        ..r.clone()
    };
    let refunds = [stored.refund.take(), incoming.refund.clone()];
    // Its items are every item any word of it named, each with the most of
    // it named (Shopify's later steps of a return name none): a union, so
    // the same whatever the arrival.
    let mut items = stored.line_items.clone();
    for item in &incoming.line_items {
        match items.iter_mut().find(|i| i.id == item.id) {
            Some(known) => known.quantity = known.quantity.max(item.quantity),
            None => items.push(item.clone()),
        }
    }
    items.sort_by(|a, b| a.id.cmp(&b.id));
    let asked = [incoming.requested_at.clone(), stored.requested_at.clone()];
    if version(
        incoming.updated_at.as_deref(),
        &without_refund(&incoming),
        stored.updated_at.as_deref(),
        &without_refund(stored),
    ) == Ordering::Greater
    {
        *stored = incoming;
    }
    stored.refund = refunds
        .into_iter()
        .flatten()
        .max_by(|a, b| version(a.updated_at.as_deref(), a, b.updated_at.as_deref(), b));
    stored.line_items = items;
    // Asked for when first heard of, whichever word of it came first.
    if let Some(first) = asked
        .into_iter()
        .min_by(|a, b| instant(a).cmp(&instant(b)).then_with(|| a.cmp(b)))
    {
        stored.requested_at = first;
    }
}

/// Events by time; at one moment, a refund's failure after the refund's own
/// line (both are said at the refund's time), so that the history reads as
/// it happened; then by their text, so that the order is the same whatever
/// the arrival.
fn event_order(a: &TimelineEvent, b: &TimelineEvent) -> Ordering {
    let after = |e: &TimelineEvent| e.kind == "refund_failed";
    (instant(&a.at), after(a), &a.kind, &a.message, a.visibility.as_str()).cmp(&(
        instant(&b.at),
        after(b),
        &b.kind,
        &b.message,
        b.visibility.as_str(),
    ))
}

#[cfg(test)]
pub(crate) mod tests;
