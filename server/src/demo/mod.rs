//! The demo shop: realistic orders that together show every status in DESIGN.md.
//! Times are relative to now, so the demo always looks current; each order's
//! `updated_at` is 1970's first moment, so that any write of its number
//! replaces it. Loading twice replaces the orders (a bulk load replaces
//! whatever their age).

mod orders;

pub use orders::orders;

use anyhow::{Context, Result};
use app::order::{validate, OrderInput, ValidOrder};
use app::store::{Backend, By, NewShop, ShopUpdate, Store, StoreError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// One demo order's credentials and what it shows.
pub struct DemoOrder {
    pub email: &'static str,
    pub order_number: &'static str,
    pub shows: &'static str,
}

/// The demo orders a person can try.
pub const ORDERS: &[DemoOrder] = &[
    DemoOrder {
        email: "ada@example.com",
        order_number: "#1001",
        shows: "paid, partly shipped, parcel on the way",
    },
    DemoOrder {
        email: "bjorn@example.com",
        order_number: "#1002",
        shows: "out for delivery",
    },
    DemoOrder {
        email: "clara@example.com",
        order_number: "#1003",
        shows: "delivered, return in progress with refund pending",
    },
    DemoOrder {
        email: "dieter@example.com",
        order_number: "#1004",
        shows: "archived, returned and refunded (EUR)",
    },
    DemoOrder {
        email: "emma@example.com",
        order_number: "#1005",
        shows: "cancelled, payment voided",
    },
    DemoOrder {
        email: "fei@example.com",
        order_number: "#1006",
        shows: "payment authorized, not yet captured (CNY)",
    },
    DemoOrder {
        email: "gustav@example.com",
        order_number: "#1007",
        shows: "on hold, payment expired (SEK)",
    },
    DemoOrder {
        email: "hanna@example.com",
        order_number: "#1008",
        shows: "subscription scheduled, payment pending",
    },
    DemoOrder {
        email: "ivan@example.com",
        order_number: "#1009",
        shows: "partly paid, being packed, label created",
    },
    DemoOrder {
        email: "jonas@example.com",
        order_number: "#1010",
        shows: "two parcels: delivered and delivery attempted; partly refunded",
    },
    DemoOrder {
        email: "kari@example.com",
        order_number: "#1011",
        shows: "ready for pickup, return requested",
    },
    DemoOrder {
        email: "li@example.com",
        order_number: "#1012",
        shows: "delivery failure (CNY)",
    },
    DemoOrder {
        email: "mia@example.com",
        order_number: "#1013",
        shows: "return inspected, refund processing",
    },
    DemoOrder {
        email: "noah@example.com",
        order_number: "#1014",
        shows: "return declined (USD)",
    },
    DemoOrder {
        email: "olga@example.com",
        order_number: "#1015",
        shows: "return failed, refund failed",
    },
];

/// The demo shop's contact address for shoppers.
pub const DEMO_CONTACT: &str = "help@nordlys.example";
/// The demo shop's time zone: a shop in Norway.
pub const DEMO_TIME_ZONE: &str = "Europe/Oslo";

/// Creates the shop `demo` if needed and (re)loads its orders. Returns how
/// many were loaded, and the numbers of those kept as they were: an order
/// written there since (by the API, an import, Shopify) is newer than a
/// demo order, and is not replaced by one.
pub async fn load(store: &Store) -> Result<(usize, Vec<String>)> {
    let shop = match store.shop("demo").await? {
        Some(shop) => shop,
        None => match store
            .create_shop(&NewShop {
                slug: "demo".into(),
                name: "Nordlys Outfitters (demo)".into(),
                locale: "en".into(),
                accent: Some("#0a6e4f".into()),
                allowed_origins: vec![],
                webhook_secret: crate::keys::webhook_secret(),
            })
            .await
        {
            Ok(shop) => {
                // Where its shoppers may write, and the zone its page says
                // times in: shown on its tracking page.
                let settings = ShopUpdate {
                    contact_email: Some(Some(DEMO_CONTACT.into())),
                    time_zone: Some(Some(DEMO_TIME_ZONE.into())),
                    ..ShopUpdate::default()
                };
                store.update_shop(&shop.slug, &settings, &By::Operator).await?;
                shop
            }
            // Another process created it in the meantime: use that one.
            Err(StoreError::ShopExists(_)) => store.shop("demo").await?.context("the demo shop vanished")?,
            Err(e) => return Err(e.into()),
        },
    };
    let (mut loaded, mut kept) = (0, Vec::new());
    for input in orders() {
        let order = checked(input)?;
        let number = order.order_number.clone();
        match store.put_order(shop.id, order).await {
            Ok(_) => loaded += 1,
            Err(StoreError::Stale) => kept.push(number),
            Err(e) => return Err(anyhow::Error::new(e).context(format!("storing demo order {number}"))),
        }
    }
    Ok((loaded, kept))
}

/// A demo order, validated like any other.
fn checked(input: OrderInput) -> Result<ValidOrder> {
    validate(input).map_err(|errors| anyhow::anyhow!("demo order is invalid: {errors:?}"))
}

/// Orders written per transaction when generating: on PostgreSQL each holds
/// its orders' advisory locks to its end (`replace_orders`), four at once,
/// within the lock table of a small server (64 per connection by default).
const GENERATE_BATCH_SQLITE: u64 = 500;
const GENERATE_BATCH_POSTGRES: u64 = 100;

/// The credentials of generated order `i` (1-based): `#G0000001` with `shopper1@example.com`.
pub fn generated_credentials(i: u64) -> (String, String) {
    (format!("shopper{i}@example.com"), format!("#G{i:07}"))
}

/// Adds `count` generated orders to the demo shop, the demo's orders repeated with
/// new numbers and emails (see `generated_credentials`), so they cover every status.
/// Generating again replaces them. `progress` is told how many are written so far.
pub async fn generate(store: &Store, count: u64, progress: impl Fn(u64) + Send + Sync + 'static) -> Result<()> {
    let shop = store.shop("demo").await?.context("the demo shop is missing")?;
    let templates = orders();
    // Every template is checked before anything is written.
    for input in &templates {
        checked(input.clone())?;
    }
    let templates = Arc::new(templates);
    // SQLite has one writer; PostgreSQL takes several batches at once.
    let (workers, batch) = match store.backend() {
        Backend::Sqlite => (1, GENERATE_BATCH_SQLITE),
        Backend::Postgres => (4, GENERATE_BATCH_POSTGRES),
    };
    let next = Arc::new(AtomicU64::new(0));
    let written = Arc::new(AtomicU64::new(0));
    let progress = Arc::new(progress);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (store, templates, next, written, progress) = (
            store.clone(),
            templates.clone(),
            next.clone(),
            written.clone(),
            progress.clone(),
        );
        tasks.spawn(async move {
            loop {
                let start = next.fetch_add(batch, Ordering::Relaxed);
                if start >= count {
                    return Ok::<_, anyhow::Error>(());
                }
                let end = (start + batch).min(count);
                // A generated order is a template with new credentials, validated again.
                let batch = (start + 1..=end)
                    .map(|i| {
                        let mut input = templates[(i % templates.len() as u64) as usize].clone();
                        let (email, number) = generated_credentials(i);
                        (input.email, input.order_number) = (Some(email), Some(number));
                        checked(input)
                    })
                    .collect::<Result<Vec<ValidOrder>>>()?;
                store.replace_orders(shop.id, batch).await?;
                progress(written.fetch_add(end - start, Ordering::Relaxed) + end - start);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.context("a generator task failed")??;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::status::*;
    use std::collections::HashSet;

    #[test]
    fn the_demo_covers_every_status_value() {
        let orders: Vec<ValidOrder> = orders().into_iter().map(|input| validate(input).unwrap()).collect();
        assert!(orders.len() >= 12);
        assert_eq!(orders.len(), ORDERS.len());
        fn words<'a>(it: impl Iterator<Item = &'a str>) -> HashSet<&'a str> {
            it.collect()
        }
        assert_eq!(
            words(orders.iter().map(|o| o.status.as_str())),
            words(OrderStatus::ALL.iter().map(|s| s.as_str()))
        );
        assert_eq!(
            words(orders.iter().map(|o| o.payment_status.as_str())),
            words(PaymentStatus::ALL.iter().map(|s| s.as_str()))
        );
        assert_eq!(
            words(orders.iter().map(|o| o.fulfillment_status.as_str())),
            words(FulfillmentStatus::ALL.iter().map(|s| s.as_str()))
        );
        assert_eq!(
            words(
                orders
                    .iter()
                    .flat_map(|o| o.shipments.iter().map(|s| s.status.as_str()))
            ),
            words(ShipmentStatus::ALL.iter().map(|s| s.as_str()))
        );
        assert_eq!(
            words(orders.iter().map(|o| o.return_status.as_str())),
            words(ReturnStatus::ALL.iter().map(|s| s.as_str()))
        );
        assert_eq!(
            words(orders.iter().flat_map(|o| {
                o.returns
                    .iter()
                    .filter_map(|r| r.refund.as_ref().map(|refund| refund.status.as_str()))
            })),
            words(RefundStatus::ALL.iter().map(|s| s.as_str()))
        );
        let currencies: HashSet<_> = orders.iter().map(|o| o.currency.as_str()).collect();
        assert!(currencies.len() >= 4);
        for (order, listed) in orders.iter().zip(ORDERS) {
            assert_eq!(order.order_number, listed.order_number);
            assert_eq!(order.email, listed.email);
        }
    }
}
