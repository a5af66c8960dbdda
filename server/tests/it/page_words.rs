//! What a shopper reads for orders whose stored state could say something
//! untrue: a cancelled order that never left, an order the store archived
//! while its parcel travels. On the page (plain form post) and in the JSON.

use crate::common;
use crate::page::post_form;

use common::{example, TestApp};

async fn put(app: &TestApp, order: &serde_json::Value) {
    let res = app.put("alpha", "#1001", &app.alpha_key, order.to_string()).await;
    assert!(res.status().is_success(), "{}", res.status());
}

#[tokio::test]
async fn a_cancelled_order_that_never_left_says_nothing_of_packing_it() {
    let app = TestApp::spawn().await;
    let mut order = example();
    order["status"] = "cancelled".into();
    order["cancel_reason"] = "customer".into();
    order["fulfillment_status"] = "unfulfilled".into();
    order["shipments"] = serde_json::json!([]);
    put(&app, &order).await;
    let (status, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    assert_eq!(status, 200);
    assert!(html.contains("Cancelled"), "{html}");
    assert!(
        html.contains("If you were charged, a refund shows under Payment once the store has made it."),
        "{html}"
    );
    // Neither the promise of a refund the store may not make, nor packing.
    assert!(!html.contains("Any money taken is refunded"), "{html}");
    assert!(
        !html.contains("will pack it soon") && !html.contains(r#"data-status="unfulfilled""#),
        "{html}"
    );
    // The JSON keeps every field: its reader decides what to show.
    let view = app.view("alpha", "ada@example.com", "#1001").await;
    assert_eq!(view["fulfillment_status"], "unfulfilled");

    // A cancelled order with a parcel that did leave still tells of it.
    order["shipments"] = example()["shipments"].clone();
    order["fulfillment_status"] = "partially_fulfilled".into();
    order["updated_at"] = "2026-11-04T08:00:00Z".into();
    put(&app, &order).await;
    let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    assert!(html.contains(r#"data-status="partially_fulfilled""#), "{html}");
}

#[tokio::test]
async fn an_archived_order_reads_as_completed_only_once_its_parcels_have_arrived() {
    let app = TestApp::spawn().await;
    let mut order = example();
    order["status"] = "archived".into();
    order["fulfillment_status"] = "fulfilled".into();
    put(&app, &order).await;
    let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    assert!(
        html.contains(r#"data-status="open""#) && !html.contains("Your order is complete."),
        "{html}"
    );
    assert_eq!(app.view("alpha", "ada@example.com", "#1001").await["status"], "open");

    order["shipments"][0]["status"] = "delivered".into();
    order["shipments"][0]["delivered_at"] = "2026-11-05T12:00:00Z".into();
    order["updated_at"] = "2026-11-05T12:00:00Z".into();
    put(&app, &order).await;
    let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    assert!(
        html.contains(r#"data-status="archived""#) && html.contains("Your order is complete."),
        "{html}"
    );
    assert_eq!(
        app.view("alpha", "ada@example.com", "#1001").await["status"],
        "archived"
    );
}

#[tokio::test]
async fn an_order_refunded_in_full_or_voided_before_it_left_says_nothing_of_packing_it() {
    let app = TestApp::spawn().await;
    let mut order = example();
    order["fulfillment_status"] = "unfulfilled".into();
    order["shipments"] = serde_json::json!([]);
    for (n, payment) in ["refunded", "voided", "paid"].into_iter().enumerate() {
        order["payment_status"] = payment.into();
        order["updated_at"] = format!("2026-11-0{}T08:00:00Z", n + 4).into();
        put(&app, &order).await;
        let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
        let packing = html.contains(r#"data-status="unfulfilled""#);
        assert_eq!(packing, payment == "paid", "{payment}: {html}");
    }
}

#[tokio::test]
async fn labels_are_followed_by_the_languages_own_colon() {
    let app = TestApp::spawn().await;
    put(&app, &example()).await;
    let html = |locale: &'static str| {
        let app = &app;
        async move {
            let res = app
                .client
                .post(app.url(&format!("/track/alpha?locale={locale}")))
                .header("accept", "text/html")
                .form(&[("email", "ada@example.com"), ("order_number", "#1001")])
                .send()
                .await
                .unwrap();
            res.text().await.unwrap()
        }
    };
    let zh = html("zh").await;
    assert!(zh.contains("运单号："), "{zh}");
    assert!(zh.contains("退款待处理："), "{zh}");
    assert!(!zh.contains("运单号:") && !zh.contains("退款待处理:"), "{zh}");
    let en = html("en").await;
    assert!(
        en.contains("Tracking number: ") && en.contains("Refund pending: "),
        "{en}"
    );
}

#[tokio::test]
async fn a_delivery_estimate_gone_by_is_said_as_one() {
    let app = TestApp::spawn().await;
    let mut order = example();
    let today = || chrono::Utc::now().date_naive();
    // Two days ago: over wherever the shopper is (yesterday, by the hour:
    // `overdue_at`'s test), and tomorrow is to come. Only a parcel on its way
    // has an estimate: out for delivery it comes today, and at a pickup point,
    // tried or failed, none holds. (A case the UTC date changed during is
    // tried again.)
    let cases = [
        (-2, "in_transit", Some("Was expected on ")),
        (1, "in_transit", Some("Estimated delivery: ")),
        (1, "label_created", Some("Estimated delivery: ")),
        (-2, "ready_for_pickup", None),
        (90, "out_for_delivery", None),
        (90, "failure", None),
        (90, "attempted_delivery", None),
    ];
    let mut last = String::new();
    for (n, (days, status, said)) in cases.into_iter().enumerate() {
        for attempt in 0..2 {
            let on = today();
            order["shipments"][0]["status"] = status.into();
            let estimate = (on + chrono::Duration::days(days)).format("%Y-%m-%d").to_string();
            order["shipments"][0]["estimated_delivery"] = estimate.clone().into();
            last = estimate;
            order["updated_at"] = format!("2026-11-1{n}T08:0{attempt}:00Z").into();
            put(&app, &order).await;
            let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
            if today() != on {
                continue;
            }
            let eta = html.split(r#"<p class="eta">"#).nth(1);
            match said {
                Some(said) => {
                    let eta = eta.unwrap_or_else(|| panic!("{html}"));
                    assert!(eta.starts_with(said), "{days} {status}: {eta}");
                }
                None => assert!(eta.is_none(), "{days} {status}: {html}"),
            }
            break;
        }
    }
    // The JSON keeps the date as stored.
    let view = app.view("alpha", "ada@example.com", "#1001").await;
    assert_eq!(view["shipments"][0]["estimated_delivery"], last.as_str(), "{view}");
}

#[tokio::test]
async fn a_discount_is_taken_off_a_line_is_priced_whole_and_a_scan_time_says_utc() {
    let app = TestApp::spawn().await;
    let mut order = example();
    order["totals"]["discounts"] = "50.00".into();
    order["totals"]["total"] = "498.00".into();
    put(&app, &order).await;
    let (status, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    assert_eq!(status, 200);
    let nbsp = |s: &str| s.replace('\u{a0}', " ").replace("&nbsp;", " ");
    let text = nbsp(&html);
    // Two pairs of socks at 249.50: the price of one, and the line's 499.00.
    assert!(text.contains("2 × NOK 249.50"), "{html}");
    assert!(text.contains(r#"<span class="item-price">NOK 499.00</span>"#), "{html}");
    assert!(text.contains("<dd>\u{2212}NOK 50.00</dd>"), "{html}");
    assert!(text.contains("3 Nov 2026 07:00 UTC"), "{html}");

    // Nothing off: no minus sign; one of a kind: its price alone.
    let mut order = example();
    order["updated_at"] = "2026-11-05T12:00:00Z".into();
    order["line_items"][0]["quantity"] = 1.into();
    order["totals"]["subtotal"] = "249.50".into();
    order["totals"]["total"] = "298.50".into();
    put(&app, &order).await;
    let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    let text = nbsp(&html);
    assert!(
        text.contains("<dd>NOK 0.00</dd>") && !text.contains('\u{2212}'),
        "{html}"
    );
    assert!(
        text.contains("× 1") && text.contains(r#"<span class="item-price">NOK 249.50</span>"#),
        "{html}"
    );
}

#[tokio::test]
async fn an_order_stopped_after_a_parcel_left_promises_nothing_more() {
    let app = TestApp::spawn().await;
    for (n, (status, payment, fulfillment)) in [
        ("cancelled", "paid", "partially_fulfilled"),
        ("cancelled", "paid", "on_hold"),
        ("open", "refunded", "partially_fulfilled"),
        ("open", "voided", "in_progress"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut order = example();
        order["status"] = status.into();
        order["payment_status"] = payment.into();
        order["fulfillment_status"] = fulfillment.into();
        order["hold_reason"] = (fulfillment == "on_hold").then_some("inventory").into();
        order["updated_at"] = format!("2026-11-2{n}T08:00:00Z").into();
        put(&app, &order).await;
        let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
        let delivery = html
            .split(&format!(r#"data-status="{fulfillment}""#))
            .nth(1)
            .unwrap_or_else(|| panic!("{status} {payment} {fulfillment}: {html}"));
        let delivery = &delivery[..delivery.find("</div>").unwrap_or(delivery.len())];
        assert!(
            delivery.contains("Nothing more will be sent for this order."),
            "{delivery}"
        );
        for promise in [
            "the rest will follow",
            "will contact you",
            "Waiting for an item",
            "packing your order",
        ] {
            assert!(!html.contains(promise), "{status} {payment} {fulfillment}: {promise}");
        }
        // No step is next: what was to follow will not.
        assert!(
            !html.contains(r#"class="progress""#),
            "{status} {payment} {fulfillment}"
        );
        // The parcel that left is still shown.
        assert!(html.contains("<bdi>PostNord</bdi></h4>"), "{html}");
    }
    // A stopped order's parcel with only its label is not shown: no carrier
    // will pick it up.
    let mut order = example();
    order["status"] = "cancelled".into();
    order["fulfillment_status"] = "unfulfilled".into();
    order["shipments"][0]["status"] = "label_created".into();
    order["updated_at"] = "2026-11-28T08:00:00Z".into();
    put(&app, &order).await;
    let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    assert!(
        !html.contains("waiting for the carrier") && !html.contains(r#"class="parcel""#),
        "{html}"
    );
    // Not stopped: the rest follows.
    let mut order = example();
    order["updated_at"] = "2026-11-29T08:00:00Z".into();
    put(&app, &order).await;
    let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    assert!(
        html.contains("the rest will follow") && !html.contains("Nothing more will be sent"),
        "{html}"
    );
}

#[tokio::test]
async fn an_approved_payment_is_not_said_to_be_taken_when_the_order_ships_once_it_has() {
    let app = TestApp::spawn().await;
    let mut order = example();
    order["payment_status"] = "authorized".into();
    put(&app, &order).await;
    let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    assert!(
        html.contains("Your payment is approved; the store has not charged it yet.")
            && !html.contains("will be charged when your order ships"),
        "{html}"
    );
    // Nothing sent yet: it will be charged when the order ships.
    order["shipments"] = serde_json::json!([]);
    order["fulfillment_status"] = "unfulfilled".into();
    order["updated_at"] = "2026-11-04T08:00:00Z".into();
    put(&app, &order).await;
    let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    assert!(html.contains("will be charged when your order ships"), "{html}");
}

/// A merchant's text in a right-to-left script keeps its digits where it
/// wrote them: each title, variant, carrier and scan message is isolated from
/// the page's own words around it.
#[tokio::test]
async fn a_merchants_right_to_left_text_is_isolated_from_the_pages_words() {
    let app = TestApp::spawn().await;
    let mut order = example();
    order["line_items"][0]["title"] = "גרביים מצמר 2".into();
    order["line_items"][0]["variant"] = "אפור / M".into();
    order["shipments"][0]["carrier"] = "بريد 1".into();
    order["shipments"][0]["events"][0]["message"] = "غادر المحطة 3".into();
    put(&app, &order).await;
    let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    for isolated in [
        r#"<span dir="auto" class="item-title">גרביים מצמר 2</span>"#,
        r#"<span dir="auto" class="item-variant">אפור / M</span>"#,
        "<bdi>גרביים מצמר 2</bdi> (<bdi>אפור / M</bdi>)",
        "<bdi>بريد 1</bdi></h4>",
        "<bdi>غادر المحطة 3</bdi>",
    ] {
        assert!(html.contains(isolated), "{isolated}: {html}");
    }
}
