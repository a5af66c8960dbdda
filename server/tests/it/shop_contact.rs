//! A shop's contact address for shoppers (`contact_email`): set and removed
//! through the API, the console and the command line; shown on the tracking
//! page as a mailto link that cannot carry more than the address; the
//! Reply-To of the shop's mails to shoppers; anything but a plain address
//! refused, changing nothing.

use crate::common;

use app::store::Role;
use common::console::{account, sign_in};
use common::links::{ask, order, orders_by_mail, WAIT};
use common::settings::{patch, refused_changing_nothing, saved_in_console, settings, ConsoleSave};
use common::smtp::SmtpServer;
use common::{lookout_ok, TestApp, TestDb};
use serde_json::{json, Value};

async fn contact(app: &TestApp) -> Value {
    settings(app).await["contact_email"].clone()
}

async fn page(app: &TestApp, path: &str) -> String {
    let res = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

#[tokio::test]
async fn a_contact_address_set_through_the_api_is_on_the_page_and_removed_again() {
    let app = TestApp::spawn().await;
    assert_eq!(contact(&app).await, Value::Null, "none at first");
    assert!(!page(&app, "/track/alpha").await.contains("shop-contact"));

    let res = patch(&app, json!({"contact_email": " Help@Alpha.example "})).await;
    assert_eq!(res.status(), 200);
    let settings: Value = res.json().await.unwrap();
    assert_eq!(settings["contact_email"], "Help@Alpha.example", "trimmed, as written");
    assert_eq!(settings["email_links"], true, "the other setting as it was");
    for path in ["/track/alpha", "/embed/alpha", "/track/alpha?locale=de"] {
        let html = page(&app, path).await;
        assert!(
            html.contains(r#"<a href="mailto:Help@Alpha.example">Help@Alpha.example</a>"#),
            "{path}: {html}"
        );
    }
    assert!(page(&app, "/track/alpha")
        .await
        .contains("Questions about an order? Write to alpha store:"));
    assert!(page(&app, "/track/alpha?locale=de")
        .await
        .contains("Schreiben Sie an alpha store:"));

    // An address whose characters would make more of a mailto link: only the address.
    let res = patch(&app, json!({"contact_email": "help?cc=all&subject=x@alpha.example"})).await;
    assert_eq!(res.status(), 200);
    let html = page(&app, "/track/alpha").await;
    assert!(
        html.contains(r#"href="mailto:help%3Fcc%3Dall%26subject%3Dx@alpha.example""#),
        "{html}"
    );

    // Removed with null or "".
    for removed in [Value::Null, json!("")] {
        patch(&app, json!({"contact_email": "help@alpha.example"})).await;
        let res = patch(&app, json!({"contact_email": removed})).await;
        assert_eq!(res.status(), 200);
        assert_eq!(contact(&app).await, Value::Null);
        assert!(!page(&app, "/track/alpha").await.contains("shop-contact"));
    }
}

#[tokio::test]
async fn anything_but_a_plain_address_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    patch(&app, json!({"contact_email": "help@alpha.example"})).await;
    let long = format!("{}@alpha.example", "a".repeat(300));
    let bad = [
        json!("not an address"),
        json!("<help@alpha.example>"),
        json!("help@alpha..example"),
        json!("help@[127.0.0.1]"),
        json!("help@alpha.example, other@beta.example"),
        json!("help@alpha.example\u{202e}"),
        json!(long),
        // Into mail headers as it is: ASCII only, and nothing a mail reader
        // could take for an encoded word.
        json!("åse@bücher.example"),
        json!("=?utf-8?q?evil=40attacker.example?=@alpha.example"),
        json!(42),
        json!(["help@alpha.example"]),
    ];
    refused_changing_nothing(&app, "contact_email", &bad, "email address", "help@alpha.example").await;
    // A domain in another script, in its ASCII form.
    let res = patch(&app, json!({"contact_email": "help@xn--bcher-kva.example"})).await;
    assert_eq!(res.status(), 200);
}

/// The OpenAPI document says what the server does with the setting.
#[tokio::test]
async fn the_document_describes_the_setting_as_it_is() {
    let app = TestApp::spawn().await;
    let doc = app.openapi().await;
    let schemas = &doc["components"]["schemas"];
    let required = schemas["ShopSettings"]["required"].as_array().expect("required");
    for always in ["contact_email", "accent", "email_links"] {
        assert!(required.iter().any(|r| r == always), "{always}: {required:?}");
    }
    let patch = &schemas["SettingsPatch"];
    assert_eq!(patch["minProperties"], 1, "{patch}");
    assert_eq!(patch["properties"]["email_links"]["type"], "boolean", "{patch}");
    assert_eq!(patch["properties"]["contact_email"]["maxLength"], 254, "{patch}");
    // And the server refuses what the document refuses.
    assert_eq!(patch_status(&app, json!({})).await, 422);
    assert_eq!(patch_status(&app, json!({"email_links": null})).await, 422);
}

async fn patch_status(app: &TestApp, body: Value) -> u16 {
    patch(app, body).await.status().as_u16()
}

#[tokio::test]
async fn an_owner_sets_it_in_the_console_and_the_change_is_recorded() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let save = ConsoleSave {
        field: "contact_email",
        refused: "bad address",
        refusal: "The contact address must be one plain email address",
        saved: "help@alpha.example",
        kept: "help@alpha.example",
        listed: "contact address for shoppers",
    };
    saved_in_console(&app, &owner, save).await;
}

#[tokio::test]
async fn a_shoppers_mail_replies_to_the_shop() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    patch(&app, json!({"contact_email": "help@alpha.example"})).await;
    order(&app, "#5001", "ada@example.com", 1).await;
    assert_eq!(ask(&app, "ada@example.com").await.status(), 303);
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails[0].header("reply-to").as_deref(), Some("help@alpha.example"));
    // The orders the link shows say where to write too.
    let html = orders_by_mail(&app, &mails[0]).await;
    assert!(html.contains("#5001"), "{html}");
    assert!(
        html.contains("Questions about an order? Write to alpha store:")
            && html.contains(r#"<a href="mailto:help@alpha.example">help@alpha.example</a>"#),
        "{html}"
    );
}

#[test]
fn the_command_line_sets_and_removes_it() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["shop", "create", "nordlys", "--name", "Nordlys"]);
    let out = lookout_ok(
        &db.url,
        &["shop", "update", "nordlys", "--contact-email", "help@nordlys.example"],
    );
    assert!(out.contains("contact address: help@nordlys.example"), "{out}");
    let refused = common::lookout_command(&db.url)
        .args(["shop", "update", "nordlys", "--contact-email", "nope"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--contact-email"));
    let out = lookout_ok(&db.url, &["shop", "update", "nordlys", "--contact-email", ""]);
    assert!(out.contains("contact address: (none)"), "{out}");
}

/// The demo shop gives one, shown on its page; loading the demo again leaves
/// the address the operator set since.
#[tokio::test]
async fn the_demo_shop_has_one_and_keeps_the_operators() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["demo"]);
    let store = app::store::Store::connect(&db.url).await.unwrap();
    let shop = store.shop("demo").await.unwrap().expect("the demo shop");
    assert_eq!(shop.contact_email.as_deref(), Some(server::demo::DEMO_CONTACT));
    lookout_ok(
        &db.url,
        &["shop", "update", "demo", "--contact-email", "desk@nordlys.example"],
    );
    lookout_ok(&db.url, &["demo"]);
    let shop = store.shop("demo").await.unwrap().expect("the demo shop");
    assert_eq!(shop.contact_email.as_deref(), Some("desk@nordlys.example"));
}
