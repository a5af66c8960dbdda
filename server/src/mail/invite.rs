//! An owner's invitation to the console, sent when its turn comes: a link to
//! set a password, made now, when the store says the mail may carry one (an
//! account on the team, without a password, in no other shop); otherwise the
//! console's address (with word to use the link it has, to an account without
//! a password); nothing to an account that left the team, nor, until the day
//! has room, to one sent its day's invitations from every shop.

use super::message::{self, Invitation};
use super::{Mailer, Retry};
use crate::console::{password, session};
use app::store::{InviteLink, Outcome, Queued, Store};

impl Mailer {
    /// None when the account's day bound put the invitation back for later.
    pub(super) async fn try_invite(&self, store: &Store, queued: &Queued) -> Result<Option<Outcome>, Retry> {
        let (token, expires) = password::new_link();
        let hash = session::digest(&token);
        let link = store
            .invitation_link(queued, &hash, &expires)
            .await
            .map_err(Retry::of)?;
        let invitation = match link {
            InviteLink::Later => return Ok(None),
            InviteLink::Gone => return Ok(Some(Outcome::Withdrawn)),
            InviteLink::SignIn => Invitation::SignIn,
            InviteLink::Elsewhere => Invitation::Waiting,
            InviteLink::Made => Invitation::SetPassword,
        };
        // Who sent it, and the role it gives: said in the mail.
        let by = store.invited_by(queued.id).await.map_err(Retry::of)?;
        let outcome = match invitation {
            Invitation::SetPassword => {
                let url = format!("{}{}", self.public_url, password::link_path(&token));
                let mail = message::invite_mail(queued, &self.from, &url, invitation, &by);
                self.send_or_forget(queued, mail, store.delete_password_link(&hash))
                    .await
            }
            Invitation::SignIn | Invitation::Waiting => {
                let url = format!("{}/console", self.public_url);
                let mail = message::invite_mail(queued, &self.from, &url, invitation, &by);
                self.send_or_forget(queued, mail, async { Ok(()) }).await
            }
        };
        outcome.map(Some)
    }
}
