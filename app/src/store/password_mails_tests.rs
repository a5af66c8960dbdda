//! Password mails: queued only for an account on a team, at most
//! `PASSWORD_MAILS_PER_DAY` a day also when asked at once; the link made for
//! the account of the queued address (never by id), replacing its earlier one;
//! nothing for an account deleted or off every team meanwhile.

use super::*;
use crate::store::tests::{open_every_connection, shop, store};
use crate::store::{MailKind, Outcome, Role, TeamChange};
use std::time::Duration;

async fn add(store: &Store, email: &str, shop_id: i64) -> i64 {
    store
        .add_member(email, shop_id, Role::Staff)
        .await
        .unwrap()
        .expect("room in the team")
}

/// Password mails queued for the address, finished or not.
async fn queued(store: &Store, email: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM password_mails WHERE email = $1")
        .bind(email)
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

async fn ask(store: &Store, email: &str) -> PasswordRequest {
    store.request_password_mail(email, "de").await.unwrap()
}

/// Claims the next mail due, which must be a password mail.
async fn claim(store: &Store) -> Queued {
    let claimed = store
        .claim_mail(Duration::from_secs(60))
        .await
        .unwrap()
        .expect("a mail due");
    assert_eq!(claimed.kind, MailKind::Password);
    claimed
}

async fn link_works(store: &Store, hash: &str) -> Option<String> {
    store.password_link(hash).await.unwrap()
}

fn expires() -> String {
    time_in(chrono::Duration::hours(1))
}

#[tokio::test]
async fn only_an_account_on_a_team_is_queued_a_password_mail() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    assert_eq!(ask(&store, "nobody@example.com").await, PasswordRequest::NoAccount);
    add(&store, "left@example.com", shop.id).await;
    let removed = store
        .change_member(None, shop.id, "left@example.com", TeamChange::Remove)
        .await
        .unwrap();
    assert!(removed.is_ok());
    assert_eq!(ask(&store, "left@example.com").await, PasswordRequest::NoAccount);
    assert_eq!(
        queued(&store, "nobody@example.com").await + queued(&store, "left@example.com").await,
        0
    );

    add(&store, "staff@example.com", shop.id).await;
    assert_eq!(ask(&store, "staff@example.com").await, PasswordRequest::Queued);
    let claimed = claim(&store).await;
    assert_eq!(
        (
            claimed.email.as_str(),
            claimed.locale.as_str(),
            claimed.shop_id,
            claimed.shop_name.as_str()
        ),
        ("staff@example.com", "de", 0, "Lookout")
    );
    assert!(store.claim_mail(Duration::from_secs(60)).await.unwrap().is_none());
}

#[tokio::test]
async fn an_account_is_queued_its_day_of_password_mails_and_no_more_also_when_asked_at_once() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let id = add(&store, "staff@example.com", shop.id).await;
    open_every_connection(&store).await;
    let mut asks = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let store = store.clone();
        asks.spawn(async move { ask(&store, "staff@example.com").await });
    }
    let answers = asks.join_all().await;
    let taken = answers.iter().filter(|a| **a == PasswordRequest::Queued).count();
    let refused = answers.iter().filter(|a| **a == PasswordRequest::TooMany).count();
    assert_eq!((taken, refused), (3, 37));
    assert_eq!(queued(&store, "staff@example.com").await, PASSWORD_MAILS_PER_DAY);
    // A day later the oldest no longer counts: one more.
    sqlx::query("UPDATE password_mails SET created_at = $1 WHERE id = (SELECT MIN(id) FROM password_mails)")
        .bind(time_in(-chrono::Duration::hours(25)))
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(ask(&store, "staff@example.com").await, PasswordRequest::Queued);
    assert_eq!(ask(&store, "staff@example.com").await, PasswordRequest::TooMany);
    // Sent or not, a mail counts (its address is blanked when it is finished).
    let claimed = claim(&store).await;
    assert!(store.finish_mail(&claimed, Outcome::Sent).await.unwrap());
    assert_eq!(ask(&store, "staff@example.com").await, PasswordRequest::TooMany);
    let counted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM password_mails WHERE user_id = $1")
        .bind(id)
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(counted, PASSWORD_MAILS_PER_DAY + 1);
}

#[tokio::test]
async fn the_mail_carries_a_new_link_for_the_account_of_its_address() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let id = add(&store, "staff@example.com", shop.id).await;
    let earlier = format!("{:064}", 1);
    store.insert_password_link(id, &earlier, &expires()).await.unwrap();
    assert_eq!(ask(&store, "staff@example.com").await, PasswordRequest::Queued);
    let claimed = claim(&store).await;
    let hash = format!("{:064}", 2);
    assert!(store.password_mail_link(&claimed, &hash, &expires()).await.unwrap());
    assert_eq!(link_works(&store, &hash).await.as_deref(), Some("staff@example.com"));
    assert_eq!(link_works(&store, &earlier).await, None, "the earlier link is replaced");
    // An account with a password sets a new one with it.
    assert!(store.set_password(&hash, "new hash").await.unwrap());
    let account = store.account("staff@example.com").await.unwrap().unwrap();
    assert_eq!(account.password_hash.as_deref(), Some("new hash"));
}

#[tokio::test]
async fn an_account_deleted_or_off_every_team_meanwhile_is_sent_nothing() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@example.com", shop.id).await;
    store
        .change_member(None, shop.id, "owner@example.com", TeamChange::Role(Role::Owner))
        .await
        .unwrap()
        .unwrap();
    // Off the team after asking.
    add(&store, "left@example.com", shop.id).await;
    assert_eq!(ask(&store, "left@example.com").await, PasswordRequest::Queued);
    let removed = store
        .change_member(None, shop.id, "left@example.com", TeamChange::Remove)
        .await
        .unwrap();
    assert!(removed.is_ok());
    let claimed = claim(&store).await;
    let hash = format!("{:064}", 3);
    assert!(!store.password_mail_link(&claimed, &hash, &expires()).await.unwrap());
    assert!(store.finish_mail(&claimed, Outcome::Withdrawn).await.unwrap());
    assert_eq!(link_works(&store, &hash).await, None);

    // Deleted after asking; a new account (which SQLite may give the same id)
    // gets no link from it, and its own day starts empty.
    let gone = add(&store, "gone@example.com", shop.id).await;
    for _ in 0..PASSWORD_MAILS_PER_DAY {
        assert_eq!(ask(&store, "gone@example.com").await, PasswordRequest::Queued);
    }
    assert!(store.delete_account(gone).await.unwrap().is_ok());
    let new = add(&store, "new@example.com", shop.id).await;
    assert_ne!(new, owner);
    let claimed = claim(&store).await;
    assert_eq!(claimed.email, "gone@example.com");
    let hash = format!("{:064}", 4);
    assert!(!store.password_mail_link(&claimed, &hash, &expires()).await.unwrap());
    assert_eq!(link_works(&store, &hash).await, None);
    for _ in 0..PASSWORD_MAILS_PER_DAY {
        assert_eq!(ask(&store, "new@example.com").await, PasswordRequest::Queued);
    }
    assert_eq!(ask(&store, "new@example.com").await, PasswordRequest::TooMany);
}
