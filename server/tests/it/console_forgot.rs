//! "Forgot your password?" on the console's sign-in page: a link to set a new
//! password goes by mail to an account on a team, and the page answers the
//! same whatever the address; many at once, one client's many addresses,
//! junk, stale and cross-site forms and a server without mail send no more
//! than the bounds allow.

use crate::common;

use app::store::{Role, PASSWORD_MAILS_PER_DAY};
use common::burst::{burst, status};
use common::console::{
    account, hidden, post_from_other_sites, set_cookie, set_password, sign_in, try_sign_in, PASSWORD,
};
use common::links::{drained, WAIT};
use common::smtp::SmtpServer;
use common::TestApp;
use server::console::session::FORM_COOKIE;

const FORGOT: &str = "/console/forgot";
const NEW_PASSWORD: &str = "a brand new passphrase";
/// Requests queued, finished or not.
const REQUESTS: &str = "SELECT COUNT(*) FROM password_mails";
/// Requests that still hold an address (not finished).
const STILL_ADDRESSED: &str = "SELECT COUNT(*) FROM password_mails WHERE email <> ''";

/// The form's cookie and token, as a browser gets them from the page.
async fn form_of(app: &TestApp) -> (String, String) {
    let page = app.client.get(app.url(FORGOT)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let (cookie, _) = set_cookie(&page, FORM_COOKIE.plain).expect("form cookie");
    let token = hidden(&page.text().await.unwrap(), "csrf").expect("form token");
    (format!("{}={cookie}", FORM_COOKIE.plain), token)
}

/// Posts the form with `form` (cookie, token) for `email`.
async fn post(app: &TestApp, form: &(String, String), email: &str) -> reqwest::Response {
    app.client
        .post(app.url(FORGOT))
        .header("cookie", &form.0)
        .form(&[("csrf", form.1.as_str()), ("email", email)])
        .send()
        .await
        .unwrap()
}

/// Asks for a link for `email` as a browser does: the page, then its form.
async fn ask(app: &TestApp, email: &str) -> reqwest::Response {
    let form = form_of(app).await;
    post(app, &form, email).await
}

/// What a browser can tell of an answer: status, where it goes, the page.
async fn seen(res: reqwest::Response) -> (u16, Option<String>, String) {
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string());
    (status, location, res.text().await.unwrap())
}

/// Every header of an answer but its date and request id, sorted.
fn headers_of(res: &reqwest::Response) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = res
        .headers()
        .iter()
        .filter(|(name, _)| !["date", "x-request-id"].contains(&name.as_str()))
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or_default().to_string()))
        .collect();
    all.sort();
    all
}

#[tokio::test]
async fn a_forgotten_password_is_set_again_from_a_mailed_link() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let before = sign_in(&app, "owner@alpha.example").await;

    let form_page = app.client.get(app.url(FORGOT)).send().await.unwrap();
    assert_eq!(form_page.headers()["cache-control"], "no-store");
    assert_eq!(form_page.headers()["x-frame-options"], "DENY");
    let sign_in_page = app.get_text("/console").await;
    assert!(
        sign_in_page.contains(&format!("href=\"{FORGOT}\"")) && sign_in_page.contains("Forgot your password?"),
        "{sign_in_page}"
    );
    // As typed on an East Asian keyboard: full-width letters, its full stop.
    let res = ask(&app, " Ｏｗｎｅｒ＠Ａｌｐｈａ。Ｅｘａｍｐｌｅ ").await;
    let (status, location, _) = seen(res).await;
    assert_eq!((status, location.as_deref()), (303, Some("/console/forgot?sent=1")));
    let page = app.get_text("/console/forgot?sent=1").await;
    assert!(page.contains("a link to set a new password is on its way"), "{page}");

    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails[0].to, ["<owner@alpha.example>"]);
    let subject = mails[0].header("subject").unwrap_or_default();
    assert_eq!(subject, "Set a new password for your Lookout account");
    let link = mails[0].password_link().expect("a set-password link");
    let text = mails[0].text();
    assert!(text.contains(&format!("http://lookout.test{link}")), "{text}");
    assert!(text.contains("your password stays as it is"), "{text}");
    assert!(!link.contains("owner") && !link.contains("alpha"), "{link}");

    // The old password works until the new one is set, then no longer; the
    // sessions the account had end.
    let res = app.client.get(app.url(&link)).send().await.unwrap();
    assert_eq!(
        res.headers()["referrer-policy"],
        "strict-origin",
        "what the page loads is not told the token"
    );
    let form = res.text().await.unwrap();
    assert!(form.contains("owner@alpha.example"), "{form}");
    assert_eq!(
        set_password(&app, &link, NEW_PASSWORD, NEW_PASSWORD).await.status(),
        200
    );
    assert_eq!(before.get("/console/shops/alpha").await.status(), 303, "signed out");
    assert_eq!(try_sign_in(&app, "owner@alpha.example", PASSWORD).await.status(), 401);
    assert_eq!(
        try_sign_in(&app, "owner@alpha.example", NEW_PASSWORD).await.status(),
        303
    );
    let used = set_password(&app, &link, "yet another passphrase", "yet another passphrase").await;
    assert_eq!(used.status(), 404, "a link works once");
    assert_eq!(used.headers()["referrer-policy"], "strict-origin");
    let page = used.text().await.unwrap();
    assert!(
        page.contains("Ask for a new one with “Forgot your password?”"),
        "{page}"
    );
}

#[tokio::test]
async fn the_answer_is_the_same_whatever_the_address() {
    let smtp = SmtpServer::start().await;
    // The address's allowance (3 an hour) out of the way, to reach the
    // account's day over HTTP.
    let app = TestApp::spawn_configured_with_mail(&smtp.url(), |limits| limits.links.per_email = 100).await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    // Off every team: an account nobody can use is sent nothing.
    account(&app, "gone@beta.example", "beta", Role::Staff).await;
    let beta = app.store.shop("beta").await.unwrap().unwrap();
    let removed = app
        .store
        .change_member(None, beta.id, "gone@beta.example", app::store::TeamChange::Remove)
        .await
        .unwrap();
    assert!(removed.is_ok());

    let mut answers = Vec::new();
    for email in ["owner@alpha.example", "nobody@alpha.example", "gone@beta.example"] {
        let res = ask(&app, email).await;
        let headers = headers_of(&res);
        answers.push((headers, seen(res).await));
    }
    assert_eq!(answers[0].1 .0, 303);
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    drained(&app).await;
    let mails = smtp.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["<owner@alpha.example>"]);
    // Past the account's day: the same answer again, and nothing more sent.
    for _ in 1..PASSWORD_MAILS_PER_DAY + 2 {
        let res = ask(&app, "owner@alpha.example").await;
        assert_eq!((headers_of(&res), seen(res).await), answers[0]);
    }
    drained(&app).await;
    assert_eq!(smtp.received().len(), PASSWORD_MAILS_PER_DAY as usize);
    assert_eq!(
        app.count(REQUESTS).await,
        3 + PASSWORD_MAILS_PER_DAY + 1,
        "all queued alike"
    );
    assert_eq!(app.count(STILL_ADDRESSED).await, 0, "finished requests keep no address");
}

#[tokio::test]
async fn an_address_asked_for_past_its_allowance_is_answered_the_same() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let per_email = app::limits::LinkRules::default().per_email;
    let mut answers = Vec::new();
    for _ in 0..per_email + 2 {
        let res = ask(&app, "owner@alpha.example").await;
        answers.push((headers_of(&res), seen(res).await));
    }
    assert!(answers.iter().all(|a| *a == answers[0] && a.1 .0 == 303), "{answers:?}");
    assert_eq!(app.count(REQUESTS).await, i64::from(per_email), "no more queued");
}

#[tokio::test]
async fn many_requests_at_once_send_an_account_its_day_of_mails_and_no_more() {
    let smtp = SmtpServer::start().await;
    // The per-address and per-client allowances out of the way: the store's
    // day bound alone holds.
    let app = TestApp::spawn_configured_with_mail(&smtp.url(), |limits| {
        limits.links.per_email = 10_000;
        limits.links.per_client = 10_000;
        limits.links.per_shop = 10_000;
    })
    .await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let form = form_of(&app).await;
    let send = |_| {
        let (client, url, form) = (&app.client, app.url(FORGOT), &form);
        async move {
            let res = client
                .post(url)
                .header("cookie", &form.0)
                .form(&[("csrf", form.1.as_str()), ("email", "owner@alpha.example")])
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        }
    };
    let statuses = burst(200, send, status).await;
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    drained(&app).await;
    assert_eq!(smtp.received().len(), PASSWORD_MAILS_PER_DAY as usize);
    // Only the last mail's link works: each replaced the one before.
    let links: Vec<String> = smtp.received().iter().filter_map(|m| m.password_link()).collect();
    let live: Vec<u16> = futures::future::join_all(
        links
            .iter()
            .map(|l| async { app.client.get(app.url(l)).send().await.unwrap().status().as_u16() }),
    )
    .await;
    assert_eq!(live.iter().filter(|s| **s == 200).count(), 1, "{live:?}");
}

#[tokio::test]
async fn one_client_asking_for_many_addresses_is_bounded_before_anything_is_queued() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    let rules = app::limits::LinkRules::default();
    let alpha = app.store.shop("alpha").await.unwrap().expect("shop");
    for i in 0..rules.per_client + 5 {
        let email = format!("staff{i}@alpha.example");
        app.store
            .add_member(&email, alpha.id, Role::Staff)
            .await
            .unwrap()
            .expect("room in the team");
    }
    // The first address's allowance spent, then the client's with others.
    let mut asked: Vec<String> = vec!["staff0@alpha.example".into(); rules.per_email as usize];
    asked.extend(
        (1..)
            .map(|i| format!("staff{i}@alpha.example"))
            .take((rules.per_client - rules.per_email) as usize),
    );
    let mut answers = Vec::new();
    for email in &asked {
        let res = ask(&app, email).await;
        answers.push((headers_of(&res), seen(res).await));
    }
    assert!(answers.iter().all(|a| *a == answers[0] && a.1 .0 == 303), "{answers:?}");
    // Past the client's allowance, which tells nothing of an address: said
    // as it is, with the client's time to wait (at most one request's refill,
    // also for the address whose own allowance is spent, whose wait is
    // three times that), nothing queued.
    let mut waits = Vec::new();
    for email in ["staff0@alpha.example", "staff12@alpha.example", "staff13@alpha.example"] {
        let res = ask(&app, email).await;
        assert_eq!(res.status(), 429);
        let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        let page = res.text().await.unwrap();
        assert!(
            page.contains("too many requests for links") && page.contains("Nothing was sent."),
            "{page}"
        );
        waits.push(wait);
    }
    let refill = rules.window.as_secs() / u64::from(rules.per_client);
    assert!(waits.iter().all(|w| *w <= refill), "{waits:?}");
    assert_eq!(app.count(REQUESTS).await, i64::from(rules.per_client));
    drained(&app).await;
    assert_eq!(smtp.received().len(), rules.per_client as usize);
}

#[tokio::test]
async fn junk_stale_and_cross_site_forms_and_a_server_without_mail_send_nothing() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let form = form_of(&app).await;

    let long = format!("{}@alpha.example", "x".repeat(2_000));
    for junk in ["", "not an email", long.as_str()] {
        let (status, _, page) = seen(post(&app, &form, junk).await).await;
        assert_eq!(status, 422);
        assert!(page.contains("Enter your account's email address"), "{page}");
        assert!(page.contains("Nothing was sent."));
        assert!(!page.contains(&"x".repeat(300)), "a long address is not echoed back");
    }
    // A body over the console's bound for a form is refused before it is read.
    let huge = format!("{}@alpha.example", "x".repeat(100_000));
    assert_eq!(post(&app, &form, &huge).await.status(), 413);
    // No form cookie, another browser's token, another site's page.
    let stale = app
        .client
        .post(app.url(FORGOT))
        .form(&[("csrf", form.1.as_str()), ("email", "owner@alpha.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 403);
    let wrong = (form.0.clone(), "0".repeat(64));
    assert_eq!(post(&app, &wrong, "owner@alpha.example").await.status(), 403);
    let sent = [("csrf", form.1.as_str()), ("email", "owner@alpha.example")];
    assert_eq!(post_from_other_sites(&app, FORGOT, &form.0, &sent).await, [403, 403]);
    assert_eq!(app.count(REQUESTS).await, 0, "nothing queued");
    assert!(smtp.received().is_empty());

    // Without mail: no link on the sign-in page, and the page says why.
    let plain = TestApp::spawn().await;
    account(&plain, "owner@alpha.example", "alpha", Role::Owner).await;
    assert!(!plain.get_text("/console").await.contains(FORGOT));
    let res = plain.client.get(plain.url(FORGOT)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("does not send mail"));
}
