//! Invitations: an owner adds an account to the shop from the console, and the
//! outbox mails it (table `invitations`). Adding the account and queueing its
//! mail are one transaction that holds the shop, with the team's checks
//! (whoever asks is still an owner, the shop has room) and two daily bounds:
//! per shop, and per account from that shop. A third, on the mails an account
//! is sent from every shop together, is kept when the mail goes: one over it
//! waits until the day has room, so that no shop is refused because of
//! another shop's invitations (a long wait can still hint at them: see
//! docs/console.md).
//!
//! When its turn comes, the mail carries a link to set a password only to an
//! account that has none and belongs to no other shop: a link opens every shop
//! of its account, so one shop's owner never has another shop's pending
//! account sent one (nor its earlier link replaced). Any other account is told
//! it may now open the shop (one without a password: with the link it has).

use super::accounts::{hold_account, replace_link, AccountRow, Hold, Role, OPENED};
use super::changes::{record, By, Done};
use super::outbox::{put_back, PutBack};
use super::shops::hold_shop;
use super::team::{count, role_of, set_role, upsert_user, MEMBERS, PASSWORD_SET};
use super::{now, time_in, Queued, Store, StoreError};
use sqlx::{Any, Transaction};

/// Invitations one shop may send in 24 hours (sent again or not, kept or removed).
pub const INVITES_PER_DAY: i64 = 20;
/// Invitations one shop may send one account in 24 hours.
pub const INVITES_PER_ACCOUNT_PER_DAY: i64 = 3;
/// Invitation mails one account may be sent in 24 hours from every shop
/// together; one more waits (see [`InviteLink::Later`]).
pub const MAILS_PER_ACCOUNT_PER_DAY: i64 = 5;

/// What an invitation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invited {
    /// The account was added to the shop (made first if it was new).
    Added,
    /// It was on the team already and has not opened the shop since it was
    /// added: the mail goes again, with the role asked for.
    Again,
}

/// Why an invitation was not made (nothing changed, nothing is sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteRefusal {
    /// The account is on the team and has opened the shop since it was
    /// added, or is the owner who asks.
    AlreadyMember,
    /// The shop has [`MEMBERS`] accounts already.
    Full,
    /// The shop sent [`INVITES_PER_DAY`] invitations in the last 24 hours.
    TooMany,
    /// The shop sent the account [`INVITES_PER_ACCOUNT_PER_DAY`] in the last
    /// 24 hours (other shops' invitations do not count).
    TooManyForAccount,
    /// Whoever asked is no longer an owner of the shop.
    NotOwner,
}

/// What an invitation's mail may carry, decided when it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteLink {
    /// A set-password link was stored (it replaced the account's earlier one).
    Made,
    /// The account has a password: no link.
    SignIn,
    /// The account has no password and belongs to another shop too, whose
    /// link (from its owner or operator) is the one to use: no link.
    Elsewhere,
    /// The account no longer has a role in the shop, or a newer invitation
    /// from the shop, still to send or sent, replaces this one: nothing is sent.
    Gone,
    /// The account was sent [`MAILS_PER_ACCOUNT_PER_DAY`] invitations in the
    /// last 24 hours (counting those made before this one that wait): the
    /// invitation was put back, untried, until the first of them is a day
    /// old. Nothing is sent now.
    Later,
}

/// Where an invitation is, as the team page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invitation {
    /// Queued: the sender has not handed it to the mail server yet.
    Waiting,
    /// The mail server took it.
    Sent,
    /// Refused for good, or not taken after every try.
    Failed,
    /// The account left the team before its turn, or a newer invitation
    /// from the shop replaced it: nothing was sent.
    Withdrawn,
}

impl Invitation {
    pub fn as_str(self) -> &'static str {
        match self {
            Invitation::Waiting => "waiting",
            Invitation::Sent => "sent",
            Invitation::Failed => "failed",
            Invitation::Withdrawn => "withdrawn",
        }
    }

    pub(super) fn parse(text: &str) -> Option<Invitation> {
        [
            Invitation::Waiting,
            Invitation::Sent,
            Invitation::Failed,
            Invitation::Withdrawn,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }
}

/// The days the bounds count invitations over.
pub(super) const BOUND_DAYS: i64 = 1;

const DAY_SHOP: &str = "SELECT COUNT(*) FROM invitations WHERE shop_id = $1 AND created_at > $2";
const DAY_ACCOUNT: &str = "SELECT COUNT(*) FROM invitations WHERE user_id = $1 AND created_at > $2 AND shop_id = $3";
/// The invitation `i` is replaced by a newer one from its shop to the same
/// account, still to send or sent: it is withdrawn at its turn (one mail).
const REPLACED: &str = "EXISTS (SELECT 1 FROM invitations n
    WHERE n.user_id = i.user_id AND n.shop_id = i.shop_id AND n.id > i.id
      AND (n.done_at IS NULL OR n.outcome = 'sent'))";

/// Of the account's invitations `i` other than `$2`: how many count as mailed
/// since `$3` (a day ago), the first time, and how many made before `$2`
/// wait to be mailed (they come first). Neither counts one that will send
/// nothing: withdrawn, replaced (unless a sender holds it, `$4` being now:
/// its mail may be on its way), or to an account that left its shop.
fn day_mails() -> String {
    let mailed = format!(
        "i.mailed_at > $3 AND (i.outcome IS NULL OR i.outcome <> 'withdrawn')
         AND NOT (i.done_at IS NULL AND (i.claimed_until IS NULL OR i.claimed_until <= $4) AND {REPLACED})"
    );
    format!(
        "SELECT COALESCE(SUM(CASE WHEN {mailed} THEN 1 ELSE 0 END), 0),
                MIN(CASE WHEN {mailed} THEN i.mailed_at END),
                COALESCE(SUM(CASE WHEN i.id < $2 AND i.done_at IS NULL AND (i.mailed_at IS NULL OR i.mailed_at <= $3)
                    AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = i.user_id AND m.shop_id = i.shop_id)
                    AND NOT {REPLACED}
                    THEN 1 ELSE 0 END), 0)
         FROM invitations i WHERE i.user_id = $1 AND i.id <> $2"
    )
}

impl Store {
    /// Invites the account with this (normalised) email to the shop with
    /// `role`, for the owner `by`, and queues its mail in `locale` (the
    /// owner's; the sender writes it in the language the account chose, if
    /// it did). Returns
    /// what it did and the account's id.
    pub async fn invite_member(
        &self,
        by: i64,
        shop_id: i64,
        email: &str,
        role: Role,
        locale: &str,
    ) -> Result<Result<(Invited, i64), InviteRefusal>, StoreError> {
        let (_turn, mut conn) = self.shop_conn(shop_id).await?;
        let mut tx = hold_shop(&mut conn, self.backend, shop_id).await?;
        if role_of(&mut tx, by, shop_id).await? != Some(Role::Owner) {
            return Ok(Err(InviteRefusal::NotOwner));
        }
        // On the team already: invited again until it has opened this shop
        // (whatever it did in other shops), never the owner who asks.
        let member: Option<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT m.user_id, {OPENED}
             FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE u.email = $1 AND m.shop_id = $2"
        ))
        .bind(email)
        .bind(shop_id)
        .fetch_optional(&mut *tx)
        .await?;
        let invited = match member {
            Some((user_id, opened)) if user_id == by || opened != 0 => return Ok(Err(InviteRefusal::AlreadyMember)),
            Some(_) => Invited::Again,
            None if count(&mut tx, "SELECT COUNT(*) FROM memberships WHERE shop_id = $1", shop_id).await?
                >= MEMBERS =>
            {
                return Ok(Err(InviteRefusal::Full));
            }
            None => Invited::Added,
        };
        let day_ago = time_in(-chrono::Duration::days(BOUND_DAYS));
        let by_shop: i64 = sqlx::query_scalar(DAY_SHOP)
            .bind(shop_id)
            .bind(&day_ago)
            .fetch_one(&mut *tx)
            .await?;
        if by_shop >= INVITES_PER_DAY {
            return Ok(Err(InviteRefusal::TooMany));
        }
        // The shop is held: no other invitation from it counts meanwhile.
        let user_id = upsert_user(&mut tx, email).await?;
        let for_account: i64 = sqlx::query_scalar(DAY_ACCOUNT)
            .bind(user_id)
            .bind(&day_ago)
            .bind(shop_id)
            .fetch_one(&mut *tx)
            .await?;
        if for_account >= INVITES_PER_ACCOUNT_PER_DAY {
            return Ok(Err(InviteRefusal::TooManyForAccount));
        }
        // `Again` changes the role of another account than the inviting
        // owner's, so the shop keeps an owner.
        set_role(&mut tx, user_id, shop_id, role).await?;
        let at = now();
        sqlx::query(
            "INSERT INTO invitations (shop_id, user_id, email, locale, created_at, next_at, invited_by)
             VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(shop_id)
        .bind(user_id)
        .bind(email)
        .bind(locale)
        .bind(&at)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        record(&mut tx, shop_id, &By::Account(by), Done::Invited { email, role }).await?;
        tx.commit().await?;
        Ok(Ok((invited, user_id)))
    }

    /// When the claimed invitation `queued` is sent: checks the account's
    /// day bound on mails from every shop, and records this one against it
    /// before it goes (or puts it back for later), then stores the
    /// set-password link `token_hash` if the mail may carry one. One
    /// transaction (SQLite's write lock; on PostgreSQL the account's row,
    /// which setting a password and other invitations' sending take too).
    pub async fn invitation_link(
        &self,
        queued: &Queued,
        token_hash: &str,
        expires_at: &str,
    ) -> Result<InviteLink, StoreError> {
        let (shop_id, email) = (queued.shop()?.id, queued.email.as_str());
        // The account's row, before anything is read about it (the next
        // statement's snapshot then sees what others committed meanwhile).
        let mut conn = self.pool.acquire().await?;
        let mut tx = hold_account(&mut conn, self.backend, AccountRow::Email(email), Hold::Change).await?;
        let row: Option<(i64, i64, i64)> = sqlx::query_as(&format!(
            "SELECT u.id, {PASSWORD_SET},
                    (SELECT COUNT(*) FROM memberships o WHERE o.user_id = u.id AND o.shop_id <> $2)
             FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE u.email = $1 AND m.shop_id = $2"
        ))
        .bind(email)
        .bind(shop_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((user_id, _, _)) = row {
            // Whether a newer invitation from this shop, still to send or
            // sent, replaces this one (one mail, not two, to an address
            // invited again meanwhile, and the newer mail's link stays the
            // one), and when this one was counted, if it was.
            let (replaced, counted): (i64, Option<String>) = sqlx::query_as(&format!(
                "SELECT CAST(CASE WHEN {REPLACED} THEN 1 ELSE 0 END AS BIGINT), i.mailed_at
                 FROM invitations i WHERE i.id = $1"
            ))
            .bind(queued.id)
            .fetch_optional(&mut *tx)
            .await?
            .unwrap_or((0, None));
            if replaced != 0 {
                tx.commit().await?;
                return Ok(InviteLink::Gone);
            }
            if let Some(until) = wait_for_room(&mut tx, user_id, queued.id, counted).await? {
                if !put_back(&mut tx, queued, &until, PutBack::Untried).await? {
                    tracing::warn!(
                        outbox_id = queued.id,
                        "the claim ran out before the invitation was put back"
                    );
                }
                tx.commit().await?;
                return Ok(InviteLink::Later);
            }
            // Counted before it goes, so that senders at once cannot pass the bound.
            sqlx::query("UPDATE invitations SET mailed_at = $1 WHERE id = $2")
                .bind(now())
                .bind(queued.id)
                .execute(&mut *tx)
                .await?;
        }
        let link = match row {
            None => InviteLink::Gone,
            Some((_, set, _)) if set != 0 => InviteLink::SignIn,
            Some((_, _, others)) if others > 0 => InviteLink::Elsewhere,
            Some((user_id, _, _)) => {
                replace_link(&mut tx, user_id, token_hash, expires_at).await?;
                InviteLink::Made
            }
        };
        tx.commit().await?;
        Ok(link)
    }
}

/// What an invitation's mail says of where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvitedBy {
    /// The address of the owner who sent it, while that account is; none
    /// for an invitation made before this was kept.
    pub owner: Option<String>,
    /// The role it gives, as the account has it in the shop now.
    pub role: Option<Role>,
}

impl Store {
    /// Who sent the invitation `id` and the role it gives now, for its mail.
    pub async fn invited_by(&self, id: i64) -> Result<InvitedBy, StoreError> {
        let row: Option<(Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT (SELECT u.email FROM users u WHERE u.id = i.invited_by),
                    (SELECT m.role FROM memberships m WHERE m.user_id = i.user_id AND m.shop_id = i.shop_id)
             FROM invitations i WHERE i.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let (owner, role) = row.unwrap_or_default();
        Ok(InvitedBy {
            owner,
            role: role.as_deref().and_then(Role::parse),
        })
    }
}

/// When the invitation `id` to the account `user_id` may not be mailed now,
/// the time to look again: the account was sent [`MAILS_PER_ACCOUNT_PER_DAY`]
/// others in the last day, counting those made before it that still wait
/// (first come, first sent, so that later ones cannot keep it waiting). None
/// when it may go, or when it was counted within the day already (a try
/// again keeps its place).
async fn wait_for_room(
    tx: &mut Transaction<'_, Any>,
    user_id: i64,
    id: i64,
    counted: Option<String>,
) -> Result<Option<String>, StoreError> {
    let day_ago = time_in(-chrono::Duration::days(BOUND_DAYS));
    if counted.is_some_and(|at| at > day_ago) {
        return Ok(None);
    }
    let (mailed, first, before): (i64, Option<String>, i64) = sqlx::query_as(&day_mails())
        .bind(user_id)
        .bind(id)
        .bind(&day_ago)
        .bind(now())
        .fetch_one(&mut **tx)
        .await?;
    if mailed + before < MAILS_PER_ACCOUNT_PER_DAY {
        return Ok(None);
    }
    // When the first of the day's mails leaves it; with none mailed yet (those
    // before it are on their way), in a minute, when the day's first is known.
    let soon = chrono::Duration::minutes(1);
    let wait = match first.as_deref().map(chrono::DateTime::parse_from_rfc3339) {
        Some(Ok(first)) => first.with_timezone(&chrono::Utc) + chrono::Duration::days(BOUND_DAYS) - chrono::Utc::now(),
        Some(Err(e)) => {
            tracing::warn!(error = %e, "an invitation's mailed time is not a time");
            soon
        }
        None => soon,
    };
    Ok(Some(time_in(wait)))
}

#[cfg(test)]
#[path = "invites_tests.rs"]
mod tests;
