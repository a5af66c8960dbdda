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

/// Guesses at a number of many-byte characters are counted and erased under
/// the same key; an erasure that finds no order touches nothing.
#[tokio::test]
async fn an_erasure_removes_the_guesses_at_a_long_number_and_a_miss_keeps_them() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let long = crate::normalize::order_number_key(&"订".repeat(64)).into_owned();
    store
        .put_order(shop.id, super::tests::example_as(&long, "ada@example.com"))
        .await
        .unwrap();
    for number in [long.as_str(), "9999"] {
        store.note_refusal("a", Refused::Order, number);
    }
    store.flush_tally().await.unwrap();
    // A row counted before subjects were kept whole holds the number's first 80 bytes.
    sqlx::query("INSERT INTO refusals (shop_id, kind, subject, attempts, last_at) VALUES ($1, 'order', $2, 1, $3)")
        .bind(shop.id)
        .bind(crate::normalize::clip(&long, 80))
        .bind(crate::store::now())
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(refused_numbers(&store, shop.id).await.len(), 3);
    // No order 9999: nothing erased, its guesses stay, written or counted.
    store.note_refusal("a", Refused::Order, "9999");
    assert!(!store.delete_order(shop.id, "9999", &By::Operator).await.unwrap());
    assert!(store.delete_order(shop.id, &long, &By::Operator).await.unwrap());
    store.flush_tally().await.unwrap();
    assert_eq!(refused_numbers(&store, shop.id).await, ["9999"]);
    let guesses = store.refusals(shop.id).await.unwrap();
    assert_eq!(guesses[0].attempts, 2, "the guess counted after the miss was kept");
    let (changes, _) = store.changes(shop.id, 1).await.unwrap();
    assert_eq!(changes.len(), 1, "one erasure recorded: {changes:?}");
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
    // Staff, then an account deleted: nothing erased.
    let erased = store.delete_order(shop.id, "3", &By::Account(gone)).await;
    assert!(matches!(erased, Err(StoreError::NotOwner)), "{erased:?}");
    assert_eq!(store.delete_account(gone).await.unwrap(), Ok(()));
    let erased = store.delete_order(shop.id, "3", &By::Account(gone)).await;
    assert!(matches!(erased, Err(StoreError::NotOwner)), "{erased:?}");
    assert!(store.order(shop.id, "3").await.unwrap().is_some(), "not erased");

    let (changes, _) = store.changes(shop.id, 1).await.unwrap();
    let erasures: Vec<(Who, Option<String>, Option<String>)> = changes
        .into_iter()
        .filter(|c| c.what == What::Erased)
        .map(|c| (c.by, c.subject, c.detail))
        .collect();
    // The number's key only: nothing of the shopper's.
    assert_eq!(
        erasures,
        [
            (Who::Key("0123456789abcdef".into()), Some("2".into()), None),
            (Who::Account("owner@a.example".into()), Some("a-1".into()), None),
        ]
    );
}

async fn changes_of(store: &Store, shop_id: i64, what: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM shop_changes WHERE shop_id = $1 AND what = $2")
        .bind(shop_id)
        .bind(what)
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

/// Rows of a maker's changes as the store writes them, `n` of them.
async fn fill(store: &Store, shop_id: i64, what: &str, n: i64) {
    let mut tx = store.pool.begin().await.unwrap();
    for i in 0..n {
        sqlx::query(
            "INSERT INTO shop_changes (shop_id, at, by_kind, by_name, what, subject, detail)
             VALUES ($1, '2026-01-01T00:00:00Z', 'key', '0123456789abcdef', $2, $3, $4)",
        )
        .bind(shop_id)
        .bind(what)
        .bind((what == "erased").then(|| format!("n{i}")))
        .bind((what == "settings").then_some("name"))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// A maker's erasures and its other changes are bounded apart: erasing
/// many orders through the API does not push its settings change out of
/// the list, nor many settings changes its erasures.
#[tokio::test]
async fn erasures_and_the_setups_changes_are_bounded_apart() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let key = By::Key("0123456789abcdef".into());
    let links_off = ShopUpdate {
        email_links: Some(false),
        ..ShopUpdate::default()
    };
    assert!(store.update_shop("a", &links_off, &key).await.unwrap());
    fill(&store, shop.id, "erased", CHANGES_KEPT).await;
    store.put_order(shop.id, example()).await.unwrap();
    assert!(store.delete_order(shop.id, "1001", &key).await.unwrap());
    assert_eq!(changes_of(&store, shop.id, "erased").await, CHANGES_KEPT);
    assert_eq!(
        changes_of(&store, shop.id, "settings").await,
        1,
        "the settings change stays"
    );
    let oldest: Option<String> =
        sqlx::query_scalar("SELECT subject FROM shop_changes WHERE what = 'erased' ORDER BY id LIMIT 1")
            .fetch_optional(&store.pool)
            .await
            .unwrap();
    assert_eq!(oldest.as_deref(), Some("n1"), "the oldest erasure forgotten");

    fill(&store, shop.id, "settings", CHANGES_KEPT).await;
    let links_on = ShopUpdate {
        email_links: Some(true),
        ..ShopUpdate::default()
    };
    assert!(store.update_shop("a", &links_on, &key).await.unwrap());
    assert_eq!(changes_of(&store, shop.id, "settings").await, CHANGES_KEPT);
    assert_eq!(
        changes_of(&store, shop.id, "erased").await,
        CHANGES_KEPT,
        "no erasure forgotten"
    );
}

/// The example order written again later, with another note.
fn written_again() -> crate::order::ValidOrder {
    let mut order = example().into_inner();
    order.updated_at = "2030-01-01T00:00:00Z".into();
    order.note = Some("written again".into());
    crate::order::ValidOrder::check(order).unwrap()
}

/// An erasure of the order as it was seen (the console's form) erases only
/// that version: one written since stays, and nothing is recorded.
#[tokio::test]
async fn only_the_version_seen_is_erased() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    store.put_order(shop.id, example()).await.unwrap();
    let seen = order_version(&store.order(shop.id, "1001").await.unwrap().unwrap());
    assert_eq!(seen.len(), 32);
    store.put_order(shop.id, written_again()).await.unwrap();
    let now = order_version(&store.order(shop.id, "1001").await.unwrap().unwrap());
    assert_ne!(seen, now, "a write that changes the document changes its version");

    let by = By::Operator;
    for old in [seen.as_str(), "00000000000000000000000000000000"] {
        let erased = store
            .erase_order(shop.id, "1001", Guard::Seen(old.to_string()), &by)
            .await
            .unwrap();
        assert_eq!(erased, Erasure::Changed, "{old}");
    }
    let kept = store.order(shop.id, "1001").await.unwrap().expect("still there");
    assert_eq!(kept.note.as_deref(), Some("written again"));
    assert_eq!(changes_of(&store, shop.id, "erased").await, 0, "nothing recorded");

    let erased = store
        .erase_order(shop.id, "1001", Guard::Seen(now.to_string()), &by)
        .await
        .unwrap();
    assert_eq!(erased, Erasure::Erased);
    assert_eq!(store.order(shop.id, "1001").await.unwrap(), None);
    assert_eq!(changes_of(&store, shop.id, "erased").await, 1);
    let again = store
        .erase_order(shop.id, "1001", Guard::Seen(now.to_string()), &by)
        .await
        .unwrap();
    assert_eq!(again, Erasure::NotFound);
}

/// An erasure of the version seen racing a write of a newer one: whichever
/// comes first, the newer one is kept (erased first, it is written after;
/// written first, the erasure finds it changed).
#[tokio::test]
async fn a_write_racing_an_erasure_of_the_version_seen_is_kept() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let by = By::Operator;
    let mut outcomes = std::collections::BTreeSet::new();
    for round in 0..20 {
        store.delete_order(shop.id, "1001", &by).await.unwrap();
        store.put_order(shop.id, example()).await.unwrap();
        let seen = order_version(&store.order(shop.id, "1001").await.unwrap().unwrap());
        // Each goes first in turn.
        let put = store.put_order(shop.id, written_again());
        let erase = store.erase_order(shop.id, "1001", Guard::Seen(seen.to_string()), &by);
        let (put, erased) = if round % 2 == 0 {
            tokio::join!(put, erase)
        } else {
            let (erased, put) = tokio::join!(erase, put);
            (put, erased)
        };
        put.unwrap();
        let erased = erased.unwrap();
        assert_ne!(erased, Erasure::NotFound, "round {round}");
        outcomes.insert(format!("{erased:?}"));
        let kept = store.order(shop.id, "1001").await.unwrap();
        let note = kept.and_then(|order| order.note);
        assert_eq!(note.as_deref(), Some("written again"), "round {round}: {erased:?}");
    }
    eprintln!("outcomes seen: {outcomes:?}");
}

/// Shopify's id of the example order.
const SHOPIFY_ID: &str = "820982911946154508";

/// The platform's delivery of the example order (Shopify's order id given).
async fn delivered(store: &Store, shop_id: i64, delivery: &str) -> Updated {
    delivered_as(store, shop_id, delivery, SHOPIFY_ID).await
}

/// The platform's delivery of an order numbered as the example, under
/// Shopify's order id `platform_id`.
async fn delivered_as(store: &Store, shop_id: i64, delivery: &str, platform_id: &str) -> Updated {
    delivered_naming(store, shop_id, delivery, PlatformOrder::Own(platform_id.to_string())).await
}

/// A platform's delivery about its order `platform_id` that is not the
/// order itself (a parcel), for the order numbered as the example.
async fn parcel_about(store: &Store, shop_id: i64, delivery: &str, platform_id: &str) -> Updated {
    delivered_naming(store, shop_id, delivery, PlatformOrder::About(platform_id.to_string())).await
}

/// A platform's delivery for the order numbered as the example, naming
/// `platform`, that writes the example again.
async fn delivered_naming(store: &Store, shop_id: i64, delivery: &str, platform: PlatformOrder) -> Updated {
    let order = written_again();
    store
        .update_platform_order(shop_id, "1001", Some(delivery), platform, move |_| {
            Ok(Decision::Write(Box::new(order)))
        })
        .await
        .unwrap()
}

async fn erased_numbers(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM erased_orders")
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

/// Which platform order was erased is kept, so the platform's deliveries of
/// it store nothing (and are not recorded, so they say so again), until the
/// merchant stores it again through the API or a year has passed. A new
/// platform order that reuses the number is stored. Nothing erased, or an
/// order the platform never sent, keeps nothing.
#[tokio::test]
async fn the_platform_does_not_bring_an_erased_order_back() {
    let (_dir, store) = store().await;
    let other = store.create_shop(&shop("b")).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    assert!(!store.delete_order(shop.id, "1001", &By::Operator).await.unwrap());
    assert_eq!(erased_numbers(&store).await, 0, "nothing erased, nothing kept");
    store.put_order(shop.id, example()).await.unwrap();
    assert!(store.delete_order(shop.id, "1001", &By::Operator).await.unwrap());
    assert_eq!(erased_numbers(&store).await, 0, "never the platform's, nothing kept");
    assert_eq!(delivered(&store, shop.id, "d-1").await, Updated::Created);

    assert!(store.delete_order(shop.id, "1001", &By::Operator).await.unwrap());
    for delivery in ["d-2", "d-2"] {
        assert_eq!(
            delivered(&store, shop.id, delivery).await,
            Updated::Erased,
            "{delivery}"
        );
    }
    // The delivery applied before the erasure, sent again: a duplicate, as ever.
    assert_eq!(delivered(&store, shop.id, "d-1").await, Updated::Duplicate);
    assert_eq!(store.order(shop.id, "1001").await.unwrap(), None);
    assert_eq!(
        store.shopify_order_key(shop.id, "820982911946154508").await.unwrap(),
        None
    );
    assert_eq!(
        delivered(&store, other.id, "d-2").await,
        Updated::Created,
        "another shop's"
    );
    assert_eq!(erased_numbers(&store).await, 1);

    // A new order under another id that reuses the number (a store started
    // again at #1001) is stored; the erased one's news is not merged into
    // it, nor linked to it.
    assert_eq!(delivered_as(&store, shop.id, "d-9", "1").await, Updated::Created);
    assert_eq!(delivered(&store, shop.id, "d-10").await, Updated::Erased);
    assert_eq!(store.shopify_order_key(shop.id, SHOPIFY_ID).await.unwrap(), None);
    assert_eq!(
        store.shopify_order_key(shop.id, "1").await.unwrap().as_deref(),
        Some("1001")
    );
    // A parcel is refused for the order it names, decided in its write, and
    // links nothing: about the erased order, nothing is done; about another
    // order than the one that holds the number, it is not that order's
    // (`rival_tests.rs`); about the order that holds it, it is written.
    assert_eq!(parcel_about(&store, shop.id, "d-p1", SHOPIFY_ID).await, Updated::Erased);
    assert_eq!(
        parcel_about(&store, shop.id, "d-p1", SHOPIFY_ID).await,
        Updated::Erased,
        "not recorded"
    );
    assert_eq!(parcel_about(&store, shop.id, "d-p2", "2").await, Updated::UnknownOrder);
    assert_eq!(parcel_about(&store, shop.id, "d-p2", "2").await, Updated::UnknownOrder);
    assert_eq!(store.shopify_order_key(shop.id, "2").await.unwrap(), None, "not linked");
    assert_eq!(parcel_about(&store, shop.id, "d-p3", "1").await, Updated::Replaced);
    assert_eq!(parcel_about(&store, shop.id, "d-p3", "1").await, Updated::Duplicate);
    assert!(store.delete_order(shop.id, "1001", &By::Operator).await.unwrap());
    assert_eq!(
        erased_numbers(&store).await,
        2,
        "both of Shopify's orders of that number"
    );
    assert_eq!(delivered_as(&store, shop.id, "d-11", "1").await, Updated::Erased);

    // Stored again through the API: the platform's news applies again.
    assert_eq!(store.put_order(shop.id, example()).await.unwrap(), PutOutcome::Created);
    assert_eq!(delivered(&store, shop.id, "d-3").await, Updated::Replaced);
    assert_eq!(erased_numbers(&store).await, 0);

    // Forgotten after a year.
    assert!(store.delete_order(shop.id, "1001", &By::Operator).await.unwrap());
    assert_eq!(store.prune_erased_orders().await.unwrap(), 0, "not a year old yet");
    sqlx::query("UPDATE erased_orders SET erased_at = '2020-01-01T00:00:00Z'")
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(store.prune_erased_orders().await.unwrap(), 1);
    assert_eq!(erased_numbers(&store).await, 0);
    assert_eq!(delivered(&store, shop.id, "d-4").await, Updated::Created);
}
