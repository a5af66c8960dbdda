//! Links by email made while the shop turns them off.

use super::*;
use crate::normalize::order_number_key;
use crate::store::tests::{example_as, shop, store_at};
use crate::store::{By, Erasure, Guard, Store};

/// A link made while a change of settings turning links off is under way: the
/// change revokes the links there are, so a link written after it read them,
/// from the shop as it was, would outlive it and work again once links are
/// turned back on. The link waits for the change and is not made.
#[tokio::test]
async fn a_link_made_while_links_are_turned_off_waits_for_the_change_and_is_not_made() {
    let (_dir, store, _url) = store_at().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let valid = chrono::Duration::minutes(30);
    assert!(store.create_order_link("h0", shop.id, "e", valid).await.unwrap());
    // What a change of settings turning links off does, held open.
    let mut change = store.pool.begin().await.unwrap();
    sqlx::query("UPDATE shops SET email_links = 0 WHERE id = $1")
        .bind(shop.id)
        .execute(&mut *change)
        .await
        .unwrap();
    sqlx::query("UPDATE order_links SET revoked_at = $1 WHERE revoked_at IS NULL AND shop_id = $2")
        .bind(now())
        .bind(shop.id)
        .execute(&mut *change)
        .await
        .unwrap();
    let making = tokio::spawn({
        let store = store.clone();
        async move { store.create_order_link("h1", shop.id, "e", valid).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!making.is_finished(), "the link waits for the change of settings");
    change.commit().await.unwrap();
    assert!(!making.await.unwrap().unwrap(), "links are off: no link is made");
    let live: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_links WHERE revoked_at IS NULL")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(live, 0, "no link outlives the change");
}

/// Links a day past their end are forgotten, those still working or ended
/// since less than a day kept; a batch a statement, until none is left.
#[tokio::test]
async fn links_a_day_past_their_end_are_forgotten() {
    let (_dir, store, _url) = store_at().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    for (hash, valid) in [("old1", -49), ("old2", -25), ("recent", -1), ("live", 1)] {
        let made = store
            .create_order_link(hash, shop.id, "e", chrono::Duration::hours(valid))
            .await
            .unwrap();
        assert!(made, "{hash}");
    }
    assert_eq!(store.prune_order_links().await.unwrap(), 2);
    let left: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM order_links ORDER BY token_hash")
        .fetch_all(&store.pool)
        .await
        .unwrap();
    assert_eq!(left, ["live", "recent"]);
}

/// An erasure takes the shopper's links by email at the shop with their last
/// order there (the links hold their address, as a key), not before.
#[tokio::test]
async fn the_links_to_a_shoppers_orders_go_with_their_last_order() {
    let (_dir, store, _url) = store_at().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    for number in ["#1", "#2"] {
        store
            .put_order(shop.id, example_as(number, "Ada@Example.com"))
            .await
            .unwrap();
    }
    store
        .put_order(shop.id, example_as("#3", "bob@example.com"))
        .await
        .unwrap();
    let valid = chrono::Duration::minutes(30);
    for (hash, key) in [("ada", "ada@example.com"), ("bob", "bob@example.com")] {
        assert!(store.create_order_link(hash, shop.id, key, valid).await.unwrap());
    }
    let links = || async {
        let left: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM order_links ORDER BY token_hash")
            .fetch_all(&store.pool)
            .await
            .unwrap();
        left
    };
    store
        .erase_order(shop.id, "1", Guard::Nothing, &By::Operator)
        .await
        .unwrap();
    assert_eq!(links().await, ["ada", "bob"], "another order of hers is left");
    store
        .erase_order(shop.id, "2", Guard::Nothing, &By::Operator)
        .await
        .unwrap();
    assert_eq!(links().await, ["bob"], "her last order: her link goes");
}

/// A shopper's last two orders erased at the same moment through two
/// servers: their links go every time (each erasure found the other order
/// still there, and both left the links: 8 addresses of 20 on PostgreSQL).
#[tokio::test]
async fn a_shoppers_last_orders_erased_at_once_through_two_servers_take_their_links() {
    let (_dir, store, url) = store_at().await;
    let other = Store::connect(&url).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let valid = chrono::Duration::minutes(30);
    for round in 0..10 {
        let email = format!("ada{round}@example.com");
        let numbers = [format!("#{round}a"), format!("#{round}b")];
        for number in &numbers {
            store.put_order(shop.id, example_as(number, &email)).await.unwrap();
        }
        let token = format!("t{round}");
        assert!(store.create_order_link(&token, shop.id, &email, valid).await.unwrap());
        let keys: Vec<String> = numbers.iter().map(|n| order_number_key(n).into_owned()).collect();
        let (a, b) = tokio::join!(
            store.erase_order(shop.id, &keys[0], Guard::Nothing, &By::Operator),
            other.erase_order(shop.id, &keys[1], Guard::Nothing, &By::Operator),
        );
        assert_eq!((a.unwrap(), b.unwrap()), (Erasure::Erased, Erasure::Erased));
        let left: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM order_links WHERE token_hash = $1")
            .bind(&token)
            .fetch_all(&store.pool)
            .await
            .unwrap();
        assert!(left.is_empty(), "round {round}: the link outlived the shopper's orders");
    }
}
