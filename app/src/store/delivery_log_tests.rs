//! The console's list of Shopify deliveries: a delivery recorded after its
//! order was erased keeps no number.

use super::tests::{example, shop, store};
use super::*;

/// A delivery recorded after its order was erased (its change was made just
/// before the erasure, its record written just after) does not write the
/// erased number back into the console's list of deliveries.
#[tokio::test]
async fn a_delivery_recorded_after_the_erasure_keeps_no_number() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let platform = PlatformOrder::Own("820982911946154508".to_string());
    let order = example();
    let created = store.update_platform_order(shop.id, "1001", Some("d-1"), platform, move |_| {
        Ok(Decision::Write(Box::new(order)))
    });
    assert_eq!(created.await.unwrap(), Updated::Created);
    store
        .record_delivery(shop.id, "orders/create", "applied", Some("1001"))
        .await
        .unwrap();
    assert!(store.delete_order(shop.id, "1001", &By::Operator).await.unwrap());
    store
        .record_delivery(shop.id, "orders/updated", "applied", Some("1001"))
        .await
        .unwrap();
    store
        .record_delivery(shop.id, "orders/updated", "applied", Some("1002"))
        .await
        .unwrap();
    let keys: Vec<Option<String>> = store
        .deliveries(shop.id)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.order_key)
        .collect();
    assert_eq!(
        keys.iter().filter(|k| k.as_deref() == Some("1001")).count(),
        0,
        "{keys:?}"
    );
    assert!(
        keys.contains(&Some("1002".to_string())),
        "another number is kept: {keys:?}"
    );
}
