//! "Where you are signed in": the account page lists the account's browsers,
//! named from their User-Agent at sign-in; one is signed out by its handle,
//! never this browser nor another account's; stale, junk and cross-site
//! forms end nothing; a burst ends it once.

use crate::common;

use app::store::{handle_of, Role};
use common::console::{account, post_from_other_sites, set_cookie, sign_in, try_sign_in_at, Browser, PASSWORD};
use common::TestApp;
use server::console::session;

const ACCOUNT: &str = "/console/account";
const SIGN_OUT: &str = "/console/account/browsers/sign-out";
const FIREFOX_ANDROID: &str = "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0";
const EDGE_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0";

/// Signs in from a browser that says it is `agent`; the browser and its session's id.
async fn sign_in_as<'a>(app: &'a TestApp, email: &str, agent: &str) -> (Browser<'a>, String) {
    let client = reqwest::Client::builder()
        .user_agent(agent)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = try_sign_in_at(&client, &app.base, "127.0.0.1", email, PASSWORD).await;
    assert_eq!(res.status(), 303, "sign-in of {email}");
    let (id, _) = set_cookie(&res, session::SESSION_COOKIE.plain).expect("session cookie");
    let browser = Browser {
        app,
        cookie: format!("{}={id}", session::SESSION_COOKIE.plain),
    };
    (browser, id)
}

/// Whether the browser is still signed in.
async fn signed_in(browser: &Browser<'_>) -> bool {
    browser.get(ACCOUNT).await.status() == 200
}

#[tokio::test]
async fn a_merchant_sees_where_they_are_signed_in_and_signs_out_another_browser() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    account(&app, "other@beta.example", "beta", Role::Owner).await;
    let (laptop, laptop_id) = sign_in_as(&app, "owner@alpha.example", EDGE_WINDOWS).await;
    let (phone, phone_id) = sign_in_as(&app, "owner@alpha.example", FIREFOX_ANDROID).await;
    let (stranger, stranger_id) = sign_in_as(&app, "other@beta.example", FIREFOX_ANDROID).await;

    let page = laptop.page(ACCOUNT).await;
    assert!(page.contains("Where you are signed in"), "{page}");
    // (Newest first: times are kept to the second, the store's tests order them.)
    assert!(page.contains("Firefox on Android"), "{page}");
    let laptop_at = page.find("Edge on Windows").unwrap();
    let laptop_row = &page[laptop_at..page[laptop_at..].find("</tr>").unwrap() + laptop_at];
    assert!(laptop_row.contains("This browser"), "{laptop_row}");
    let phone_handle = handle_of(&session::digest(&phone_id));
    assert!(page.contains(&format!("value=\"{phone_handle}\"")), "the phone's form");
    assert!(
        !page.contains(&format!("value=\"{}\"", handle_of(&session::digest(&laptop_id)))),
        "no form for this one"
    );
    for secret in [
        &laptop_id,
        &phone_id,
        &session::digest(&phone_id),
        &session::digest(&laptop_id),
    ] {
        assert!(
            !page.contains(secret.as_str()),
            "no session id or stored hash on the page"
        );
    }
    // The heading row, the laptop, the phone, and the browser that set the
    // password from its link (which that signed in).
    assert!(
        !page.contains("other@beta.example") && page.matches("<tr>").count() == 4,
        "{page}"
    );

    // This browser, another account's, junk: refused, nothing ended.
    let own = handle_of(&session::digest(&laptop_id));
    let res = laptop.post(SIGN_OUT, &[("browser", &own)]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("That is this browser"));
    let theirs = handle_of(&session::digest(&stranger_id));
    let res = laptop.post(SIGN_OUT, &[("browser", &theirs)]).await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("not signed in any more"));
    for junk in [
        "",
        "zz",
        &"A".repeat(32),
        &format!("{phone_handle}0"),
        "../../etc/passwd",
    ] {
        let res = laptop.post(SIGN_OUT, &[("browser", junk)]).await;
        assert_eq!(res.status(), 422, "{junk:?}");
        assert!(res.text().await.unwrap().contains("Choose a browser from the list"));
    }
    assert!(signed_in(&laptop).await && signed_in(&phone).await && signed_in(&stranger).await);

    // The phone, signed out from the laptop.
    let res = laptop.post(SIGN_OUT, &[("browser", &phone_handle)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console/account?done=signed_out");
    assert!(laptop
        .page("/console/account?done=signed_out")
        .await
        .contains("That browser was signed out."));
    assert!(!signed_in(&phone).await, "the phone is signed out");
    assert!(signed_in(&laptop).await && signed_in(&stranger).await);
    let page = laptop.page(ACCOUNT).await;
    assert!(!page.contains("Firefox on Android"));
    assert_eq!(
        laptop.post(SIGN_OUT, &[("browser", &phone_handle)]).await.status(),
        404,
        "once"
    );

    // A new password gives this browser a new session, still named as it was.
    let new = "a brand new passphrase";
    let fields = [("current", PASSWORD), ("password", new), ("again", new)];
    let res = laptop.post("/console/account/password", &fields).await;
    assert_eq!(res.status(), 303);
    let (id, _) = set_cookie(&res, session::SESSION_COOKIE.plain).expect("a new session");
    let renewed = Browser {
        app: &app,
        cookie: format!("{}={id}", session::SESSION_COOKIE.plain),
    };
    let page = renewed.page(ACCOUNT).await;
    let at = page.find("Edge on Windows").expect("the same browser");
    assert!(
        page[at..].contains("This browser") && page.matches("<tr>").count() == 2,
        "{page}"
    );
}

#[tokio::test]
async fn stale_cross_site_and_burst_forms_sign_out_a_browser_at_most_once() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let laptop = sign_in(&app, "owner@alpha.example").await;
    let (phone, phone_id) = sign_in_as(&app, "owner@alpha.example", FIREFOX_ANDROID).await;
    let handle = handle_of(&session::digest(&phone_id));
    let csrf = laptop.csrf().await;
    let form = [("csrf", csrf.as_str()), ("browser", handle.as_str())];
    assert_eq!(
        post_from_other_sites(&app, SIGN_OUT, &laptop.cookie, &form).await,
        [403, 403]
    );
    let res = laptop
        .post_with(SIGN_OUT, &"0".repeat(64), &[("browser", &handle)])
        .await;
    assert_eq!(res.status(), 403, "without the session's token");
    let res = laptop
        .post_with(SIGN_OUT, &phone.csrf().await, &[("browser", &handle)])
        .await;
    assert_eq!(res.status(), 403, "with another session's token");
    let signed_out = app.client.post(app.url(SIGN_OUT)).form(&form).send().await.unwrap();
    assert_eq!(signed_out.status(), 303, "signed out: to sign in");
    assert_eq!(signed_out.headers()["location"], "/console");
    assert!(signed_in(&phone).await, "nothing ended");

    // 200 at once: one signs it out; the rest find it gone, or are past the
    // account's console forms (100 per 15 minutes).
    let answers = futures::future::join_all((0..200).map(|_| async {
        laptop
            .post_with(SIGN_OUT, &csrf, &[("browser", &handle)])
            .await
            .status()
            .as_u16()
    }))
    .await;
    assert_eq!(answers.iter().filter(|s| **s == 303).count(), 1, "{answers:?}");
    assert!(answers.iter().all(|s| [303, 404, 429].contains(s)), "{answers:?}");
    assert!(answers.contains(&429), "{answers:?}");
    assert!(!signed_in(&phone).await);
    assert!(signed_in(&laptop).await);
}
