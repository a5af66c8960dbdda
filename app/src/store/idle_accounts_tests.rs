//! Idle accounts: forgotten only when they have no password, no role, no link
//! still to use and no invitation made or mailed in the last day or still to send; an
//! account added to a team while it is being forgotten stays on the team.

use super::*;
use crate::store::team_fixtures::{add_staff, remove};
use crate::store::tests::{open_every_connection, shop, store};
use crate::store::TeamChange;

const DAYS_AGO: i64 = IDLE_ACCOUNT_KEPT_DAYS + 1;

/// Sets a time column of one row to `days` ago.
async fn backdate(store: &Store, table: &str, column: &str, id_column: &str, id: i64, days: i64) {
    sqlx::query(&format!("UPDATE {table} SET {column} = $1 WHERE {id_column} = $2"))
        .bind(time_in(-chrono::Duration::days(days)))
        .bind(id)
        .execute(&store.pool)
        .await
        .unwrap();
}

/// An account made `DAYS_AGO` days ago and taken off the team since.
async fn removed_long_ago(store: &Store, email: &str, shop_id: i64) -> i64 {
    let id = add_staff(store, email, shop_id).await;
    remove(store, email, shop_id).await;
    backdate(store, "users", "created_at", "id", id, DAYS_AGO).await;
    id
}

/// An account invited by `owner`, taken off the team since, and made
/// `DAYS_AGO` days ago (its invitation stays as made: today, not sent).
async fn invited_and_removed(store: &Store, owner: i64, email: &str, shop_id: i64) -> i64 {
    let (_, id) = store
        .invite_member(owner, shop_id, email, Role::Staff, "en")
        .await
        .unwrap()
        .expect("invited");
    remove(store, email, shop_id).await;
    backdate(store, "users", "created_at", "id", id, DAYS_AGO).await;
    id
}

async fn link(store: &Store, user_id: i64, hours: i64) -> String {
    let hash = format!("{user_id:064}");
    let expires = time_in(chrono::Duration::hours(hours));
    store.insert_password_link(user_id, &hash, &expires).await.unwrap();
    hash
}

async fn kept(store: &Store, email: &str) -> bool {
    store.account(email).await.unwrap().is_some()
}

#[tokio::test]
async fn only_accounts_nobody_can_use_are_forgotten() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add_staff(&store, "owner@a.example", shop.id).await;
    store
        .change_member(None, shop.id, "owner@a.example", TeamChange::Role(Role::Owner))
        .await
        .unwrap()
        .unwrap();

    let idle = removed_long_ago(&store, "idle@a.example", shop.id).await;
    link(&store, idle, -1).await; // ended an hour ago
    add_staff(&store, "fresh@a.example", shop.id).await;
    remove(&store, "fresh@a.example", shop.id).await;
    let member = add_staff(&store, "member@a.example", shop.id).await;
    backdate(&store, "users", "created_at", "id", member, DAYS_AGO).await;
    let with_password = removed_long_ago(&store, "password@a.example", shop.id).await;
    let hash = link(&store, with_password, 1).await;
    assert!(store.set_password(&hash, "hash").await.unwrap().is_some());
    let with_link = removed_long_ago(&store, "link@a.example", shop.id).await;
    link(&store, with_link, 1).await;

    // Invited today, then removed: the day's bound for the address still counts it.
    let invited = invited_and_removed(&store, owner, "invited@a.example", shop.id).await;
    // Invited long ago, its mail not sent yet.
    let waiting = invited_and_removed(&store, owner, "waiting@a.example", shop.id).await;
    backdate(&store, "invitations", "created_at", "user_id", waiting, DAYS_AGO).await;
    sqlx::query("UPDATE invitations SET done_at = $1, outcome = 'sent', email = '' WHERE user_id = $2")
        .bind(time_in(chrono::Duration::zero()))
        .bind(invited)
        .execute(&store.pool)
        .await
        .unwrap();

    // Invited two days ago, its mail sent, removed since: forgotten with its invitation.
    let old = invited_and_removed(&store, owner, "old@a.example", shop.id).await;
    backdate(&store, "invitations", "created_at", "user_id", old, DAYS_AGO).await;
    sqlx::query("UPDATE invitations SET done_at = created_at, outcome = 'sent', email = '' WHERE user_id = $1")
        .bind(old)
        .execute(&store.pool)
        .await
        .unwrap();

    // Invited two days ago, its mail held back for the address's day bound
    // and sent an hour ago: that bound still counts it.
    let held = invited_and_removed(&store, owner, "held@a.example", shop.id).await;
    backdate(&store, "invitations", "created_at", "user_id", held, DAYS_AGO).await;
    sqlx::query("UPDATE invitations SET done_at = $1, mailed_at = $1, outcome = 'sent', email = '' WHERE user_id = $2")
        .bind(time_in(-chrono::Duration::hours(1)))
        .bind(held)
        .execute(&store.pool)
        .await
        .unwrap();

    assert_eq!(store.prune_idle_accounts().await.unwrap(), 2);
    assert!(!kept(&store, "idle@a.example").await, "forgotten");
    assert!(!kept(&store, "old@a.example").await, "forgotten");
    let invitations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitations WHERE user_id = $1")
        .bind(old)
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(invitations, 0, "its invitations go with it");
    for email in [
        "owner@a.example",
        "fresh@a.example",
        "member@a.example",
        "password@a.example",
        "link@a.example",
        "invited@a.example",
        "waiting@a.example",
        "held@a.example",
    ] {
        assert!(kept(&store, email).await, "{email} kept");
    }
    assert_eq!(store.prune_idle_accounts().await.unwrap(), 0, "nothing more");

    // Its address may be added again: a new account.
    let again = add_staff(&store, "idle@a.example", shop.id).await;
    assert_ne!(again, idle);
    let members = store.members(shop.id).await.unwrap();
    assert!(members.iter().any(|m| m.email == "idle@a.example"));
}

/// An account being forgotten while an owner adds it to the team: whichever
/// comes first, the account ends on the team (never a role deleted with an
/// account forgotten a moment later).
#[tokio::test]
async fn an_account_added_while_it_is_forgotten_stays_on_the_team() {
    let (_dir, store) = store().await;
    open_every_connection(&store).await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let mut made_anew = 0;
    for round in 0..30 {
        let email = format!("round{round}@a.example");
        let first = removed_long_ago(&store, &email, shop.id).await;
        let (pruned, added) = tokio::join!(store.prune_idle_accounts(), async {
            // Started a little later from round to round, so that each
            // side comes first in some.
            tokio::time::sleep(std::time::Duration::from_micros(round % 10 * 300)).await;
            store.add_member(&email, shop.id, Role::Staff).await
        });
        pruned.unwrap();
        let id = added.unwrap().expect("room in the team");
        made_anew += usize::from(id != first);
        let account = store.account(&email).await.unwrap().expect("the account");
        assert_eq!(account.id, id, "round {round}");
        let members = store.members(shop.id).await.unwrap();
        assert!(members.iter().any(|m| m.email == email), "round {round}: on the team");
        // Out of the next rounds' way.
        assert_eq!(store.delete_account(id).await.unwrap(), Ok(()));
    }
    eprintln!("forgotten, then made anew, in {made_anew} of 30 rounds; the rest kept");
}

#[tokio::test]
async fn a_forgotten_account_s_address_leaves_the_shops_changes() {
    let (_dir, store) = store().await;
    let other = store.create_shop(&shop("b")).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    removed_long_ago(&store, "idle@a.example", shop.id).await;
    removed_long_ago(&store, "idle@a.example", other.id).await;
    add_staff(&store, "member@a.example", shop.id).await;
    let subjects = |shop_id| {
        let store = store.clone();
        async move {
            let (changes, _) = store.changes(shop_id, 1).await.unwrap();
            changes.into_iter().map(|c| (c.what, c.subject)).collect::<Vec<_>>()
        }
    };
    let idle = Some("idle@a.example".to_string());
    assert_eq!(
        subjects(other.id).await,
        [(What::Removed, idle.clone()), (What::Added, idle.clone())]
    );
    assert_eq!(store.prune_idle_accounts().await.unwrap(), 1);
    let member = Some("member@a.example".to_string());
    assert_eq!(
        subjects(shop.id).await,
        [(What::Added, member), (What::Removed, None), (What::Added, None)],
        "the changes stay, without the address"
    );
    assert_eq!(subjects(other.id).await, [(What::Removed, None), (What::Added, None)]);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shop_changes WHERE subject = $1")
        .bind("idle@a.example")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}
