//! API keys verified recently, and verifications under way.
//!
//! Argon2 runs for a key about once a minute at most. A key that verified is
//! remembered for [`CACHE_SECS`]; while one is being verified, the other
//! requests presenting it wait for that verification instead of each taking a
//! place at the hashing gate. (Before, a platform opening 16 connections with
//! a fresh key filled a one-core gate and half of them were turned away.)
//! Keys are held by their SHA-256, never as text.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::watch;

/// How long a verified key is trusted without hashing it again. A revoked key stops
/// working within this time on every server, and at once on the server whose
/// console revoked it ([`VerifiedKeys::forget`]).
pub const CACHE_SECS: u64 = 60;

/// Verifications followed at once. Beyond it a request verifies on its own, as if
/// nobody else presented its key: the hashing gate still bounds what that costs.
const FLIGHTS: usize = 1024;

/// Remembered keys beyond which the expired ones are swept out.
const SWEEP_AT: usize = 10_000;

type Digest = [u8; 32];

/// What a verification found: the key's shop, or `None` for a key that is not valid.
pub type Found = Option<i64>;

/// Where a verification's answer appears for those waiting on it.
type Answer = watch::Receiver<Option<Found>>;

/// Keys verified recently (by digest, with their shop and when) and the
/// verifications under way (by digest, with where their answer will appear).
pub struct VerifiedKeys {
    known: Mutex<HashMap<Digest, Remembered>>,
    /// Each with [`VerifiedKeys::forgotten`] when it began.
    flights: Mutex<HashMap<Digest, (u64, Answer)>>,
    flights_cap: usize,
    /// Keys forgotten so far: a verification that began before a key was
    /// forgotten (its key read before the key was revoked) answers its
    /// requests but is not remembered. Changed and read under `known`'s lock.
    forgotten: AtomicU64,
}

impl Default for VerifiedKeys {
    fn default() -> Self {
        VerifiedKeys::with_flights(FLIGHTS)
    }
}

/// A key verified: its shop, its prefix (which names it, as the console
/// lists it) and when.
struct Remembered {
    shop_id: i64,
    prefix: String,
    at: Instant,
}

impl Remembered {
    fn fresh(&self) -> bool {
        self.at.elapsed().as_secs() < CACHE_SECS
    }
}

/// What a request presenting a key does next.
pub enum Turn {
    /// The key verified within [`CACHE_SECS`]: its shop.
    Known(i64),
    /// Another request is verifying the key: wait for its answer.
    Wait(Waiting),
    /// Verify the key, then [`Flight::land`] with what was found.
    Verify(Flight),
}

/// A place in the queue behind another request's verification.
pub struct Waiting(watch::Receiver<Option<Found>>);

impl Waiting {
    /// What the other request found, or `None` if it ended without an answer
    /// (its store read failed, the gate turned it away, or its client hung up).
    pub async fn answer(mut self) -> Option<Found> {
        self.0.wait_for(Option::is_some).await.ok().and_then(|found| *found)
    }
}

/// A verification this request owes the others. Dropped without landing, it
/// tells them there is no answer.
pub struct Flight {
    keys: Arc<VerifiedKeys>,
    digest: Digest,
    prefix: String,
    /// [`VerifiedKeys::forgotten`] when the verification began.
    since: u64,
    /// `None` when nobody can be waiting (too many verifications under way).
    answer: Option<watch::Sender<Option<Found>>>,
}

impl Flight {
    /// Remembers a valid key, then gives everyone waiting what was found.
    pub fn land(mut self, found: Found) {
        if let Some(shop_id) = found {
            self.keys
                .remember(self.digest, shop_id, std::mem::take(&mut self.prefix), self.since);
        }
        if let Some(answer) = self.answer.take() {
            answer.send_replace(Some(found));
            self.keys.end_flight(&self.digest);
        }
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        if self.answer.take().is_some() {
            self.keys.end_flight(&self.digest);
        }
    }
}

impl VerifiedKeys {
    /// Keys remembered, with room for `cap` verifications followed at once.
    pub fn with_flights(cap: usize) -> VerifiedKeys {
        VerifiedKeys {
            known: Mutex::default(),
            flights: Mutex::default(),
            flights_cap: cap,
            forgotten: AtomicU64::new(0),
        }
    }

    fn digest(key: &str) -> Digest {
        use sha2::Digest;
        sha2::Sha256::digest(key.as_bytes()).into()
    }

    /// The shop of a key verified within [`CACHE_SECS`], if any.
    pub fn get(&self, key: &str) -> Option<i64> {
        self.known_shop(&Self::digest(key))
    }

    fn known_shop(&self, digest: &Digest) -> Option<i64> {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known.get(digest).filter(|r| r.fresh()).map(|r| r.shop_id)
    }

    /// Remembers a key verified by a verification that began when
    /// [`VerifiedKeys::forgotten`] was `since`, unless a key was forgotten since.
    fn remember(&self, digest: Digest, shop_id: i64, prefix: String, since: u64) {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if self.forgotten.load(Ordering::SeqCst) != since {
            return;
        }
        if known.len() > SWEEP_AT {
            known.retain(|_, r| r.fresh());
        }
        let at = Instant::now();
        known.insert(digest, Remembered { shop_id, prefix, at });
    }

    /// Forgets a shop's key named by its prefix: revoked, it is refused from
    /// the next request on (this server's; others within [`CACHE_SECS`]),
    /// including a verification under way that read it before it was revoked:
    /// that one answers its own requests but is not remembered.
    pub fn forget(&self, shop_id: i64, prefix: &str) {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        self.forgotten.fetch_add(1, Ordering::SeqCst);
        known.retain(|_, r| !(r.shop_id == shop_id && r.prefix == prefix));
    }

    fn end_flight(&self, digest: &Digest) {
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        flights.remove(digest);
    }

    /// What a request presenting `key` does: take the key's shop from memory,
    /// wait for a verification under way, or verify it (and answer the others).
    pub fn turn(self: &Arc<Self>, key: &str) -> Turn {
        let digest = Self::digest(key);
        if let Some(shop_id) = self.known_shop(&digest) {
            return Turn::Known(shop_id);
        }
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        // A flight lands (remembering its key) before it ends: look again under the lock.
        if let Some(shop_id) = self.known_shop(&digest) {
            return Turn::Known(shop_id);
        }
        let since = self.forgotten.load(Ordering::SeqCst);
        let answer = match flights.get(&digest) {
            // A verification under way that began before a key was forgotten
            // may have read this key before it was revoked: its answer is not
            // this request's, which verifies on its own.
            Some((began, _)) if *began != since => None,
            Some((_, answer)) => return Turn::Wait(Waiting(answer.clone())),
            None => (flights.len() < self.flights_cap).then(|| {
                let (sender, receiver) = watch::channel(None);
                flights.insert(digest, (since, receiver));
                sender
            }),
        };
        Turn::Verify(Flight {
            keys: self.clone(),
            digest,
            prefix: prefix(key),
            since,
            answer,
        })
    }

    /// A verification of `key` that nobody waits for.
    pub fn alone(self: &Arc<Self>, key: &str) -> Flight {
        Flight {
            keys: self.clone(),
            digest: Self::digest(key),
            prefix: prefix(key),
            since: self.forgotten.load(Ordering::SeqCst),
            answer: None,
        }
    }

    /// Verifications under way that others can wait for.
    pub fn flights(&self) -> usize {
        self.flights.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// The prefix of a key of the right shape (others never verify).
fn prefix(key: &str) -> String {
    crate::keys::prefix_of(key).unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "lk_0123456789abcdef_0000000000000000000000000000000000000000000000000000000000000000";

    #[tokio::test]
    async fn one_request_verifies_and_the_others_wait_for_its_answer() {
        let keys = Arc::new(VerifiedKeys::default());
        let Turn::Verify(flight) = keys.turn(KEY) else {
            panic!("the first request verifies")
        };
        let waiting: Vec<Waiting> = (0..3)
            .map(|_| match keys.turn(KEY) {
                Turn::Wait(w) => w,
                _ => panic!("the others wait"),
            })
            .collect();
        let answers = tokio::spawn(async move {
            let mut all = Vec::new();
            for w in waiting {
                all.push(w.answer().await);
            }
            all
        });
        flight.land(Some(7));
        assert_eq!(answers.await.unwrap(), vec![Some(Some(7)); 3]);
        assert_eq!(keys.flights(), 0);
        assert!(matches!(keys.turn(KEY), Turn::Known(7)));
    }

    #[tokio::test]
    async fn an_invalid_key_is_answered_to_the_waiting_but_not_remembered() {
        let keys = Arc::new(VerifiedKeys::default());
        let Turn::Verify(flight) = keys.turn(KEY) else { panic!() };
        let Turn::Wait(waiting) = keys.turn(KEY) else { panic!() };
        flight.land(None);
        assert_eq!(waiting.answer().await, Some(None));
        assert!(
            matches!(keys.turn(KEY), Turn::Verify(_)),
            "the next request verifies again"
        );
    }

    #[tokio::test]
    async fn a_verification_dropped_without_an_answer_frees_those_waiting() {
        let keys = Arc::new(VerifiedKeys::default());
        let Turn::Verify(flight) = keys.turn(KEY) else { panic!() };
        let Turn::Wait(waiting) = keys.turn(KEY) else { panic!() };
        drop(flight);
        assert_eq!(waiting.answer().await, None);
        assert_eq!(keys.flights(), 0);
        assert!(matches!(keys.turn(KEY), Turn::Verify(_)));
    }

    #[tokio::test]
    async fn verifications_followed_at_once_are_capped() {
        let keys = Arc::new(VerifiedKeys::with_flights(2));
        let key = |i: usize| format!("lk_{i:016x}_{}", "0".repeat(64));
        let held: Vec<Turn> = (0..5).map(|i| keys.turn(&key(i))).collect();
        assert_eq!(keys.flights(), 2);
        // Beyond the cap a request verifies alone: the next with its key does too.
        assert!(matches!(keys.turn(&key(4)), Turn::Verify(_)));
        assert!(matches!(keys.turn(&key(0)), Turn::Wait(_)));
        drop(held);
        assert_eq!(keys.flights(), 0);
        // A key verified alone is still remembered.
        keys.alone(&key(9)).land(Some(3));
        assert_eq!(keys.get(&key(9)), Some(3));
    }

    #[tokio::test]
    async fn a_key_forgotten_by_its_prefix_is_verified_again_and_no_other_is() {
        let keys = Arc::new(VerifiedKeys::default());
        let other = format!("lk_{}_{}", "f".repeat(16), "1".repeat(64));
        keys.alone(KEY).land(Some(7));
        keys.alone(&other).land(Some(7));
        // Another shop's key of that prefix (there is none; a prefix is unique)
        // would not be forgotten: the shop is part of the name.
        keys.forget(8, "0123456789abcdef");
        assert_eq!(keys.get(KEY), Some(7));
        keys.forget(7, "0123456789abcdef");
        assert_eq!(keys.get(KEY), None);
        assert!(matches!(keys.turn(KEY), Turn::Verify(_)));
        assert_eq!(keys.get(&other), Some(7), "the shop's other key is still known");
    }

    #[tokio::test]
    async fn a_verification_under_way_when_its_key_is_forgotten_answers_but_is_not_remembered() {
        let keys = Arc::new(VerifiedKeys::default());
        // Its key read as live; then revoked in the console, before it lands.
        let Turn::Verify(flight) = keys.turn(KEY) else { panic!() };
        let Turn::Wait(waiting) = keys.turn(KEY) else { panic!() };
        keys.forget(7, "0123456789abcdef");
        flight.land(Some(7));
        assert_eq!(waiting.answer().await, Some(Some(7)), "those waiting began before");
        assert_eq!(keys.get(KEY), None);
        assert!(
            matches!(keys.turn(KEY), Turn::Verify(_)),
            "the next request verifies again"
        );
        // One that began after is remembered.
        let Turn::Verify(flight) = keys.turn(KEY) else { panic!() };
        flight.land(Some(7));
        assert_eq!(keys.get(KEY), Some(7));
    }

    #[tokio::test]
    async fn a_request_after_its_key_is_forgotten_does_not_wait_for_a_verification_begun_before() {
        let keys = Arc::new(VerifiedKeys::default());
        let Turn::Verify(before) = keys.turn(KEY) else { panic!() };
        keys.forget(7, "0123456789abcdef");
        // It verifies on its own (its store read sees the key revoked).
        let Turn::Verify(after) = keys.turn(KEY) else {
            panic!("a request after the revoke waited for the answer of one before it")
        };
        after.land(None);
        before.land(Some(7));
        assert_eq!(keys.get(KEY), None);
        assert_eq!(keys.flights(), 0);
        // Once those have ended, requests wait for each other again.
        let Turn::Verify(_first) = keys.turn(KEY) else { panic!() };
        assert!(matches!(keys.turn(KEY), Turn::Wait(_)));
    }
}
