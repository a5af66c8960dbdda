//! Word by mail of a sign-in from a browser new to the account: sent to the
//! account's address with the browser in words and when, a link to "Forgot
//! your password?" and one to the account page; nothing for the account's
//! first sign-in, a browser it knows, or a refused sign-in; one waiting at a
//! time and at most six an hour however many browsers sign in at once.

use crate::common;

use app::store::{Role, SIGN_IN_NOTICES_PER_HOUR};
use common::console::{account, hidden, set_cookie, PASSWORD};
use common::links::{drained, WAIT};
use common::smtp::SmtpServer;
use common::TestApp;
use server::console::{session, KNOWN_COOKIE};

const OWNER: &str = "owner@alpha.example";
const FIREFOX: &str = "Mozilla/5.0 (Android 14; Mobile; rv:131.0) Gecko/131.0 Firefox/131.0";
const CHROME: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// Signs in from a browser that says `agent` and sends `cookies` (or none),
/// in English; the answer.
async fn sign_in_from(app: &TestApp, agent: &str, cookies: &str, password: &str) -> reqwest::Response {
    let page = app.client.get(app.url("/console")).send().await.unwrap();
    let (form_cookie, _) = set_cookie(&page, session::FORM_COOKIE.plain).expect("form cookie");
    let csrf = hidden(&page.text().await.unwrap(), "csrf").expect("form token");
    let mut sent = format!("{}={form_cookie}", session::FORM_COOKIE.plain);
    if !cookies.is_empty() {
        sent = format!("{sent}; {cookies}");
    }
    app.client
        .post(app.url("/console/sign-in"))
        .header("cookie", sent)
        .header("user-agent", agent)
        .form(&[("csrf", csrf.as_str()), ("email", OWNER), ("password", password)])
        .send()
        .await
        .unwrap()
}

async fn notices(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM sign_in_notices").await
}

#[tokio::test]
async fn a_sign_in_from_a_new_browser_is_told_by_mail_and_others_are_not() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    // The account's first sign-in: it has just set its password.
    let first = sign_in_from(&app, FIREFOX, "", PASSWORD).await;
    assert_eq!(first.status(), 303);
    let (known, _) = set_cookie(&first, KNOWN_COOKIE.plain).expect("known-browser cookie");
    // The same browser again, known to the account.
    let again = sign_in_from(&app, FIREFOX, &format!("{}={known}", KNOWN_COOKIE.plain), PASSWORD).await;
    assert_eq!(again.status(), 303);
    // A wrong password from a new browser.
    assert_eq!(sign_in_from(&app, CHROME, "", "not the password").await.status(), 401);
    drained(&app).await;
    assert_eq!(smtp.received().len(), 0, "nothing to tell yet");
    assert_eq!(notices(&app).await, 0);

    // A browser new to the account.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(sign_in_from(&app, CHROME, "", PASSWORD).await.status(), 303);
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails[0].to, [format!("<{OWNER}>")]);
    assert_eq!(
        mails[0].header("subject").unwrap_or_default(),
        "New sign-in to your Lookout account"
    );
    let text = mails[0].text();
    for said in [
        "from Chrome on Windows, in a browser that had not signed in to it before",
        &today,
        "(UTC)",
        "http://lookout.test/console/forgot",
        "http://lookout.test/console/account",
    ] {
        assert!(text.contains(said), "{said:?} is not in:\n{text}");
    }
    assert_eq!(mails[0].password_link(), None, "no link that sets a password");
    assert!(!text.contains(PASSWORD), "no password");
    drained(&app).await;
    assert_eq!(smtp.received().len(), 1);
    let kept = app
        .count("SELECT COUNT(*) FROM sign_in_notices WHERE email <> ''")
        .await;
    assert_eq!(kept, 0, "a sent notice keeps no address");
}

/// Sign-ins from new browsers at once queue one notice while it waits; one
/// after another, each told, they stop at six an hour.
#[tokio::test]
async fn new_browsers_at_once_are_told_once_and_at_most_six_an_hour() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    assert_eq!(sign_in_from(&app, FIREFOX, "", PASSWORD).await.status(), 303);
    smtp.refuse(true); // Nothing is sent meanwhile: each notice waits.
    let answers = futures::future::join_all((0..20).map(|_| sign_in_from(&app, CHROME, "", PASSWORD))).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    // 303 signed in; 429 past the account's sign-ins from all clients; 503 the hashing gate full.
    assert!(statuses.iter().all(|s| [303, 429, 503].contains(s)), "{statuses:?}");
    assert!(statuses.contains(&303), "{statuses:?}");
    assert_eq!(notices(&app).await, 1, "one waiting at a time");
    smtp.refuse(false);
    smtp.wait_for(1, WAIT).await;
    drained(&app).await;
    for _ in 0..SIGN_IN_NOTICES_PER_HOUR + 2 {
        assert_eq!(sign_in_from(&app, CHROME, "", PASSWORD).await.status(), 303);
        drained(&app).await;
    }
    assert_eq!(notices(&app).await, SIGN_IN_NOTICES_PER_HOUR);
    assert_eq!(smtp.received().len() as i64, SIGN_IN_NOTICES_PER_HOUR);
}

#[tokio::test]
async fn a_server_without_mail_keeps_no_notice() {
    let app = TestApp::spawn().await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    for _ in 0..3 {
        assert_eq!(sign_in_from(&app, CHROME, "", PASSWORD).await.status(), 303);
    }
    assert_eq!(notices(&app).await, 0);
    let signed_in = app
        .count("SELECT COUNT(*) FROM users WHERE signed_in_at IS NOT NULL")
        .await;
    assert_eq!(signed_in, 1);
}
