//! What the console's boxes for copying are called, and how the deliveries
//! list shows a topic Lookout does not read: in words, in the page's
//! language, never cut from a paragraph nor as a bare code word.

use crate::common;

use app::store::Role;
use common::console::{account, sign_in};
use common::shopify::{deliver_raw, sign, ORDER, SECRET};
use common::TestApp;

/// The `data-label` of the copy box `id` on `page` (the name its button takes).
fn copy_label<'a>(page: &'a str, id: &str) -> &'a str {
    let at = page
        .find(&format!(" id=\"{id}\""))
        .unwrap_or_else(|| panic!("a box {id}: {page}"));
    let start = page[..at].rfind('<').expect("its tag");
    let tag = &page[start..at + page[at..].find('>').expect("the tag ends")];
    assert!(
        tag.starts_with("<pre ") && tag.contains("class=\"copy\""),
        "a copy box: {tag}"
    );
    let label = tag
        .split("data-label=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("{id} is named: {tag}"));
    &label[..label.find('"').expect("the label ends")]
}

#[tokio::test]
async fn every_copy_box_names_what_its_button_copies() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;

    let settings = owner.page("/console/shops/alpha/settings").await;
    assert_eq!(copy_label(&settings, "snippet"), "Copy the script tag");
    let shopify = owner.page("/console/shops/alpha/shopify").await;
    assert_eq!(copy_label(&shopify, "webhook-url"), "Copy the webhook address");
    // A server that sends no mail shows the command that adds a member.
    let team = owner.page("/console/shops/alpha/team").await;
    assert_eq!(copy_label(&team, "add-member"), "Copy the command");

    let once = owner.once("/console/shops/alpha/keys").await;
    let made = owner.post("/console/shops/alpha/keys", &[("once", &once)]).await;
    assert_eq!(made.status(), 200);
    assert_eq!(
        copy_label(&made.text().await.unwrap(), "new-key"),
        "Copy the new API key"
    );

    let once = owner.once("/console/shops/alpha/shopify").await;
    let made = owner
        .post("/console/shops/alpha/shopify/rotate", &[("once", &once)])
        .await;
    assert_eq!(made.status(), 200);
    assert_eq!(
        copy_label(&made.text().await.unwrap(), "new-secret"),
        "Copy the new signing secret"
    );
}

#[tokio::test]
async fn a_topic_lookout_does_not_read_is_listed_in_words() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let (status, _) = deliver_raw(
        &app,
        "alpha",
        "products/update",
        "d-other",
        ORDER.as_bytes(),
        &sign(SECRET, ORDER.as_bytes()),
    )
    .await;
    assert_eq!(status, 200);

    let page = owner.page("/console/shops/alpha/shopify").await;
    assert!(page.contains("<td><span>Another topic</span></td>"), "{page}");
    assert!(page.contains("A topic Lookout does not use"), "{page}");
    assert!(!page.contains("<code>other</code>"), "{page}");
    assert!(!page.contains("products/update"), "never the topic as sent: {page}");
}
