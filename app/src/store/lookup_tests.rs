//! Lookup rows (SQLite, `order_lookups`): whatever is written, erased, dropped
//! with its shop or collides, a lookup through them answers exactly as one
//! through `orders` does.

use super::lookup_id::{lookup_id, number_hash};
use super::tests::{example_as, runner, shop, store};
use super::*;
use crate::order::ValidOrder;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// One thing done to the two shops' orders: numbers 1 to 3, two emails.
#[derive(Debug, Clone)]
enum Step {
    Put {
        shop: usize,
        number: u8,
        email: usize,
    },
    Erase {
        shop: usize,
        number: u8,
    },
    /// The shop deleted (its orders with it) and made again under the same id.
    DropShop(usize),
}

const EMAILS: [&str; 2] = ["ada@example.com", "eve@example.com"];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => (0..2usize, 1..=3u8, 0..2usize).prop_map(|(shop, number, email)| Step::Put { shop, number, email }),
        2 => (0..2usize, 1..=3u8).prop_map(|(shop, number)| Step::Erase { shop, number }),
        1 => (0..2usize).prop_map(Step::DropShop),
    ]
}

/// The lookup as it reads through `orders`: what lookup rows must agree with.
async fn through_orders(store: &Store, slug: &str, number: &str, email: &str) -> Option<String> {
    sqlx::query_scalar::<_, Option<String>>(readers::LOOKUP)
        .bind(slug)
        .bind(number)
        .bind(email)
        .fetch_optional(&store.pool)
        .await
        .unwrap()
        .flatten()
}

/// Two shops whose ids make orders collide: (a, 1) with (b, 2) and (a, 2) with
/// (b, 1) have the same lookup id; number 3 collides with nothing.
async fn colliding_shops(store: &Store, case: u32) -> [(String, i64); 2] {
    let a = store.create_shop(&shop(&format!("a{case}"))).await.unwrap();
    let b_slug = format!("b{case}");
    let b_id = number_hash("1") ^ number_hash("2") ^ a.id;
    let b = store.create_shop(&shop(&b_slug)).await.unwrap();
    sqlx::query("UPDATE shops SET id = $1 WHERE id = $2")
        .bind(b_id)
        .bind(b.id)
        .execute(&store.pool)
        .await
        .unwrap();
    // Written past the store's methods: say so, as they do, so lookups see it.
    store.readers.wrote();
    assert_eq!(lookup_id(a.id, "1"), lookup_id(b_id, "2"));
    assert_eq!(lookup_id(a.id, "2"), lookup_id(b_id, "1"));
    [(a.slug, a.id), (b_slug, b_id)]
}

async fn apply(store: &Store, shops: &[(String, i64); 2], step: &Step) {
    match *step {
        Step::Put { shop, number, email } => {
            store
                .put_order(shops[shop].1, example_as(&format!("#{number}"), EMAILS[email]))
                .await
                .unwrap();
        }
        Step::Erase { shop, number } => {
            store
                .delete_order(shops[shop].1, &number.to_string(), &By::Operator)
                .await
                .unwrap();
        }
        Step::DropShop(shop) => {
            let (slug, id) = &shops[shop];
            sqlx::query("DELETE FROM shops WHERE id = $1")
                .bind(id)
                .execute(&store.pool)
                .await
                .unwrap();
            sqlx::query(
                "INSERT INTO shops (id, slug, name, webhook_secret, created_at) VALUES ($1, $2, $2, 's', 'now')",
            )
            .bind(id)
            .bind(slug)
            .execute(&store.pool)
            .await
            .unwrap();
            store.readers.wrote();
        }
    }
}

/// Orders of these shops whose lookup row is another order's or empty.
async fn not_in_their_row(store: &Store, shops: &[(String, i64); 2]) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders o JOIN order_lookups v ON v.id = o.lookup_id
         WHERE o.shop_id IN ($1, $2) AND (v.number_key IS NULL OR v.shop_id != o.shop_id OR v.number_key != o.number_key)",
    )
    .bind(shops[0].1)
    .bind(shops[1].1)
    .fetch_one(&store.pool)
    .await
    .unwrap()
}

#[test]
fn lookups_through_lookup_rows_answer_as_through_orders_after_any_writes() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_dir, store) = runtime.block_on(store());
    if store.backend() != Backend::Sqlite {
        return; // Only SQLite keeps lookup rows.
    }
    let (cases, displaced) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    let mut runner = runner(96);
    let result = runner.run(&proptest::collection::vec(step(), 1..24), |steps| {
        cases.set(cases.get() + 1);
        runtime.block_on(async {
            let shops = colliding_shops(&store, cases.get()).await;
            for step in &steps {
                apply(&store, &shops, step).await;
                if not_in_their_row(&store, &shops).await > 0 {
                    displaced.set(displaced.get() + 1);
                }
                for (slug, _) in &shops {
                    for number in ["1", "2", "3", "4"] {
                        for email in EMAILS {
                            let found = store.shopper_view(slug, number, email).await.unwrap();
                            let expected = through_orders(&store, slug, number, email).await;
                            if found.as_ref().map(|v| v.clone().into_string()) != expected {
                                return Err(TestCaseError::fail(format!(
                                    "{slug} #{number} {email} after {step:?}: {found:?} != {expected:?}"
                                )));
                            }
                        }
                    }
                }
            }
            // Every order has its id and a row under it (its own or a collider's).
            let rowless: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM orders o LEFT JOIN order_lookups v ON v.id = o.lookup_id
                 WHERE o.lookup_id IS NULL OR v.id IS NULL",
            )
            .fetch_one(&store.pool)
            .await
            .unwrap();
            prop_assert_eq!(rowless, 0);
            Ok(())
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // Not vacuous: orders found through `orders` because a collider or an
    // erased order held their row came up after many steps.
    assert!(
        displaced.get() > 50,
        "{} steps with an order out of its row",
        displaced.get()
    );
}

#[tokio::test]
async fn orders_stored_before_lookup_ids_get_them_when_the_store_migrates() {
    let (_dir, store) = store().await;
    if store.backend() != Backend::Sqlite {
        return;
    }
    let a = store.create_shop(&shop("a")).await.unwrap();
    let orders: Vec<ValidOrder> = (1..=1203u32).map(|n| example_as(&format!("#{n}"), EMAILS[0])).collect();
    store.replace_orders(a.id, orders).await.unwrap();
    // As a database written before lookup ids.
    for sql in ["UPDATE orders SET lookup_id = NULL", "DELETE FROM order_lookups"] {
        sqlx::query(sql).execute(&store.pool).await.unwrap();
    }
    store.migrate().await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_lookups WHERE shopper_view IS NOT NULL")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(rows, 1203);
    for n in [1u32, 1000, 1001, 1203] {
        let found = store.shopper_view("a", &n.to_string(), EMAILS[0]).await.unwrap();
        assert_eq!(found.expect("found").parse().unwrap().order_number, format!("#{n}"));
    }
    assert_eq!(
        store.fill_missing_lookup_ids().await.unwrap(),
        0,
        "nothing left to fill"
    );
}
