//! What the server writes to its log holds no personal data: a real `lookout serve`
//! process handles lookups, form posts and ingest, then its whole log is read.

use crate::common;

use common::ServerProcess;
use std::process::Command;

fn lookout(db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lookout"));
    cmd.env("LOOKOUT_DATABASE_URL", db)
        .env("RUST_LOG", "info,server=debug,app=debug,tower_http=debug");
    cmd
}

#[tokio::test]
async fn a_busy_log_holds_no_email_address_and_no_order_number() {
    let test_db = common::TestDb::new();
    let db = test_db.url.clone();
    assert!(lookout(&db).arg("demo").output().unwrap().status.success());
    let key = String::from_utf8(lookout(&db).args(["key", "create", "demo"]).output().unwrap().stdout).unwrap();
    let key = key.lines().last().unwrap().to_string();

    let mut server = ServerProcess::start(lookout(&db), &[]);
    let base = server.base.clone();

    let client = reqwest::Client::new();
    let lookup = |email: &'static str, number: &'static str| {
        client
            .post(format!("{base}/api/v1/shops/demo/lookup"))
            .json(&serde_json::json!({"email": email, "order_number": number}))
            .send()
    };
    assert_eq!(lookup("ada@example.com", "#1001").await.unwrap().status(), 200);
    assert_eq!(lookup("mallory@example.com", "#1001").await.unwrap().status(), 404);
    assert_eq!(lookup("not-an-email", "#1001").await.unwrap().status(), 422);
    let page = client
        .post(format!("{base}/track/demo"))
        .form(&[("email", "bjorn@example.com"), ("order_number", "#1002")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let body = common::EXAMPLE.replace("#1001", "#77123");
    let put = client
        .put(format!("{base}/api/v1/shops/demo/orders/%2377123"))
        .bearer_auth(&key)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 201);

    let log = server.stop_and_read_log();
    assert!(
        log.contains("lookup") && log.contains("outcome"),
        "the log is not empty: {log}"
    );
    assert!(log.contains("email_hash"), "lookups are correlated by a keyed hash");
    for secret in [
        "@example.com",
        "ada@",
        "mallory",
        "bjorn",
        "not-an-email",
        "1001",
        "1002",
        "77123",
        "Storgata",
        "fraud",
    ] {
        // Order numbers on their own: random ids and timestamps may hold their digits.
        let found = match secret.bytes().all(|b| b.is_ascii_digit()) {
            true => holds_number(&log, secret),
            false => log.contains(secret),
        };
        assert!(!found, "{secret:?} in the log:\n{log}");
    }
}

/// Whether the number `secret` is in `log` on its own, not inside a longer word
/// or number: random request ids, keyed hashes and timestamps may hold its digits
/// by chance (a timestamp's microseconds `.461002Z` hold "1002").
fn holds_number(log: &str, secret: &str) -> bool {
    log.match_indices(secret).any(|(at, _)| {
        let before = log[..at].chars().next_back();
        let after = log[at + secret.len()..].chars().next();
        let apart = |c: Option<char>| !c.is_some_and(|c| c.is_ascii_alphanumeric());
        apart(before) && apart(after)
    })
}

#[tokio::test]
async fn json_logs_carry_the_request_id_on_every_line_of_a_request() {
    let test_db = common::TestDb::new();
    let db = test_db.url.clone();
    assert!(lookout(&db).arg("demo").output().unwrap().status.success());
    let mut server = ServerProcess::start(lookout(&db), &["--log-format", "json"]);
    let base = server.base.clone();

    let client = reqwest::Client::new();
    let res = client
        .post(format!("{base}/api/v1/shops/demo/lookup"))
        // A client's own id (here, personal data) is replaced, never logged.
        .header("x-request-id", "mallory@example.com")
        .json(&serde_json::json!({"email": "ada@example.com", "order_number": "#1001"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    // A made-up method of 4,000 letters is logged as `other`, as the metrics count it.
    let made_up = reqwest::Method::from_bytes("QUERYX".repeat(700).as_bytes()).unwrap();
    let res = client.request(made_up, format!("{base}/healthz")).send().await.unwrap();
    let made_up_id = res.headers()["x-request-id"].to_str().unwrap().to_string();

    let log = server.stop_and_read_log();
    assert!(!log.contains("QUERYXQUERYX"), "the made-up method reached the log");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let lookup_line = lines
        .iter()
        .find(|l| l["fields"]["message"] == "lookup")
        .unwrap_or_else(|| panic!("no lookup line in {log}"));
    assert_eq!(lookup_line["span"]["request_id"], id.as_str(), "{lookup_line}");
    assert_eq!(lookup_line["span"]["route"], "/api/v1/shops/{shop}/lookup");
    assert_eq!(lookup_line["fields"]["outcome"], "found");
    let of_request = lines.iter().filter(|l| l["span"]["request_id"] == id.as_str()).count();
    assert!(of_request >= 2, "the request's lines: {log}");
    assert!(!log.contains("mallory") && !log.contains("ada@"), "{log}");
    let made_up_lines: Vec<_> = lines
        .iter()
        .filter(|l| l["span"]["request_id"] == made_up_id.as_str())
        .collect();
    assert!(!made_up_lines.is_empty(), "{log}");
    assert!(
        made_up_lines.iter().all(|l| l["span"]["method"] == "other"),
        "{made_up_lines:?}"
    );
}

#[tokio::test]
async fn paths_no_route_serves_are_answered_without_an_error_in_the_log() {
    let test_db = common::TestDb::new();
    let db = test_db.url.clone();
    assert!(lookout(&db).arg("demo").output().unwrap().status.success());
    let mut server = ServerProcess::start(lookout(&db), &[]);
    let base = server.base.clone();

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (method, path, status) in [
        ("GET", "/track/demo/", 308_u16),
        ("HEAD", "/embed/demo/", 308),
        ("GET", "/track/nope/", 308),
        ("POST", "/track/demo/", 404),
        ("POST", "/embed/demo/", 404),
        ("GET", "/no/such/page", 404),
        ("GET", "/api/v1/nothing", 404),
        ("GET", "/api/v1/shops/demo/lookup", 405),
    ] {
        let res = client
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{method} {path}");
    }

    let log = server.stop_and_read_log();
    assert!(!log.contains("ERROR"), "{log}");
}

#[test]
fn a_number_is_found_on_its_own_and_not_inside_ids_or_times() {
    assert!(holds_number(r#"order_number="1002" x"#, "1002"));
    assert!(holds_number("order #1002", "1002"));
    assert!(!holds_number("2026-11-30T09:05:03.461002Z", "1002"));
    assert!(!holds_number(r#"request_id="ab1002cd""#, "1002"));
}
