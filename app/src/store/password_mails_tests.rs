//! Password mails: every request queued alike; a link only for an account on
//! a team, found by the queued address (never by id), at most
//! `PASSWORD_MAILS_PER_DAY` a day also when decided at once, replacing the
//! account's earlier link; a try again keeps its place.

use super::*;
use crate::store::team_fixtures::{add_staff, remove};
use crate::store::tests::{open_every_connection, shop, store};
use crate::store::{MailKind, Outcome};
use std::time::Duration;

/// Queues a request for `email` and claims it (the only one due).
async fn asked(store: &Store, email: &str) -> Queued {
    store.queue_password_mail(email, "de").await.unwrap();
    claim(store).await
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

/// The link a claimed mail may carry, with a hash of its own (`n`).
async fn decide(store: &Store, claimed: &Queued, n: i64) -> PasswordLink {
    let expires = time_in(chrono::Duration::hours(1));
    store.password_mail_link(claimed, &hash(n), &expires).await.unwrap()
}

fn hash(n: i64) -> String {
    format!("{n:064}")
}

async fn link_works(store: &Store, n: i64) -> Option<String> {
    store.password_link(&hash(n)).await.unwrap()
}

#[tokio::test]
async fn only_an_account_on_a_team_is_sent_a_link() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    add_staff(&store, "left@example.com", shop.id).await;
    remove(&store, "left@example.com", shop.id).await;
    add_staff(&store, "staff@example.com", shop.id).await;

    for (n, email) in [(1, "nobody@example.com"), (2, "left@example.com")] {
        let claimed = asked(&store, email).await;
        assert_eq!(decide(&store, &claimed, n).await, PasswordLink::NoAccount, "{email}");
        assert_eq!(link_works(&store, n).await, None);
        assert!(store.finish_mail(&claimed, Outcome::NoAccount).await.unwrap());
    }
    let claimed = asked(&store, "staff@example.com").await;
    assert_eq!(
        (
            claimed.email.as_str(),
            claimed.locale.as_str(),
            &claimed.shop,
            claimed.sender_name()
        ),
        ("staff@example.com", "de", &None, "Lookout")
    );
    assert_eq!(decide(&store, &claimed, 3).await, PasswordLink::Made);
    assert_eq!(link_works(&store, 3).await.as_deref(), Some("staff@example.com"));
    assert!(store.claim_mail(Duration::from_secs(60)).await.unwrap().is_none());
}

#[tokio::test]
async fn an_account_is_sent_its_day_of_links_and_no_more_also_when_decided_at_once() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    add_staff(&store, "staff@example.com", shop.id).await;
    let mut claimed = Vec::new();
    for _ in 0..40 {
        claimed.push(asked(&store, "staff@example.com").await);
    }
    open_every_connection(&store).await;
    let mut decisions = tokio::task::JoinSet::new();
    for (n, queued) in claimed.iter().cloned().enumerate() {
        let store = store.clone();
        decisions.spawn(async move { (queued.id, decide(&store, &queued, 100 + n as i64).await) });
    }
    let decided = decisions.join_all().await;
    let made: Vec<i64> = decided
        .iter()
        .filter(|(_, d)| *d == PasswordLink::Made)
        .map(|(id, _)| *id)
        .collect();
    let full = decided.iter().filter(|(_, d)| *d == PasswordLink::DayFull).count();
    assert_eq!((made.len(), full), (3, 37), "{decided:?}");

    // A try again after a failed one keeps its place in a full day.
    let first = claimed.iter().find(|q| q.id == made[0]).unwrap();
    assert!(store.retry_mail(first, Duration::ZERO, "451").await.unwrap());
    let again = claim(&store).await;
    assert_eq!(again.id, first.id);
    assert_eq!(decide(&store, &again, 200).await, PasswordLink::Made);
    // Another request the same day sends nothing; a day after the first
    // mail, one more goes.
    assert_eq!(
        decide(&store, &asked(&store, "staff@example.com").await, 201).await,
        PasswordLink::DayFull
    );
    sqlx::query("UPDATE password_mails SET mailed_at = $1 WHERE id = $2")
        .bind(time_in(-chrono::Duration::hours(25)))
        .bind(made[1])
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(
        decide(&store, &asked(&store, "staff@example.com").await, 202).await,
        PasswordLink::Made
    );
    assert_eq!(
        decide(&store, &asked(&store, "staff@example.com").await, 203).await,
        PasswordLink::DayFull
    );
}

#[tokio::test]
async fn the_link_replaces_the_accounts_earlier_one_and_sets_a_new_password() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let id = add_staff(&store, "staff@example.com", shop.id).await;
    let expires = time_in(chrono::Duration::hours(1));
    store.insert_password_link(id, &hash(1), &expires).await.unwrap();
    assert!(store.set_password(&hash(1), "old hash").await.unwrap().is_some());
    store.insert_password_link(id, &hash(2), &expires).await.unwrap();
    let claimed = asked(&store, "staff@example.com").await;
    assert_eq!(decide(&store, &claimed, 3).await, PasswordLink::Made);
    assert_eq!(link_works(&store, 2).await, None, "the earlier link is replaced");
    assert!(store.set_password(&hash(3), "new hash").await.unwrap().is_some());
    let account = store.account("staff@example.com").await.unwrap().unwrap();
    assert_eq!(account.password_hash.as_deref(), Some("new hash"));
}

#[tokio::test]
async fn an_account_deleted_or_off_every_team_meanwhile_is_sent_nothing() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    // Off the team after asking.
    add_staff(&store, "left@example.com", shop.id).await;
    store.queue_password_mail("left@example.com", "en").await.unwrap();
    remove(&store, "left@example.com", shop.id).await;
    assert_eq!(decide(&store, &claim(&store).await, 1).await, PasswordLink::NoAccount);

    // Deleted with its day spent, then asked for again: a new account (to
    // which SQLite may give the same id) gets no link from the request, and
    // its own day starts empty.
    let gone = add_staff(&store, "gone@example.com", shop.id).await;
    for n in 0..PASSWORD_MAILS_PER_DAY {
        assert_eq!(
            decide(&store, &asked(&store, "gone@example.com").await, 10 + n).await,
            PasswordLink::Made
        );
    }
    store.queue_password_mail("gone@example.com", "en").await.unwrap();
    assert!(store.delete_account(gone).await.unwrap().is_ok());
    add_staff(&store, "new@example.com", shop.id).await;
    let claimed = claim(&store).await;
    assert_eq!(claimed.email, "gone@example.com");
    assert_eq!(decide(&store, &claimed, 20).await, PasswordLink::NoAccount);
    assert_eq!(link_works(&store, 20).await, None);
    for n in 0..PASSWORD_MAILS_PER_DAY {
        assert_eq!(
            decide(&store, &asked(&store, "new@example.com").await, 30 + n).await,
            PasswordLink::Made
        );
    }
    assert_eq!(
        decide(&store, &asked(&store, "new@example.com").await, 40).await,
        PasswordLink::DayFull
    );
}

#[tokio::test]
async fn an_idle_account_forgotten_leaves_no_count_for_the_next_with_its_id() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let id = add_staff(&store, "idle@example.com", shop.id).await;
    for n in 0..PASSWORD_MAILS_PER_DAY {
        assert_eq!(
            decide(&store, &asked(&store, "idle@example.com").await, n).await,
            PasswordLink::Made
        );
    }
    // Off the team, never given a password, made long ago, its links ended.
    remove(&store, "idle@example.com", shop.id).await;
    let long_ago = time_in(-chrono::Duration::days(crate::store::IDLE_ACCOUNT_KEPT_DAYS + 1));
    for sql in [
        "UPDATE users SET created_at = $1",
        "UPDATE password_links SET expires_at = $1",
    ] {
        sqlx::query(sql).bind(&long_ago).execute(&store.pool).await.unwrap();
    }
    assert_eq!(store.prune_idle_accounts().await.unwrap(), 1);
    let counted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM password_mails WHERE user_id = $1")
        .bind(id)
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(counted, 0);
}

#[tokio::test]
async fn finished_password_mails_are_pruned_after_a_week_and_waiting_ones_never() {
    let (_dir, store) = store().await;
    for email in ["old@example.com", "recent@example.com", "waiting@example.com"] {
        store.queue_password_mail(email, "en").await.unwrap();
    }
    for (email, days) in [("old@example.com", 8), ("recent@example.com", 6)] {
        sqlx::query("UPDATE password_mails SET done_at = $1, outcome = 'no_account', email = '' WHERE email = $2")
            .bind(time_in(-chrono::Duration::days(days)))
            .bind(email)
            .execute(&store.pool)
            .await
            .unwrap();
    }
    assert_eq!(store.prune_outbox().await.unwrap(), 1);
    let left: Vec<(String, Option<String>)> = sqlx::query_as("SELECT email, outcome FROM password_mails ORDER BY id")
        .fetch_all(&store.pool)
        .await
        .unwrap();
    assert_eq!(
        left,
        [
            (String::new(), Some("no_account".to_string())),
            ("waiting@example.com".to_string(), None)
        ]
    );
}
