//! The language an account chooses: its sessions read it; every mail to it
//! is written in it, whatever page asked (a password link, word of a
//! changed password, an invitation: as the account's choice is when the
//! mail is sent; word of a sign-in: as it was when that browser signed in);
//! choosing its browser's again gives back the page's, and a password set by
//! a link forgets it.

use super::*;
use crate::store::team_fixtures::add;
use crate::store::tests::{shop, store};
use crate::store::{time_in, MailKind, NewSession, SignInWord};
use std::time::Duration;

/// The language the newest mail in `table` was queued in.
async fn queued_in(store: &Store, table: &str) -> String {
    sqlx::query_scalar(&format!("SELECT locale FROM {table} ORDER BY id DESC LIMIT 1"))
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

/// The next mail due (it must be of `kind`), claimed as the sender does:
/// the language it is written in.
async fn sent_in(store: &Store, kind: MailKind) -> String {
    let claimed = store.claim_mail(Duration::from_secs(60)).await.unwrap();
    let claimed = claimed.expect("a mail due");
    assert_eq!(claimed.kind, kind);
    claimed.locale
}

/// A session to start under the hash `id_hash`.
fn new_session<'a>(id_hash: &'a str, expires_at: &'a str) -> NewSession<'a> {
    NewSession {
        id_hash,
        csrf: "csrf",
        expires_at,
        browser: "Firefox|Android",
    }
}

/// A session of the account, whose password is `hash`, started from a page
/// in English by a browser new to it; its id's hash.
async fn sign_in(store: &Store, user_id: i64, hash: &str, n: u32) -> String {
    let id_hash = crate::store::handle_of(&format!("session {user_id} {n}"));
    let expires = time_in(chrono::Duration::hours(1));
    let word = SignInWord {
        locale: "en",
        tell: true,
    };
    let new = new_session(&id_hash, &expires);
    assert!(store.create_session(&new, user_id, hash, word).await.unwrap());
    id_hash
}

/// An account of the shop, with the password hash "hash".
async fn with_password(store: &Store, email: &str, shop_id: i64, role: Role) -> i64 {
    let id = add(store, email, shop_id, role).await;
    sqlx::query("UPDATE users SET password_hash = 'hash' WHERE id = $1")
        .bind(id)
        .execute(&store.pool)
        .await
        .unwrap();
    id
}

async fn chosen(store: &Store, id_hash: &str) -> Option<Locale> {
    store.session(id_hash).await.unwrap().expect("a live session").locale
}

/// Chooses `locale` from the account's session `asking`.
async fn choose(store: &Store, (user_id, asking): (i64, &str), locale: Option<Locale>) {
    assert!(store.set_account_locale(user_id, asking, locale).await.unwrap());
}

#[tokio::test]
async fn every_mail_to_an_account_is_written_in_the_language_it_chose() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@example.com", shop.id, Role::Owner).await;
    let staff = with_password(&store, "staff@example.com", shop.id, Role::Staff).await;
    // The account's first sign-in (from an English page) is not told.
    let first = sign_in(&store, staff, "hash", 1).await;
    assert_eq!(chosen(&store, &first).await, None, "the browser's, until it chooses");
    choose(&store, (staff, &first), Some(Locale::De)).await;
    assert_eq!(chosen(&store, &first).await, Some(Locale::De));

    // Word of a new browser's sign-in, from an English page: decided then.
    let second = sign_in(&store, staff, "hash", 2).await;
    assert_eq!(chosen(&store, &second).await, Some(Locale::De), "every session of it");
    assert_eq!(queued_in(&store, "sign_in_notices").await, "de");
    choose(&store, (staff, &second), Some(Locale::Zh)).await;
    let told = sent_in(&store, MailKind::SignIn).await;
    assert_eq!(told, "de", "not what was chosen since");
    choose(&store, (staff, &first), Some(Locale::De)).await;

    // A password link asked from a Swedish page: queued as asked (the
    // request reads no account), written in the account's language.
    store.queue_password_mail("staff@example.com", "sv").await.unwrap();
    assert_eq!(queued_in(&store, "password_mails").await, "sv");
    assert_eq!(sent_in(&store, MailKind::Password).await, "de");
    // Chosen after the request, before it is sent: the new choice.
    store.queue_password_mail("staff@example.com", "sv").await.unwrap();
    choose(&store, (staff, &first), Some(Locale::Nb)).await;
    assert_eq!(sent_in(&store, MailKind::Password).await, "nb");
    choose(&store, (staff, &first), Some(Locale::De)).await;
    // An invitation from an owner whose page is in Norwegian.
    let again = store.invite_member(owner, shop.id, "staff@example.com", Role::Staff, "nb");
    assert!(again.await.unwrap().is_ok());
    assert_eq!(sent_in(&store, MailKind::Invite).await, "de");
    // Word of a changed password, changed from a Chinese page.
    let third = crate::store::handle_of("the session that replaces the second");
    let expires = time_in(chrono::Duration::hours(1));
    let fresh = new_session(&third, &expires);
    let changed = store.change_password(staff, "hash", "new hash", &second, &fresh, Some("zh"));
    assert!(changed.await.unwrap());
    assert_eq!(sent_in(&store, MailKind::Notice).await, "de");

    // Others are as asked: an address without an account, a new account,
    // and a shopper's link to their orders, even to the account's address.
    store.queue_password_mail("nobody@example.com", "sv").await.unwrap();
    assert_eq!(sent_in(&store, MailKind::Password).await, "sv");
    let new = store.invite_member(owner, shop.id, "new@example.com", Role::Staff, "nb");
    assert!(new.await.unwrap().is_ok());
    assert_eq!(sent_in(&store, MailKind::Invite).await, "nb");
    store
        .queue_link_request(shop.id, "staff@example.com", "sv")
        .await
        .unwrap();
    assert_eq!(sent_in(&store, MailKind::Link).await, "sv");

    // The browser's language again: mails are in the page's.
    choose(&store, (staff, &third), None).await;
    assert_eq!(chosen(&store, &third).await, None);
    store.queue_password_mail("staff@example.com", "sv").await.unwrap();
    assert_eq!(sent_in(&store, MailKind::Password).await, "sv");
    // From a session that ended (the password change ended it), or from
    // another account's: nothing is set.
    let ended = store.set_account_locale(staff, &first, Some(Locale::En));
    assert!(!ended.await.unwrap());
    let theirs = store.set_account_locale(owner, &third, Some(Locale::En));
    assert!(!theirs.await.unwrap());
    assert_eq!(chosen(&store, &third).await, None);
}

/// A password set by a link proves the mailbox: a language chosen by whoever
/// was signed in before is forgotten with the sessions, and a form posted
/// from one of them after it changes nothing.
#[tokio::test]
async fn a_password_set_by_a_link_forgets_the_chosen_language() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let staff = with_password(&store, "staff@example.com", shop.id, Role::Staff).await;
    let other = with_password(&store, "other@example.com", shop.id, Role::Staff).await;
    let thief = sign_in(&store, staff, "hash", 1).await;
    choose(&store, (staff, &thief), Some(Locale::Zh)).await;
    let theirs = sign_in(&store, other, "hash", 1).await;
    choose(&store, (other, &theirs), Some(Locale::Sv)).await;
    let expires = time_in(chrono::Duration::hours(1));
    store
        .insert_password_link(staff, &"7".repeat(64), &expires)
        .await
        .unwrap();
    assert!(store.set_password(&"7".repeat(64), "new hash").await.unwrap().is_some());
    let late = store.set_account_locale(staff, &thief, Some(Locale::Zh));
    assert!(!late.await.unwrap(), "a form from a session the link ended");
    let kept: Vec<(String, Option<String>)> = sqlx::query_as("SELECT email, locale FROM users ORDER BY email")
        .fetch_all(&store.pool)
        .await
        .unwrap();
    assert_eq!(
        kept,
        [
            ("other@example.com".to_string(), Some("sv".to_string())),
            ("staff@example.com".to_string(), None),
        ]
    );
}

/// The database keeps nothing but the codes the console speaks, whoever writes.
#[tokio::test]
async fn the_database_refuses_a_language_the_console_does_not_speak() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let staff = with_password(&store, "staff@example.com", shop.id, Role::Staff).await;
    let session = sign_in(&store, staff, "hash", 1).await;
    for bad in ["no", "DE", "", "fi"] {
        let written = sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(bad)
            .bind(staff)
            .execute(&store.pool)
            .await;
        assert!(written.is_err(), "{bad:?}");
    }
    for locale in Locale::ALL {
        choose(&store, (staff, &session), Some(locale)).await;
    }
}
