//! The stored shopper view: always the projection of the stored order, and the
//! only thing a lookup reads.

use super::tests::{example_as, runner, shop, store, EXAMPLE};
use super::*;
use crate::order::merge::tests::{apply, delivery, Delivery};
use crate::order::ValidOrder;
use crate::view::StoredView;
use proptest::test_runner::TestCaseError;

/// Applies one platform delivery through the store, as the webhooks do.
async fn deliver(store: &Store, shop_id: i64, delivery: &Delivery) {
    let delivery = delivery.clone();
    let updated = store
        .update_order(shop_id, "1001", None, move |stored| match (stored, delivery) {
            (None, Delivery::Order(order)) => Ok(Decision::Write(Box::new(ValidOrder::check(*order)?))),
            (stored, delivery) => Decision::merged(stored, |order| apply(order, &delivery)),
        })
        .await;
    // A merge that would make an invalid order is refused and changes nothing.
    assert!(matches!(updated, Ok(_) | Err(StoreError::Invalid(_))), "{updated:?}");
}

#[test]
fn the_stored_view_is_the_projection_of_the_stored_order_after_any_writes() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_dir, store) = runtime.block_on(store());
    let (cases, with_order) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    let mut runner = runner(64);
    let deliveries = proptest::collection::vec(delivery(), 1..8);
    let result = runner.run(&deliveries, |deliveries| {
        cases.set(cases.get() + 1);
        let slug = format!("p{}", cases.get());
        runtime.block_on(async {
            let shop = store.create_shop(&shop(&slug)).await.unwrap();
            for d in &deliveries {
                deliver(&store, shop.id, d).await;
            }
            let stored = store.order(shop.id, "1001").await.unwrap();
            with_order.set(with_order.get() + u32::from(stored.is_some()));
            let email = stored
                .as_ref()
                .map_or("ada@example.com".to_string(), |o| o.email.clone());
            let view = store.shopper_view(&slug, "1001", &email).await.unwrap();
            let projected = stored.as_ref().map(|o| StoredView::of(o).unwrap());
            if view != projected {
                return Err(TestCaseError::fail(format!("{view:?} != {projected:?}")));
            }
            Ok(())
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // Not vacuous: most cases store an order (a first delivery that is a parcel or
    // an event names an order not yet known, and is not applied).
    assert!(
        with_order.get() * 2 > cases.get(),
        "{} of {}",
        with_order.get(),
        cases.get()
    );
}

#[tokio::test]
async fn a_lookup_reads_the_view_alone_never_the_merchants_document() {
    use sqlx::{Column, Executor};
    let (_dir, store) = store().await;
    let described = (&store.pool).describe(readers::LOOKUP).await.unwrap();
    let columns: Vec<&str> = described.columns().iter().map(|c| c.name()).collect();
    assert_eq!(columns, ["shopper_view"]);
    if let readers::Readers::Postgres(readers) = &store.readers {
        // Lookups asked together read the same column, and their positions.
        assert_eq!(readers.columns_asked_together().await, ["i", "shopper_view"]);
        // And are planned once per connection, not per lookup.
        assert_eq!(readers.setting("plan_cache_mode").await, "force_generic_plan");
    }
    if store.backend() == Backend::Sqlite {
        // Lookups through lookup rows read a table that holds no document.
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info('order_lookups')")
            .fetch_all(&store.pool)
            .await
            .unwrap();
        assert_eq!(columns, ["id", "shop_id", "number_key", "email_key", "shopper_view"]);
    }

    // Proof by sabotage: with the document made unreadable, the lookup still answers.
    let a = store.create_shop(&shop("a")).await.unwrap();
    let order = crate::order::parse_order(EXAMPLE.as_bytes()).unwrap();
    let expected = StoredView::of(&order).unwrap();
    store.put_order(a.id, order).await.unwrap();
    sqlx::query("UPDATE orders SET doc = '{\"broken\": true}'")
        .execute(&store.pool)
        .await
        .unwrap();
    assert!(
        store.order(a.id, "1001").await.is_err(),
        "the document is unreadable now"
    );
    assert_eq!(
        store.shopper_view("a", "1001", "ada@example.com").await.unwrap(),
        Some(expected)
    );
}

#[tokio::test]
async fn orders_stored_without_a_view_get_one_when_the_store_migrates() {
    let (_dir, store) = store().await;
    let a = store.create_shop(&shop("a")).await.unwrap();
    let orders: Vec<ValidOrder> = (1..=1203)
        .map(|n| example_as(&format!("#{n}"), &format!("shopper{n}@example.com")))
        .collect();
    store.replace_orders(a.id, orders).await.unwrap();
    // As a database written before views were stored.
    sqlx::query("UPDATE orders SET shopper_view = NULL")
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(
        store.shopper_view("a", "1", "shopper1@example.com").await.unwrap(),
        None
    );
    store.migrate().await.unwrap();
    for n in [1, 500, 501, 1203] {
        let found = store
            .shopper_view("a", &n.to_string(), &format!("shopper{n}@example.com"))
            .await
            .unwrap()
            .expect("a view after migrating");
        assert_eq!(found.parse().unwrap().order_number, format!("#{n}"));
    }
    assert_eq!(store.fill_missing_views().await.unwrap(), 0, "nothing left to fill");
}

#[tokio::test]
async fn views_made_before_hold_reasons_were_worded_for_shoppers_are_made_again() {
    let (_dir, store) = store().await;
    let a = store.create_shop(&shop("a")).await.unwrap();
    let order = |n: u32, hold: Option<&str>| {
        let mut order = crate::order::parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
        order.order_number = format!("#{n}");
        order.hold_reason = hold.map(str::to_string);
        order.fulfillment_status = crate::status::FulfillmentStatus::OnHold;
        ValidOrder::check(order).unwrap()
    };
    let orders = [order(1, Some("high_risk_of_fraud")), order(2, None)];
    store.replace_orders(a.id, orders.to_vec()).await.unwrap();
    // As the views were before: the platform's code as it came. The order
    // without a hold reason or a refund keeps its view as it is.
    sqlx::query("UPDATE orders SET shopper_view = replace(shopper_view, '\"store\"', '\"high_risk_of_fraud\"')")
        .execute(&store.pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE orders SET shopper_view = replace(shopper_view, '\"NOK\"', '\"marked\"') WHERE number_key = '2'",
    )
    .execute(&store.pool)
    .await
    .unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 20261203000001")
        .execute(&store.pool)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let view = |n: u32| {
        let store = store.clone();
        async move {
            let email = orders_email();
            store
                .shopper_view("a", &n.to_string(), &email)
                .await
                .unwrap()
                .expect("a view")
        }
    };
    let held = view(1).await.parse().unwrap();
    assert_eq!(held.hold_reason.as_deref(), Some("store"));
    assert!(view(2).await.into_string().contains("\"marked\""), "untouched");
}

#[tokio::test]
async fn views_made_by_older_rules_are_made_again_once_and_again_when_asked() {
    let (_dir, store) = store().await;
    let a = store.create_shop(&shop("a")).await.unwrap();
    let orders: Vec<ValidOrder> = (1..=1003)
        .map(|n| {
            let mut order = crate::order::parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
            order.order_number = format!("#{n}");
            ValidOrder::check(order).unwrap()
        })
        .collect();
    store.replace_orders(a.id, orders.clone()).await.unwrap();
    let mark = || async {
        sqlx::query("UPDATE orders SET shopper_view = replace(shopper_view, '\"NOK\"', '\"marked\"')")
            .execute(&store.pool)
            .await
            .unwrap();
    };
    let marked = || async {
        let views: Vec<String> = sqlx::query_scalar("SELECT shopper_view FROM orders")
            .fetch_all(&store.pool)
            .await
            .unwrap();
        views.iter().filter(|v| v.contains("\"marked\"")).count()
    };
    let rules = || async {
        let n: i64 = sqlx::query_scalar("SELECT rules FROM projection")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        n
    };
    assert_eq!(
        rules().await,
        crate::projection::RULES,
        "a new database is made by this build's rules"
    );
    // As a database whose views an older build made.
    mark().await;
    sqlx::query("UPDATE projection SET rules = 1")
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(marked().await, 1003);
    store.migrate().await.unwrap();
    assert_eq!(marked().await, 0, "every view made again");
    assert_eq!(rules().await, crate::projection::RULES);
    let email = orders_email();
    let found = store.shopper_view("a", "1003", &email).await.unwrap().expect("a view");
    assert_eq!(
        found.into_string(),
        StoredView::of(&orders[1002]).unwrap().into_string()
    );
    // Once recorded, a migration leaves views alone; asked for, all are made again.
    mark().await;
    store.migrate().await.unwrap();
    assert_eq!(marked().await, 1003, "the rules are recorded: nothing to do");
    assert_eq!(store.reproject_all_views().await.unwrap(), 1003);
    assert_eq!(
        store.reproject_all_views().await.unwrap(),
        0,
        "a view that comes out the same is not written"
    );
}

/// The email of the example order.
fn orders_email() -> String {
    let order = crate::order::parse_order(EXAMPLE.as_bytes()).unwrap().into_inner();
    order.email
}
