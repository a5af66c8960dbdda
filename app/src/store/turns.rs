//! Turns at a shop's setup: within one server, the writes that hold a shop
//! (its keys, signing secret, team, invitations, settings) wait for the
//! shop's turn in memory before they take a database connection. A burst of
//! forms at one shop then holds one connection, not the whole pool, while it
//! is worked through, and other shops' requests and lookups keep theirs; and
//! a key's room can be held across its hashing (see `Store::shop_turn`).
//!
//! The database still decides (SQLite's write lock, the shop's row on
//! PostgreSQL): turns only order one server's own requests, so several
//! servers stay correct. Each shop has a turn of its own while someone holds
//! or waits for it, and none otherwise; a turn is waited for at most
//! [`TURN_WAIT`], then the write is shed as unavailable (503, nothing done),
//! as one that waited too long for a connection.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, Weak};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::{Store, StoreError};

/// How long a write waits for its shop's turn: the shop's writes before it
/// in line take their turns one after another (a burst of a hundred forms,
/// or a key form whose hash waits for the hashing gate, up to 2 s), where
/// waiting for a connection only waits for any one of the pool's to be free.
pub const TURN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
/// Shops whose turns are kept at once: past it, turns no one holds or waits
/// for are forgotten; if every one is still held or waited for, the write is
/// shed (503) rather than the table grown.
const SHOPS_KEPT: usize = 4_096;

/// The turns of one server's store, by shop.
#[derive(Debug, Default)]
pub(super) struct Turns(std::sync::Mutex<HashMap<i64, Weak<Mutex<()>>>>);

impl Turns {
    /// The shop's turn, made if no one holds or waits for it.
    fn of(&self, shop_id: i64) -> Option<Arc<Mutex<()>>> {
        let mut turns = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(turn) = turns.get(&shop_id).and_then(Weak::upgrade) {
            return Some(turn);
        }
        if turns.len() >= SHOPS_KEPT {
            turns.retain(|_, turn| turn.strong_count() > 0);
            if turns.len() >= SHOPS_KEPT {
                return None;
            }
        }
        let turn = Arc::new(Mutex::new(()));
        turns.insert(shop_id, Arc::downgrade(&turn));
        Some(turn)
    }

    /// How many shops' turns are kept (held, waited for, or not yet forgotten).
    #[cfg(test)]
    fn kept(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

/// Waits for the turn `key` of `turns`, at most [`TURN_WAIT`] (`whose` says
/// whose, when it was waited for too long).
async fn wait(turns: &Turns, key: i64, whose: &str) -> Result<ShopTurn, StoreError> {
    let shed = || StoreError::Unavailable(format!("waited too long for {whose} turn"));
    let turn = turns.of(key).ok_or_else(shed)?;
    let held = tokio::time::timeout(TURN_WAIT, turn.lock_owned())
        .await
        .map_err(|_| shed())?;
    Ok(ShopTurn(held))
}

/// A shop's (or an order's) turn, held until dropped.
#[derive(Debug)]
pub struct ShopTurn(#[allow(dead_code)] OwnedMutexGuard<()>);

impl Store {
    /// Waits for the shop's turn, at most [`TURN_WAIT`]. The store's writes
    /// that hold a shop take it themselves; a caller takes it only around work
    /// of its own between two that do not (the console hashes a new key
    /// between `key_room` and `insert_key`), and never while calling one
    /// that does: turns are not taken twice.
    pub async fn shop_turn(&self, shop_id: i64) -> Result<ShopTurn, StoreError> {
        wait(&self.turns, shop_id, "the shop's").await
    }

    /// Waits for one order's turn, at most [`TURN_WAIT`]: the store's writes
    /// and erasures of an order take it before a connection, so that the
    /// writers of one busy order wait in memory, not holding the pool's
    /// connections (on PostgreSQL each held one while it waited for the
    /// order's lock, `order_lock`, and other shops' writes found none).
    pub(super) async fn order_turn(&self, shop_id: i64, number_key: &str) -> Result<ShopTurn, StoreError> {
        let order = super::order_lock::order_lock_id(shop_id, number_key);
        wait(&self.order_turns, order, "the order's").await
    }

    /// The shop's turn, then a connection to hold the shop with.
    pub(super) async fn shop_conn(
        &self,
        shop_id: i64,
    ) -> Result<(ShopTurn, sqlx::pool::PoolConnection<sqlx::Any>), StoreError> {
        let turn = self.shop_turn(shop_id).await?;
        Ok((turn, self.pool.acquire().await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::{open_every_connection, shop, store};
    use crate::store::By;

    /// Every connection of the store's pool can be taken: none is held by a
    /// write waiting for its turn.
    async fn no_connection_held(store: &Store) {
        let pool = store.pool.options().get_max_connections() as usize;
        assert_eq!(
            open_every_connection(store).await,
            pool,
            "no connection is held by a waiting write"
        );
    }

    /// Writes at a shop whose turn is held wait in memory, holding no
    /// connection: another shop's writes and every connection of the pool
    /// stay free; they go on once the turn is given back; and one that waits
    /// longer than [`TURN_WAIT`] is shed, having done nothing.
    #[tokio::test]
    async fn writes_wait_for_their_shops_turn_without_a_connection() {
        let (_dir, store) = store().await;
        let (a, b) = (
            store.create_shop(&shop("a")).await.unwrap(),
            store.create_shop(&shop("b")).await.unwrap(),
        );
        let held = store.shop_turn(a.id).await.unwrap();
        let waiting: Vec<_> = (0..20)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move { store.revoke_key(a.id, &format!("{i:016x}"), &By::Operator).await })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(waiting.iter().all(|w| !w.is_finished()), "they wait for the turn");
        assert!(!store.revoke_key(b.id, "00000000000000ff", &By::Operator).await.unwrap());
        no_connection_held(&store).await;
        drop(held);
        for w in waiting {
            assert!(!w.await.unwrap().unwrap(), "no such key: done, nothing revoked");
        }
        let _held = store.shop_turn(a.id).await.unwrap();
        let shed = store.revoke_key(a.id, "00000000000000aa", &By::Operator).await;
        assert!(matches!(shed, Err(StoreError::Unavailable(_))), "{shed:?}");
    }

    /// The same for the writes of one order: waiting for its turn, they hold
    /// no connection, and another order of the shop is written meanwhile (on
    /// PostgreSQL, each used to hold one while it waited for the order's lock:
    /// a hundred writes of one order left other shops' writes none).
    #[tokio::test]
    async fn writes_of_one_order_wait_for_its_turn_without_a_connection() {
        use crate::store::tests::example;
        let (_dir, store) = store().await;
        let a = store.create_shop(&shop("a")).await.unwrap();
        let held = store.order_turn(a.id, "1001").await.unwrap();
        let waiting: Vec<_> = (0..20)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.put_order(a.id, example()).await })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(waiting.iter().all(|w| !w.is_finished()), "they wait for the turn");
        let mut other = example().into_inner();
        other.order_number = "#1002".into();
        let other = crate::order::ValidOrder::check(other).unwrap();
        assert_eq!(
            store.put_order(a.id, other).await.unwrap(),
            crate::store::PutOutcome::Created
        );
        no_connection_held(&store).await;
        drop(held);
        let mut created = 0;
        for w in waiting {
            created += usize::from(w.await.unwrap().unwrap() == crate::store::PutOutcome::Created);
        }
        assert_eq!(created, 1, "one write made it, the others replaced it");
    }

    #[tokio::test]
    async fn a_turn_is_one_shops_and_forgotten_once_no_one_holds_it() {
        let turns = Turns::default();
        let a = turns.of(1).unwrap();
        let held = a.clone().lock_owned().await;
        // Another shop's turn is free; the same shop's is the held one.
        assert!(turns.of(65).unwrap().try_lock().is_ok());
        assert!(turns.of(1).unwrap().try_lock().is_err());
        drop((held, a));
        assert!(turns.of(1).unwrap().try_lock().is_ok());
        // Past the cap, turns no one holds are forgotten, held ones kept.
        let kept: Vec<_> = (0..SHOPS_KEPT as i64).map(|id| turns.of(1_000 + id).unwrap()).collect();
        assert_eq!(turns.kept(), SHOPS_KEPT);
        assert!(turns.of(7).is_none(), "every turn held: shed, not grown");
        assert!(turns.of(1_000).is_some(), "a held turn is still found");
        drop(kept);
        let seven = turns.of(7);
        assert!(seven.is_some());
        assert_eq!(turns.kept(), 1);
    }
}
