//! Invitations: an account added with its mail queued in one transaction, only
//! by an owner, never past the team's size or the shop's invitations a day,
//! also when many are asked at once.

use super::*;
use crate::store::tests::{open_every_connection, shop, store};
use crate::store::{MailKind, TeamChange};

async fn add(store: &Store, email: &str, shop_id: i64, role: Role) -> i64 {
    store
        .add_member(email, shop_id, role)
        .await
        .unwrap()
        .expect("room in the team")
}

/// Invitations queued for the shop, finished or not.
async fn queued(store: &Store, shop_id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE shop_id = $1 AND kind = 'invite'")
        .bind(shop_id)
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

async fn role(store: &Store, shop_id: i64, email: &str) -> Option<Role> {
    let members = store.members(shop_id).await.unwrap();
    members.into_iter().find(|m| m.email == email).map(|m| m.role)
}

#[tokio::test]
async fn an_invitation_adds_the_account_and_queues_its_mail() {
    let (_dir, store) = store().await;
    let other = store.create_shop(&shop("b")).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    let staff = add(&store, "help@a.example", shop.id, Role::Staff).await;
    let stranger = add(&store, "owner@b.example", other.id, Role::Owner).await;

    let invited = store
        .invite_member(owner, shop.id, "new@a.example", Role::Staff, "de")
        .await
        .unwrap();
    assert_eq!(invited, Ok(Invited::Added));
    assert_eq!(role(&store, shop.id, "new@a.example").await, Some(Role::Staff));
    let mail = store
        .claim_mail(std::time::Duration::from_secs(60))
        .await
        .unwrap()
        .expect("queued");
    assert_eq!(
        (mail.kind, mail.shop_id, mail.email.as_str(), mail.locale.as_str()),
        (MailKind::Invite, shop.id, "new@a.example", "de")
    );
    let invitee = store
        .invitee(shop.id, "new@a.example")
        .await
        .unwrap()
        .expect("on the team");
    assert!(!invitee.password_set);
    assert_eq!(store.invitee(other.id, "new@a.example").await.unwrap(), None);

    // Without a password yet, it goes again, with the role now asked for.
    let again = store
        .invite_member(owner, shop.id, "new@a.example", Role::Owner, "en")
        .await
        .unwrap();
    assert_eq!(again, Ok(Invited::Again));
    assert_eq!(role(&store, shop.id, "new@a.example").await, Some(Role::Owner));
    assert_eq!(queued(&store, shop.id).await, 2);

    // Once the password is set, it is a member like any other: nothing is sent.
    let hash = "f".repeat(64);
    store
        .insert_password_link(
            invitee.user_id,
            &hash,
            &crate::store::time_in(chrono::Duration::hours(1)),
        )
        .await
        .unwrap();
    assert!(store.set_password(&hash, "hash").await.unwrap());
    let refused = store
        .invite_member(owner, shop.id, "new@a.example", Role::Staff, "en")
        .await
        .unwrap();
    assert_eq!(refused, Err(InviteRefusal::AlreadyMember));
    assert_eq!(
        role(&store, shop.id, "new@a.example").await,
        Some(Role::Owner),
        "unchanged"
    );

    // Only an owner of this shop invites.
    for by in [staff, stranger] {
        let refused = store
            .invite_member(by, shop.id, "x@a.example", Role::Owner, "en")
            .await
            .unwrap();
        assert_eq!(refused, Err(InviteRefusal::NotOwner));
    }
    assert!(store.account("x@a.example").await.unwrap().is_none(), "no account made");
    assert_eq!(queued(&store, shop.id).await, 2, "nothing more queued");

    // Removed before its turn: the mail finds no invitee.
    store
        .change_member(Some(owner), shop.id, "help@a.example", TeamChange::Remove)
        .await
        .unwrap()
        .expect("removed");
    assert_eq!(store.invitee(shop.id, "help@a.example").await.unwrap(), None);
}

#[tokio::test]
async fn invitations_stop_at_the_team_size_and_the_day_bound() {
    let (_dir, store) = store().await;
    let full = store.create_shop(&shop("f")).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    for i in 0..INVITES_PER_DAY {
        let invited = store
            .invite_member(owner, shop.id, &format!("n{i}@a.example"), Role::Staff, "en")
            .await
            .unwrap();
        assert_eq!(invited, Ok(Invited::Added), "invitation {i}");
    }
    for email in ["late@a.example", "n0@a.example"] {
        let refused = store
            .invite_member(owner, shop.id, email, Role::Staff, "en")
            .await
            .unwrap();
        assert_eq!(refused, Err(InviteRefusal::TooMany), "{email}");
    }
    assert!(
        store.account("late@a.example").await.unwrap().is_none(),
        "no account made"
    );
    assert_eq!(queued(&store, shop.id).await, INVITES_PER_DAY);

    // A full team refuses before the day's bound is asked.
    let boss = add(&store, "boss@f.example", full.id, Role::Owner).await;
    for i in 1..MEMBERS {
        add(&store, &format!("m{i}@f.example"), full.id, Role::Staff).await;
    }
    let refused = store
        .invite_member(boss, full.id, "one-more@f.example", Role::Staff, "en")
        .await
        .unwrap();
    assert_eq!(refused, Err(InviteRefusal::Full));
    assert_eq!(queued(&store, full.id).await, 0);
}

#[tokio::test]
async fn invitations_asked_at_once_keep_the_day_bound() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    open_every_connection(&store).await;
    let asks = (0..60).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            // Every third one the same address.
            let email = if i % 3 == 0 {
                "same@a.example".to_string()
            } else {
                format!("n{i}@a.example")
            };
            store.invite_member(owner, shop.id, &email, Role::Staff, "en").await
        })
    });
    let mut outcomes = Vec::new();
    for ask in asks.collect::<Vec<_>>() {
        outcomes.push(ask.await.unwrap().unwrap());
    }
    let made = outcomes.iter().filter(|o| o.is_ok()).count();
    let refused = outcomes.iter().filter(|o| **o == Err(InviteRefusal::TooMany)).count();
    assert_eq!((made, refused), (20, 40), "{outcomes:?}");
    assert_eq!(queued(&store, shop.id).await, INVITES_PER_DAY);
    let added = outcomes.iter().filter(|o| **o == Ok(Invited::Added)).count();
    let members = store.members(shop.id).await.unwrap();
    assert_eq!(members.len(), 1 + added, "each added account once");
}
