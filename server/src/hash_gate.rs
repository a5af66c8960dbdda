//! Bounds the Argon2 work that requests can cause, in two lanes.
//!
//! Each hash takes about 19 MiB and a core for tens of milliseconds. The open
//! lane runs at most `running` hashes at once and admits at most `admitted`
//! requests running or queued; a request beyond that, or one that waited
//! `patience`, is turned away ([`Busy`]) without hashing anything. A hash holds
//! its places until it ends, even if its request was dropped.
//!
//! Every client stays within its own allowance of failures, so a flood from
//! thousands of addresses can still keep the open lane full. A request the
//! server has a reason to believe runs in the known lane, which has places of
//! its own: a sign-in from a browser the account has signed in with (its
//! known-browser tag, which only a right password made), and an API key whose
//! prefix is a stored key's (a made-up key's is not). A merchant at their own
//! browser, and a shop's integration, are then not turned away by a flood of
//! strangers. What the known lane costs is bounded the same way, and an
//! account's or a client's failures there count as anywhere else. One owner
//! (a shop, by its keys; an account, by its browsers) holds at most
//! [`PER_OWNER`] of the known lane's places at once, and waits in the open lane
//! beyond that: whoever holds one shop's key prefix, or one account's browser,
//! cannot fill the lane for every other shop and account.

use app::shares::{Share, Shares};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The known lane's places one owner may hold at once.
pub const PER_OWNER: u32 = 2;

/// Hashes at once and requests admitted, for one lane.
struct Places {
    running: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
}

impl Places {
    fn new(running: usize, admitted: usize) -> Places {
        let running = running.max(1);
        Places {
            running: Arc::new(Semaphore::new(running)),
            admitted: Arc::new(Semaphore::new(admitted.max(running))),
        }
    }
}

/// Which lane a hash runs in (see the module's notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    Open,
    /// For this owner: a shop (its keys) or an account (its browsers), by a
    /// number that tells them apart ([`owner`]).
    Known(u64),
}

/// The number of an owner of the known lane's places: `kind` (`"shop"`,
/// `"account"`) and its id, hashed.
pub fn owner(kind: &str, id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (kind, id).hash(&mut hasher);
    hasher.finish()
}

/// The gate: an open lane and a known lane, and one patience.
pub struct HashGate {
    open: Places,
    known: Places,
    /// Places in the known lane held by each owner, at most [`PER_OWNER`].
    held: Shares<u64>,
    patience: std::time::Duration,
    hashes: AtomicU64,
}

/// The hashing gate is full: try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl HashGate {
    /// A gate whose lanes each run `running` hashes at once with room for
    /// `admitted` requests in all.
    pub fn new(running: usize, admitted: usize, patience: std::time::Duration) -> HashGate {
        HashGate {
            open: Places::new(running, admitted),
            known: Places::new(running, admitted),
            held: Shares::new(PER_OWNER),
            patience,
            hashes: AtomicU64::new(0),
        }
    }

    /// The same gate with a known lane of `running` hashes at once and `admitted` requests.
    pub fn with_known_lane(mut self, running: usize, admitted: usize) -> HashGate {
        self.known = Places::new(running, admitted);
        self
    }

    /// Each lane: one hash per core at once, eight requests per core admitted;
    /// two seconds' patience. (So at most two hashes per core at once, about
    /// 38 MiB a core, when both lanes are full.)
    pub fn for_this_machine() -> HashGate {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        HashGate::new(cores, 8 * cores, std::time::Duration::from_secs(2))
    }

    /// Runs `job` (a hash) in the open lane, on a blocking thread, once the gate lets it in.
    pub async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
        self.run_in(Lane::Open, job).await
    }

    /// Runs `job` in `lane`, on a blocking thread, once the lane lets it in.
    pub async fn run_in<T: Send + 'static>(
        &self,
        lane: Lane,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        // An owner past its share of the known lane waits in the open one.
        let owned = match lane {
            Lane::Known(owner) => self.take_owner_place(owner),
            Lane::Open => None,
        };
        let places = if owned.is_some() { &self.known } else { &self.open };
        let admitted = places.admitted.clone().try_acquire_owned().map_err(|_| Busy)?;
        let running = tokio::time::timeout(self.patience, places.running.clone().acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        self.hashes.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("lookout_key_hashes_total").increment(1);
        tokio::task::spawn_blocking(move || {
            let out = job();
            drop((running, admitted, owned));
            out
        })
        .await
        .map_err(|_| Busy)
    }

    fn take_owner_place(&self, owner: u64) -> Option<Share<u64>> {
        self.held.take(owner, 1)
    }

    /// How many hashes this gate has let run.
    pub fn hashes(&self) -> u64 {
        self.hashes.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// Occupies one running place of `lane` until the returned sender is used.
    async fn hold(
        gate: &Arc<HashGate>,
        lane: Lane,
    ) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<Result<(), Busy>>) {
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let gate = gate.clone();
        let task = tokio::spawn(async move {
            gate.run_in(lane, move || {
                let _ = started_tx.send(());
                let _ = release_rx.recv();
            })
            .await
        });
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        (release_tx, task)
    }

    #[tokio::test]
    async fn the_hash_gate_turns_away_what_it_cannot_admit() {
        let gate = Arc::new(HashGate::new(1, 2, Duration::from_secs(1)));
        let (release, running) = hold(&gate, Lane::Open).await;
        // One running, one queued: a third is turned away at once, without hashing.
        let queued = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.run(|| 7).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        assert_eq!(gate.run(|| ()).await, Err(Busy));
        assert!(started.elapsed() < Duration::from_millis(500));
        release.send(()).unwrap();
        running.await.unwrap().unwrap();
        assert_eq!(queued.await.unwrap(), Ok(7));
        // A queued request waits its patience out, then is turned away.
        let (release, running) = hold(&gate, Lane::Open).await;
        let started = Instant::now();
        assert_eq!(gate.run(|| ()).await, Err(Busy));
        assert!(started.elapsed() >= Duration::from_secs(1));
        release.send(()).unwrap();
        running.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn the_known_lane_runs_while_strangers_fill_the_open_one_and_is_bounded_itself() {
        let gate = Arc::new(HashGate::new(1, 1, Duration::from_millis(200)).with_known_lane(1, 1));
        let (open_release, open_running) = hold(&gate, Lane::Open).await;
        assert_eq!(gate.run(|| ()).await, Err(Busy), "the open lane is full");
        assert_eq!(gate.run_in(Lane::Known(1), || 5).await, Ok(5), "the known lane is not");
        // Full in its turn, it turns away as the open lane does.
        let (known_release, known_running) = hold(&gate, Lane::Known(1)).await;
        assert_eq!(gate.run_in(Lane::Known(1), || ()).await, Err(Busy));
        for (release, running) in [(open_release, open_running), (known_release, known_running)] {
            release.send(()).unwrap();
            running.await.unwrap().unwrap();
        }
        assert_eq!(gate.hashes(), 3);
    }

    #[tokio::test]
    async fn one_owner_holds_at_most_its_share_of_the_known_lane() {
        let gate = Arc::new(HashGate::new(1, 1, Duration::from_millis(200)).with_known_lane(4, 4));
        let (open_release, open_running) = hold(&gate, Lane::Open).await;
        // Owner 1 takes its two known places; a third of its hashes goes to the
        // open lane, which is full: turned away.
        let mine = [hold(&gate, Lane::Known(1)).await, hold(&gate, Lane::Known(1)).await];
        assert_eq!(gate.run_in(Lane::Known(1), || ()).await, Err(Busy));
        // Another owner still gets in.
        assert_eq!(gate.run_in(Lane::Known(2), || 9).await, Ok(9));
        for (release, running) in mine.into_iter().chain([(open_release, open_running)]) {
            release.send(()).unwrap();
            running.await.unwrap().unwrap();
        }
        // Its places given back, owner 1 is in again.
        assert_eq!(gate.run_in(Lane::Known(1), || 3).await, Ok(3));
    }
}
