//! The status words of the order model (DESIGN.md), shared by the server and the browser.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares a status enum whose wire form is its snake_case word.
macro_rules! status_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        // The words are the variants' names in snake_case: said once for serde and
        // utoipa alike (utoipa cannot read a `rename` whose word is a macro fragment,
        // and would document the Rust names). A test holds each word to `as_str`.
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            /// Every value, in the order DESIGN.md lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire word, e.g. `"partially_paid"`.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// Parses a wire word exactly (no case folding: the contract is snake_case).
            pub fn parse(word: &str) -> Option<Self> {
                match word { $($word => Some($name::$variant),)+ _ => None }
            }

            /// The accepted words, for error messages.
            pub fn expected() -> String {
                [$($word),+].join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

status_enum!(
    /// Where the order as a whole stands.
    OrderStatus { Open => "open", Archived => "archived", Cancelled => "cancelled" }
);

status_enum!(
    /// The money side of the order.
    PaymentStatus {
        Pending => "pending",
        Authorized => "authorized",
        PartiallyPaid => "partially_paid",
        Paid => "paid",
        PartiallyRefunded => "partially_refunded",
        Refunded => "refunded",
        Voided => "voided",
        Expired => "expired",
    }
);

status_enum!(
    /// How far the goods have left the warehouse.
    FulfillmentStatus {
        Unfulfilled => "unfulfilled",
        Scheduled => "scheduled",
        OnHold => "on_hold",
        InProgress => "in_progress",
        PartiallyFulfilled => "partially_fulfilled",
        Fulfilled => "fulfilled",
    }
);

status_enum!(
    /// Where one parcel is.
    ShipmentStatus {
        LabelCreated => "label_created",
        InTransit => "in_transit",
        OutForDelivery => "out_for_delivery",
        AttemptedDelivery => "attempted_delivery",
        ReadyForPickup => "ready_for_pickup",
        Delivered => "delivered",
        Failure => "failure",
    }
);

status_enum!(
    /// Where returns stand, for the order as a whole and for each return.
    ReturnStatus {
        NoReturn => "no_return",
        ReturnRequested => "return_requested",
        InProgress => "in_progress",
        InspectionComplete => "inspection_complete",
        Returned => "returned",
        Declined => "declined",
        ReturnFailed => "return_failed",
    }
);

status_enum!(
    /// Where the refund of one return stands.
    RefundStatus {
        Pending => "pending",
        Processing => "processing",
        Succeeded => "succeeded",
        Failed => "failed",
        Cancelled => "cancelled",
    }
);

status_enum!(
    /// Who may see a timeline event.
    Visibility { Customer => "customer", Internal => "internal" }
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Serde's word for each value is its `as_str` word, both ways, and `parse` reads it.
    fn round_trips<T>(all: &[T], word: fn(T) -> &'static str, parse: fn(&str) -> Option<T>)
    where
        T: Serialize + serde::de::DeserializeOwned + Copy + PartialEq + fmt::Debug,
    {
        for s in all {
            assert_eq!(serde_json::to_string(s).unwrap(), format!("\"{}\"", word(*s)));
            assert_eq!(serde_json::from_str::<T>(&format!("\"{}\"", word(*s))).unwrap(), *s);
            assert_eq!(parse(word(*s)), Some(*s));
        }
    }

    #[test]
    fn every_word_round_trips_through_parse_and_serde() {
        round_trips(OrderStatus::ALL, OrderStatus::as_str, OrderStatus::parse);
        round_trips(PaymentStatus::ALL, PaymentStatus::as_str, PaymentStatus::parse);
        round_trips(
            FulfillmentStatus::ALL,
            FulfillmentStatus::as_str,
            FulfillmentStatus::parse,
        );
        round_trips(ShipmentStatus::ALL, ShipmentStatus::as_str, ShipmentStatus::parse);
        round_trips(ReturnStatus::ALL, ReturnStatus::as_str, ReturnStatus::parse);
        round_trips(RefundStatus::ALL, RefundStatus::as_str, RefundStatus::parse);
        round_trips(Visibility::ALL, Visibility::as_str, Visibility::parse);
    }

    #[test]
    fn unknown_and_miscased_words_are_refused() {
        assert_eq!(PaymentStatus::parse("payed"), None);
        assert_eq!(PaymentStatus::parse("Paid"), None);
        assert_eq!(FulfillmentStatus::parse(""), None);
    }

    #[test]
    fn the_lists_match_the_design() {
        assert_eq!(OrderStatus::ALL.len(), 3);
        assert_eq!(PaymentStatus::ALL.len(), 8);
        assert_eq!(FulfillmentStatus::ALL.len(), 6);
        assert_eq!(ShipmentStatus::ALL.len(), 7);
        assert_eq!(ReturnStatus::ALL.len(), 7);
    }
}
