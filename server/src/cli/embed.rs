//! `lookout embed`: the widget's script tag for a shop's storefront.

use super::args::Db;
use super::{open, shop_named};
use crate::settings;
use anyhow::{Context, Result};
use clap::Subcommand;

#[derive(Subcommand)]
pub(super) enum EmbedCommand {
    /// Print the script tag to paste into a storefront, with its integrity hash.
    Snippet {
        /// The shop's slug.
        slug: String,
        /// The address shoppers reach this Lookout at, e.g. https://track.example.
        #[arg(long, env = "LOOKOUT_PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
        base_url: String,
        /// The language of the link shown where JavaScript is off: en, da,
        /// de, es, fr, it, ja, nb, nl, pl, pt, sv, zh or zh-Hant (default: the shop's).
        #[arg(long, value_parser = crate::settings::check_locale)]
        locale: Option<app::i18n::Locale>,
        #[command(flatten)]
        db: Db,
    },
}

/// Runs one `embed` subcommand.
pub(super) async fn run(command: EmbedCommand) -> Result<()> {
    let EmbedCommand::Snippet {
        slug,
        base_url,
        locale,
        db,
    } = command;
    settings::check_slug(&slug).map_err(anyhow::Error::msg)?;
    let base_url = crate::mail::checked_public_url(&base_url).with_context(|| {
        format!("--base-url {base_url:?} is not an address shoppers can reach, such as https://track.example")
    })?;
    // A SQLite file that is not there holds no shop: said without making one.
    if let Ok(options) = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&db.database_url) {
        let file = options.get_filename();
        if db.database_url.starts_with("sqlite:") && !file.as_os_str().is_empty() && !file.exists() {
            anyhow::bail!("no database at {} (give the server's --database-url)", file.display());
        }
    }
    // A tag for a shop that does not exist would show shoppers a link to
    // "Page not found".
    let shop = shop_named(&open(&db).await?, &slug).await?;
    let locale = locale
        .or_else(|| app::i18n::Locale::from_code(&shop.locale))
        .unwrap_or_default();
    say!("{}", crate::embed::snippet(&base_url, &slug, locale))?;
    Ok(())
}
