use super::*;
use crate::order::{parse_order, Shipment, ValidOrder};
use crate::status::ShipmentStatus;
use crate::view::StoredView;

pub(super) const EXAMPLE: &str = include_str!("../../../fixtures/order-1001.json");

/// A fresh store: SQLite, or a new database on the PostgreSQL server that
/// `LOOKOUT_TEST_POSTGRES` names (scripts/test.sh runs these tests on both).
pub(crate) async fn store() -> (tempfile::TempDir, Store) {
    let (dir, store, _url) = store_at().await;
    (dir, store)
}

/// Opens every connection of the store's pool and gives them back, so that
/// none of a race's contenders waits for one to be made; returns how many.
pub(crate) async fn open_every_connection(store: &Store) -> usize {
    let mut open = Vec::new();
    while let Ok(Some(conn)) = tokio::time::timeout(std::time::Duration::from_millis(200), store.pool.acquire())
        .await
        .map(Result::ok)
    {
        open.push(conn);
    }
    open.len()
}

/// The same, with the database's URL (for a second store on it, as another
/// server would open).
pub(crate) async fn store_at() -> (tempfile::TempDir, Store, String) {
    let (dir, url) = empty_at().await;
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    (dir, store, url)
}

/// A fresh database's URL, nothing in it yet: SQLite, or a new database on
/// the PostgreSQL server that `LOOKOUT_TEST_POSTGRES` names.
pub(crate) async fn empty_at() -> (tempfile::TempDir, String) {
    use sqlx::Connection;
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("LOOKOUT_TEST_POSTGRES") {
        Ok(admin) if !admin.is_empty() => {
            let name = format!(
                "lookout_unit_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            );
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
        }
        _ => format!("sqlite://{}", dir.path().join("t.db").display()),
    };
    (dir, url)
}

/// A property-test runner with a fixed seed: every run tries the same cases, so
/// a test's check that its cases were not vacuous cannot fail by chance.
pub(super) fn runner(cases: u32) -> proptest::test_runner::TestRunner {
    use proptest::test_runner::{Config, RngSeed, TestRunner};
    TestRunner::new(Config {
        cases,
        rng_seed: RngSeed::Fixed(1),
        ..Config::default()
    })
}

pub(super) fn shop(slug: &str) -> NewShop {
    NewShop {
        slug: slug.into(),
        name: slug.into(),
        locale: "en".into(),
        accent: None,
        allowed_origins: vec![],
        webhook_secret: "s".into(),
    }
}

pub(super) fn example() -> ValidOrder {
    parse_order(EXAMPLE.as_bytes()).unwrap()
}

/// The example order under another number and email.
pub(super) fn example_as(number: &str, email: &str) -> ValidOrder {
    let mut order = example().into_inner();
    order.order_number = number.to_string();
    order.email = email.to_string();
    ValidOrder::check(order).unwrap()
}

#[tokio::test]
async fn an_order_reads_back_exactly_as_written() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    assert_eq!(store.put_order(shop.id, example()).await.unwrap(), PutOutcome::Created);
    assert_eq!(
        store.order(shop.id, "1001").await.unwrap(),
        Some(example().into_inner())
    );
    assert_eq!(store.put_order(shop.id, example()).await.unwrap(), PutOutcome::Replaced);
}

#[tokio::test]
async fn an_older_update_changes_nothing() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    store.put_order(shop.id, example()).await.unwrap();
    let mut older = example().into_inner();
    older.updated_at = "2026-11-01T00:00:00Z".into();
    older.note = Some("overwritten".into());
    let older = ValidOrder::check(older).unwrap();
    assert!(matches!(store.put_order(shop.id, older).await, Err(StoreError::Stale)));
    assert_eq!(
        store.order(shop.id, "1001").await.unwrap(),
        Some(example().into_inner())
    );
}

#[tokio::test]
async fn lookup_needs_the_right_email_and_shop() {
    let (_dir, store) = store().await;
    let a = store.create_shop(&shop("a")).await.unwrap();
    store.create_shop(&shop("b")).await.unwrap();
    store.put_order(a.id, example()).await.unwrap();
    assert_eq!(
        store.shopper_view("a", "1001", "ada@example.com").await.unwrap(),
        Some(StoredView::of(&example()).unwrap())
    );
    assert!(store
        .shopper_view("a", "1001", "eve@example.com")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .shopper_view("b", "1001", "ada@example.com")
        .await
        .unwrap()
        .is_none());
}

/// A parcel as a platform delivers it.
fn parcel(id: &str) -> Shipment {
    Shipment {
        id: id.into(),
        status: ShipmentStatus::InTransit,
        carrier: Some("UPS".into()),
        tracking_number: None,
        tracking_url: None,
        more_tracking: vec![],
        estimated_delivery: None,
        shipped_at: Some("2026-11-03T07:00:00Z".into()),
        delivered_at: None,
        line_items: vec![],
        events: vec![],
        updated_at: Some("2026-11-03T07:00:00Z".into()),
        cancelled_at: None,
    }
}

/// Merges one parcel into the stored order, recorded under `delivery`.
async fn deliver_parcel(store: &Store, shop_id: i64, delivery: &str, s: Shipment) -> Updated {
    store
        .update_order(shop_id, "1001", Some(delivery), move |stored| {
            Decision::merged(stored, |order| order.merge_shipment(s))
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn concurrent_deliveries_to_one_order_all_land() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let mut order = example().into_inner();
    order.shipments.clear();
    store
        .put_order(shop.id, ValidOrder::check(order).unwrap())
        .await
        .unwrap();
    // Twenty parcels delivered at once, each twice (a retry racing its original).
    let deliveries = (0..40).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let n = i % 20;
            deliver_parcel(&store, shop.id, &format!("d-{n}"), parcel(&format!("p-{n}"))).await
        })
    });
    let mut outcomes = vec![];
    for d in deliveries.collect::<Vec<_>>() {
        outcomes.push(d.await.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|o| **o == Updated::Replaced).count(), 20);
    assert_eq!(outcomes.iter().filter(|o| **o == Updated::Duplicate).count(), 20);
    let stored = store.order(shop.id, "1001").await.unwrap().unwrap();
    assert_eq!(stored.shipments.len(), 20, "no parcel lost");
}

#[tokio::test]
async fn a_change_that_fails_validation_writes_nothing_and_records_no_delivery() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    store.put_order(shop.id, example()).await.unwrap();
    let mut bad = parcel("p-bad");
    bad.tracking_url = Some("javascript:alert(1)".into());
    let result = store
        .update_order(shop.id, "1001", Some("d-1"), move |stored| {
            let mut order = stored.unwrap();
            order.merge_shipment(bad);
            ValidOrder::check(order).map(|order| Decision::Write(Box::new(order)))
        })
        .await;
    match result {
        Err(StoreError::Invalid(errors)) => assert_eq!(errors[0].code, "invalid_url"),
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(
        store.order(shop.id, "1001").await.unwrap(),
        Some(example().into_inner())
    );
    // The same delivery id, now with a good parcel, is applied: it was not recorded.
    assert_eq!(
        deliver_parcel(&store, shop.id, "d-1", parcel("p-1")).await,
        Updated::Replaced
    );
    assert_eq!(
        deliver_parcel(&store, shop.id, "d-1", parcel("p-1")).await,
        Updated::Duplicate
    );
}

#[tokio::test]
async fn a_delivery_for_an_order_not_yet_stored_is_not_recorded() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    assert_eq!(
        deliver_parcel(&store, shop.id, "d-1", parcel("p-1")).await,
        Updated::UnknownOrder
    );
    store.put_order(shop.id, example()).await.unwrap();
    assert_eq!(
        deliver_parcel(&store, shop.id, "d-1", parcel("p-1")).await,
        Updated::Replaced
    );
}

#[tokio::test]
async fn the_lookup_queries_use_the_lookup_rows_key_and_the_order_number_index() {
    let (_dir, store) = store().await;
    if store.backend() == Backend::Postgres {
        // PostgreSQL plans by table statistics, so an empty table says nothing
        // here; docs/benchmarks.md shows its plan at a million orders.
        return;
    }
    let plan = store.explain_lookup().await.unwrap().join("\n");
    // Through lookup rows: the shop by its slug, the row by its id; through
    // `orders`, the (shop_id, number_key) index.
    assert!(
        plan.contains("USING INTEGER PRIMARY KEY (rowid=?)")
            && plan.contains("(shop_id=? AND number_key=?)")
            && !plan.contains("SCAN"),
        "{plan}"
    );
}

#[tokio::test]
async fn shop_settings_change_only_where_asked() {
    let (_dir, store) = store().await;
    store.create_shop(&shop("a")).await.unwrap();
    let update = ShopUpdate {
        allowed_origins: Some(vec!["https://a.example".into()]),
        accent: Some(Some("#123456".into())),
        ..ShopUpdate::default()
    };
    assert!(store.update_shop("a", &update, &By::Operator).await.unwrap());
    let a = store.shop("a").await.unwrap().unwrap();
    assert_eq!(a.allowed_origins, ["https://a.example"]);
    assert_eq!(a.accent.as_deref(), Some("#123456"));
    assert_eq!(a.locale, "en");
    let clear = ShopUpdate {
        accent: Some(None),
        locale: Some("de".into()),
        ..ShopUpdate::default()
    };
    assert!(store.update_shop("a", &clear, &By::Operator).await.unwrap());
    let a = store.shop("a").await.unwrap().unwrap();
    assert_eq!((a.accent, a.locale.as_str()), (None, "de"));
    assert_eq!(a.allowed_origins, ["https://a.example"]);
    assert!(!store.update_shop("nope", &clear, &By::Operator).await.unwrap());
}

/// On SQLite the shop is read on the lookup connections, with its columns mapped
/// by hand: every setting must read back as the main pool reads it.
#[tokio::test]
async fn a_shop_reads_the_same_wherever_it_is_read() {
    let (_dir, store) = store().await;
    let mut new = shop("a");
    new.name = "Alpha & Co".into();
    new.locale = "de".into();
    new.accent = Some("#123456".into());
    new.allowed_origins = vec!["https://a.example".into(), "https://b.example".into()];
    let created = store.create_shop(&new).await.unwrap();
    let no_links = ShopUpdate {
        email_links: Some(false),
        contact_email: Some(Some("help@a.example".into())),
        time_zone: Some(Some("Europe/Oslo".into())),
        logo_url: Some(Some("https://cdn.a.example/logo.svg".into())),
        ..ShopUpdate::default()
    };
    assert!(store.update_shop("a", &no_links, &By::Operator).await.unwrap());
    let pooled: Option<shops::ShopRow> = sqlx::query_as(shops::SHOP)
        .bind("a")
        .fetch_optional(&store.pool)
        .await
        .unwrap();
    let pooled = pooled.map(|row| row.into_shop().unwrap());
    let expected = Shop {
        email_links: false,
        contact_email: Some("help@a.example".into()),
        time_zone: Some("Europe/Oslo".into()),
        logo_url: Some("https://cdn.a.example/logo.svg".into()),
        ..created
    };
    assert_eq!(pooled.as_ref(), Some(&expected));
    assert_eq!(store.shop("a").await.unwrap(), pooled);
    let mut plain = shop("b");
    plain.name = "Bravo".into();
    let plain = store.create_shop(&plain).await.unwrap();
    assert_eq!(store.shop("b").await.unwrap(), Some(plain));
    assert_eq!(store.shop("c").await.unwrap(), None);
    let sqlite = matches!(store.readers, readers::Readers::Sqlite(_));
    assert_eq!(store.readers.shop("a").is_some(), sqlite);
}

/// Lookups may read a database of their own (a replica); shops are always read
/// from the main one, whatever the lookup database holds.
#[tokio::test]
async fn shops_come_from_the_main_database_when_lookups_read_another() {
    let (_dir, main, url) = store_at().await;
    let (_other_dir, replica, replica_url) = store_at().await;
    // The replica's "a" is another shop with another id.
    replica.create_shop(&shop("z")).await.unwrap();
    let mut theirs = shop("a");
    theirs.name = "Not this one".into();
    replica.create_shop(&theirs).await.unwrap();
    main.create_shop(&shop("b")).await.unwrap();
    let ours = main.create_shop(&shop("a")).await.unwrap();
    let options = StoreOptions {
        lookup_url: Some(replica_url),
        ..StoreOptions::default()
    };
    let store = Store::connect_with(&url, &options).await.unwrap();
    assert_eq!(store.shop("a").await.unwrap(), Some(ours));
    assert_eq!(store.shop("z").await.unwrap(), None);
}

#[tokio::test]
async fn a_duplicate_slug_is_refused() {
    let (_dir, store) = store().await;
    store.create_shop(&shop("a")).await.unwrap();
    assert!(matches!(
        store.create_shop(&shop("a")).await,
        Err(StoreError::ShopExists(_))
    ));
}

/// Hundreds of lookups at once, of many kinds: on PostgreSQL they are asked
/// together in batches, and each must still get exactly its own answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_at_once_each_get_their_own_answer() {
    let (_dir, store) = store().await;
    let a = store.create_shop(&shop("a")).await.unwrap();
    store.create_shop(&shop("b")).await.unwrap();
    let mut views = std::collections::HashMap::new();
    for n in 1..=20 {
        let order = example_as(&format!("#{n}"), &format!("s{n}@example.com"));
        views.insert(n, StoredView::of(&order).unwrap());
        store.put_order(a.id, order).await.unwrap();
    }
    let mut lookups = tokio::task::JoinSet::new();
    for i in 0..400u32 {
        // Orders 1..=25, of which 21..=25 do not exist.
        let n = i % 25 + 1;
        let (slug, email) = match i % 4 {
            0 | 1 => ("a", format!("S{n}@Example.com")),
            2 => ("a", format!("s{}@example.com", n % 20 + 1)),
            _ => ("b", format!("s{n}@example.com")),
        };
        let expected = (i % 4 < 2).then(|| views.get(&n).cloned()).flatten();
        let store = store.clone();
        lookups.spawn(async move {
            let found = store.shopper_view(slug, &n.to_string(), &email).await;
            (i, found.unwrap(), expected)
        });
    }
    let (mut answered, mut found_orders) = (0, 0);
    while let Some(done) = lookups.join_next().await {
        let (i, found, expected) = done.unwrap();
        assert_eq!(found, expected, "lookup {i}");
        answered += 1;
        found_orders += usize::from(found.is_some());
    }
    assert_eq!(answered, 400);
    // The first two kinds of lookup of orders 1..=20 find them: 160 of 400.
    assert_eq!(found_orders, 160);
    if let readers::Readers::Postgres(readers) = &store.readers {
        assert!(readers.largest_batch() > 1, "no lookups were asked together");
    }
}
