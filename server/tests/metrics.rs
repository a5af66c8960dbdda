//! `GET /metrics` over real HTTP: Prometheus text with requests by route and
//! status, latency histograms, lookups and ingest by outcome, pool use; and no
//! personal data in any label. (Its own test binary: the recorder is per process.)

mod common;

use common::{TestApp, EXAMPLE};

/// The value of the first sample whose line starts with `name{` and holds every label.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_lookups_and_ingest_without_personal_data() {
    let app = TestApp::spawn().await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, "{").await.status(), 422);
    assert_eq!(app.lookup("alpha", "ada@example.com", "#1001").await.status(), 200);
    for _ in 0..2 {
        assert_eq!(app.lookup("alpha", "eve@example.com", "#1001").await.status(), 404);
    }
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);

    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = res.text().await.unwrap();

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
    assert!(
        sample(&text, "lookout_db_pool_max_connections", &[]) >= Some(1.0),
        "{text}"
    );
    assert!(sample(&text, "lookout_db_pool_connections", &[r#"state="idle""#]).is_some());
    for secret in ["example.com", "1001", "ada", "eve"] {
        assert!(!text.contains(secret), "{secret} in metrics:\n{text}");
    }
}
