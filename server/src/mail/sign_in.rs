//! Word of a sign-in from a browser new to the account: the browser in words
//! and when, read from the queued notice when its turn comes; its one link is
//! to "Forgot your password?", for whoever did not sign in. Nothing is sent
//! for a notice that is gone (its account was deleted).

use super::message;
use super::{Mailer, Retry};
use app::store::{Outcome, Queued, Store};

impl Mailer {
    pub(super) async fn try_sign_in(&self, store: &Store, queued: &Queued) -> Result<Outcome, Retry> {
        let Some(notice) = store.sign_in_notice(queued.id).await.map_err(Retry::of)? else {
            return Ok(Outcome::NoAccount);
        };
        let url = format!("{}/console/forgot", self.public_url);
        let account = format!("{}/console/account", self.public_url);
        let mail = message::sign_in_mail(queued, &self.from, &url, &notice, &account);
        self.send_or_forget(queued, mail, async { Ok(()) }).await
    }
}
