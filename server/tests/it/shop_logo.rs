//! A shop's logo (`logo_url`): set and removed through the API, the console
//! and the command line; shown at the top of the tracking page and an emailed
//! link's orders in place of the shop's name (which is its text), not inside
//! the widget's frame; anything but an https:// address refused, changing
//! nothing.

use crate::common;

use app::store::Role;
use common::console::{account, sign_in};
use common::links::{ask, order, orders_by_mail, WAIT};
use common::settings::{patch, refused_changing_nothing, saved_in_console, settings, ConsoleSave};
use common::smtp::SmtpServer;
use common::{lookout_ok, TestApp, TestDb};
use serde_json::{json, Value};

const LOGO: &str = "https://cdn.alpha.example/logo.svg?v=2&amp;x=1";

async fn page(app: &TestApp, path: &str) -> String {
    let res = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

/// The logo's `<img>` tag, if the page has one.
fn logo_tag(html: &str) -> Option<&str> {
    html.match_indices("<img ")
        .filter_map(|(start, _)| Some(&html[start..start + html[start..].find('>')? + 1]))
        .find(|tag| tag.contains(r#"class="shop-logo""#))
}

#[tokio::test]
async fn a_logo_set_through_the_api_stands_for_the_shops_name_on_its_pages() {
    let app = TestApp::spawn().await;
    assert_eq!(settings(&app).await["logo_url"], Value::Null, "none at first");
    let html = page(&app, "/track/alpha").await;
    assert!(logo_tag(&html).is_none() && html.contains(r#"<p class="shop-name">alpha store</p>"#));

    let res = patch(
        &app,
        json!({"logo_url": " HTTPS://cdn.alpha.example/logo.svg?v=2&x=1 "}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["logo_url"], "https://cdn.alpha.example/logo.svg?v=2&x=1");
    assert_eq!(body["email_links"], true, "the other settings as they were");
    let html = page(&app, "/track/alpha").await;
    let tag = logo_tag(&html).expect("the logo");
    // Its text is the shop's name; its host is told nothing of the page.
    for part in [
        format!(r#"src="{LOGO}""#),
        r#"alt="alpha store""#.to_string(),
        r#"referrerpolicy="no-referrer""#.to_string(),
        r#"height="48""#.to_string(),
    ] {
        assert!(tag.contains(&part), "{part}: {tag}");
    }
    // The page's policy lets the browser load it.
    let res = app.client.get(app.url("/track/alpha")).send().await.unwrap();
    let policy = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("img-src 'self' https:"), "{policy}");
    // Not in the widget's frame: the page around it is the shop's own.
    assert!(logo_tag(&page(&app, "/embed/alpha").await).is_none());

    for removed in [Value::Null, json!("")] {
        patch(&app, json!({"logo_url": "https://cdn.alpha.example/logo.svg"})).await;
        assert_eq!(patch(&app, json!({"logo_url": removed})).await.status(), 200);
        assert_eq!(settings(&app).await["logo_url"], Value::Null);
        assert!(logo_tag(&page(&app, "/track/alpha").await).is_none());
    }
}

#[tokio::test]
async fn anything_but_an_https_address_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    patch(&app, json!({"logo_url": "https://cdn.alpha.example/logo.svg"})).await;
    let long = format!("https://cdn.alpha.example/{}", "a".repeat(2048));
    let bad = [
        json!("http://cdn.alpha.example/logo.svg"),
        json!("javascript:alert(1)"),
        json!("data:image/svg+xml,<svg onload=alert(1)>"),
        json!("//cdn.alpha.example/logo.svg"),
        json!("https://user:secret@cdn.alpha.example/logo.svg"),
        json!("https://cdn.alpha.example/\"onerror=\"alert(1)"),
        json!("https://cdn.alpha.example/a b.svg"),
        json!("https://bücher.example/logo.svg"),
        json!("https://127.0.0.1/logo.svg"),
        json!("https://0x7f.1/logo.svg"),
        json!(long),
        json!(1),
        json!(["https://cdn.alpha.example/logo.svg"]),
    ];
    refused_changing_nothing(
        &app,
        "logo_url",
        &bad,
        "https:// address",
        "https://cdn.alpha.example/logo.svg",
    )
    .await;
    // The document says what the server takes.
    let doc = app.openapi().await;
    let schemas = &doc["components"]["schemas"];
    let required = schemas["ShopSettings"]["required"].as_array().expect("required");
    assert!(required.iter().any(|r| r == "logo_url"), "{required:?}");
    assert_eq!(schemas["SettingsPatch"]["properties"]["logo_url"]["maxLength"], 2048);
}

#[tokio::test]
async fn an_owner_sets_it_in_the_console_and_an_emailed_links_orders_show_it() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let save = ConsoleSave {
        field: "logo_url",
        refused: "http://cdn.alpha.example/logo.svg",
        refusal: "The logo must be the https:// address of an image",
        saved: "https://cdn.alpha.example/l.png",
        kept: "https://cdn.alpha.example/l.png",
        listed: "logo",
    };
    let page = saved_in_console(&app, &owner, save).await;
    // No field cuts what is pasted into it (a cut address would be saved as
    // another): the server refuses what is too long, saying so.
    assert!(!page.contains("maxlength"), "{page}");

    order(&app, "#5001", "ada@example.com", 1).await;
    assert_eq!(ask(&app, "ada@example.com").await.status(), 303);
    let mails = smtp.wait_for(1, WAIT).await;
    let html = orders_by_mail(&app, &mails[0]).await;
    assert!(html.contains("#5001"), "{html}");
    let tag = logo_tag(&html).expect("the logo above the orders");
    assert!(tag.contains(r#"src="https://cdn.alpha.example/l.png""#) && tag.contains(r#"alt="alpha store""#));
}

#[test]
fn the_command_line_sets_and_removes_it() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["shop", "create", "nordlys", "--name", "Nordlys"]);
    let out = lookout_ok(
        &db.url,
        &[
            "shop",
            "update",
            "nordlys",
            "--logo-url",
            "https://cdn.nordlys.example/logo.svg",
        ],
    );
    assert!(out.contains("logo: https://cdn.nordlys.example/logo.svg"), "{out}");
    let refused = common::lookout_command(&db.url)
        .args([
            "shop",
            "update",
            "nordlys",
            "--logo-url",
            "http://cdn.nordlys.example/logo.svg",
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--logo-url"));
    let out = lookout_ok(&db.url, &["shop", "update", "nordlys", "--logo-url", ""]);
    assert!(out.contains("logo: (none: the shop's name)"), "{out}");
}

/// `lookout shop show` prints what `shop update` prints, changing nothing.
#[test]
fn the_command_line_shows_a_shops_settings() {
    let db = TestDb::new();
    lookout_ok(
        &db.url,
        &["shop", "create", "nordlys", "--name", "Nordlys", "--locale", "nb"],
    );
    let set = [
        "--time-zone",
        "Europe/Oslo",
        "--logo-url",
        "https://cdn.nordlys.example/logo.svg",
        "--contact-email",
        "help@nordlys.example",
    ];
    let updated = lookout_ok(&db.url, &[&["shop", "update", "nordlys"][..], &set].concat());
    let shown = lookout_ok(&db.url, &["shop", "show", "nordlys"]);
    assert!(shown.starts_with("Shop \"nordlys\" (Nordlys).\n"), "{shown}");
    let settings = |out: &str| out.lines().skip(1).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(settings(&shown), settings(&updated));
    for line in [
        "  locale: nb",
        "  time zone: Europe/Oslo",
        "  logo: https://cdn.nordlys.example/logo.svg",
        "  contact address: help@nordlys.example",
        "  order links by email: on",
    ] {
        assert!(shown.lines().any(|l| l == line), "{line}: {shown}");
    }
    let unknown = common::lookout_command(&db.url)
        .args(["shop", "show", "nobody"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no shop with the slug \"nobody\""));
}
