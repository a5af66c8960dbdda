//! An invitee taken off their only team at the moment their invitation's
//! link is made: the link never outlives the removal, whichever comes first
//! (PostgreSQL: both take the account's row before its links).

use super::team_fixtures::add;
use super::tests::{open_every_connection, shop, store};
use super::*;

#[tokio::test]
async fn a_link_made_as_its_account_is_removed_does_not_outlive_the_removal() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    open_every_connection(&store).await;
    let expires = time_in(chrono::Duration::hours(1));
    for round in 0..30 {
        let email = format!("typo{round}@a.example");
        add(&store, &email, shop.id, Role::Staff).await;
        let hash = format!("{round:064}");
        let invitation = Queued {
            id: 0,
            shop: Some(QueuedShop {
                id: shop.id,
                slug: String::new(),
                name: String::new(),
                email_links: false,
                contact_email: None,
            }),
            email: email.clone(),
            locale: "en".to_string(),
            attempts: 1,
            kind: MailKind::Invite,
        };
        let (link, removed) = tokio::join!(
            store.invitation_link(&invitation, &hash, &expires),
            store.change_member(Some(owner), shop.id, &email, TeamChange::Remove)
        );
        link.expect("invitation_link");
        removed.expect("change_member").expect("removed");
        assert_eq!(store.password_link(&hash).await.unwrap(), None, "round {round}");
    }
}
