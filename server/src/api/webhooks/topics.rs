//! What each topic's delivery does: the Shopify resource it carries, mapped
//! (`crate::shopify`) and merged into the stored order it belongs to, in one
//! transaction that also records the delivery id.

use super::{body, Outcome};
use crate::problem::ApiError;
use crate::shopify::{self, deliveries, Fulfillment, Id, Refund, ShopifyOrder, ShopifyReturn};
use crate::AppState;
use app::errors::FieldError;
use app::normalize::{check_order_number, order_number_key, platform_number};
use app::order::validate_platform;
use app::store::{By, Erasure, Guard, PlatformOrder, Shop, Updated};
use axum::body::Bytes;

/// One signed delivery: its topic, body, id and when Shopify made it.
pub(super) struct Delivery<'a> {
    pub topic: &'a str,
    pub bytes: &'a Bytes,
    pub id: Option<&'a str>,
    pub triggered_at: Option<&'a str>,
}

/// Applies one delivery: the order's part it carries is merged into the stored
/// order in one transaction that also records the delivery id.
/// `named` is set to the key of the order the delivery names, once it is read
/// (for the console's list of deliveries).
pub(super) async fn apply(
    state: &AppState,
    shop: &Shop,
    d: Delivery<'_>,
    named: &mut Option<String>,
) -> Result<Outcome, ApiError> {
    let Delivery {
        topic,
        bytes,
        id: delivery,
        triggered_at,
    } = d;
    let store = &state.store;
    if shopify::ORDER_TOPICS.contains(&topic) {
        let payload: ShopifyOrder = payload(bytes)?;
        let input = shopify::order_input(&payload);
        if let Some(name) = input
            .order_number
            .as_deref()
            .filter(|n| check_order_number(n, "name").is_ok())
        {
            *named = Some(order_number_key(&platform_number(name)).into_owned());
        }
        // A phone-only checkout: no shopper can look the order up, so there is
        // nothing to keep (and refusing it would only make Shopify retry).
        if input.email.as_deref().is_none_or(|e| e.trim().is_empty()) {
            return Ok(Outcome::NoEmail);
        }
        let unreadable = payload.unreadable_times();
        if !unreadable.is_empty() {
            return Err(ApiError::Validation(unreadable));
        }
        // Text Shopify allows longer than Lookout keeps is cut, not refused.
        let incoming = validate_platform(input.fitted()).map_err(ApiError::Validation)?;
        let key = order_number_key(&incoming.order_number).into_owned();
        // The link from Shopify's order id is written with the order, as one write.
        let platform = payload.id().map_or(PlatformOrder::Unnamed, PlatformOrder::Own);
        let updated = store
            .update_platform_order(shop.id, &key, delivery, platform, move |stored| {
                deliveries::order(stored, incoming)
            })
            .await?;
        Ok(updated.into())
    } else if shopify::FULFILLMENT_TOPICS.contains(&topic) {
        let fulfillment: Fulfillment = payload(bytes)?;
        if fulfillment.updated_at().is_none() {
            return Err(missing("updated_at"));
        }
        let key = match fulfillment.order_name() {
            // Checked as an order's number is before it becomes a key, and
            // kept as the order's own number is (`platform_number`), so that
            // its parcels find it whatever marks Shopify's name carries.
            Some(name) if check_order_number(name, "name").is_ok() => {
                Some(order_number_key(&platform_number(name)).into_owned())
            }
            // A name that cannot be one (empty, too long) names no order stored
            // here; Shopify's order id, when there is one, may still find it.
            Some(_) if fulfillment.order_id.is_none() => None,
            _ => linked_key(state, shop, fulfillment.order_id.as_ref()).await?,
        };
        let Some(key) = key else {
            return Ok(Outcome::UnknownOrder);
        };
        *named = Some(key.clone());
        // A parcel of an erased order is not merged into a new order that
        // reuses its number (found by name): decided in the write.
        let platform = about(fulfillment.order_id.as_ref());
        let updated = store
            .update_platform_order(shop.id, &key, delivery, platform, move |stored| {
                deliveries::fulfillment(stored, &fulfillment)
            })
            .await?;
        Ok(updated.into())
    } else if topic == shopify::REFUND_TOPIC {
        let refund: Refund = payload(bytes)?;
        if refund.created_at().is_none() {
            return Err(missing("created_at"));
        }
        let Some(key) = linked_key(state, shop, refund.order_id.as_ref()).await? else {
            return Ok(Outcome::UnknownOrder);
        };
        *named = Some(key.clone());
        // The link was read before the write: the order may have been erased
        // since, and its number taken by a new order. Decided in the write.
        let platform = about(refund.order_id.as_ref());
        let updated = store
            .update_platform_order(shop.id, &key, delivery, platform, move |stored| {
                deliveries::refund(stored, &refund)
            })
            .await?;
        Ok(updated.into())
    } else if topic == shopify::DELETE_TOPIC {
        // Deleted in Shopify (a test order, say): erased here as the merchant's
        // own erasure is, so that a later delivery of it stores nothing.
        let deleted: shopify::DeletedOrder = payload(bytes)?;
        delete(state, shop, &deleted.id.text(), named).await
    } else if shopify::RETURN_TOPICS.contains(&topic) {
        let r: ShopifyReturn = payload(bytes)?;
        let at = triggered_at.ok_or_else(|| {
            ApiError::Validation(vec![FieldError::new(
                "X-Shopify-Triggered-At",
                "required",
                "The delivery has no `X-Shopify-Triggered-At` header: a return's step is placed in time by it.",
            )])
        })?;
        if chrono::DateTime::parse_from_rfc3339(at).is_err() {
            return Err(ApiError::Validation(vec![FieldError::new(
                "X-Shopify-Triggered-At",
                "invalid_time",
                "`X-Shopify-Triggered-At` must be an RFC 3339 time, as Shopify sends it.",
            )]));
        }
        // Found by its order's id, else (a later step's payload may name
        // only the return) by the return's own, remembered when first applied.
        let key = match r.order_id() {
            Some(id) => linked_key(state, shop, Some(id)).await?,
            None => store.shopify_order_key(shop.id, &r.link()).await?,
        };
        let Some(key) = key else {
            return Ok(Outcome::UnknownOrder);
        };
        *named = Some(key.clone());
        let ret = r.to_return(topic, at);
        // The key was read before the write: the order may have been erased,
        // or its number taken by another order, since. Decided in the write.
        let platform = PlatformOrder::Return {
            order: r.order_id().map(Id::text),
            link: r.link(),
        };
        let updated = store
            .update_platform_order(shop.id, &key, delivery, platform, move |stored| {
                deliveries::return_of(stored, ret)
            })
            .await?;
        Ok(updated.into())
    } else {
        Ok(Outcome::IgnoredTopic)
    }
}

/// A Shopify order deleted there: erased, only while it holds its number
/// (the link was read before the order was held, and another order may have
/// taken the number since). An order that is not here, not yet (its
/// deletion came first) or no longer (another order took its number), is
/// remembered as deleted (`Store::keep_deleted`, `Guard::Holder`), so that
/// it stores nothing when it comes.
async fn delete(state: &AppState, shop: &Shop, id: &str, named: &mut Option<String>) -> Result<Outcome, ApiError> {
    let store = &state.store;
    let number = match store.shopify_order_key(shop.id, id).await? {
        Some(number) => number,
        None => match store.keep_deleted(shop.id, id).await? {
            Some(number) => number,
            None => return Ok(Outcome::UnknownOrder),
        },
    };
    *named = Some(number.clone());
    let guard = Guard::Holder(id.to_string());
    Ok(match store.erase_order(shop.id, &number, guard, &By::Shopify).await? {
        Erasure::Erased => {
            tracing::info!("order erased: deleted in Shopify");
            Outcome::Erased
        }
        Erasure::NotFound | Erasure::Changed => Outcome::UnknownOrder,
    })
}

impl From<Updated> for Outcome {
    fn from(updated: Updated) -> Self {
        match updated {
            Updated::Created | Updated::Replaced => Outcome::Applied,
            // Nothing newer than what is stored (docs/shopify.md): the same refund
            // or parcel again under another delivery id, or an equal clock.
            Updated::Unchanged | Updated::Stale => Outcome::Stale,
            Updated::UnknownOrder => Outcome::UnknownOrder,
            Updated::Duplicate => Outcome::Duplicate,
            Updated::Erased => Outcome::Erased,
        }
    }
}

/// What a delivery's body must be, as its errors say it.
const SHOPIFY_PAYLOAD: &str = "a JSON object: the Shopify resource (order, fulfillment or refund) its topic carries";

fn payload<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        // The field is named by its path in the payload (`customer.email`).
        let field = FieldError::field_at(&e.path().to_string());
        let message = body::plain_serde(&e.into_inner().to_string());
        let error = body::not_an_object(bytes, SHOPIFY_PAYLOAD).unwrap_or_else(|| {
            FieldError::new(
                field,
                "malformed",
                format!("Not a Shopify payload this topic can carry: {message}"),
            )
        });
        ApiError::Validation(vec![error])
    })
}

fn missing(field: &str) -> ApiError {
    ApiError::Validation(vec![FieldError::new(
        field,
        "required",
        format!("The payload has no `{field}`."),
    )])
}

/// The order number key of the order Shopify's order id names, if it has arrived.
/// The platform's order a parcel or refund is about, as its write checks it
/// against erasures (not linked to the order it is merged into).
fn about(order_id: Option<&Id>) -> PlatformOrder {
    order_id.map_or(PlatformOrder::Unnamed, |id| PlatformOrder::About(id.text()))
}

async fn linked_key(state: &AppState, shop: &Shop, order_id: Option<&Id>) -> Result<Option<String>, ApiError> {
    match order_id {
        Some(id) => Ok(state.store.shopify_order_key(shop.id, &id.text()).await?),
        None => Err(missing("order_id")),
    }
}
