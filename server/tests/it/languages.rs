//! The languages added last (Danish, Dutch, French, Italian, Japanese, Polish,
//! Portuguese, Spanish, and then Traditional Chinese), through every way a language
//! is chosen: a browser's `Accept-Language`, `?locale=`, the shop's default
//! (the console's settings), a plain form post's money and dates, the mail a shopper
//! asks for, the loader's link. On SQLite, and on PostgreSQL when
//! `LOOKOUT_TEST_POSTGRES` is set.

use crate::common;

use app::i18n::{t, t_args, Locale};
use app::store::Role;
use common::console::{account, sign_in, unescaped};
use common::links::{drained, order};
use common::settings::{console_form, settings};
use common::smtp::SmtpServer;
use common::{assert_no_internal_data, TestApp, EXAMPLE};

const OWNER: &str = "owner@example.com";

async fn ingested() -> TestApp {
    let app = TestApp::spawn().await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    app
}

/// `path` of `app` as a browser asking for `accept` (none when empty) gets it.
async fn page(app: &TestApp, path: &str, accept: &str) -> String {
    let mut req = app.client.get(app.url(path));
    if !accept.is_empty() {
        req = req.header("accept-language", accept);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    unescaped(&res.text().await.unwrap())
}

/// The one mail a shopper of `ada@example.com` (given an order `#2001`)
/// gets after asking `app`'s shop `alpha` for a link in `mail_locale`.
async fn mailed_link(app: &TestApp, smtp: &SmtpServer, mail_locale: &str) -> common::smtp::Received {
    order(app, "#2001", "ada@example.com", 3).await;
    let res = app
        .client
        .post(app.url("/track/alpha/links"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "ada@example.com"), ("mail_locale", mail_locale)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    drained(app).await;
    let mut mails = smtp.received();
    assert_eq!(mails.len(), 1);
    mails.remove(0)
}

#[tokio::test]
async fn a_browser_gets_the_page_in_its_language() {
    let app = ingested().await;
    for (accept, locale) in [
        ("fr-CA,de;q=0.8", Locale::Fr),
        ("fr", Locale::Fr),
        ("de;q=0.5, es-MX", Locale::Es),
        ("es-419", Locale::Es),
        ("it-IT,it;q=0.9", Locale::It),
        ("nl-BE", Locale::Nl),
        ("pt-PT, en;q=0.1", Locale::Pt),
        ("da", Locale::Da),
        ("pl-PL", Locale::Pl),
        ("ja-JP,ja;q=0.9,en;q=0.8", Locale::Ja),
    ] {
        for path in ["/track/alpha", "/embed/alpha"] {
            let html = page(&app, path, accept).await;
            assert!(
                html.contains(&format!(r#"<html lang="{}""#, locale.lang_tag())),
                "{accept}: {html}"
            );
            for key in ["form.email_label", "form.number_label", "form.submit"] {
                assert!(html.contains(&t(locale, key)), "{accept} {path}: {key}");
            }
            assert_ne!(t(locale, "form.submit"), t(Locale::En, "form.submit"));
        }
    }
    // Each is offered by its own name, on a plain link.
    let html = page(&app, "/track/alpha", "").await;
    for (code, name) in [
        ("fr", "Français"),
        ("es", "Español"),
        ("it", "Italiano"),
        ("nl", "Nederlands"),
        ("pt", "Português"),
        ("da", "Dansk"),
        ("pl", "Polski"),
        ("ja", "日本語"),
    ] {
        assert!(html.contains(&format!(r#"href="/track/alpha?locale={code}""#)) && html.contains(name));
    }
}

/// A plain form post's answer to `#1001` at `alpha` asked in `locale`, checked
/// for its language, its words for the order and its status, its `money` and
/// `date`, and nothing internal: its text.
async fn answered_in(app: &TestApp, locale: Locale, money: &str, date: &str) -> String {
    let code = locale.code();
    let res = app
        .client
        .post(app.url(&format!("/track/alpha?locale={code}")))
        .form(&[("email", "ada@example.com"), ("order_number", "1001")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let raw = res.text().await.unwrap();
    assert_no_internal_data(&raw);
    let html = unescaped(&raw);
    assert!(
        html.contains(&format!(r#"<html lang="{}""#, locale.lang_tag())),
        "{html}"
    );
    let heading = t_args(locale, "order.heading", &[("number", "#1001")]);
    assert!(html.contains(&heading), "{code}: {heading}");
    let status = t(locale, "status.fulfillment.partially_fulfilled.name");
    assert!(html.contains(&status), "{code}: {status}");
    assert!(html.contains(money), "{code}: {money}");
    assert!(html.contains(date), "{code}: {date}");
    // The form on the answer keeps the language for the next lookup.
    assert!(html.contains(&format!(r#"name="locale" value="{code}""#)));
    html
}

#[tokio::test]
async fn a_plain_form_post_says_money_and_dates_as_the_language_does() {
    let app = ingested().await;
    for (locale, money, date) in [
        (Locale::Fr, "548,00\u{a0}NOK", "2 nov. 2026"),
        (Locale::Es, "548,00\u{a0}NOK", "2 nov 2026"),
        (Locale::It, "548,00\u{a0}NOK", "2 nov 2026"),
        (Locale::Nl, "NOK\u{a0}548,00", "2 nov 2026"),
        (Locale::Pt, "NOK\u{a0}548,00", "2 de nov. de 2026"),
        (Locale::Da, "548,00\u{a0}NOK", "2. nov. 2026"),
        (Locale::Pl, "548,00\u{a0}NOK", "2 lis 2026"),
        (Locale::Ja, "NOK\u{a0}548.00", "2026年11月2日"),
    ] {
        answered_in(&app, locale, money, date).await;
    }
}

#[tokio::test]
async fn a_shop_may_speak_a_new_language_to_browsers_that_ask_for_none_of_its_languages() {
    let app = ingested().await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    let owner = sign_in(&app, OWNER).await;
    let path = "/console/shops/alpha/settings";
    for code in ["es", "ja", "fr"] {
        let res = owner.post(path, &console_form(&[("locale", code)])).await;
        assert_eq!(res.status(), 303, "{code}");
        assert_eq!(settings(&app).await["locale"], code);
        for (path, accept) in [("/track/alpha", ""), ("/embed/alpha", "fi-FI")] {
            let html = page(&app, path, accept).await;
            assert!(html.contains(&format!(r#"<html lang="{code}""#)), "{code} {path}");
        }
    }
    // A language it does not speak is refused, and the shop keeps its own.
    for bad in ["fi", "FR", "es-ES", "fr-CA"] {
        let res = owner.post(path, &console_form(&[("locale", bad)])).await;
        assert_eq!(res.status(), 422, "{bad:?}");
    }
    assert_eq!(settings(&app).await["locale"], "fr");
}

#[tokio::test]
async fn a_spanish_shoppers_link_by_mail_opens_their_orders_in_spanish() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    let mail = mailed_link(&app, &smtp, "es").await;
    let link = format!("{}?locale=es", mail.link_path().expect("a link"));
    assert!(mail.text().contains(&link), "the mail's link keeps its language");
    let html = page(&app, &link, "en").await;
    assert!(html.contains(r#"<html lang="es""#), "{html}");
    assert!(html.contains(&t(Locale::Es, "links.show")), "{html}");
}

/// Traditional Chinese through every way a language is chosen: a shop's
/// default in the console (its code exactly), a plain form post's money and
/// dates, the mail a shopper asks for and the page its link opens.
#[tokio::test]
async fn traditional_chinese_is_a_shops_language_a_pages_and_a_mails() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    account(&app, OWNER, "alpha", Role::Owner).await;
    let owner = sign_in(&app, OWNER).await;
    let path = "/console/shops/alpha/settings";
    for bad in ["zh-TW", "zh-hant", "zh_Hant"] {
        let res = owner.post(path, &console_form(&[("locale", bad)])).await;
        assert_eq!(res.status(), 422, "{bad:?}");
    }
    let res = owner.post(path, &console_form(&[("locale", "zh-Hant")])).await;
    assert_eq!(res.status(), 303);
    assert_eq!(settings(&app).await["locale"], "zh-Hant");
    let html = page(&app, "/embed/alpha", "fi-FI").await;
    assert!(html.contains(r#"<html lang="zh-Hant""#), "{html}");
    // The snippet's link for browsers without JavaScript says it too; a tag is no code.
    let tag = crate::cli::lookout(&app.db.url, &["embed", "snippet", "alpha"]);
    assert!(
        crate::cli::stdout(&tag).contains(r#"lang="zh-Hant" data-lookout-link>查詢訂單</a>"#),
        "{}",
        crate::cli::stdout(&tag)
    );
    let tag = crate::cli::lookout(&app.db.url, &["embed", "snippet", "alpha", "--locale", "zh-TW"]);
    assert!(!tag.status.success(), "{}", crate::cli::stderr(&tag));
    // Back to English, so that what follows is in Traditional Chinese by what it asks.
    let res = owner.post(path, &console_form(&[("locale", "en")])).await;
    assert_eq!(res.status(), 303);

    let html = answered_in(&app, Locale::ZhHant, "NOK\u{a0}548.00", "2026年11月2日").await;
    assert!(html.contains("訂單 #1001") && html.contains("部分出貨"), "{html}");
    assert!(!html.contains("订单"), "no Simplified: {html}");

    let mail = mailed_link(&app, &smtp, "zh-Hant").await;
    let body = mail.decoded();
    assert!(body.contains("查看我的訂單") && !body.contains("订单"), "{body}");
    let link = format!("{}?locale=zh-Hant", mail.link_path().expect("a link"));
    assert!(mail.text().contains(&link), "the mail's link keeps its language");
    let html = page(&app, &link, "zh-CN").await;
    assert!(html.contains(r#"<html lang="zh-Hant""#), "{html}");
    assert!(html.contains(&t(Locale::ZhHant, "links.show")), "{html}");
}
