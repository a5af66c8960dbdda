//! What people's pages may hold of the database at once: the merchant
//! console's pages and forms, and a shopper's page of orders from a mailed
//! link. Each reads as much as its shop has (a shopper's thousands of orders, a
//! long audit log), on the pool that also takes orders from the API and
//! answers `/readyz`; a browser that asks for two hundred of them at once must
//! not take every connection from those.
//!
//! The console and the link pages have a lane each, so that a flood of
//! shoppers' link pages (from many addresses) never makes a merchant's console
//! wait, nor the reverse: the console's at most [`places`] requests at once
//! (half the pool, at least one), the link pages' at most [`link_places`] (a
//! quarter, at least one), so that together they leave the API's writes and
//! `/readyz` a connection. In each, one client (an address, as the limits count them: not a cookie,
//! which anyone can make up) holds at most half of them ([`per_owner`]): its
//! other requests wait their turn behind its own, so a burst from one browser
//! delays that browser, not another merchant's. A form's body is read before
//! its turn is taken, so a slow sender holds no place. A request that waited
//! [`PATIENCE`] is answered "busy" (503 with `Retry-After`) having read and
//! done nothing. The console's stylesheet and script read no database and
//! never wait. The table of owners is capped ([`MAX_OWNERS`]); owners beyond it
//! share one place of their own.

use crate::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a request waits for a place before it is answered "busy".
pub const PATIENCE: Duration = Duration::from_secs(3);
/// The owners followed at once; beyond them, owners share one place.
pub const MAX_OWNERS: usize = 4096;

/// The console's places of a pool of `pool` connections: half of it, at least one.
pub fn places(pool: usize) -> usize {
    (pool / 2).max(1)
}

/// The link pages' places of a pool of `pool` connections: a quarter of it, at least one.
pub fn link_places(pool: usize) -> usize {
    (pool / 4).max(1)
}

/// The two lanes of a server.
pub struct Lanes {
    pub console: PageLane,
    pub links: PageLane,
}

impl Lanes {
    /// The lanes for a pool of `pool` connections.
    pub fn for_pool(pool: usize) -> Lanes {
        Lanes {
            console: PageLane::new(places(pool), PATIENCE),
            links: PageLane::new(link_places(pool), PATIENCE),
        }
    }
}

/// The places one owner may hold of a lane of `places`: half of them, at
/// least one, so that one client never holds a lane of two or more alone.
pub fn per_owner(places: usize) -> usize {
    (places / 2).max(1)
}

/// The lane (see the module's notes).
pub struct PageLane {
    places: Arc<Semaphore>,
    per_owner: usize,
    owners: Mutex<HashMap<u64, Arc<Semaphore>>>,
    /// Owners by a hash of their own, keyed at random.
    keys: RandomState,
    /// The place shared by the owners beyond [`MAX_OWNERS`].
    strangers: Arc<Semaphore>,
    patience: Duration,
}

/// A request's places, given back when it is answered (or dropped).
pub struct Pass {
    _own: OwnedSemaphorePermit,
    _shared: OwnedSemaphorePermit,
}

impl PageLane {
    pub fn new(places: usize, patience: Duration) -> PageLane {
        let places = places.max(1);
        PageLane {
            places: Arc::new(Semaphore::new(places)),
            per_owner: per_owner(places),
            owners: Mutex::new(HashMap::new()),
            keys: RandomState::new(),
            strangers: Arc::new(Semaphore::new(1)),
            patience,
        }
    }

    /// A place for a request of `owner`, once its owner's earlier requests and
    /// the lane have room; `None` when that took longer than the patience.
    pub async fn enter(&self, owner: impl Hash) -> Option<Pass> {
        let own = self.owner(owner);
        let places = self.places.clone();
        let wait = async move {
            let own = own.acquire_owned().await.ok()?;
            let shared = places.acquire_owned().await.ok()?;
            Some(Pass {
                _own: own,
                _shared: shared,
            })
        };
        tokio::time::timeout(self.patience, wait).await.ok().flatten()
    }

    /// The owner's semaphore, made on its first request; the owners no request
    /// holds or waits for are let go when the table is full.
    fn owner(&self, owner: impl Hash) -> Arc<Semaphore> {
        let key = self.keys.hash_one(owner);
        let mut owners = self.owners.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(own) = owners.get(&key) {
            return own.clone();
        }
        if owners.len() >= MAX_OWNERS {
            owners.retain(|_, own| Arc::strong_count(own) > 1);
        }
        if owners.len() >= MAX_OWNERS {
            return self.strangers.clone();
        }
        owners
            .entry(key)
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_owner)))
            .clone()
    }

    /// The owners followed now (for tests).
    pub fn owners(&self) -> usize {
        self.owners.lock().map_or(0, |o| o.len())
    }
}

/// A request of the console's pages and forms, in the lane; "busy" in the
/// browser's language when it waited too long. The stylesheet and the script
/// go by.
pub async fn console(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(req.uri().path(), "/console/console.css" | "/console/console.js") {
        return next.run(req).await;
    }
    held(&state, &state.pages.console, req, next, crate::console::busy).await
}

/// A request of a shopper's page of orders (or its forms), in the lane; "busy"
/// in the shopper's language when it waited too long.
pub async fn links(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let uri = req.uri().clone();
    let busy = |parts: &Parts| crate::links::busy(&state, &parts.headers, &uri);
    held(&state, &state.pages.links, req, next, busy).await
}

async fn held(
    state: &AppState,
    lane: &PageLane,
    req: Request,
    next: Next,
    busy: impl FnOnce(&Parts) -> Response,
) -> Response {
    let (mut parts, body) = req.into_parts();
    // The form first (the guard has bounded its size), then the turn.
    let body = match parts.method {
        Method::GET | Method::HEAD => body,
        _ => match axum::body::to_bytes(body, crate::guard::MAX_FORM_BODY as usize).await {
            Ok(bytes) => Body::from(bytes),
            Err(_) => return crate::guard::too_large(parts.uri.path(), &parts.headers),
        },
    };
    let client = state.client(&parts);
    // Found once: the page's handler asks again.
    parts.extensions.insert(client);
    let Some(pass) = lane.enter(client).await else {
        return busy(&parts);
    };
    let answer = next.run(Request::from_parts(parts, body)).await;
    drop(pass);
    answer
}

/// A place in the console's lane for a request no route's lane covers (the
/// console's "no such page", which may read the session): `None` when busy.
pub async fn enter_for(state: &AppState, parts: &Parts) -> Option<Pass> {
    state.pages.console.enter(state.client(parts)).await
}

#[cfg(test)]
mod tests;
