//! The lookup result: progress, statuses in plain words, parcels, returns, items,
//! totals and one merged history, all in the shopper's language.

use super::timeline::{as_shown, called_off, history, progress, sent, stopped};
use crate::format::{deduction, line_total, money};
use crate::i18n::{t, t_args, Locale};
use crate::status::{FulfillmentStatus, OrderStatus, PaymentStatus, ShipmentStatus};
use crate::view::{ShopperItemRef, ShopperReturn, ShopperShipment, ShopperView};
use crate::zone::Zone;
use leptos::prelude::*;

/// The short name and one-sentence explanation of a status word.
pub(super) fn status(locale: Locale, kind: &str, word: &str) -> (String, String) {
    (
        t(locale, &format!("status.{kind}.{word}.name")),
        t(locale, &format!("status.{kind}.{word}.text")),
    )
}

/// The whole shopper view of one order.
#[component]
pub fn OrderView(
    order: ShopperView,
    locale: Locale,
    /// The shop's time zone, which times are said in until the island says
    /// them in the shopper's own.
    zone: Zone,
    /// The heading's id (`order-heading` unless several orders share a page).
    heading_id: String,
) -> impl IntoView {
    let order = as_shown(order);
    let labelled_by = heading_id.clone();
    let currency = order.currency.clone();
    let off = deduction(&order.totals.discounts, &currency, locale);
    let cash = move |amount: &str| money(amount, &currency, locale);
    // The words the projection maps platforms' reasons to are said in the
    // shopper's language; other text is the merchant's own.
    let reason = |r: &String, key: &str, words: &[&str]| match words.contains(&r.as_str()) {
        true => t(locale, &format!("order.{key}.{r}")),
        false => t_args(locale, "order.reason", &[("reason", r)]),
    };
    let fulfillment_note = match order.fulfillment_status {
        FulfillmentStatus::OnHold => order
            .hold_reason
            .as_ref()
            .map(|r| reason(r, "held_for", &["payment", "address", "inventory", "store"])),
        FulfillmentStatus::Scheduled => order
            .scheduled_at
            .as_deref()
            .map(|d| t_args(locale, "order.scheduled_for", &[("date", &zone.date(d, locale))])),
        _ => None,
    };
    let order_note = match order.status {
        OrderStatus::Cancelled => order
            .cancel_reason
            .as_ref()
            .map(|r| reason(r, "cancelled_by", &["customer", "inventory", "store"])),
        _ => None,
    };
    let ship_to = order.ship_to.clone().map(|s| {
        let place = [s.city, s.country_code]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        let place = match s.first_name {
            Some(name) if !place.is_empty() => format!("{name}, {place}"),
            Some(name) => name,
            None => place,
        };
        t_args(locale, "order.ship_to", &[("place", &place)])
    });
    let delivery = (!called_off(&order)).then(|| {
        let word = order.fulfillment_status.as_str();
        let (name, text) = status(locale, "fulfillment", word);
        // Stopped with something sent: what was to follow will not, nor will
        // the store come back about a hold or a date.
        let (text, note) = match stopped(&order) && order.fulfillment_status != FulfillmentStatus::Fulfilled {
            true => (t(locale, "order.no_more_sent"), None),
            false => (text, fulfillment_note),
        };
        view! { <Status title=t(locale, "section.delivery") label=(name, text) note word/> }
    });
    // An approved payment is taken when the order is sent, its words say: once
    // something was sent and it is still only approved, they say so instead.
    let payment = {
        let word = order.payment_status.as_str();
        let (name, text) = status(locale, "payment", word);
        let text = match order.payment_status == PaymentStatus::Authorized && sent(&order) {
            true => t(locale, "order.authorized_sent"),
            false => text,
        };
        view! { <Status title=t(locale, "section.payment") label=(name, text) note=None word/> }
    };
    let totals = order.totals.clone();
    let steps = progress(&order);
    let history = history(&order, locale);
    view! {
        <article class="order" aria-labelledby=labelled_by>
            <h2 id=heading_id tabindex="-1">{t_args(locale, "order.heading", &[("number", &order.order_number)])}</h2>
            <p class="placed"><DatedLine locale zone key="order.placed" at=order.placed_at.clone()/></p>

            {steps.map(|steps| view! {
                <ol class="progress" aria-label=t(locale, "section.progress")>
                    {steps.into_iter().map(|(key, state)| view! {
                        <li data-state=state.word()>
                            <span class="step-name">{t(locale, &format!("progress.{key}"))}</span>
                            <span class="visually-hidden">{crate::i18n::aside(locale, &t(locale, state.key()))}</span>
                        </li>
                    }).collect_view()}
                </ol>
            })}

            <dl class="statuses">
                <Status title=t(locale, "section.order") label=status(locale, "order", order.status.as_str()) note=order_note word=order.status.as_str()/>
                {payment}
                {delivery}
                <Status title=t(locale, "section.returns") label=status(locale, "return", order.return_status.as_str()) note=None word=order.return_status.as_str()/>
            </dl>

            {(!order.shipments.is_empty()).then(|| view! {
                <section class="shipments">
                    <h3>{t(locale, "section.parcels")}</h3>
                    {order.shipments.iter().cloned().enumerate().map(|(i, s)| view! { <Parcel index={i + 1} shipment=s locale zone/> }).collect_view()}
                </section>
            })}

            {(!order.returns.is_empty()).then(|| view! {
                <section class="returns">
                    <h3>{t(locale, "section.returns")}</h3>
                    {order.returns.iter().cloned().map(|r| {
                        let refund = r.refund.as_ref().map(|f| {
                            let status = t(locale, &format!("status.refund.{}", f.status.as_str()));
                            t_args(locale, "return.refund_status", &[("status", &status), ("amount", &cash(&f.amount))])
                        });
                        view! { <ReturnCard ret=r refund locale zone/> }
                    }).collect_view()}
                </section>
            })}

            <section class="items">
                <h3>{t(locale, "section.items")}</h3>
                <ul class="item-list">
                    {order.line_items.iter().map(|li| view! {
                        <li>
                            {li.image_url.clone().map(|src| view! { <img src=src alt="" width="48" height="48" loading="lazy"/> })}
                            // A merchant's text in any script, isolated: a title in
                            // Hebrew keeps its digits where it wrote them.
                            <span class="item-title" dir="auto">{li.title.clone()}</span>
                            {li.variant.clone().map(|v| view! { <span class="item-variant" dir="auto">{v}</span> })}
                            {match (li.quantity, line_total(&li.price, li.quantity, &order.currency)) {
                                // More than one: the price of one, and the line's total.
                                (2.., Some(total)) => view! {
                                    <span class="item-qty">{format!("{} × {}", li.quantity, cash(&li.price))}</span>
                                    <span class="item-price">{cash(&total)}</span>
                                }.into_any(),
                                _ => view! {
                                    <span class="item-qty">{format!("× {}", li.quantity)}</span>
                                    <span class="item-price">{cash(&li.price)}</span>
                                }.into_any(),
                            }}
                        </li>
                    }).collect_view()}
                </ul>
                // Tax added to the prices is a line of the sum; tax the prices
                // include (VAT) is said after the total, as part of it.
                <dl class="totals">
                    <dt>{t(locale, "totals.subtotal")}</dt><dd>{cash(&totals.subtotal)}</dd>
                    <dt>{t(locale, "totals.shipping")}</dt><dd>{cash(&totals.shipping)}</dd>
                    {(!totals.tax_included).then(|| view! { <dt>{t(locale, "totals.tax")}</dt><dd>{cash(&totals.tax)}</dd> })}
                    <dt>{t(locale, "totals.discounts")}</dt><dd>{off}</dd>
                    <dt class="total">{t(locale, "totals.total")}</dt><dd class="total">{cash(&totals.total)}</dd>
                    {totals.tax_included.then(|| view! { <dt>{t(locale, "totals.tax_included")}</dt><dd>{cash(&totals.tax)}</dd> })}
                </dl>
            </section>

            {ship_to.map(|to| view! { <p class="ship-to"><bdi>{to}</bdi></p> })}

            {(!history.is_empty()).then(|| view! {
                <section class="timeline">
                    <h3>{t(locale, "section.history")}</h3>
                    <ol>
                        {history.into_iter().map(|(at, text)| view! {
                            <li><time datetime=at.clone() data-local="date">{zone.date(&at, locale)}</time> " " <bdi>{text}</bdi></li>
                        }).collect_view()}
                    </ol>
                </section>
            })}
        </article>
    }
    .into_any()
}

#[component]
fn Status(title: String, label: (String, String), note: Option<String>, word: &'static str) -> impl IntoView {
    view! {
        <div class="status" data-status=word>
            <dt>{title}</dt>
            <dd>
                <strong>{label.0}</strong>
                <span class="explanation">{label.1}</span>
                {note.map(|n| view! { <span class="status-note"><bdi>{n}</bdi></span> })}
            </dd>
        </div>
    }
}

/// One box's tracking line: its number, linked to the carrier's page when
/// there is one; a link without a number says "track with the carrier", with
/// no "Tracking number:" before it (there is no number to name).
fn tracking_line(locale: Locale, url: Option<String>, number: Option<String>) -> Option<AnyView> {
    // Said to screen readers: the carrier's page opens in a new tab.
    let new_tab = move || view! { <span class="visually-hidden">{crate::i18n::aside(locale, &t(locale, "parcel.new_tab"))}</span> };
    let label = move || t(locale, "parcel.tracking_label");
    match (url, number) {
        (Some(url), Some(n)) => Some(
            view! { <p class="tracking">{label()} <a href=url rel="noopener noreferrer" target="_blank">{n}{new_tab()}</a></p> }
                .into_any(),
        ),
        (Some(url), None) => Some(
            view! { <p class="tracking"><a href=url rel="noopener noreferrer" target="_blank">{t(locale, "parcel.track_with_carrier")}{new_tab()}</a></p> }
                .into_any(),
        ),
        (None, Some(n)) => Some(view! { <p class="tracking">{label()} <span>{n}</span></p> }.into_any()),
        (None, None) => None,
    }
}

#[component]
fn Parcel(index: usize, shipment: ShopperShipment, locale: Locale, zone: Zone) -> impl IntoView {
    let (name, text) = status(locale, "shipment", shipment.status.as_str());
    // The parcel's tracking, then each other box's when it was sent in several.
    let boxes = std::iter::once((shipment.tracking_url.clone(), shipment.tracking_number.clone())).chain(
        shipment
            .more_tracking
            .iter()
            .map(|b| (b.tracking_url.clone(), b.tracking_number.clone())),
    );
    let tracking: Vec<_> = boxes
        .filter_map(|(url, number)| tracking_line(locale, url, number))
        .collect();
    // A date gone by is said as one, not as what is still to come.
    let estimate = shipment
        .estimated_delivery
        .as_deref()
        // Only while the parcel is on its way: out for delivery it comes today;
        // delivered, at a pickup point, tried or failed, no estimate holds.
        .filter(|_| {
            matches!(
                shipment.status,
                ShipmentStatus::LabelCreated | ShipmentStatus::InTransit
            )
        })
        .map(|d| {
            let key = if overdue(d) {
                "parcel.estimated_past"
            } else {
                "parcel.estimated"
            };
            t_args(locale, key, &[("date", &zone.date(d, locale))])
        });
    let n = index.to_string();
    let title = t_args(locale, "parcel.title", &[("n", &n)]);
    // The carrier's name is the merchant's text, isolated from the number before it.
    let carrier = shipment.carrier.clone().map(|c| view! { " · " <bdi>{c}</bdi> });
    view! {
        <div class="parcel" data-status=shipment.status.as_str()>
            <h4>{title}{carrier}</h4>
            <p class="parcel-status"><strong>{name}</strong> " " <span class="explanation">{text}</span></p>
            {tracking}
            {estimate.map(|e| view! { <p class="eta">{e}</p> })}
            {shipment.delivered_at.clone().map(|d| view! {
                <p class="delivered"><DatedLine locale zone key="parcel.delivered_on" at=d/></p>
            })}
            <Items items=shipment.line_items.clone()/>
            {(!shipment.events.is_empty()).then(|| view! {
                <ol class="events">
                    {shipment.events.iter().map(|e| view! {
                        <li>
                            <time datetime=e.at.clone() data-local="moment">{zone.moment(&e.at, locale)}</time>
                            " " <bdi>{e.message.clone().unwrap_or_else(|| status(locale, "shipment", e.status.as_str()).0)}</bdi>
                            {e.location.clone().map(|l| view! { " — " <bdi>{l}</bdi> })}
                        </li>
                    }).collect_view()}
                </ol>
            })}
        </div>
    }
    .into_any()
}

/// Whether a delivery estimate (a date) is over wherever the shopper is (the
/// page is rendered on the server, which knows no shopper's time zone).
fn overdue(estimate: &str) -> bool {
    overdue_at(estimate, chrono::Utc::now())
}

/// Whether the day `estimate` is over everywhere at `now`: the last places
/// to end a day are twelve hours behind UTC, so a day is over once it is the
/// next day there.
fn overdue_at(estimate: &str, now: chrono::DateTime<chrono::Utc>) -> bool {
    let latest = (now - chrono::Duration::hours(12)).format("%Y-%m-%d").to_string();
    estimate.get(..10).is_some_and(|day| day < latest.as_str())
}

/// A sentence about a moment (`at`, RFC 3339) that says its date: the date as
/// the day was in the shop's time zone, in a `<time>` the page's island says
/// again in the shopper's own.
#[component]
fn DatedLine(locale: Locale, zone: Zone, key: &'static str, at: String) -> impl IntoView {
    let (before, after) = crate::i18n::t_around(locale, key, "date");
    let said = zone.date(&at, locale);
    view! { {before}<time datetime=at data-local="date">{said}</time>{after} }
}

#[component]
fn ReturnCard(ret: ShopperReturn, refund: Option<String>, locale: Locale, zone: Zone) -> impl IntoView {
    let (name, text) = status(locale, "return", ret.status.as_str());
    view! {
        <div class="return" data-status=ret.status.as_str()>
            <p><strong>{name}</strong> " " <span class="explanation">{text}</span></p>
            <p class="requested"><DatedLine locale zone key="return.requested_on" at=ret.requested_at.clone()/></p>
            <Items items=ret.line_items.clone()/>
            {refund.map(|r| view! { <p class="refund">{r}</p> })}
        </div>
    }
}

#[component]
fn Items(items: Vec<ShopperItemRef>) -> impl IntoView {
    (!items.is_empty()).then(|| {
        view! {
            <ul class="parcel-items">
                {items
                    .into_iter()
                    .map(|i| {
                        let variant = i.variant.map(|v| view! { " (" <bdi>{v}</bdi> ")" });
                        view! { <li><bdi>{i.title}</bdi>{variant}{format!(" × {}", i.quantity)}</li> }
                    })
                    .collect_view()}
            </ul>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::overdue_at;
    use chrono::{TimeZone, Utc};

    #[test]
    fn an_estimate_is_overdue_once_its_day_is_over_everywhere() {
        let at = |h| Utc.with_ymd_and_hms(2026, 12, 5, h, 0, 0).single().expect("a time");
        // The 4th ends at noon UTC on the 5th, twelve hours behind UTC.
        assert!(!overdue_at("2026-12-04", at(11)));
        assert!(overdue_at("2026-12-04", at(12)));
        assert!(overdue_at("2026-12-03", at(0)));
        assert!(!overdue_at("2026-12-05", at(23)));
        assert!(!overdue_at("2026-12-06", at(23)));
    }
}
