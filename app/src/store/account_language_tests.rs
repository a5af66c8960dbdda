//! The language an account chooses: its sessions read it, every mail queued
//! to it is written in it whatever page asked (a password link, word of a
//! sign-in or of a changed password, an invitation), and choosing its
//! browser's again gives back the page's.

use super::*;
use crate::store::team_fixtures::add;
use crate::store::tests::{shop, store};
use crate::store::{time_in, NewSession, SignInWord};

/// The language of the newest mail queued in `table`.
async fn newest_in(store: &Store, table: &str) -> String {
    sqlx::query_scalar(&format!("SELECT locale FROM {table} ORDER BY id DESC LIMIT 1"))
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

/// A session of the account, whose password is `hash`, started from a page
/// in English by a browser new to it; its id's hash.
async fn sign_in(store: &Store, user_id: i64, hash: &str, n: u32) -> String {
    let id_hash = crate::store::handle_of(&format!("session {user_id} {n}"));
    let expires = time_in(chrono::Duration::hours(1));
    let new = NewSession {
        id_hash: &id_hash,
        csrf: "csrf",
        expires_at: &expires,
        browser: "Firefox|Android",
    };
    let word = SignInWord {
        locale: "en",
        tell: true,
    };
    assert!(store.create_session(&new, user_id, hash, word).await.unwrap());
    id_hash
}

async fn chosen(store: &Store, id_hash: &str) -> Option<Locale> {
    store.session(id_hash).await.unwrap().expect("a live session").locale
}

#[tokio::test]
async fn every_mail_to_an_account_is_queued_in_the_language_it_chose() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@example.com", shop.id, Role::Owner).await;
    let staff = add(&store, "staff@example.com", shop.id, Role::Staff).await;
    sqlx::query("UPDATE users SET password_hash = 'hash' WHERE id = $1")
        .bind(staff)
        .execute(&store.pool)
        .await
        .unwrap();
    // The account's first sign-in (from an English page) is not told.
    let first = sign_in(&store, staff, "hash", 1).await;
    assert_eq!(chosen(&store, &first).await, None, "the browser's, until it chooses");

    assert!(store.set_account_locale(staff, Some(Locale::De)).await.unwrap());
    assert_eq!(chosen(&store, &first).await, Some(Locale::De));

    // Word of a new browser's sign-in, asked from an English page.
    let second = sign_in(&store, staff, "hash", 2).await;
    assert_eq!(newest_in(&store, "sign_in_notices").await, "de");
    assert_eq!(chosen(&store, &second).await, Some(Locale::De), "every session of it");
    // A password link asked from a Swedish page.
    store.queue_password_mail("staff@example.com", "sv").await.unwrap();
    assert_eq!(newest_in(&store, "password_mails").await, "de");
    // An invitation from an owner whose page is in Norwegian.
    let again = store.invite_member(owner, shop.id, "staff@example.com", Role::Staff, "nb");
    assert!(again.await.unwrap().is_ok());
    assert_eq!(newest_in(&store, "invitations").await, "de");
    // Word of a changed password, changed from a Chinese page.
    let third = crate::store::handle_of("the session that replaces the second");
    let expires = time_in(chrono::Duration::hours(1));
    let fresh = NewSession {
        id_hash: &third,
        csrf: "csrf",
        expires_at: &expires,
        browser: "Firefox|Android",
    };
    let changed = store.change_password(staff, "hash", "new hash", &second, &fresh, Some("zh"));
    assert!(changed.await.unwrap());
    assert_eq!(newest_in(&store, "password_notices").await, "de");

    // Others are as asked: an address without an account, a new account.
    store.queue_password_mail("nobody@example.com", "sv").await.unwrap();
    assert_eq!(newest_in(&store, "password_mails").await, "sv");
    let new = store.invite_member(owner, shop.id, "new@example.com", Role::Staff, "nb");
    assert!(new.await.unwrap().is_ok());
    assert_eq!(newest_in(&store, "invitations").await, "nb");

    // The browser's language again: mails are in the page's.
    assert!(store.set_account_locale(staff, None).await.unwrap());
    assert_eq!(chosen(&store, &third).await, None);
    store.queue_password_mail("staff@example.com", "sv").await.unwrap();
    assert_eq!(newest_in(&store, "password_mails").await, "sv");
    // No such account: nothing to set.
    assert!(!store
        .set_account_locale(owner + staff + 1_000, Some(Locale::En))
        .await
        .unwrap());
}
