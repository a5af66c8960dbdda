//! Invitations: an owner adds an account to the shop from the console, and the
//! outbox mails it either a link to set its password or, when it has one
//! already, word that it may now open the shop. Adding the account and queueing
//! its mail are one transaction that holds the shop, with the team's checks
//! (whoever asks is still an owner, the shop has room) and a daily bound on
//! the mail one shop can make the server send.

use super::accounts::Role;
use super::shops::hold_shop;
use super::team::{count, role_of, MEMBERS};
use super::{now, time_in, Store, StoreError};

/// Invitations one shop may send in 24 hours (sent again or not, kept or removed).
pub const INVITES_PER_DAY: i64 = 20;

/// What an invitation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invited {
    /// The account was added to the shop (made first if it was new).
    Added,
    /// It was on the team already, without a password: the mail goes again,
    /// with the role asked for.
    Again,
}

/// Why an invitation was not made (nothing changed, nothing is sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteRefusal {
    /// The account is on the team and has set its password.
    AlreadyMember,
    /// The shop has [`MEMBERS`] accounts already.
    Full,
    /// The shop sent [`INVITES_PER_DAY`] invitations in the last 24 hours.
    TooMany,
    /// Whoever asked is no longer an owner of the shop.
    NotOwner,
}

/// An invited account as its mail needs it, read when the mail is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    pub user_id: i64,
    pub password_set: bool,
}

impl Store {
    /// Invites the account with this (normalised) email to the shop with
    /// `role`, for the owner `by`, and queues its mail in `locale`.
    pub async fn invite_member(
        &self,
        by: i64,
        shop_id: i64,
        email: &str,
        role: Role,
        locale: &str,
    ) -> Result<Result<Invited, InviteRefusal>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = hold_shop(&mut conn, self.backend, shop_id).await?;
        if role_of(&mut tx, by, shop_id).await? != Some(Role::Owner) {
            return Ok(Err(InviteRefusal::NotOwner));
        }
        let member: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS BIGINT)
             FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1 AND m.shop_id = $2",
        )
        .bind(email)
        .bind(shop_id)
        .fetch_optional(&mut *tx)
        .await?;
        let invited = match member {
            Some(1) => return Ok(Err(InviteRefusal::AlreadyMember)),
            Some(_) => Invited::Again,
            None if count(&mut tx, "SELECT COUNT(*) FROM memberships WHERE shop_id = $1", shop_id).await?
                >= MEMBERS =>
            {
                return Ok(Err(InviteRefusal::Full));
            }
            None => Invited::Added,
        };
        let sent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE shop_id = $1 AND kind = 'invite' AND created_at > $2",
        )
        .bind(shop_id)
        .bind(time_in(-chrono::Duration::days(1)))
        .fetch_one(&mut *tx)
        .await?;
        if sent >= INVITES_PER_DAY {
            return Ok(Err(InviteRefusal::TooMany));
        }
        let at = now();
        let user_id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, created_at) VALUES ($1, $2)
             ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING id",
        )
        .bind(email)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        // The inviting owner has a password, so this never takes the shop's last owner.
        sqlx::query(
            "INSERT INTO memberships (user_id, shop_id, role) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, shop_id) DO UPDATE SET role = excluded.role",
        )
        .bind(user_id)
        .bind(shop_id)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO outbox (shop_id, email, locale, created_at, next_at, kind)
             VALUES ($1, $2, $3, $4, $4, 'invite')",
        )
        .bind(shop_id)
        .bind(email)
        .bind(locale)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(invited))
    }

    /// The account with this (normalised) email, if it has a role in the shop now.
    pub async fn invitee(&self, shop_id: i64, email: &str) -> Result<Option<Invitee>, StoreError> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT u.id, CAST(CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS BIGINT)
             FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1 AND m.shop_id = $2",
        )
        .bind(email)
        .bind(shop_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(user_id, set)| Invitee {
            user_id,
            password_set: set != 0,
        }))
    }

    /// Deletes a set-password link that was never sent (the mail was refused for good).
    pub async fn delete_password_link(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM password_links WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
#[path = "invites_tests.rs"]
mod tests;
