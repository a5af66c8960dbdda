//! API keys: at most [`LIVE_KEYS`] live per shop, also when makers race; the
//! [`REVOKED_KEYS_KEPT`] most recently revoked listed; one key per form.

use super::*;
use crate::store::tests::{shop, store};
use crate::store::time_in;

fn prefix(i: usize) -> String {
    format!("{i:016x}")
}

/// Makes the keys numbered `range`, unnamed, from the command line.
async fn make(store: &Store, shop_id: i64, range: std::ops::Range<usize>) {
    for i in range {
        let made = store
            .insert_key(shop_id, &prefix(i), "h", "", None, &By::Operator)
            .await
            .unwrap();
        assert_eq!(made, Ok(()), "key {i}");
    }
}

async fn live(store: &Store, shop_id: i64) -> usize {
    let keys = store.keys(shop_id).await.unwrap();
    keys.iter().filter(|k| k.revoked_at.is_none()).count()
}

#[tokio::test]
async fn the_most_recently_revoked_keys_are_kept_and_live_ones_are_capped() {
    let (_dir, store) = store().await;
    let other = store.create_shop(&shop("b")).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    // An old key, revoked last: kept although made first.
    make(&store, shop.id, 0..1).await;
    let made = REVOKED_KEYS_KEPT as usize + 5;
    for i in 1..=made {
        make(&store, shop.id, i..i + 1).await;
        assert!(store.revoke_key(shop.id, &prefix(i), &By::Operator).await.unwrap());
    }
    // Times are kept to the second: the others were revoked an hour before.
    sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE revoked_at IS NOT NULL")
        .bind(time_in(-chrono::Duration::hours(1)))
        .execute(&store.pool)
        .await
        .unwrap();
    assert!(store.revoke_key(shop.id, &prefix(0), &By::Operator).await.unwrap());
    make(&store, other.id, 1000..1001).await;
    assert!(store.revoke_key(other.id, &prefix(1000), &By::Operator).await.unwrap());
    let listed: Vec<String> = store
        .keys(shop.id)
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.prefix)
        .collect();
    assert_eq!(listed.len(), REVOKED_KEYS_KEPT as usize);
    assert!(listed.contains(&prefix(0)), "the key revoked last is kept");
    assert!(!listed.contains(&prefix(6)), "the earliest revoked go");
    assert!(listed.contains(&prefix(7)));
    assert_eq!(store.keys(other.id).await.unwrap().len(), 1, "another shop's keys stay");

    make(&store, shop.id, 2000..2000 + LIVE_KEYS as usize).await;
    assert_eq!(store.key_room(shop.id, None).await.unwrap(), Err(KeyRefusal::Full));
    assert_eq!(
        store
            .insert_key(shop.id, &prefix(3000), "h", "", None, &By::Operator)
            .await
            .unwrap(),
        Err(KeyRefusal::Full)
    );
    assert!(store.key_by_prefix(&prefix(3000)).await.unwrap().is_none());
    assert_eq!(live(&store, shop.id).await, LIVE_KEYS as usize);
}

/// The check of the cap and the insert are one step: makers racing for the
/// last place (on PostgreSQL, each on its own connection) make one key.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn makers_racing_for_the_last_place_make_one_key() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    make(&store, shop.id, 0..LIVE_KEYS as usize - 1).await;
    assert!(
        crate::store::tests::open_every_connection(&store).await >= 2,
        "at least two makers at once"
    );
    let mut tries = tokio::task::JoinSet::new();
    for i in 0..50 {
        let store = store.clone();
        tries.spawn(async move {
            let form = format!("{i:064x}");
            store
                .insert_key(shop.id, &prefix(100 + i), "h", "", Some(&form), &By::Operator)
                .await
                .unwrap()
        });
    }
    let answers = tries.join_all().await;
    assert_eq!(answers.iter().filter(|a| a.is_ok()).count(), 1, "{answers:?}");
    assert!(answers.iter().all(|a| *a == Ok(()) || *a == Err(KeyRefusal::Full)));
    assert_eq!(live(&store, shop.id).await, LIVE_KEYS as usize);
}

#[tokio::test]
async fn a_form_makes_one_key_and_says_which_even_when_the_shop_is_full() {
    let (_dir, store) = store().await;
    let other = store.create_shop(&shop("b")).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    make(&store, shop.id, 0..LIVE_KEYS as usize - 1).await;
    let form = "f".repeat(64);
    let last = prefix(99);
    assert_eq!(store.key_room(shop.id, Some(&form)).await.unwrap(), Ok(()));
    assert_eq!(
        store
            .insert_key(shop.id, &last, "h", "", Some(&form), &By::Operator)
            .await
            .unwrap(),
        Ok(())
    );
    // Full now, but the form sent again is told what it made, not that the shop is full.
    let used = Err(KeyRefusal::FormUsed(last.clone()));
    assert_eq!(store.key_room(shop.id, Some(&form)).await.unwrap(), used);
    assert_eq!(
        store
            .insert_key(shop.id, &prefix(98), "h", "", Some(&form), &By::Operator)
            .await
            .unwrap(),
        used
    );
    assert!(store.revoke_key(shop.id, &prefix(0), &By::Operator).await.unwrap());
    assert_eq!(
        store
            .insert_key(shop.id, &prefix(98), "h", "", Some(&form), &By::Operator)
            .await
            .unwrap(),
        used
    );
    assert_eq!(live(&store, shop.id).await, LIVE_KEYS as usize - 1);
    // The same form posted to another shop makes nothing there either, and
    // is not told the other shop's key.
    assert_eq!(
        store
            .insert_key(other.id, &prefix(97), "h", "", Some(&form), &By::Operator)
            .await
            .unwrap(),
        Err(KeyRefusal::FormUsed(String::new()))
    );
    assert!(store.keys(other.id).await.unwrap().is_empty());
    // A signing secret: one change per form, and a key form's token is used up.
    assert!(!store
        .rotate_webhook_secret(shop.id, "s0", &form, &By::Operator)
        .await
        .unwrap());
    let secret_form = "e".repeat(64);
    assert!(store
        .rotate_webhook_secret(shop.id, "s1", &secret_form, &By::Operator)
        .await
        .unwrap());
    assert!(!store
        .rotate_webhook_secret(shop.id, "s2", &secret_form, &By::Operator)
        .await
        .unwrap());
    assert_eq!(
        store.webhook_secret("a").await.unwrap().map(|(_, s)| s),
        Some("s1".to_string())
    );
    assert_eq!(
        store.key_room(shop.id, Some(&secret_form)).await.unwrap(),
        Err(KeyRefusal::FormUsed(String::new()))
    );
}

/// Made and revoked in a loop, keys would keep the server's hashing busy: a
/// shop's console makes at most [`KEYS_PER_HOUR`] an hour, revoked or not.
#[tokio::test]
async fn the_console_makes_at_most_so_many_keys_an_hour() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    for i in 0..KEYS_PER_HOUR as usize {
        let form = format!("{i:064x}");
        let made = store
            .insert_key(shop.id, &prefix(i), "h", "", Some(&form), &By::Operator)
            .await
            .unwrap();
        assert_eq!(made, Ok(()), "key {i}");
        assert!(store.revoke_key(shop.id, &prefix(i), &By::Operator).await.unwrap());
    }
    let form = "f".repeat(64);
    assert_eq!(
        store.key_room(shop.id, Some(&form)).await.unwrap(),
        Err(KeyRefusal::TooOften)
    );
    // Signing secrets made in a loop, later, do not push the key forms out.
    sqlx::query("UPDATE used_forms SET used_at = $1")
        .bind(time_in(-chrono::Duration::minutes(30)))
        .execute(&store.pool)
        .await
        .unwrap();
    for i in 0..crate::store::forms::USED_FORMS_KEPT as usize + 5 {
        let secret_form = format!("{:064x}", 1_000 + i);
        let rotated = store.rotate_webhook_secret(shop.id, "s", &secret_form, &By::Operator);
        assert!(rotated.await.unwrap());
    }
    assert_eq!(
        store.key_room(shop.id, Some(&form)).await.unwrap(),
        Err(KeyRefusal::TooOften)
    );
    assert_eq!(
        store
            .insert_key(shop.id, &prefix(99), "h", "", Some(&form), &By::Operator)
            .await
            .unwrap(),
        Err(KeyRefusal::TooOften)
    );
    // The operator's command line is not held to it.
    make(&store, shop.id, 100..101).await;
    // An hour on, the console may again.
    sqlx::query("UPDATE used_forms SET used_at = $1")
        .bind(time_in(-chrono::Duration::minutes(61)))
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(store.key_room(shop.id, Some(&form)).await.unwrap(), Ok(()));
}
