//! The status words of the order model (DESIGN.md), shared by the server and the browser.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares a status enum whose wire form is its snake_case word.
macro_rules! status_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        pub enum $name {
            $(#[serde(rename = $word)] $variant),+
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

    #[test]
    fn every_word_round_trips_through_parse_and_serde() {
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(*s));
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        for s in ShipmentStatus::ALL {
            assert_eq!(ShipmentStatus::parse(s.as_str()), Some(*s));
        }
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
