//! A platform's order fitted to Lookout's limits before it is validated. A
//! platform allows some text longer than Lookout keeps (Shopify: a name of any
//! length, a note of any length, tags without number); refusing the order for
//! it would leave the order never found and the platform retrying a delivery
//! that can never succeed. So such text is cut to the limit (with `…`), tags
//! past the cap are dropped, and a country code longer than two letters is
//! dropped. What is left is validated like any order: this never makes a bad
//! order good, only a long one short. Lists of line items, parcels or events
//! longer than Lookout's caps are not cut: an order that large is refused. A
//! parcel's boxes past the cap of `more_tracking` are: the parcel and its
//! first boxes are worth more to a shopper than a refused order.

use super::fields::{
    cut, is_country_code, MAX_ID, MAX_NAME, MAX_NOTE, MAX_PHONE, MAX_STREET, MAX_TAG, MAX_TEXT, MAX_URL, MAX_ZIP,
};
use super::validate::LIMITS;
use super::{AddressInput, OrderInput, Shipment, TimelineEvent};

impl OrderInput {
    /// This input with every over-long text cut to its limit (`…` marks the cut)
    /// and its tags cut to the cap.
    pub fn fitted(mut self) -> OrderInput {
        // Marks a platform let through that hide or turn text around: dropped,
        // as a shopper's lookup drops them, rather than the order refused.
        // Full-width forms as ASCII, too: as a shopper's typing is read.
        if let Some(number) = self.order_number.as_mut() {
            if let std::borrow::Cow::Owned(kept) = crate::normalize::platform_number(number) {
                *number = kept;
            }
        }
        if let Some(email) = self.email.as_mut() {
            if let std::borrow::Cow::Owned(kept) = crate::normalize::folded_email(email) {
                *email = kept;
            }
        }
        fit(&mut self.cancel_reason, MAX_TEXT);
        fit(&mut self.hold_reason, MAX_TEXT);
        for item in &mut self.line_items {
            fit(&mut item.title, MAX_TEXT);
            fit(&mut item.variant, MAX_TEXT);
            fit(&mut item.sku, MAX_ID);
        }
        for shipment in &mut self.shipments {
            fit(&mut shipment.carrier, MAX_ID);
            fit(&mut shipment.tracking_number, MAX_ID);
            drop_long_link(&mut shipment.tracking_url);
            shipment.more_tracking.truncate(LIMITS.more_tracking);
            for more in &mut shipment.more_tracking {
                fit(&mut more.tracking_number, MAX_ID);
                drop_long_link(&mut more.tracking_url);
            }
        }
        for event in &mut self.timeline {
            fit(&mut event.message, MAX_TEXT);
        }
        if let Some(address) = &mut self.shipping_address {
            fit_address(address);
        }
        self.tags.truncate(LIMITS.tags);
        for tag in &mut self.tags {
            *tag = cut(tag.trim(), MAX_TAG);
        }
        fit(&mut self.note, MAX_NOTE);
        self
    }
}

impl Shipment {
    /// This parcel with its carrier and tracking number cut to their limit, and
    /// a tracking link over its limit dropped.
    pub fn fitted(mut self) -> Shipment {
        fit(&mut self.carrier, MAX_ID);
        fit(&mut self.tracking_number, MAX_ID);
        drop_long_link(&mut self.tracking_url);
        self.more_tracking.truncate(LIMITS.more_tracking);
        for more in &mut self.more_tracking {
            fit(&mut more.tracking_number, MAX_ID);
            drop_long_link(&mut more.tracking_url);
        }
        // A box left with neither a number nor a link says nothing.
        self.more_tracking
            .retain(|t| t.tracking_number.is_some() || t.tracking_url.is_some());
        self
    }
}

impl TimelineEvent {
    /// This event with its message cut to its limit.
    pub fn fitted(mut self) -> TimelineEvent {
        fit_text(&mut self.message, MAX_TEXT);
        self
    }
}

fn fit_address(a: &mut AddressInput) {
    for name in [
        &mut a.name,
        &mut a.first_name,
        &mut a.last_name,
        &mut a.city,
        &mut a.province,
    ] {
        fit(name, MAX_NAME);
    }
    fit(&mut a.address1, MAX_STREET);
    fit(&mut a.address2, MAX_STREET);
    fit(&mut a.zip, MAX_ZIP);
    fit(&mut a.phone, MAX_PHONE);
    drop_unknown_country(&mut a.country_code);
}

/// A platform's country that is no two-letter code, dropped, not refused.
pub(super) fn drop_unknown_country(country_code: &mut Option<String>) {
    if country_code
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty() && !is_country_code(c.trim()))
    {
        *country_code = None;
    }
}

/// A link longer than Lookout keeps is dropped, not cut: a cut link leads
/// elsewhere. The parcel keeps its carrier and tracking number.
fn drop_long_link(url: &mut Option<String>) {
    if url.as_deref().is_some_and(|u| u.trim().chars().count() > MAX_URL) {
        *url = None;
    }
}

fn fit(text: &mut Option<String>, max: usize) {
    if let Some(t) = text {
        fit_text(t, max);
    }
}

fn fit_text(text: &mut String, max: usize) {
    if text.trim().chars().count() > max {
        *text = cut(text.trim(), max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::{validate, LineItemInput, TimelineEventInput};

    fn long(n: usize) -> String {
        "é".repeat(n)
    }

    #[test]
    fn an_order_too_long_only_in_text_fits_and_validates() {
        let mut input: OrderInput = serde_json::from_str(include_str!("../../../fixtures/order-1001.json")).unwrap();
        input.note = Some(long(MAX_NOTE + 5));
        input.tags = (0..LIMITS.tags + 20).map(|_| long(MAX_TAG + 1)).collect();
        input.shipping_address = Some(AddressInput {
            first_name: Some(long(MAX_NAME * 3)),
            address1: Some(long(MAX_STREET + 1)),
            zip: Some(long(MAX_ZIP + 1)),
            phone: Some(long(MAX_PHONE + 1)),
            country_code: Some("Norway".into()),
            ..AddressInput::default()
        });
        input.line_items.push(LineItemInput {
            id: Some("long".into()),
            title: Some(long(MAX_TEXT + 1)),
            sku: Some(long(MAX_ID + 1)),
            quantity: Some(1),
            price: Some("1.00".into()),
            ..LineItemInput::default()
        });
        input.timeline.push(TimelineEventInput {
            at: Some("2026-11-02T10:00:00Z".into()),
            kind: Some("refunded".into()),
            message: Some(long(MAX_TEXT * 2)),
            visibility: Some("customer".into()),
        });
        // A carrier's link past the limit: dropped whole, the parcel kept.
        let link = format!("https://carrier.example/t?{}", "q".repeat(MAX_URL));
        input.shipments[0].tracking_url = Some(link);
        assert!(validate(input.clone()).is_err(), "as sent, it is too long");
        let order = validate(input.fitted()).expect("fitted, it is valid").into_inner();
        assert_eq!(order.note.as_ref().map(|n| n.chars().count()), Some(MAX_NOTE));
        assert!(order.note.as_ref().is_some_and(|n| n.ends_with('…')));
        assert_eq!(order.tags.len(), LIMITS.tags);
        let address = order.shipping_address.expect("an address");
        assert_eq!(address.first_name.map(|n| n.chars().count()), Some(MAX_NAME));
        assert_eq!(address.country_code, None);
        let item = order.line_items.last().expect("the long item");
        assert_eq!(item.title.chars().count(), MAX_TEXT);
        let refund = order.timeline.iter().find(|e| e.kind == "refunded").expect("the event");
        assert_eq!(refund.message.chars().count(), MAX_TEXT);
        let parcel = &order.shipments[0];
        assert_eq!(parcel.tracking_url, None);
        assert!(parcel.tracking_number.is_some(), "the parcel and its number are kept");
    }

    #[test]
    fn text_that_fits_is_left_as_it_is() {
        let input: OrderInput = serde_json::from_str(include_str!("../../../fixtures/order-1001.json")).unwrap();
        let as_sent = validate(input.clone()).unwrap().into_inner();
        assert_eq!(validate(input.fitted()).unwrap().into_inner(), as_sent);
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcd", 3), "ab…");
    }
}
