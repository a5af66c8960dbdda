//! The language an account chooses on its account page: every page of the
//! console, in every browser signed in to it, and every mail to it are in
//! that language whatever the browser asks for, until it chooses its
//! browser's again or its password is set by a link. A choice not on the list, a stale or foreign form, no
//! session, or a burst past the account's forms changes nothing more than
//! it may.

use crate::common;

use app::store::Role;
use common::burst::{burst, status};
use common::console::{account, post_from_other_sites, sign_in, try_sign_in_sending, Browser, PASSWORD};
use common::links::WAIT;
use common::smtp::SmtpServer;
use common::TestApp;

const OWNER: &str = "owner@alpha.example";
const PATH: &str = "/console/account/language";
const CHOSEN: &str = "SELECT COALESCE(locale, '-') FROM users WHERE email = 'owner@alpha.example'";

/// The page at `path` as `browser` gets it when its browser asks for `asks`.
async fn page_asking(browser: &Browser<'_>, path: &str, asks: &str) -> String {
    let res = browser
        .app
        .client
        .get(browser.app.url(path))
        .header("cookie", &browser.cookie)
        .header("accept-language", asks)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "GET {path}");
    res.text().await.unwrap()
}

/// What the account chose, `-` for its browser's.
async fn chosen(app: &TestApp) -> String {
    let code: String = sqlx::query_scalar(CHOSEN).fetch_one(&app.sql().await).await.unwrap();
    code
}

async fn choose(browser: &Browser<'_>, language: &str) -> reqwest::Response {
    browser.post(PATH, &[("language", language)]).await
}

#[tokio::test]
async fn the_chosen_language_is_the_consoles_in_every_browser_until_the_browsers_is_chosen_again() {
    let app = TestApp::spawn().await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    let here = sign_in(&app, OWNER).await;
    let elsewhere = sign_in(&app, OWNER).await;

    let page = page_asking(&here, "/console/account", "sv").await;
    assert!(page.contains(r#"<html lang="sv""#), "the browser's language");
    for part in [
        r#"action="/console/account/language""#,
        r#"<select id="language" name="language">"#,
        r#"<option value="" selected"#,
        "Webbläsarens språk (här: Svenska)",
        r#"<option value="de" lang="de">Deutsch</option>"#,
    ] {
        assert!(page.contains(part), "{part} is not in:\n{page}");
    }

    let res = choose(&here, "de").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console/account?done=language");
    assert_eq!(chosen(&app).await, "de");
    let saved = page_asking(&here, "/console/account?done=language", "sv").await;
    assert!(saved.contains(r#"<html lang="de""#), "the choice, not the browser's");
    assert!(saved.contains("Ihre Sprache wurde gespeichert."), "{saved}");
    assert!(saved.contains(r#"<option value="de" lang="de" selected"#), "{saved}");
    assert!(saved.contains("Sprache Ihres Browsers (hier: Svenska)"), "{saved}");
    // Every page, and every browser of the account.
    for (browser, asks) in [(&here, "zh-CN"), (&elsewhere, "nb"), (&elsewhere, "")] {
        let shop = page_asking(browser, "/console/shops/alpha", asks).await;
        assert!(shop.contains(r#"<html lang="de""#), "{asks}");
    }

    // The browser's again.
    assert_eq!(choose(&elsewhere, "").await.status(), 303);
    assert_eq!(chosen(&app).await, "-");
    let page = page_asking(&here, "/console/account?done=language", "sv").await;
    assert!(page.contains(r#"<html lang="sv""#));
    assert!(page.contains("Ditt språk sparades."), "{page}");
    assert!(here.page("/console/account").await.contains(r#"<html lang="en""#));
}

/// Traditional Chinese is a choice of its own, kept by its code: the console
/// and its language list say it in its own characters.
#[tokio::test]
async fn traditional_chinese_is_chosen_and_kept_apart_from_simplified() {
    let app = TestApp::spawn().await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    let browser = sign_in(&app, OWNER).await;
    let page = page_asking(&browser, "/console/account", "zh-TW").await;
    assert!(page.contains(r#"<html lang="zh-Hant""#), "Taiwan's browser: {page}");
    assert!(page.contains("您的帳號"), "{page}");
    for option in [
        r#"<option value="zh" lang="zh-Hans">简体中文</option>"#,
        r#"<option value="zh-Hant" lang="zh-Hant">繁體中文</option>"#,
    ] {
        assert!(page.contains(option), "{option} is not in:\n{page}");
    }
    assert_eq!(choose(&browser, "zh-Hant").await.status(), 303);
    assert_eq!(chosen(&app).await, "zh-Hant");
    let saved = page_asking(&browser, "/console/account?done=language", "zh-CN").await;
    assert!(
        saved.contains(r#"<html lang="zh-Hant""#),
        "the choice, not the browser's"
    );
    assert!(saved.contains("您的語言已儲存。"), "{saved}");
    assert_eq!(choose(&browser, "zh").await.status(), 303);
    assert_eq!(chosen(&app).await, "zh");
}

#[tokio::test]
async fn a_choice_not_on_the_list_or_not_from_the_accounts_page_changes_nothing() {
    let app = TestApp::spawn().await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    let browser = sign_in(&app, OWNER).await;
    assert_eq!(choose(&browser, "nb").await.status(), 303);

    // Long, but inside a form's bound (longer is 413, below).
    let long = "d".repeat(8 * 1024);
    for junk in [
        "DE",
        "de-AT",
        "no",
        "fi",
        "FR",
        "zh-TW",
        "zh-hant",
        " en",
        "en\n",
        "<b>de</b>",
        long.as_str(),
    ] {
        let res = choose(&browser, junk).await;
        let shown = junk.chars().take(16).collect::<String>();
        assert_eq!(res.status(), 422, "{shown:?}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains("Velg et språk fra listen. Ingenting ble endret."),
            "{page}"
        );
        assert!(
            !page.contains("&lt;b&gt;") && !page.contains("<b>de"),
            "nothing posted is shown"
        );
    }
    let over = "d".repeat(server::guard::MAX_FORM_BODY as usize);
    assert_eq!(choose(&browser, &over).await.status(), 413, "a form over the bound");
    // A form without the field.
    assert_eq!(browser.post(PATH, &[]).await.status(), 422);
    // Another session's token, or none.
    let stale = browser
        .post_with(PATH, "0".repeat(64).as_str(), &[("language", "de")])
        .await;
    assert_eq!(stale.status(), 403);
    assert_eq!(browser.post_with(PATH, "", &[("language", "de")]).await.status(), 403);
    // Another site's page posting with the merchant's browser.
    let csrf = browser.csrf().await;
    let form = [("csrf", csrf.as_str()), ("language", "de")];
    assert_eq!(
        post_from_other_sites(&app, PATH, &browser.cookie, &form).await,
        [403, 403]
    );
    // No session: sign in first, before the form is read.
    let res = app.client.post(app.url(PATH)).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console");
    assert_eq!(chosen(&app).await, "nb");
}

#[tokio::test]
async fn a_burst_of_choices_takes_the_accounts_forms_and_leaves_one_of_them() {
    let app = TestApp::spawn().await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    let browser = sign_in(&app, OWNER).await;
    let csrf = browser.csrf().await;
    let allowance = app::limits::LimitSettings::default().console_writes_per_account as usize;
    let languages = ["de", "es", "fr", "nb", "sv", "zh"];
    let statuses = burst(
        allowance + 100,
        |n| {
            let request = app
                .client
                .post(app.url(PATH))
                .header("cookie", &browser.cookie)
                .form(&[("csrf", csrf.as_str()), ("language", languages[n % languages.len()])]);
            async move { request.send().await.unwrap().status().as_u16() }
        },
        status,
    )
    .await;
    let saved = statuses.iter().filter(|s| **s == 303).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((saved, refused), (allowance, 100), "{statuses:?}");
    assert!(languages.contains(&chosen(&app).await.as_str()));
}

#[tokio::test]
async fn mails_to_the_account_are_in_its_language_whatever_page_asked() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    let browser = sign_in(&app, OWNER).await;
    assert_eq!(choose(&browser, "sv").await.status(), 303);

    // A browser new to the account, asking for Chinese pages.
    let headers = [("user-agent", "Firefox/133.0"), ("accept-language", "zh-CN")];
    let new = try_sign_in_sending(
        &app.client,
        &app.base,
        ("127.0.0.1", "", headers.as_slice()),
        OWNER,
        PASSWORD,
    )
    .await;
    assert_eq!(new.status(), 303);
    let told = &smtp.wait_for(1, WAIT).await[0];
    assert!(told.text().contains(r#"<html lang="sv">"#), "{}", told.text());

    // "Forgot your password?" from an English page.
    forgot(&app, "en").await;
    let link = &smtp.wait_for(2, WAIT).await[1];
    assert!(link.text().contains(r#"<html lang="sv">"#), "{}", link.text());
    // The link proves the mailbox: setting a password with it forgets the
    // language chosen from a signed-in browser.
    let path = link.password_link().expect("a set-password link");
    const NEW: &str = "a brand new passphrase";
    assert_eq!(common::console::set_password(&app, &path, NEW, NEW).await.status(), 200);
    assert_eq!(chosen(&app).await, "-");
    forgot(&app, "de").await;
    let link = &smtp.wait_for(3, WAIT).await[2];
    assert!(
        link.text().contains(r#"<html lang="de">"#),
        "the page's: {}",
        link.text()
    );
}

/// Asks for a password link for the owner from a "Forgot your password?"
/// page in `language`, as a browser does.
async fn forgot(app: &TestApp, language: &str) {
    let cookie_name = server::console::session::FORM_COOKIE.plain;
    let form = app.client.get(app.url("/console/forgot")).send().await.unwrap();
    let (cookie, _) = common::console::set_cookie(&form, cookie_name).expect("form cookie");
    let token = common::console::hidden(&form.text().await.unwrap(), "csrf").expect("form token");
    let asked = app
        .client
        .post(app.url("/console/forgot"))
        .header("cookie", format!("{cookie_name}={cookie}"))
        .header("accept-language", language)
        .form(&[("csrf", token.as_str()), ("email", OWNER)])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 303);
}
