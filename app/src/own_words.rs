//! Sentences Lookout writes into an order's history itself, for a platform that
//! sends facts rather than sentences (Shopify: an order placed, a refund issued).
//! They are made here and read back here, so that a shopper's page says them in
//! the shopper's language while the stored order and the JSON keep them as
//! written. A merchant's own sentence is never one of these unless it is word
//! for word the same, and is then said in the shopper's language too.

/// The history's line for an order placed.
pub const PLACED: &str = "Order placed";

/// The history's line for a refund of `amounts` (decimal text, one per refund
/// transaction) in `currency`.
pub fn refund(amounts: &[&str], currency: &str) -> String {
    RefundWord::Issued.sentence(amounts, currency)
}

/// The history's line for refund transactions of `amounts` in `currency` the
/// payment provider has not settled yet: money on its way back, or not.
pub fn refund_pending(amounts: &[&str], currency: &str) -> String {
    RefundWord::Pending.sentence(amounts, currency)
}

/// The history's line for refund transactions of `amounts` in `currency` that
/// the payment provider refused: no money went back for them.
pub fn refund_failed(amounts: &[&str], currency: &str) -> String {
    RefundWord::Failed.sentence(amounts, currency)
}

/// Where a refund's money stands, as its line of history says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundWord {
    /// Given back (`refunded`).
    Issued,
    /// On its way (`refund_pending`).
    Pending,
    /// Refused by the payment provider (`refund_failed`).
    Failed,
}

impl RefundWord {
    /// Its line's sentence: "Refund of {amounts} {currency} {word}".
    pub fn sentence(self, amounts: &[&str], currency: &str) -> String {
        format!(
            "Refund of {} {currency}{}",
            amounts.join(" + "),
            self.kind_and_ending().1
        )
    }

    /// The event kind of its line.
    pub fn kind(self) -> &'static str {
        self.kind_and_ending().0
    }

    /// The event kind of its line, and the word its sentence ends with.
    fn kind_and_ending(self) -> (&'static str, &'static str) {
        match self {
            RefundWord::Issued => ("refunded", " issued"),
            RefundWord::Pending => ("refund_pending", " pending"),
            RefundWord::Failed => ("refund_failed", " failed"),
        }
    }
}

/// One of Lookout's own sentences, read back.
#[derive(Debug, PartialEq, Eq)]
pub enum OwnWords<'a> {
    Placed,
    Refund {
        word: RefundWord,
        amounts: Vec<&'a str>,
        currency: &'a str,
    },
}

/// The sentence an event of `kind` says in `message`, if Lookout wrote it.
pub fn read<'a>(kind: &str, message: &'a str) -> Option<OwnWords<'a>> {
    if kind == "placed" && message == PLACED {
        return Some(OwnWords::Placed);
    }
    let word = [RefundWord::Issued, RefundWord::Pending, RefundWord::Failed]
        .into_iter()
        .find(|w| w.kind_and_ending().0 == kind)?;
    let (amounts, currency) = amounts_in(message, word.kind_and_ending().1)?;
    Some(OwnWords::Refund {
        word,
        amounts,
        currency,
    })
}

/// The amounts and the currency of "Refund of {amounts} {currency}{ending}".
fn amounts_in<'a>(message: &'a str, ending: &str) -> Option<(Vec<&'a str>, &'a str)> {
    let said = message.strip_prefix("Refund of ")?.strip_suffix(ending)?;
    let (amounts, currency) = said.rsplit_once(' ')?;
    let amounts: Vec<&str> = amounts.split(" + ").collect();
    let decimal = |a: &&str| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let code = currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase());
    (code && amounts.iter().all(decimal)).then_some((amounts, currency))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_is_read_back_and_nothing_else() {
        assert_eq!(read("placed", PLACED), Some(OwnWords::Placed));
        let two = refund(&["10.00", "5.50"], "NOK");
        assert_eq!(
            read("refunded", &two),
            Some(OwnWords::Refund {
                word: RefundWord::Issued,
                amounts: vec!["10.00", "5.50"],
                currency: "NOK"
            })
        );
        let failed = refund_failed(&["3.00"], "EUR");
        assert_eq!(
            read("refund_failed", &failed),
            Some(OwnWords::Refund {
                word: RefundWord::Failed,
                amounts: vec!["3.00"],
                currency: "EUR"
            })
        );
        assert_eq!(read("refunded", &failed), None);
        let pending = refund_pending(&["3.00"], "EUR");
        assert_eq!(
            read("refund_pending", &pending),
            Some(OwnWords::Refund {
                word: RefundWord::Pending,
                amounts: vec!["3.00"],
                currency: "EUR"
            })
        );
        assert_eq!(read("refund_failed", &pending), None);
        assert_eq!(read("refund_failed", &two), None);
        // A merchant's own words, or another kind's, stay theirs.
        for (kind, message) in [
            ("placed", "Order placed on Instagram"),
            ("note", PLACED),
            ("refunded", "Refund of your deposit issued"),
            ("refunded", "Refund of 10.00 kr issued"),
            ("refunded", "Refund of  NOK issued"),
            ("refunded", &refund(&["10.00"], "NOK").replace("issued", "sent")),
        ] {
            assert_eq!(read(kind, message), None, "{kind}: {message}");
        }
    }
}
