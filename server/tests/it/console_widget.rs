//! The console's account of what the widget did: lookups counted per day
//! without storing who or what, and the abuse panel naming what ran out of
//! allowance, partly masked.

use super::console_pages::owner;
use crate::common;

use common::console::hidden;
use common::{TestApp, EXAMPLE};

#[tokio::test]
async fn lookups_are_counted_per_day_without_storing_who_or_what() {
    let app = TestApp::spawn().await;
    let browser = owner(&app).await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    for _ in 0..3 {
        assert_eq!(app.lookup("alpha", "ada@example.com", "1001").await.status(), 200);
    }
    assert_eq!(app.track_fn("alpha", "ada@example.com", "#1001").await.status(), 200);
    for n in 0..2 {
        assert_eq!(
            app.lookup("alpha", "ada@example.com", &format!("77{n}")).await.status(),
            404
        );
    }
    // Lookups of a shop that does not exist count nowhere.
    app.lookup("no-such-shop", "ada@example.com", "1001").await;
    app.store.flush_tally().await.unwrap();
    let page = browser.page("/console/shops/alpha").await;
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let row = &page[page
        .find(&format!("<th scope=\"row\"><time datetime=\"{today}\">"))
        .expect("today's row")..];
    let cells: Vec<&str> = row[..row.find("</tr>").unwrap()]
        .split("<td>")
        .skip(1)
        .map(|c| c.split('<').next().unwrap())
        .collect();
    // found, not found, rate-limited, distinct orders, found share
    assert_eq!(cells, ["4", "2", "0", "1", "67%"], "{row}");
    assert!(
        page.contains("<svg class=\"chart\""),
        "the chart is drawn on the server"
    );
    // A second flush adds; nothing stored names the shopper or the order.
    app.lookup("alpha", "ada@example.com", "1001").await;
    app.store.flush_tally().await.unwrap();
    let alpha = app.store.shop("alpha").await.unwrap().unwrap();
    let days = app.store.shop_days(alpha.id, 30).await.unwrap();
    let today_row = days.last().unwrap();
    assert_eq!((today_row.found, today_row.distinct_orders), (5, 1));
    // What is stored of the orders is a sketch of keyed hashes: no number in it.
    let pool = app.sql().await;
    let sketch: String = sqlx::query_scalar("SELECT sketch FROM shop_days")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sketch.len(), 2 * 4096);
    let registers_set = sketch.as_bytes().chunks(2).filter(|r| *r != b"00").count();
    assert_eq!(registers_set, 1, "one order, one register");
    assert!(hidden(&page, "csrf").is_some());
}

#[tokio::test]
async fn the_abuse_panel_names_what_ran_out_of_allowance_partly_masked() {
    let app = TestApp::spawn_with(app::limits::LimitSettings {
        per_client: 100,
        per_order: 2,
        per_email: 3,
        ..app::limits::LimitSettings::default()
    })
    .await;
    let browser = owner(&app).await;
    assert!(browser
        .page("/console/shops/alpha")
        .await
        .contains("Nothing was blocked"));
    let mut statuses = Vec::new();
    for number in ["555", "555", "555", "556", "557"] {
        statuses.push(
            app.lookup("alpha", "Mallory@Example.com", number)
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [404, 404, 429, 404, 429]);
    app.store.flush_tally().await.unwrap();
    let alpha = app.store.shop("alpha").await.unwrap().unwrap();
    let refusals = app.store.refusals(alpha.id).await.unwrap();
    let rows: Vec<(&str, &str, i64)> = refusals
        .iter()
        .map(|r| (r.kind.as_str(), r.subject.as_str(), r.attempts))
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.contains(&("order", "555", 1)), "{rows:?}");
    assert!(rows.contains(&("email", "m•••@example.com", 1)), "{rows:?}");
    let page = browser.page("/console/shops/alpha").await;
    assert!(page.contains("<code>m•••@example.com</code>") && page.contains("<code>555</code>"));
    assert!(!page.contains("mallory"), "the address is never shown whole");
    // Counts are written as the page's language writes numbers.
    app.exec("UPDATE refusals SET attempts = 1092").await;
    let page = browser.page("/console/shops/alpha").await;
    assert!(page.contains("<td>1,092</td>"), "{page}");
    // The daily counts agree: three misses, two refused.
    let today = app.store.shop_days(alpha.id, 1).await.unwrap();
    assert_eq!((today[0].missed, today[0].limited), (3, 2));
}
