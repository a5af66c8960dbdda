//! A shop's changes: each change recorded once, by whoever made it, in the
//! transaction that makes it; refused changes and changes to nothing record
//! nothing; concurrent changes record what they changed; a shop keeps its
//! newest [`CHANGES_KEPT`].

use super::*;
use crate::store::team_fixtures::add;
use crate::store::tests::{open_every_connection, shop, store};
use crate::store::{time_in, AUDIT_KEPT_DAYS};
use crate::store::{KeyRefusal, Role, ShopUpdate, TeamChange, TeamRefusal};

/// The shop's changes, newest first, without their times: (who, what,
/// subject, detail).
async fn listed(store: &Store, shop_id: i64) -> Vec<(Who, What, Option<String>, Option<String>)> {
    let (changes, more) = store.changes(shop_id, 1).await.unwrap();
    assert!(!more);
    changes
        .into_iter()
        .map(|c| (c.by, c.what, c.subject, c.detail))
        .collect()
}

fn account(email: &str) -> Who {
    Who::Account(email.into())
}

fn some(s: &str) -> Option<String> {
    Some(s.into())
}

#[tokio::test]
async fn each_change_is_recorded_once_by_whoever_made_it() {
    let (_dir, store) = store().await;
    let other = store.create_shop(&shop("other")).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    add(&store, "owner@a.example", shop.id, Role::Owner).await; // the role it has
    add(&store, "help@a.example", shop.id, Role::Staff).await;
    let by = By::Account(owner);
    let update = ShopUpdate {
        name: Some("New name".into()),
        accent: Some(Some("#112233".into())),
        locale: Some(shop.locale.clone()), // the same: not a change
        ..ShopUpdate::default()
    };
    assert!(store.update_shop("a", &update, &by).await.unwrap());
    assert!(store.update_shop("a", &update, &by).await.unwrap()); // nothing new
    let links_off = ShopUpdate {
        email_links: Some(false),
        ..ShopUpdate::default()
    };
    assert!(store
        .update_shop("a", &links_off, &By::Key("0123456789abcdef".into()))
        .await
        .unwrap());
    let form = "f".repeat(64);
    let made = store.insert_key(shop.id, "00000000000000a1", "h", "Shopify app", Some(&form), &by);
    assert_eq!(made.await.unwrap(), Ok(()));
    let made = store.insert_key(shop.id, "00000000000000a2", "h", "", None, &By::Operator);
    assert_eq!(made.await.unwrap(), Ok(()));
    assert!(store.revoke_key(shop.id, "00000000000000a1", &by).await.unwrap());
    assert!(!store.revoke_key(shop.id, "00000000000000a1", &by).await.unwrap()); // revoked already
    assert!(store
        .rotate_webhook_secret(shop.id, "s1", &"g".repeat(64), &by)
        .await
        .unwrap());
    assert!(store.set_webhook_secret("a", "s2").await.unwrap());
    let to_owner = TeamChange::Role(Role::Owner);
    let changed = store
        .change_member(Some(owner), shop.id, "help@a.example", to_owner)
        .await
        .unwrap();
    assert!(changed.unwrap().changed);
    let again = store
        .change_member(Some(owner), shop.id, "help@a.example", to_owner)
        .await
        .unwrap();
    assert!(!again.unwrap().changed);
    let removed = store
        .change_member(None, shop.id, "help@a.example", TeamChange::Remove)
        .await
        .unwrap();
    assert!(removed.is_ok());
    let invited = store
        .invite_member(owner, shop.id, "new@a.example", Role::Staff, "en")
        .await
        .unwrap();
    let (_, new) = invited.unwrap();
    assert_eq!(store.delete_account(new).await.unwrap(), Ok(()));

    let operator = || Who::Operator;
    let expected = vec![
        (operator(), What::Deleted, some("new@a.example"), None),
        (
            account("owner@a.example"),
            What::Invited,
            some("new@a.example"),
            some("staff"),
        ),
        (operator(), What::Removed, some("help@a.example"), None),
        (
            account("owner@a.example"),
            What::Role,
            some("help@a.example"),
            some("owner"),
        ),
        (operator(), What::SecretMade, None, None),
        (account("owner@a.example"), What::SecretMade, None, None),
        (
            account("owner@a.example"),
            What::KeyRevoked,
            some("00000000000000a1"),
            None,
        ),
        (operator(), What::KeyMade, some("00000000000000a2"), None),
        (
            account("owner@a.example"),
            What::KeyMade,
            some("00000000000000a1"),
            some("Shopify app"),
        ),
        (
            Who::Key("0123456789abcdef".into()),
            What::Settings,
            None,
            some("email_links"),
        ),
        (account("owner@a.example"), What::Settings, None, some("name,accent")),
        (operator(), What::Added, some("help@a.example"), some("staff")),
        (operator(), What::Added, some("owner@a.example"), some("owner")),
    ];
    assert_eq!(listed(&store, shop.id).await, expected);
    assert!(listed(&store, other.id).await.is_empty(), "another shop's changes");
    let (changes, _) = store.changes(shop.id, 1).await.unwrap();
    assert!(changes.iter().all(|c| !c.at.is_empty()));
    // Who made a change is still named once the account is deleted.
    let second = add(&store, "second@a.example", shop.id, Role::Owner).await;
    let by_second = By::Account(second);
    let made = store.insert_key(shop.id, "00000000000000a3", "h", "", None, &by_second);
    assert_eq!(made.await.unwrap(), Ok(()));
    assert_eq!(store.delete_account(second).await.unwrap(), Ok(()));
    let newest = listed(&store, shop.id).await;
    assert_eq!(newest[0], (operator(), What::Deleted, some("second@a.example"), None));
    assert_eq!(
        newest[1],
        (
            account("second@a.example"),
            What::KeyMade,
            some("00000000000000a3"),
            None
        )
    );
}

#[tokio::test]
async fn refused_changes_record_nothing() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    let staff = add(&store, "help@a.example", shop.id, Role::Staff).await;
    let before = listed(&store, shop.id).await;
    assert_eq!(before.len(), 2);

    let by_staff = store
        .change_member(Some(staff), shop.id, "owner@a.example", TeamChange::Remove)
        .await
        .unwrap();
    assert_eq!(by_staff.unwrap_err(), TeamRefusal::NotOwner);
    let own = store
        .change_member(Some(owner), shop.id, "owner@a.example", TeamChange::Remove)
        .await
        .unwrap();
    assert_eq!(own.unwrap_err(), TeamRefusal::Own);
    let last = store
        .change_member(None, shop.id, "owner@a.example", TeamChange::Remove)
        .await;
    assert_eq!(last.unwrap().unwrap_err(), TeamRefusal::LastOwner);
    let nobody = store.change_member(Some(owner), shop.id, "nobody@a.example", TeamChange::Remove);
    assert_eq!(nobody.await.unwrap().unwrap_err(), TeamRefusal::NoSuchMember);
    let invite = store
        .invite_member(staff, shop.id, "x@a.example", Role::Staff, "en")
        .await;
    assert!(invite.unwrap().is_err());
    assert_eq!(store.delete_account(owner).await.unwrap(), Err(vec!["a".to_string()]));
    // A used form makes no key and no secret.
    let form = "f".repeat(64);
    assert_eq!(
        store
            .insert_key(shop.id, "00000000000000b1", "h", "", Some(&form), &By::Account(owner))
            .await
            .unwrap(),
        Ok(())
    );
    let by = By::Account(owner);
    let again = store.insert_key(shop.id, "00000000000000b2", "h", "", Some(&form), &by);
    assert!(matches!(again.await.unwrap(), Err(KeyRefusal::FormUsed(_))));
    assert!(!store
        .rotate_webhook_secret(shop.id, "s", &form, &By::Account(owner))
        .await
        .unwrap());
    // No such key, no such shop.
    assert!(!store
        .revoke_key(shop.id, "00000000000000ff", &By::Operator)
        .await
        .unwrap());
    assert!(!store
        .update_shop("nope", &ShopUpdate::default(), &By::Operator)
        .await
        .unwrap());
    assert!(!store.set_webhook_secret("nope", "s").await.unwrap());
    // The operator setting the secret in force again.
    let (_, secret) = store.webhook_secret("a").await.unwrap().unwrap();
    assert!(store.set_webhook_secret("a", &secret).await.unwrap());
    // An account deleted in the meantime changes nothing.
    let gone = add(&store, "gone@a.example", shop.id, Role::Owner).await;
    assert_eq!(store.delete_account(gone).await.unwrap(), Ok(()));
    let rename = ShopUpdate {
        name: Some("Renamed".into()),
        ..ShopUpdate::default()
    };
    assert!(store.update_shop("a", &rename, &By::Account(gone)).await.is_err());
    assert_eq!(store.shop("a").await.unwrap().unwrap().name, shop.name);

    let after = listed(&store, shop.id).await;
    let whats: Vec<What> = after.iter().map(|c| c.1).collect();
    assert_eq!(
        whats,
        [What::Deleted, What::Added, What::KeyMade, What::Added, What::Added],
        "only the key made, and the account added and deleted"
    );
    assert_eq!(after[3..], before[..]);
}

#[tokio::test]
async fn changes_made_at_once_record_what_each_changed() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    add(&store, "help@a.example", shop.id, Role::Staff).await;
    let made = store.insert_key(shop.id, "00000000000000c1", "h", "", None, &By::Operator);
    assert_eq!(made.await.unwrap(), Ok(()));
    assert!(open_every_connection(&store).await > 1);
    let rename = ShopUpdate {
        name: Some("Same new name".into()),
        ..ShopUpdate::default()
    };
    // Forty of each at once, mixed: the same new name, one key's revoking,
    // one account's promotion.
    let shop_id = shop.id;
    let mut tries = tokio::task::JoinSet::new();
    for n in 0..120 {
        let (store, by) = (store.clone(), By::Account(owner));
        let rename = rename.clone();
        tries.spawn(async move {
            match n % 3 {
                0 => (What::Settings, store.update_shop("a", &rename, &by).await.unwrap()),
                1 => (
                    What::KeyRevoked,
                    store.revoke_key(shop_id, "00000000000000c1", &by).await.unwrap(),
                ),
                _ => {
                    let promote = TeamChange::Role(Role::Owner);
                    let done = store
                        .change_member(Some(owner), shop_id, "help@a.example", promote)
                        .await;
                    (What::Role, done.unwrap().unwrap().changed)
                }
            }
        });
    }
    let done = tries.join_all().await;
    let made = |what| done.iter().filter(|(w, changed)| *w == what && *changed).count();
    // Every save answers true (the shop exists); one revoke and one promotion changed something.
    assert_eq!(
        (made(What::Settings), made(What::KeyRevoked), made(What::Role)),
        (40, 1, 1)
    );
    let whats: Vec<What> = listed(&store, shop.id).await.iter().map(|c| c.1).collect();
    let count = |what| whats.iter().filter(|w| **w == what).count();
    assert_eq!(
        (count(What::Settings), count(What::KeyRevoked), count(What::Role)),
        (1, 1, 1),
        "{whats:?}"
    );
}

#[tokio::test]
async fn a_shop_keeps_its_newest_changes_of_each_maker_and_pages_them() {
    let (_dir, store) = store().await;
    let other = store.create_shop(&shop("other")).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    store.set_webhook_secret("other", "another secret").await.unwrap();
    let owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    let form = "f".repeat(64);
    assert!(store
        .rotate_webhook_secret(shop.id, "s", &form, &By::Account(owner))
        .await
        .unwrap());
    // An API key changing settings in a loop, then a full log of the
    // operator's, written as the store writes them.
    let mut tx = store.pool.begin().await.unwrap();
    for (kind, name) in [("key", Some("0123456789abcdef")), ("operator", None)] {
        for i in 0..CHANGES_KEPT {
            sqlx::query(
                "INSERT INTO shop_changes (shop_id, at, by_kind, by_name, what, subject)
                 VALUES ($1, '2026-01-01T00:00:00Z', $2, $3, 'key_revoked', $4)",
            )
            .bind(shop.id)
            .bind(kind)
            .bind(name)
            .bind(format!("{i:016x}"))
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
    let links_off = ShopUpdate {
        email_links: Some(false),
        ..ShopUpdate::default()
    };
    let by_key = By::Key("0123456789abcdef".into());
    assert!(store.update_shop("a", &links_off, &by_key).await.unwrap());
    for n in 0..3 {
        assert!(store.set_webhook_secret("a", &format!("s{n}")).await.unwrap());
    }
    // Each maker's newest 1,000, and the account's one change.
    let kept = 2 * CHANGES_KEPT + 1;
    let pages = (kept + CHANGES_SHOWN - 1) / CHANGES_SHOWN;
    let mut seen = Vec::new();
    for page in 1..=pages {
        let (changes, more) = store.changes(shop.id, page as u32).await.unwrap();
        assert_eq!(
            changes.len() as i64,
            CHANGES_SHOWN.min(kept - (page - 1) * CHANGES_SHOWN),
            "page {page}"
        );
        assert_eq!(more, page < pages, "page {page}");
        seen.extend(changes);
    }
    assert_eq!(store.changes(shop.id, pages as u32 + 1).await.unwrap(), (vec![], false));
    assert_eq!(seen.len() as i64, kept);
    assert!(seen[..3]
        .iter()
        .all(|c| c.what == What::SecretMade && c.by == Who::Operator));
    assert_eq!(
        (seen[3].what, &seen[3].by),
        (What::Settings, &Who::Key("0123456789abcdef".into()))
    );
    // The account's change stays, the oldest; each maker's oldest were forgotten.
    let last = seen.last().unwrap();
    assert_eq!((last.what, &last.by), (What::SecretMade, &account("owner@a.example")));
    let oldest_of = |who: Who| seen.iter().rev().find(|c| c.by == who).unwrap().subject.clone();
    assert_eq!(
        oldest_of(Who::Operator),
        some("0000000000000003"),
        "3 of the operator's forgotten"
    );
    assert_eq!(oldest_of(Who::Key("0123456789abcdef".into())), some("0000000000000001"));
    assert_eq!(listed(&store, other.id).await.len(), 1, "another shop's log is its own");
}

#[tokio::test]
async fn changes_are_forgotten_after_a_year() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    for secret in ["s1", "s2"] {
        assert!(store.set_webhook_secret("a", secret).await.unwrap());
    }
    let a_year_ago = time_in(-chrono::Duration::days(AUDIT_KEPT_DAYS) - chrono::Duration::seconds(1));
    sqlx::query("UPDATE shop_changes SET at = $1 WHERE id = (SELECT MIN(id) FROM shop_changes)")
        .bind(&a_year_ago)
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(store.prune_shop_changes().await.unwrap(), 1);
    assert_eq!(listed(&store, shop.id).await.len(), 1, "the recent change stays");
    assert_eq!(store.prune_shop_changes().await.unwrap(), 0);
}
