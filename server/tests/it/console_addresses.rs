//! Console addresses as people type and paste them (an account's email
//! address on an East Asian keyboard, too): one slash too many is
//! sent to the page, a mailed link with the sentence's punctuation after it to
//! the link, and an address that is no console page gets the console's own
//! "not found" page (never the shoppers' "no order tracking page"), in the
//! account's language, with the way back.

use crate::common;

use app::store::Role;
use common::console::{account, invite, sign_in, try_sign_in, Browser, PASSWORD};
use common::TestApp;

/// What a GET of `path` answers: its status and where it sends the browser.
async fn answer(browser: &Browser<'_>, path: &str) -> (u16, Option<String>) {
    let res = browser.get(path).await;
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string());
    (res.status().as_u16(), location)
}

#[tokio::test]
async fn a_console_address_with_a_trailing_slash_is_sent_to_the_page() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let browser = sign_in(&app, "owner@alpha.example").await;
    for (asked, meant) in [
        ("/console/", "/console"),
        ("/console/shops/alpha/settings/", "/console/shops/alpha/settings"),
        ("/console/account/?ended=1", "/console/account?ended=1"),
    ] {
        assert_eq!(answer(&browser, asked).await, (308, Some(meant.to_string())), "{asked}");
    }
    // The page it is sent to opens.
    assert!(browser.page("/console/shops/alpha/settings").await.contains("<form"));
}

#[tokio::test]
async fn an_address_that_is_no_console_page_is_the_consoles_not_found_in_the_accounts_language() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let browser = sign_in(&app, "owner@alpha.example").await;
    let paths = [
        "/console/shops",
        "/console/shops/alpha/nonexistent",
        "/console/shops/alpha/settings/x",
        "/console//",
        "/console/password",
    ];
    for path in paths {
        let res = browser.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = res.text().await.unwrap();
        assert!(
            html.contains("There is no console page at this address."),
            "{path}: {html}"
        );
        assert!(
            html.contains(r#"<a href="/console">Back to the console</a>"#),
            "{path}: {html}"
        );
        assert!(!html.contains("order tracking page"), "{path}: the shoppers' page");
    }
    // A post to such an address (from the console's own pages) too.
    let res = browser.post("/console/shops/alpha/nonexistent", &[]).await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("There is no console page"));

    // In the language the account chose, whatever the browser asks for.
    let res = browser.post("/console/account/language", &[("language", "de")]).await;
    assert_eq!(res.status(), 303);
    let res = app
        .client
        .get(app.url("/console/shops/alpha/nonexistent"))
        .header("cookie", &browser.cookie)
        .header("accept-language", "ja")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Unter dieser Adresse gibt es keine Seite der Konsole."),
        "{html}"
    );
    assert!(html.contains(r#"lang="de""#), "{html}");
    // Signed out (or never signed in): the browser's language.
    let res = app
        .client
        .get(app.url("/console/shops/alpha/nonexistent"))
        .header("accept-language", "ja")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("このアドレスにコンソールのページはありません。"));
}

#[tokio::test]
async fn a_set_password_link_pasted_with_punctuation_after_it_opens_its_page() {
    let app = TestApp::spawn().await;
    let link = invite(&app, "new@alpha.example", "alpha", Role::Staff).await;
    let nobody = Browser {
        app: &app,
        cookie: String::new(),
    };
    for tail in [".", ")", ").", ",", "/", "%22", "%3E"] {
        let asked = format!("{link}{tail}");
        assert_eq!(answer(&nobody, &asked).await, (308, Some(link.clone())), "{asked}");
    }
    let page = nobody.page(&link).await;
    assert!(page.contains("new@alpha.example"), "{page}");
    // A letter more is another token: the link does not work, said as ever.
    let res = nobody.get(&format!("{link}a")).await;
    assert_ne!(res.status(), 308);
    assert!(res.text().await.unwrap().contains("This link does not work"));
}

#[tokio::test]
async fn an_account_signs_in_with_its_address_typed_in_full_width_letters() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    for typed in [
        "ｏｗｎｅｒ＠ａｌｐｈａ．ｅｘａｍｐｌｅ",
        "owner＠alpha。example",
        "owner@alpha｡example",
        " OWNER@alpha.example ",
    ] {
        let res = try_sign_in(&app, typed, PASSWORD).await;
        assert_eq!(res.status(), 303, "{typed}");
    }
    let res = try_sign_in(&app, "ｏｗｎｅｒ＠ａｌｐｈａ．ｅｘａｍｐｌｅ", "not the password").await;
    assert_eq!(res.status(), 401);
}
