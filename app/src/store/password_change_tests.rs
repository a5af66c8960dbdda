//! Changing a signed-in account's password: only from the hash the caller
//! checked, only from a live session of the account, which a new one
//! replaces; the account's other sessions and its set-password links end;
//! notices wait one at a time per account, a few an hour.

use super::*;
use crate::store::sessions::NewSession;
use crate::store::team_fixtures::add_staff;
use crate::store::tests::{open_every_connection, shop, store};
use crate::store::{MailKind, Outcome, NOTICES_PER_HOUR};

fn hash(n: i64) -> String {
    format!("{n:064}")
}

fn later() -> String {
    time_in(chrono::Duration::hours(1))
}

/// A session row named `id_hash`.
fn session(id_hash: &str) -> NewSession<'_> {
    NewSession {
        id_hash,
        csrf: "csrf",
        expires_at: "9999-01-01T00:00:00Z",
        browser: "",
    }
}

/// The hash of the account's unused set-password link.
fn link(id: i64) -> String {
    hash(id * 10 + 9)
}

/// An account with password hash `old`, two live sessions ("…-a", "…-b")
/// and an unused set-password link ([`link`]).
async fn account(store: &Store, email: &str, old: &str) -> i64 {
    let slug = email.split('@').next().unwrap_or(email);
    let shop = store.create_shop(&shop(slug)).await.unwrap();
    let id = add_staff(store, email, shop.id).await;
    store
        .insert_password_link(id, &hash(id * 10 + 1), &later())
        .await
        .unwrap();
    assert!(store.set_password(&hash(id * 10 + 1), old).await.unwrap().is_some());
    for name in ["a", "b"] {
        let started = store
            .create_session(
                &session(&format!("{email}-{name}")),
                id,
                old,
                crate::store::SignInWord::UNTOLD,
            )
            .await
            .unwrap();
        assert!(started);
    }
    store.insert_password_link(id, &link(id), &later()).await.unwrap();
    id
}

async fn change(store: &Store, id: i64, old: &str, new: &str, asking: &str, next: &str) -> bool {
    store
        .change_password(id, old, new, asking, &session(next), Some("sv"))
        .await
        .unwrap()
}

async fn stored_hash(store: &Store, email: &str) -> Option<String> {
    store.account(email).await.unwrap().and_then(|a| a.password_hash)
}

/// Notices of a changed password not finished yet.
async fn notices_waiting(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM password_notices WHERE done_at IS NULL")
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

async fn alive(store: &Store, id_hash: &str) -> bool {
    store.session(id_hash).await.unwrap().is_some()
}

#[tokio::test]
async fn a_change_ends_every_session_and_the_links_and_starts_one_for_the_asker() {
    let (_dir, store) = store().await;
    let id = account(&store, "owner@example.com", "old").await;
    let other = account(&store, "other@example.com", "old").await;
    let changed = store
        .change_password(id, "old", "new", "owner@example.com-a", &session("fresh"), None)
        .await
        .unwrap();
    assert!(changed);
    assert_eq!(stored_hash(&store, "owner@example.com").await.as_deref(), Some("new"));
    assert!(alive(&store, "fresh").await);
    for ended in ["owner@example.com-a", "owner@example.com-b"] {
        assert!(!alive(&store, ended).await, "{ended}");
    }
    assert_eq!(store.password_link(&link(id)).await.unwrap(), None);
    // Another account is left as it was.
    assert_ne!(id, other);
    assert_eq!(stored_hash(&store, "other@example.com").await.as_deref(), Some("old"));
    assert!(alive(&store, "other@example.com-b").await);
    assert_eq!(notices_waiting(&store).await, 0, "no notice asked for");
}

#[tokio::test]
async fn a_change_from_a_hash_no_longer_stored_or_from_another_session_changes_nothing() {
    let (_dir, store) = store().await;
    let id = account(&store, "owner@example.com", "old").await;
    account(&store, "other@example.com", "old").await;
    // Changed meanwhile: the hash checked is not the one stored.
    assert!(!change(&store, id, "older", "new", "owner@example.com-a", "fresh").await);
    // Another account's session, an ended one, an unknown one.
    store.end_session("owner@example.com-b").await.unwrap();
    for asking in ["other@example.com-a", "owner@example.com-b", "nobody"] {
        assert!(!change(&store, id, "old", "new", asking, "fresh").await, "{asking}");
    }
    assert_eq!(stored_hash(&store, "owner@example.com").await.as_deref(), Some("old"));
    assert!(alive(&store, "owner@example.com-a").await);
    assert!(!alive(&store, "fresh").await);
    assert_eq!(
        store.password_link(&link(id)).await.unwrap().as_deref(),
        Some("owner@example.com")
    );
    assert_eq!(notices_waiting(&store).await, 0, "no notice of a change not made");
}

#[tokio::test]
async fn changes_at_once_from_one_hash_make_one_change() {
    let (_dir, store) = store().await;
    let id = account(&store, "owner@example.com", "old").await;
    open_every_connection(&store).await;
    let mut tries = tokio::task::JoinSet::new();
    for n in 0..40 {
        let store = store.clone();
        tries.spawn(async move {
            let (new, next) = (format!("new-{n}"), format!("fresh-{n}"));
            change(&store, id, "old", &new, "owner@example.com-a", &next)
                .await
                .then_some(n)
        });
    }
    let changed: Vec<i64> = tries.join_all().await.into_iter().flatten().collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(
        stored_hash(&store, "owner@example.com").await,
        Some(format!("new-{}", changed[0]))
    );
    assert!(alive(&store, &format!("fresh-{}", changed[0])).await);
    assert_eq!(notices_waiting(&store).await, 1);
}

#[tokio::test]
async fn a_session_starts_only_for_the_password_the_sign_in_checked() {
    let (_dir, store) = store().await;
    let id = account(&store, "owner@example.com", "old").await;
    assert!(change(&store, id, "old", "new", "owner@example.com-a", "fresh").await);
    // A sign-in that checked the old password before the change ends here.
    assert!(!store
        .create_session(&session("late"), id, "old", crate::store::SignInWord::UNTOLD)
        .await
        .unwrap());
    assert!(!alive(&store, "late").await);
    assert!(store
        .create_session(&session("later"), id, "new", crate::store::SignInWord::UNTOLD)
        .await
        .unwrap());
}

#[tokio::test]
async fn notices_wait_one_at_a_time_are_bounded_an_hour_and_none_once_the_account_is_deleted() {
    let (_dir, store) = store().await;
    let id = account(&store, "owner@example.com", "h0").await;
    let mut n = 0;
    let mut asking = "owner@example.com-a".to_string();
    let mut change_once = async |store: &Store| {
        n += 1;
        let next = format!("s{n}");
        assert!(change(store, id, &format!("h{}", n - 1), &format!("h{n}"), &asking, &next).await);
        asking = next;
    };
    for _ in 0..3 {
        change_once(&store).await;
    }
    assert_eq!(notices_waiting(&store).await, 1, "one waiting says it all");
    let mut sent = 0;
    for _ in 0..NOTICES_PER_HOUR + 2 {
        if let Some(claimed) = store.claim_mail(std::time::Duration::from_secs(60)).await.unwrap() {
            assert_eq!(claimed.kind, MailKind::Notice);
            assert_eq!(
                (claimed.email.as_str(), claimed.locale.as_str()),
                ("owner@example.com", "sv")
            );
            assert_eq!(claimed.shop, None);
            assert!(store.finish_mail(&claimed, Outcome::Sent).await.unwrap());
            sent += 1;
        }
        // Once sent, the next change is told again, up to the hour's bound.
        change_once(&store).await;
    }
    assert_eq!(sent, NOTICES_PER_HOUR);
    assert_eq!(notices_waiting(&store).await, 0, "the hour's notices are spent");
    // An hour later there is room again.
    sqlx::query("UPDATE password_notices SET created_at = $1")
        .bind(time_in(-chrono::Duration::minutes(61)))
        .execute(&store.pool)
        .await
        .unwrap();
    change_once(&store).await;
    assert_eq!(notices_waiting(&store).await, 1);
    // An account deleted is sent nothing more.
    assert!(store.delete_account(id).await.unwrap().is_ok());
    assert_eq!(notices_waiting(&store).await, 0);
}
