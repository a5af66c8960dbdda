//! `lookout key`: create, list and revoke a shop's merchant API keys.

use super::args::Db;
use super::open;
use crate::keys;
use anyhow::Result;
use app::store::{By, Store};
use clap::Subcommand;

#[derive(Subcommand)]
pub(super) enum KeyCommand {
    /// Create an API key for a shop and print it once.
    Create {
        /// The shop's slug.
        slug: String,
        /// What the key is for, shown beside its prefix (at most 60 characters).
        #[arg(long, default_value = "")]
        label: String,
        #[command(flatten)]
        db: Db,
    },
    /// List a shop's keys by prefix (keys themselves are never stored).
    List {
        /// The shop's slug.
        slug: String,
        #[command(flatten)]
        db: Db,
    },
    /// Revoke a key by its prefix (the 16 characters after `lk_`).
    Revoke {
        /// The shop's slug.
        slug: String,
        /// The key's prefix, as `key list` shows it.
        prefix: String,
        #[command(flatten)]
        db: Db,
    },
}

/// Runs one `key` subcommand.
pub(super) async fn run(command: KeyCommand) -> Result<()> {
    match command {
        KeyCommand::List { slug, db } => {
            let store = open(&db).await?;
            let shop = super::shop_named(&store, &slug).await?;
            let keys = store.keys(shop.id).await?;
            if keys.is_empty() {
                say!("No keys for {slug:?}. Create one with `lookout key create {slug}`.")?;
            }
            for key in keys {
                let state = match &key.revoked_at {
                    Some(at) => format!("revoked {at}"),
                    None => "live".to_string(),
                };
                say!("{}  created {}  {state}  {}", key.prefix, key.created_at, key.label)?;
            }
            Ok(())
        }
        KeyCommand::Revoke { slug, prefix, db } => {
            let store = open(&db).await?;
            let shop = super::shop_named(&store, &slug).await?;
            let prefix = crate::keys::prefix_named(&prefix);
            if !store.revoke_key(shop.id, prefix, &By::Operator).await? {
                anyhow::bail!("no live key with the prefix {prefix:?} for {slug:?} (see `lookout key list {slug}`)");
            }
            say!(
                "Revoked key {prefix} of {slug:?}. Servers stop accepting it within {} seconds.",
                crate::verified::CACHE_SECS
            )?;
            Ok(())
        }
        KeyCommand::Create { slug, label, db } => {
            let store = open(&db).await?;
            let key = create_key(&store, &slug, &label).await?;
            say!("API key for {slug:?} (shown once; only its hash is stored):")?;
            say!("{key}")?;
            Ok(())
        }
    }
}

/// Creates a key named `label` for an existing shop and returns its text.
pub async fn create_key(store: &Store, slug: &str, label: &str) -> Result<String> {
    let shop = super::shop_named(store, slug).await?;
    Ok(keys::create(
        store,
        &keys::HashGate::for_this_machine(),
        shop.id,
        label,
        None,
        &By::Operator,
    )
    .await?)
}
