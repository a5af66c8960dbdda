//! `lookout demo` beside real orders: the contract's example order (`#1001`,
//! as the demo's first) put at the demo shop replaces the demo order, and
//! loading the demo again keeps it.

use super::cli::{lookout, stderr, stdout};
use crate::common;

#[tokio::test]
async fn a_real_order_at_a_demo_orders_number_replaces_it_and_is_kept() {
    let db = common::TestDb::new();
    let out = lookout(&db.url, &["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("ready with 15 orders"), "{}", stdout(&out));
    let store = app::store::Store::connect(&db.url).await.unwrap();
    let shop = store.shop("demo").await.unwrap().expect("the demo shop");
    // The example's updated_at is a month before the demo was loaded.
    let example = app::order::parse_order(common::EXAMPLE.as_bytes()).unwrap();
    let put = store.put_order(shop.id, example.clone()).await.unwrap();
    assert_eq!(put, app::store::PutOutcome::Replaced);
    let out = lookout(&db.url, &["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("ready with 14 orders"), "{said}");
    assert!(
        said.contains("Kept as they are, written there since the demo's: #1001"),
        "{said}"
    );
    let stored = store.order(shop.id, "1001").await.unwrap().expect("#1001");
    assert_eq!(stored, example.into_inner(), "the example, not the demo's");
    store.close().await;
}
