//! `lookout user`: console accounts. `create` adds an account to a shop (or
//! changes its role there) and prints a one-time link to set its password.

use super::args::Db;
use super::open;
use crate::console::password;
use crate::console::session::{digest, SESSION_HOURS};
use anyhow::{Context, Result};
use app::store::{Role, TeamChange, TeamRefusal, MEMBERS};
use clap::{Subcommand, ValueEnum};

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum RoleArg {
    /// Everything: settings, keys, Shopify, the support view and its log.
    Owner,
    /// The overview and the support view.
    Staff,
}

#[derive(Subcommand)]
pub(super) enum UserCommand {
    /// Give an account (made if new) a role in a shop, and print a one-time link
    /// to set its password (valid for 24 hours; a new link replaces the last).
    Create {
        /// The account's email address.
        email: String,
        /// The shop's slug.
        #[arg(long)]
        shop: String,
        #[arg(long, value_enum, default_value = "owner")]
        role: RoleArg,
        /// Where the console is reached, for the link.
        #[arg(long, env = "LOOKOUT_PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
        public_url: String,
        #[command(flatten)]
        db: Db,
    },
    /// Take an account's role in one shop away (`--shop`), or delete the account
    /// with its sessions (without `--shop`). Takes effect on the next request.
    /// Refused while the account is a shop's only owner.
    Remove {
        /// The account's email address.
        email: String,
        /// The shop to take the account's role in away; all of them when left out.
        #[arg(long)]
        shop: Option<String>,
        #[command(flatten)]
        db: Db,
    },
    /// End every console session of an account (it must sign in again).
    SignOut {
        /// The account's email address.
        email: String,
        #[command(flatten)]
        db: Db,
    },
}

pub(super) async fn run(command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Create {
            email,
            shop,
            role,
            public_url,
            db,
        } => {
            // Checked first: nothing is made for a link that could not be followed.
            let public_url = crate::mail::checked_public_url(&public_url).ok_or(crate::mail::MailError::PublicUrl)?;
            app::normalize::check_email(&email, "email").map_err(|e| anyhow::anyhow!("{email:?}: {}", e.message))?;
            if !crate::mail::is_mailbox(&email) {
                anyhow::bail!(
                    "{email:?}: not a mailbox a mail can be sent to (name@example.com: no brackets, quotes, \
                     spaces or hidden characters, a domain of names)"
                );
            }
            let store = open(&db).await?;
            let shop = super::shop_named(&store, &shop).await?;
            let role = match role {
                RoleArg::Owner => Role::Owner,
                RoleArg::Staff => Role::Staff,
            };
            let email = app::normalize::email_key(&email);
            let user_id = match store.add_member(&email, shop.id, role).await? {
                Ok(id) => id,
                Err(TeamRefusal::Full) => {
                    anyhow::bail!("{:?} has {MEMBERS} accounts already; remove one first", shop.slug)
                }
                Err(TeamRefusal::LastOwner) => return Err(only_owner(&email, &[shop.slug])),
                Err(refused) => anyhow::bail!("{email} was not added: {refused:?}"),
            };
            let (token, expires) = password::new_link();
            store.insert_password_link(user_id, &digest(&token), &expires).await?;
            say!("{email} is {} of {:?}.", role.as_str(), shop.slug)?;
            say!("Link to set the password (once, until {expires}):")?;
            say!("{public_url}{}", password::link_path(&token))?;
            say!("Sessions last {SESSION_HOURS} hours.")?;
            Ok(())
        }
        UserCommand::Remove { email, shop, db } => {
            let store = open(&db).await?;
            let account = store
                .account(&app::normalize::email_key(&email))
                .await?
                .with_context(|| format!("no account {email:?}"))?;
            match shop {
                Some(slug) => {
                    let shop = super::shop_named(&store, &slug).await?;
                    match store
                        .change_member(None, shop.id, &account.email, TeamChange::Remove)
                        .await?
                    {
                        Ok(_) => say!("{email} no longer has a role in {slug:?}.")?,
                        Err(TeamRefusal::LastOwner) => return Err(only_owner(&email, &[slug])),
                        Err(_) => anyhow::bail!("{email} has no role in {slug:?}"),
                    }
                }
                None => match store.delete_account(account.id).await? {
                    Ok(()) => say!("Deleted the account {email} and its sessions.")?,
                    Err(alone) => return Err(only_owner(&email, &alone)),
                },
            }
            Ok(())
        }
        UserCommand::SignOut { email, db } => {
            let store = open(&db).await?;
            let account = store
                .account(&app::normalize::email_key(&email))
                .await?
                .with_context(|| format!("no account {email:?}"))?;
            let ended = store.end_sessions(account.id).await?;
            say!("Ended {ended} session(s) of {email}.")?;
            Ok(())
        }
    }
}

/// Why a command would take the only owner of these shops.
fn only_owner(email: &str, shops: &[String]) -> anyhow::Error {
    let shops: Vec<String> = shops.iter().map(|s| format!("{s:?}")).collect();
    anyhow::anyhow!(
        "{email} is the only owner of {}; make another account owner there first",
        shops.join(", ")
    )
}
