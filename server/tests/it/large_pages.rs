//! A large order's page is made in its place among the renders
//! (`app::renders`): a burst of them is answered, each made in its turn or
//! told "unavailable, try again" (503 with `Retry-After`) without being made,
//! while small orders' pages go by; every place is given back.

use crate::common;

use app::renders::Renders;
use common::{assert_no_internal_data, TestApp, EXAMPLE};
use std::sync::Arc;
use std::time::Duration;

const KIB: usize = 1024;

/// Lookups' allowances out of the way: a burst of found orders reserves an
/// attempt each before it is given back, and these bursts are of found orders.
fn roomy(state: server::AppState) -> server::AppState {
    state.with_limits(app::limits::LimitSettings {
        per_client: 100_000,
        per_order: 100_000,
        per_email: 100_000,
        ..app::limits::LimitSettings::default()
    })
}

/// The contract's example with 300 items of long titles: a view of some 100 KiB.
pub(crate) fn large_order() -> String {
    let mut order = common::example();
    order["order_number"] = "#2001".into();
    let items: Vec<_> = (0..300)
        .map(|i| {
            serde_json::json!({
                "id": format!("li-{i}"), "quantity": 1, "price": "10.00", "variant": null, "image_url": null,
                "sku": null, "title": format!("Hand-knitted socks, pattern {i:03}, in a long title {}", "x".repeat(200)),
            })
        })
        .collect();
    order["line_items"] = items.into();
    order["shipments"] = serde_json::json!([]);
    order["returns"] = serde_json::json!([]);
    order.to_string()
}

/// Posts the page's lookup form to `path` (as the island when `fragment`): its status and text.
async fn post(app: &TestApp, path: &str, fragment: bool, number: &str) -> (u16, bool, String) {
    let res = crate::lookup_island::post(app, path, fragment, "ada@example.com", number).await;
    let status = res.status().as_u16();
    let retry = res.headers().contains_key("retry-after");
    (status, retry, res.text().await.unwrap())
}

#[tokio::test]
async fn a_burst_of_large_orders_pages_takes_turns_and_small_ones_go_by() {
    // One large page at a time, none waiting beside it, little patience.
    let renders = Arc::new(Renders::new(64 * KIB, 64 * KIB, 64 * KIB, Duration::from_millis(20)));
    let app = TestApp::spawn_configured({
        let renders = renders.clone();
        |state| roomy(state).with_renders(renders)
    })
    .await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    assert_eq!(
        app.put("alpha", "#2001", &app.alpha_key, large_order()).await.status(),
        201
    );
    let view = app
        .lookup("alpha", "ada@example.com", "#2001")
        .await
        .text()
        .await
        .unwrap();
    assert!(view.len() > 64 * KIB, "the order's view is large: {} bytes", view.len());

    let large = futures::future::join_all((0..120).map(|i| post(&app, "/track/alpha", i % 2 == 0, "#2001")));
    let small = futures::future::join_all((0..40).map(|i| post(&app, "/track/alpha", i % 2 == 0, "#1001")));
    let (large, small) = tokio::join!(large, small);
    for (status, _, html) in &small {
        assert_eq!(*status, 200, "a small order's page went by: {html}");
        assert!(html.contains("Wool socks"));
    }
    let (mut made, mut turned_away) = (0, 0);
    for (status, retry, html) in &large {
        match status {
            200 => {
                made += 1;
                assert!(html.contains("pattern 299"), "the whole order");
                assert_no_internal_data(html);
            }
            503 => {
                turned_away += 1;
                assert!(retry, "says when to ask again");
                assert!(html.contains("Order lookup is unavailable right now."), "{html}");
                assert!(!html.contains("pattern 0"), "nothing of the order");
            }
            other => panic!("a large order's page answered {other}: {html}"),
        }
    }
    assert!(made > 0 && turned_away > 0, "made {made}, turned away {turned_away}");
    assert_eq!(renders.running_kib(), 0, "every place given back with its answer");

    // While the places are taken (here, by the test), every way a large
    // order's page is made waits and is turned away; a small order's goes by.
    let elsewhere = app::limits::Client::new(Some([203, 0, 113, 9].into()));
    let taken = renders.enter(64 * KIB, elsewhere).await.expect("the places are free");
    let app = &app;
    let html_fn = |number: &'static str| async move {
        let res = app.track_html("alpha", "ada@example.com", number, "en").await;
        res.status().as_u16()
    };
    assert_eq!(html_fn("#2001").await, 503, "the server functions' page part");
    assert_eq!(post(app, "/track/alpha", false, "#2001").await.0, 503, "the page");
    assert_eq!(
        post(app, "/track/alpha", true, "#2001").await.0,
        503,
        "the island's part"
    );
    assert_eq!(html_fn("#1001").await, 200);
    assert_eq!(post(app, "/track/alpha", false, "#1001").await.0, 200);
    drop(taken);
    assert_eq!(html_fn("#2001").await, 200);
    assert_eq!(post(app, "/track/alpha", false, "#2001").await.0, 200);
    assert_eq!(renders.running_kib(), 0);
    // Its JSON (`/api/track`) and the API's lookup render nothing and go by.
    for _ in 0..3 {
        assert_eq!(app.track_fn("alpha", "ada@example.com", "#2001").await.status(), 200);
        assert_eq!(app.lookup("alpha", "ada@example.com", "#2001").await.status(), 200);
    }
}

#[tokio::test]
async fn with_the_standard_places_a_large_orders_page_is_made() {
    let app = TestApp::spawn_configured(roomy).await;
    assert_eq!(
        app.put("alpha", "#2001", &app.alpha_key, large_order()).await.status(),
        201
    );
    let pages = futures::future::join_all((0..10).map(|i| post(&app, "/track/alpha", i % 2 == 0, "#2001"))).await;
    for (status, _, html) in pages {
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("pattern 299"));
    }
}

/// A large order's page keeps its place until its bytes are taken (here, by
/// the test in place of a connection): not given back when its handler
/// returns, nor kept once the last bytes are taken, whoever still holds them.
/// A page compressed whole has had its bytes taken by the compressor by the
/// time it is answered: what is left to send is its compressed copy.
#[tokio::test]
async fn a_large_orders_page_keeps_its_place_until_its_bytes_are_taken() {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let renders = Arc::new(Renders::new(64 * KIB, 4096 * KIB, 8192 * KIB, Duration::from_secs(3)));
    let mut kept = None;
    let app = TestApp::spawn_configured(|state| {
        let state = roomy(state).with_renders(renders.clone());
        kept = Some(state.clone());
        state
    })
    .await;
    assert_eq!(
        app.put("alpha", "#2001", &app.alpha_key, large_order()).await.status(),
        201
    );
    let router = server::router::app(kept.expect("the server's state"));
    for (fragment, encoding) in [(false, None), (true, None), (false, Some("br")), (true, Some("gzip"))] {
        let mut request = axum::http::Request::post("/track/alpha")
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded");
        if fragment {
            request = request.header("lookout-fragment", "lookup");
        }
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        let request = request
            .body(axum::body::Body::from("email=ada%40example.com&order_number=%232001"))
            .unwrap();
        let answer = router.clone().oneshot(request).await.unwrap();
        assert_eq!(answer.status(), 200);
        match encoding {
            None => assert!(renders.running_kib() > 64, "held while the page waits to be taken"),
            Some(coding) => {
                assert_eq!(answer.headers()["content-encoding"], coding);
                assert_eq!(renders.running_kib(), 0, "the compressor took the page");
            }
        }
        let mut body = answer.into_body();
        let mut taken = 0;
        while let Some(frame) = body.frame().await {
            taken += frame.unwrap().into_data().map_or(0, |bytes| bytes.len());
        }
        assert!(taken > 1000, "the page was sent");
        assert_eq!(
            renders.running_kib(),
            0,
            "given back with its last bytes, the body still here"
        );
        drop(body);
    }
}

/// One client holds at most half the places: past it, its page is turned
/// away at once while another client's is made; once it holds less, its
/// pages are made again.
#[tokio::test]
async fn one_client_holds_at_most_half_the_places_and_another_is_served() {
    let renders = Arc::new(Renders::new(64 * KIB, 256 * KIB, 1024 * KIB, Duration::from_secs(3)));
    let app = TestApp::spawn_configured(|state| {
        let state = roomy(state).with_renders(renders.clone());
        // Behind a proxy it trusts, so that the test plays several clients.
        state.with_limits(app::limits::LimitSettings {
            per_client: 100_000,
            per_order: 100_000,
            per_email: 100_000,
            proxies: app::limits::Proxies::parse(&["127.0.0.1"]).unwrap(),
            ..app::limits::LimitSettings::default()
        })
    })
    .await;
    assert_eq!(
        app.put("alpha", "#2001", &app.alpha_key, large_order()).await.status(),
        201
    );
    let page_for = |from: &'static str| {
        let app = &app;
        async move {
            let res = app
                .client
                .post(app.url("/track/alpha"))
                .header("sec-fetch-site", "same-origin")
                .header("x-forwarded-for", from)
                .form(&[("email", "ada@example.com"), ("order_number", "#2001")])
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        }
    };
    let one = app::limits::Client::new(Some([198, 51, 100, 7].into()));
    let held = renders.enter(100 * KIB, one).await.expect("room");
    assert_eq!(page_for("198.51.100.7").await, 503, "past its half");
    assert_eq!(page_for("198.51.100.8").await, 200, "another client's page is made");
    drop(held);
    assert_eq!(page_for("198.51.100.7").await, 200, "made again once it holds less");
    assert_eq!(renders.clients(), 0);
}
