//! The console's Shopify page: the events to send, and the signing key Shopify
//! shows, pasted by an owner; deliveries signed with it are taken from then on,
//! ones signed with the key before are refused; a key that cannot be one, a
//! form sent again, staff and other sites change nothing.

use crate::common;

use app::store::Role;
use common::console::{account, post_from_other_sites, sign_in};
use common::shopify::{deliver_raw, sign, ORDER, SECRET};
use common::TestApp;

const PAGE: &str = "/console/shops/alpha/shopify";
const ROTATE: &str = "/console/shops/alpha/shopify/rotate";
/// A key as Shopify's admin shows one: 64 hex digits.
const SHOPIFY_KEY: &str = "3f6c1a2b9d8e7f60514233a4b5c6d7e8f9a0b1c2d3e4f5061728394a5b6c7d8e";

/// A signed `orders/create` delivery's status, signed with `key`.
async fn delivered_with(app: &TestApp, key: &str, id: &str) -> u16 {
    deliver_raw(
        app,
        "alpha",
        "orders/create",
        id,
        ORDER.as_bytes(),
        &sign(key, ORDER.as_bytes()),
    )
    .await
    .0
}

#[tokio::test]
async fn an_owner_pastes_shopifys_signing_key_and_deliveries_signed_with_it_are_taken() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    account(&app, "help@alpha.example", "alpha", Role::Staff).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let help = sign_in(&app, "help@alpha.example").await;

    // The page lists every event Lookout reads, and the form for the key.
    let page = owner.page(PAGE).await;
    for topic in server::shopify::ORDER_TOPICS
        .iter()
        .chain(server::shopify::FULFILLMENT_TOPICS)
        .chain([&server::shopify::REFUND_TOPIC])
    {
        assert!(page.contains(&format!("<li><code>{topic}</code></li>")), "{topic}");
    }
    assert!(page.contains("name=\"key\""), "{page}");
    assert_eq!(delivered_with(&app, SECRET, "d-1").await, 200, "the key stored first");

    // Keys that cannot be one: refused, nothing changed.
    // (Spaces only are no key either: they made a random secret, shown.)
    for junk in [
        "has spaces inside and more",
        &"k".repeat(201),
        "tab\there-and-more-of-it",
        "ключключключключключ",
        "   ",
        "",
        "short-key",
    ] {
        let once = owner.once(PAGE).await;
        let res = owner.post(ROTATE, &[("once", &once), ("key", junk)]).await;
        assert_eq!(res.status(), 422, "{junk:?}");
        let said = res.text().await.unwrap();
        assert!(said.contains("That is not a signing key"), "{said}");
        assert!(!said.contains("id=\"new-secret\""), "{said}");
        assert_eq!(app.store.webhook_secret("alpha").await.unwrap().unwrap().1, SECRET);
    }

    // Pasted (with the spaces a copy brings around it): saved, said, not shown back.
    let once = owner.once(PAGE).await;
    let res = owner
        .post(ROTATE, &[("once", &once), ("key", &format!("  {SHOPIFY_KEY}\n"))])
        .await;
    assert_eq!(res.status(), 200);
    let said = res.text().await.unwrap();
    assert!(said.contains("Shopify's signing key is saved."), "{said}");
    assert!(!said.contains(SHOPIFY_KEY), "never shown back");
    assert_eq!(app.store.webhook_secret("alpha").await.unwrap().unwrap().1, SHOPIFY_KEY);
    assert_eq!(delivered_with(&app, SHOPIFY_KEY, "d-2").await, 200);
    assert_eq!(
        delivered_with(&app, SECRET, "d-3").await,
        401,
        "the key before is refused"
    );
    // The same form again changes nothing, even with another key in it.
    let res = owner
        .post(ROTATE, &[("once", &once), ("key", "another-key-of-16+")])
        .await;
    assert_eq!(res.status(), 409);
    let said = res.text().await.unwrap();
    assert!(
        said.contains("This form was sent already; the key saved then is in force."),
        "{said}"
    );
    assert_eq!(app.store.webhook_secret("alpha").await.unwrap().unwrap().1, SHOPIFY_KEY);

    // Staff, and other sites with the owner's cookie, change nothing.
    let once = owner.once(PAGE).await;
    let res = help
        .post(ROTATE, &[("once", &once), ("key", "staff-key-of-16-chars")])
        .await;
    assert_eq!(res.status(), 403);
    let form = [("once", once.as_str()), ("key", "cross-site-key-of-16")];
    assert_eq!(
        post_from_other_sites(&app, ROTATE, &owner.cookie, &form).await,
        [403, 403]
    );
    assert_eq!(app.store.webhook_secret("alpha").await.unwrap().unwrap().1, SHOPIFY_KEY);
}
