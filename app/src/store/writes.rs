//! Writing orders: every change to one order is one transaction that locks the
//! order, reads it, applies the change, checks the result and writes it with its
//! shopper view (the projection, made once here rather than at every lookup), with
//! the platform delivery that caused it recorded in the same transaction.
//! Concurrent or retried deliveries can neither half-apply nor lose each other's
//! changes.

use super::decision::{Decision, PlatformOrder, PutOutcome, Updated};
use super::erased;
use super::lookup_id::lookup_id;
use super::order_lock::{hold_order, hold_orders};
use super::orders::DocSql;
use super::{begin_write, json, to_json, Backend, Store, StoreError};
use crate::errors::FieldError;
use crate::normalize::{email_key, order_number_key};
use crate::order::{by_time, is_older, Order, ValidOrder};
use crate::view::StoredView;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};

impl Store {
    /// Changes one order in one transaction: locks (shop, number key), records
    /// `delivery` (a platform's delivery id; seen before: `Duplicate`, nothing
    /// else happens), reads the stored order, asks `change` what to do with it
    /// and writes the result. A change that fails validation leaves everything as
    /// it was, the delivery unrecorded.
    pub async fn update_order<F>(
        &self,
        shop_id: i64,
        number_key: &str,
        delivery: Option<&str>,
        change: F,
    ) -> Result<Updated, StoreError>
    where
        F: FnOnce(Option<Order>) -> Result<Decision, Vec<FieldError>> + Send + 'static,
    {
        self.update_platform_order(shop_id, number_key, delivery, PlatformOrder::Unnamed, change)
            .await
    }

    /// [`Store::update_order`] for a platform's delivery that names one of
    /// the platform's orders (`platform`): `Erased`, doing nothing, when the
    /// shop erased that order (decided in the write's transaction, with the
    /// order held); for the order's own delivery, in the same transaction
    /// unless it was a duplicate, a link from the platform's id to the order
    /// (`shopify::link_on`), so that an erasure between the two cannot leave
    /// the link.
    pub async fn update_platform_order<F>(
        &self,
        shop_id: i64,
        number_key: &str,
        delivery: Option<&str>,
        platform: PlatformOrder,
        change: F,
    ) -> Result<Updated, StoreError>
    where
        F: FnOnce(Option<Order>) -> Result<Decision, Vec<FieldError>> + Send + 'static,
    {
        let (store, number_key, delivery) = (self.clone(), number_key.to_owned(), delivery.map(str::to_owned));
        self.written(async move {
            let _turn = store.order_turn(shop_id, &number_key).await?;
            let mut conn = store.pool.acquire().await?;
            let by = (Source::Platform(&platform), delivery.as_deref());
            update_on(&mut conn, store.backend, shop_id, &number_key, by, change).await
        })
        .await
    }

    /// Creates or replaces one order (the REST API's PUT): an order whose
    /// `updated_at` is older than the stored one's changes nothing (`Stale`).
    pub async fn put_order(&self, shop_id: i64, order: ValidOrder) -> Result<PutOutcome, StoreError> {
        let store = self.clone();
        self.written(async move {
            let _turn = store
                .order_turn(shop_id, &order_number_key(&order.order_number))
                .await?;
            let mut conn = store.pool.acquire().await?;
            put_on(&mut conn, store.backend, shop_id, order).await
        })
        .await
    }

    /// One connection kept for a run of writes (an import): each of its
    /// `put_order`s is still its own transaction, without the pool's checks of
    /// the connection around every order.
    pub async fn writer(&self) -> Result<Writer, StoreError> {
        Ok(Writer {
            conn: Some(self.pool.acquire().await?),
            store: self.clone(),
        })
    }

    /// Writes many orders in one transaction, replacing any stored order with the
    /// same number whatever its age: for loading generated or trusted bulk data,
    /// not for merchant updates (those go through `put_order`). It holds its
    /// orders as every write does, so a server writing them meanwhile waits.
    pub async fn replace_orders(&self, shop_id: i64, orders: Vec<ValidOrder>) -> Result<(), StoreError> {
        let store = self.clone();
        self.written(async move {
            let mut conn = store.pool.acquire().await?;
            let mut tx = begin_write(&mut conn, store.backend).await?;
            let keys: Vec<_> = orders.iter().map(|o| order_number_key(&o.order_number)).collect();
            hold_orders(&mut tx, store.backend, shop_id, keys.iter().map(|k| k.as_ref())).await?;
            let sql = store.backend.doc_sql();
            for (order, key) in orders.iter().zip(&keys) {
                let row = Row::of(order)?;
                let query = sqlx::query(sql.upsert).bind(shop_id).bind(key.as_ref());
                row.bind(query, sql, shop_id, key).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Runs `write` to its end on a task of its own, then tells lookups
    /// ([`Readers::wrote`](super::readers::Readers::wrote)), and answers what it
    /// did. A caller that stops waiting (a client gone, a request timed out)
    /// neither stops the write half-way nor leaves it untold: a lookup after it
    /// never reads a snapshot from before it. Every write of what lookups read
    /// goes through here, except the start-up's migrations and refills
    /// (`migrate`), which nothing cancels.
    pub(super) async fn written<T, W>(&self, write: W) -> Result<T, StoreError>
    where
        T: Send + 'static,
        W: std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let readers = self.readers.clone();
        self.to_the_end(async move {
            let done = write.await;
            readers.wrote();
            done
        })
        .await?
    }

    /// Runs `work` to its end on a task of its own (in the caller's tracing
    /// span, so its log lines keep the request's id) and answers what it did,
    /// even if the caller stops waiting: work that makes several writes (a
    /// platform's delivery and its record) is never left half-done by a client
    /// that went. [`Store::close`] waits for it (for at most
    /// [`CLOSE_WITHIN`](super::CLOSE_WITHIN)). An error only if the runtime
    /// shuts down before the work ends (it may then have stopped part-way).
    pub async fn to_the_end<T, W>(&self, work: W) -> Result<T, StoreError>
    where
        T: Send + 'static,
        W: std::future::Future<Output = T> + Send + 'static,
    {
        use tracing::Instrument;
        match self.writes.spawn(work.in_current_span()).await {
            Ok(done) => Ok(done),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Err(StoreError::Unavailable("the server is stopping".into())),
        }
    }
}

/// A connection kept for a run of order writes ([`Store::writer`]).
pub struct Writer {
    /// None after a write whose caller stopped waiting: the next takes another.
    conn: Option<PoolConnection<Any>>,
    store: Store,
}

impl Writer {
    /// [`Store::put_order`] on the kept connection.
    pub async fn put_order(&mut self, shop_id: i64, order: ValidOrder) -> Result<PutOutcome, StoreError> {
        let (store, conn) = (self.store.clone(), self.conn.take());
        let (conn, put) = self
            .store
            .written(async move {
                let mut conn = match conn {
                    Some(conn) => conn,
                    None => store.pool.acquire().await?,
                };
                let put = put_on(&mut conn, store.backend, shop_id, order).await;
                Ok((conn, put))
            })
            .await?;
        self.conn = Some(conn);
        put
    }
}

async fn put_on(
    conn: &mut AnyConnection,
    backend: Backend,
    shop_id: i64,
    order: ValidOrder,
) -> Result<PutOutcome, StoreError> {
    let key = order_number_key(&order.order_number).into_owned();
    let updated = update_on(conn, backend, shop_id, &key, (Source::Merchant, None), |stored| {
        Ok(match stored {
            Some(stored) if is_older(&order.updated_at, &stored.updated_at).unwrap_or(false) => Decision::Stale,
            _ => Decision::Write(Box::new(order)),
        })
    })
    .await?;
    match updated {
        Updated::Created => Ok(PutOutcome::Created),
        Updated::Replaced => Ok(PutOutcome::Replaced),
        _ => Err(StoreError::Stale),
    }
}

/// What an order's row holds besides its shop and number key. The one place a
/// row is made, so the shopper view is always the projection of the document
/// written with it.
struct Row {
    email_key: String,
    updated_at: String,
    doc: String,
    view: String,
}

impl Row {
    fn of(order: &ValidOrder) -> Result<Row, StoreError> {
        Ok(Row {
            email_key: email_key(&order.email).into_owned(),
            updated_at: order.updated_at.clone(),
            doc: to_json(order)?,
            view: StoredView::of(order).map_err(super::corrupt)?.into_string(),
        })
    }

    /// Binds $3 to $6 of an insert, update or upsert of `sql`, and $7, the
    /// order's lookup id, where `sql` keeps lookup rows.
    fn bind<'q>(self, query: AnyQuery<'q>, sql: &DocSql, shop_id: i64, number_key: &str) -> AnyQuery<'q> {
        let query = query
            .bind(self.email_key)
            .bind(self.updated_at)
            .bind(self.doc)
            .bind(self.view);
        if sql.keeps_lookup_rows {
            query.bind(lookup_id(shop_id, number_key))
        } else {
            query
        }
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// [`Store::update_order`] on one connection, for who sends it (the
/// platform naming one of its orders, or the merchant), with the platform's
/// delivery id when there is one.
async fn update_on<F>(
    conn: &mut AnyConnection,
    backend: Backend,
    shop_id: i64,
    number_key: &str,
    (source, delivery): (Source<'_>, Option<&str>),
    change: F,
) -> Result<Updated, StoreError>
where
    F: FnOnce(Option<Order>) -> Result<Decision, Vec<FieldError>> + Send,
{
    let sql = backend.doc_sql();
    // Writers of the same order take turns. SQLite: IMMEDIATE takes the write lock
    // up front. PostgreSQL: a transaction-scoped advisory lock on (shop, order
    // number), which also covers an order that does not exist yet.
    let mut tx = begin_write(conn, backend).await?;
    // Not while its deletion arriving first is kept (`erased::keep_deleted`).
    if let Source::Platform(PlatformOrder::Own(platform_id)) = source {
        super::order_lock::hold_platform_order(&mut tx, backend, shop_id, platform_id).await?;
    }
    hold_order(&mut tx, backend, shop_id, number_key).await?;
    if let Some(delivery) = delivery {
        let first: Option<i64> = sqlx::query_scalar(
            "INSERT INTO webhook_deliveries (shop_id, webhook_id, received_at) VALUES ($1, $2, $3)
             ON CONFLICT (shop_id, webhook_id) DO NOTHING RETURNING shop_id",
        )
        .bind(shop_id)
        .bind(delivery)
        .bind(super::now())
        .fetch_optional(&mut *tx)
        .await?;
        if first.is_none() {
            return Ok(Updated::Duplicate);
        }
    }
    let stored: Option<(i64, String)> = sqlx::query_as(sql.select)
        .bind(shop_id)
        .bind(number_key)
        .fetch_optional(&mut *tx)
        .await?;
    let (id, stored) = match stored {
        Some((id, doc)) => (Some(id), Some(json::<Order>(&doc)?)),
        None => (None, None),
    };
    // Also when an order of the number is stored: a new one that reuses it.
    if let Source::Platform(platform) = source {
        for platform_id in platform.ids() {
            if erased::was_erased(&mut tx, shop_id, platform_id).await? {
                return Ok(Updated::Erased);
            }
        }
    }
    // A return's step, read before the order was held: only into the order
    // it is a return of, if that still holds the number.
    if let (Some(_), Source::Platform(PlatformOrder::Return { order, link })) = (&stored, source) {
        if !super::shopify::return_still_held(&mut tx, shop_id, number_key, order.as_deref(), link).await? {
            return Ok(Updated::UnknownOrder);
        }
    }
    // Another of the platform's orders holds the number (a store whose numbers
    // started again): its news is not merged into this one (`rival`).
    let rival = match (&stored, source) {
        (Some(held), Source::Platform(PlatformOrder::Own(platform_id) | PlatformOrder::About(platform_id)))
            if !super::shopify::is_return(platform_id) =>
        {
            match super::shopify::holder(&mut tx, shop_id, number_key).await? {
                Some(holder) if holder != *platform_id => Some((platform_id, holder, held.placed_at.clone())),
                _ => None,
            }
        }
        _ => None,
    };
    let stored = match (&rival, source) {
        // A parcel or a refund of the other order: not this order's.
        (Some(_), Source::Platform(PlatformOrder::About(_))) => return Ok(Updated::UnknownOrder),
        // The order's own delivery: judged as a new order (below).
        (Some(_), _) => None,
        (None, _) => stored,
    };
    let updated = match change(stored).map_err(StoreError::Invalid)? {
        Decision::Write(order) if rival.as_ref().is_some_and(|r| !takes_over(&order, r)) => Updated::Stale,
        Decision::Write(order) => {
            if order_number_key(&order.order_number) != number_key {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "order_number",
                    "path_mismatch",
                    format!(
                        "The order number {:?} is not the order being changed.",
                        order.order_number
                    ),
                )]));
            }
            let row = Row::of(&order)?;
            if id.is_none() && matches!(source, Source::Merchant) {
                // Stored again by the merchant (the API, an import): the
                // platform's news of it applies again.
                erased::forget(&mut tx, shop_id, number_key).await?;
            }
            let statement = if id.is_some() { sql.update } else { sql.insert };
            // $1 is the row to rewrite, or the shop of a new row.
            let query = sqlx::query(statement).bind(id.unwrap_or(shop_id)).bind(number_key);
            row.bind(query, sql, shop_id, number_key).execute(&mut *tx).await?;
            if id.is_some() {
                Updated::Replaced
            } else {
                Updated::Created
            }
        }
        Decision::Unchanged => Updated::Unchanged,
        Decision::Stale => Updated::Stale,
        // Rolled back: the delivery stays unrecorded.
        Decision::UnknownOrder => return Ok(Updated::UnknownOrder),
    };
    match (source, &rival) {
        // Kept out: the number stays the other order's.
        (_, Some(_)) if updated == Updated::Stale => {}
        (Source::Platform(PlatformOrder::Own(id)), rival) => {
            if rival.is_some() {
                super::shopify::unlink_others(&mut tx, shop_id, number_key, id).await?;
            }
            super::shopify::link_on(&mut tx, shop_id, id, number_key).await?;
        }
        (Source::Platform(PlatformOrder::Return { link, .. }), _) => {
            super::shopify::link_on(&mut tx, shop_id, link, number_key).await?;
        }
        _ => {}
    }
    tx.commit().await?;
    Ok(updated)
}

/// Whether a platform's order (`order`, its id first in `rival`) takes an
/// order number from the other order of the platform's that holds it (its
/// id and when it was placed): the one placed later holds it, at the same
/// moment the one with the greater id, whatever order their deliveries
/// arrive in.
fn takes_over(order: &ValidOrder, (id, holder, placed_at): &(&String, String, String)) -> bool {
    by_time(&order.placed_at, placed_at)
        .then_with(|| super::shopify::by_id(id, holder))
        .is_gt()
}

/// Who sends a write: the platform's deliveries (naming which of its
/// orders) do not bring back an order the shop erased; the merchant's writes
/// (the API's `PUT`, an import) store it again.
#[derive(Debug, Clone, Copy)]
enum Source<'a> {
    Platform(&'a PlatformOrder),
    Merchant,
}
