//! A new shop's first steps on its overview: each ticked by what the shop
//! holds, the panel gone once all are done, shown to owners only.

use crate::common;

use app::store::Role;
use common::console::{account, sign_in, Browser};
use common::{allow_origins, order_of, TestApp};

/// The first steps' panel on `shop`'s overview, if it shows one.
async fn panel(browser: &Browser<'_>, shop: &str) -> Option<String> {
    let page = browser.page(&format!("/console/shops/{shop}")).await;
    assert!(page.contains("What the widget did"), "the overview itself");
    let start = page.find("id=\"first-steps\"")?;
    let end = page[start..].find("</section>").expect("the panel ends") + start;
    Some(page[start..end].to_string())
}

/// Each step's state, in order, as the panel says it.
fn states(panel: &str) -> Vec<&'static str> {
    let mut found: Vec<(usize, &'static str)> = ["(done)", "(to do)"]
        .into_iter()
        .flat_map(|word| panel.match_indices(word).map(move |(at, _)| (at, word)))
        .collect();
    found.sort();
    found.into_iter().map(|(_, word)| word).collect()
}

#[tokio::test]
async fn the_first_steps_tick_themselves_off_from_what_the_shop_holds_and_then_go() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    account(&app, "staff@alpha.example", "alpha", Role::Staff).await;
    account(&app, "owner@beta.example", "beta", Role::Owner).await;
    let (owner, staff, beta) = (
        sign_in(&app, "owner@alpha.example").await,
        sign_in(&app, "staff@alpha.example").await,
        sign_in(&app, "owner@beta.example").await,
    );

    let fresh = panel(&owner, "alpha")
        .await
        .expect("a new shop's owner sees the first steps");
    assert_eq!(states(&fresh), ["(to do)", "(to do)", "(to do)"], "{fresh}");
    for link in [
        "/console/shops/alpha/settings",
        "/console/shops/alpha/shopify",
        "/console/shops/alpha/keys",
    ] {
        assert!(fresh.contains(&format!("href=\"{link}")), "{link} in {fresh}");
    }
    assert_eq!(panel(&staff, "alpha").await, None, "staff cannot do these steps");

    allow_origins(&app.store, "alpha", &["https://alpha.example"]).await;
    let panel_now = panel(&owner, "alpha").await.unwrap();
    assert_eq!(states(&panel_now), ["(done)", "(to do)", "(to do)"]);

    let put = app
        .put(
            "alpha",
            "#1001",
            &app.alpha_key,
            order_of("#1001", "ada@example.com", 1).to_string(),
        )
        .await;
    assert_eq!(put.status(), 201);
    assert_eq!(
        states(&panel(&owner, "alpha").await.unwrap()),
        ["(done)", "(done)", "(to do)"]
    );

    // A stranger's miss says nothing of where the widget is.
    assert_eq!(app.lookup("alpha", "eve@example.com", "#1001").await.status(), 404);
    app.store.flush_tally().await.unwrap();
    assert_eq!(
        states(&panel(&owner, "alpha").await.unwrap()),
        ["(done)", "(done)", "(to do)"]
    );

    // An order found counts once the counts are written (every few seconds; here at once).
    assert_eq!(app.lookup("alpha", "ada@example.com", "#1001").await.status(), 200);
    app.store.flush_tally().await.unwrap();
    assert_eq!(panel(&owner, "alpha").await, None, "every step done: the panel is gone");

    // Another shop's steps are its own.
    let other = panel(&beta, "beta").await.expect("beta has done nothing yet");
    assert_eq!(states(&other), ["(to do)", "(to do)", "(to do)"]);
}
