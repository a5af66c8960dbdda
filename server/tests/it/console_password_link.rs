//! Setting a password from its one-time link signs the browser in with it:
//! once, whatever the burst, and only with a password that passes.

use crate::common;

use app::store::Role;
use common::burst::burst;
use common::console::{invite, set_cookie, set_password, sign_in, Browser, PASSWORD};
use common::TestApp;
use server::console::session::SESSION_COOKIE;
use server::console::KNOWN_COOKIE;

/// The session cookie a response sets, as a browser would send it back.
fn session_of(res: &reqwest::Response) -> Option<String> {
    set_cookie(res, SESSION_COOKIE.plain)
        .filter(|(id, _)| !id.is_empty())
        .map(|(id, _)| format!("{}={id}", SESSION_COOKIE.plain))
}

/// Whether `cookie` is a live session: the console opens rather than asking to sign in.
async fn signed_in(app: &TestApp, cookie: &str) -> bool {
    let browser = Browser {
        app,
        cookie: cookie.to_string(),
    };
    let res = browser.get("/console").await;
    let to = res
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_string);
    match (res.status().as_u16(), to) {
        (303, Some(to)) => to.starts_with("/console/") && !to.contains("ended"),
        (200, _) => !res.text().await.unwrap().contains(r#"name="password""#),
        _ => false,
    }
}

#[tokio::test]
async fn a_password_set_from_its_link_signs_the_browser_in() {
    let app = TestApp::spawn().await;
    let link = invite(&app, "new@alpha.example", "alpha", Role::Staff).await;
    let res = set_password(&app, &link, PASSWORD, PASSWORD).await;
    assert_eq!(res.status(), 200);
    let cookie = session_of(&res).expect("a session cookie");
    assert!(
        set_cookie(&res, KNOWN_COOKIE.plain).is_some(),
        "the browser is known to the account"
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Password set") && html.contains("this browser is signed in"),
        "{html}"
    );
    assert!(html.contains(r#"href="/console""#), "{html}");
    assert!(signed_in(&app, &cookie).await, "the session works");

    // The link is spent: it neither sets a password nor signs in again.
    let again = set_password(&app, &link, "another long passphrase", "another long passphrase").await;
    assert_eq!(again.status(), 404);
    assert!(session_of(&again).is_none());
    // The password is the one set, for any other browser.
    sign_in(&app, "new@alpha.example").await;
}

#[tokio::test]
async fn a_refused_password_signs_nothing_in() {
    let app = TestApp::spawn().await;
    let link = invite(&app, "weak@alpha.example", "alpha", Role::Staff).await;
    for (password, again) in [("short", "short"), (PASSWORD, "not the same one at all")] {
        let res = set_password(&app, &link, password, again).await;
        assert_eq!(res.status(), 422, "{password}");
        assert!(session_of(&res).is_none(), "{password}");
        assert!(set_cookie(&res, KNOWN_COOKIE.plain).is_none(), "{password}");
    }
    // The link still works for a password that passes.
    let res = set_password(&app, &link, PASSWORD, PASSWORD).await;
    assert!(session_of(&res).is_some());
}

#[tokio::test]
async fn a_burst_on_one_link_starts_one_session() {
    let app = TestApp::spawn().await;
    let link = invite(&app, "burst@alpha.example", "alpha", Role::Staff).await;
    let answers = burst(
        60,
        |_| async {
            let res = set_password(&app, &link, PASSWORD, PASSWORD).await;
            (res.status().as_u16(), session_of(&res))
        },
        |(status, _)| *status,
    )
    .await;
    let sessions: Vec<_> = answers.iter().filter_map(|(_, s)| s.clone()).collect();
    assert_eq!(sessions.len(), 1, "{answers:?}");
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 404), "{statuses:?}");
    assert!(signed_in(&app, &sessions[0]).await);
}

#[tokio::test]
async fn a_session_the_browser_had_ends_when_the_link_signs_it_in() {
    let app = TestApp::spawn().await;
    common::console::account(&app, "first@alpha.example", "alpha", Role::Owner).await;
    let first = sign_in(&app, "first@alpha.example").await;
    assert!(signed_in(&app, &first.cookie).await);
    let link = invite(&app, "second@alpha.example", "alpha", Role::Staff).await;
    let res = app
        .client
        .post(app.url(&link))
        .header("cookie", &first.cookie)
        .form(&[("password", PASSWORD), ("again", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let second = session_of(&res).expect("a session for the new account");
    assert!(!signed_in(&app, &first.cookie).await, "one browser, one session");
    assert!(signed_in(&app, &second).await);
}
