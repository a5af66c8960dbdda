//! A link to set a forgotten console password, asked for on the sign-in
//! page: made when its turn comes, when the store says the account of the
//! queued address may have one (on a team, its day's mails not spent; it
//! replaces the account's earlier link); nothing is sent otherwise.

use super::message;
use super::{Mailer, Retry};
use crate::console::{password, session};
use app::store::{Outcome, PasswordLink, Queued, Store};

impl Mailer {
    pub(super) async fn try_password(&self, store: &Store, queued: &Queued) -> Result<Outcome, Retry> {
        let (token, expires) = password::new_link();
        let hash = session::digest(&token);
        let link = store
            .password_mail_link(queued, &hash, &expires)
            .await
            .map_err(Retry::of)?;
        match link {
            PasswordLink::Made => {}
            PasswordLink::NoAccount => return Ok(Outcome::NoAccount),
            PasswordLink::DayFull => return Ok(Outcome::DayFull),
        }
        let url = format!("{}{}", self.public_url, password::link_path(&token));
        let mail = message::password_mail(queued, &self.from, &url);
        self.send_or_forget(queued, mail, store.delete_password_link(&hash))
            .await
    }
}
