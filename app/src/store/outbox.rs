//! The outbox: mail waiting to be sent, kept in the database so that neither a
//! crash nor an SMTP outage loses any: shoppers' order links (table `outbox`),
//! owners' invitations to the console (table `invitations`) and merchants'
//! links to set a forgotten password (table `password_mails`) and word that a
//! password was changed (table `password_notices`) or that it was signed in
//! to from a new browser (table `sign_in_notices`), each kind in a
//! table of its own, so that a server that does not know a kind never takes
//! one. All are sent the same way: one sender at a time claims a row for a
//! lease; it is then finished once (sent, or nothing to send) or put back with
//! a later time to try again. A finished row keeps no address.

use super::{now, time_in, Store, StoreError};
use sqlx::AnyConnection;
use std::time::Duration;

/// Finished rows are kept this long (for counts), then deleted.
const KEEP_DAYS: i64 = 7;
/// The name a mail for no shop comes from.
const PRODUCT: &str = "Lookout";

/// How a queued request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A link was mailed.
    Sent,
    /// The address has no orders at the shop: nothing is sent.
    NoOrders,
    /// The shop turned the feature off before it was sent.
    TurnedOff,
    /// An invitation whose account no longer had a role in the shop, or that a
    /// newer one from the shop replaced: nothing is sent.
    Withdrawn,
    /// A password link asked for an address that no account on a team has:
    /// nothing is sent.
    NoAccount,
    /// A password link for an account mailed its day's links already:
    /// nothing is sent.
    DayFull,
    /// Every try failed; given up.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::NoOrders => "no_orders",
            Outcome::TurnedOff => "turned_off",
            Outcome::Withdrawn => "withdrawn",
            Outcome::NoAccount => "no_account",
            Outcome::DayFull => "day_full",
            Outcome::Failed => "failed",
        }
    }
}

/// What a queued mail is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// A shopper's link to their orders (`email`: as the shopper typed it).
    Link,
    /// An invitation to the shop's console (`email`: the account's).
    Invite,
    /// A link to set a forgotten console password (`email`: the address
    /// asked for, normalised; for no shop).
    Password,
    /// Word that an account's console password was changed (`email`: the
    /// account's; for no shop).
    Notice,
    /// Word of a sign-in from a browser new to the account (`email`: the
    /// account's; for no shop).
    SignIn,
}

impl MailKind {
    /// Every kind, those someone waits for on a page first.
    pub const ALL: [MailKind; 5] = [
        MailKind::Link,
        MailKind::Password,
        MailKind::Notice,
        MailKind::SignIn,
        MailKind::Invite,
    ];

    /// Its name in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Link => "link",
            MailKind::Invite => "invite",
            MailKind::Password => "password",
            MailKind::Notice => "notice",
            MailKind::SignIn => "sign_in",
        }
    }

    /// The table that holds this kind of mail.
    fn table(self) -> &'static str {
        match self {
            MailKind::Link => "outbox",
            MailKind::Invite => "invitations",
            MailKind::Password => "password_mails",
            MailKind::Notice => "password_notices",
            MailKind::SignIn => "sign_in_notices",
        }
    }

    /// The language its mail is written in, as a claim returns it. A mail to
    /// a console account is written in the language the account chose, if it
    /// did, as it is when the mail is sent (so that a choice made after the
    /// request applies, and nothing on the request path reads accounts),
    /// except word of a sign-in: its language was decided in the sign-in's
    /// own transaction (`sign_in_notices`), before the browser that signed in
    /// could choose another. A shopper's link is in the language it was
    /// asked in.
    fn locale_sql(self) -> String {
        match self {
            MailKind::Invite | MailKind::Password | MailKind::Notice => {
                let table = self.table();
                format!("COALESCE((SELECT u.locale FROM users u WHERE u.email = {table}.email), {table}.locale)")
            }
            MailKind::Link | MailKind::SignIn => "locale".to_string(),
        }
    }

    /// Whether its mail is for a shop (`shop_id` in its table).
    fn for_a_shop(self) -> bool {
        !matches!(self, MailKind::Password | MailKind::Notice | MailKind::SignIn)
    }
}

/// The shop a claimed request is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedShop {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// The feature is on for the shop now.
    pub email_links: bool,
    /// Where shoppers may write to the shop (the Reply-To of its mails).
    pub contact_email: Option<String>,
}

/// A request claimed for sending, with its shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub id: i64,
    /// The shop it is for: every kind's but a password mail's or notice's.
    pub shop: Option<QueuedShop>,
    /// As the shopper typed it (trimmed); an invitation's and a notice's: the
    /// account's; a password mail's: as asked for, normalised.
    pub email: String,
    pub locale: String,
    /// Tries so far, this one included.
    pub attempts: i64,
    pub kind: MailKind,
}

fn secs(d: Duration) -> chrono::Duration {
    chrono::Duration::seconds(i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 1000))
}

impl Queued {
    /// The shop of a kind that has one; an error for one claimed without it.
    pub fn shop(&self) -> Result<&QueuedShop, StoreError> {
        self.shop
            .as_ref()
            .ok_or_else(|| StoreError::Corrupt(format!("a {} mail without its shop", self.kind.as_str())))
    }

    /// The name its mail comes from: its shop's, or the product's.
    pub fn sender_name(&self) -> &str {
        self.shop.as_ref().map_or(PRODUCT, |shop| shop.name.as_str())
    }
}

/// Why a claimed request is put back.
pub(super) enum PutBack<'a> {
    /// Its try failed (what went wrong, without the address).
    Failed(&'a str),
    /// It was not tried: its try is given back.
    Untried,
}

/// Puts a claimed request back, to be claimed again from `next_at`. Only by
/// its claim: false when the claim ran out and another sender took it.
pub(super) async fn put_back(
    conn: &mut AnyConnection,
    claimed: &Queued,
    next_at: &str,
    why: PutBack<'_>,
) -> Result<bool, StoreError> {
    let (error, given_back) = match why {
        PutBack::Failed(error) => (Some(crate::normalize::clip(error, 200)), 0),
        PutBack::Untried => (None, 1),
    };
    let done = sqlx::query(&format!(
        "UPDATE {} SET claimed_until = NULL, next_at = $1, last_error = COALESCE($2, last_error),
                attempts = attempts - $3
         WHERE id = $4 AND attempts = $5 AND done_at IS NULL",
        claimed.kind.table()
    ))
    .bind(next_at)
    .bind(error)
    .bind(given_back)
    .bind(claimed.id)
    .bind(claimed.attempts)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

impl Store {
    /// Queues a request for a link to the orders of `email` at shop `shop_id`.
    pub async fn queue_link_request(&self, shop_id: i64, email: &str, locale: &str) -> Result<(), StoreError> {
        let at = now();
        sqlx::query("INSERT INTO outbox (shop_id, email, locale, created_at, next_at) VALUES ($1, $2, $3, $4, $4)")
            .bind(shop_id)
            .bind(email)
            .bind(locale)
            .bind(at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Claims the next request due, for `lease`: no other sender takes it
    /// before the lease ends (one statement decides, on both databases).
    pub async fn claim_mail(&self, lease: Duration) -> Result<Option<Queued>, StoreError> {
        for kind in MailKind::ALL {
            if let Some(queued) = self.claim(kind, lease).await? {
                return Ok(Some(queued));
            }
        }
        Ok(None)
    }

    async fn claim(&self, kind: MailKind, lease: Duration) -> Result<Option<Queued>, StoreError> {
        let at = now();
        let table = kind.table();
        // PostgreSQL: servers claiming at once skip each other's rows instead of
        // queueing on the same one (SQLite has one writer at a time anyway).
        let skip_locked = match self.backend {
            super::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            super::Backend::Sqlite => "",
        };
        let shop_id = if kind.for_a_shop() {
            "shop_id"
        } else {
            "CAST(NULL AS BIGINT)"
        };
        let locale = kind.locale_sql();
        let claimed: Option<(i64, Option<i64>, String, String, i64)> = sqlx::query_as(&format!(
            "UPDATE {table} SET claimed_until = $1, attempts = attempts + 1
             WHERE id = (SELECT id FROM {table}
                         WHERE done_at IS NULL AND next_at <= $2 AND (claimed_until IS NULL OR claimed_until <= $2)
                         ORDER BY next_at, id LIMIT 1 {skip_locked})
               AND done_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $2)
             RETURNING id, {shop_id}, email, {locale}, attempts"
        ))
        .bind(time_in(secs(lease)))
        .bind(at)
        .fetch_optional(&self.pool)
        .await?;
        let Some((id, shop_id, email, locale, attempts)) = claimed else {
            return Ok(None);
        };
        let shop = match shop_id {
            Some(shop_id) => {
                let (slug, name, on, contact_email): (String, String, i64, Option<String>) =
                    sqlx::query_as("SELECT slug, name, email_links, contact_email FROM shops WHERE id = $1")
                        .bind(shop_id)
                        .fetch_one(&self.pool)
                        .await?;
                Some(QueuedShop {
                    id: shop_id,
                    slug,
                    name,
                    email_links: on != 0,
                    contact_email,
                })
            }
            None => None,
        };
        Ok(Some(Queued {
            id,
            shop,
            email,
            locale,
            attempts,
            kind,
        }))
    }

    /// Finishes a claimed request for good, and forgets its address and its last
    /// error. Only the claim that made try `attempts` may: false when the claim
    /// ran out and another sender took the request.
    pub async fn finish_mail(&self, claimed: &Queued, outcome: Outcome) -> Result<bool, StoreError> {
        let done = sqlx::query(&format!(
            "UPDATE {} SET done_at = $1, outcome = $2, email = '', last_error = NULL, claimed_until = NULL
             WHERE id = $3 AND attempts = $4 AND done_at IS NULL",
            claimed.kind.table()
        ))
        .bind(now())
        .bind(outcome.as_str())
        .bind(claimed.id)
        .bind(claimed.attempts)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Puts a claimed request back, to be tried again after `after` (`error`: what
    /// went wrong, without the address). As [`Store::finish_mail`], only by its claim.
    pub async fn retry_mail(&self, claimed: &Queued, after: Duration, error: &str) -> Result<bool, StoreError> {
        let mut conn = self.pool.acquire().await?;
        put_back(&mut conn, claimed, &time_in(secs(after)), PutBack::Failed(error)).await
    }

    /// Requests not finished yet (of every kind), and how many of them are due now.
    pub async fn outbox_waiting(&self) -> Result<(i64, i64), StoreError> {
        let at = now();
        let mut waiting = (0, 0);
        for kind in MailKind::ALL {
            let (all, due): (i64, i64) = sqlx::query_as(&format!(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN next_at <= $1 THEN 1 ELSE 0 END), 0)
                 FROM {} WHERE done_at IS NULL",
                kind.table()
            ))
            .bind(&at)
            .fetch_one(&self.pool)
            .await?;
            waiting = (waiting.0 + all, waiting.1 + due);
        }
        Ok(waiting)
    }

    /// Deletes finished requests older than a week, a batch a statement (a
    /// backlog does not hold the write lock for one long statement).
    pub async fn prune_outbox(&self) -> Result<u64, StoreError> {
        let mut deleted = 0;
        for kind in MailKind::ALL {
            let table = kind.table();
            let sql = format!(
                "DELETE FROM {table} WHERE id IN (
                     SELECT id FROM {table} WHERE done_at IS NOT NULL AND done_at < $1 LIMIT $2)"
            );
            deleted += self.prune(&sql, KEEP_DAYS, super::activity::PRUNE_BATCH).await?;
        }
        Ok(deleted)
    }
}
