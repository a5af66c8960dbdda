//! A transaction the database ends alone (SQLite on a full disk: the failed
//! COMMIT rolls the whole transaction back) leaves no pooled connection that
//! refuses every later write as "at non-zero transaction depth".

use super::tests::shop;
use super::*;

#[tokio::test]
async fn a_transaction_the_database_ended_alone_leaves_no_connection_that_refuses_later_writes() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("ended.db").display());
    // One connection, so that the next write gets the same one.
    let options = StoreOptions {
        pool_size: Some(1),
        ..StoreOptions::default()
    };
    let store = Store::connect_with(&url, &options).await.unwrap();
    store.migrate().await.unwrap();
    store.create_shop(&shop("before")).await.unwrap();

    // The database ends the transaction under the connection, as a full disk
    // does at COMMIT (here by a ROLLBACK the pool does not see); the
    // connection's own rollback then fails, and it still counts itself inside.
    {
        let mut conn = store.pool.acquire().await.unwrap();
        let mut tx = begin_write(&mut conn, store.backend).await.unwrap();
        sqlx::query("ROLLBACK").execute(&mut *tx).await.unwrap();
    }

    let renamed = ShopUpdate {
        name: Some("Renamed".into()),
        ..ShopUpdate::default()
    };
    let written = store.update_shop("before", &renamed, &By::Operator).await;
    assert!(written.expect("the next write works"), "the shop is there");
    assert_eq!(store.shop("before").await.unwrap().unwrap().name, "Renamed");
}
