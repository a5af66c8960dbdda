//! Erasing an order from the support view: owners only, with the box
//! ticked; the order is gone for the shopper and the API, the erasure is on
//! the Changes page with who made it (the console's account or the API's
//! key); refused, cross-site and repeated forms erase nothing and record
//! nothing; a burst from the console and the API erases it once.

use crate::common;

use app::store::Role;
use common::console::{account, hidden, post_from_other_sites, sign_in};
use common::{TestApp, EXAMPLE};

const ORDERS: &str = "/console/shops/alpha/orders";
const ERASE: &str = "/console/shops/alpha/orders/erase";
const CHANGES: &str = "/console/shops/alpha/changes";
const EMAIL: &str = "ada@example.com";

async fn erased_changes(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM shop_changes WHERE what = 'erased'")
        .await
}

/// Which version of the order the support view showed the owner: the erase
/// form's `seen`.
async fn seen(owner: &common::console::Browser<'_>, number: &str) -> String {
    let page = owner.post(ORDERS, &[("number", number)]).await.text().await.unwrap();
    hidden(&page, "seen").expect("the erase form's version")
}

async fn put(app: &TestApp, number: &str) {
    let mut order = common::example();
    order["order_number"] = number.into();
    let res = app.put("alpha", number, &app.alpha_key, order.to_string()).await;
    assert_eq!(res.status(), 201, "{number}");
}

#[tokio::test]
async fn an_owner_erases_an_order_from_the_support_view() {
    let app = TestApp::spawn().await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    account(&app, "help@alpha.example", "alpha", Role::Staff).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let help = sign_in(&app, "help@alpha.example").await;
    assert_eq!(app.lookup("alpha", EMAIL, "1001").await.status(), 200);

    // Staff see the order, not the form; owners see both.
    let res = help.post(ORDERS, &[("number", "#1001")]).await;
    assert_eq!(res.status(), 200);
    let staff_page = res.text().await.unwrap();
    assert!(!staff_page.contains(ERASE), "no erase form for staff");
    assert!(!staff_page.contains("#erase-title"), "nor the way to it");
    let found = owner.post(ORDERS, &[("number", " #1001 ")]).await.text().await.unwrap();
    assert!(found.contains(&format!("action=\"{ERASE}\"")), "{found}");
    // A way to the form before both sides of the order, which may be long.
    let to_form = found.find(r##"<a href="#erase-title">Erase this order</a>"##);
    assert!(
        to_form.is_some_and(|at| at < found.find("merchant-title").unwrap_or(0)),
        "{found}"
    );
    assert!(found.contains("Erase this order") && found.contains("name=\"confirm\""));
    // The button names the order it erases, as the shop stored it.
    assert!(found.contains(">Erase order #1001</button>"), "{found}");
    let bare = owner.post(ORDERS, &[("number", "1001")]).await.text().await.unwrap();
    assert!(bare.contains(">Erase order #1001</button>"), "{bare}");
    // Pasted from a shopper's message as a shopper's lookup reads it: full-width
    // digits, a zero-width space.
    for pasted in ["＃１００１", "1001\u{200B}"] {
        let page = owner.post(ORDERS, &[("number", pasted)]).await.text().await.unwrap();
        assert!(page.contains(">Erase order #1001</button>"), "{pasted:?}: {page}");
    }
    // A control character is in no order number: 422 on either store (PostgreSQL
    // refuses a NUL in a query's text, which answered 503), offered again without it.
    for typed in ["#1001\u{0}", "\u{0}", "10\u{7}01"] {
        let res = owner.post(ORDERS, &[("number", typed)]).await;
        assert_eq!(res.status(), 422, "{typed:?}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains("Enter an order number of at most 64 characters."),
            "{page}"
        );
        assert!(!page.contains(['\u{0}', '\u{7}']), "no control character echoed");
    }
    let seen = seen(&owner, "1001").await;

    // Without the box ticked: 422, nothing erased.
    // Query strings that are not the page's own say nothing.
    for junk in ["?done=x", "?done=erased&done=erased", "?done=%FF"] {
        let res = owner.get(&format!("{ORDERS}{junk}")).await;
        assert_eq!(res.status(), 200, "{junk}");
        assert!(!res.text().await.unwrap().contains("The order was erased."), "{junk}");
    }
    let res = owner.post(ERASE, &[("number", "#1001"), ("seen", &seen)]).await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("The box to confirm was not ticked, so nothing was erased."));
    let res = owner
        .post(ERASE, &[("number", "#1001"), ("seen", &seen), ("confirm", "on")])
        .await;
    assert_eq!(res.status(), 422, "only the form's own value ticks it");
    assert_eq!(app.lookup("alpha", EMAIL, "1001").await.status(), 200);

    // Erased: 303 to the support view, which says so; no number in the URL.
    let res = owner
        .post(ERASE, &[("number", " #1001 "), ("seen", &seen), ("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, "/console/shops/alpha/orders?done=erased");
    assert!(owner.page(&to).await.contains("The order was erased."));
    assert_eq!(
        app.lookup("alpha", EMAIL, "1001").await.status(),
        404,
        "the shopper's lookup"
    );
    assert!(app.merchant_order("alpha", "1001").await.is_null(), "the API's read");
    let rows = app.count("SELECT COUNT(*) FROM orders WHERE number_key = '1001'").await;
    assert_eq!(rows, 0);
    // Again: nothing to erase, 404, nothing more recorded.
    let res = owner
        .post(ERASE, &[("number", "1001"), ("seen", &seen), ("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 404);
    let page = res.text().await.unwrap();
    assert!(page.contains("This shop has no order with that number. Nothing was erased."));
    assert_eq!(erased_changes(&app).await, 1);

    // Through the API: recorded as the key's.
    put(&app, "A-7").await;
    let res = app
        .client
        .delete(app.url("/api/v1/shops/alpha/orders/a-7"))
        .bearer_auth(&app.alpha_key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let prefix = app.alpha_key.split('_').nth(1).unwrap().to_string();
    let changes = owner.page(CHANGES).await;
    let by_key = changes.find("Erased order a-7").expect("the API's erasure listed");
    let by_owner = changes.find("Erased order 1001").expect("the console's erasure listed");
    assert!(by_key < by_owner, "newest first");
    let owners_row = &changes[..by_owner];
    assert!(owners_row[owners_row.rfind("<tr>").unwrap()..].contains("owner@alpha.example"));
    let keys_row = &changes[..by_key];
    assert!(keys_row[keys_row.rfind("<tr>").unwrap()..].contains(&format!("API key {prefix}")));
    let kept = "SELECT COUNT(*) FROM shop_changes WHERE what = 'erased' AND detail IS NULL \
                AND subject IN ('1001', 'a-7')";
    assert_eq!(app.count(kept).await, 2, "the numbers' keys, nothing of the shopper's");
}

#[tokio::test]
async fn refused_erase_forms_erase_nothing_and_record_nothing() {
    let app = TestApp::spawn().await;
    put(&app, "1001").await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    account(&app, "help@alpha.example", "alpha", Role::Staff).await;
    account(&app, "other@beta.example", "beta", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let help = sign_in(&app, "help@alpha.example").await;
    let stranger = sign_in(&app, "other@beta.example").await;
    let seen = seen(&owner, "1001").await;
    let ticked = [("number", "1001"), ("seen", seen.as_str()), ("confirm", "yes")];

    // Staff are refused before the account's allowance of forms is counted:
    // 101 refusals leave it whole (100 per 15 minutes).
    let staff_csrf = help.csrf().await;
    for _ in 0..=100 {
        assert_eq!(help.post_with(ERASE, &staff_csrf, &ticked).await.status(), 403, "staff");
    }
    let res = help.post_with(ORDERS, &staff_csrf, &[("number", "1001")]).await;
    assert_eq!(res.status(), 200, "staff's own forms still work");
    assert_eq!(
        stranger.post(ERASE, &ticked).await.status(),
        404,
        "another shop's owner"
    );
    let res = owner.post_with(ERASE, &"0".repeat(64), &ticked).await;
    assert_eq!(res.status(), 403, "without the session's token");
    let csrf = owner.csrf().await;
    let form = [("csrf", csrf.as_str()), ticked[0], ticked[1], ticked[2]];
    assert_eq!(
        post_from_other_sites(&app, ERASE, &owner.cookie, &form).await,
        [403, 403]
    );
    let long = "9".repeat(65);
    let huge = "9".repeat(4_000);
    for number in [
        "",
        "   ",
        "#",
        " # ",
        long.as_str(),
        huge.as_str(),
        "1001\u{0}",
        "#1001\u{1b}",
    ] {
        let res = owner.post(ERASE, &[("number", number), ticked[1], ticked[2]]).await;
        assert_eq!(res.status(), 422, "{} characters", number.len());
        let page = res.text().await.unwrap();
        assert!(page.contains("Enter an order number of at most 64 characters."));
        assert!(!page.contains(&"9".repeat(65)), "the number is not echoed whole");
        assert!(!page.contains(['\u{0}', '\u{1b}']), "no control character echoed");
    }
    let res = owner
        .post(ERASE, &[("number", &*"9".repeat(100_000)), ticked[1], ticked[2]])
        .await;
    assert_eq!(res.status(), 413, "a form over the console's size");
    let signed_out = app
        .client
        .post(app.url(ERASE))
        .form(&[("csrf", csrf.as_str()), ticked[0], ticked[1], ticked[2]])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 303, "signed out: to sign in");
    assert_eq!(signed_out.headers()["location"], "/console");

    assert_eq!(app.lookup("alpha", EMAIL, "1001").await.status(), 200, "still there");
    assert_eq!(erased_changes(&app).await, 0);
}

/// 100 forms from the console and 100 `DELETE`s through the API at once, for
/// one order: it is erased once and the erasure recorded once.
#[tokio::test]
async fn a_burst_from_the_console_and_the_api_erases_once() {
    let app = TestApp::spawn().await;
    put(&app, "1001").await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let csrf = owner.csrf().await;
    let seen = seen(&owner, "1001").await;
    let ticked = [("number", "#1001"), ("seen", seen.as_str()), ("confirm", "yes")];
    let answers = futures::future::join_all((0..200).map(|n| {
        let (app, owner, csrf) = (&app, &owner, &csrf);
        async move {
            let res = if n % 2 == 0 {
                owner.post_with(ERASE, csrf, &ticked).await
            } else {
                let url = app.url("/api/v1/shops/alpha/orders/1001");
                app.client.delete(url).bearer_auth(&app.alpha_key).send().await.unwrap()
            };
            (n % 2 == 0, res.status().as_u16())
        }
    }))
    .await;
    let done = answers.iter().filter(|(_, s)| [303, 204].contains(s)).count();
    assert_eq!(done, 1, "{answers:?}");
    // The console: 303 once, else 404 or 429 past the account's forms; the API: 204 once, else 404.
    assert!(
        answers.iter().all(|(console, s)| match console {
            true => [303, 404, 429].contains(s),
            false => [204, 404].contains(s),
        }),
        "{answers:?}"
    );
    assert_eq!(erased_changes(&app).await, 1);
    assert_eq!(app.lookup("alpha", EMAIL, "1001").await.status(), 404);
}

/// The form erases the order the page showed, not whatever has its number
/// when it is posted: an order written again since (a platform's update, a
/// re-import) is kept, 409, and nothing is recorded. A form without the
/// version seen, or with one that is not a version, is 422.
#[tokio::test]
async fn an_order_written_since_the_page_showed_it_is_not_erased() {
    let app = TestApp::spawn().await;
    put(&app, "1001").await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let shown = seen(&owner, "1001").await;

    let too_long = format!("{shown}0");
    let upper = shown.to_uppercase();
    for junk in ["", "not a version", too_long.as_str(), upper.as_str(), &"g".repeat(32)] {
        let res = owner
            .post(ERASE, &[("number", "1001"), ("seen", junk), ("confirm", "yes")])
            .await;
        assert_eq!(res.status(), 422, "{junk:?}");
        let page = res.text().await.unwrap();
        assert!(page.contains("Look the order up and check it before you erase it. Nothing was erased."));
    }
    let res = owner.post(ERASE, &[("number", "1001"), ("confirm", "yes")]).await;
    assert_eq!(res.status(), 422, "no version at all");

    // The platform writes the order again while the page is open.
    let mut order = common::example();
    order["order_number"] = "1001".into();
    order["updated_at"] = "2030-01-01T00:00:00Z".into();
    order["note"] = "written again".into();
    let res = app.put("alpha", "1001", &app.alpha_key, order.to_string()).await;
    assert_eq!(res.status(), 200);
    let res = owner
        .post(ERASE, &[("number", "1001"), ("seen", &shown), ("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 409);
    let page = res.text().await.unwrap();
    assert!(page.contains("This order changed after you looked it up, so it was not erased."));
    assert_eq!(app.lookup("alpha", EMAIL, "1001").await.status(), 200, "still there");
    assert_eq!(app.merchant_order("alpha", "1001").await["note"], "written again");
    assert_eq!(erased_changes(&app).await, 0);

    // Looked up again, the page shows the order as it is now, and erases it.
    let now = seen(&owner, "1001").await;
    assert_ne!(now, shown);
    let res = owner
        .post(ERASE, &[("number", "1001"), ("seen", &now), ("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.lookup("alpha", EMAIL, "1001").await.status(), 404);
    assert_eq!(erased_changes(&app).await, 1);
}
