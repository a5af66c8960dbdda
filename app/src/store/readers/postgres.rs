//! PostgreSQL lookups, through connections apart from the main pool.
//!
//! sqlx's pool checks a connection with a round trip to the database when it
//! hands it out and again when it takes it back. For a lookup, one short indexed
//! read, those two checks cost as much as the query itself (docs/benchmarks.md).
//! These connections are handed out unchecked; one whose query fails is thrown
//! away instead of returned, and the next lookup opens a fresh one, so a
//! database restart costs each dead connection one failed statement (one
//! lookup, or the lookups asked together in it), not more.
//! They speak PostgreSQL directly (not through sqlx's `Any` driver), so rows
//! are read without a conversion.
//!
//! Lookups are asked together when they queue. A lookup joins a queue that one
//! task per connection answers: a task takes the first lookup waiting and every
//! other one waiting behind it (at most [`MOST_AT_ONCE`]), and asks them in one
//! statement ([`LOOKUP_MANY`]). At rest every lookup finds a task waiting and is
//! asked alone ([`LOOKUP`]), with nothing added to its time; under load a round
//! trip to the database answers many. Each lookup gets only its own row back, by
//! its position in the batch.
//!
//! These connections plan each statement once ([`PLAN_ONCE`]). Their
//! parameters are keys that an index finds whatever their values, so a plan
//! made for the values of one lookup is the same plan; PostgreSQL otherwise
//! makes five such plans per statement and connection, and goes on making them
//! for a statement whose generic plan it judges no cheaper, at several times
//! the cost of running the statement (docs/benchmarks.md).

use super::{ReaderError, LOOKUP, LOOKUP_MANY};
use crate::store::PoolStatus;
use deadpool::managed::{self, Metrics, Object, RecycleResult};
use deadpool::Runtime;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::ConnectOptions;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Mutex};

/// The most lookups asked in one statement.
const MOST_AT_ONCE: usize = 64;
/// The most lookups waiting for a task; a lookup that finds the queue full waits
/// for room as long as it would wait for a connection.
const QUEUE: usize = 4096;

/// What each lookup connection runs when it opens (see the module's notes).
const PLAN_ONCE: &str = "SET plan_cache_mode = force_generic_plan";

/// Opens read connections to one database.
#[derive(Debug)]
pub struct Opener {
    options: PgConnectOptions,
}

impl managed::Manager for Opener {
    type Type = PgConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<PgConnection, sqlx::Error> {
        use sqlx::Executor;
        let mut conn = self.options.clone().disable_statement_logging().connect().await?;
        // Set once the connection is open, not as a startup option, which
        // PgBouncer refuses unless told to ignore it.
        conn.execute(PLAN_ONCE).await?;
        Ok(conn)
    }

    async fn recycle(&self, _conn: &mut PgConnection, _: &Metrics) -> RecycleResult<sqlx::Error> {
        // No check: a connection comes back here only after its query succeeded.
        Ok(())
    }
}

type Pool = managed::Pool<Opener>;
type Answer = Result<Option<String>, ReaderError>;

/// One lookup waiting in the queue, with where its answer goes.
struct Ask {
    slug: String,
    number_key: String,
    email_key: String,
    answer: oneshot::Sender<Answer>,
}

/// Read connections for lookups, at most `size` at once, and the queue to them.
#[derive(Debug, Clone)]
pub struct PgReaders {
    pool: Pool,
    /// None when the store was opened outside a Tokio runtime (no tasks to answer).
    queue: Option<mpsc::Sender<Ask>>,
    timeout: Duration,
    /// The most lookups a task has taken from the queue at once (the tests read it).
    #[cfg_attr(not(test), allow(dead_code))]
    largest_batch: Arc<AtomicUsize>,
}

impl PgReaders {
    /// Up to `size` connections to `url`; waiting for one, or opening one, gives up
    /// after `timeout`. Starts one task per connection on the current runtime.
    pub fn new(url: &str, size: u32, timeout: Duration) -> Result<PgReaders, ReaderError> {
        use std::str::FromStr;
        let options = PgConnectOptions::from_str(url).map_err(|e| ReaderError(e.to_string()))?;
        let pool = Pool::builder(Opener { options })
            .max_size(size as usize)
            .wait_timeout(Some(timeout))
            .create_timeout(Some(timeout))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| ReaderError(e.to_string()))?;
        let largest_batch = Arc::new(AtomicUsize::new(0));
        let queue = tokio::runtime::Handle::try_current().ok().map(|runtime| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            let receiver = Arc::new(Mutex::new(receiver));
            for _ in 0..size.max(1) {
                runtime.spawn(answer_queue(pool.clone(), receiver.clone(), largest_batch.clone()));
            }
            sender
        });
        Ok(PgReaders {
            pool,
            queue,
            timeout,
            largest_batch,
        })
    }

    pub async fn check(&self) -> Result<(), ReaderError> {
        get(&self.pool).await.map(drop)
    }

    /// The view for one lookup: through the queue, or asked here when no task can
    /// take it (the runtime that started them has ended).
    pub async fn shopper_view(&self, slug: &str, number_key: &str, email_key: &str) -> Answer {
        let Some(queue) = &self.queue else {
            return ask_alone(&self.pool, slug, number_key, email_key).await;
        };
        let (answer, answered) = oneshot::channel();
        let ask = Ask {
            slug: slug.to_owned(),
            number_key: number_key.to_owned(),
            email_key: email_key.to_owned(),
            answer,
        };
        match tokio::time::timeout(self.timeout, queue.send(ask)).await {
            Ok(Ok(())) => {}
            Ok(Err(_closed)) => return ask_alone(&self.pool, slug, number_key, email_key).await,
            Err(_elapsed) => return Err(ReaderError("too many lookups waiting".into())),
        }
        answered
            .await
            .map_err(|_| ReaderError("the lookup was dropped unanswered".into()))?
    }

    pub fn status(&self) -> PoolStatus {
        let status = self.pool.status();
        PoolStatus::of(
            status.size.saturating_sub(status.available),
            status.available,
            status.max_size,
        )
    }

    /// The columns of the statement that asks lookups together (its parameters are
    /// arrays, which only a direct PostgreSQL connection describes).
    #[cfg(test)]
    pub async fn columns_asked_together(&self) -> Vec<String> {
        use sqlx::{Column, Executor};
        let mut conn = get(&self.pool).await.unwrap();
        let described = (&mut *conn).describe(LOOKUP_MANY).await.unwrap();
        described.columns().iter().map(|c| c.name().to_owned()).collect()
    }

    /// A setting of a lookup connection, as the server reports it.
    #[cfg(test)]
    pub async fn setting(&self, name: &str) -> String {
        let mut conn = get(&self.pool).await.unwrap();
        sqlx::query_scalar("SELECT current_setting($1)")
            .bind(name)
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    }

    /// The most lookups asked together so far.
    #[cfg(test)]
    pub fn largest_batch(&self) -> usize {
        self.largest_batch.load(Ordering::Relaxed)
    }

    /// Closes the pool: waiting and later lookups fail.
    pub fn close(&self) {
        self.pool.close();
    }
}

async fn get(pool: &Pool) -> Result<Object<Opener>, ReaderError> {
    pool.get().await.map_err(|e| ReaderError(e.to_string()))
}

/// One task's loop: take what waits, ask it, answer each lookup; until every
/// sender is gone.
async fn answer_queue(pool: Pool, queue: Arc<Mutex<mpsc::Receiver<Ask>>>, largest: Arc<AtomicUsize>) {
    let mut batch = Vec::with_capacity(MOST_AT_ONCE);
    loop {
        {
            let mut queue = queue.lock().await;
            if queue.recv_many(&mut batch, MOST_AT_ONCE).await == 0 {
                return;
            }
        }
        largest.fetch_max(batch.len(), Ordering::Relaxed);
        // A shopper who has gone needs no answer.
        batch.retain(|ask: &Ask| !ask.answer.is_closed());
        match ask_together(&pool, &batch).await {
            Ok(views) => {
                for (ask, view) in batch.drain(..).zip(views) {
                    let _gone = ask.answer.send(Ok(view));
                }
            }
            Err(e) => {
                for ask in batch.drain(..) {
                    let _gone = ask.answer.send(Err(ReaderError(e.0.clone())));
                }
            }
        }
    }
}

/// The views for a batch, in its order: one statement for all of them.
async fn ask_together(pool: &Pool, batch: &[Ask]) -> Result<Vec<Option<String>>, ReaderError> {
    match batch {
        [] => Ok(Vec::new()),
        [one] => Ok(vec![ask_alone(pool, &one.slug, &one.number_key, &one.email_key).await?]),
        many => {
            let column = |f: fn(&Ask) -> &str| many.iter().map(f).collect::<Vec<&str>>();
            let asked = Asked::Many(column(|a| &a.slug), column(|a| &a.number_key), column(|a| &a.email_key));
            let Found::Many(rows) = on_a_live_connection(pool, &asked).await? else {
                return Err(ReaderError("a batch answered as one lookup".into()));
            };
            let mut views = vec![None; many.len()];
            for (position, view) in rows {
                let slot = usize::try_from(position - 1).ok().and_then(|i| views.get_mut(i));
                if let Some(slot) = slot {
                    *slot = view;
                }
            }
            Ok(views)
        }
    }
}

/// One lookup, asked on its own.
async fn ask_alone(pool: &Pool, slug: &str, number_key: &str, email_key: &str) -> Answer {
    match on_a_live_connection(pool, &Asked::One(slug, number_key, email_key)).await? {
        Found::One(view) => Ok(view.flatten()),
        Found::Many(_) => Err(ReaderError("one lookup answered as a batch".into())),
    }
}

/// A lookup's statement: one (shop, number key, email key), or a batch of them.
enum Asked<'a> {
    One(&'a str, &'a str, &'a str),
    Many(Vec<&'a str>, Vec<&'a str>, Vec<&'a str>),
}

/// What a statement found: one view (if any row, and its view if any), or a
/// batch's rows (position in the batch, view).
enum Found {
    One(Option<Option<String>>),
    Many(Vec<(i64, Option<String>)>),
}

impl Asked<'_> {
    async fn run(&self, conn: &mut PgConnection) -> Result<Found, sqlx::Error> {
        match self {
            Asked::One(slug, number_key, email_key) => sqlx::query_scalar::<_, Option<String>>(LOOKUP)
                .bind(slug)
                .bind(number_key)
                .bind(email_key)
                .fetch_optional(conn)
                .await
                .map(Found::One),
            Asked::Many(slugs, numbers, emails) => sqlx::query_as::<_, (i64, Option<String>)>(LOOKUP_MANY)
                .bind(slugs)
                .bind(numbers)
                .bind(emails)
                .fetch_all(conn)
                .await
                .map(Found::Many),
        }
    }
}

/// Runs a lookup's statement on a pooled connection. A connection whose
/// statement failed is never used again; one found gone (the database
/// restarted, or ended its session) is dropped and the statement asked again
/// on the next, up to once per connection the pool may hold and once more: the
/// connections a restart left dead then cost no shopper a lookup, and a
/// database that is down still fails at once (no connection opens).
async fn on_a_live_connection(pool: &Pool, asked: &Asked<'_>) -> Result<Found, ReaderError> {
    let mut tries = pool.status().max_size + 1;
    loop {
        let mut conn = get(pool).await?;
        match asked.run(&mut conn).await {
            Ok(found) => return Ok(found),
            Err(e) => {
                drop(Object::take(conn));
                tries -= 1;
                if tries == 0 || !crate::store::connection_gone(&e) {
                    return Err(ReaderError(e.to_string()));
                }
            }
        }
    }
}
