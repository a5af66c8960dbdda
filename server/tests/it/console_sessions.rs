//! One browser, one console session: signing in again, as the same account
//! or another, ends the session the browser still had; over TLS the cookies
//! are `__Host-` ones, which a sibling subdomain cannot set.

use crate::common;

use app::store::Role;
use common::console::{account, hidden, set_cookie, sign_in, try_sign_in, try_sign_in_with, Browser, PASSWORD};
use common::TestApp;
use server::console::{session, KNOWN_COOKIE};

#[tokio::test]
async fn signing_in_again_ends_the_browsers_previous_session() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    account(&app, "staff@alpha.example", "alpha", Role::Staff).await;
    let first = sign_in(&app, "owner@alpha.example").await;
    let other = sign_in(&app, "owner@alpha.example").await;
    let page = "/console/shops/alpha/orders";
    assert_eq!(first.get(page).await.status(), 200);

    // The first browser signs in as another account, its session cookie sent along.
    let res = try_sign_in_with(
        &app.client,
        &app.base,
        "127.0.0.1",
        &first.cookie,
        "staff@alpha.example",
        PASSWORD,
    )
    .await;
    assert_eq!(res.status(), 303);
    let (id, _) = set_cookie(&res, session::SESSION_COOKIE.plain).expect("a new session");
    let signed_again = Browser {
        app: &app,
        cookie: format!("{}={id}", session::SESSION_COOKIE.plain),
    };
    assert_eq!(signed_again.get(page).await.status(), 200);
    assert_eq!(
        first.get(page).await.status(),
        303,
        "the browser's old session still works"
    );
    // Sessions of other browsers are their own.
    assert_eq!(other.get(page).await.status(), 200);
}

/// Over TLS every console cookie is `__Host-` prefixed: `Secure`, `Path=/`, no
/// `Domain`, so browsers take it only from this host. A cookie of the plain
/// name, as a sibling subdomain could set for the whole domain, is not read.
#[tokio::test]
async fn secure_sites_use_host_only_cookies_and_ignore_plain_ones() {
    let app = TestApp::spawn_configured(|s| s.with_hsts(300)).await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let form = app.client.get(app.url("/console")).send().await.unwrap();
    assert!(set_cookie(&form, session::FORM_COOKIE.plain).is_none());
    let (form_cookie, header) = set_cookie(&form, session::FORM_COOKIE.secure).expect("a __Host- form cookie");
    let csrf = hidden(&form.text().await.unwrap(), "csrf").expect("form token");
    let sign_in_with = |cookie: String| {
        let request = app
            .client
            .post(app.url("/console/sign-in"))
            .header("cookie", cookie)
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "owner@alpha.example"),
                ("password", PASSWORD),
            ]);
        async move { request.send().await.unwrap() }
    };
    let tossed = sign_in_with(format!("{}={form_cookie}", session::FORM_COOKIE.plain)).await;
    assert_eq!(tossed.status(), 403, "a plain-named form cookie is not this site's");
    let res = sign_in_with(format!("{}={form_cookie}", session::FORM_COOKIE.secure)).await;
    assert_eq!(res.status(), 303);
    let (id, session_header) = set_cookie(&res, session::SESSION_COOKIE.secure).expect("a __Host- session");
    let (_, known_header) = set_cookie(&res, KNOWN_COOKIE.secure).expect("a __Host- known-browser cookie");
    for header in [&header, &session_header, &known_header] {
        for part in ["; Secure", "; Path=/;", "HttpOnly", "SameSite=Strict"] {
            assert!(header.contains(part), "{header} lacks {part}");
        }
        assert!(!header.to_ascii_lowercase().contains("domain="), "{header}");
    }
    let page = "/console/shops/alpha";
    let with = |name: &str| Browser {
        app: &app,
        cookie: format!("{name}={id}"),
    };
    assert_eq!(with(session::SESSION_COOKIE.secure).get(page).await.status(), 200);
    let plain = with(session::SESSION_COOKIE.plain).get(page).await;
    assert_eq!(plain.status(), 303, "a plain-named session cookie is not read");
    // Signing out clears the cookie under the name and path it was set with.
    let browser = with(session::SESSION_COOKIE.secure);
    let csrf = browser.csrf().await;
    let out = browser.post_with("/console/sign-out", &csrf, &[]).await;
    assert_eq!(out.status(), 303);
    assert_eq!(out.headers()["location"], "/console?out=here");
    let said = app
        .client
        .get(app.url("/console?out=here"))
        .header("accept-language", "de")
        .send()
        .await;
    assert!(said.unwrap().text().await.unwrap().contains("Sie sind abgemeldet."));
    let (value, cleared) = set_cookie(&out, session::SESSION_COOKIE.secure).expect("the session cookie cleared");
    assert!(
        value.is_empty() && cleared.contains("; Path=/;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    assert_eq!(browser.get(page).await.status(), 303);
}

/// An address with a control character is no account's, with the right
/// password too: the same answer on either store (PostgreSQL refuses a NUL in
/// a query's text, which answered 503), offered again without it.
#[tokio::test]
async fn an_address_with_a_control_character_signs_no_one_in() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    for typed in ["owner@alpha.example\u{0}", "owner@alpha.example\u{7}", "\u{0}"] {
        let res = try_sign_in(&app, typed, PASSWORD).await;
        assert_eq!(res.status(), 401, "{typed:?}");
        assert!(set_cookie(&res, session::SESSION_COOKIE.plain).is_none());
        let page = res.text().await.unwrap();
        assert!(!page.contains(['\u{0}', '\u{7}']), "{page}");
    }
    assert_eq!(try_sign_in(&app, "owner@alpha.example", PASSWORD).await.status(), 303);
}
