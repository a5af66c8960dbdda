//! `GET /metrics` over real HTTP: Prometheus text with requests by route and
//! status, latency histograms, lookups and ingest by outcome, pool use; and no
//! personal data in any label; and metrics on a listener of their own.
//! (Its own test binary: the recorder is per process.)

mod common;

use common::{lookout_command, lookout_ok, ServerProcess, TestApp, TestDb, EXAMPLE};
use std::time::{Duration, Instant};

/// The value of the first sample whose line starts with `name{` and holds every label.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// A scrape's text, after checking that it is one.
async fn scraped(res: reqwest::Response) -> String {
    assert_eq!(res.status(), 200);
    let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/plain"), "{kind}");
    res.text().await.unwrap()
}

#[tokio::test]
async fn metrics_count_requests_lookups_and_ingest_without_personal_data() {
    // A short request time, for the delivery answered 408 at the end.
    let app = TestApp::spawn_configured(|state| state.with_request_timeout(Duration::from_secs(2))).await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, "{").await.status(), 422);
    assert_eq!(app.lookup("alpha", "ada@example.com", "#1001").await.status(), 200);
    for _ in 0..2 {
        assert_eq!(app.lookup("alpha", "eve@example.com", "#1001").await.status(), 404);
    }
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    // Shopify deliveries: one applied and one that cannot become an order
    // (counted on the task that applies them), one with a wrong signature
    // (counted as it is refused); each once.
    let order: serde_json::Value = serde_json::from_str(common::shopify::ORDER).unwrap();
    let (status, _) = common::shopify::deliver(&app, "alpha", "orders/create", "m-1", &order).await;
    assert_eq!(status, 200);
    let no_number = serde_json::json!({"email": "jon@example.com"});
    let (status, _) = common::shopify::deliver(&app, "alpha", "orders/create", "m-2", &no_number).await;
    assert_eq!(status, 422);
    let body = serde_json::to_vec(&order).unwrap();
    let wrong = common::shopify::sign("not the secret", &body);
    let (status, _) = common::shopify::deliver_raw(&app, "alpha", "orders/create", "m-3", &body, &wrong).await;
    assert_eq!(status, 401);

    // A mail counted, and an order link fetched (only a mail that went has one).
    metrics::counter!("lookout_mail_total", "outcome" => "handled").increment(1);
    let link = format!("/track/alpha/o/{}", "ab".repeat(32));
    assert_eq!(app.client.get(app.url(&link)).send().await.unwrap().status(), 410);

    let text = scraped(app.client.get(app.url("/metrics")).send().await.unwrap()).await;

    let lookup_route = r#"route="/api/v1/shops/{shop}/lookup""#;
    assert_eq!(
        sample(&text, "lookout_http_requests_total", &[lookup_route, r#"status="404""#]),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "lookout_http_requests_total",
            &[r#"route="/healthz""#, r#"status="200""#]
        ),
        Some(1.0)
    );
    assert!(
        sample(
            &text,
            "lookout_http_request_duration_seconds_bucket",
            &[lookup_route, r#"le="+Inf""#]
        ) >= Some(3.0)
    );
    assert_eq!(
        sample(&text, "lookout_lookups_total", &[r#"outcome="found""#]),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, "lookout_lookups_total", &[r#"outcome="not_found""#]),
        Some(2.0)
    );
    // Outcomes that did not happen are there from the start, at 0.
    for outcome in ["unavailable", "abandoned"] {
        let label = format!(r#"outcome="{outcome}""#);
        assert_eq!(sample(&text, "lookout_lookups_total", &[&label]), Some(0.0), "{text}");
    }
    assert_eq!(
        sample(&text, "lookout_requests_refused_total", &[]),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "lookout_ingest_total",
            &[r#"source="api""#, r#"outcome="created""#]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            "lookout_ingest_total",
            &[r#"source="api""#, r#"outcome="validation_failed""#]
        ),
        Some(1.0)
    );
    for outcome in ["applied", "validation_failed", "unauthorized"] {
        assert_eq!(
            sample(
                &text,
                "lookout_ingest_total",
                &[r#"source="shopify""#, &format!(r#"outcome="{outcome}""#)]
            ),
            Some(1.0),
            "{outcome}: {text}"
        );
    }
    // Writes that did not happen are there from the start, at 0, for an
    // alert to watch.
    for (source, outcome) in [
        ("api", "replaced"),
        ("api", "stale_update"),
        ("api", "unauthorized"),
        ("shopify", "duplicate"),
        ("shopify", "erased"),
        ("shopify", "rate_limited"),
    ] {
        let labels = [format!(r#"source="{source}""#), format!(r#"outcome="{outcome}""#)];
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        assert_eq!(
            sample(&text, "lookout_ingest_total", &labels),
            Some(0.0),
            "{source} {outcome}: {text}"
        );
    }
    assert!(
        sample(&text, "lookout_db_pool_max_connections", &[]) >= Some(1.0),
        "{text}"
    );
    assert!(sample(&text, "lookout_db_pool_connections", &[r#"state="idle""#]).is_some());
    // What could tell of one person's doings is not on the public address: the
    // log's size, the limiters' tables, mail and link requests...
    for private in [
        "lookout_sqlite_wal_bytes",
        "lookout_limiter_keys",
        "lookout_mail_total",
        "/o/{token}",
    ] {
        assert!(!text.contains(private), "{private} on the public address:\n{text}");
    }
    // ...but at the metrics address's scrape. The SQLite file's write-ahead log
    // holds the order written above; PostgreSQL has none.
    let full = server::metrics::render(
        axum::extract::State(app.store.clone()),
        axum::extract::State(app.limits.clone()),
    )
    .await;
    let full = String::from_utf8(
        axum::body::to_bytes(full.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(
        sample(&full, "lookout_limiter_keys", &[r#"table="email""#]).is_some(),
        "{full}"
    );
    assert_eq!(
        sample(&full, "lookout_mail_total", &[r#"outcome="handled""#]),
        Some(1.0),
        "{full}"
    );
    for outcome in ["failed", "retry", "later"] {
        let label = format!(r#"outcome="{outcome}""#);
        assert_eq!(sample(&full, "lookout_mail_total", &[&label]), Some(0.0), "{full}");
    }
    let link_route = r#"route="/track/{shop}/o/{token}""#;
    assert_eq!(
        sample(&full, "lookout_http_requests_total", &[link_route]),
        Some(1.0),
        "{full}"
    );
    let wal = sample(&full, "lookout_sqlite_wal_bytes", &[]);
    match app.store.backend() {
        app::store::Backend::Sqlite => assert!(wal > Some(0.0), "{full}"),
        app::store::Backend::Postgres => assert_eq!(wal, None, "{full}"),
    }
    // Names and labels only: a sample's value may hold any digits (0.000100107).
    let labels: Vec<&str> = text
        .lines()
        .map(|line| line.rsplit_once(' ').map_or(line, |(head, _)| head))
        .collect();
    for secret in ["example.com", "1001", "ada", "eve"] {
        assert!(
            labels.iter().all(|l| !l.contains(secret)),
            "{secret} in metrics:\n{text}"
        );
    }
    a_delivery_answered_408_is_counted_once_applied(&app, &order).await;
}

/// A delivery that cannot be written within the request's time (another
/// connection holds the database's write lock) is answered 408, then applied
/// once the lock goes: counted once, as applied, when it is.
async fn a_delivery_answered_408_is_counted_once_applied(app: &TestApp, order: &serde_json::Value) {
    let shopify = |outcome: &str| format!(r#"outcome="{outcome}""#);
    let count = |text: &str, outcome: &str| {
        sample(
            text,
            "lookout_ingest_total",
            &[r#"source="shopify""#, &shopify(outcome)],
        )
    };
    let mut holder = common::shopify::orders_held(app).await;
    let mut late = order.clone();
    late["name"] = serde_json::json!("#9998");
    late["id"] = serde_json::json!(9_998);
    let (status, answer) = common::shopify::deliver(app, "alpha", "orders/create", "m-4", &late).await;
    assert_eq!(status, 408, "{answer}");
    let text = scraped(app.client.get(app.url("/metrics")).send().await.unwrap()).await;
    assert_eq!(
        count(&text, "applied"),
        Some(1.0),
        "counted before it was applied: {text}"
    );
    sqlx::raw_sql("ROLLBACK").execute(&mut holder).await.unwrap();

    let released = Instant::now();
    let text = loop {
        let text = scraped(app.client.get(app.url("/metrics")).send().await.unwrap()).await;
        if count(&text, "applied") != Some(1.0) {
            break text;
        }
        assert!(
            released.elapsed() < Duration::from_secs(15),
            "a delivery answered 408 was never counted: {text}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(count(&text, "applied"), Some(2.0), "{text}");
    // Nothing else counted it: every Shopify outcome together is the four deliveries.
    let all: f64 = text
        .lines()
        .filter(|l| l.starts_with("lookout_ingest_total{") && l.contains(r#"source="shopify""#))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert_eq!(all, 4.0, "{text}");
    let webhook_route = r#"route="/api/v1/shops/{shop}/webhooks/shopify""#;
    assert_eq!(
        sample(
            &text,
            "lookout_http_requests_total",
            &[webhook_route, r#"status="408""#]
        ),
        Some(1.0),
        "{text}"
    );
}

/// Runs `lookout serve` with `args` and waits (at most 20 s) for it to give up:
/// its exit code and standard error.
fn serve_refused(db: &str, args: &[&str]) -> (Option<i32>, String) {
    use std::io::Read;
    let mut child = lookout_command(db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start lookout serve");
    let end = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > end {
            let _ = child.kill();
            panic!("lookout serve {args:?} kept running");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut log = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut log)
        .expect("read");
    (status.code(), log)
}

#[tokio::test]
async fn metrics_on_an_address_of_their_own_leave_the_public_one() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["migrate"]);
    let server = ServerProcess::start(lookout_command(&db.url), &["--metrics-addr", "127.0.0.1:0"]);
    let metrics = server.metrics.clone();
    assert_ne!(metrics, server.base, "an address of their own");
    let client = reqwest::Client::new();
    let get = |url: String| {
        let client = client.clone();
        async move { client.get(url).send().await.expect("request") }
    };

    assert_eq!(get(format!("{}/healthz", server.base)).await.status(), 200);
    // The public address no longer answers with metrics...
    let public = get(format!("{}/metrics", server.base)).await;
    assert_eq!(public.status(), 404);
    assert!(!public.text().await.unwrap().contains("lookout_"));
    // ...the metrics address does, and counts what the public one served.
    let text = scraped(get(format!("{metrics}/metrics")).await).await;
    let healthz = [r#"route="/healthz""#, r#"status="200""#];
    assert_eq!(
        sample(&text, "lookout_http_requests_total", &healthz),
        Some(1.0),
        "{text}"
    );
    assert!(
        sample(&text, "lookout_db_pool_max_connections", &[]) >= Some(1.0),
        "{text}"
    );
    // Every series, those the public address leaves out too.
    assert!(
        sample(&text, "lookout_limiter_keys", &[r#"table="client""#]).is_some(),
        "{text}"
    );
    // It serves nothing else: no page, no API, no health check.
    for path in ["/healthz", "/track/demo", "/api/v1/openapi.json", "/console"] {
        let res = get(format!("{metrics}{path}")).await;
        assert_eq!(res.status(), 404, "{path}");
    }
    drop(server);

    // An address that cannot be had, or is no address, stops the start with a reason.
    let occupied = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let taken = occupied.local_addr().expect("address").to_string();
    let (code, log) = serve_refused(&db.url, &["--metrics-addr", &taken]);
    assert_ne!(code, Some(0));
    assert!(log.contains(&format!("cannot listen on {taken} for metrics")), "{log}");
    let (code, log) = serve_refused(&db.url, &["--metrics-addr", "metrics.internal"]);
    assert_eq!(code, Some(2));
    assert!(
        log.contains("invalid value 'metrics.internal' for '--metrics-addr"),
        "{log}"
    );
}
