//! The merchant and shopper REST API over real HTTP.

use crate::common;

use common::{example, TestApp, EXAMPLE, INTERNAL};
use serde_json::{json, Value};

#[tokio::test]
async fn an_ingested_order_can_be_looked_up_with_its_email() {
    let app = TestApp::spawn().await;
    let put = app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    assert_eq!(put.status(), 201);

    let res = app.lookup("alpha", " ADA@example.com ", "1001").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let view: Value = res.json().await.unwrap();
    assert_eq!(view["order_number"], "#1001");
    assert_eq!(view["payment_status"], "paid");
    assert_eq!(view["fulfillment_status"], "partially_fulfilled");
    assert_eq!(view["return_status"], "in_progress");
    assert_eq!(view["totals"]["total"], "548.00");
    assert_eq!(view["shipments"][0]["tracking_number"], "00370712345678901234");
    assert_eq!(view["shipments"][0]["events"][0]["location"], "Oslo, NO");
    assert_eq!(view["returns"][0]["refund"]["amount"], "249.50");
    assert_eq!(
        view["ship_to"],
        json!({"first_name": "Ada", "city": "Oslo", "country_code": "NO"})
    );
}

#[tokio::test]
async fn the_lookup_json_holds_no_internal_data() {
    let app = TestApp::spawn().await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    let text = app
        .lookup("alpha", "ada@example.com", "#1001")
        .await
        .text()
        .await
        .unwrap();
    for secret in INTERNAL {
        assert!(!text.contains(secret), "{secret:?} leaked: {text}");
    }
    let view: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(view["timeline"].as_array().unwrap().len(), 1, "only the customer event");
    assert!(view.get("note").is_none() && view.get("tags").is_none() && view.get("email").is_none());
}

#[tokio::test]
async fn a_wrong_email_an_unknown_order_and_an_unknown_shop_get_byte_identical_answers() {
    let app = TestApp::spawn().await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    let mut answers = Vec::new();
    for (shop, email, number) in [
        ("alpha", "eve@example.com", "#1001"),
        ("alpha", "ada@example.com", "#9999"),
        ("beta", "ada@example.com", "#1001"),
        ("no-such-shop", "ada@example.com", "#1001"),
    ] {
        let res = app.lookup(shop, email, number).await;
        let status = res.status();
        let content_type = res.headers()["content-type"].clone();
        answers.push((status, content_type, res.bytes().await.unwrap()));
    }
    assert_eq!(answers[0].0, 404);
    assert_eq!(answers[0].1, "application/problem+json");
    for other in &answers[1..] {
        assert_eq!(other, &answers[0]);
    }
    let problem: Value = serde_json::from_slice(&answers[0].2).unwrap();
    assert_eq!(problem["code"], "not_found");
    assert_eq!(problem["status"], 404);
}

#[tokio::test]
async fn malformed_lookups_get_422_with_field_errors() {
    let app = TestApp::spawn().await;
    let res = app.lookup("alpha", "not-an-email", "   ").await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(fields, [json!("email"), json!("order_number")]);

    let res = app
        .client
        .post(app.url("/api/v1/shops/alpha/lookup"))
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = app
        .client
        .post(app.url("/api/v1/shops/alpha/lookup"))
        .json(&json!({"email": 5, "order_number": "1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn putting_the_same_order_again_replaces_it() {
    let app = TestApp::spawn().await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    let mut body = example();
    body["updated_at"] = json!("2026-11-04T08:00:00Z");
    body["payment_status"] = json!("refunded");
    assert_eq!(
        app.put("alpha", "#1001", &app.alpha_key, body.to_string())
            .await
            .status(),
        200
    );
    let view = app.view("alpha", "ada@example.com", "#1001").await;
    assert_eq!(view["payment_status"], "refunded");
}

#[tokio::test]
async fn an_older_update_is_refused_as_stale_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    let mut body = example();
    body["updated_at"] = json!("2026-11-01T00:00:00Z");
    body["payment_status"] = json!("voided");
    let res = app.put("alpha", "#1001", &app.alpha_key, body.to_string()).await;
    assert_eq!(res.status(), 409);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "stale_update");
    let view = app.view("alpha", "ada@example.com", "#1001").await;
    assert_eq!(view["payment_status"], "paid");
}

#[tokio::test]
async fn the_merchant_reads_the_full_order_and_can_erase_it() {
    let app = TestApp::spawn().await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    let url = app.url("/api/v1/shops/alpha/orders/%231001");
    let full: Value = app
        .client
        .get(&url)
        .bearer_auth(&app.alpha_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(full["note"], "Staff only: check fraud score");
    assert_eq!(full["tags"], json!(["vip"]));
    assert_eq!(full["shipping_address"]["address1"], "Storgata 1");
    assert_eq!(full["timeline"][1]["visibility"], "internal");

    assert_eq!(
        app.client
            .delete(&url)
            .bearer_auth(&app.alpha_key)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        app.client
            .get(&url)
            .bearer_auth(&app.alpha_key)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        app.client
            .delete(&url)
            .bearer_auth(&app.alpha_key)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(app.lookup("alpha", "ada@example.com", "#1001").await.status(), 404);
}

#[tokio::test]
async fn requests_without_a_valid_key_are_refused() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .put(app.url("/api/v1/shops/alpha/orders/1001"))
        .body(EXAMPLE)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let forged = format!("lk_{}_{}", "0".repeat(16), "0".repeat(64));
    for key in ["nonsense", forged.as_str(), &app.alpha_key[..app.alpha_key.len() - 1]] {
        assert_eq!(app.put("alpha", "1001", key, EXAMPLE).await.status(), 401, "{key}");
    }
    assert_eq!(app.store.order(1, "1001").await.unwrap(), None);
}

#[tokio::test]
async fn one_shop_key_can_never_touch_another_shops_orders() {
    let app = TestApp::spawn().await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    let url = app.url("/api/v1/shops/alpha/orders/1001");
    // Another shop's key is no key here: 401 `unauthorized`, as docs/api.md's error table says.
    let refused = |res: reqwest::Response| async move {
        assert_eq!(res.status(), 401);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/unauthorized");
        assert_eq!(problem["code"], "unauthorized");
    };
    refused(app.client.get(&url).bearer_auth(&app.beta_key).send().await.unwrap()).await;
    refused(app.client.delete(&url).bearer_auth(&app.beta_key).send().await.unwrap()).await;
    refused(app.put("alpha", "1001", &app.beta_key, EXAMPLE).await).await;
    let settings = app.url("/api/v1/shops/alpha/settings");
    refused(
        app.client
            .get(&settings)
            .bearer_auth(&app.beta_key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    // The order is intact, and beta's own space does not see it.
    assert_eq!(app.lookup("alpha", "ada@example.com", "1001").await.status(), 200);
    let beta_url = app.url("/api/v1/shops/beta/orders/1001");
    assert_eq!(
        app.client
            .get(&beta_url)
            .bearer_auth(&app.beta_key)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

/// Each invalid body is answered 422 with the named field, and nothing is written.
#[tokio::test]
async fn every_kind_of_invalid_body_is_refused_with_its_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    // (field named in the answer, JSON pointer into the example, value put there)
    let cases = [
        ("payment_status", "/payment_status", json!("payed")),
        ("status", "/status", json!("closed")),
        ("fulfillment_status", "/fulfillment_status", json!("shipped")),
        ("shipments[0].status", "/shipments/0/status", json!("lost")),
        ("returns[0].status", "/returns/0/status", json!("maybe")),
        ("totals.total", "/totals/total", json!("5,48")),
        ("line_items[0].price", "/line_items/0/price", json!("abc")),
        ("placed_at", "/placed_at", json!("2026-13-45")),
        ("updated_at", "/updated_at", Value::Null),
        ("email", "/email", json!("ada-at-example")),
        ("currency", "/currency", json!("kroner")),
        (
            "shipments[0].line_items[0].id",
            "/shipments/0/line_items/0/id",
            json!("li-9"),
        ),
        (
            "returns[0].line_items[0].id",
            "/returns/0/line_items/0/id",
            json!("li-9"),
        ),
        (
            "shipments[0].tracking_url",
            "/shipments/0/tracking_url",
            json!("javascript:alert(1)"),
        ),
        ("order_number", "/order_number", json!("#2002")),
        ("line_items[0].quantity", "/line_items/0/quantity", json!(-1)),
    ];
    for (field, pointer, value) in cases {
        let mut body = example();
        *body.pointer_mut(pointer).expect("pointer into the example") = value;
        let res = app.put("alpha", "#1001", &app.alpha_key, body.to_string()).await;
        assert_eq!(res.status(), 422, "{field}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["status"], 422);
        let fields: Vec<_> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect();
        assert!(fields.contains(&field.to_string()), "{field} not in {fields:?}");
    }
    assert_eq!(app.store.order(1, "1001").await.unwrap(), None, "nothing was written");
}

#[tokio::test]
async fn bodies_over_one_mebibyte_get_413_and_write_nothing() {
    let app = TestApp::spawn().await;
    let mut body = example();
    body["note"] = json!("x".repeat(1024 * 1024));
    let res = app.put("alpha", "#1001", &app.alpha_key, body.to_string()).await;
    assert_eq!(res.status(), 413);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "body_too_large");
    // The contract's field-level list, with the body as the field.
    assert_eq!(problem["errors"][0]["field"], "body", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "too_large", "{problem}");
    assert_eq!(app.store.order(1, "1001").await.unwrap(), None);
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(app.client.get(app.url("/readyz")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_revoked_key_is_refused() {
    let app = TestApp::spawn().await;
    let prefix = app.alpha_key[3..19].to_string();
    assert!(app
        .store
        .revoke_key(1, &prefix, &app::store::By::Operator)
        .await
        .unwrap());
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 401);
}

#[tokio::test]
async fn a_verified_key_is_remembered_so_repeated_writes_skip_the_hash() {
    let app = TestApp::spawn().await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    // Revoked in the store after a successful use: the server trusts its memory for up to a minute.
    let prefix = app.alpha_key[3..19].to_string();
    assert!(app
        .store
        .revoke_key(1, &prefix, &app::store::By::Operator)
        .await
        .unwrap());
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 200);
    // The memory is per key and shop: another shop's key is still checked fully.
    assert_eq!(app.put("alpha", "#1001", &app.beta_key, EXAMPLE).await.status(), 401);
}
