//! Word by mail of a sign-in from a browser new to the account: sent to the
//! account's address with the browser in words and when, a link to "Forgot
//! your password?" and one to the account page; nothing for the account's
//! first sign-in (the browser that set its password by a link, which that
//! signed in), a browser it knows, or a refused sign-in; one waiting at a
//! time and at most six an hour however many browsers sign in at once.

use crate::common;

use app::store::{Role, SIGN_IN_NOTICES_PER_HOUR};
use common::console::{account, invite, set_cookie, try_sign_in_sending, PASSWORD};
use common::links::{drained, WAIT};
use common::smtp::SmtpServer;
use common::TestApp;
use server::console::{password, session, KNOWN_COOKIE};

const OWNER: &str = "owner@alpha.example";
const FIREFOX: &str = "Mozilla/5.0 (Android 14; Mobile; rv:131.0) Gecko/131.0 Firefox/131.0";
const CHROME: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// Signs in to the owner's account from a browser that says `agent` and
/// sends `cookies` (or none), in English; the answer.
async fn sign_in_from(app: &TestApp, agent: &str, cookies: &str, password: &str) -> reqwest::Response {
    sign_in_as(app, OWNER, (agent, "en"), cookies, password).await
}

/// [`sign_in_from`] to the account of `email`, from a browser that says
/// its agent and its language.
async fn sign_in_as(
    app: &TestApp,
    email: &str,
    (agent, language): (&str, &str),
    cookies: &str,
    password: &str,
) -> reqwest::Response {
    let headers = [("user-agent", agent), ("accept-language", language)];
    let sent = ("127.0.0.1", cookies, headers.as_slice());
    try_sign_in_sending(&app.client, &app.base, sent, email, password).await
}

/// The cookies of the browser that set the account's password by its link
/// (`account`): known to the account.
fn link_browser(app: &TestApp, email: &str) -> String {
    app.known
        .lock()
        .expect("not poisoned")
        .get(email)
        .cloned()
        .expect("made by `account`")
}

async fn notices(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM sign_in_notices").await
}

#[tokio::test]
async fn a_sign_in_from_a_new_browser_is_told_by_mail_and_others_are_not() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    // The browser that has just set the password by its link, again.
    let first = sign_in_from(&app, FIREFOX, &link_browser(&app, OWNER), PASSWORD).await;
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
    // The time as the console shows it, in UTC ("4 Dec 2026 01:48 UTC").
    let today = chrono::Utc::now().format("account on %-d %b %Y ").to_string();
    assert_eq!(sign_in_from(&app, CHROME, "", PASSWORD).await.status(), 303);
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails[0].to, [format!("<{OWNER}>")]);
    assert_eq!(
        mails[0].header("subject").unwrap_or_default(),
        "New sign-in to your Lookout account"
    );
    let text = mails[0].text();
    for said in [
        "in a browser Lookout had not seen for this account (Chrome on Windows).",
        &today,
        " UTC in a browser Lookout had not seen",
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
    let first = sign_in_from(&app, FIREFOX, &link_browser(&app, OWNER), PASSWORD).await;
    assert_eq!(first.status(), 303);
    smtp.refuse(true); // Nothing is sent meanwhile: each notice waits.
    let answers = futures::future::join_all((0..20).map(|_| sign_in_from(&app, CHROME, "", PASSWORD))).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    // 303 signed in; 429 past the account's sign-ins from all clients; 503 the hashing gate full.
    assert!(statuses.iter().all(|s| [303, 429, 503].contains(s)), "{statuses:?}");
    assert!(statuses.contains(&303), "{statuses:?}");
    assert_eq!(notices(&app).await, 1, "one waiting at a time");
    smtp.refuse(false);
    let text = smtp.wait_for(1, WAIT).await[0].text();
    // The others are counted in it.
    let signed_in = statuses.iter().filter(|s| **s == 303).count();
    // The client's 5 sign-ins at that account are reserved before hashing: 5 at once.
    assert!(signed_in > 1, "{statuses:?}");
    let more = format!("{} more browsers new to the account signed in", signed_in - 1);
    assert!(text.contains(&more), "{signed_in} signed in:\n{text}");
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

/// The known-browser cookie counts only for its own account and password:
/// another account's, or one from before a new password, is a new browser.
#[tokio::test]
async fn another_accounts_cookie_or_one_from_before_a_new_password_is_told() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    const OTHER: &str = "other@alpha.example";
    const NEW: &str = "a brand new passphrase";
    account(&app, OWNER, "alpha", Role::Owner).await;
    account(&app, OTHER, "alpha", Role::Staff).await;
    let known = |res: &reqwest::Response| {
        let (tag, _) = set_cookie(res, KNOWN_COOKIE.plain).expect("known-browser cookie");
        format!("{}={tag}", KNOWN_COOKIE.plain)
    };
    let owners = known(&sign_in_from(&app, FIREFOX, &link_browser(&app, OWNER), PASSWORD).await);
    let others = known(&sign_in_as(&app, OTHER, (FIREFOX, "en"), &link_browser(&app, OTHER), PASSWORD).await);
    drained(&app).await;
    assert_eq!(smtp.received().len(), 0, "the browsers that set the passwords");
    // The other account's cookie: a new browser to the owner's account.
    assert_eq!(sign_in_from(&app, FIREFOX, &others, PASSWORD).await.status(), 303);
    smtp.wait_for(1, WAIT).await;
    drained(&app).await;
    // A new password, from the account page of a browser the account knows:
    // that browser stays known, the owner's older cookie does not count.
    let res = sign_in_from(&app, CHROME, &owners, PASSWORD).await;
    assert_eq!(res.status(), 303);
    drained(&app).await;
    assert_eq!(smtp.received().len(), 1, "a known browser is not told");
    let (id, _) = set_cookie(&res, session::SESSION_COOKIE.plain).expect("session");
    let here = common::console::Browser {
        app: &app,
        cookie: format!("{}={id}; {owners}", session::SESSION_COOKIE.plain),
    };
    let fields = [("current", PASSWORD), ("password", NEW), ("again", NEW)];
    let changed = here.post("/console/account/password", &fields).await;
    assert_eq!(changed.status(), 303);
    let renewed = known(&changed);
    smtp.wait_for(2, WAIT).await; // word of the new password
    drained(&app).await;
    assert_eq!(sign_in_from(&app, CHROME, &renewed, NEW).await.status(), 303);
    drained(&app).await;
    assert_eq!(smtp.received().len(), 2, "the renewed cookie counts");
    assert_eq!(sign_in_from(&app, FIREFOX, &owners, NEW).await.status(), 303);
    let mails = smtp.wait_for(3, WAIT).await;
    let subject = mails[2].header("subject").unwrap_or_default();
    assert_eq!(
        subject, "New sign-in to your Lookout account",
        "the old cookie is a new browser"
    );
}

/// A server with mail and the owner's account, whose password was set (and
/// so first signed in to) from a page in the language `language` asks for.
async fn password_set_from(smtp: &SmtpServer, language: &str) -> TestApp {
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    let link = invite(&app, OWNER, "alpha", Role::Owner).await;
    assert_eq!(set_from(&app, &link, language, PASSWORD).await.status(), 200);
    app
}

/// Posts a set-password link's form from a page in the language `language` asks for.
async fn set_from(app: &TestApp, link: &str, language: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url(link))
        .header("accept-language", language)
        .form(&[("password", password), ("again", password)])
        .send()
        .await
        .unwrap()
}

/// The mail is in the language of the account's first sign-in, not of the
/// new browser, which may be anyone's.
#[tokio::test]
async fn the_notice_speaks_the_accounts_language_not_the_new_browsers() {
    let smtp = SmtpServer::start().await;
    let app = password_set_from(&smtp, "nb").await;
    // A new browser asking for Chinese pages.
    let told = sign_in_as(&app, OWNER, (CHROME, "zh-CN"), "", PASSWORD).await;
    assert_eq!(told.status(), 303);
    let mail = &smtp.wait_for(1, WAIT).await[0];
    let subject = mail.header("subject").unwrap_or_default();
    assert!(subject.starts_with("Ny innlogging "), "{subject}");
    let text = mail.decoded();
    assert!(text.contains("(Chrome på Windows)"), "{text}");
    assert!(text.contains(r#"<html lang="nb">"#), "{text}");
    drained(&app).await;
    // The stranger's browser is known now: signing in from it again, from a
    // Chinese page, does not change the language of the next warning.
    let (tag, _) = set_cookie(&told, KNOWN_COOKIE.plain).expect("known-browser cookie");
    let known = format!("{}={tag}", KNOWN_COOKIE.plain);
    let again = sign_in_as(&app, OWNER, (CHROME, "zh-CN"), &known, PASSWORD).await;
    assert_eq!(again.status(), 303);
    assert_eq!(
        sign_in_as(&app, OWNER, (CHROME, "zh-CN"), "", PASSWORD).await.status(),
        303
    );
    let mails = smtp.wait_for(2, WAIT).await;
    assert!(mails[1].text().contains(r#"<html lang="nb">"#), "{}", mails[1].text());
}

/// A set-password link proves the mailbox: the browser that used it is
/// signed in, untold, as the account's first sign-in since, and gives the
/// account the language of its page; the next new browser is told, in it,
/// whatever language that browser asks for.
#[tokio::test]
async fn a_password_set_by_a_link_is_the_first_sign_in_since_in_its_pages_language() {
    let smtp = SmtpServer::start().await;
    let app = password_set_from(&smtp, "nb").await;
    let user = app.store.account(OWNER).await.unwrap().expect("account");
    let (token, expires) = password::new_link();
    let digest = session::digest(&token);
    let stored = app.store.insert_password_link(user.id, &digest, &expires);
    stored.await.unwrap();
    const NEW: &str = "a brand new passphrase";
    let set = set_from(&app, &password::link_path(&token), "de", NEW).await;
    assert_eq!(set.status(), 200);
    assert!(set_cookie(&set, session::SESSION_COOKIE.plain).is_some(), "signed in");
    drained(&app).await;
    assert_eq!(smtp.received().len(), 0, "the link's own sign-in is not told");
    assert_eq!(sign_in_as(&app, OWNER, (FIREFOX, "zh-CN"), "", NEW).await.status(), 303);
    let mail = &smtp.wait_for(1, WAIT).await[0];
    assert!(mail.text().contains(r#"<html lang="de">"#), "{}", mail.text());
}
