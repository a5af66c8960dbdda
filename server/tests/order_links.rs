//! "Don't have your order number?": the request, its one answer, its limits, the
//! mail (through a real SMTP server on loopback), the link and the list behind
//! it. On SQLite, and on PostgreSQL when `LOOKOUT_TEST_POSTGRES` is set.

mod common;

use common::smtp::{free_port, SmtpServer};
use common::{order_of, TestApp, INTERNAL};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(15);

/// Stores an order for `email` at `alpha`, placed `days_ago` days ago.
async fn order(app: &TestApp, number: &str, email: &str, days_ago: i64) {
    let res = app
        .put(
            "alpha",
            number,
            &app.alpha_key,
            order_of(number, email, days_ago).to_string(),
        )
        .await;
    assert!(res.status().is_success(), "put {number}: {}", res.status());
}

/// Posts the "email me a link" form of `/track/alpha` as the page's own form.
async fn ask(app: &TestApp, email: &str) -> reqwest::Response {
    app.client
        .post(app.url("/track/alpha/links"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", email), ("mail_locale", "en")])
        .send()
        .await
        .expect("post")
}

/// Waits until the outbox has nothing left to do.
async fn drained(app: &TestApp) {
    let end = Instant::now() + WAIT;
    while app.store.outbox_waiting().await.expect("outbox").0 > 0 {
        assert!(Instant::now() < end, "the outbox did not empty");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// GETs a link's page, as the browser holding `cookie` (if any).
async fn open(app: &TestApp, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let req = app.client.get(app.url(path));
    let req = match cookie {
        Some(c) => req.header("cookie", c),
        None => req,
    };
    req.send().await.expect("get link")
}

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
    assert_eq!(mail.to, ["<Ada@Example.com>"]);
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

    // First opening: this browser keeps the link.
    let res = open(&app, &path, None).await;
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/track/alpha/o/", "Max-Age=1800"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    let html = res.text().await.unwrap();
    let (first, second) = (
        html.find("#2001").expect("#2001 listed"),
        html.find("#2002").expect("#2002 listed"),
    );
    assert!(first < second, "newest first");
    assert!(!html.contains("#2003"), "orders over 12 months old are not listed");
    assert!(!html.contains("#2004"), "another address's order is not listed");
    assert!(!html.contains("ada@example.com") && !html.contains("Ada@Example.com"));
    for internal in INTERNAL {
        assert!(!html.contains(internal), "{internal:?} must not reach the shopper");
    }
    let device = cookie.split(';').next().unwrap().to_string();
    assert_eq!(
        open(&app, &path, Some(&device)).await.status(),
        200,
        "the same browser again"
    );
    let other = open(&app, &path, None).await;
    assert_eq!(other.status(), 403, "another browser");
    assert!(other
        .text()
        .await
        .unwrap()
        .contains("already opened in another browser"));
    let stranger = format!("lookout_orders={}", "a".repeat(64));
    assert_eq!(open(&app, &path, Some(&stranger)).await.status(), 403);

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
}

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

/// A benchmark, not a test (`bench/order-links.sh` runs it): the real server
/// process with the demo shop, answer times for known and unknown addresses
/// (alternating, after a warm-up) and the time from request to mail received.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: bench/order-links.sh runs it"]
async fn bench_answer_times_and_request_to_mail() {
    use common::{lookout_command, lookout_ok, ServerProcess};
    let rounds: usize = std::env::var("ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(500);
    let db = common::TestDb::new();
    lookout_ok(&db.url, &["demo"]);
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let many = "1000000";
    let args = [
        "--smtp-url",
        &url,
        "--mail-from",
        "orders@lookout.test",
        "--order-links-per-email",
        many,
        "--order-links-per-client",
        many,
        "--order-links-per-shop",
        many,
    ];
    let mut server = ServerProcess::start(lookout_command(&db.url), &args);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = server.base.clone();
    let ask = |email: &'static str| {
        client
            .post(format!("{base}/track/demo/links"))
            .header("sec-fetch-site", "same-origin")
            .form(&[("email", email), ("mail_locale", "en")])
            .send()
    };
    for _ in 0..50 {
        ask("warm@example.com").await.unwrap();
    }
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..rounds * 2 {
        let (email, into) = if i % 2 == 0 {
            ("ada@example.com", &mut known)
        } else {
            ("nobody@example.com", &mut unknown)
        };
        let start = Instant::now();
        assert_eq!(ask(email).await.unwrap().status(), 303);
        into.push(start.elapsed());
        // Let the sender finish before the next request, so that each answer is measured alone.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let sent_before = smtp.wait_for(rounds, WAIT).await.len();
    if sent_before != rounds {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        let rows: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT COALESCE(outcome, 'waiting'), attempts, COUNT(*) FROM outbox GROUP BY 1, 2")
                .fetch_all(&pool)
                .await
                .unwrap();
        eprintln!("outbox: {rows:?}\n{}", server.stop_and_read_log());
    }
    assert_eq!(
        sent_before, rounds,
        "one mail per request for the known address, none for the unknown"
    );
    let mut to_mail = Vec::new();
    for n in 0..100 {
        let start = Instant::now();
        ask("ada@example.com").await.unwrap();
        let mails = smtp.wait_for(sent_before + n + 1, WAIT).await;
        to_mail.push(mails[sent_before + n].at - start);
    }
    let stats = |v: &mut Vec<Duration>| {
        v.sort();
        let at = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
        let mean = v.iter().sum::<Duration>() / v.len() as u32;
        format!(
            "mean {mean:?}, median {:?}, p90 {:?}, p99 {:?}",
            at(0.5),
            at(0.9),
            at(0.99)
        )
    };
    println!("answer, known address ({rounds}): {}", stats(&mut known));
    println!("answer, unknown address ({rounds}): {}", stats(&mut unknown));
    println!("request to mail received (100): {}", stats(&mut to_mail));
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
async fn an_expired_link_is_refused_plainly() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    order(&app, "#2001", "ada@example.com", 3).await;
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    let token = server::token::token();
    app.store
        .create_order_link(
            &server::token::digest(&token),
            shop.id,
            "ada@example.com",
            chrono::Duration::seconds(-1),
        )
        .await
        .unwrap();
    let res = open(&app, &format!("/track/alpha/o/{token}"), None).await;
    assert_eq!(res.status(), 410);
    let html = res.text().await.unwrap();
    assert!(html.contains("This link has expired or no longer works."));
    assert!(
        html.contains("/track/alpha?locale=en#order-links"),
        "the way to ask again"
    );
    assert!(!html.contains("#2001"));
}

#[tokio::test]
async fn a_link_opened_in_many_browsers_at_once_belongs_to_one() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    order(&app, "#2001", "ada@example.com", 3).await;
    ask(&app, "ada@example.com").await;
    let mails = smtp.wait_for(1, WAIT).await;
    let path = mails[0].link_path().unwrap();
    let opens = (0..100).map(|_| open(&app, &path, None));
    let statuses: Vec<u16> = futures::future::join_all(opens)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 403).count(), 99);
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
    let res = app
        .client
        .patch(&settings)
        .bearer_auth(&app.alpha_key)
        .json(&serde_json::json!({"email_links": false}))
        .send()
        .await
        .unwrap();
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

#[tokio::test]
async fn a_refusing_smtp_server_delays_the_mail_and_sends_it_once() {
    let smtp = SmtpServer::start().await;
    smtp.refuse(true);
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    order(&app, "#2001", "ada@example.com", 3).await;
    assert_eq!(ask(&app, "ada@example.com").await.status(), 303);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(smtp.received().is_empty());
    assert_eq!(app.store.outbox_waiting().await.unwrap().0, 1, "kept for another try");
    smtp.refuse(false);
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1);
    drained(&app).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(smtp.received().len(), 1, "sent once");
    let path = mails[0].link_path().unwrap();
    assert_eq!(
        open(&app, &path, None).await.status(),
        200,
        "the link of the mail that went works"
    );
}

#[tokio::test]
async fn mail_queued_during_an_outage_is_sent_once_after_a_restart() {
    use common::{lookout_command, lookout_ok, ServerProcess};
    let db = common::TestDb::new();
    lookout_ok(&db.url, &["demo"]);
    let port = free_port();
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let args = [
        "--smtp-url",
        &smtp_url,
        "--mail-from",
        "orders@lookout.test",
        "--mail-retry-secs",
        "1",
    ];
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut first = ServerProcess::start(lookout_command(&db.url), &args);
    let res = client
        .post(format!("{}/track/demo/links", first.base))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "ada@example.com"), ("mail_locale", "de")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // No SMTP server: tries fail and are put back.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let end = Instant::now() + WAIT;
    loop {
        // Two tries failed and none is under way (a server stopped mid-try leaves
        // the request to its lease, two minutes, before another server takes it).
        let (attempts, idle): (i64, i64) =
            sqlx::query_as("SELECT attempts, CASE WHEN claimed_until IS NULL THEN 1 ELSE 0 END FROM outbox")
                .fetch_one(&pool)
                .await
                .unwrap();
        if attempts >= 2 && idle == 1 {
            break;
        }
        assert!(Instant::now() < end, "the sender did not try");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = first.stop_and_read_log();
    assert!(log.contains("will try again"), "{log}");
    assert!(!log.contains("ada@example.com"), "no address in the log");

    // The SMTP server is back and the server restarts: the mail goes, once.
    let smtp = SmtpServer::start_on(port).await;
    let second = ServerProcess::start(lookout_command(&db.url), &args);
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["<ada@example.com>"]);
    assert!(mails[0].text().contains("/track/demo/o/") && mails[0].text().contains("?locale=de"));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(smtp.received().len(), 1, "sent once");
    let (outcome, email): (String, String) = sqlx::query_as("SELECT outcome, email FROM outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        (outcome.as_str(), email.as_str()),
        ("sent", ""),
        "finished, and the address forgotten"
    );
    drop(second);
}
