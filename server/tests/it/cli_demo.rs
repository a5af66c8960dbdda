//! `lookout demo` beside real orders: the contract's example order (`#1001`,
//! as the demo's first) put at the demo shop replaces the demo order, and
//! loading the demo again keeps it. The demo loaded twice, and its generated
//! orders for load tests.

use super::cli::{lookout, stderr, stdout, temp_db};
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

#[test]
fn demo_can_be_loaded_twice_and_lists_credentials() {
    let (_dir, db) = temp_db();
    for _ in 0..2 {
        let out = lookout(&db, &["demo"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("ada@example.com"));
        assert!(stdout(&out).contains("#1001"));
    }
}

#[tokio::test]
async fn demo_generates_orders_for_load_tests_and_again_replaces_them() {
    let (db, url) = temp_db();
    for _ in 0..2 {
        let out = lookout(&url, &["demo", "--orders", "1203"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("Generated 1203 orders"), "{}", stdout(&out));
    }
    let store = app::store::Store::connect(&db.url).await.unwrap();
    let shop = store.shop("demo").await.unwrap().unwrap();
    assert_eq!(store.order_count(shop.id).await.unwrap(), 15 + 1203);
    for i in [1, 500, 501, 1203] {
        let (email, number) = server::demo::generated_credentials(i);
        let key = app::normalize::order_number_key(&number);
        let view = store.shopper_view("demo", &key, &email).await.unwrap();
        assert_eq!(view.map(|v| v.parse().unwrap().order_number), Some(number));
    }
    let (email, number) = server::demo::generated_credentials(1204);
    let key = app::normalize::order_number_key(&number);
    assert!(store.shopper_view("demo", &key, &email).await.unwrap().is_none());
}
