//! Shopify as it really delivers: late, twice, at once and in any order, with
//! links and words that must not reach a shopper as sent. Runs on SQLite and
//! on PostgreSQL (scripts/test.sh).

use crate::common;

use common::shopify::{deliver, request, sign, FULFILLMENT, ORDER, REFUND, SECRET};
use common::TestApp;
use serde_json::{json, Value};

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// Shopify's order `#{n}` (id `n`).
fn order(n: u64) -> Value {
    let mut o = fixture(ORDER);
    o["id"] = json!(n);
    o["name"] = json!(format!("#{n}"));
    o
}

/// Parcel `parcel` of order `#{n}`, as Shopify last described it at `at`.
fn fulfillment(n: u64, parcel: u64, status: &str, at: &str) -> Value {
    let mut f = fixture(FULFILLMENT);
    f["id"] = json!(parcel);
    f["order_id"] = json!(n);
    f["name"] = json!(format!("#{n}.{parcel}"));
    f["shipment_status"] = json!(status);
    f["created_at"] = json!("2026-11-03T09:00:00-05:00");
    f["updated_at"] = json!(at);
    f
}

async fn merchant_view(app: &TestApp, n: u64) -> Value {
    app.merchant_order("alpha", &n.to_string()).await
}

/// The tracking page in `locale` after Jon's plain form post for order `number`.
async fn page(app: &TestApp, locale: &str, number: &str) -> String {
    app.client
        .post(app.url(&format!("/track/alpha?locale={locale}")))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "jon@example.com"), ("order_number", number)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_later_parcel_delivered_first_does_not_hide_the_earlier_one() {
    let app = TestApp::spawn().await;
    deliver(&app, "alpha", "orders/create", "o-1", &order(1)).await;
    let later = fulfillment(1, 2, "in_transit", "2026-11-04T09:00:00Z");
    let earlier = fulfillment(1, 1, "in_transit", "2026-11-03T09:00:00Z");
    let (_, a) = deliver(&app, "alpha", "fulfillments/create", "f-2", &later).await;
    let (_, b) = deliver(&app, "alpha", "fulfillments/create", "f-1", &earlier).await;
    assert_eq!(
        (a["outcome"].as_str(), b["outcome"].as_str()),
        (Some("applied"), Some("applied"))
    );
    let view = app.view("alpha", "jon@example.com", "#1").await;
    assert_eq!(view["shipments"].as_array().unwrap().len(), 2, "{view}");
}

#[tokio::test]
async fn parcels_delivered_all_at_once_all_land() {
    let app = TestApp::spawn().await;
    deliver(&app, "alpha", "orders/create", "o-1", &order(1)).await;
    // Twenty parcels at once, each delivered twice at the same moment (a retry
    // racing its original), each on its own connection.
    let mut tasks = tokio::task::JoinSet::new();
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(40));
    for i in 0..40u64 {
        let parcel = 100 + i % 20;
        let body = serde_json::to_vec(&fulfillment(1, parcel, "in_transit", "2026-11-04T09:00:00Z")).unwrap();
        let url = app.url("/api/v1/shops/alpha/webhooks/shopify");
        let start = start.clone();
        tasks.spawn(async move {
            let client = reqwest::Client::new();
            let hmac = sign(SECRET, &body);
            let send = request(&client, url, "fulfillments/create", &format!("f-{parcel}"), body, &hmac);
            start.wait().await;
            let res = send.send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let answers = tasks.join_all().await;
    let count = |word: &str| answers.iter().filter(|(_, a)| a["outcome"] == word).count();
    assert!(answers.iter().all(|(status, _)| *status == 200), "{answers:?}");
    assert_eq!((count("applied"), count("duplicate")), (20, 20), "{answers:?}");
    let stored = merchant_view(&app, 1).await;
    assert_eq!(stored["shipments"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn a_link_that_is_not_http_is_dropped_and_never_shown() {
    let app = TestApp::spawn().await;
    deliver(&app, "alpha", "orders/create", "o-1", &order(1)).await;
    let mut f = fulfillment(1, 1, "in_transit", "2026-11-04T09:00:00Z");
    f["tracking_url"] = json!("javascript:alert(document.domain)");
    f["tracking_urls"] = json!(["javascript:alert(document.domain)", " JAVASCRIPT:alert(1)"]);
    let (status, answer) = deliver(&app, "alpha", "fulfillments/update", "f-1", &f).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")));
    let stored = merchant_view(&app, 1).await;
    assert_eq!(stored["shipments"][0]["tracking_url"], Value::Null);
    assert_eq!(
        stored["shipments"][0]["tracking_number"], "1Z2345",
        "the rest of the parcel is kept"
    );
    let res = app.lookup("alpha", "jon@example.com", "#1").await;
    let json = res.text().await.unwrap();
    let page = page(&app, "en", "#1").await;
    for answer in [&json, &page] {
        assert!(!answer.to_lowercase().contains("javascript:"), "{answer}");
    }
    assert!(page.contains("1Z2345"), "the parcel is on the page");
}

#[tokio::test]
async fn shopify_cancel_reasons_reach_the_shopper_as_plain_neutral_words() {
    let app = TestApp::spawn().await;
    for (n, reason, shown) in [
        (1, "fraud", "store"),
        (2, "declined", "store"),
        (3, "customer", "customer"),
    ] {
        let mut o = order(n);
        o["cancelled_at"] = json!("2026-11-03T10:00:00Z");
        o["cancel_reason"] = json!(reason);
        deliver(&app, "alpha", "orders/cancelled", &format!("o-{n}"), &o).await;
        assert_eq!(
            merchant_view(&app, n).await["cancel_reason"],
            reason,
            "the merchant sees Shopify's word"
        );
        let view = app.view("alpha", "jon@example.com", &format!("#{n}")).await;
        assert_eq!(view["cancel_reason"], shown);
        assert!(!view.to_string().contains(reason) || reason == shown, "{view}");
    }
    for (locale, words) in [
        ("en", "Cancelled by the store."),
        ("nb", "Kansellert av butikken."),
        ("sv", "Avbruten av butiken."),
        ("de", "Vom Shop storniert."),
        ("zh", "商店已取消此订单。"),
        ("fr", "Annulée par la boutique."),
        ("es", "Cancelado por la tienda."),
        ("it", "Annullato dal negozio."),
        ("pt", "Cancelado pela loja."),
        ("nl", "Geannuleerd door de winkel."),
        ("da", "Annulleret af butikken."),
        ("pl", "Anulowane przez sklep."),
        ("ja", "ショップによりキャンセルされました。"),
    ] {
        let page = page(&app, locale, "#1").await;
        assert!(page.contains(words), "{locale}: {page}");
        assert!(!page.contains("fraud"), "{locale}: {page}");
    }
}

/// Every permutation of `0..n` (Heap's algorithm).
fn permutations(n: usize) -> Vec<Vec<usize>> {
    fn heap(k: usize, a: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if k <= 1 {
            out.push(a.clone());
            return;
        }
        for i in 0..k {
            heap(k - 1, a, out);
            let j = if k.is_multiple_of(2) { i } else { 0 };
            a.swap(j, k - 1);
        }
    }
    let mut out = vec![];
    heap(n, &mut (0..n).collect(), &mut out);
    out
}

/// After `orders/create`: a later `orders/paid`, two parcels, a later word on the
/// first, a refund, and a duplicate of one of them, for order `#{n}`.
fn deliveries(n: u64) -> Vec<(&'static str, Value)> {
    let mut paid = order(n);
    paid["updated_at"] = json!("2026-11-03T12:00:00Z");
    paid["financial_status"] = json!("paid");
    paid["note"] = json!("paid now");
    let mut refund = fixture(REFUND);
    refund["order_id"] = json!(n);
    vec![
        ("orders/paid", paid),
        (
            "fulfillments/create",
            fulfillment(n, 1, "in_transit", "2026-11-03T15:00:00Z"),
        ),
        (
            "fulfillments/create",
            fulfillment(n, 2, "label_printed", "2026-11-03T16:00:00Z"),
        ),
        (
            "fulfillments/update",
            fulfillment(n, 1, "delivered", "2026-11-04T15:00:00Z"),
        ),
        ("refunds/create", refund),
    ]
}

#[tokio::test]
async fn every_arrival_order_of_a_day_of_deliveries_ends_in_the_same_order() {
    let app = TestApp::spawn().await;
    let orders = permutations(5);
    assert_eq!(orders.len(), 120);
    let mut finals: Vec<Value> = vec![];
    for (k, arrival) in orders.iter().enumerate() {
        let n = 10_000 + k as u64;
        deliver(&app, "alpha", "orders/create", &format!("{n}-create"), &order(n)).await;
        let list = deliveries(n);
        for (step, &i) in arrival.iter().enumerate() {
            let (topic, body) = &list[i];
            let (status, answer) = deliver(&app, "alpha", topic, &format!("{n}-{i}"), body).await;
            assert_eq!(status, 200, "{answer}");
            // Every other step, the same delivery again (Shopify's retry).
            if step.is_multiple_of(2) {
                let (_, again) = deliver(&app, "alpha", topic, &format!("{n}-{i}"), body).await;
                assert_eq!(again["outcome"], "duplicate");
            }
        }
        let mut stored = merchant_view(&app, n).await;
        stored["order_number"] = json!("#N");
        finals.push(stored);
    }
    let first = &finals[0];
    assert_eq!(first["shipments"].as_array().unwrap().len(), 2);
    assert_eq!(first["shipments"][0]["status"], "delivered");
    assert_eq!(first["note"], "paid now");
    assert!(first["timeline"].to_string().contains("Refund of 1990.00 NOK issued"));
    for (k, stored) in finals.iter().enumerate() {
        assert_eq!(stored, first, "arrival order {:?}", orders[k]);
    }
}
