//! A shop's time zone (`time_zone`): set and removed through the API, the
//! console and the command line; the zone the shopper pages say times in as
//! the server makes them (before the island says them in the shopper's own,
//! and without JavaScript), on a plain form post, the island's answer, an
//! emailed link's orders and the support view; anything but a zone's name
//! refused, changing nothing.

use crate::common;
use crate::lookup_island::post;
use crate::page::post_form;

use app::store::Role;
use common::console::{account, sign_in};
use common::links::{ask, order, orders_by_mail, WAIT};
use common::settings::{console_form, patch, refused_changing_nothing, saved_in_console, settings, ConsoleSave};
use common::smtp::SmtpServer;
use common::{lookout_ok, TestApp, TestDb, EXAMPLE};
use serde_json::{json, Value};

async fn ingested() -> TestApp {
    let app = TestApp::spawn().await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    app
}

/// The order as the island asks for it: the lookup's part of the page.
async fn fragment(app: &TestApp) -> String {
    let res = post(app, "/track/alpha", true, "ada@example.com", "#1001").await;
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

/// The carrier's scan of the example (2026-11-03T07:00:00Z), as the page says it.
fn scan(html: &str) -> &str {
    let at = r#"<time datetime="2026-11-03T07:00:00Z" data-local="moment">"#;
    let start = html.find(at).map(|i| i + at.len()).expect("the scan's time");
    let end = html[start..].find("</time>").expect("its end") + start;
    &html[start..end]
}

#[tokio::test]
async fn a_zone_set_through_the_api_is_the_one_the_pages_say_times_in() {
    let app = ingested().await;
    assert_eq!(settings(&app).await["time_zone"], Value::Null, "none at first");
    let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    assert_eq!(scan(&html), "3 Nov 2026 07:00 UTC", "UTC without one, as before");

    let res = patch(&app, json!({"time_zone": " europe/OSLO "})).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["time_zone"], "Europe/Oslo", "kept as the database spells it");
    assert_eq!(body["email_links"], true, "the other settings as they were");
    let (status, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    assert_eq!(status, 200);
    assert_eq!(scan(&html), "3 Nov 2026 08:00 CET");
    assert_eq!(
        scan(&fragment(&app).await),
        "3 Nov 2026 08:00 CET",
        "the island's answer"
    );

    // A day that is the day before there: the scan, the parcel's shipping in
    // the history (a date), and the page's language.
    patch(&app, json!({"time_zone": "America/Los_Angeles"})).await;
    let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    assert_eq!(scan(&html), "2 Nov 2026 23:00 PST");
    assert!(
        html.contains(r#"<time datetime="2026-11-03T07:00:00Z" data-local="date">2 Nov 2026</time>"#),
        "{html}"
    );
    let res = post(&app, "/track/alpha?locale=de", false, "ada@example.com", "#1001").await;
    assert_eq!(scan(&res.text().await.unwrap()), "2. Nov. 2026 23:00 PST");
    // The older page's server function says them the same way.
    let res = app.track_html("alpha", "ada@example.com", "1001", "").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("2 Nov 2026 23:00 PST"));

    // Removed with null or "": UTC again.
    for removed in [Value::Null, json!("")] {
        patch(&app, json!({"time_zone": "Asia/Tokyo"})).await;
        assert_eq!(scan(&fragment(&app).await), "3 Nov 2026 16:00 JST");
        assert_eq!(patch(&app, json!({"time_zone": removed})).await.status(), 200);
        assert_eq!(settings(&app).await["time_zone"], Value::Null);
        assert_eq!(scan(&fragment(&app).await), "3 Nov 2026 07:00 UTC");
    }
}

/// The orders a shopper's emailed link shows (no island there) say their
/// times in the shop's zone too.
#[tokio::test]
async fn an_emailed_links_orders_say_the_shops_time() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    patch(&app, json!({"time_zone": "Europe/Oslo"})).await;
    order(&app, "#5001", "ada@example.com", 1).await;
    assert_eq!(ask(&app, "ada@example.com").await.status(), 303);
    let mails = smtp.wait_for(1, WAIT).await;
    let html = orders_by_mail(&app, &mails[0]).await;
    assert!(html.contains("#5001"), "{html}");
    assert_eq!(scan(&html), "3 Nov 2026 08:00 CET");
}

#[tokio::test]
async fn anything_but_a_zones_name_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    patch(&app, json!({"time_zone": "Europe/Oslo"})).await;
    let bad = [
        json!("Oslo"),
        json!("Europe/Atlantis"),
        json!("CET+1"),
        json!("+01:00"),
        json!("Europe/Oslo\u{202e}"),
        json!("Europe/\u{d6}slo"),
        json!("Europe/Oslo/Extra"),
        json!(format!("Europe/{}", "O".repeat(300))),
        json!(1),
        json!(["Europe/Oslo"]),
        json!({"name": "Europe/Oslo"}),
    ];
    refused_changing_nothing(&app, "time_zone", &bad, "time zone", "Europe/Oslo").await;
    // The older names the database keeps are taken, as it spells them.
    let res = patch(&app, json!({"time_zone": "us/eastern"})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(settings(&app).await["time_zone"], "US/Eastern");
}

/// The OpenAPI document says what the server does with the setting.
#[tokio::test]
async fn the_document_describes_the_setting_as_it_is() {
    let app = TestApp::spawn().await;
    let doc = app.openapi().await;
    let schemas = &doc["components"]["schemas"];
    let required = schemas["ShopSettings"]["required"].as_array().expect("required");
    assert!(required.iter().any(|r| r == "time_zone"), "{required:?}");
    let zone = &schemas["SettingsPatch"]["properties"]["time_zone"];
    assert_eq!(zone["maxLength"], app::zone::MAX_NAME_LEN, "{zone}");
    // The server refuses a name one byte past the document's limit.
    let over = format!("Europe/{}", "x".repeat(app::zone::MAX_NAME_LEN - 6));
    assert_eq!(patch(&app, json!({"time_zone": over})).await.status(), 422);
}

#[tokio::test]
async fn an_owner_sets_it_in_the_console_and_the_change_is_recorded() {
    let app = ingested().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let path = "/console/shops/alpha/settings";
    let page = owner.page(path).await;
    assert!(
        page.contains(r#"<option value="Europe/Oslo"></option>"#),
        "zones offered"
    );
    assert!(!page.contains(r#"<option value="Etc/GMT+5">"#));
    let save = ConsoleSave {
        field: "time_zone",
        refused: "Middle Earth/Shire",
        refusal: "The time zone must be the name of one, such as Europe/Oslo",
        saved: "america/new_york",
        kept: "America/New_York",
        listed: "time zone",
    };
    saved_in_console(&app, &owner, save).await;
    // The support view shows the order as the shopper's page says it.
    let found = owner
        .post("/console/shops/alpha/orders", &[("number", "#1001")])
        .await
        .text()
        .await
        .unwrap();
    assert!(found.contains("3 Nov 2026 02:00 EST"), "{found}");
}

/// A name this build's database does not know (stored by hand, or dropped
/// by a later database): the pages say times in UTC, and the console shows
/// no zone and saves the other settings, keeping it.
#[tokio::test]
async fn a_stored_name_the_database_does_not_know_is_utc_and_blocks_no_save() {
    let app = ingested().await;
    app.exec("UPDATE shops SET time_zone = 'Mars/Olympus_Mons' WHERE slug = 'alpha'")
        .await;
    let (_, html) = post_form(&app, "alpha", "ada@example.com", "#1001").await;
    assert_eq!(scan(&html), "3 Nov 2026 07:00 UTC");
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let path = "/console/shops/alpha/settings";
    let page = owner.page(path).await;
    assert!(!page.contains("Olympus"), "{page}");
    let seen = common::console::unescaped(&common::console::hidden(&page, "seen").expect("the settings shown"));
    let form = console_form(&[("name", "alpha renamed"), ("seen", seen.as_str())]);
    assert_eq!(owner.post(path, &form).await.status(), 303);
    let now = settings(&app).await;
    assert_eq!(now["name"], "alpha renamed");
    assert_eq!(
        now["time_zone"], "Mars/Olympus_Mons",
        "left as it was: the page did not change it"
    );
}

#[test]
fn the_command_line_sets_and_removes_it() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["shop", "create", "nordlys", "--name", "Nordlys"]);
    let out = lookout_ok(&db.url, &["shop", "update", "nordlys", "--time-zone", "Europe/Oslo"]);
    assert!(out.contains("time zone: Europe/Oslo"), "{out}");
    let refused = common::lookout_command(&db.url)
        .args([
            "shop",
            "update",
            "nordlys",
            "--time-zone",
            "Norway",
            "--contact-email",
            "a@b.example",
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("--time-zone") && said.contains("Europe/Oslo"), "{said}");
    let out = lookout_ok(&db.url, &["shop", "update", "nordlys", "--time-zone", ""]);
    assert!(out.contains("time zone: UTC (none set)"), "{out}");
    assert!(
        out.contains("contact address: (none)"),
        "the refused update changed nothing: {out}"
    );
}

/// The demo shop, in Norway, says its times in Oslo's zone.
#[tokio::test]
async fn the_demo_shop_is_in_oslo() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["demo"]);
    let store = app::store::Store::connect(&db.url).await.unwrap();
    let shop = store.shop("demo").await.unwrap().expect("the demo shop");
    assert_eq!(shop.time_zone.as_deref(), Some(server::demo::DEMO_TIME_ZONE));
}
