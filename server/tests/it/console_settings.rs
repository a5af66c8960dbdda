//! Two owners saving the settings page: a page opened before the other's save
//! changes only what was changed on it, and never undoes the other's change.

use crate::common;

use app::store::Role;
use common::console::{account, hidden, sign_in, unescaped};
use common::TestApp;

const SETTINGS: &str = "/console/shops/alpha/settings";

#[tokio::test]
async fn a_settings_page_opened_before_another_owners_save_changes_only_what_was_changed_on_it() {
    let app = TestApp::spawn().await;
    account(&app, "ann@alpha.example", "alpha", Role::Owner).await;
    account(&app, "bo@alpha.example", "alpha", Role::Owner).await;
    let (ann, bo) = (
        sign_in(&app, "ann@alpha.example").await,
        sign_in(&app, "bo@alpha.example").await,
    );
    // Links by email on, to start with.
    let res = app.email_links("alpha", &app.alpha_key, true).await;
    assert!(res.status().is_success());

    // Bo opens the page first and leaves it open.
    let bos_page = bo.page(SETTINGS).await;
    let seen = unescaped(&hidden(&bos_page, "seen").expect("the page says what it showed"));
    assert!(seen.contains("\"email_links\":true"), "{seen}");

    // Ann renames the shop and turns links by email off.
    let ann_seen = unescaped(&hidden(&ann.page(SETTINGS).await, "seen").unwrap());
    let form = [
        ("name", "Alpha Outfitters"),
        ("locale", "en"),
        ("accent", ""),
        ("allowed_origins", ""),
        ("seen", &ann_seen),
    ];
    assert_eq!(ann.post(SETTINGS, &form).await.status(), 303);

    // Bo's old page sends everything it showed, with a new accent colour.
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    let name_before = "alpha store";
    assert_ne!(shop.name, name_before);
    let form = [
        ("name", name_before),
        ("locale", "en"),
        ("accent", "#0a7c59"),
        ("allowed_origins", ""),
        ("email_links", "on"),
        ("seen", &seen),
    ];
    assert_eq!(bo.post(SETTINGS, &form).await.status(), 303);
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    assert_eq!(shop.name, "Alpha Outfitters", "Ann's name stays");
    assert!(!shop.email_links, "links by email stay off");
    assert_eq!(shop.accent.as_deref(), Some("#0a7c59"), "Bo's change is made");

    // What Bo changed on the page is saved even if Ann changed it too: the last
    // save of a field wins.
    let form = [
        ("name", "Bo's Alpha"),
        ("locale", "en"),
        ("accent", "#0a7c59"),
        ("allowed_origins", ""),
        ("seen", &seen),
    ];
    assert_eq!(bo.post(SETTINGS, &form).await.status(), 303);
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    assert_eq!(shop.name, "Bo's Alpha");
    assert!(!shop.email_links);

    // A form without what its page showed (or with junk for it) sets every field.
    for seen in [None, Some("not json"), Some("{\"name\":\"\"}")] {
        let mut form = vec![
            ("name", "Alpha"),
            ("locale", "en"),
            ("accent", ""),
            ("allowed_origins", ""),
            ("email_links", "on"),
        ];
        form.extend(seen.map(|s| ("seen", s)));
        assert_eq!(bo.post(SETTINGS, &form).await.status(), 303, "{seen:?}");
        let shop = app.store.shop("alpha").await.unwrap().unwrap();
        assert!(shop.email_links && shop.accent.is_none(), "{seen:?}");
        app.exec("UPDATE shops SET email_links = 0, accent = '#123456'").await;
    }
}

/// Until a site may embed the widget, the settings page says so beside the
/// script tag (in the account's language), naming the field to fill; once one
/// is saved, it does not.
#[tokio::test]
async fn the_script_tag_says_when_no_site_may_show_the_widget() {
    let app = TestApp::spawn().await;
    account(&app, "ann@alpha.example", "alpha", Role::Owner).await;
    let ann = sign_in(&app, "ann@alpha.example").await;
    let page = ann.page(SETTINGS).await;
    let said = page
        .find(r#"id="no-sites""#)
        .expect("the page says no site may show the widget");
    let tag = page.find(r#"id="snippet""#).expect("the script tag");
    assert!(said < tag, "said beside the tag, before it");
    assert!(
        page.contains("No site may show the widget yet: until your shop's address (such as https://shop.example) is under “Sites that may embed the widget” above"),
        "{page}"
    );
    common::allow_origins(&app.store, "alpha", &["https://alpha.example"]).await;
    let page = ann.page(SETTINGS).await;
    assert!(!page.contains(r#"id="no-sites""#), "{page}");
    assert!(page.contains(r#"id="snippet""#));
}
