//! A Shopify order's totals, as the shopper's page adds them up: subtotal,
//! plus shipping, plus tax unless the prices include it, less discounts.

use super::amount;
use super::payload::{MoneySet, ShopifyOrder};
use app::order::{items_sum, LineItemInput, TotalsInput};

/// The totals of `o`, whose items are `items`. The subtotal is before
/// discounts, which are listed apart (Shopify's own `subtotal_price` is after
/// them, so they would count twice); the plain `total_line_items_price` is in
/// the shop's currency, not always the shopper's, so only its set is read.
/// Once `edited` (an order edit or a refund took items off), the items listed
/// are what is left, and so are the totals: the subtotal is theirs, and the
/// rest Shopify's `current_*` amounts (shipping, tax, discounts, total).
pub(super) fn of(o: &ShopifyOrder, items: &[LineItemInput], edited: bool) -> TotalsInput {
    // Once edited, the current amount when Shopify gives one (its set, else
    // the plain amount), else the original.
    // A plain amount is in the shop's currency: read only when the shopper
    // paid in it.
    let shop_currency = o.presentment_currency.is_none() || o.presentment_currency == o.currency;
    let current = |set: &Option<MoneySet>, plain: &Option<String>, original: String| {
        let plain = plain.as_ref().filter(|_| shop_currency);
        match (edited, set.is_some() || plain.is_some()) {
            (true, true) => amount(set.as_ref(), plain),
            _ => original,
        }
    };
    let subtotal = match &o.total_line_items_price_set {
        Some(set) => amount(Some(set), None),
        None => amount(o.subtotal_price_set.as_ref(), o.subtotal_price.as_ref()),
    };
    let shipping = amount(o.total_shipping_price_set.as_ref(), None);
    let tax = amount(o.total_tax_set.as_ref(), o.total_tax.as_ref());
    let discounts = amount(o.total_discounts_set.as_ref(), o.total_discounts.as_ref());
    let total = amount(o.total_price_set.as_ref(), o.total_price.as_ref());
    TotalsInput {
        subtotal: Some(match edited {
            true => items_sum(items).unwrap_or(subtotal),
            false => subtotal,
        }),
        shipping: Some(current(&o.current_shipping_price_set, &None, shipping)),
        tax: Some(current(&o.current_total_tax_set, &o.current_total_tax, tax)),
        discounts: Some(current(
            &o.current_total_discounts_set,
            &o.current_total_discounts,
            discounts,
        )),
        total: Some(current(&o.current_total_price_set, &o.current_total_price, total)),
        tax_included: o.taxes_included,
    }
}
