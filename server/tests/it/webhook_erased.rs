//! An erased order (a shopper's erasure request) is not brought back by
//! Shopify sending it again: every later delivery of it, in any order, late,
//! repeated or at once, is answered `erased` (`unknown_order` for a refund,
//! whose link went with the order, unless it read the link just before) and stores nothing, until the merchant
//! stores it again through the API. A new Shopify order that reuses its
//! number is stored, and the erased one's news is never merged into it.

use crate::common;

use common::shopify::{deliver, FULFILLMENT, ORDER, REFUND};
use common::TestApp;
use serde_json::{json, Value};

fn order(updated_at: &str) -> Value {
    let mut order: Value = serde_json::from_str(ORDER).unwrap();
    order["updated_at"] = json!(updated_at);
    order
}

async fn erase(app: &TestApp) -> u16 {
    let url = app.url("/api/v1/shops/alpha/orders/9999");
    let res = app.client.delete(url).bearer_auth(&app.alpha_key).send().await.unwrap();
    res.status().as_u16()
}

async fn exists(app: &TestApp) -> bool {
    !app.merchant_order("alpha", "9999").await.is_null()
}

#[tokio::test]
async fn shopify_sending_an_erased_order_again_stores_nothing() {
    let app = TestApp::spawn().await;
    let (_, answer) = deliver(
        &app,
        "alpha",
        "orders/create",
        "w-1",
        &order("2026-11-02T11:15:00+01:00"),
    )
    .await;
    assert_eq!(answer["outcome"], "applied");
    assert_eq!(erase(&app).await, 204);

    // Later news of it, each a new delivery, one of them twice, and the one
    // applied before the erasure sent again: nothing is stored, the shopper
    // finds nothing.
    let later = order("2026-11-09T10:00:00+01:00");
    let fulfillment: Value = serde_json::from_str(FULFILLMENT).unwrap();
    let refund: Value = serde_json::from_str(REFUND).unwrap();
    let deliveries = [
        ("orders/updated", "w-2", &later, "erased"),
        ("orders/updated", "w-2", &later, "erased"),
        ("orders/paid", "w-3", &later, "erased"),
        ("orders/create", "w-1", &later, "duplicate"),
        ("fulfillments/create", "w-4", &fulfillment, "erased"),
        ("refunds/create", "w-5", &refund, "unknown_order"),
    ];
    for (topic, id, body, outcome) in deliveries {
        let (status, answer) = deliver(&app, "alpha", topic, id, body).await;
        assert_eq!(
            (status, answer["outcome"].as_str()),
            (200, Some(outcome)),
            "{topic} {id}"
        );
        assert!(!exists(&app).await, "{topic} {id} stored it again");
    }
    assert_eq!(app.lookup("alpha", "jon@example.com", "#9999").await.status(), 404);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM shopify_orders").await,
        0,
        "no link kept"
    );
    // Another shop's order with the same number is not another shop's erasure.
    let (_, answer) = deliver(&app, "beta", "orders/create", "w-6", &later).await;
    assert_eq!(answer["outcome"], "applied");

    // Stored again by the merchant through the API: Shopify's news applies again.
    let mut body = common::example();
    body["order_number"] = json!("#9999");
    let res = app.put("alpha", "#9999", &app.alpha_key, body.to_string()).await;
    assert_eq!(res.status(), 201);
    let newer = order("2030-01-01T10:00:00+01:00");
    let (_, answer) = deliver(&app, "alpha", "orders/updated", "w-7", &newer).await;
    assert_eq!(answer["outcome"], "applied");
    assert_eq!(app.merchant_order("alpha", "9999").await["email"], "jon@example.com");
    assert_eq!(app.count("SELECT COUNT(*) FROM erased_orders").await, 0);

    // Erased again: a new Shopify order that reuses the number under another
    // id (a store started again at #1001) is stored; the erased one is not.
    assert_eq!(erase(&app).await, 204);
    let mut reused = order("2030-02-01T10:00:00+01:00");
    reused["id"] = json!(1);
    reused["email"] = json!("new@example.com");
    let (_, answer) = deliver(&app, "alpha", "orders/create", "w-8", &reused).await;
    assert_eq!(answer["outcome"], "applied");
    // The erased order's news, newer than the new order's, and its parcel
    // (found by its name, #9999.1) are not merged into the new order.
    let (_, answer) = deliver(
        &app,
        "alpha",
        "orders/updated",
        "w-9",
        &order("2030-03-01T10:00:00+01:00"),
    )
    .await;
    assert_eq!(answer["outcome"], "erased");
    let (_, answer) = deliver(&app, "alpha", "fulfillments/create", "w-10", &fulfillment).await;
    assert_eq!(answer["outcome"], "erased");
    // A refund of the erased order whose link to the number was read just
    // before the erasure (put back here, as that read saw it) is refused in
    // its write, not merged into the new order.
    app.exec(
        "INSERT INTO shopify_orders (shop_id, shopify_order_id, number_key)
         SELECT id, '820982911946154508', '9999' FROM shops WHERE slug = 'alpha'",
    )
    .await;
    let (_, answer) = deliver(&app, "alpha", "refunds/create", "w-11", &refund).await;
    assert_eq!(answer["outcome"], "erased");
    let kept = app.merchant_order("alpha", "9999").await;
    assert_eq!(kept["email"], "new@example.com", "{kept}");
    assert_eq!(kept["shipments"], json!([]), "{kept}");
    assert!(
        !kept["timeline"].to_string().contains("efund"),
        "no refund merged: {kept}"
    );
}

/// An erasure at the same moment as a burst of Shopify's deliveries of the
/// order, in every order of arrival: each delivery is applied before the
/// erasure or refused after it, so the order is gone at the end, every round.
#[tokio::test]
async fn an_erasure_among_a_burst_of_deliveries_is_never_undone() {
    let app = TestApp::spawn().await;
    for round in 0..5 {
        // Each round Shopify's order #9999 has an id of its own (a store
        // started again): the last round's erasure does not refuse it.
        let shopify_id = json!(1000 + round);
        let mut created = order("2026-11-02T11:15:00+01:00");
        created["id"] = shopify_id.clone();
        let (_, answer) = deliver(&app, "alpha", "orders/create", &format!("c-{round}"), &created).await;
        assert_eq!(answer["outcome"], "applied", "round {round}");
        assert!(exists(&app).await);
        let deliveries = futures::future::join_all((0..40).map(|n| {
            let (app, shopify_id) = (&app, &shopify_id);
            async move {
                let mut body = order(&format!("2026-11-{:02}T10:00:00+01:00", 3 + n % 20));
                body["id"] = shopify_id.clone();
                let topic = ["orders/updated", "orders/paid", "orders/fulfilled"][n % 3];
                let (status, answer) = deliver(app, "alpha", topic, &format!("r{round}-{n}"), &body).await;
                (status, answer["outcome"].as_str().unwrap_or("").to_string())
            }
        }));
        let (answers, erased) = tokio::join!(deliveries, erase(&app));
        assert_eq!(erased, 204, "round {round}");
        assert!(
            answers
                .iter()
                .all(|(s, o)| *s == 200 && ["applied", "stale", "erased"].contains(&o.as_str())),
            "round {round}: {answers:?}"
        );
        assert!(
            !exists(&app).await,
            "round {round}: the erasure was undone: {answers:?}"
        );
        assert_eq!(app.lookup("alpha", "jon@example.com", "#9999").await.status(), 404);
        // However the burst fell, the next delivery of it is refused.
        let mut late = order("2026-12-01T10:00:00+01:00");
        late["id"] = shopify_id.clone();
        let (_, answer) = deliver(&app, "alpha", "orders/updated", &format!("l-{round}"), &late).await;
        assert_eq!(answer["outcome"], "erased", "round {round}");
    }
}

/// An order's deletion that comes before the order (its creation delivered
/// late, or at the same moment): `unknown_order`, and the order, when it
/// comes, stores nothing. In bursts of its creation, an update and the
/// deletion in every order at once, the order is never left stored (it was
/// in most rounds).
#[tokio::test]
async fn a_deletion_that_comes_first_keeps_the_order_out() {
    let app = TestApp::spawn().await;
    let deleted = json!({"id": 820982911946154508u64});
    let (status, answer) = deliver(&app, "alpha", "orders/delete", "w-1", &deleted).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("unknown_order")));
    let (_, answer) = deliver(&app, "alpha", "orders/create", "w-2", &order("2026-11-02T11:15:00Z")).await;
    assert_eq!(answer["outcome"], "erased", "{answer}");
    assert!(!exists(&app).await);

    // Another shop, so that every round starts from nothing.
    for round in 0..6u64 {
        let mut body = order("2026-11-02T11:15:00Z");
        let id = 9_100_000 + round;
        body["id"] = json!(id);
        body["name"] = json!(format!("#R{round}"));
        let mut later = body.clone();
        later["updated_at"] = json!("2026-11-03T11:15:00Z");
        let deletion = json!({"id": id});
        let mut steps = [
            ("orders/create", format!("c-{round}"), body),
            ("orders/updated", format!("u-{round}"), later),
            ("orders/delete", format!("d-{round}"), deletion),
        ];
        steps.rotate_left((round % 3) as usize);
        if round >= 3 {
            steps.reverse();
        }
        let sent = steps
            .iter()
            .map(|(topic, id, body)| deliver(&app, "beta", topic, id, body));
        for (status, answer) in futures::future::join_all(sent).await {
            assert_eq!(status, 200, "{answer}");
        }
        let stored = app.merchant_order("beta", &format!("R{round}")).await;
        assert!(stored.is_null(), "round {round}: the deleted order is stored: {stored}");
    }
}
