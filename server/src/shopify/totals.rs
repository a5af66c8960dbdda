//! A Shopify order's totals, as the shopper's page adds them up: subtotal,
//! plus shipping, plus tax unless the prices include it, less discounts.

use super::amount;
use super::payload::ShopifyOrder;
use app::order::{items_sum, LineItemInput, TotalsInput};

/// The totals of `o`, whose items are `items`. The subtotal is before
/// discounts, which are listed apart (Shopify's own `subtotal_price` is after
/// them, so they would count twice); the plain `total_line_items_price` is in
/// the shop's currency, not always the shopper's, so only its set is read.
/// Once `edited` (an order edit or a refund took items off), the items listed
/// are what is left, and so are the totals: the subtotal is theirs, and the
/// rest Shopify's `current_*` amounts.
pub(super) fn of(o: &ShopifyOrder, items: &[LineItemInput], edited: bool) -> TotalsInput {
    let current = |set: &Option<_>, or: Option<String>| match (edited, set) {
        (true, Some(set)) => Some(amount(Some(set), None)),
        _ => or,
    };
    let subtotal = match &o.total_line_items_price_set {
        Some(set) => amount(Some(set), None),
        None => amount(o.subtotal_price_set.as_ref(), o.subtotal_price.as_ref()),
    };
    TotalsInput {
        subtotal: Some(match edited {
            true => items_sum(items).unwrap_or(subtotal),
            false => subtotal,
        }),
        shipping: Some(amount(o.total_shipping_price_set.as_ref(), None)),
        tax: current(
            &o.current_total_tax_set,
            Some(amount(o.total_tax_set.as_ref(), o.total_tax.as_ref())),
        ),
        discounts: current(
            &o.current_total_discounts_set,
            Some(amount(o.total_discounts_set.as_ref(), o.total_discounts.as_ref())),
        ),
        total: current(
            &o.current_total_price_set,
            Some(amount(o.total_price_set.as_ref(), o.total_price.as_ref())),
        ),
        tax_included: o.taxes_included,
    }
}
