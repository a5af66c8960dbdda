//! The outbox: a refusing SMTP server, an outage across a restart of the real
//! server process (mail sent once, after), and a benchmark of answer times and
//! of the time from request to mail. On SQLite, and on PostgreSQL when
//! `LOOKOUT_TEST_POSTGRES` is set.

use crate::common;

use common::links::{ask, drained, order, take, WAIT};
use common::smtp::{free_port, SmtpServer};
use common::TestApp;
use std::time::{Duration, Instant};

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
        take(&app, &path, None).await.status(),
        303,
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

/// A stopping server's sender claims nothing more: a request it claimed would
/// wait out its claim (two minutes) once the process had ended. Here the
/// request is sent at once by a sender that is not stopping.
#[tokio::test]
async fn a_stopped_sender_claims_nothing_more() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn().await;
    order(&app, "#2001", "ada@example.com", 3).await;
    app.store.queue_link_request(1, "ada@example.com", "en").await.unwrap();
    let stopping = common::mailer(&smtp.url());
    stopping.stop();
    stopping.send_due(&app.store).await;
    assert!(smtp.received().is_empty(), "nothing sent while stopping");
    common::mailer(&smtp.url()).send_due(&app.store).await;
    assert_eq!(smtp.received().len(), 1, "unclaimed: another sender sends it now");
}
