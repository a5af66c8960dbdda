//! The browsers an account is signed in on: its live sessions, newest first,
//! named by handles; one signed out by its handle, never the asking one, never
//! another account's; the list, and so what can be signed out, capped.

use super::*;
use crate::store::team_fixtures::add_staff;
use crate::store::tests::{shop, store};
use crate::store::time_in;

/// Starts session `id_hash` for the account (password "hash"), made `minutes` ago.
async fn start(store: &Store, user_id: i64, id_hash: &str, browser: &str, minutes: i64) {
    let expires = time_in(chrono::Duration::hours(1));
    let new = NewSession {
        id_hash,
        csrf: "csrf",
        expires_at: &expires,
        browser,
    };
    assert!(store
        .create_session(&new, user_id, "hash", crate::store::SignInWord::UNTOLD)
        .await
        .unwrap());
    sqlx::query("UPDATE sessions SET created_at = $1 WHERE id_hash = $2")
        .bind(time_in(-chrono::Duration::minutes(minutes)))
        .bind(id_hash)
        .execute(&store.pool)
        .await
        .unwrap();
}

async fn account(store: &Store, email: &str) -> i64 {
    let slug = email.split('@').next().unwrap();
    let shop = store.create_shop(&shop(slug)).await.unwrap();
    let id = add_staff(store, email, shop.id).await;
    sqlx::query("UPDATE users SET password_hash = 'hash' WHERE id = $1")
        .bind(id)
        .execute(&store.pool)
        .await
        .unwrap();
    id
}

async fn live(store: &Store, id_hash: &str) -> bool {
    store.session(id_hash).await.unwrap().is_some()
}

#[tokio::test]
async fn an_account_lists_its_browsers_and_signs_out_another_one() {
    let (_dir, store) = store().await;
    let owner = account(&store, "owner@a.example").await;
    let other = account(&store, "other@b.example").await;
    start(&store, owner, "laptop", "Firefox|macOS", 30).await;
    start(&store, owner, "phone", "Chrome|Android", 10).await;
    start(&store, owner, "old", "|", 20).await;
    start(&store, other, "theirs", "Safari|iPhone", 5).await;
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id_hash = 'old'")
        .bind(time_in(-chrono::Duration::seconds(1)))
        .execute(&store.pool)
        .await
        .unwrap();

    let (listed, more) = store.signed_in(owner, "laptop").await.unwrap();
    let seen: Vec<(&str, bool)> = listed.iter().map(|b| (b.browser.as_str(), b.this)).collect();
    assert_eq!(
        seen,
        [("Firefox|macOS", true), ("Chrome|Android", false)],
        "this one, then the others newest first, live only"
    );
    assert_eq!(more, 0);
    assert_eq!(listed[1].handle, handle_of("phone"));
    assert_eq!(listed[1].handle.len(), 32);
    // The handle is kept with the session, as the form names it.
    let stored: String = sqlx::query_scalar("SELECT handle FROM sessions WHERE id_hash = 'phone'")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(stored, handle_of("phone"));

    // Another account's browser, this browser, junk: nothing is ended.
    let theirs = handle_of("theirs");
    assert_eq!(
        store.sign_out_browser(owner, "laptop", &theirs).await.unwrap(),
        SignedOut::NoSuch
    );
    assert_eq!(
        store
            .sign_out_browser(owner, "laptop", &handle_of("laptop"))
            .await
            .unwrap(),
        SignedOut::ThisBrowser
    );
    assert_eq!(
        store.sign_out_browser(owner, "laptop", &"0".repeat(32)).await.unwrap(),
        SignedOut::NoSuch
    );
    assert!(live(&store, "theirs").await && live(&store, "laptop").await && live(&store, "phone").await);

    let phone = handle_of("phone");
    assert_eq!(
        store.sign_out_browser(owner, "laptop", &phone).await.unwrap(),
        SignedOut::Done
    );
    assert!(!live(&store, "phone").await);
    assert!(live(&store, "laptop").await && live(&store, "theirs").await);
    assert_eq!(
        store.sign_out_browser(owner, "laptop", &phone).await.unwrap(),
        SignedOut::NoSuch,
        "once"
    );
    let (left, _) = store.signed_in(owner, "laptop").await.unwrap();
    assert_eq!(left.len(), 1);
    assert!(left[0].this);

    // A browser signed out meanwhile signs out no other.
    start(&store, owner, "tablet", "Safari|iPad", 1).await;
    store.end_session("laptop").await.unwrap();
    let tablet = handle_of("tablet");
    assert_eq!(
        store.sign_out_browser(owner, "laptop", &tablet).await.unwrap(),
        SignedOut::NoSuch
    );
    assert!(live(&store, "tablet").await);
}

#[tokio::test]
async fn sessions_from_before_handles_get_theirs_at_start_up() {
    let (_dir, store) = store().await;
    let owner = account(&store, "owner@a.example").await;
    start(&store, owner, "old", "", 5).await;
    sqlx::query("UPDATE sessions SET handle = ''")
        .execute(&store.pool)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    start(&store, owner, "new", "", 1).await;
    let old = handle_of("old");
    assert_eq!(
        store.sign_out_browser(owner, "new", &old).await.unwrap(),
        SignedOut::Done
    );
    assert!(!live(&store, "old").await);
}

#[tokio::test]
async fn the_newest_browsers_are_listed_with_this_one_and_the_rest_counted() {
    let (_dir, store) = store().await;
    let owner = account(&store, "owner@a.example").await;
    let made = BROWSERS_LISTED + 5;
    for n in 0..made {
        start(&store, owner, &format!("s{n}"), "Firefox|Linux", made - n).await;
    }
    // The oldest asks: listed first, then the newest 50; 4 more.
    let (listed, more) = store.signed_in(owner, "s0").await.unwrap();
    assert_eq!(listed.len() as i64, BROWSERS_LISTED + 1);
    assert!(listed[0].this && listed[1..].iter().all(|b| !b.this));
    assert_eq!(listed[1].handle, handle_of(&format!("s{}", made - 1)));
    assert_eq!(more, 4);
    // One past the list is signed out by its handle all the same.
    assert_eq!(
        store.sign_out_browser(owner, "s0", &handle_of("s1")).await.unwrap(),
        SignedOut::Done
    );
    assert!(!live(&store, "s1").await);
    assert_eq!(store.end_sessions(owner).await.unwrap(), made as u64 - 1);
}

/// Signing in again and again ends the oldest sessions past the account's
/// [`SESSIONS_KEPT`]; the one just started, and other accounts', stay.
#[tokio::test]
async fn an_account_keeps_its_newest_sessions_only() {
    let (_dir, store) = store().await;
    let owner = account(&store, "owner@a.example").await;
    let other = account(&store, "other@b.example").await;
    start(&store, other, "theirs", "", 500).await;
    let made = SESSIONS_KEPT + 3;
    for n in 0..made {
        start(&store, owner, &format!("s{n}"), "", made - n).await;
    }
    start(&store, owner, "last", "", made + 10).await;
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
        .bind(owner)
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(kept, SESSIONS_KEPT);
    // The newest sign-in stays even when dated oldest; the oldest others went.
    assert!(live(&store, "last").await && live(&store, &format!("s{}", made - 1)).await);
    for n in 0..4 {
        assert!(!live(&store, &format!("s{n}")).await, "s{n}");
    }
    assert!(live(&store, "theirs").await);
}
