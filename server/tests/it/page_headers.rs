//! The security headers of the tracking page: the basic ones on every page,
//! and HSTS only where the site is configured for https.

use crate::common;

use common::TestApp;

#[tokio::test]
async fn pages_send_basic_security_headers() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/track/alpha")).send().await.unwrap();
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["referrer-policy"], "same-origin");
    assert!(res.headers()["permissions-policy"]
        .to_str()
        .unwrap()
        .contains("camera=()"));
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    let html = res.text().await.unwrap();
    // Every inline script carries the nonce the policy names, and nothing else may run.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("a nonce in the policy");
    assert!(
        csp.contains("script-src 'self' 'nonce-") && csp.contains("'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(
        !csp.contains("'unsafe-eval'") && !csp.contains("'unsafe-inline'"),
        "{csp}"
    );
    assert!(csp.contains(&format!("style-src 'self' 'nonce-{nonce}'")), "{csp}");
    assert!(csp.ends_with("frame-ancestors 'none'"), "{csp}");
    let inline_scripts = html.matches("<script").count();
    assert!(inline_scripts > 0);
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        inline_scripts,
        "{html}"
    );
}

#[tokio::test]
async fn hsts_is_sent_only_when_the_site_is_configured_for_https() {
    let plain = TestApp::spawn().await;
    let res = plain.client.get(plain.url("/track/alpha")).send().await.unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());

    let tls = TestApp::spawn_configured(|state| state.with_hsts(31_536_000)).await;
    for path in [
        "/track/alpha",
        "/embed/alpha",
        "/healthz",
        "/api/v1/shops/alpha/orders/1001",
    ] {
        let res = tls.client.get(tls.url(path)).send().await.unwrap();
        assert_eq!(
            res.headers()["strict-transport-security"],
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
    }
}
