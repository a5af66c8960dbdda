//! Several stateless servers share one database: two real `lookout serve`
//! processes on one database (PostgreSQL when the test command provides it,
//! else one SQLite file) see each other's writes: at once on PostgreSQL, within
//! the 50 ms a read connection keeps its snapshot on SQLite.

use crate::common;

use common::{lookout_command, lookout_ok, ServerProcess, TestDb, EXAMPLE};
use serde_json::Value;

/// Two servers on `db`, started with the same flags.
fn two_servers(db: &TestDb, args: &[&str]) -> (ServerProcess, ServerProcess) {
    let start = || ServerProcess::start(lookout_command(&db.url), args);
    (start(), start())
}

/// The status of a lookup of `#1001` with `email` at the shop `shop` through the
/// server at `base`.
async fn lookup_status(client: &reqwest::Client, base: &str, shop: &str, email: &str) -> u16 {
    client
        .post(format!("{base}/api/v1/shops/{shop}/lookup"))
        .json(&serde_json::json!({"email": email, "order_number": "#1001"}))
        .send()
        .await
        .expect("lookup")
        .status()
        .as_u16()
}

#[tokio::test]
async fn an_update_through_one_server_is_seen_through_the_other() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["shop", "create", "nordlys", "--name", "Nordlys"]);
    let key = lookout_ok(&db.url, &["key", "create", "nordlys"]);
    let key = key.lines().last().expect("a key line").trim().to_string();
    // Lookups asked again (below) are misses until they see the write: allow them.
    let allowances = [
        "--failed-lookups-per-order",
        "1000",
        "--failed-lookups-per-email",
        "1000",
    ];
    let (a, b) = two_servers(&db, &allowances);
    let client = reqwest::Client::new();
    let put = |base: String, body: String| {
        client
            .put(format!("{base}/api/v1/shops/nordlys/orders/1001"))
            .bearer_auth(&key)
            .body(body)
            .send()
    };
    let client = &client;
    let lookup = |base: String| async move {
        let res = client
            .post(format!("{base}/api/v1/shops/nordlys/lookup"))
            .json(&serde_json::json!({"email": "ada@example.com", "order_number": "#1001"}))
            .send()
            .await
            .expect("lookup");
        let status = res.status().as_u16();
        (status, res.json::<Value>().await.unwrap_or(Value::Null))
    };

    // PostgreSQL: the next lookup sees the other server's write. SQLite: each
    // server's lookup connections keep a snapshot for up to 50 ms
    // (docs/operations.md), so a lookup is asked again until it sees the write,
    // for at most 5 s (a machine busy with other tests may take a while to
    // answer; how soon is the benchmarks' business, not this test's).
    let settle = if db.url.starts_with("sqlite:") {
        std::time::Duration::from_secs(5)
    } else {
        std::time::Duration::ZERO
    };
    let lookup_until = |base: String, seen: fn(&(u16, Value)) -> bool| async move {
        let asked = std::time::Instant::now();
        loop {
            let answer = lookup(base.clone()).await;
            if seen(&answer) || asked.elapsed() >= settle {
                return answer;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    };

    // Nothing yet, through either server.
    assert_eq!(lookup(a.base.clone()).await.0, 404);
    assert_eq!(lookup(b.base.clone()).await.0, 404);

    // Written through A, read through B.
    let res = put(a.base.clone(), EXAMPLE.to_string()).await.expect("put");
    assert_eq!(res.status(), 201);
    let (status, view) = lookup_until(b.base.clone(), |(status, _)| *status == 200).await;
    assert_eq!(status, 200);
    let first = view["fulfillment_status"].clone();

    // Updated through B (a later state), read through A straight away.
    let mut order: Value = serde_json::from_str(EXAMPLE).expect("example JSON");
    order["updated_at"] = Value::from("2030-01-01T00:00:00Z");
    order["status"] = Value::from("cancelled");
    order["cancel_reason"] = Value::from("customer");
    let res = put(b.base.clone(), order.to_string()).await.expect("put");
    assert_eq!(res.status(), 200);
    let (status, view) = lookup_until(a.base.clone(), |(_, view)| view["status"] == "cancelled").await;
    assert_eq!(status, 200);
    assert_eq!(view["status"], "cancelled", "{view}");
    assert_eq!(view["fulfillment_status"], first);

    // A stale write through A is refused: B's newer state stands.
    let res = put(a.base.clone(), EXAMPLE.to_string()).await.expect("put");
    assert_eq!(res.status(), 409);
    assert_eq!(lookup(b.base.clone()).await.1["status"], "cancelled");
}

/// `--database-lookup-url`: shoppers' lookups read from the database it names (a
/// read replica in production), everything else from `--database-url`. Here the
/// lookup database is a second database holding the shop but not the order, so
/// where each answer came from shows.
#[tokio::test]
async fn lookups_read_from_the_lookup_database_and_everything_else_from_the_main_one() {
    let main = TestDb::new();
    let replica = TestDb::new();
    lookout_ok(&main.url, &["demo"]);
    lookout_ok(&replica.url, &["shop", "create", "demo", "--name", "Demo"]);
    let key = lookout_ok(&main.url, &["key", "create", "demo"]);
    let key = key.lines().last().expect("a key line").trim().to_string();
    let client = reqwest::Client::new();
    let lookup = |base: String| {
        let client = client.clone();
        async move { lookup_status(&client, &base, "demo", "ada@example.com").await }
    };

    let plain = ServerProcess::start(lookout_command(&main.url), &[]);
    assert_eq!(lookup(plain.base.clone()).await, 200);

    let split = ServerProcess::start(
        lookout_command(&main.url),
        &["--database-lookup-url", replica.url.as_str()],
    );
    assert_eq!(lookup(split.base.clone()).await, 404, "the lookup read the replica");
    let res = client
        .get(format!("{}/api/v1/shops/demo/orders/1001", split.base))
        .bearer_auth(&key)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 200, "the merchant API read the main database");
    let ready = |base: String| {
        let client = client.clone();
        async move {
            let res = client.get(format!("{base}/readyz")).send().await.expect("readyz");
            res.status().as_u16()
        }
    };
    assert_eq!(ready(split.base.clone()).await, 200);

    // A lookup database that answers but holds no Lookout tables: every lookup
    // would fail, so the server says it is not ready (its balancer takes it
    // out of rotation), though the main database answers.
    let empty = TestDb::new();
    if let Some(file) = empty.url.strip_prefix("sqlite://") {
        std::fs::write(file, b"").expect("an empty SQLite file");
    }
    let unready = ServerProcess::start(
        lookout_command(&main.url),
        &["--database-lookup-url", empty.url.as_str()],
    );
    assert_eq!(ready(unready.base.clone()).await, 503);
    assert_eq!(lookup(unready.base.clone()).await, 503, "its lookups fail");
}

#[test]
fn a_lookup_database_of_another_kind_or_unreachable_stops_start_up() {
    let main = TestDb::new();
    let sqlite = "sqlite:///nonexistent-folder/lookout.db";
    let postgres = "postgres://postgres@127.0.0.1:1/none";
    let (other_kind, unreachable) = if main.is_postgres() {
        (sqlite, postgres)
    } else {
        (postgres, sqlite)
    };
    let refused = |lookup_url: &str| {
        let out = lookout_command(&main.url)
            .args(["migrate", "--database-lookup-url", lookup_url])
            .output()
            .expect("run lookout");
        assert!(!out.status.success(), "{lookup_url} was accepted");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = refused(other_kind);
    assert!(
        err.contains("the lookup database") && err.contains("not the same kind"),
        "{err}"
    );
    let err = refused(unreachable);
    assert!(err.contains("the lookup database"), "{err}");
    // The URL named is the one that failed: the lookup database's.
    let shown = unreachable.split_once("//").map_or(unreachable, |(_, rest)| rest);
    let shown = shown.rsplit_once('@').map_or(shown, |(_, host)| host);
    assert!(
        err.starts_with("error: cannot open the database") && err.lines().next().is_some_and(|l| l.contains(shown)),
        "{err}"
    );
}

#[tokio::test]
async fn servers_with_shared_limits_count_one_allowance_across_servers_and_restarts() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["shop", "create", "nordlys", "--name", "Nordlys"]);
    let args = ["--shared-limits", "--failed-lookups-per-order", "4"];
    let (a, mut b) = two_servers(&db, &args);
    let client = reqwest::Client::new();
    let guess = |base: String, n: u32| {
        let client = client.clone();
        async move { lookup_status(&client, &base, "nordlys", &format!("guess{n}@example.com")).await }
    };
    // Two misses through each server use up the order's one allowance of four.
    for n in 0..4 {
        let base = if n % 2 == 0 { &a.base } else { &b.base };
        assert_eq!(guess(base.clone(), n).await, 404);
    }
    assert_eq!(guess(a.base.clone(), 4).await, 429);
    assert_eq!(guess(b.base.clone(), 5).await, 429);
    // A server started afterwards (or restarted) knows it too.
    b.stop_and_read_log();
    let c = ServerProcess::start(lookout_command(&db.url), &args);
    assert_eq!(guess(c.base.clone(), 6).await, 429);

    // Without the setting each server counts alone.
    let alone = ServerProcess::start(lookout_command(&db.url), &["--failed-lookups-per-order", "4"]);
    assert_eq!(guess(alone.base.clone(), 7).await, 404);
}

#[tokio::test]
async fn a_burst_through_two_servers_with_shared_limits_gets_the_allowance_once() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["shop", "create", "nordlys", "--name", "Nordlys"]);
    let args = [
        "--shared-limits",
        "--failed-lookups-per-order",
        "8",
        "--failed-lookups-per-client",
        "1000",
    ];
    let (a, b) = two_servers(&db, &args);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..200u32 {
        let base = if n % 2 == 0 { a.base.clone() } else { b.base.clone() };
        tasks.spawn(async move {
            let email = format!("burst{n}@example.com");
            lookup_status(&reqwest::Client::new(), &base, "nordlys", &email).await
        });
    }
    let mut counts = std::collections::BTreeMap::new();
    while let Some(status) = tasks.join_next().await {
        *counts.entry(status.unwrap()).or_insert(0) += 1;
    }
    // 503 is allowed (a server's connections all busy with the others' writes):
    // what matters is that no more than the allowance were misses.
    let misses = counts.get(&404).copied().unwrap_or(0);
    assert!((1..=8).contains(&misses), "{counts:?}");
    assert_eq!(
        misses + counts.get(&429).copied().unwrap_or(0) + counts.get(&503).copied().unwrap_or(0),
        200,
        "{counts:?}"
    );
}
