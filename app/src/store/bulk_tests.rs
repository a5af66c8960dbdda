//! The demo's bulk load beside a serving server: it holds its orders as
//! every write does, so a write of the same numbers meanwhile waits for it
//! rather than failing on the row the load made (PostgreSQL; SQLite's write
//! transaction holds the whole database anyway).

use super::tests::{example_as, shop, store_at};
use super::*;
use crate::order::ValidOrder;

/// Numbers 1 to 120 loaded in batches through one store (the CLI's) while
/// another store on the same database (a server's) `PUT`s newer versions
/// of the same numbers at once, three rounds: every `PUT` is answered (as
/// created or replaced), and every number ends as one order.
#[tokio::test]
async fn a_bulk_load_and_writes_of_the_same_numbers_at_once_all_succeed() {
    let (_dir, loader, url) = store_at().await;
    let server = Store::connect(&url).await.unwrap();
    let shop_id = loader.create_shop(&shop("a")).await.unwrap().id;
    let numbers: Vec<String> = (1..=120).map(|n| format!("B{n}")).collect();
    for round in 0..3 {
        let generated = |n: &String| example_as(n, "bulk@example.com");
        let batches: Vec<Vec<ValidOrder>> = numbers.chunks(10).map(|c| c.iter().map(generated).collect()).collect();
        // One loader, batch after batch, as `lookout demo` writes.
        let loader = loader.clone();
        let load = tokio::spawn(async move {
            for batch in batches {
                loader.replace_orders(shop_id, batch).await?;
            }
            Ok::<_, StoreError>(())
        });
        // Twenty at a time, as many clients of a server would, within its pool.
        for chunk in numbers.chunks(20) {
            let puts: Vec<_> = chunk
                .iter()
                .map(|n| {
                    let mut order = example_as(n, "put@example.com").into_inner();
                    order.updated_at = format!("2027-01-0{}T00:00:00Z", round + 1);
                    let (server, order) = (server.clone(), ValidOrder::check(order).unwrap());
                    tokio::spawn(async move { server.put_order(shop_id, order).await })
                })
                .collect();
            for (put, n) in puts.into_iter().zip(chunk) {
                let answered = put.await.unwrap();
                assert!(answered.is_ok(), "round {round}, {n}: {answered:?}");
            }
        }
        load.await.unwrap().unwrap();
        for n in &numbers {
            let stored = server
                .order(shop_id, &crate::normalize::order_number_key(n))
                .await
                .unwrap();
            assert!(stored.is_some(), "round {round}, {n}");
        }
    }
}
