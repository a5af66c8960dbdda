//! What the widget did, as a file: the overview's link, the file's lines (a
//! year of days, counts kept beyond the overview's 30), who may have it. On
//! SQLite, and on PostgreSQL when `LOOKOUT_TEST_POSTGRES` is set.

use crate::common;

use app::store::Role;
use common::burst::burst;
use common::console::{account, sign_in};
use common::{TestApp, EXAMPLE};

const OWNER: &str = "owner@example.com";
const FILE: &str = "/console/shops/alpha/days.csv";
const HEADER: &str = "day,found,missed,rate_limited,distinct_orders";

fn day_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// Counts stored for a day long gone, as the hourly housekeeping leaves them
/// (the sketch dropped).
async fn stored(app: &TestApp, days_ago: i64, found: i64, missed: i64, limited: i64) {
    let alpha = app.store.shop("alpha").await.unwrap().unwrap();
    sqlx::query("INSERT INTO shop_days (shop_id, day, found, missed, limited) VALUES ($1, $2, $3, $4, $5)")
        .bind(alpha.id)
        .bind(day_ago(days_ago))
        .bind(found)
        .bind(missed)
        .bind(limited)
        .execute(&app.sql().await)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_file_holds_a_year_of_days_the_overview_shows_thirty_of() {
    let app = TestApp::spawn().await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    let owner = sign_in(&app, OWNER).await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    for _ in 0..3 {
        assert_eq!(app.lookup("alpha", "ada@example.com", "1001").await.status(), 200);
    }
    assert_eq!(app.lookup("alpha", "ada@example.com", "770").await.status(), 404);
    app.store.flush_tally().await.unwrap();
    stored(&app, 200, 12, 3, 4).await;
    stored(&app, 364, 1, 0, 0).await;
    stored(&app, 365, 99, 99, 99).await;

    let page = owner.page("/console/shops/alpha").await;
    assert!(page.contains(&format!(r#"href="{FILE}""#)), "{page}");
    assert!(page.contains("Download the last 365 days as a spreadsheet file (CSV)"));

    let res = owner.get(FILE).await;
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert_eq!(h["content-type"], "text/csv; charset=utf-8");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(
        h["content-disposition"],
        r#"attachment; filename="lookout-alpha-lookups.csv""#
    );
    assert_eq!(h["x-frame-options"], "DENY", "the console's headers");
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines.len(), 1 + 365 + 1, "a header, 365 days, the last line's end");
    assert_eq!((lines[0], lines[366]), (HEADER, ""));
    // Oldest first, one line a day, ending today.
    let days: Vec<&str> = lines[1..366].iter().map(|l| &l[..10]).collect();
    assert_eq!(days[0], day_ago(364));
    assert_eq!(days[364], day_ago(0));
    assert!(days.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        lines[365],
        format!("{},3,1,0,1", day_ago(0)),
        "today, as the overview says it"
    );
    assert_eq!(lines[1], format!("{},1,0,0,", day_ago(364)), "distinct orders unknown");
    assert_eq!(lines[1 + 164], format!("{},12,3,4,", day_ago(200)));
    assert_eq!(lines[364], format!("{},0,0,0,0", day_ago(1)), "a day of nothing");
    assert!(!text.contains("99"), "a day older than the year is not in it");
    assert!(!text.contains("ada@") && !text.contains("1001"));

    // A console in a language whose decimal mark is a comma: semicolons, as
    // its spreadsheets read them; the same lines otherwise.
    let german = app
        .client
        .get(app.url(FILE))
        .header("cookie", &owner.cookie)
        .header("accept-language", "de-DE")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(german, text.replace(',', ";"));
}

#[tokio::test]
async fn staff_may_have_it_and_nobody_else() {
    let app = TestApp::spawn().await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    account(&app, "staff@example.com", "alpha", Role::Staff).await;
    account(&app, "beta-owner@example.com", "beta", Role::Owner).await;
    let staff = sign_in(&app, "staff@example.com").await;
    let res = staff.get(FILE).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().starts_with(HEADER));

    // Another shop's owner: as if there were no such shop.
    let other = sign_in(&app, "beta-owner@example.com").await;
    assert_eq!(other.get(FILE).await.status(), 404);
    assert_eq!(other.get("/console/shops/no-such-shop/days.csv").await.status(), 404);
    assert_eq!(other.get("/console/shops/ALPHA/days.csv").await.status(), 404);
    // Signed out: to the sign-in page, no counts.
    let res = app.client.get(app.url(FILE)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(!res.text().await.unwrap().contains(HEADER));
    let res = app
        .client
        .get(app.url(FILE))
        .header("cookie", format!("lookout_console={}", "0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn a_burst_of_downloads_gets_one_file() {
    let app = TestApp::spawn().await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    let owner = sign_in(&app, OWNER).await;
    stored(&app, 10, 5, 1, 0).await;
    let files = burst(
        200,
        |_| {
            let request = app.client.get(app.url(FILE)).header("cookie", &owner.cookie);
            async move {
                let res = request.send().await.unwrap();
                (res.status().as_u16(), res.text().await.unwrap())
            }
        },
        |(status, _)| *status,
    )
    .await;
    assert!(files.iter().all(|(status, _)| *status == 200));
    assert!(files.iter().all(|(_, text)| *text == files[0].1), "one file for all");
    assert!(files[0].1.contains(&format!("{},5,1,0,0", day_ago(10))));
}
