//! A shop's team: at most [`MEMBERS`] accounts, always an owner, also when
//! owners race to demote each other, and nothing changed by an owner demoted
//! a moment before.

use super::*;
use crate::store::team_fixtures::add;
use crate::store::tests::{shop, store};
use crate::store::NewShop;

async fn owners(store: &Store, shop_id: i64) -> Vec<String> {
    let members = store.members(shop_id).await.unwrap();
    members
        .into_iter()
        .filter(|m| m.role == Role::Owner)
        .map(|m| m.email)
        .collect()
}

#[tokio::test]
async fn a_team_is_listed_capped_and_keeps_an_owner() {
    let (_dir, store) = store().await;
    let other = store.create_shop(&shop("b")).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    for email in ["b@a.example", "ab@a.example", "a_b@a.example", "a.c@a.example"] {
        add(&store, email, shop.id, Role::Staff).await;
    }
    add(&store, "stranger@b.example", other.id, Role::Owner).await;
    let listed = store.members(shop.id).await.unwrap();
    let emails: Vec<&str> = listed.iter().map(|m| m.email.as_str()).collect();
    assert_eq!(
        emails,
        [
            "owner@a.example",
            "a.c@a.example",
            "a_b@a.example",
            "ab@a.example",
            "b@a.example"
        ],
        "owners first, then byte by byte (not by a collation that skips punctuation), no other shop's"
    );
    assert!(listed.iter().all(|m| !m.opened), "nobody opened the shop yet");

    // Another shop's account, and an unknown one, are no member; nothing changes.
    for email in ["stranger@b.example", "nobody@a.example"] {
        let change = store
            .change_member(Some(owner), shop.id, email, TeamChange::Remove)
            .await
            .unwrap();
        assert_eq!(change, Err(TeamRefusal::NoSuchMember), "{email}");
    }
    assert_eq!(owners(&store, other.id).await, ["stranger@b.example"]);

    // An owner does not change their own role; the operator may, but the last
    // owner stays one, and is not deleted.
    for change in [TeamChange::Role(Role::Staff), TeamChange::Remove] {
        let own = store
            .change_member(Some(owner), shop.id, "owner@a.example", change)
            .await
            .unwrap();
        assert_eq!(own, Err(TeamRefusal::Own));
        let last = store
            .change_member(None, shop.id, "owner@a.example", change)
            .await
            .unwrap();
        assert_eq!(last, Err(TeamRefusal::LastOwner));
    }
    let again = store.add_member("owner@a.example", shop.id, Role::Staff).await.unwrap();
    assert_eq!(again, Err(TeamRefusal::LastOwner));
    let deleted = store.delete_account(owner).await.unwrap();
    assert_eq!(deleted, Err(vec!["a".to_string()]));
    assert_eq!(owners(&store, shop.id).await, ["owner@a.example"]);

    // At most MEMBERS accounts; one already there may still change role.
    for i in 5..MEMBERS {
        add(&store, &format!("m{i:03}@a.example"), shop.id, Role::Staff).await;
    }
    let full = store.add_member("late@a.example", shop.id, Role::Staff).await.unwrap();
    assert_eq!(full, Err(TeamRefusal::Full));
    assert!(
        store.account("late@a.example").await.unwrap().is_none(),
        "nothing is made"
    );
    assert_eq!(store.members(shop.id).await.unwrap().len(), MEMBERS as usize);
    add(&store, "b@a.example", shop.id, Role::Owner).await;
    assert_eq!(owners(&store, shop.id).await, ["b@a.example", "owner@a.example"]);
    // Another shop has its own room.
    add(&store, "late@a.example", other.id, Role::Staff).await;
}

#[tokio::test]
async fn an_owner_demoted_a_moment_before_changes_nothing() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let a = add(&store, "a@a.example", shop.id, Role::Owner).await;
    let b = add(&store, "b@a.example", shop.id, Role::Owner).await;
    add(&store, "c@a.example", shop.id, Role::Staff).await;
    let change = store
        .change_member(Some(a), shop.id, "b@a.example", TeamChange::Role(Role::Staff))
        .await
        .unwrap();
    assert_eq!(change.map(|c| c.changed), Ok(true));
    // The role it has already: allowed, and nothing changes.
    let again = store
        .change_member(Some(a), shop.id, "b@a.example", TeamChange::Role(Role::Staff))
        .await
        .unwrap();
    assert_eq!(again.map(|c| c.changed), Ok(false));
    for change in [TeamChange::Remove, TeamChange::Role(Role::Owner)] {
        let refused = store
            .change_member(Some(b), shop.id, "c@a.example", change)
            .await
            .unwrap();
        assert_eq!(refused, Err(TeamRefusal::NotOwner));
    }
    let c = store.members(shop.id).await.unwrap();
    assert!(c.iter().any(|m| m.email == "c@a.example" && m.role == Role::Staff));
    // Taken away: it is no member, and can change nothing either.
    assert_eq!(
        store
            .change_member(Some(a), shop.id, "b@a.example", TeamChange::Remove)
            .await
            .unwrap(),
        Ok(TeamChanged {
            user_id: b,
            changed: true
        })
    );
    let refused = store
        .change_member(Some(b), shop.id, "a@a.example", TeamChange::Remove)
        .await
        .unwrap();
    assert_eq!(refused, Err(TeamRefusal::NotOwner));
    assert_eq!(owners(&store, shop.id).await, ["a@a.example"]);
}

/// Two owners demoting each other at once: each checks that the shop keeps an
/// owner, in a transaction that holds the shop, so one of them stays owner.
#[tokio::test]
async fn owners_racing_to_demote_each_other_leave_one_owner() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let a = add(&store, "a@a.example", shop.id, Role::Owner).await;
    let b = add(&store, "b@a.example", shop.id, Role::Owner).await;
    assert!(
        crate::store::tests::open_every_connection(&store).await >= 2,
        "at least two changes at once"
    );
    for round in 0..10 {
        let mut tries = tokio::task::JoinSet::new();
        for i in 0..40 {
            let store = store.clone();
            let (by, other) = if i % 2 == 0 {
                (a, "b@a.example")
            } else {
                (b, "a@a.example")
            };
            let change = if round % 2 == 0 {
                TeamChange::Role(Role::Staff)
            } else {
                TeamChange::Remove
            };
            tries.spawn(async move { store.change_member(Some(by), shop.id, other, change).await.unwrap() });
        }
        let answers = tries.join_all().await;
        assert_eq!(owners(&store, shop.id).await.len(), 1, "round {round}: {answers:?}");
        assert!(answers.iter().any(|a| a.is_ok()), "round {round}");
        assert!(
            answers
                .iter()
                .all(|a| matches!(a, Ok(_) | Err(TeamRefusal::NotOwner | TeamRefusal::NoSuchMember))),
            "{answers:?}"
        );
        add(&store, "a@a.example", shop.id, Role::Owner).await;
        add(&store, "b@a.example", shop.id, Role::Owner).await;
    }
}

/// Deleting one owner's account while the other owner is taken out of the shop
/// (both by the operator, at once): one of them stays owner.
#[tokio::test]
async fn deleting_an_owner_while_another_is_removed_leaves_one_owner() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    for round in 0..20 {
        let a = add(&store, "a@a.example", shop.id, Role::Owner).await;
        add(&store, "b@a.example", shop.id, Role::Owner).await;
        let (deleted, removed) = tokio::join!(
            store.delete_account(a),
            store.change_member(None, shop.id, "b@a.example", TeamChange::Remove)
        );
        let (deleted, removed) = (deleted.unwrap(), removed.unwrap());
        assert!(
            deleted.is_ok() != removed.is_ok(),
            "round {round}: {deleted:?} {removed:?}"
        );
        assert_eq!(owners(&store, shop.id).await.len(), 1, "round {round}");
    }
}

/// The team page's "has opened the shop": set by opening that shop only (not
/// by signing in, nor by another shop), and written once.
#[tokio::test]
async fn opening_a_shop_is_recorded_once_and_for_that_shop_alone() {
    let (_dir, store) = store().await;
    let a = store.create_shop(&shop("a")).await.unwrap();
    let b = store.create_shop(&shop("b")).await.unwrap();
    let user = add(&store, "both@x.example", a.id, Role::Staff).await;
    add(&store, "both@x.example", b.id, Role::Staff).await;
    let opened = |shop_id: i64| {
        let store = store.clone();
        async move {
            let at: Option<String> =
                sqlx::query_scalar("SELECT opened_at FROM memberships WHERE user_id = $1 AND shop_id = $2")
                    .bind(user)
                    .bind(shop_id)
                    .fetch_one(&store.pool)
                    .await
                    .unwrap();
            at
        }
    };
    let expires = crate::store::time_in(chrono::Duration::hours(1));
    sqlx::query("UPDATE users SET password_hash = 'hash' WHERE id = $1")
        .bind(user)
        .execute(&store.pool)
        .await
        .unwrap();
    let new = crate::store::NewSession {
        id_hash: &"s".repeat(64),
        csrf: "csrf",
        expires_at: &expires,
        browser: "",
    };
    assert!(store
        .create_session(&new, user, "hash", crate::store::SignInWord::UNTOLD)
        .await
        .unwrap());
    assert_eq!(
        (opened(a.id).await, opened(b.id).await),
        (None, None),
        "signing in tells nothing"
    );

    store.mark_opened(user, a.id).await.unwrap();
    let first = opened(a.id).await.expect("recorded");
    assert_eq!(opened(b.id).await, None, "the other shop learns nothing");
    let listed = store.members(a.id).await.unwrap();
    assert!(listed.iter().any(|m| m.email == "both@x.example" && m.opened));
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    store.mark_opened(user, a.id).await.unwrap();
    assert_eq!(opened(a.id).await, Some(first), "written once");
}

/// An account's shops are listed by name the same way on either store,
/// whatever the database's collation: case and marks on letters aside, then
/// as written, then by slug.
#[tokio::test]
async fn an_accounts_shops_are_listed_by_name_in_one_order_on_either_store() {
    let (_dir, store) = store().await;
    let mut account = None;
    for (slug, name) in [
        ("s1", "zeta"),
        ("s2", "Alpha"),
        ("s3", "\u{e9}mile"),
        ("s4", "beta"),
        ("s5", "_under"),
        ("s6", "alpha"),
        ("s7", "Emile"),
        ("s8", "alpha"),
        ("s9", "\u{d8}rsted"),
    ] {
        let shop = store
            .create_shop(&NewShop {
                name: name.into(),
                ..shop(slug)
            })
            .await
            .unwrap();
        account = Some(add(&store, "owner@x.example", shop.id, Role::Owner).await);
    }
    let listed = store.memberships(account.unwrap()).await.unwrap();
    let order: Vec<&str> = listed.iter().map(|m| m.shop.slug.as_str()).collect();
    assert_eq!(order, ["s5", "s2", "s6", "s8", "s4", "s7", "s3", "s9", "s1"]);
}
