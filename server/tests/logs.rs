//! What the server writes to its log holds no personal data: a real `lookout serve`
//! process handles lookups, form posts and ingest, then its whole log is read.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

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

    let mut server = lookout(&db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(server.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let base = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");

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
    let body = include_str!("../../fixtures/order-1001.json").replace("#1001", "#77123");
    let put = client
        .put(format!("{base}/api/v1/shops/demo/orders/%2377123"))
        .bearer_auth(&key)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 201);

    server.kill().unwrap();
    let mut log = String::new();
    server.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    let _ = server.wait();
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
        assert!(!log.contains(secret), "{secret:?} in the log:\n{log}");
    }
}
