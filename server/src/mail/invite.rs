//! An owner's invitation to the console, sent when its turn in the outbox
//! comes: to an account still on the team, a link to set its password (made
//! now, so that the link in the mail is the account's only live one), or, when
//! it has a password already, the console's address.

use super::{message, Mailer, Retry};
use crate::console::{password, session};
use app::store::{Outcome, Queued, Store};

impl Mailer {
    pub(super) async fn try_invite(&self, store: &Store, queued: &Queued) -> Result<Outcome, Retry> {
        let invitee = store.invitee(queued.shop_id, &queued.email).await.map_err(Retry::of)?;
        // Removed from the team (or the account deleted) before its turn came.
        let Some(invitee) = invitee else {
            return Ok(Outcome::TurnedOff);
        };
        if invitee.password_set {
            let url = format!("{}/console", self.public_url);
            let mail = message::invite_mail(queued, &self.from, &url, false);
            return Ok(sent_or_failed(self.deliver(queued.id, mail).await?));
        }
        let (token, expires) = password::new_link();
        let hash = session::digest(&token);
        store
            .insert_password_link(invitee.user_id, &hash, &expires)
            .await
            .map_err(Retry::of)?;
        let url = format!("{}{}", self.public_url, password::link_path(&token));
        let mail = message::invite_mail(queued, &self.from, &url, true);
        if self.deliver(queued.id, mail).await? {
            return Ok(Outcome::Sent);
        }
        // Refused for good: the link was never seen, so it goes.
        if let Err(e) = store.delete_password_link(&hash).await {
            tracing::warn!(error = %e, "could not delete an unsent set-password link; it expires on its own");
        }
        Ok(Outcome::Failed)
    }
}

fn sent_or_failed(sent: bool) -> Outcome {
    if sent {
        Outcome::Sent
    } else {
        Outcome::Failed
    }
}
