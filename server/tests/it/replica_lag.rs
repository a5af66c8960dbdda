//! Lookups read from a PostgreSQL replica (`--database-lookup-url`) that has
//! fallen behind the primary: a miss there is asked again of the primary, so a
//! shopper is not told that an order written a moment ago does not exist.
//! A real streaming replica, its replay paused and resumed.

use crate::common;

use common::own_postgres::OwnPostgres;
use common::{lookout_command, lookout_ok, ServerProcess, EXAMPLE};
use sqlx::Connection;
use std::time::{Duration, Instant};

/// Waits (at most 20 s) until `name` reads `value`.
async fn until(server: &ServerProcess, name: &str, value: f64) {
    let start = Instant::now();
    while server.metric(name).await != value {
        assert!(start.elapsed() < Duration::from_secs(20), "{name} never read {value}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Pauses the replica's replay, writes order `#number` through the API (on
/// the primary) and waits until the server sees the replica behind.
async fn pause_and_write(server: &ServerProcess, replica: &str, key: &str, number: &str) {
    on_replica(replica, "SELECT pg_wal_replay_pause()").await;
    let put = reqwest::Client::new()
        .put(format!("{}/api/v1/shops/demo/orders/%23{number}", server.base))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body(EXAMPLE.replace("#1001", &format!("#{number}")))
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 201);
    until(server, "lookout_lookup_replica_behind", 1.0).await;
}

async fn on_replica(url: &str, statement: &str) {
    let mut conn = sqlx::PgConnection::connect(url).await.expect("the replica");
    sqlx::query(statement).execute(&mut conn).await.expect(statement);
}

#[tokio::test]
async fn a_miss_on_a_replica_that_is_behind_is_asked_again_of_the_primary() {
    if common::postgres_admin_url().is_none() {
        eprintln!("skipped: runs in the PostgreSQL pass of scripts/test.sh");
        return;
    }
    let pg = OwnPostgres::with_standby();
    let (primary, replica) = (pg.url(), pg.standby_url());
    lookout_ok(&primary, &["demo"]);
    let key = lookout_ok(&primary, &["key", "create", "demo"]);
    let key = key.lines().last().expect("a key line").trim().to_string();
    let mut cmd = lookout_command(&primary);
    cmd.env("RUST_LOG", "warn,app::store::replica=info");
    let mut server = ServerProcess::start(
        cmd,
        &[
            "--database-lookup-url",
            &replica,
            // Misses asked again below: room for them.
            "--failed-lookups-per-order",
            "1000",
            "--failed-lookups-per-email",
            "1000",
            "--failed-lookups-per-client",
            "1000",
        ],
    );
    assert_eq!(server.metric("lookout_lookup_replica_behind").await, 0.0);
    // Once the replica has the demo (a moment after it was written).
    let start = Instant::now();
    while server.lookup("demo", "ada@example.com", "#1001").await != 200 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the replica never had the demo"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The replica stops replaying; an order is written on the primary.
    pause_and_write(&server, &replica, &key, "77001").await;
    assert!(server.metric("lookout_lookup_replica_lag_seconds").await > 0.0);

    // Not on the replica, found on the primary; a miss is still a miss.
    let asked = server.metric("lookout_lookup_primary_reads_total").await;
    assert_eq!(server.lookup("demo", "ada@example.com", "#77001").await, 200);
    assert_eq!(server.lookup("demo", "mallory@example.com", "#77001").await, 404);
    assert_eq!(server.metric("lookout_lookup_primary_reads_total").await, asked + 2.0);
    // A hit on the replica asks nothing of the primary.
    assert_eq!(server.lookup("demo", "ada@example.com", "#1001").await, 200);
    assert_eq!(server.metric("lookout_lookup_primary_reads_total").await, asked + 2.0);

    // Caught up: the replica alone again.
    on_replica(&replica, "SELECT pg_wal_replay_resume()").await;
    until(&server, "lookout_lookup_replica_behind", 0.0).await;
    assert_eq!(server.metric("lookout_lookup_replica_lag_seconds").await, 0.0);
    assert_eq!(server.lookup("demo", "ada@example.com", "#77001").await, 200);
    assert_eq!(server.lookup("demo", "mallory@example.com", "#77001").await, 404);
    assert_eq!(server.metric("lookout_lookup_primary_reads_total").await, asked + 2.0);

    // Behind again, then the primary stops: a miss the primary cannot be
    // asked about is the replica's miss, and spends its attempt (an error
    // would give it back: hits from the replica, misses free).
    pause_and_write(&server, &replica, &key, "77002").await;
    pg.ctl("stop");
    let missed = r#"lookout_lookups_total{outcome="not_found"}"#;
    let before = server.metric(missed).await;
    assert_eq!(server.lookup("demo", "mallory@example.com", "#77002").await, 404);
    assert_eq!(server.metric(missed).await, before + 1.0, "counted, its attempt kept");
    assert_eq!(
        server.lookup("demo", "ada@example.com", "#1001").await,
        200,
        "the replica still answers"
    );
    // The watch cannot ask the primary: not known to be behind, no fallback.
    until(&server, "lookout_lookup_replica_behind", 0.0).await;
    assert_eq!(server.lookup("demo", "mallory@example.com", "#77002").await, 404);

    // Each change said once in the log.
    let log = server.stop_and_read_log();
    let lines = |words: &str| log.lines().filter(|line| line.contains(words)).count();
    assert_eq!(lines("is behind the primary"), 1, "once a minute at most: {log}");
    assert_eq!(lines("has caught up with the primary"), 1, "{log}");
    assert_eq!(lines("could not compare the lookup database"), 1, "{log}");
}
