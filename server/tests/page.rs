//! The tracking page over real HTTP: server-rendered form, plain form posts
//! (no WebAssembly), the page's server function, and what the HTML never holds.

mod common;

use common::{TestApp, EXAMPLE, INTERNAL};
use serde_json::Value;

async fn ingested() -> TestApp {
    let app = TestApp::spawn().await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    app
}

async fn post_form(app: &TestApp, shop: &str, email: &str, number: &str) -> (u16, String) {
    let res = app
        .client
        .post(app.url(&format!("/track/{shop}")))
        .header("accept", "text/html")
        .form(&[("email", email), ("order_number", number)])
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn assert_no_internal_data(html: &str) {
    for secret in INTERNAL {
        assert!(!html.contains(secret), "{secret:?} leaked into the page");
    }
}

#[tokio::test]
async fn the_page_renders_a_plain_html_form_that_posts_to_itself() {
    let app = ingested().await;
    let res = app.client.get(app.url("/track/alpha")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"method="post" action="/track/alpha""#), "{html}");
    assert!(html.contains(r#"autocomplete="email""#));
    assert!(html.contains(r#"<label for="email">Email address</label>"#));
    assert!(html.contains(r#"<label for="order_number">Order number</label>"#));
    assert!(html.contains("alpha store"));
    // The page before any lookup holds no order data at all, hydration payload included.
    assert!(!html.contains("ada@example.com") && !html.contains("1001\""));
    assert_no_internal_data(&html);
}

#[tokio::test]
async fn a_plain_form_post_shows_the_order_without_internal_data() {
    let app = ingested().await;
    let (status, html) = post_form(&app, "alpha", "Ada@Example.com", " #1001 ").await;
    assert_eq!(status, 200);
    assert!(html.contains("Order #1001"), "{html}");
    assert!(html.contains("Partly shipped"));
    assert!(html.contains("PostNord"));
    assert!(html.contains(r#"href="https://tracking.example/00370712345678901234""#));
    assert!(html.contains("Departed terminal"));
    assert!(html.contains("548.00 NOK"));
    assert!(html.contains("Look up another order"));
    assert_no_internal_data(&html);
    // Rendered as static HTML: no hydration scripts that would race the result.
    assert!(!html.contains("/pkg/lookout.js"), "no hydration after a plain post");
}

#[tokio::test]
async fn a_plain_form_post_with_a_wrong_email_says_not_found_and_shows_nothing_else() {
    let app = ingested().await;
    let (status, html) = post_form(&app, "alpha", "eve@example.com", "#1001").await;
    assert_eq!(status, 200);
    assert!(html.contains("We could not find an order"));
    assert!(!html.contains("Wool socks") && !html.contains("PostNord"));
    assert_no_internal_data(&html);
}

#[tokio::test]
async fn a_plain_form_post_with_bad_input_names_the_fields() {
    let app = ingested().await;
    let (_, html) = post_form(&app, "alpha", "not-an-email", "").await;
    assert!(html.contains("Enter an email address like name@example.com."));
    assert!(html.contains("Enter the order number."));
}

#[tokio::test]
async fn the_page_server_function_answers_with_the_shopper_view_only() {
    let app = ingested().await;
    let res = app
        .client
        .post(app.url("/api/track"))
        .header("accept", "application/json")
        .form(&[
            ("shop", "alpha"),
            ("email", "ada@example.com"),
            ("order_number", "1001"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let view: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(view["order_number"], "#1001");
    for secret in INTERNAL {
        assert!(!text.contains(secret), "{secret:?} leaked");
    }

    let miss = |email: &'static str, number: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/api/track"))
                .header("accept", "application/json")
                .form(&[("shop", "alpha"), ("email", email), ("order_number", number)])
                .send()
                .await
                .unwrap()
        }
    };
    let wrong_email = miss("eve@example.com", "1001").await;
    let wrong_status = wrong_email.status();
    let wrong_body = wrong_email.bytes().await.unwrap();
    let unknown = miss("ada@example.com", "4040").await;
    assert_eq!(wrong_status, 404);
    assert_eq!(wrong_status, unknown.status());
    assert_eq!(wrong_body, unknown.bytes().await.unwrap());
    assert!(String::from_utf8_lossy(&wrong_body).contains("NotFound"));
}

#[tokio::test]
async fn an_unknown_shop_gets_a_404_page() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/track/no-such-shop")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page not found"));
    let res = app.client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn pages_send_basic_security_headers() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/track/alpha")).send().await.unwrap();
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
}
