//! What the running server forgets on its own, from its first hour: here, an
//! account nobody can use (never given a password, on no team, its link
//! ended), while one whose link still works stays. On SQLite,
//! and on PostgreSQL when `LOOKOUT_TEST_POSTGRES` is set.

use crate::common;

use common::{lookout_command, lookout_ok, ServerProcess, TestDb};
use std::time::{Duration, Instant};

async fn accounts(pool: &sqlx::AnyPool, email: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_server_forgets_accounts_nobody_can_use() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["demo"]);
    for email in ["gone@demo.example", "waiting@demo.example"] {
        lookout_ok(&db.url, &["user", "create", email, "--shop", "demo", "--role", "staff"]);
    }
    for email in ["gone@demo.example", "waiting@demo.example"] {
        lookout_ok(&db.url, &["user", "remove", email, "--shop", "demo"]);
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    // Made two days ago, and the link the command printed has ended.
    let ago = |days: i64| app::store::time_in(-chrono::Duration::days(days));
    for (sql, days) in [
        ("UPDATE users SET created_at = $1 WHERE email = $2", 2),
        (
            "UPDATE password_links SET expires_at = $1
             WHERE user_id IN (SELECT id FROM users WHERE email = $2)",
            1,
        ),
    ] {
        sqlx::query(sql)
            .bind(ago(days))
            .bind("gone@demo.example")
            .execute(&pool)
            .await
            .unwrap();
    }
    let mut cmd = lookout_command(&db.url);
    cmd.env("RUST_LOG", "info");
    let mut server = ServerProcess::start(cmd, &[]);
    let end = Instant::now() + Duration::from_secs(15);
    while accounts(&pool, "gone@demo.example").await > 0 {
        assert!(Instant::now() < end, "the idle account was not forgotten");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        accounts(&pool, "waiting@demo.example").await,
        1,
        "still waiting for its password"
    );
    // Said just after the commit seen above: read until it is.
    let log = server.log_until("forgot idle accounts without a password", Duration::from_secs(15));
    assert!(!log.contains("gone@demo.example"), "no address in the log");
}
