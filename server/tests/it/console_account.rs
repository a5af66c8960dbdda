//! The account's own page: a new password in place of the current one. This
//! browser stays signed in, the others and the account's set-password links
//! end; a wrong, unacceptable or foreign change is refused for its reason and
//! changes nothing; guessing the current password from a signed-in browser is
//! bounded as sign-ins are, before any hashing. A change is told by mail to
//! the account's address.

use crate::common;

use app::limits::LimitSettings;
use app::store::Role;
use common::console::{account, post_from_other_sites, set_cookie, sign_in, try_sign_in, Browser, PASSWORD};
use common::links::{drained, WAIT};
use common::smtp::SmtpServer;
use common::TestApp;
use server::console::{password, session, KNOWN_COOKIE};
use std::sync::Arc;

const OWNER: &str = "owner@alpha.example";
const NEW: &str = "a brand new passphrase";
const PATH: &str = "/console/account/password";

/// Posts a change from `browser`: the current password, the new one twice.
async fn change(browser: &Browser<'_>, current: &str, new: &str, again: &str) -> reqwest::Response {
    browser
        .post(PATH, &[("current", current), ("password", new), ("again", again)])
        .await
}

/// A set-password link for the account, as "Forgot your password?" would mail.
async fn new_link(app: &TestApp, email: &str) -> String {
    let user = app.store.account(email).await.unwrap().expect("account");
    let (token, expires) = password::new_link();
    app.store
        .insert_password_link(user.id, &session::digest(&token), &expires)
        .await
        .unwrap();
    password::link_path(&token)
}

/// 200 changes posted at once from `browser`'s session, the `n`th with the
/// current and new passwords `form(n)` gives: each answer's status, where it
/// sends the browser, and the new password it asked for.
async fn at_once(
    browser: &Browser<'_>,
    form: impl Fn(usize) -> (String, String),
) -> Vec<(u16, Option<String>, String)> {
    let csrf = browser.csrf().await;
    let mut posts = tokio::task::JoinSet::new();
    for n in 0..200 {
        let (current, new) = form(n);
        let fields = [
            ("csrf", csrf.as_str()),
            ("current", &current),
            ("password", &new),
            ("again", &new),
        ];
        let request = browser
            .app
            .client
            .post(browser.app.url(PATH))
            .header("cookie", &browser.cookie)
            .form(&fields);
        posts.spawn(async move {
            let res = request.send().await.unwrap();
            let to = res
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap_or_default().to_string());
            (res.status().as_u16(), to, new)
        });
    }
    posts.join_all().await
}

#[tokio::test]
async fn a_new_password_keeps_this_browser_and_signs_out_the_others() {
    let app = TestApp::spawn().await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    let here = sign_in(&app, OWNER).await;
    let elsewhere = sign_in(&app, OWNER).await;
    let link = new_link(&app, OWNER).await;

    let shops = here.page("/console/shops/alpha").await;
    assert!(
        shops.contains(r#"href="/console/account""#),
        "the header links to the account"
    );
    let page = here.page("/console/account").await;
    for part in [
        OWNER,
        r#"action="/console/account/password""#,
        r#"autocomplete="current-password""#,
    ] {
        assert!(page.contains(part), "{part}");
    }
    assert!(!page.contains("/console/forgot"), "no mail, no link by mail");

    let res = change(&here, PASSWORD, NEW, NEW).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console/account?done=password");
    assert!(
        set_cookie(&res, KNOWN_COOKIE.plain).is_some(),
        "this browser stays known"
    );
    // This browser gets a new session: a copy of its old cookie is signed out too.
    let (id, _) = set_cookie(&res, session::SESSION_COOKIE.plain).expect("a new session");
    let renewed = Browser {
        app: &app,
        cookie: format!("{}={id}", session::SESSION_COOKIE.plain),
    };
    let page = renewed.page("/console/account?done=password").await;
    assert!(page.contains("Your password was changed."), "{page}");
    assert_eq!(renewed.get("/console/shops/alpha").await.status(), 200);
    for old in [&here, &elsewhere] {
        assert_eq!(old.get("/console/shops/alpha").await.status(), 303, "signed out");
    }
    assert_eq!(app.client.get(app.url(&link)).send().await.unwrap().status(), 404);
    assert_eq!(try_sign_in(&app, OWNER, PASSWORD).await.status(), 401);
    assert_eq!(try_sign_in(&app, OWNER, NEW).await.status(), 303);
    // This server sends no mail: no notice is kept waiting for one.
    assert_eq!(app.count("SELECT COUNT(*) FROM password_notices").await, 0);
}

#[tokio::test]
async fn a_changed_password_is_told_by_mail_to_the_account_and_a_refused_one_is_not() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    let here = sign_in(&app, OWNER).await;
    let page = here.page("/console/account").await;
    assert!(
        page.contains(r#"<a href="/console/forgot">Forgot your current password?</a>"#),
        "{page}"
    );
    assert_eq!(change(&here, "not the password at all", NEW, NEW).await.status(), 422);
    drained(&app).await;
    assert_eq!(smtp.received().len(), 0, "nothing said of a change not made");

    assert_eq!(change(&here, PASSWORD, NEW, NEW).await.status(), 303);
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails[0].to, [format!("<{OWNER}>")]);
    assert_eq!(
        mails[0].header("subject").unwrap_or_default(),
        "Your Lookout password was changed"
    );
    // Its own Message-ID in the sender's domain (receivers refuse mail without
    // one), and marked as sent by a machine.
    let id = mails[0].header("message-id").unwrap_or_default();
    assert!(id.starts_with('<') && id.ends_with("@lookout.test>"), "{id:?}");
    assert_eq!(mails[0].header("auto-submitted").as_deref(), Some("auto-generated"));
    let text = mails[0].text();
    assert!(text.contains("http://lookout.test/console/forgot"), "{text}");
    assert!(
        text.contains("Every other browser signed in to the account was signed out."),
        "{text}"
    );
    assert_eq!(mails[0].password_link(), None, "no link that sets a password");
    for secret in [PASSWORD, NEW] {
        assert!(!text.contains(secret), "the mail carries no password");
    }
    drained(&app).await;
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM password_notices WHERE email <> ''")
            .await,
        0,
        "a sent notice keeps no address"
    );
}

#[tokio::test]
async fn a_wrong_or_unacceptable_change_is_refused_for_its_reason_and_changes_nothing() {
    let gate = Arc::new(server::keys::HashGate::new(2, 100, std::time::Duration::from_secs(30)));
    let app = TestApp::spawn_configured({
        let gate = gate.clone();
        move |s| s.with_hash_gate(gate)
    })
    .await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    let here = sign_in(&app, OWNER).await;
    let elsewhere = sign_in(&app, OWNER).await;
    let link = new_link(&app, OWNER).await;
    let long = "x".repeat(password::MAX_BYTES + 1);
    let unhashed = [
        ("", NEW, NEW, "The current password is not right."),
        (long.as_str(), NEW, NEW, "The current password is not right."),
        (PASSWORD, "too short", "too short", "at least 12 characters"),
        (PASSWORD, NEW, "another passphrase", "not the same"),
        (PASSWORD, "password1234", "password1234", "most common"),
        (PASSWORD, OWNER, OWNER, "may not be your email address"),
        (PASSWORD, PASSWORD, PASSWORD, "the same as the current one"),
    ];
    for (current, new, again, said) in unhashed {
        let before = gate.hashes();
        let res = change(&here, current, new, again).await;
        assert_eq!(res.status(), 422, "{said}");
        let page = res.text().await.unwrap();
        assert!(page.contains(said), "{said}: {page}");
        assert!(page.contains(r#"role="alert""#));
        assert_eq!(gate.hashes(), before, "nothing hashed for {said:?}");
    }
    let before = gate.hashes();
    let res = change(&here, "not the password at all", NEW, NEW).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Nothing was changed."));
    assert_eq!(gate.hashes(), before + 1, "one hash checks the current password");

    // Without this session's token, from another site, or signed out.
    let fields = [("current", PASSWORD), ("password", NEW), ("again", NEW)];
    assert_eq!(here.post_with(PATH, "", &fields).await.status(), 403);
    assert_eq!(
        here.post_with(PATH, &elsewhere.csrf().await, &fields).await.status(),
        403
    );
    let csrf = here.csrf().await;
    let sent = [
        ("csrf", csrf.as_str()),
        ("current", PASSWORD),
        ("password", NEW),
        ("again", NEW),
    ];
    assert_eq!(post_from_other_sites(&app, PATH, &here.cookie, &sent).await, [403, 403]);
    let res = app.client.post(app.url(PATH)).form(&fields).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console");

    // Nothing changed: both browsers signed in, the old password and the link work.
    assert_eq!(here.get("/console/shops/alpha").await.status(), 200);
    assert_eq!(elsewhere.get("/console/shops/alpha").await.status(), 200);
    assert_eq!(app.client.get(app.url(&link)).send().await.unwrap().status(), 200);
    assert_eq!(try_sign_in(&app, OWNER, PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn guessing_the_current_password_from_a_signed_in_browser_is_bounded_before_hashing() {
    let gate = Arc::new(server::keys::HashGate::new(2, 1000, std::time::Duration::from_secs(30)));
    let settings = LimitSettings {
        failed_sign_ins_per_account: 5,
        failed_auth_per_client: 1000,
        console_writes_per_account: 1000,
        // A day's window, so that nothing refills during the test.
        window: std::time::Duration::from_secs(24 * 60 * 60),
        ..LimitSettings::default()
    };
    let app = TestApp::spawn_configured({
        let gate = gate.clone();
        move |s| s.with_limits(settings).with_hash_gate(gate)
    })
    .await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    let here = sign_in(&app, OWNER).await;
    let before = gate.hashes();
    let answers = at_once(&here, |n| (format!("guess number {n}"), NEW.to_string())).await;
    let statuses: Vec<u16> = answers.iter().map(|(status, _, _)| *status).collect();
    let count = |status: u16| statuses.iter().filter(|s| **s == status).count();
    assert_eq!((count(422), count(429)), (5, 195), "{statuses:?}");
    assert_eq!(gate.hashes() - before, 5, "only the allowed guesses were hashed");
    // The right password is refused too until the allowance refills, and said so.
    let res = change(&here, PASSWORD, NEW, NEW).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("Too many wrong passwords."));
    assert_eq!(here.get("/console/shops/alpha").await.status(), 200);
    // The allowance is the one sign-ins from this client take, too.
    assert_eq!(try_sign_in(&app, OWNER, PASSWORD).await.status(), 429);
    let stored = app.store.account(OWNER).await.unwrap().and_then(|a| a.password_hash);
    assert!(server::keys::verify(PASSWORD, stored.as_deref()), "nothing changed");
}

#[tokio::test]
async fn two_hundred_changes_at_once_make_one() {
    // Room for every change to race (the account's console forms), and for
    // the wrong guesses that changes checked after the winner make, so that
    // the sign-ins at the end are not refused for them.
    let settings = LimitSettings {
        failed_sign_ins_per_account: 1000,
        failed_auth_per_client: 1000,
        console_writes_per_account: 1000,
        ..LimitSettings::default()
    };
    // And the lane of people's pages wide enough for them to run at once, as
    // from many browsers or servers (one browser's would take turns).
    let lanes = common::alike_lanes(400, std::time::Duration::from_secs(30));
    let app = TestApp::spawn_configured(move |s| s.with_limits(settings).with_page_lanes(lanes)).await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    let here = sign_in(&app, OWNER).await;
    let answers = at_once(&here, |n| (PASSWORD.to_string(), format!("new passphrase number {n}"))).await;
    let done = Some("/console/account?done=password".to_string());
    let changed: Vec<&String> = answers
        .iter()
        .filter(|(s, to, _)| *s == 303 && *to == done)
        .map(|(_, _, new)| new)
        .collect();
    assert_eq!(changed.len(), 1, "{answers:?}");
    // The others: changed meanwhile (409), checked after the change (422: the
    // old password is no longer right), past an allowance (429), the hashing
    // gate full (503), or sent to sign in, told that their session ended (303
    // to /console?ended=1: the change replaced the session they came with).
    let signed_out = Some("/console?ended=1".to_string());
    assert!(
        answers
            .iter()
            .all(|(s, to, _)| [409, 422, 429, 503].contains(s) || (*s == 303 && (*to == done || *to == signed_out))),
        "{answers:?}"
    );
    let lost = answers
        .iter()
        .find(|(s, _, _)| *s == 409)
        .map(|(_, _, new)| new.as_str());
    let lost = lost.expect("some checked the old password and lost the race");
    assert_eq!(
        here.get("/console/shops/alpha").await.status(),
        303,
        "its session was replaced"
    );
    assert_eq!(try_sign_in(&app, OWNER, changed[0]).await.status(), 303);
    assert_eq!(try_sign_in(&app, OWNER, PASSWORD).await.status(), 401);
    assert_eq!(try_sign_in(&app, OWNER, lost).await.status(), 401);
}

/// An account its last shop took off the team signs in to an empty list: the
/// page says why, and what to do.
#[tokio::test]
async fn an_account_on_no_team_is_told_why_its_list_is_empty() {
    let app = TestApp::spawn().await;
    account(&app, "left@alpha.example", "alpha", Role::Staff).await;
    let browser = sign_in(&app, "left@alpha.example").await;
    app.exec("DELETE FROM memberships").await;
    let page = browser.page("/console").await;
    assert!(
        page.contains("You are not on any shop's team. Ask a shop's owner to invite you."),
        "{page}"
    );
    assert!(!page.contains("alpha store"));
}
