//! The link in the mail and the page behind it: taken by the first browser that
//! asks for the orders (a plain GET, as a mail scanner makes, takes nothing),
//! listed without anything internal, refused to other browsers, after expiry,
//! under another shop and once forgotten. On SQLite, and on PostgreSQL when
//! `LOOKOUT_TEST_POSTGRES` is set.

use crate::common;

use common::links::{ask, cookie_of, drained, open, order, take, WAIT};
use common::smtp::SmtpServer;
use common::{TestApp, INTERNAL};
use std::time::Instant;

#[tokio::test]
async fn a_shopper_without_the_number_gets_a_link_to_their_orders() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    order(&app, "#2001", "ada@example.com", 3).await;
    order(&app, "#2002", "ada@example.com", 40).await;
    order(&app, "#2003", "ada@example.com", 400).await;
    order(&app, "#2004", "bjorn@example.com", 2).await;

    let page = app.get_text("/track/alpha").await;
    assert!(
        page.contains(r#"action="/track/alpha/links""#),
        "the page offers the form"
    );

    let asked = Instant::now();
    let res = ask(&app, "  Ada@Example.com ").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/track/alpha?sent=1#order-links");
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1, "one mail");
    println!("request to mail received: {:?}", mails[0].at - asked);
    let mail = &mails[0];
    // To the address on the orders, not as typed.
    assert_eq!(mail.to, ["<ada@example.com>"]);
    assert_eq!(mail.header("subject").as_deref(), Some("Your orders at alpha store"));
    assert!(
        mail.header("from").unwrap().contains("alpha store"),
        "{:?}",
        mail.header("from")
    );
    let text = mail.text();
    assert!(text.contains("Content-Type: text/plain") && text.contains("Content-Type: text/html"));
    for private in ["#2001", "2001", "ada@example.com"] {
        assert!(!mail.header("subject").unwrap().contains(private));
    }
    let path = mail.link_path().expect("a link in the mail");
    assert!(path.starts_with("/track/alpha/o/"), "{path}");
    assert!(text.contains(&format!("http://lookout.test{path}?locale=en")));

    // The sent answer says the same to everyone.
    let sent = app.get_text("/track/alpha?sent=1").await;
    assert!(sent.contains("If we have orders for this address"));

    // Fetching the link (as a mail scanner does) shows a button and takes nothing.
    for _ in 0..2 {
        let res = open(&app, &path, None).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-store");
        assert_eq!(
            res.headers()["referrer-policy"],
            "strict-origin",
            "the token stays out of Referer"
        );
        let html = res.text().await.unwrap();
        assert!(html.contains("Show my orders") && html.contains(r#"method="post""#));
        assert!(!html.contains("#2001"), "no order before the button");
    }
    // Under another shop's address the link is gone, and stays this shop's.
    assert_eq!(take(&app, &path.replace("/alpha/", "/beta/"), None).await.status(), 410);
    assert_eq!(open(&app, &path.replace("/alpha/", "/beta/"), None).await.status(), 410);

    // The button: this browser takes the link and is sent to the list.
    // The page with the button gave this browser its cookie: pressing twice takes once.
    let given = cookie_of(&open(&app, &path, None).await);
    let res = take(&app, &path, Some(&given)).await;
    assert_eq!(res.status(), 303);
    assert_eq!(take(&app, &path, Some(&given)).await.status(), 303, "pressed twice");
    assert_eq!(res.headers()["location"], format!("{path}?locale=en").as_str());
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/track/alpha/o/", "Max-Age=1800"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    let device = cookie_of(&res);
    assert_eq!(device, given);
    let res = open(&app, &path, Some(&device)).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let (first, second) = (
        html.find("#2001").expect("#2001 listed"),
        html.find("#2002").expect("#2002 listed"),
    );
    assert!(first < second, "newest first");
    assert!(!html.contains("#2003"), "orders over 12 months old are not listed");
    assert!(!html.contains("#2004"), "another address's order is not listed");
    assert!(!html.contains("ada@example.com") && !html.contains("Ada@Example.com"));
    assert!(!html.contains("<script"), "no scripts");
    for internal in INTERNAL {
        assert!(!html.contains(internal), "{internal:?} must not reach the shopper");
    }
    assert_eq!(
        take(&app, &path, Some(&device)).await.status(),
        303,
        "the same browser again"
    );
    assert_eq!(open(&app, &path, Some(&device)).await.status(), 200, "and again");
    let other = open(&app, &path, None).await;
    assert_eq!(other.status(), 403, "another browser");
    assert!(other
        .text()
        .await
        .unwrap()
        .contains("already opened in another browser"));
    let stranger = format!("lookout_orders={}", "a".repeat(64));
    assert_eq!(open(&app, &path, Some(&stranger)).await.status(), 403);
    assert_eq!(take(&app, &path, Some(&stranger)).await.status(), 403);

    // Forgetting it ends it, for this browser too.
    let forget = app
        .client
        .post(app.url(&format!("{path}/forget")))
        .header("sec-fetch-site", "same-origin")
        .header("cookie", &device)
        .send()
        .await
        .unwrap();
    assert_eq!(forget.status(), 200);
    let gone = open(&app, &path, Some(&device)).await;
    assert_eq!(gone.status(), 410);
    assert!(gone.text().await.unwrap().contains("expired or no longer works"));
    assert_eq!(take(&app, &path, Some(&device)).await.status(), 410);
}

#[tokio::test]
async fn the_link_goes_to_the_address_on_the_orders_never_to_a_look_alike() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    order(&app, "#2001", "kate@example.com", 3).await;
    // U+212A KELVIN SIGN lower-cases to `k`: the address shares the orders' key,
    // but a mail server may hold it as another mailbox. No link goes to it.
    assert_eq!(ask(&app, "\u{212A}ate@example.com").await.status(), 303);
    drained(&app).await;
    // Nor when its owner has placed an order under it: the key's orders are no
    // longer one address's, and no one gets a link to them.
    order(&app, "#2002", "\u{212A}ate@example.com", 1).await;
    for typed in ["\u{212A}ate@example.com", "kate@example.com"] {
        assert_eq!(ask(&app, typed).await.status(), 303);
    }
    drained(&app).await;
    assert!(smtp.received().is_empty(), "{:?}", smtp.received());
    // The address on the orders, typed in another case, gets its link, to the
    // address the merchant has.
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    order(&app, "#2001", "Kate@Example.com", 3).await;
    assert_eq!(ask(&app, "KATE@example.com").await.status(), 303);
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1, "one mail");
    assert_eq!(mails[0].to, ["<Kate@Example.com>"]);
}

#[tokio::test]
async fn links_stop_with_the_shops_setting_and_strangers_tokens_change_nothing() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    order(&app, "#2001", "ada@example.com", 3).await;
    assert_eq!(ask(&app, "ada@example.com").await.status(), 303);
    let mails = smtp.wait_for(1, WAIT).await;
    let path = mails[0].link_path().expect("a link");
    let device = cookie_of(&take(&app, &path, None).await);
    assert_eq!(open(&app, &path, Some(&device)).await.status(), 200);

    // A made-up token in the path: taking it or giving up "its" links does
    // nothing to the links this browser holds.
    let made_up = format!("/track/alpha/o/{}", "ab".repeat(32));
    assert_eq!(take(&app, &made_up, Some(&device)).await.status(), 410);
    let forget = |path: String| {
        app.client
            .post(app.url(&format!("{path}/forget")))
            .header("sec-fetch-site", "same-origin")
            .header("cookie", &device)
            .send()
    };
    assert_eq!(forget(made_up.clone()).await.unwrap().status(), 200);
    assert_eq!(
        open(&app, &path, Some(&device)).await.status(),
        200,
        "still this browser's"
    );

    // The shop turns links by email off: links sent before end, for good.
    let settings = |on: bool| app.email_links("alpha", &app.alpha_key, on);
    assert_eq!(settings(false).await.status(), 200);
    assert_eq!(open(&app, &path, Some(&device)).await.status(), 410);
    // A link made after that (a mail claimed before it) is not made at all.
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    let late = server::token::digest(&server::token::token());
    let minutes = chrono::Duration::minutes(30);
    assert!(!app
        .store
        .create_order_link(&late, shop.id, "ada@example.com", minutes)
        .await
        .unwrap());
    assert_eq!(take(&app, &path, Some(&device)).await.status(), 410);
    assert_eq!(settings(true).await.status(), 200);
    assert_eq!(
        open(&app, &path, Some(&device)).await.status(),
        410,
        "on again: still ended"
    );
}

#[tokio::test]
async fn an_expired_link_is_refused_plainly() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    order(&app, "#2001", "ada@example.com", 3).await;
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    let token = server::token::token();
    let made = app
        .store
        .create_order_link(
            &server::token::digest(&token),
            shop.id,
            "ada@example.com",
            chrono::Duration::seconds(-1),
        )
        .await
        .unwrap();
    assert!(made);
    let path = format!("/track/alpha/o/{token}");
    assert_eq!(take(&app, &path, None).await.status(), 410, "too late to take");
    let res = open(&app, &path, None).await;
    assert_eq!(res.status(), 410);
    // One policy, saying once that no page may frame this one.
    let policy = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert_eq!(policy.matches("frame-ancestors").count(), 1, "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    let html = res.text().await.unwrap();
    assert!(html.contains("This link has expired or no longer works."));
    assert!(
        html.contains("/track/alpha?locale=en#order-links"),
        "the way to ask again"
    );
    assert!(!html.contains("#2001"));
}

#[tokio::test]
async fn a_link_taken_in_many_browsers_at_once_belongs_to_one() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    order(&app, "#2001", "ada@example.com", 3).await;
    ask(&app, "ada@example.com").await;
    let mails = smtp.wait_for(1, WAIT).await;
    let path = mails[0].link_path().unwrap();
    let takes = (0..100).map(|_| take(&app, &path, None));
    let answers = futures::future::join_all(takes).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 403).count(), 99);
    let winner = answers.iter().find(|r| r.status() == 303).map(cookie_of).unwrap();
    assert_eq!(open(&app, &path, Some(&winner)).await.status(), 200);
}
