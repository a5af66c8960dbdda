//! The owners' "Changes" page: every change to the shop's setup made in the
//! console, through the API or on the command line is listed with who made
//! it; staff and other shops cannot read it; refused, cross-site and
//! repeated forms add nothing; a burst records each change once.

use crate::common;

use app::store::Role;
use common::console::{account, post_from_other_sites, sign_in, Browser};
use common::TestApp;

const CHANGES: &str = "/console/shops/alpha/changes";
const SETTINGS: &str = "/console/shops/alpha/settings";
const TEAM: &str = "/console/shops/alpha/team";

fn settings_form(name: &str) -> [(&'static str, String); 4] {
    [
        ("name", name.to_string()),
        ("locale", "en".into()),
        ("accent", String::new()),
        ("allowed_origins", String::new()),
    ]
}

async fn save(browser: &Browser<'_>, name: &str) -> reqwest::Response {
    let form = settings_form(name);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post(SETTINGS, &fields).await
}

/// Where `text` is on the page, failing the test if it is not there.
fn at(page: &str, text: &str) -> usize {
    page.find(text)
        .unwrap_or_else(|| panic!("{text:?} is not on the page:\n{page}"))
}

#[tokio::test]
async fn owners_read_every_change_to_their_shop_and_who_made_it() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    account(&app, "help@alpha.example", "alpha", Role::Staff).await;
    account(&app, "other@beta.example", "beta", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let help = sign_in(&app, "help@alpha.example").await;
    let stranger = sign_in(&app, "other@beta.example").await;
    let shop = app.store.shop("alpha").await.unwrap().unwrap();

    // Settings (the links-by-email box left unticked turns them off).
    assert_eq!(save(&owner, "Alpha Outfitters").await.status(), 303);
    assert_eq!(
        save(&owner, "Alpha Outfitters").await.status(),
        303,
        "saved again: no change"
    );
    // A key named with markup, then revoked; a new signing secret.
    let once = owner.once("/console/shops/alpha/keys").await;
    let made = owner
        .post(
            "/console/shops/alpha/keys",
            &[("once", &once), ("label", "<b>till</b>")],
        )
        .await;
    assert_eq!(made.status(), 200);
    let key = app.store.keys(shop.id).await.unwrap().remove(0);
    assert_eq!(key.label, "<b>till</b>");
    let res = owner
        .post("/console/shops/alpha/keys/revoke", &[("prefix", &key.prefix)])
        .await;
    assert_eq!(res.status(), 303);
    let once = owner.once("/console/shops/alpha/shopify").await;
    let rotated = owner
        .post("/console/shops/alpha/shopify/rotate", &[("once", &once)])
        .await;
    assert_eq!(rotated.status(), 200);
    let (_, secret) = app.store.webhook_secret("alpha").await.unwrap().unwrap();
    // Through the API, with the shop's key.
    let res = app.email_links("alpha", &app.alpha_key, true).await;
    assert_eq!(res.status(), 200);
    let api_prefix = app.alpha_key.split('_').nth(1).unwrap().to_string();
    // Staff cannot read the page, nor is it in their navigation; another shop's owner gets 404.
    assert_eq!(help.get(CHANGES).await.status(), 403);
    assert!(!help.page("/console/shops/alpha").await.contains(CHANGES));
    assert_eq!(stranger.get(CHANGES).await.status(), 404);
    // The team: a role given, and taken away.
    let team = |email: &'static str, action: &'static str, role: &'static str| {
        let owner = &owner;
        async move {
            let form = [("email", email), ("action", action), ("role", role), ("confirm", "yes")];
            owner.post(TEAM, &form).await.status()
        }
    };
    assert_eq!(team("help@alpha.example", "role", "owner").await, 303);
    assert_eq!(team("help@alpha.example", "remove", "").await, 303);

    let page = owner.page(CHANGES).await;
    assert!(
        owner.page("/console/shops/alpha").await.contains(CHANGES),
        "in the owner's navigation"
    );
    let newest_first = [
        "Took away the role of help@alpha.example",
        "Changed the role of help@alpha.example to owner",
        &format!("API key {api_prefix}"),
        "Changed the settings: links to orders by email",
        "Changed the Shopify signing key",
        &format!("Revoked API key {}", key.prefix),
        &format!("Made API key {} (&lt;b&gt;till&lt;/b&gt;)", key.prefix),
        "Changed the settings: shop name, links to orders by email",
        "Added help@alpha.example as staff",
        "Added owner@alpha.example as owner",
        &format!("Made API key {api_prefix} (tests)"),
    ];
    let places: Vec<usize> = newest_first.iter().map(|text| at(&page, text)).collect();
    assert!(places.windows(2).all(|w| w[0] < w[1]), "{newest_first:?} at {places:?}");
    assert_eq!(
        page.matches("Changed the settings").count(),
        2,
        "the second save changed nothing"
    );
    assert_eq!(page.matches("owner@alpha.example</td>").count(), 6, "by the owner");
    assert!(!page.contains("<b>till</b>"), "a key's name is text, not markup");
    assert!(!page.contains(&secret), "no secret on the page");
    assert!(!page.contains(&app.alpha_key), "no key on the page");
    // Another shop's page lists its own changes only.
    let beta = stranger.page("/console/shops/beta/changes").await;
    assert!(beta.contains("Added other@beta.example as owner"));
    assert!(!beta.contains("alpha.example") && !beta.contains(&key.prefix));

    // Pages: only numbers from 1.
    for junk in ["?page=0", "?page=x", "?page=1&page=2", "?page=100001", "?page=-1"] {
        let res = owner.get(&format!("{CHANGES}{junk}")).await;
        assert_eq!(res.status(), 404, "{junk}");
        assert!(res.text().await.unwrap().contains("There is no such page of changes."));
    }
    let older = owner.page(&format!("{CHANGES}?page=2")).await;
    assert!(older.contains("There are no older changes."));
    assert!(!older.contains("help@alpha.example"));
}

#[tokio::test]
async fn refused_and_cross_site_forms_record_nothing() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    account(&app, "help@alpha.example", "alpha", Role::Staff).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let help = sign_in(&app, "help@alpha.example").await;
    let before = app.count("SELECT COUNT(*) FROM shop_changes").await;
    let csrf = owner.csrf().await;
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "Evil"),
        ("locale", "en"),
        ("accent", ""),
        ("allowed_origins", ""),
    ];
    assert_eq!(
        post_from_other_sites(&app, SETTINGS, &owner.cookie, &form).await,
        [403, 403]
    );
    let res = owner.post_with(SETTINGS, &"0".repeat(64), &form[1..]).await;
    assert_eq!(res.status(), 403, "without the session's token");
    assert_eq!(help.post(SETTINGS, &form[1..]).await.status(), 403, "staff");
    assert_eq!(save(&owner, "").await.status(), 422, "a bad name");
    let res = owner
        .post("/console/shops/alpha/keys/revoke", &[("prefix", "ffffffffffffffff")])
        .await;
    assert_eq!(res.status(), 404, "no such key");
    let own = [
        ("email", "owner@alpha.example"),
        ("action", "remove"),
        ("confirm", "yes"),
    ];
    assert_eq!(owner.post(TEAM, &own).await.status(), 409, "one's own role");
    assert_eq!(app.count("SELECT COUNT(*) FROM shop_changes").await, before);
    assert_eq!(app.store.shop("alpha").await.unwrap().unwrap().name, "alpha store");
}

#[tokio::test]
async fn a_burst_of_the_same_forms_records_each_change_once() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    let prefix = app.store.keys(shop.id).await.unwrap().remove(0).prefix;
    let csrf = owner.csrf().await;
    let form = settings_form("Burst");
    let saves: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let revoke = [("prefix", prefix.as_str())];
    let answers = futures::future::join_all((0..200).map(|n| {
        let (owner, csrf, saves) = (&owner, &csrf, &saves);
        async move {
            let res = if n % 2 == 0 {
                owner.post_with(SETTINGS, csrf, saves).await
            } else {
                owner.post_with("/console/shops/alpha/keys/revoke", csrf, &revoke).await
            };
            res.status().as_u16()
        }
    }))
    .await;
    // 303 for a save or a revoke (one after the first finds the key revoked,
    // as asked), 429 past the account's console forms (100 per 15 minutes).
    assert!(answers.iter().all(|s| [303, 429].contains(s)), "{answers:?}");
    assert!(answers.contains(&303) && answers.contains(&429), "{answers:?}");
    for what in ["settings", "key_revoked"] {
        let sql = format!("SELECT COUNT(*) FROM shop_changes WHERE what = '{what}'");
        assert_eq!(app.count(&sql).await, 1, "{what}");
    }
    let changes = app.store.changes(shop.id, 1).await.unwrap().0;
    assert_eq!(changes[0].by, app::store::Who::Account("owner@alpha.example".into()));
    // The operator's command line is recorded too.
    assert!(app.store.set_webhook_secret("alpha", "new").await.unwrap());
    let by: Vec<_> = app
        .store
        .changes(shop.id, 1)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|c| c.by)
        .collect();
    assert_eq!(by[0], app::store::Who::Operator);
    let page = owner.page(CHANGES).await;
    assert!(page.contains("operator</td>"), "{page}");
}

#[tokio::test]
async fn a_key_revoked_in_the_console_is_refused_from_the_next_request_on() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    // Used, so verified and remembered for a minute.
    assert_eq!(app.email_links("alpha", &app.alpha_key, true).await.status(), 200);
    assert_eq!(app.email_links("alpha", &app.alpha_key, true).await.status(), 200);
    let prefix = app.alpha_key.split('_').nth(1).unwrap().to_string();
    let res = owner
        .post("/console/shops/alpha/keys/revoke", &[("prefix", &prefix)])
        .await;
    assert_eq!(res.status(), 303);
    let res = app.email_links("alpha", &app.alpha_key, false).await;
    assert_eq!(res.status(), 401, "the revoked key still worked");
    assert!(
        app.store.shop("alpha").await.unwrap().unwrap().email_links,
        "nothing changed"
    );
}
