//! The parts of Shopify's webhook payloads Lookout reads (REST Admin API
//! resources: order, fulfillment, refund); everything else in them is ignored.

use app::order::AddressInput;
use serde::Deserialize;

/// Shopify sends ids as JSON numbers; Lookout keeps them as text. An id sent
/// as text is one of at most `MAX_SHOPIFY_ID` characters and no control
/// character (PostgreSQL refuses a NUL in text): it becomes a stored key.
#[derive(Debug, Deserialize)]
#[serde(try_from = "RawId")]
pub enum Id {
    Number(u64),
    Text(String),
}

/// The longest id sent as text that Lookout takes (Shopify's are 64-bit numbers,
/// or `gid://shopify/Order/…` in the GraphQL admin API).
pub const MAX_SHOPIFY_ID: usize = 64;

#[derive(Deserialize)]
#[serde(untagged)]
enum RawId {
    Number(u64),
    Text(String),
}

impl TryFrom<RawId> for Id {
    type Error = String;

    fn try_from(raw: RawId) -> Result<Id, String> {
        match raw {
            RawId::Number(n) => Ok(Id::Number(n)),
            // `return:` begins the links Lookout keeps of returns' own ids.
            RawId::Text(t)
                if !t.is_empty()
                    && t.chars().count() <= MAX_SHOPIFY_ID
                    && !t.chars().any(char::is_control)
                    && !t.starts_with("return:") =>
            {
                Ok(Id::Text(t))
            }
            RawId::Text(_) => Err(format!(
                "an id is a number or a text of 1 to {MAX_SHOPIFY_ID} characters, none of them a control \
                 character, not beginning with `return:`"
            )),
        }
    }
}

impl Id {
    /// The id as text; a GraphQL id of an order, a parcel, a refund or a
    /// return (`gid://shopify/Order/820982911946154508`) as the number it
    /// names, so that either form is one order (or parcel, refund, return)
    /// wherever ids are compared or kept. Any other text is itself (a
    /// customer's gid is not the order of its number).
    pub fn text(&self) -> String {
        const KINDS: [&str; 4] = ["Order", "Fulfillment", "Refund", "Return"];
        match self {
            Id::Number(n) => n.to_string(),
            Id::Text(s) => match s.strip_prefix("gid://shopify/").and_then(|rest| rest.split_once('/')) {
                Some((kind, n)) if KINDS.contains(&kind) && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                    n.parse::<u64>().map_or_else(|_| s.clone(), |n| n.to_string())
                }
                _ => s.clone(),
            },
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Money {
    pub(super) amount: Option<String>,
    pub(super) currency_code: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct MoneySet {
    #[serde(default)]
    pub(super) shop_money: Money,
    #[serde(default)]
    pub(super) presentment_money: Money,
}

#[derive(Debug, Deserialize)]
pub(super) struct Customer {
    pub(super) email: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct LineItem {
    pub(super) id: Id,
    pub(super) title: Option<String>,
    pub(super) name: Option<String>,
    pub(super) variant_title: Option<String>,
    pub(super) quantity: Option<u32>,
    /// What is left of `quantity` after order edits removed some and refunds
    /// took some back (Shopify's REST API since 2023-01).
    pub(super) current_quantity: Option<u32>,
    pub(super) price: Option<String>,
    pub(super) price_set: Option<MoneySet>,
    pub(super) sku: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct FulfillmentLine {
    pub(super) id: Id,
    pub(super) quantity: Option<u32>,
    /// False for a gift card or a digital product: nothing to carry.
    pub(super) requires_shipping: Option<bool>,
}

/// A fulfillment, inside an order payload or alone (`fulfillments/*`).
#[derive(Debug, Deserialize)]
pub struct Fulfillment {
    pub(super) id: Id,
    /// Shopify's id of the order (in `fulfillments/*` payloads).
    pub order_id: Option<Id>,
    /// `#1001.1`: the order's name, a dot, the fulfillment's number.
    pub(super) name: Option<String>,
    pub(super) status: Option<String>,
    pub(super) shipment_status: Option<String>,
    pub(super) created_at: Option<String>,
    pub(super) updated_at: Option<String>,
    pub(super) tracking_company: Option<String>,
    pub(super) tracking_number: Option<String>,
    #[serde(default)]
    pub(super) tracking_numbers: Vec<String>,
    pub(super) tracking_url: Option<String>,
    #[serde(default)]
    pub(super) tracking_urls: Vec<String>,
    #[serde(default)]
    pub(super) line_items: Vec<FulfillmentLine>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Transaction {
    pub(super) amount: Option<String>,
    pub(super) kind: Option<String>,
    pub(super) status: Option<String>,
    pub(super) currency: Option<String>,
}

/// A refund, inside an order payload or alone (`refunds/create`).
#[derive(Debug, Deserialize)]
pub struct Refund {
    /// Shopify's id of the order.
    pub order_id: Option<Id>,
    pub(super) created_at: Option<String>,
    #[serde(default)]
    pub(super) transactions: Vec<Transaction>,
}

/// The parts of Shopify's order resource Lookout reads.
#[derive(Debug, Deserialize)]
pub struct ShopifyOrder {
    pub(super) id: Option<Id>,
    pub(super) name: Option<String>,
    pub(super) email: Option<String>,
    pub(super) contact_email: Option<String>,
    pub(super) customer: Option<Customer>,
    pub(super) created_at: Option<String>,
    pub(super) updated_at: Option<String>,
    pub(super) cancelled_at: Option<String>,
    pub(super) cancel_reason: Option<String>,
    pub(super) closed_at: Option<String>,
    pub(super) financial_status: Option<String>,
    pub(super) fulfillment_status: Option<String>,
    pub(super) currency: Option<String>,
    pub(super) presentment_currency: Option<String>,
    pub(super) subtotal_price: Option<String>,
    pub(super) subtotal_price_set: Option<MoneySet>,
    /// The items' prices before discounts (`subtotal_price` is after them).
    pub(super) total_line_items_price_set: Option<MoneySet>,
    /// Whether the prices include the tax (`total_tax` is then part of them).
    pub(super) taxes_included: Option<bool>,
    pub(super) total_price: Option<String>,
    pub(super) total_price_set: Option<MoneySet>,
    pub(super) total_tax: Option<String>,
    /// What is left of the order after edits, returns and refunds.
    pub(super) current_total_price: Option<String>,
    pub(super) current_total_price_set: Option<MoneySet>,
    pub(super) current_total_tax: Option<String>,
    pub(super) current_total_tax_set: Option<MoneySet>,
    pub(super) current_total_discounts: Option<String>,
    pub(super) current_total_discounts_set: Option<MoneySet>,
    pub(super) current_shipping_price_set: Option<MoneySet>,
    pub(super) total_tax_set: Option<MoneySet>,
    pub(super) total_discounts: Option<String>,
    pub(super) total_discounts_set: Option<MoneySet>,
    pub(super) total_shipping_price_set: Option<MoneySet>,
    #[serde(default)]
    pub(super) line_items: Vec<LineItem>,
    #[serde(default)]
    pub(super) fulfillments: Vec<Fulfillment>,
    #[serde(default)]
    pub(super) refunds: Vec<Refund>,
    pub(super) note: Option<String>,
    pub(super) tags: Option<String>,
    /// Shopify's address has Lookout's field names (and more, ignored).
    pub(super) shipping_address: Option<AddressInput>,
}

/// An order deleted in Shopify (`orders/delete`): its id alone.
#[derive(Debug, Deserialize)]
pub struct DeletedOrder {
    pub id: Id,
}
