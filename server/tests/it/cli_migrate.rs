//! `lookout migrate` on a database that is not one it should touch: another
//! program's SQLite file, or a database a newer version migrated. Each is
//! refused with what to do, and left as it was. And `migrate --reproject`,
//! which makes every stored shopper view again.

use super::cli::{lookout, stderr, stdout, temp_db};
use crate::common;

use common::{lookout_command, lookout_ok, TestDb};

async fn pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.expect("connect")
}

#[tokio::test]
async fn another_programs_sqlite_file_is_not_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
    let other = pool(&url).await;
    sqlx::query("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        .execute(&other)
        .await
        .unwrap();
    other.close().await;
    let out = lookout_command(&url).arg("migrate").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("not Lookout's (customers)") && err.contains("a file of its own"),
        "{err}"
    );
    let other = pool(&url).await;
    let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .fetch_all(&other)
        .await
        .unwrap();
    assert_eq!(tables, ["customers"], "nothing was added");
}

#[tokio::test]
async fn a_database_a_newer_version_migrated_says_so_and_is_left_as_it_was() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["migrate"]);
    let sql = pool(&db.url).await;
    // A row as sqlx writes one, of a version this build does not have.
    let checksum = if db.is_postgres() { "'\\x00'::bytea" } else { "X'00'" };
    sqlx::query(&format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from a newer version', TRUE, {checksum}, 1)"
    ))
    .execute(&sql)
    .await
    .unwrap();
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&sql)
            .await
            .unwrap()
    };
    let before = count().await;
    // `lookout serve` migrates the same way first.
    let out = lookout_command(&db.url).arg("migrate").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("migrated by a newer Lookout (its migration 99990101000000"),
        "{err}"
    );
    assert_eq!(count().await, before);
}

/// A PostgreSQL database whose text is not UTF-8 is refused before any
/// migration runs (one ran halfway, then stopped on the first character its
/// encoding lacks), saying what to make instead. PostgreSQL only: a SQLite
/// file's text is always UTF-8.
#[tokio::test]
async fn a_postgres_database_of_another_encoding_is_refused_before_any_migration() {
    use sqlx::Connection;
    let Some(admin) = common::postgres_admin_url() else {
        return;
    };
    let name = format!("lookout_latin1_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(&format!(
        "CREATE DATABASE {name} ENCODING 'LATIN1' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let out = lookout_command(&url).arg("migrate").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("stores text as LATIN1") && err.contains("ENCODING 'UTF8'"),
        "{err}"
    );
    let sql = pool(&url).await;
    let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'")
        .fetch_one(&sql)
        .await
        .unwrap();
    assert_eq!(tables, 0, "nothing was made");
}

#[tokio::test]
async fn migrate_reproject_makes_every_shopper_view_again() {
    let (db, url) = temp_db();
    let out = lookout(&url, &["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A view as a server of other rules might have written it.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    sqlx::query("UPDATE orders SET shopper_view = replace(shopper_view, '\"placed_at\"', '\"marked\"')")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let out = lookout(&url, &["migrate", "--reproject"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Shopper views made again: 15 changed"),
        "{}",
        stdout(&out)
    );
    let out = lookout(&url, &["migrate", "--reproject"]);
    assert!(
        stdout(&out).contains("Shopper views made again: 0 changed"),
        "{}",
        stdout(&out)
    );
}
