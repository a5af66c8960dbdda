//! What a shopper types is folded before it is looked for: full-width forms
//! (a Chinese keyboard's `＃１００１`) as the ASCII they stand for, invisible and
//! direction marks dropped; an order stored with such characters (a number in
//! full width, a mark stored before marks were refused) is still found as typed.

use crate::common;

use common::{order_of, TestApp};

#[tokio::test]
async fn a_lookup_finds_the_order_the_shopper_meant_and_the_one_they_typed() {
    let app = TestApp::spawn().await;
    let put = |number: &'static str| {
        let body = order_of(number, "ada@example.com", 1).to_string();
        let app = &app;
        async move { app.put("alpha", number, &app.alpha_key, body).await.status() }
    };
    assert_eq!(put("#1001").await, 201);
    let status = |email: &'static str, number: &str| {
        let (app, number) = (&app, number.to_string());
        async move { app.lookup("alpha", email, &number).await.status().as_u16() }
    };
    // Full width, an ideographic space, invisible and direction marks.
    assert_eq!(status("ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ", "＃１００１").await, 200);
    assert_eq!(status("ada@example.com", "\u{3000}＃1001").await, 200);
    assert_eq!(status("\u{FEFF}ada@example.com", "\u{200F}#1001\u{200B}").await, 200);
    // The full stops of an East Asian keyboard in the address: its dots.
    assert_eq!(status("ada@example。com", "#1001").await, 200);
    assert_eq!(status("ａｄａ＠ｅｘａｍｐｌｅ｡ｃｏｍ", "＃１００１").await, 200);
    assert_eq!(status("ada@example﹒com", "#1001").await, 200);
    // In the order number they are no dots (a number is matched as it is meant).
    let number_with_a_stop = status("ada@example.com", "#1001。").await;
    assert!([404, 422].contains(&number_with_a_stop), "{number_with_a_stop}");
    // The page's form the same.
    let res = app
        .client
        .post(app.url("/track/alpha"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "ａｄａ＠example。com"), ("order_number", "＃１００１")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Order #1001"));

    // An address a merchant's system stored with ideographic full stops is
    // kept with the dots it stands for: found by either spelling.
    let body = order_of("#4004", "bo@example。com", 1).to_string();
    assert_eq!(app.put("alpha", "#4004", &app.alpha_key, body).await.status(), 201);
    assert_eq!(app.merchant_order("alpha", "#4004").await["email"], "bo@example.com");
    assert_eq!(status("bo@example.com", "#4004").await, 200);
    assert_eq!(status("bo@example｡com", "#4004").await, 200);

    // A number the merchant writes in full width is refused (it would be
    // another order than the one a shopper's typing finds).
    assert_eq!(put("＃２００２").await, 422);
    // One stored with a mark, before marks were refused: found when pasted with it.
    assert_eq!(put("#3003").await, 201);
    let marked = "3003\u{200B}";
    sqlx::query("UPDATE orders SET number_key = $1 WHERE number_key = '3003'")
        .bind(marked)
        .execute(&app.sql().await)
        .await
        .unwrap();
    if app.store.backend() == app::store::Backend::Sqlite {
        // Its lookup row's id, as SQLite's lookups find it: the number key's
        // hash (the first 8 bytes of its SHA-256, top bit cleared) with the shop's id.
        use sha2::Digest;
        let digest = sha2::Sha256::digest(marked.as_bytes());
        let hash = i64::from_be_bytes(digest[..8].try_into().unwrap()) & i64::MAX;
        let shop = app.store.shop("alpha").await.unwrap().unwrap();
        sqlx::query("UPDATE orders SET lookup_id = $1 WHERE number_key = $2")
            .bind(hash ^ shop.id)
            .bind(marked)
            .execute(&app.sql().await)
            .await
            .unwrap();
    }
    // Written past the server: its lookups see it once their snapshot (50 ms at most) is renewed.
    tokio::time::sleep(std::time::Duration::from_millis(120)).await;
    assert_eq!(status("ada@example.com", &format!("#{marked}")).await, 200);
    // Nothing else matches more than it did.
    assert_eq!(status("ada@example.com", "#3003").await, 404);
    assert_eq!(status("eve@example.com", "＃１００１").await, 404);
}

#[tokio::test]
async fn a_shopify_parcel_finds_its_order_whatever_marks_its_name_carries() {
    use common::shopify::{deliver, FULFILLMENT, ORDER};
    let app = TestApp::spawn().await;
    for (n, name) in ["\u{200F}#9999", "#77\u{200D}77", "#55\u{AD}55"]
        .into_iter()
        .enumerate()
    {
        let mut order: serde_json::Value = serde_json::from_str(ORDER).unwrap();
        order["name"] = name.into();
        order["id"] = (1000 + n).into();
        let (_, answer) = deliver(&app, "alpha", "orders/create", &format!("o-{n}"), &order).await;
        assert_eq!(answer["outcome"], "applied", "{name:?}: {answer}");
        let mut parcel: serde_json::Value = serde_json::from_str(FULFILLMENT).unwrap();
        parcel["name"] = format!("{name}.1").into();
        parcel["order_id"] = (1000 + n).into();
        parcel["id"] = (2000 + n).into();
        let (_, answer) = deliver(&app, "alpha", "fulfillments/create", &format!("f-{n}"), &parcel).await;
        assert_eq!(answer["outcome"], "applied", "{name:?}: {answer}");
    }
}
