//! A shop's team: who may open it and as what. Every change is one
//! transaction that holds the shop, so that a shop never ends up without an
//! owner, never holds more than [`MEMBERS`] accounts, and an owner demoted a
//! moment ago changes nothing.

use super::accounts::{email_of, lock_account, AccountRow, Hold, Role, OPENED};
use super::changes::{record, By, Done};
use super::invites::Invitation;
use super::shops::hold_shop;
use super::{begin_write, now, Backend, Store, StoreError};
use sqlx::{Any, Transaction};

/// The most accounts a shop may have (owners and staff together).
pub const MEMBERS: i64 = 100;

/// An account with a role in a shop, as its owners see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub email: String,
    pub role: Role,
    /// False until the account has opened this shop in the console since it
    /// was added (its other shops, and signing in, tell nothing).
    pub opened: bool,
    /// Where this shop's last invitation to the account is, if it sent one.
    pub invitation: Option<Invitation>,
}

/// What an owner does to another account of the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamChange {
    /// Give it this role instead of its own.
    Role(Role),
    /// Take its role away.
    Remove,
}

/// A change to a team that was allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamChanged {
    /// The account's id.
    pub user_id: i64,
    /// False when the account had the role asked for already.
    pub changed: bool,
}

/// Why a change to a team was not made (nothing changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamRefusal {
    /// The shop has [`MEMBERS`] accounts already.
    Full,
    /// The account has no role in the shop (or does not exist).
    NoSuchMember,
    /// The change would leave the shop without an owner.
    LastOwner,
    /// Whoever asked is no longer an owner of the shop.
    NotOwner,
    /// An owner asked to change their own role (another owner may).
    Own,
}

/// The role of account `user_id` in the shop, read in `tx`.
pub(super) async fn role_of(
    tx: &mut Transaction<'_, Any>,
    user_id: i64,
    shop_id: i64,
) -> Result<Option<Role>, StoreError> {
    let role: Option<String> = sqlx::query_scalar("SELECT role FROM memberships WHERE user_id = $1 AND shop_id = $2")
        .bind(user_id)
        .bind(shop_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(role.as_deref().and_then(Role::parse))
}

/// 1 when the account `u` has set its password, else 0 (a column of a query on `users u`).
pub(super) const PASSWORD_SET: &str = "CAST(CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS BIGINT)";

/// The id of the account with this (normalised) email, made if there is none, in `tx`.
pub(super) async fn upsert_user(tx: &mut Transaction<'_, Any>, email: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO users (email, created_at) VALUES ($1, $2)
         ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING id",
    )
    .bind(email)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?)
}

/// Gives account `user_id` `role` in the shop (replacing any role it had there), in `tx`.
pub(super) async fn set_role(
    tx: &mut Transaction<'_, Any>,
    user_id: i64,
    shop_id: i64,
    role: Role,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO memberships (user_id, shop_id, role) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, shop_id) DO UPDATE SET role = excluded.role",
    )
    .bind(user_id)
    .bind(shop_id)
    .bind(role.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn count(tx: &mut Transaction<'_, Any>, sql: &str, shop_id: i64) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(sql).bind(shop_id).fetch_one(&mut **tx).await?)
}

impl Store {
    /// The account with this (normalised) email, made if there is none, with `role`
    /// in the shop (replacing any role it had there). Returns the account's id,
    /// or why not: the shop is full, or the change would take its last owner.
    pub async fn add_member(
        &self,
        email: &str,
        shop_id: i64,
        role: Role,
    ) -> Result<Result<i64, TeamRefusal>, StoreError> {
        let (_turn, mut conn) = self.shop_conn(shop_id).await?;
        let mut tx = hold_shop(&mut conn, self.backend, shop_id).await?;
        let user_id = upsert_user(&mut tx, email).await?;
        let had = role_of(&mut tx, user_id, shop_id).await?;
        match had {
            Some(Role::Owner) if role != Role::Owner && owners(&mut tx, shop_id).await? <= 1 => {
                return Ok(Err(TeamRefusal::LastOwner));
            }
            Some(_) => {}
            None if count(&mut tx, "SELECT COUNT(*) FROM memberships WHERE shop_id = $1", shop_id).await?
                >= MEMBERS =>
            {
                return Ok(Err(TeamRefusal::Full));
            }
            None => {}
        }
        if had != Some(role) {
            set_role(&mut tx, user_id, shop_id, role).await?;
            record(&mut tx, shop_id, &By::Operator, Done::Added { email, role }).await?;
        }
        tx.commit().await?;
        Ok(Ok(user_id))
    }

    /// The shop's accounts: owners first, then by email, byte by byte (the
    /// same order on both stores, whatever PostgreSQL's collation); at most
    /// [`MEMBERS`] are added, see [`Store::add_member`].
    pub async fn members(&self, shop_id: i64) -> Result<Vec<Member>, StoreError> {
        let rows: Vec<(String, String, i64, Option<String>)> = sqlx::query_as(&format!(
            "SELECT u.email, m.role, {OPENED},
                    (SELECT CASE WHEN i.done_at IS NULL THEN 'waiting' ELSE i.outcome END
                     FROM invitations i WHERE i.user_id = u.id AND i.shop_id = $1
                     ORDER BY i.id DESC LIMIT 1)
             FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.shop_id = $1"
        ))
        .bind(shop_id)
        .fetch_all(&self.pool)
        .await?;
        let mut members: Vec<Member> = rows
            .into_iter()
            .filter_map(|(email, role, opened, invitation)| {
                Role::parse(&role).map(|role| Member {
                    email,
                    role,
                    opened: opened != 0,
                    invitation: invitation.as_deref().and_then(Invitation::parse),
                })
            })
            .collect();
        members.sort_by(|a, b| (a.role != Role::Owner, &a.email).cmp(&(b.role != Role::Owner, &b.email)));
        Ok(members)
    }

    /// Changes the role of the account with this (normalised) email in the shop,
    /// or takes it away, for the owner `by` (`None`: the operator's command
    /// line). Checked in the transaction that makes the change: `by` is still an
    /// owner and asks about another account, the account is a member, and the
    /// shop keeps an owner. Returns the account's id and whether anything
    /// changed (a role the account has already changes nothing).
    pub async fn change_member(
        &self,
        by: Option<i64>,
        shop_id: i64,
        email: &str,
        change: TeamChange,
    ) -> Result<Result<TeamChanged, TeamRefusal>, StoreError> {
        let (_turn, mut conn) = self.shop_conn(shop_id).await?;
        let mut tx = hold_shop(&mut conn, self.backend, shop_id).await?;
        if let Some(by) = by {
            if role_of(&mut tx, by, shop_id).await? != Some(Role::Owner) {
                return Ok(Err(TeamRefusal::NotOwner));
            }
        }
        // One query whether or not the account exists elsewhere.
        let member: Option<(i64, String)> = sqlx::query_as(
            "SELECT m.user_id, m.role FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE u.email = $1 AND m.shop_id = $2",
        )
        .bind(email)
        .bind(shop_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((user_id, role)) = member else {
            return Ok(Err(TeamRefusal::NoSuchMember));
        };
        if by == Some(user_id) {
            return Ok(Err(TeamRefusal::Own));
        }
        let stays_owner = change == TeamChange::Role(Role::Owner);
        if role == Role::Owner.as_str() && !stays_owner && owners(&mut tx, shop_id).await? <= 1 {
            return Ok(Err(TeamRefusal::LastOwner));
        }
        let (made, done) = match change {
            TeamChange::Role(new) => (
                Done::Role { email, role: new },
                sqlx::query("UPDATE memberships SET role = $1 WHERE user_id = $2 AND shop_id = $3 AND role <> $1")
                    .bind(new.as_str())
                    .bind(user_id)
                    .bind(shop_id)
                    .execute(&mut *tx)
                    .await?,
            ),
            TeamChange::Remove => (
                Done::Removed { email },
                sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND shop_id = $2")
                    .bind(user_id)
                    .bind(shop_id)
                    .execute(&mut *tx)
                    .await?,
            ),
        };
        if done.rows_affected() > 0 {
            let by = by.map_or(By::Operator, By::Account);
            record(&mut tx, shop_id, &by, made).await?;
        }
        if change == TeamChange::Remove {
            // Invited, no password yet, and now on no team: the link its
            // invitation mailed (to an address perhaps typed wrong) ends. The
            // account's row first (PostgreSQL), as the invitation's sender
            // holds it while it makes the link: a link made a moment before is
            // deleted here, and a sender after this finds no role to mail.
            lock_account(&mut tx, self.backend, AccountRow::Id(user_id), Hold::Change).await?;
            sqlx::query(&format!(
                "DELETE FROM password_links WHERE user_id = $1 AND used_at IS NULL
                   AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = $1)
                   AND EXISTS (SELECT 1 FROM users u WHERE u.id = $1 AND {PASSWORD_SET} = 0)"
            ))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(TeamChanged {
            user_id,
            changed: done.rows_affected() > 0,
        }))
    }

    /// Deletes an account with its sessions, links and roles (the support view's
    /// log keeps its email), unless it is the only owner of a shop: then nothing
    /// changes, and the slugs of those shops are returned.
    pub async fn delete_account(&self, user_id: i64) -> Result<Result<(), Vec<String>>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = begin_write(&mut conn, self.backend).await?;
        if self.backend == Backend::Postgres {
            // Every shop of the account, in one order, then the account (the
            // order `add_member` takes them in). A shop it joined in between is
            // not held: start again, a few times at most.
            let mut tries = 0;
            loop {
                let held = shops_of(&mut tx, user_id, " ORDER BY id FOR NO KEY UPDATE").await?;
                lock_account(&mut tx, self.backend, AccountRow::Id(user_id), Hold::Delete).await?;
                if shops_of(&mut tx, user_id, " ORDER BY id").await? == held {
                    break;
                }
                tries += 1;
                if tries == 3 {
                    return Err(StoreError::Unavailable("the account's shops kept changing".into()));
                }
                tx.rollback().await?;
                tx = begin_write(&mut conn, self.backend).await?;
            }
        }
        let alone: Vec<String> = sqlx::query_scalar(
            "SELECT s.slug FROM memberships m JOIN shops s ON s.id = m.shop_id
             WHERE m.user_id = $1 AND m.role = 'owner'
               AND (SELECT COUNT(*) FROM memberships o WHERE o.shop_id = m.shop_id AND o.role = 'owner') = 1
             ORDER BY s.slug",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        if !alone.is_empty() {
            return Ok(Err(alone));
        }
        // Its invitations still count for their shops' day bound, but no longer
        // for its id: SQLite may give that to the next new account (nor its
        // password mails, which would count against that account's day); a
        // notice of a password change is not sent to an account deleted.
        if let Some(email) = email_of(&mut tx, user_id).await? {
            for shop_id in shops_of(&mut tx, user_id, "").await? {
                record(&mut tx, shop_id, &By::Operator, Done::Deleted { email: &email }).await?;
            }
        }
        for sql in [
            "UPDATE invitations SET user_id = 0 WHERE user_id = $1",
            // Its invitations still to send name no sender (nor the next
            // account given its id).
            "UPDATE invitations SET invited_by = NULL WHERE invited_by = $1",
            "UPDATE password_mails SET user_id = 0 WHERE user_id = $1",
            "DELETE FROM password_notices WHERE user_id = $1",
            "DELETE FROM sign_in_notices WHERE user_id = $1",
            "DELETE FROM users WHERE id = $1",
        ] {
            sqlx::query(sql).bind(user_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }
}

/// The ids of the shops account `user_id` has a role in, read in `tx`
/// (`tail`: the order, and any lock).
async fn shops_of(tx: &mut Transaction<'_, Any>, user_id: i64, tail: &str) -> Result<Vec<i64>, StoreError> {
    let sql = format!("SELECT id FROM shops WHERE id IN (SELECT shop_id FROM memberships WHERE user_id = $1){tail}");
    Ok(sqlx::query_scalar(&sql).bind(user_id).fetch_all(&mut **tx).await?)
}

async fn owners(tx: &mut Transaction<'_, Any>, shop_id: i64) -> Result<i64, StoreError> {
    count(
        tx,
        "SELECT COUNT(*) FROM memberships WHERE shop_id = $1 AND role = 'owner'",
        shop_id,
    )
    .await
}

#[cfg(test)]
#[path = "team_tests.rs"]
mod tests;
