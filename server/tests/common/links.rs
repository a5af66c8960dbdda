//! What the order-link tests share: orders for an address, the page's request
//! form, the outbox draining, and a link opened or taken by a browser.

use super::{order_of, TestApp};
use std::time::{Duration, Instant};

/// How long a test waits for mail or the outbox: long enough for a machine
/// busy with other tests (waits end as soon as what is awaited happens).
pub const WAIT: Duration = Duration::from_secs(30);

/// Stores an order for `email` at `alpha`, placed `days_ago` days ago.
pub async fn order(app: &TestApp, number: &str, email: &str, days_ago: i64) {
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
pub async fn ask(app: &TestApp, email: &str) -> reqwest::Response {
    app.client
        .post(app.url("/track/alpha/links"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", email), ("mail_locale", "en")])
        .send()
        .await
        .expect("post")
}

/// Waits until the outbox has nothing left to do.
pub async fn drained(app: &TestApp) {
    let end = Instant::now() + WAIT;
    while app.store.outbox_waiting().await.expect("outbox").0 > 0 {
        assert!(Instant::now() < end, "the outbox did not empty");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until no mail is due or being sent (mail put back for later may wait).
pub async fn nothing_due(app: &TestApp) {
    let end = Instant::now() + WAIT;
    while app.store.outbox_waiting().await.expect("outbox").1 > 0 {
        assert!(Instant::now() < end, "mail due was not handled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// GETs a link's page, as the browser holding `cookie` (if any).
pub async fn open(app: &TestApp, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let req = app.client.get(app.url(path));
    let req = match cookie {
        Some(c) => req.header("cookie", c),
        None => req,
    };
    req.send().await.expect("get link")
}

/// POSTs to a link's page (the "Show my orders" button), as the browser holding `cookie` (if any).
pub async fn take(app: &TestApp, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let req = app.client.post(app.url(path)).header("sec-fetch-site", "same-origin");
    let req = match cookie {
        Some(c) => req.header("cookie", c),
        None => req,
    };
    req.send().await.expect("take link")
}

/// The orders page a mailed link opens: taken and opened by one browser, as
/// its shopper would.
pub async fn orders_by_mail(app: &TestApp, mail: &super::smtp::Received) -> String {
    let path = mail.link_path().expect("a link in the mail");
    let device = cookie_of(&take(app, &path, None).await);
    open(app, &path, Some(&device)).await.text().await.unwrap()
}

/// The `name=value` part of a response's `Set-Cookie`.
pub fn cookie_of(res: &reqwest::Response) -> String {
    let header = res.headers()["set-cookie"].to_str().expect("ascii cookie");
    header.split(';').next().unwrap_or_default().to_string()
}
