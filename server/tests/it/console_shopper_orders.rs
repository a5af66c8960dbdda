//! The support view's search by a shopper's email address: the shop's orders
//! with it (as a lookup reads the address), newest first, each opened by its
//! button; every order listed is in the audit log as listed; what is not an
//! address, an address without orders, another shop's member and another
//! site's form list and record nothing; a burst records each listing once.

use crate::common;

use app::store::Role;
use common::console::{account, post_from_other_sites, sign_in};
use common::{order_of, TestApp};

const BY_EMAIL: &str = "/console/shops/alpha/orders/by-email";
const ORDERS: &str = "/console/shops/alpha/orders";
const AUDIT: &str = "/console/shops/alpha/audit";

async fn put(app: &TestApp, number: &str, email: &str, days_ago: i64) {
    let order = order_of(number, email, days_ago);
    let res = app.put("alpha", number, &app.alpha_key, order.to_string()).await;
    assert_eq!(res.status(), 201, "{number}");
}

async fn listed(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM support_views WHERE kind = 'listed'")
        .await
}

/// The order numbers a page lists, in its order.
fn numbers(page: &str) -> Vec<String> {
    page.split(r#"<input type="hidden" name="number" value=""#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn staff_find_a_shoppers_orders_by_email_and_open_one() {
    let app = TestApp::spawn().await;
    put(&app, "#2001", "ada@example.com", 30).await;
    put(&app, "#2002", "Ada@Example.com", 2).await;
    put(&app, "#2003", "ada@example.com", 400).await;
    put(&app, "#3001", "bob@example.com", 1).await;
    account(&app, "help@alpha.example", "alpha", Role::Staff).await;
    let help = sign_in(&app, "help@alpha.example").await;

    let form = help.page(ORDERS).await;
    assert!(form.contains(&format!(r#"action="{BY_EMAIL}""#)), "{form}");
    // Typed with other capitals, spaces and a full-width letter, as a lookup reads it.
    let res = help.post(BY_EMAIL, &[("email", " \u{ff41}da@EXAMPLE.com ")]).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    // Newest first, the one of more than a year ago too; nobody else's.
    assert_eq!(numbers(&page), ["#2002", "#2001", "#2003"], "{page}");
    assert!(page.contains("Orders with this email address: 3"), "{page}");
    assert!(page.contains(r#"aria-label="Open order #2002""#), "{page}");
    // A line of each: its number, date and where it stands; nothing internal.
    assert!(page.contains("#2003 · "), "{page}");
    common::assert_no_internal_data(&page);
    assert_eq!(listed(&app).await, 3, "each order listed is recorded");

    // Its button is a search by its number.
    let res = help.post(ORDERS, &[("number", "#2001")]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("What the shopper sees"));

    // The owners' audit log says who listed which and who opened which.
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let audit = owner.page(AUDIT).await;
    assert_eq!(audit.matches("listed by email").count(), 3, "{audit}");
    assert_eq!(audit.matches("<td>opened</td>").count(), 1, "{audit}");
    assert!(audit.contains("<code>2002</code>") && audit.contains("help@alpha.example"));
    assert!(!audit.contains("ada@example.com"), "the shopper's address is not kept");
}

#[tokio::test]
async fn what_is_not_an_address_or_has_no_orders_lists_and_records_nothing() {
    let app = TestApp::spawn().await;
    put(&app, "#2001", "ada@example.com", 1).await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    account(&app, "owner@beta.example", "beta", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let long = format!("{}@example.com", "a".repeat(300));
    let (none, whole, at_most) = (
        "Enter the shopper's email address.",
        "Enter a whole email address, such as ada@example.com.",
        "An email address has at most 254 characters.",
    );
    for (bad, saying) in [
        ("", none),
        ("   ", none),
        ("ada", whole),
        ("ada@", whole),
        ("@example.com", whole),
        ("ada@example", whole),
        ("a b@example.com", whole),
        (long.as_str(), at_most),
    ] {
        let res = owner.post(BY_EMAIL, &[("email", bad)]).await;
        assert_eq!(res.status(), 422, "{bad:?}");
        let page = res.text().await.unwrap();
        assert!(page.contains(saying), "{bad:?}: {saying}");
        assert!(!page.contains(&"a".repeat(255)), "not echoed whole");
    }
    let res = owner.post(BY_EMAIL, &[("email", "eve@example.com")]).await;
    assert_eq!(res.status(), 404);
    let page = res.text().await.unwrap();
    assert!(page.contains("This shop has no order with that email address."));
    assert!(
        page.contains(r#"value="eve@example.com""#),
        "shown again to correct: {page}"
    );
    // Another shop's owner finds nothing here, and another site's form is refused.
    let stranger = sign_in(&app, "owner@beta.example").await;
    assert_eq!(
        stranger.post(BY_EMAIL, &[("email", "ada@example.com")]).await.status(),
        404
    );
    let csrf = owner.csrf().await;
    let form = [("csrf", csrf.as_str()), ("email", "ada@example.com")];
    assert_eq!(
        post_from_other_sites(&app, BY_EMAIL, &owner.cookie, &form).await,
        [403, 403]
    );
    assert_eq!(
        owner.post_with(BY_EMAIL, &"0".repeat(64), &form[1..]).await.status(),
        403
    );
    assert_eq!(listed(&app).await, 0);
    // A GET is sent to the search page.
    let res = owner.get(BY_EMAIL).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn more_orders_than_a_page_lists_are_said_to_be_more() {
    let app = TestApp::spawn().await;
    let listed_at_most = app::store::ORDERS_LISTED;
    for i in 0..=listed_at_most {
        put(&app, &format!("#{}", 5000 + i), "many@example.com", i as i64).await;
    }
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let page = owner
        .post(BY_EMAIL, &[("email", "many@example.com")])
        .await
        .text()
        .await
        .unwrap();
    let found = numbers(&page);
    assert_eq!(found.len(), listed_at_most);
    assert_eq!(found[0], "#5000", "the newest first");
    assert!(
        !found.contains(&format!("#{}", 5000 + listed_at_most)),
        "the oldest left out"
    );
    assert!(page.contains("Orders with this email address: the 50 newest"), "{page}");
    assert!(
        page.contains("There are more; find an older one by its number."),
        "{page}"
    );
}

/// More orders of one address than are read at once: the newest placed is
/// listed first even when it was stored first (the rows are read in the
/// order they were placed, not written).
#[tokio::test]
async fn the_newest_is_listed_however_many_older_were_stored_after_it() {
    let app = TestApp::spawn().await;
    let shop = app.store.shop("alpha").await.unwrap().expect("alpha");
    let write = |number: String, days_ago: i64| {
        let order = order_of(&number, "bulk@example.com", days_ago).to_string();
        let valid = app::order::parse_order(order.as_bytes()).expect("a valid order");
        app.store.put_order(shop.id, valid)
    };
    write("#NEWEST".into(), 0).await.unwrap();
    for i in 0..520 {
        write(format!("#OLD-{i}"), 400 + i).await.unwrap();
    }
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let page = owner
        .post(BY_EMAIL, &[("email", "bulk@example.com")])
        .await
        .text()
        .await
        .unwrap();
    let found = numbers(&page);
    assert_eq!(found.first().map(String::as_str), Some("#NEWEST"), "{found:?}");
    assert_eq!(found.get(1).map(String::as_str), Some("#OLD-0"));
    assert_eq!(found.len(), app::store::ORDERS_LISTED);
}

/// An order whose stored time of placing cannot be read (changed by hand) is
/// still listed, last: the address has orders.
#[tokio::test]
async fn an_order_whose_time_cannot_be_read_is_listed_last() {
    let app = TestApp::spawn().await;
    put(&app, "#2001", "ada@example.com", 3).await;
    put(&app, "#2002", "ada@example.com", 1).await;
    put(&app, "#2003", "only@example.com", 1).await;
    app.exec("UPDATE orders SET shopper_view = REPLACE(shopper_view, '\"placed_at\":\"', '\"placed_at\":\"not ') WHERE number_key IN ('2002', '2003')")
        .await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let page = owner
        .post(BY_EMAIL, &[("email", "ada@example.com")])
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(numbers(&page), ["#2001", "#2002"], "{page}");
    let res = owner.post(BY_EMAIL, &[("email", "only@example.com")]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(numbers(&res.text().await.unwrap()), ["#2003"]);
}

/// An address shown again to correct is cut as it is checked, in characters.
#[tokio::test]
async fn an_address_is_shown_again_whole_in_characters() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let wide = format!("{}@example.com", "\u{f8}".repeat(130));
    let res = owner.post(BY_EMAIL, &[("email", wide.as_str())]).await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains(&format!(r#"value="{wide}""#)));
}

#[tokio::test]
async fn a_burst_of_searches_records_each_listing_once() {
    let app = TestApp::spawn().await;
    put(&app, "#2001", "ada@example.com", 1).await;
    put(&app, "#2002", "ada@example.com", 2).await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let csrf = owner.csrf().await;
    let searches = 60;
    let answers = futures::future::join_all(
        (0..searches).map(|_| owner.post_with(BY_EMAIL, &csrf, &[("email", "ada@example.com")])),
    )
    .await;
    let found = answers.iter().filter(|r| r.status() == 200).count();
    assert!(found > 0, "some searches answered");
    assert!(
        answers.iter().all(|r| r.status() == 200 || r.status() == 503),
        "{:?}",
        answers.iter().map(|r| r.status()).collect::<Vec<_>>()
    );
    assert_eq!(
        listed(&app).await,
        2 * found as i64,
        "each search shown is recorded, once"
    );
}
