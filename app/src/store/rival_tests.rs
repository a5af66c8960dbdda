//! Two orders under one number: two of the platform's orders that share it
//! (a store whose numbers started again) are never merged, and which one the
//! number shows does not depend on the order their deliveries arrive in.

use super::tests::{example, shop, store};
use super::*;
use crate::order::ValidOrder;

/// The example order (#1001) as one of Shopify's orders: its shopper, when
/// it was placed and changed, and a note saying which it is.
fn platform_order(email: &str, placed_at: &str) -> ValidOrder {
    let mut order = example().into_inner();
    order.email = email.to_string();
    order.placed_at = placed_at.to_string();
    order.updated_at = placed_at.to_string();
    order.note = Some(format!("the order of {email}"));
    ValidOrder::check(order).unwrap()
}

/// The platform's delivery of its order `id`: merged into the stored one.
async fn order_delivered(store: &Store, shop_id: i64, delivery: &str, id: &str, order: ValidOrder) -> Updated {
    let platform = PlatformOrder::Own(id.to_string());
    let update = store.update_platform_order(shop_id, "1001", Some(delivery), platform, move |stored| {
        let mut order = order.into_inner();
        // A merge keeps what the stored order has that this one has not.
        if let Some(stored) = stored {
            order
                .tags
                .extend(stored.tags.iter().filter(|t| t.starts_with("parcel")).cloned());
        }
        Ok(Decision::Write(Box::new(ValidOrder::check(order)?)))
    });
    update.await.unwrap()
}

/// A parcel of the platform's order `id`, merged into the stored order of
/// the number (here: a tag naming it).
async fn parcel_delivered(store: &Store, shop_id: i64, delivery: &str, id: &str) -> Updated {
    let platform = PlatformOrder::About(id.to_string());
    let tag = format!("parcel of {id}");
    let update = store.update_platform_order(shop_id, "1001", Some(delivery), platform, move |stored| {
        let Some(mut order) = stored else {
            return Ok(Decision::UnknownOrder);
        };
        order.tags.push(tag);
        Ok(Decision::Write(Box::new(ValidOrder::check(order)?)))
    });
    update.await.unwrap()
}

/// Alice's order (Shopify's 111) placed before Bob's (222), both #1001; each
/// with a parcel; in every order of arrival, then Alice's news again.
#[tokio::test]
async fn the_order_placed_later_holds_its_number_whatever_arrives_first() {
    let alice = || platform_order("alice@example.com", "2026-11-01T10:00:00Z");
    let bob = || platform_order("bob@example.com", "2026-11-20T10:00:00Z");
    let steps = ["alice", "alice's parcel", "bob", "bob's parcel"];
    for arrival in permutations(steps.len()) {
        let (_dir, store) = store().await;
        let shop = store.create_shop(&shop("a")).await.unwrap();
        for &i in &arrival {
            let delivery = format!("d-{i}");
            match steps[i] {
                "alice" => order_delivered(&store, shop.id, &delivery, "111", alice()).await,
                "bob" => order_delivered(&store, shop.id, &delivery, "222", bob()).await,
                "alice's parcel" => parcel_delivered(&store, shop.id, &delivery, "111").await,
                _ => parcel_delivered(&store, shop.id, &delivery, "222").await,
            };
        }
        let stored = store.order(shop.id, "1001").await.unwrap().unwrap();
        assert_eq!(stored.email, "bob@example.com", "{arrival:?}");
        assert!(
            !stored.tags.iter().any(|t| t.contains("111")),
            "Alice's parcel merged into Bob's order: {arrival:?}"
        );
        assert_eq!(
            store.shopify_order_key(shop.id, "111").await.unwrap(),
            None,
            "{arrival:?}"
        );
        assert_eq!(
            store.shopify_order_key(shop.id, "222").await.unwrap().as_deref(),
            Some("1001")
        );
        // Alice's news, late: never merged, never linked.
        assert_eq!(
            order_delivered(&store, shop.id, "late", "111", alice()).await,
            Updated::Stale
        );
        assert_eq!(
            parcel_delivered(&store, shop.id, "late-p", "111").await,
            Updated::UnknownOrder
        );
        assert_eq!(store.shopify_order_key(shop.id, "111").await.unwrap(), None);
        // Bob's parcel is kept when it came after Bob's order (before it, it
        // found Alice's order or none, and Bob's order replaced that).
        let after = |step: &str| arrival.iter().position(|&i| steps[i] == step);
        let kept = stored.tags.iter().any(|t| t == "parcel of 222");
        assert_eq!(kept, after("bob's parcel") > after("bob"), "{arrival:?}");
    }
}

/// Placed at the same moment, the greater id holds the number, either way round.
#[tokio::test]
async fn at_the_same_moment_the_greater_id_holds_the_number() {
    for first in [("9", "alice@example.com"), ("10", "bob@example.com")] {
        let (_dir, store) = store().await;
        let shop = store.create_shop(&shop("a")).await.unwrap();
        let second = if first.0 == "9" {
            ("10", "bob@example.com")
        } else {
            ("9", "alice@example.com")
        };
        for (i, (id, email)) in [first, second].into_iter().enumerate() {
            let order = platform_order(email, "2026-11-01T10:00:00Z");
            order_delivered(&store, shop.id, &format!("d-{i}"), id, order).await;
        }
        let stored = store.order(shop.id, "1001").await.unwrap().unwrap();
        assert_eq!(stored.email, "bob@example.com", "10 is greater than 9 as a number");
    }
}

/// A number stored by the merchant (no platform order linked to it) still
/// takes the platform's news of it, as before.
#[tokio::test]
async fn an_order_the_merchant_stored_takes_the_platforms_news() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    store.put_order(shop.id, example()).await.unwrap();
    assert_eq!(parcel_delivered(&store, shop.id, "d-1", "111").await, Updated::Replaced);
    let order = platform_order("ada@example.com", "2026-11-01T10:00:00Z");
    assert_eq!(
        order_delivered(&store, shop.id, "d-2", "111", order).await,
        Updated::Replaced
    );
    assert_eq!(parcel_delivered(&store, shop.id, "d-3", "111").await, Updated::Replaced);
}

/// Every order of `0..n`.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut all = Vec::new();
    for rest in permutations(n - 1) {
        for at in 0..=rest.len() {
            let mut p = rest.clone();
            p.insert(at, n - 1);
            all.push(p);
        }
    }
    all
}

/// A return's step of the platform's order `order` (or naming only the
/// return), merged into the stored order of the number (here: a tag).
async fn return_delivered(store: &Store, shop_id: i64, delivery: &str, order: Option<&str>) -> Updated {
    let platform = PlatformOrder::Return {
        order: order.map(str::to_string),
        link: "return:71".to_string(),
    };
    let tag = format!("return of {order:?}");
    let update = store.update_platform_order(shop_id, "1001", Some(delivery), platform, move |stored| {
        let Some(mut order) = stored else {
            return Ok(Decision::UnknownOrder);
        };
        order.tags.push(tag);
        Ok(Decision::Write(Box::new(ValidOrder::check(order)?)))
    });
    update.await.unwrap()
}

/// The deletion of one of the platform's orders, and a return's step of it,
/// each read which number it was before the order was held: once another
/// order has taken the number, the deletion erases nothing and the return
/// is merged into nothing (they were: the other shopper's order was erased,
/// or showed the return).
#[tokio::test]
async fn a_deletion_or_a_return_of_an_order_that_lost_its_number_touches_the_new_one_not() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let alice = platform_order("alice@example.com", "2026-11-01T10:00:00Z");
    let bob = platform_order("bob@example.com", "2026-11-20T10:00:00Z");
    assert_eq!(
        order_delivered(&store, shop.id, "d-1", "111", alice).await,
        Updated::Created
    );
    // Alice's return, linked to the number by its own id.
    assert_eq!(
        return_delivered(&store, shop.id, "d-2", Some("111")).await,
        Updated::Replaced
    );
    assert_eq!(
        order_delivered(&store, shop.id, "d-3", "222", bob).await,
        Updated::Replaced
    );
    // Read before Bob took the number, applied after.
    assert_eq!(
        return_delivered(&store, shop.id, "d-4", Some("111")).await,
        Updated::UnknownOrder
    );
    assert_eq!(
        return_delivered(&store, shop.id, "d-5", None).await,
        Updated::UnknownOrder
    );
    let holder = |id: &str| Guard::Holder(id.to_string());
    let erased = store.erase_order(shop.id, "1001", holder("111"), &By::Shopify).await;
    assert_eq!(erased.unwrap(), Erasure::NotFound);
    // Alice's order is deleted all the same: her news, late, stores nothing.
    let late = platform_order("alice@example.com", "2026-11-01T10:00:00Z");
    assert_eq!(
        order_delivered(&store, shop.id, "d-5b", "111", late).await,
        Updated::Erased
    );
    let stored = store.order(shop.id, "1001").await.unwrap().expect("Bob's order kept");
    assert_eq!(stored.email, "bob@example.com");
    assert!(
        !stored.tags.iter().any(|t| t.starts_with("return")),
        "{:?}",
        stored.tags
    );
    // Bob's own return, and Bob's deletion, do their work.
    assert_eq!(
        return_delivered(&store, shop.id, "d-6", Some("222")).await,
        Updated::Replaced
    );
    let erased = store.erase_order(shop.id, "1001", holder("222"), &By::Shopify).await;
    assert_eq!(erased.unwrap(), Erasure::Erased);
    // Once Bob's is erased too, Alice's news stores nothing, and neither
    // order's return brings anything back.
    let late = platform_order("alice@example.com", "2026-11-02T10:00:00Z");
    assert_eq!(
        order_delivered(&store, shop.id, "d-6b", "111", late).await,
        Updated::Erased
    );
    for (delivery, order) in [("d-7", Some("111")), ("d-8", Some("222")), ("d-9", None)] {
        let updated = return_delivered(&store, shop.id, delivery, order).await;
        assert!(
            matches!(updated, Updated::Erased | Updated::UnknownOrder),
            "{order:?}: {updated:?}"
        );
        assert!(store.order(shop.id, "1001").await.unwrap().is_none());
    }
}

/// A return's step of an order erased, then a new order of the platform's
/// under its number: the erased order's return is not merged into it.
#[tokio::test]
async fn a_return_of_an_erased_order_is_not_merged_into_the_next_one_of_its_number() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let alice = platform_order("alice@example.com", "2026-11-01T10:00:00Z");
    assert_eq!(
        order_delivered(&store, shop.id, "d-1", "111", alice).await,
        Updated::Created
    );
    assert!(store.delete_order(shop.id, "1001", &By::Operator).await.unwrap());
    let carol = platform_order("carol@example.com", "2026-11-21T10:00:00Z");
    assert_eq!(
        order_delivered(&store, shop.id, "d-2", "333", carol).await,
        Updated::Created
    );
    let updated = return_delivered(&store, shop.id, "d-3", Some("111")).await;
    assert_eq!(updated, Updated::Erased);
    let stored = store.order(shop.id, "1001").await.unwrap().unwrap();
    assert_eq!(stored.email, "carol@example.com");
    assert!(
        stored.tags.iter().all(|t| !t.starts_with("return")),
        "{:?}",
        stored.tags
    );
}
