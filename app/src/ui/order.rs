//! The lookup result: statuses in plain words, parcels, returns, items, totals, timeline.

use super::labels::{self, Label};
use crate::status::{FulfillmentStatus, OrderStatus};
use crate::view::{ShopperItemRef, ShopperReturn, ShopperShipment, ShopperView};
use leptos::prelude::*;

/// The whole shopper view of one order.
#[component]
pub fn OrderView(order: ShopperView) -> impl IntoView {
    let currency = order.currency.clone();
    let money = move |amount: &str| format!("{amount} {currency}");
    let fulfillment_note = match order.fulfillment_status {
        FulfillmentStatus::OnHold => order.hold_reason.clone().map(|r| format!("Reason: {r}")),
        FulfillmentStatus::Scheduled => order
            .scheduled_at
            .as_deref()
            .map(|d| format!("Scheduled for {}", day(d))),
        _ => None,
    };
    let order_note = match order.status {
        OrderStatus::Cancelled => order.cancel_reason.clone().map(|r| format!("Reason: {r}")),
        _ => None,
    };
    let ship_to = order.ship_to.clone().map(|s| {
        let place = [s.city, s.country_code]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        match s.first_name {
            Some(name) if !place.is_empty() => format!("{name}, {place}"),
            Some(name) => name,
            None => place,
        }
    });
    let totals = order.totals.clone();
    view! {
        <article class="order" aria-labelledby="order-heading" tabindex="-1">
            <h2 id="order-heading">{format!("Order {}", order.order_number)}</h2>
            <p class="placed">{format!("Placed on {}", day(&order.placed_at))}</p>
            <dl class="statuses">
                <Status title="Order" label=labels::order(order.status) note=order_note word=order.status.as_str()/>
                <Status title="Payment" label=labels::payment(order.payment_status) note=None word=order.payment_status.as_str()/>
                <Status title="Delivery" label=labels::fulfillment(order.fulfillment_status) note=fulfillment_note word=order.fulfillment_status.as_str()/>
                <Status title="Returns" label=labels::returns(order.return_status) note=None word=order.return_status.as_str()/>
            </dl>

            {(!order.shipments.is_empty()).then(|| view! {
                <section class="shipments">
                    <h3>"Parcels"</h3>
                    {order.shipments.iter().cloned().enumerate().map(|(i, s)| view! { <Parcel index={i + 1} shipment=s/> }).collect_view()}
                </section>
            })}

            {(!order.returns.is_empty()).then(|| {
                let money = money.clone();
                view! {
                    <section class="returns">
                        <h3>"Returns"</h3>
                        {order.returns.iter().cloned().map(|r| {
                            let money = money.clone();
                            view! { <ReturnCard ret=r money/> }
                        }).collect_view()}
                    </section>
                }
            })}

            <section class="items">
                <h3>"Items"</h3>
                <ul class="item-list">
                    {order.line_items.iter().map(|li| {
                        let price = money(&li.price);
                        view! {
                            <li>
                                {li.image_url.clone().map(|src| view! { <img src=src alt="" width="48" height="48" loading="lazy"/> })}
                                <span class="item-title">{li.title.clone()}</span>
                                {li.variant.clone().map(|v| view! { <span class="item-variant">{v}</span> })}
                                <span class="item-qty">"× " {li.quantity}</span>
                                <span class="item-price">{price}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <dl class="totals">
                    <dt>"Subtotal"</dt><dd>{money(&totals.subtotal)}</dd>
                    <dt>"Shipping"</dt><dd>{money(&totals.shipping)}</dd>
                    <dt>"Tax"</dt><dd>{money(&totals.tax)}</dd>
                    <dt>"Discounts"</dt><dd>{money(&totals.discounts)}</dd>
                    <dt class="total">"Total"</dt><dd class="total">{money(&totals.total)}</dd>
                </dl>
            </section>

            {ship_to.map(|to| view! { <p class="ship-to">{format!("Shipping to {to}")}</p> })}

            {(!order.timeline.is_empty()).then(|| view! {
                <section class="timeline">
                    <h3>"History"</h3>
                    <ol>
                        {order.timeline.iter().map(|e| view! {
                            <li><time datetime=e.at.clone()>{day(&e.at).to_string()}</time> " " {e.message.clone()}</li>
                        }).collect_view()}
                    </ol>
                </section>
            })}
        </article>
    }
    .into_any()
}

#[component]
fn Status(title: &'static str, label: Label, note: Option<String>, word: &'static str) -> impl IntoView {
    view! {
        <div class="status" data-status=word>
            <dt>{title}</dt>
            <dd>
                <strong>{label.name}</strong>
                <span class="explanation">{label.explanation}</span>
                {note.map(|n| view! { <span class="status-note">{n}</span> })}
            </dd>
        </div>
    }
}

#[component]
fn Parcel(index: usize, shipment: ShopperShipment) -> impl IntoView {
    let label = labels::shipment(shipment.status);
    let number = shipment.tracking_number.clone();
    let tracking = match (shipment.tracking_url.clone(), number.clone()) {
        (Some(url), Some(n)) => {
            Some(view! { <a href=url rel="noopener noreferrer" target="_blank">{n}</a> }.into_any())
        }
        (Some(url), None) => Some(
            view! { <a href=url rel="noopener noreferrer" target="_blank">"Track with the carrier"</a> }.into_any(),
        ),
        (None, Some(n)) => Some(view! { <span>{n}</span> }.into_any()),
        (None, None) => None,
    };
    view! {
        <div class="parcel" data-status=shipment.status.as_str()>
            <h4>{match &shipment.carrier { Some(c) => format!("Parcel {index} · {c}"), None => format!("Parcel {index}") }}</h4>
            <p class="parcel-status"><strong>{label.name}</strong> " " <span class="explanation">{label.explanation}</span></p>
            {tracking.map(|t| view! { <p class="tracking">"Tracking number: " {t}</p> })}
            {shipment.estimated_delivery.clone().map(|d| view! { <p class="eta">{format!("Estimated delivery: {d}")}</p> })}
            {shipment.delivered_at.clone().map(|d| view! { <p class="delivered">{format!("Delivered on {}", day(&d))}</p> })}
            <Items items=shipment.line_items.clone()/>
            {(!shipment.events.is_empty()).then(|| view! {
                <ol class="events">
                    {shipment.events.iter().map(|e| view! {
                        <li>
                            <time datetime=e.at.clone()>{moment(&e.at)}</time>
                            " " {e.message.clone().unwrap_or_else(|| labels::shipment(e.status).name.to_string())}
                            {e.location.clone().map(|l| format!(" — {l}"))}
                        </li>
                    }).collect_view()}
                </ol>
            })}
        </div>
    }
}

#[component]
fn ReturnCard<F>(ret: ShopperReturn, money: F) -> impl IntoView
where
    F: Fn(&str) -> String + 'static,
{
    let label = labels::returns(ret.status);
    let refund = ret
        .refund
        .as_ref()
        .map(|f| format!("{}: {}", labels::refund(f.status), money(&f.amount)));
    view! {
        <div class="return" data-status=ret.status.as_str()>
            <p><strong>{label.name}</strong> " " <span class="explanation">{label.explanation}</span></p>
            <p class="requested">{format!("Requested on {}", day(&ret.requested_at))}</p>
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
                {items.into_iter().map(|i| view! {
                    <li>{i.title} {i.variant.map(|v| format!(" ({v})"))} " × " {i.quantity}</li>
                }).collect_view()}
            </ul>
        }
    })
}

/// The date part of an RFC 3339 time.
fn day(time: &str) -> &str {
    time.get(..10).unwrap_or(time)
}

/// Date and time (UTC) of an RFC 3339 time, for carrier scans.
fn moment(time: &str) -> String {
    match (time.get(..10), time.get(11..16)) {
        (Some(d), Some(t)) => format!("{d} {t}"),
        _ => time.to_string(),
    }
}
