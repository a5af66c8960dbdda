//! Console accounts: users, the shops each may open and as what, and one-time
//! set-password links (sessions: `sessions`; a password changed by its
//! account: `password_change`). Tokens are stored only as their SHA-256.

use super::shops::ShopRow;
use super::{begin_write, now, Backend, Shop, Store, StoreError};
use crate::i18n::Locale;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

/// What an account may do in a shop: an owner everything, staff the support view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Staff => "staff",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "owner" => Some(Role::Owner),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }
}

/// An account as sign-in needs it.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub email: String,
    /// `None` until the account's password is set.
    pub password_hash: Option<String>,
}

/// A shop an account may open.
#[derive(Debug, Clone)]
pub struct Membership {
    pub shop: Shop,
    pub role: Role,
    /// The account has opened the shop in the console since it was added
    /// (what the team page says of it; signing in tells no shop anything).
    pub opened: bool,
}

impl Store {
    /// Stores a new set-password link for an account; its earlier unused links stop working.
    pub async fn insert_password_link(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = hold_account(&mut conn, self.backend, AccountRow::Id(user_id), Hold::Change).await?;
        replace_link(&mut tx, user_id, token_hash, expires_at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a set-password link that was never sent (its mail was refused for good).
    pub async fn delete_password_link(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM password_links WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The email of the account a live (unused, unexpired) link belongs to.
    pub async fn password_link(&self, token_hash: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT u.email FROM password_links l JOIN users u ON u.id = l.user_id
             WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Uses a live link to set its account's password, ends the account's
    /// sessions and forgets the language it chose; the account's id. None
    /// when the link is unknown, used or expired (nothing changes).
    pub async fn set_password(&self, token_hash: &str, password_hash: &str) -> Result<Option<i64>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = hold_account(&mut conn, self.backend, AccountRow::OfLink(token_hash), Hold::Change).await?;
        let user_id: Option<i64> = sqlx::query_scalar(
            "UPDATE password_links SET used_at = $1
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(now())
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        // The link proves the mailbox: the next sign-in (the session the link
        // starts) is the account's first, told to nobody, and gives the account
        // the language of its notices; a language chosen by whoever was signed
        // in before (maybe with a stolen password) is forgotten.
        sqlx::query(
            "UPDATE users SET password_hash = $1, signed_in_at = NULL, sign_in_locale = NULL, locale = NULL
             WHERE id = $2",
        )
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(user_id))
    }

    /// The account with this (normalised) email, if any.
    pub async fn account(&self, email: &str) -> Result<Option<Account>, StoreError> {
        let row: Option<(i64, String, Option<String>)> =
            sqlx::query_as("SELECT id, email, password_hash FROM users WHERE email = $1")
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(id, email, password_hash)| Account {
            id,
            email,
            password_hash,
        }))
    }

    /// Sets the language the account chose (`None`: its browser's), asked
    /// from the live session `asking` (the hash of its id); its pages and
    /// mails use it from then on. False, changing nothing, when `asking` is
    /// no longer one of the account's live sessions: a password set by a link
    /// meanwhile (which ends them and forgets the choice) is not undone by a
    /// form posted before it. The account's row is held, as by the other
    /// writers of its password and sessions.
    pub async fn set_account_locale(
        &self,
        user_id: i64,
        asking: &str,
        locale: Option<Locale>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = hold_account(&mut conn, self.backend, AccountRow::Id(user_id), Hold::Change).await?;
        let done = sqlx::query(
            "UPDATE users SET locale = $1 WHERE id = $2
             AND EXISTS (SELECT 1 FROM sessions WHERE id_hash = $3 AND user_id = $2 AND expires_at > $4)",
        )
        .bind(locale.map(Locale::code))
        .bind(user_id)
        .bind(asking)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The shops an account may open, by name: letters in either case and with
    /// or without marks together ("alpha", "Alpha", "Émile", "zeta"), then by
    /// slug; the same order on either store, whatever the database's collation.
    pub async fn memberships(&self, user_id: i64) -> Result<Vec<Membership>, StoreError> {
        let rows: Vec<MemberRow> = sqlx::query_as(&member_query("WHERE m.user_id = $1"))
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        let mut shops = rows
            .into_iter()
            .filter_map(MemberRow::into_membership)
            .collect::<Result<Vec<_>, _>>()?;
        shops.sort_by_cached_key(|m| (name_order(&m.shop.name), m.shop.name.clone(), m.shop.slug.clone()));
        Ok(shops)
    }

    /// The account's role in the shop with this slug, and the shop; `None` when it has none.
    pub async fn membership(&self, user_id: i64, slug: &str) -> Result<Option<Membership>, StoreError> {
        let row: Option<MemberRow> = sqlx::query_as(&member_query("WHERE m.user_id = $1 AND s.slug = $2"))
            .bind(user_id)
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?;
        row.and_then(MemberRow::into_membership).transpose()
    }

    /// Records that the account has opened the shop since it was added; once
    /// (a membership that has it is not written again).
    pub async fn mark_opened(&self, user_id: i64, shop_id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE memberships SET opened_at = $1
             WHERE user_id = $2 AND shop_id = $3 AND opened_at IS NULL",
        )
        .bind(now())
        .bind(user_id)
        .bind(shop_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// 1 when the membership `m` has been opened by its account, else 0 (a
/// column of a query on `memberships m`).
pub(super) const OPENED: &str = "CAST(CASE WHEN m.opened_at IS NULL THEN 0 ELSE 1 END AS BIGINT)";

/// An account's memberships with their shops, those `filter` (a `WHERE`
/// clause and what follows it) keeps.
fn member_query(filter: &str) -> String {
    format!(
        "SELECT s.id, s.slug, s.name, s.locale, s.accent, s.allowed_origins, s.email_links, s.contact_email, s.time_zone, s.logo_url,
                m.role, {OPENED} AS opened
         FROM memberships m JOIN shops s ON s.id = m.shop_id {filter}"
    )
}

struct MemberRow {
    shop: ShopRow,
    role: String,
    opened: i64,
}

impl<'r> FromRow<'r, AnyRow> for MemberRow {
    fn from_row(row: &'r AnyRow) -> Result<Self, sqlx::Error> {
        Ok(MemberRow {
            shop: ShopRow::from_row(row)?,
            role: row.try_get("role")?,
            opened: row.try_get("opened")?,
        })
    }
}

impl MemberRow {
    /// A row with a role the schema does not allow is skipped.
    fn into_membership(self) -> Option<Result<Membership, StoreError>> {
        let role = Role::parse(&self.role)?;
        let opened = self.opened != 0;
        Some(self.shop.into_shop().map(|shop| Membership { shop, role, opened }))
    }
}

/// Which account's row [`hold_account`] takes.
pub(super) enum AccountRow<'a> {
    Id(i64),
    Email(&'a str),
    /// The account of the set-password link with this token hash.
    OfLink(&'a str),
}

/// What the holder will do to the account's row.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Hold {
    /// Change its columns, or its links: others wait to change or delete it.
    Change,
    /// Delete it: others wait also to give it a role, a link or a session.
    Delete,
}

/// A write transaction that holds one account's row (PostgreSQL; on SQLite,
/// the write lock). Every writer that touches an account's password, links or
/// existence takes its row first, before its links, so that no two of them
/// wait on each other: setting a password, changing it, starting a session
/// (each of these three takes the row alone), an invitation's mail deciding
/// its link, a link made on the command line, an idle account forgotten. Adding
/// an account to a team takes its shop, then its row (`team::upsert_user`);
/// deleting one on the command line, and taking one off a team, take its
/// shops, then its row ([`lock_account`]).
pub(super) async fn hold_account<'c>(
    conn: &'c mut sqlx::AnyConnection,
    backend: Backend,
    row: AccountRow<'_>,
    hold: Hold,
) -> Result<sqlx::Transaction<'c, sqlx::Any>, StoreError> {
    let mut tx = begin_write(conn, backend).await?;
    lock_account(&mut tx, backend, row, hold).await?;
    Ok(tx)
}

/// Takes one account's row in a write transaction already begun
/// (PostgreSQL; SQLite's write transaction holds it already), for a writer
/// that holds something the account's row comes after (its shop: a removal
/// from a team; its shops: `Store::delete_account`).
pub(super) async fn lock_account(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    row: AccountRow<'_>,
    hold: Hold,
) -> Result<(), StoreError> {
    if backend == Backend::Postgres {
        let lock = match hold {
            Hold::Change => "FOR NO KEY UPDATE OF u",
            Hold::Delete => "FOR UPDATE OF u",
        };
        let (filter, key) = match row {
            AccountRow::Id(id) => ("u.id = $1", Key::Id(id)),
            AccountRow::Email(email) => ("u.email = $1", Key::Text(email)),
            AccountRow::OfLink(hash) => (
                "u.id = (SELECT user_id FROM password_links WHERE token_hash = $1)",
                Key::Text(hash),
            ),
        };
        let sql = format!("SELECT u.id FROM users u WHERE {filter} {lock}");
        let query = sqlx::query(&sql);
        let query = match key {
            Key::Id(id) => query.bind(id),
            Key::Text(text) => query.bind(text),
        };
        query.fetch_optional(&mut **tx).await?;
    }
    Ok(())
}

enum Key<'a> {
    Id(i64),
    Text(&'a str),
}

/// Stores a new set-password link for an account in `tx`; its earlier links stop working.
pub(super) async fn replace_link(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
    token_hash: &str,
    expires_at: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM password_links WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO password_links (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(user_id)
        .bind(expires_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The email of account `user_id`, read in `tx`; `None` when it is gone.
pub(super) async fn email_of(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?)
}

/// A shop's name as shop lists are ordered: in lower case, without the marks
/// on its letters, and the letters that have none to take off as the plain
/// ones they are filed under (`ø` as `o`, `æ` as `ae`, `ß` as `ss`).
fn name_order(name: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    let plain: String = name
        .nfkd()
        .filter(|&c| !is_combining_mark(c))
        .flat_map(char::to_lowercase)
        .collect();
    [
        ("ø", "o"),
        ("æ", "ae"),
        ("œ", "oe"),
        ("ł", "l"),
        ("đ", "d"),
        ("ß", "ss"),
        ("þ", "th"),
    ]
    .iter()
    .fold(plain, |name, (letter, plain)| name.replace(letter, plain))
}

#[cfg(test)]
#[path = "account_language_tests.rs"]
mod language_tests;
