//! "Don't have your order number?": the request, its one answer, its limits and
//! the shop's opt-out; the mail goes to a real SMTP server on loopback. On SQLite,
//! and on PostgreSQL when `LOOKOUT_TEST_POSTGRES` is set.

use crate::common;

use common::links::{ask, drained, open, order};
use common::smtp::SmtpServer;
use common::TestApp;

#[tokio::test]
async fn every_well_formed_request_gets_the_same_answer() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    order(&app, "#2001", "ada@example.com", 3).await;
    let known = ask(&app, "ada@example.com").await;
    let unknown = ask(&app, "nobody@example.com").await;
    for _ in 0..5 {
        ask(&app, "ada@example.com").await;
    }
    let over_limit = ask(&app, "ada@example.com").await;
    let answers = [known, unknown, over_limit];
    let mut shapes = Vec::new();
    for res in answers {
        let mut headers: Vec<(String, String)> = res
            .headers()
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "x-request-id" | "date"))
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_string()))
            .collect();
        headers.sort();
        shapes.push((res.status(), headers, res.bytes().await.unwrap()));
    }
    assert_eq!(shapes[0].0, 303);
    assert_eq!(shapes[0], shapes[1], "known and unknown addresses");
    assert_eq!(shapes[0], shapes[2], "under and over the limit");
    drained(&app).await;
    let mails = smtp.received();
    assert_eq!(
        mails.len(),
        3,
        "the known address's three allowed requests, nothing for the unknown one"
    );
    assert!(mails.iter().all(|m| m.to == ["<ada@example.com>"]));
}

#[tokio::test]
async fn a_burst_at_one_address_queues_no_more_than_its_allowance() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    order(&app, "#2001", "ada@example.com", 3).await;
    let requests = (0..200).map(|_| ask(&app, "ada@example.com"));
    let answers = futures::future::join_all(requests).await;
    assert!(answers.iter().all(|r| r.status() == 303), "all answered alike");
    drained(&app).await;
    assert_eq!(smtp.received().len(), 3, "three links an hour for one address");
    // Then the client's own allowance (10 an hour) stops it asking for others.
    for i in 0..10 {
        ask(&app, &format!("someone{i}@example.com")).await;
    }
    drained(&app).await;
    app.store.flush_tally().await.unwrap();
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    let refusals = app.store.refusals(shop.id).await.unwrap();
    let of = |kind: &str| {
        refusals
            .iter()
            .find(|r| r.kind == kind)
            .map(|r| (r.subject.clone(), r.attempts))
    };
    assert_eq!(of("link_email"), Some(("a•••@example.com".to_string(), 197)));
    // The client took 3 + 7 of its 10; its last three requests were refused for it.
    assert_eq!(of("link_client").map(|(_, n)| n), Some(3));
}

#[tokio::test]
async fn bad_input_is_answered_plainly_and_queues_nothing() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    for (email, message) in [
        ("", "Enter the email address used for the order."),
        ("not-an-address", "Enter an email address like name@example.com."),
        (&format!("{}@example.com", "a".repeat(300)), "at most 254 characters"),
    ] {
        let res = ask(&app, email).await;
        assert_eq!(res.status(), 422, "{email:?}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{email:?}: {message} in {html}");
        assert!(html.contains(r#"aria-invalid="true""#));
        if email == "not-an-address" {
            assert!(
                html.contains(r#"value="not-an-address""#),
                "the address as typed is kept"
            );
        }
    }
    let huge = "e".repeat(64 * 1024);
    let res = ask(&app, &huge).await;
    assert_eq!(res.status(), 413, "an oversized body is refused before it is read");
    assert_eq!(app.store.outbox_waiting().await.unwrap().0, 0);
    // From another site: refused before anything is read.
    let res = app
        .client
        .post(app.url("/track/alpha/links"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", "ada@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Links that are not tokens, or not this shop's, are gone alike.
    for path in [
        "/track/alpha/o/nothex",
        "/track/beta/o/0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        assert_eq!(open(&app, path, None).await.status(), 410, "{path}");
    }
    assert_eq!(app.store.outbox_waiting().await.unwrap().0, 0);
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn without_mail_or_with_the_shop_opted_out_nothing_is_offered() {
    let app = TestApp::spawn().await;
    assert!(!app.get_text("/track/alpha").await.contains("/links"));
    assert_eq!(ask(&app, "ada@example.com").await.status(), 404);

    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    assert!(app
        .get_text("/embed/alpha")
        .await
        .contains(r#"action="/embed/alpha/links""#));
    // The merchant turns it off through the REST API.
    let settings = app.url("/api/v1/shops/alpha/settings");
    let res = app
        .client
        .get(&settings)
        .bearer_auth(&app.alpha_key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["email_links"], true);
    let res = app.email_links("alpha", &app.alpha_key, false).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["email_links"], false);
    assert!(!app.get_text("/track/alpha").await.contains("/links"));
    assert_eq!(ask(&app, "ada@example.com").await.status(), 404);
    assert!(
        app.get_text("/track/beta").await.contains("/track/beta/links"),
        "other shops keep it"
    );
    // Another shop's key, a setting it cannot change, and junk change nothing.
    for (key, body) in [
        (&app.beta_key, r#"{"email_links": true}"#),
        (&app.alpha_key, r#"{"name": "x"}"#),
        (&app.alpha_key, r#"{"email_links": "yes"}"#),
        (&app.alpha_key, "not json"),
    ] {
        let res = app
            .client
            .patch(&settings)
            .bearer_auth(key)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(
            matches!(res.status().as_u16(), 401 | 403 | 422),
            "{body}: {}",
            res.status()
        );
    }
    assert!(!app.store.shop("alpha").await.unwrap().unwrap().email_links);
}
