//! A link to set a forgotten console password, asked for on the sign-in
//! page: made when its turn comes, for the account of the queued address if
//! it is still on a team (it replaces the account's earlier link); nothing is
//! sent otherwise.

use super::message;
use super::{Mailer, Retry};
use crate::console::{password, session};
use app::store::{Outcome, Queued, Store};

impl Mailer {
    pub(super) async fn try_password(&self, store: &Store, queued: &Queued) -> Result<Outcome, Retry> {
        let (token, expires) = password::new_link();
        let hash = session::digest(&token);
        let made = store
            .password_mail_link(queued, &hash, &expires)
            .await
            .map_err(Retry::of)?;
        if !made {
            return Ok(Outcome::Withdrawn);
        }
        let url = format!("{}{}", self.public_url, password::link_path(&token));
        let mail = message::password_mail(queued, &self.from, &url);
        self.send_or_forget(queued, mail, store.delete_password_link(&hash))
            .await
    }
}
