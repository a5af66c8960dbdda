//! A Shopify refund as lines of the order's history, in Lookout's own words
//! (`app::own_words`, said in the shopper's language).

use super::payload::{Refund, Transaction};
use super::utc;
use app::order::{Order, TimelineEvent};
use app::own_words::RefundWord;
use app::status::Visibility;

/// What a refund did, as lines for the order's history: the money given
/// back ("Refund of … issued": transactions that succeeded, or say nothing
/// of it), the money on its way ("Refund of … pending": `pending`), and the
/// money the payment provider refused to give back ("Refund of … failed":
/// `failure` or `error`). None when it has no refund transaction. A pending
/// transaction that succeeds or fails later adds the line it then says, so
/// the history tells what happened, in order.
pub(super) fn events(r: &Refund, currency: &str) -> Vec<TimelineEvent> {
    let refunds: Vec<&Transaction> = r
        .transactions
        .iter()
        .filter(|t| t.kind.as_deref() == Some("refund"))
        .collect();
    let with = |kind: fn(Option<&str>) -> bool| -> Vec<&Transaction> {
        refunds.iter().copied().filter(|t| kind(t.status.as_deref())).collect()
    };
    let given = with(|s| !matches!(s, Some("pending" | "failure" | "error")));
    let pending = with(|s| s == Some("pending"));
    let failed = with(|s| matches!(s, Some("failure" | "error")));
    let at = utc(r.created_at.as_deref().unwrap_or_default());
    let line = |transactions: &[&Transaction], word: RefundWord| {
        let first = transactions.first()?;
        let currency = first.currency.as_deref().unwrap_or(currency);
        let amounts: Vec<&str> = transactions.iter().filter_map(|t| t.amount.as_deref()).collect();
        Some(
            TimelineEvent {
                at: at.clone(),
                kind: word.kind().to_string(),
                message: word.sentence(&amounts, currency),
                visibility: Visibility::Customer,
            }
            .fitted(),
        )
    };
    [
        line(&pending, RefundWord::Pending),
        line(&given, RefundWord::Issued),
        line(&failed, RefundWord::Failed),
    ]
    .into_iter()
    .flatten()
    .collect()
}

impl Refund {
    /// When the refund was made, in UTC.
    pub fn created_at(&self) -> Option<String> {
        self.created_at.as_deref().map(utc)
    }

    /// The lines this refund adds to `order`'s history ([`events`]). Whether
    /// it refunded everything is for the `orders/updated` that Shopify sends
    /// with it to say; until then the shopper sees the order as partly
    /// refunded (`projection`).
    pub fn events_for(&self, order: &Order) -> Vec<TimelineEvent> {
        events(self, &order.currency)
    }
}
