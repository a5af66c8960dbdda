//! Lists read in the order of an index, no more than they show: the plans the
//! databases choose for them, on a table as a big one is read (PostgreSQL is
//! told not to scan a whole table, which it prefers for a small one), with no
//! sort of every row that matches.

use super::tests::store_at;
use super::{links, refusals, Backend, Store};
use sqlx::Row;

/// A bind of a plan's query.
enum Bind<'a> {
    Number(i64),
    Text(&'a str),
}

/// The plan of `sql` with `binds`, one line per step.
async fn plan(store: &Store, sql: &str, binds: &[Bind<'_>]) -> String {
    let mut conn = store.pool.acquire().await.unwrap();
    let (explain, column) = match store.backend {
        Backend::Sqlite => ("EXPLAIN QUERY PLAN", 3),
        Backend::Postgres => {
            for off in ["SET enable_seqscan = off", "SET enable_bitmapscan = off"] {
                sqlx::query(off).execute(&mut *conn).await.unwrap();
            }
            ("EXPLAIN", 0)
        }
    };
    let explained = format!("{explain} {sql}");
    let mut query = sqlx::query(&explained);
    for bind in binds {
        query = match bind {
            Bind::Number(n) => query.bind(*n),
            Bind::Text(t) => query.bind(*t),
        };
    }
    let rows = query.fetch_all(&mut *conn).await.unwrap();
    if store.backend == Backend::Postgres {
        sqlx::query("RESET ALL").execute(&mut *conn).await.unwrap();
    }
    let lines: Vec<String> = rows.iter().map(|r| r.try_get::<String, _>(column).unwrap()).collect();
    lines.join("\n")
}

/// Read from `index`, in its order: no sort.
fn in_index_order(plan: &str, index: &str) {
    assert!(plan.contains(index), "{plan}");
    assert!(!plan.contains("TEMP B-TREE") && !plan.contains("Sort"), "{plan}");
}

/// A shopper's orders, newest first: an address may have thousands.
#[tokio::test]
async fn a_shoppers_orders_are_read_newest_first_from_their_index() {
    let (_dir, store, _url) = store_at().await;
    let sql = links::views_with_email_sql(store.backend);
    let binds = [Bind::Number(1), Bind::Text("shopper@example.com"), Bind::Number(501)];
    in_index_order(&plan(&store, &sql, &binds).await, "orders_by_email_placed");
}

/// The abuse panel's refusals, most attempts first: a flood from many
/// clients leaves a day's worth.
#[tokio::test]
async fn the_abuse_panels_refusals_are_read_most_attempts_first_from_their_index() {
    let (_dir, store, _url) = store_at().await;
    let binds = [Bind::Number(1), Bind::Text("2026-12-05T00:00:00Z")];
    in_index_order(&plan(&store, refusals::LISTED, &binds).await, "refusals_by_attempts");
}
