//! Erasing an order (a shopper's erasure request) leaves nothing under its
//! number, whatever this server was counting at that moment.

use super::tests::{example, shop, store};
use super::*;

/// What the abuse panel shows of a shop: the subjects refused.
async fn refused_numbers(store: &Store, shop_id: i64) -> Vec<String> {
    let refusals = store.refusals(shop_id).await.unwrap();
    refusals.into_iter().map(|r| r.subject).collect()
}

#[tokio::test]
async fn erasing_an_order_removes_it() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    store.put_order(shop.id, example()).await.unwrap();
    let mut conn = store.pool.acquire().await.unwrap();
    super::shopify::link_on(&mut conn, shop.id, "820982911946154508", "1001")
        .await
        .unwrap();
    drop(conn);
    store.note_refusal("a", Refused::Order, "1001");
    store.note_refusal("a", Refused::Order, "1002");
    store.flush_tally().await.unwrap();
    assert_eq!(store.refusals(shop.id).await.unwrap().len(), 2);
    // Counted after the last write, not yet written: erased too.
    store.note_refusal("a", Refused::Order, "1001");
    assert!(store.delete_order(shop.id, "1001", &By::Operator).await.unwrap());
    store.flush_tally().await.unwrap();
    assert!(!store.delete_order(shop.id, "1001", &By::Operator).await.unwrap());
    assert_eq!(store.order(shop.id, "1001").await.unwrap(), None);
    // Nothing is kept under its number: not which Shopify order it was, not the
    // guesses at it. Another number's refusals stay.
    assert_eq!(
        store.shopify_order_key(shop.id, "820982911946154508").await.unwrap(),
        None
    );
    assert_eq!(refused_numbers(&store, shop.id).await, ["1002"]);
}

#[tokio::test]
async fn an_erasure_during_a_flush_of_the_counts_is_not_undone_by_it() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    for round in 0..20 {
        store.put_order(shop.id, example()).await.unwrap();
        store.note_refusal("a", Refused::Order, "1001");
        // The flush has taken the count and is writing it when the order is erased.
        let (flushed, erased) = tokio::join!(store.flush_tally(), store.delete_order(shop.id, "1001", &By::Operator));
        flushed.unwrap();
        assert!(erased.unwrap());
        let subjects = refused_numbers(&store, shop.id).await;
        assert!(
            subjects.is_empty(),
            "round {round}: the erased number came back: {subjects:?}"
        );
    }
}

/// An erasure is recorded in the shop's changes with the number and whoever
/// made it, once; erasing nothing records nothing, and an account deleted
/// while its erasure was on its way erases nothing.
#[tokio::test]
async fn an_erasure_is_recorded_once_with_who_made_it() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = crate::store::team_fixtures::add(&store, "owner@a.example", shop.id, Role::Owner).await;
    let gone = crate::store::team_fixtures::add_staff(&store, "gone@a.example", shop.id).await;
    for number in ["#A-1", "2", "3"] {
        let order = super::tests::example_as(number, "ada@example.com");
        store.put_order(shop.id, order).await.unwrap();
    }
    let key = By::Key("0123456789abcdef".into());
    assert!(store.delete_order(shop.id, "a-1", &By::Account(owner)).await.unwrap());
    assert!(store.delete_order(shop.id, "2", &key).await.unwrap());
    assert!(!store.delete_order(shop.id, "2", &key).await.unwrap(), "nothing left");
    assert!(!store.delete_order(shop.id, "404", &By::Operator).await.unwrap());
    assert_eq!(store.delete_account(gone).await.unwrap(), Ok(()));
    let erased = store.delete_order(shop.id, "3", &By::Account(gone)).await;
    assert!(matches!(erased, Err(StoreError::Unavailable(_))), "{erased:?}");
    assert!(store.order(shop.id, "3").await.unwrap().is_some(), "not erased");

    let (changes, _) = store.changes(shop.id, 1).await.unwrap();
    let erasures: Vec<(Who, Option<String>)> = changes
        .into_iter()
        .filter(|c| c.what == What::Erased)
        .map(|c| (c.by, c.subject))
        .collect();
    assert_eq!(
        erasures,
        [
            (Who::Key("0123456789abcdef".into()), Some("2".into())),
            (Who::Account("owner@a.example".into()), Some("a-1".into())),
        ]
    );
}
