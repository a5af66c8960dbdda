//! Turns at a shop's setup: within one server, the writes that hold a shop
//! (its keys, secret, team, invitations, settings) wait for their turn in
//! memory before they take a database connection. A burst of forms at one
//! shop then holds one connection, not the whole pool, while it is worked
//! through, and other shops' requests and lookups keep theirs; and a key's
//! room can be reserved across its hashing (see `Store::shop_turn`).
//!
//! The database still decides (SQLite's write lock, the shop's row on
//! PostgreSQL): turns only order one server's own requests, so several
//! servers stay correct. Shops share a fixed number of turns by their id, so
//! the table never grows; two shops that share one wait for each other's
//! writes, which take milliseconds.

use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::{Store, StoreError};

/// How many turns shops share.
const TURNS: usize = 64;

/// The turns of one server's store.
#[derive(Debug)]
pub(super) struct Turns(Vec<Arc<Mutex<()>>>);

impl Default for Turns {
    fn default() -> Self {
        Self((0..TURNS).map(|_| Arc::new(Mutex::new(()))).collect())
    }
}

/// A shop's turn, held until dropped.
#[derive(Debug)]
pub struct ShopTurn(#[allow(dead_code)] OwnedMutexGuard<()>);

impl Store {
    /// Waits for the shop's turn. The store's writes that hold a shop take it
    /// themselves; a caller takes it only around work of its own between two
    /// of them (the console hashes a new key between `key_room` and
    /// `insert_key`, which do not take it), and never while calling another.
    pub async fn shop_turn(&self, shop_id: i64) -> ShopTurn {
        let at = usize::try_from(shop_id.rem_euclid(TURNS as i64)).unwrap_or_default();
        ShopTurn(self.turns.0[at].clone().lock_owned().await)
    }

    /// The shop's turn, then a connection to hold the shop with.
    pub(super) async fn shop_conn(
        &self,
        shop_id: i64,
    ) -> Result<(ShopTurn, sqlx::pool::PoolConnection<sqlx::Any>), StoreError> {
        let turn = self.shop_turn(shop_id).await;
        Ok((turn, self.pool.acquire().await?))
    }
}
