//! Word of a sign-in from a browser new to the account: queued with the
//! session, never for the account's first sign-in nor a refused one, one
//! waiting at a time, at most [`SIGN_IN_NOTICES_PER_HOUR`] an hour, and
//! gone with the account.

use super::*;
use crate::store::team_fixtures::add_staff;
use crate::store::tests::{shop, store};
use crate::store::{time_in, NewSession, SignInWord};

async fn account(store: &Store, email: &str) -> i64 {
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let id = add_staff(store, email, shop.id).await;
    sqlx::query("UPDATE users SET password_hash = 'hash' WHERE id = $1")
        .bind(id)
        .execute(&store.pool)
        .await
        .unwrap();
    id
}

/// Signs in with `hash` (the account's is "hash") from a page in `locale`,
/// from a new browser (told) or a known one; whether a session was started.
async fn sign_in(store: &Store, user_id: i64, hash: &str, locale: &str, tell: bool) -> bool {
    let expires = time_in(chrono::Duration::hours(1));
    let id_hash = crate::store::handle_of(&format!("{user_id}{}", rand_id()));
    let new = NewSession {
        id_hash: &id_hash,
        csrf: "csrf",
        expires_at: &expires,
        browser: "Firefox|Android",
    };
    let word = SignInWord { locale, tell };
    store.create_session(&new, user_id, hash, word).await.unwrap()
}

fn rand_id() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    u128::from(N.fetch_add(1, Ordering::Relaxed))
}

/// The account's notices: (locale, browser, address, waiting).
async fn notices(store: &Store, user_id: i64) -> Vec<(String, String, String, bool)> {
    let rows: Vec<(String, String, String, Option<String>)> =
        sqlx::query_as("SELECT locale, browser, email, done_at FROM sign_in_notices WHERE user_id = $1 ORDER BY id")
            .bind(user_id)
            .fetch_all(&store.pool)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(l, b, e, done)| (l, b, e, done.is_none()))
        .collect()
}

async fn signed_in_at(store: &Store, user_id: i64) -> Option<String> {
    sqlx::query_scalar("SELECT signed_in_at FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

async fn finish_all(store: &Store) {
    sqlx::query("UPDATE sign_in_notices SET done_at = $1, outcome = 'sent', email = ''")
        .bind(time_in(chrono::Duration::zero()))
        .execute(&store.pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_sign_in_from_a_new_browser_is_queued_once_and_bounded() {
    let (_dir, store) = store().await;
    let id = account(&store, "owner@a.example").await;
    // The first sign-in: the account has just set its password.
    assert!(sign_in(&store, id, "hash", "de", true).await);
    assert!(notices(&store, id).await.is_empty());
    let first = signed_in_at(&store, id).await;
    assert!(first.is_some());
    // A refused sign-in (the password changed meanwhile): nothing, not even the time.
    sqlx::query("UPDATE users SET signed_in_at = '2026-01-01T00:00:00Z' WHERE id = $1")
        .bind(id)
        .execute(&store.pool)
        .await
        .unwrap();
    assert!(!sign_in(&store, id, "old hash", "de", true).await);
    assert!(notices(&store, id).await.is_empty());
    assert_eq!(signed_in_at(&store, id).await.as_deref(), Some("2026-01-01T00:00:00Z"));
    let locale = || async {
        sqlx::query_scalar::<_, Option<String>>("SELECT sign_in_locale FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(&store.pool)
            .await
            .unwrap()
    };
    assert_eq!(locale().await.as_deref(), Some("de"), "the first sign-in's");
    // A known browser (nothing to tell): the time; the language stays the
    // first sign-in's (a known browser may be a stranger's too).
    assert!(sign_in(&store, id, "hash", "nb", false).await);
    assert_eq!(locale().await.as_deref(), Some("de"));
    assert!(notices(&store, id).await.is_empty());
    assert_ne!(signed_in_at(&store, id).await.as_deref(), Some("2026-01-01T00:00:00Z"));
    // A new browser: one notice, in the account's language, not the new one's.
    assert!(sign_in(&store, id, "hash", "zh", true).await);
    assert_eq!(locale().await.as_deref(), Some("de"));
    let wanted = (
        "de".to_string(),
        "Firefox|Android".to_string(),
        "owner@a.example".to_string(),
        true,
    );
    assert_eq!(notices(&store, id).await, [wanted]);
    let queued = sqlx::query_scalar::<_, i64>("SELECT id FROM sign_in_notices")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let notice = store.sign_in_notice(queued).await.unwrap().expect("waiting");
    assert_eq!(notice.browser, "Firefox|Android");
    assert_eq!(Some(notice.signed_in_at), signed_in_at(&store, id).await);
    // Two more while it waits: the sessions start, no second notice; the
    // waiting one counts them.
    assert!(sign_in(&store, id, "hash", "en", true).await);
    assert!(sign_in(&store, id, "hash", "en", true).await);
    assert_eq!(notices(&store, id).await.len(), 1);
    assert_eq!(store.sign_in_notice(queued).await.unwrap().map(|n| n.more), Some(2));
    // Sent, then the next ones, each sent before the next: 6 an hour.
    for _ in 0..10 {
        finish_all(&store).await;
        assert!(sign_in(&store, id, "hash", "en", true).await);
    }
    assert_eq!(notices(&store, id).await.len() as i64, SIGN_IN_NOTICES_PER_HOUR);
    assert_eq!(
        store.sign_in_notice(queued).await.unwrap(),
        None,
        "sent: nothing to tell"
    );
    // Gone with the account, waiting or not.
    sqlx::query("UPDATE sign_in_notices SET done_at = NULL")
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(store.delete_account(id).await.unwrap(), Ok(()));
    assert!(notices(&store, id).await.is_empty());
    assert_eq!(store.sign_in_notice(queued).await.unwrap(), None);
}

/// The first sign-in after a link set the password is the mailbox's owner's:
/// not told, and not counted in a notice still waiting to be sent.
#[tokio::test]
async fn the_first_sign_in_after_a_link_is_not_counted_in_a_waiting_notice() {
    let (_dir, store) = store().await;
    let id = account(&store, "owner@a.example").await;
    assert!(sign_in(&store, id, "hash", "en", true).await);
    assert!(sign_in(&store, id, "hash", "en", true).await);
    assert_eq!(notices(&store, id).await.len(), 1, "waiting");
    let expires = time_in(chrono::Duration::hours(1));
    store.insert_password_link(id, &"7".repeat(64), &expires).await.unwrap();
    assert!(store.set_password(&"7".repeat(64), "new hash").await.unwrap().is_some());
    assert!(sign_in(&store, id, "new hash", "en", true).await);
    let queued = sqlx::query_scalar::<_, i64>("SELECT id FROM sign_in_notices")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let more = store.sign_in_notice(queued).await.unwrap().map(|n| n.more);
    assert_eq!(more, Some(0), "the owner's own sign-in is not told");
    // The next one is, as any.
    assert!(sign_in(&store, id, "new hash", "en", true).await);
    let more = store.sign_in_notice(queued).await.unwrap().map(|n| n.more);
    assert_eq!(more, Some(1));
}
