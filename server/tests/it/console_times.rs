//! Times in the console: every one a page shows is a date and a time in UTC
//! in the page's language, in a `<time>` the console's script shows in the
//! browser's own time zone (tested in Chromium, end to end).

use crate::common;

use app::store::Role;
use common::console::{account, sign_in};
use common::shopify::deliver;
use common::TestApp;

/// Each `<time>` of a page: its `datetime` and its text.
fn times(html: &str) -> Vec<(String, String)> {
    html.split("<time datetime=\"")
        .skip(1)
        .map(|rest| {
            let (at, rest) = rest.split_once("\">").expect("a time's attribute");
            let (text, _) = rest.split_once("</time>").expect("a time's end");
            (at.to_string(), text.to_string())
        })
        .collect()
}

/// Every time the console shows (a key made and used, a signed delivery, a
/// browser signed in, a change, an order looked up) is a date and a time in
/// UTC in the page's language, in a `<time>` the script can show in the
/// browser's own time zone; none is shown as stored.
#[tokio::test]
async fn times_read_as_date_and_time_in_utc_in_the_pages_language() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let browser = sign_in(&app, "owner@alpha.example").await;
    let once = browser.once("/console/shops/alpha/keys").await;
    assert_eq!(
        browser
            .post("/console/shops/alpha/keys", &[("once", &once)])
            .await
            .status(),
        200
    );
    let order: serde_json::Value = serde_json::from_str(common::shopify::ORDER).unwrap();
    assert_eq!(deliver(&app, "alpha", "orders/create", "d-1", &order).await.0, 200);
    let settings = [
        ("name", "Alpha Shop"),
        ("locale", "en"),
        ("accent", ""),
        ("allowed_origins", ""),
    ];
    browser.post("/console/shops/alpha/settings", &settings).await;
    let number = order["name"].as_str().unwrap().to_string();
    browser
        .post("/console/shops/alpha/orders", &[("number", &number)])
        .await;

    let pages = [
        ("/console/shops/alpha/keys", 1),
        ("/console/shops/alpha/shopify", 1),
        ("/console/account", 2),
        ("/console/shops/alpha/changes", 1),
        ("/console/shops/alpha/audit", 1),
    ];
    for (language, month) in [("en", "%b"), ("de", "%b.")] {
        assert_eq!(
            browser
                .post("/console/account/language", &[("language", language)])
                .await
                .status(),
            303
        );
        for (path, at_least) in pages {
            let page = browser.page(path).await;
            let shown = times(&page);
            assert!(shown.len() >= at_least, "{path}: {shown:?}");
            for (at, text) in shown {
                let parsed = chrono::DateTime::parse_from_rfc3339(&at).expect("a stored time");
                let expected = match language {
                    "en" => parsed.format(&format!("%-d {month} %Y %H:%M UTC")).to_string(),
                    _ => {
                        parsed.format("%-d. ").to_string()
                            + &german_month(&parsed)
                            + &parsed.format(" %Y %H:%M UTC").to_string()
                    }
                };
                assert_eq!(text, expected, "{path}");
            }
            for (i, _) in page.match_indices(">20") {
                let shown = page.get(i + 1..i + 12).unwrap_or_default();
                assert!(!shown.ends_with('T'), "{path}: a time shown as stored: {shown}");
            }
        }
    }
}

fn german_month(at: &chrono::DateTime<chrono::FixedOffset>) -> String {
    use chrono::Datelike;
    let months = [
        "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez.",
    ];
    months[at.month0() as usize].to_string()
}
