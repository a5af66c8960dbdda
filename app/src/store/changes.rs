//! What was changed in a shop's setup (and which orders were erased), by whom: written by each change in
//! its own transaction (so a change not recorded was not made), read by the
//! owners' "Changes" page.

use super::accounts::Role;
use super::activity::{AUDIT_KEPT_DAYS, PRUNE_BATCH};
use super::{now, Store, StoreError};
use sqlx::{Any, Transaction};

/// Changes a shop keeps of each kind of maker (accounts, API keys, the
/// operator), and apart from them, erasures of each kind: the insert forgets
/// older ones of the same kind, so that a leaked API key changing settings in
/// a loop cannot push the owners' changes out of the list, nor many erasures
/// the setup's changes (the hourly housekeeping forgets those a year old).
pub const CHANGES_KEPT: i64 = 1_000;
/// Changes a page shows.
pub const CHANGES_SHOWN: i64 = 100;

/// The name Shopify's changes are recorded by.
const SHOPIFY: &str = "shopify";

/// Who makes a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum By {
    /// The server's operator, on the command line.
    Operator,
    /// A signed-in account, by its id (recorded by its email).
    Account(i64),
    /// An API key, by its public prefix.
    Key(String),
    /// Shopify, by its webhook (an order deleted there).
    Shopify,
}

/// Who made a recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Operator,
    /// The account's email when the change was made.
    Account(String),
    /// The key's prefix.
    Key(String),
    Shopify,
}

/// What a change was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    /// Settings saved; the detail lists those that changed, by their stored
    /// names, comma-separated.
    Settings,
    /// An API key made (subject its prefix, detail its name).
    KeyMade,
    /// An API key revoked (subject its prefix).
    KeyRevoked,
    /// A new Shopify signing secret.
    SecretMade,
    /// An account's role changed (subject its email, detail the new role).
    Role,
    /// An account's role taken away (subject its email).
    Removed,
    /// An account invited (subject its email, detail the role).
    Invited,
    /// An account given a role on the command line (subject, detail as above).
    Added,
    /// An account deleted on the command line (subject its email).
    Deleted,
    /// An order erased (subject its number's key).
    Erased,
}

impl What {
    const ALL: [What; 10] = [
        What::Settings,
        What::KeyMade,
        What::KeyRevoked,
        What::SecretMade,
        What::Role,
        What::Removed,
        What::Invited,
        What::Added,
        What::Deleted,
        What::Erased,
    ];

    /// The stored word (also the end of its console text's key).
    pub fn as_str(self) -> &'static str {
        match self {
            What::Settings => "settings",
            What::KeyMade => "key_made",
            What::KeyRevoked => "key_revoked",
            What::SecretMade => "secret_made",
            What::Role => "role",
            What::Removed => "removed",
            What::Invited => "invited",
            What::Added => "added",
            What::Deleted => "deleted",
            What::Erased => "erased",
        }
    }

    fn parse(s: &str) -> Option<What> {
        What::ALL.into_iter().find(|w| w.as_str() == s)
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub at: String,
    pub by: Who,
    pub what: What,
    pub subject: Option<String>,
    pub detail: Option<String>,
}

/// A change to record, with what it was made to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Done<'a> {
    /// The settings that changed, by their stored names.
    Settings(&'a [&'static str]),
    KeyMade {
        prefix: &'a str,
        name: &'a str,
    },
    KeyRevoked {
        prefix: &'a str,
    },
    SecretMade,
    Role {
        email: &'a str,
        role: Role,
    },
    Removed {
        email: &'a str,
    },
    Invited {
        email: &'a str,
        role: Role,
    },
    Added {
        email: &'a str,
        role: Role,
    },
    Deleted {
        email: &'a str,
    },
    Erased {
        number_key: &'a str,
    },
}

impl<'a> Done<'a> {
    /// The row's `what`, `subject` and `detail`.
    fn columns(self) -> (What, Option<&'a str>, Option<String>) {
        let role = |role: Role| Some(role.as_str().to_owned());
        match self {
            Done::Settings(names) => (What::Settings, None, Some(names.join(","))),
            Done::KeyMade { prefix, name } => {
                (What::KeyMade, Some(prefix), (!name.is_empty()).then(|| name.to_owned()))
            }
            Done::KeyRevoked { prefix } => (What::KeyRevoked, Some(prefix), None),
            Done::SecretMade => (What::SecretMade, None, None),
            Done::Role { email, role: r } => (What::Role, Some(email), role(r)),
            Done::Removed { email } => (What::Removed, Some(email), None),
            Done::Invited { email, role: r } => (What::Invited, Some(email), role(r)),
            Done::Added { email, role: r } => (What::Added, Some(email), role(r)),
            Done::Deleted { email } => (What::Deleted, Some(email), None),
            Done::Erased { number_key } => (What::Erased, Some(number_key), None),
        }
    }
}

/// Records a change to `shop_id` in `tx`, the transaction that makes it
/// (an account's only while it is an owner of the shop, else
/// [`StoreError::NotOwner`] and the change is not to be made), and
/// forgets the shop's changes by the same kind of maker (erasures and the
/// rest counted apart) beyond the newest [`CHANGES_KEPT`].
pub(super) async fn record(
    tx: &mut Transaction<'_, Any>,
    shop_id: i64,
    by: &By,
    made: Done<'_>,
) -> Result<(), StoreError> {
    let (what, subject, detail) = made.columns();
    let (kind, name): (&str, Option<String>) = match by {
        By::Operator => ("operator", None),
        // Recorded among the changes made outside any account, by its name
        // (the kinds of author a database allows: no migration remakes the
        // table for one more).
        By::Shopify => ("operator", Some(SHOPIFY.to_string())),
        By::Key(prefix) => ("key", Some(prefix.clone())),
        By::Account(id) => {
            // Only owners change a shop's setup: one whose role was taken
            // away, or that was deleted, while its form was on its way does
            // not, and the transaction is given up. Its email, while it is one.
            let email: Option<String> = sqlx::query_scalar(
                "SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id
                 WHERE u.id = $1 AND m.shop_id = $2 AND m.role = $3",
            )
            .bind(*id)
            .bind(shop_id)
            .bind(Role::Owner.as_str())
            .fetch_optional(&mut **tx)
            .await?;
            ("account", Some(email.ok_or(StoreError::NotOwner)?))
        }
    };
    sqlx::query(
        "INSERT INTO shop_changes (shop_id, at, by_kind, by_name, what, subject, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(shop_id)
    .bind(now())
    .bind(kind)
    .bind(name)
    .bind(what.as_str())
    .bind(subject)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    let erasures = if what == What::Erased { "=" } else { "<>" };
    sqlx::query(&format!(
        "DELETE FROM shop_changes WHERE shop_id = $1 AND by_kind = $3 AND what {erasures} 'erased' AND id <= (
             SELECT id FROM shop_changes WHERE shop_id = $1 AND by_kind = $3 AND what {erasures} 'erased'
             ORDER BY id DESC LIMIT 1 OFFSET $2)"
    ))
    .bind(shop_id)
    .bind(CHANGES_KEPT)
    .bind(kind)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Forgets the address `email` in the changes it was the subject of (an
/// account forgotten: its address must not stay on the server), in `tx`.
pub(super) async fn forget_subject(tx: &mut Transaction<'_, Any>, email: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE shop_changes SET subject = NULL WHERE subject = $1 AND what IN ('role', 'removed', 'invited', 'added', 'deleted')")
        .bind(email)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// Forgets changes [`AUDIT_KEPT_DAYS`] old or more (an account's email
    /// is not kept longer than the support view's log keeps it); how many.
    pub async fn prune_shop_changes(&self) -> Result<u64, StoreError> {
        self.prune(
            "DELETE FROM shop_changes WHERE id IN (
                 SELECT id FROM shop_changes WHERE at < $1 LIMIT $2)",
            AUDIT_KEPT_DAYS,
            PRUNE_BATCH,
        )
        .await
    }

    /// Page `page` (from 1) of the shop's changes, newest first,
    /// [`CHANGES_SHOWN`] a page, and whether there are older ones.
    pub async fn changes(&self, shop_id: i64, page: u32) -> Result<(Vec<Change>, bool), StoreError> {
        let skipped = i64::from(page.max(1) - 1) * CHANGES_SHOWN;
        type Row = (String, String, Option<String>, String, Option<String>, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT at, by_kind, by_name, what, subject, detail FROM shop_changes
             WHERE shop_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
        )
        .bind(shop_id)
        .bind(CHANGES_SHOWN + 1)
        .bind(skipped)
        .fetch_all(&self.pool)
        .await?;
        let mut changes = Vec::with_capacity(rows.len());
        for (at, kind, name, what, subject, detail) in rows {
            let by = match (kind.as_str(), name) {
                ("operator", Some(name)) if name == SHOPIFY => Who::Shopify,
                ("operator", _) => Who::Operator,
                ("account", Some(email)) => Who::Account(email),
                ("key", Some(prefix)) => Who::Key(prefix),
                (kind, _) => return Err(StoreError::Corrupt(format!("a change by {kind:?} without a name"))),
            };
            let what = What::parse(&what).ok_or_else(|| StoreError::Corrupt(format!("a change {what:?}")))?;
            changes.push(Change {
                at,
                by,
                what,
                subject,
                detail,
            });
        }
        let shown = CHANGES_SHOWN as usize;
        let more = changes.len() > shown;
        changes.truncate(shown);
        Ok((changes, more))
    }
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "changes_owner_tests.rs"]
mod owner_tests;
