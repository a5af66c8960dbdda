//! `lookout shop`: create a shop, rotate its webhook secret, show and change its settings.

use super::args::Db;
use super::open;
use crate::{keys, settings};
use anyhow::Result;
use app::store::{By, NewShop, Shop, ShopUpdate};
use clap::Subcommand;

#[derive(Subcommand)]
pub(super) enum ShopCommand {
    /// Create a shop and print its webhook secret once.
    Create {
        /// The shop's slug: 1 to 64 of a-z, 0-9 and -.
        slug: String,
        #[command(flatten)]
        db: Db,
        /// The shop's display name.
        #[arg(long)]
        name: String,
        /// An origin allowed to embed the widget (repeatable), e.g. https://shop.example.
        #[arg(long = "allowed-origin", value_delimiter = ',')]
        allowed_origins: Vec<String>,
        /// Default language: en, da, de, es, fr, it, ja, nb, nl, pl, pt, sv, zh or
        /// zh-Hant.
        #[arg(long, default_value = "en")]
        locale: String,
        /// Accent colour, e.g. #0a7c59.
        #[arg(long)]
        accent: Option<String>,
    },
    /// Print a shop's settings.
    Show {
        /// The shop's slug.
        slug: String,
        #[command(flatten)]
        db: Db,
    },
    /// Change a shop's settings; what is not given stays as it is.
    Update {
        /// The shop's slug.
        slug: String,
        #[command(flatten)]
        db: Db,
        /// New display name.
        #[arg(long)]
        name: Option<String>,
        /// Replace the allowed origins with these (repeatable).
        #[arg(long = "allowed-origin", value_delimiter = ',')]
        allowed_origins: Vec<String>,
        /// Remove every allowed origin (nobody may frame the widget).
        #[arg(long, conflicts_with = "allowed_origins")]
        clear_allowed_origins: bool,
        /// New default language: en, da, de, es, fr, it, ja, nb, nl, pl, pt, sv,
        /// zh or zh-Hant.
        #[arg(long)]
        locale: Option<String>,
        /// New accent colour, e.g. #0a7c59.
        #[arg(long)]
        accent: Option<String>,
        /// Remove the accent colour.
        #[arg(long, conflicts_with = "accent")]
        clear_accent: bool,
        /// Let shoppers without their order number ask for a link to their orders
        /// by email (when the server sends mail): on or off (yes and no, true and
        /// false, 1 and 0 are read the same).
        #[arg(long, value_name = "on|off", hide_possible_values = true, value_parser = clap::builder::BoolishValueParser::new())]
        email_links: Option<bool>,
        /// Where shoppers may write to the shop about an order (shown on its
        /// tracking page; the Reply-To of its mails to shoppers); "" removes it.
        #[arg(long, value_name = "EMAIL")]
        contact_email: Option<String>,
        /// The time zone the shop's pages say times in before the shopper's
        /// browser says them in their own (an IANA name such as Europe/Oslo);
        /// "" sets it back to UTC.
        #[arg(long, value_name = "ZONE")]
        time_zone: Option<String>,
        /// The shop's logo, shown at the top of its tracking page in place of
        /// its name: the https:// address of an image; "" removes it.
        #[arg(long, value_name = "URL")]
        logo_url: Option<String>,
    },
    /// Replace the shop's Shopify webhook secret and print the new one once.
    RotateSecret {
        /// The shop's slug.
        slug: String,
        #[command(flatten)]
        db: Db,
        /// Use this secret instead of a new random one: the signing key Shopify
        /// shows for webhooks made in its admin, or a custom app's client secret.
        #[arg(long, env = "LOOKOUT_WEBHOOK_SECRET")]
        secret: Option<String>,
    },
}

/// Runs one `shop` subcommand.
pub(super) async fn run(command: ShopCommand) -> Result<()> {
    match command {
        ShopCommand::Create {
            slug,
            db,
            name,
            allowed_origins,
            locale,
            accent,
        } => {
            settings::check_slug(&slug).map_err(anyhow::Error::msg)?;
            settings::check_locale(&locale).map_err(anyhow::Error::msg)?;
            let accent = accent
                .as_deref()
                .map(settings::check_accent)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let allowed_origins = settings::check_origins(&allowed_origins).map_err(|e| anyhow::anyhow!("{e}"))?;
            let name = settings::check_name(&name).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
            let store = open(&db).await?;
            let secret = keys::webhook_secret();
            let shop = store
                .create_shop(&NewShop {
                    slug,
                    name: name.to_string(),
                    locale,
                    accent,
                    allowed_origins,
                    webhook_secret: secret.clone(),
                })
                .await?;
            say!("Created shop {:?} ({}).", shop.slug, shop.name)?;
            say!("Webhook secret (shown once, keep it safe): {secret}")?;
            Ok(())
        }
        ShopCommand::RotateSecret { slug, db, secret } => {
            let given = secret.map(|s| s.trim().to_string());
            if given
                .as_deref()
                .is_some_and(|s| !keys::GIVEN_SECRET_LEN.contains(&s.len()))
            {
                anyhow::bail!("--secret must be 16 to 200 characters long");
            }
            let store = open(&db).await?;
            let secret = given.clone().unwrap_or_else(keys::webhook_secret);
            if !store.set_webhook_secret(&slug, &secret).await? {
                anyhow::bail!("no shop with the slug {slug:?}");
            }
            if given.is_some() {
                say!("Stored the given webhook secret for {slug:?}; the old one stops working now.")?;
            } else {
                say!("New webhook secret for {slug:?} (shown once; the old one stops working now):")?;
                say!("{secret}")?;
            }
            Ok(())
        }
        ShopCommand::Update {
            slug,
            db,
            name,
            allowed_origins,
            clear_allowed_origins,
            locale,
            accent,
            clear_accent,
            email_links,
            contact_email,
            time_zone,
            logo_url,
        } => {
            if let Some(locale) = &locale {
                settings::check_locale(locale).map_err(anyhow::Error::msg)?;
            }
            let accent = accent
                .as_deref()
                .map(settings::check_accent)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let origins = settings::check_origins(&allowed_origins).map_err(|e| anyhow::anyhow!("{e}"))?;
            let name = name
                .as_deref()
                .map(settings::check_name)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--name: {e}"))?;
            let contact_email = contact_email
                .as_deref()
                .map(settings::check_contact_email)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--contact-email: {e}"))?;
            let time_zone = time_zone
                .as_deref()
                .map(settings::check_time_zone)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--time-zone: {e}"))?;
            let logo_url = logo_url
                .as_deref()
                .map(settings::check_logo_url)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--logo-url: {e}"))?;
            let update = ShopUpdate {
                contact_email,
                time_zone,
                logo_url,
                name: name.map(str::to_string),
                locale,
                accent: if clear_accent { Some(None) } else { accent.map(Some) },
                allowed_origins: if clear_allowed_origins {
                    Some(Vec::new())
                } else {
                    (!origins.is_empty()).then_some(origins)
                },
                email_links,
            };
            let store = open(&db).await?;
            if !store.update_shop(&slug, &update, &By::Operator).await? {
                anyhow::bail!("no shop with the slug {slug:?}");
            }
            let shop = super::shop_named(&store, &slug).await?;
            say!("Updated shop {:?} ({}).", shop.slug, shop.name)?;
            said_settings(&shop)
        }
        ShopCommand::Show { slug, db } => {
            let store = open(&db).await?;
            let shop = super::shop_named(&store, &slug).await?;
            say!("Shop {:?} ({}).", shop.slug, shop.name)?;
            said_settings(&shop)
        }
    }
}

/// A shop's settings, a line each, as `shop update` and `shop show` print them.
fn said_settings(shop: &Shop) -> Result<()> {
    say!("  locale: {}", shop.locale)?;
    say!("  accent: {}", shop.accent.as_deref().unwrap_or("(default)"))?;
    let origins = if shop.allowed_origins.is_empty() {
        "(none: the widget cannot be framed)".to_string()
    } else {
        shop.allowed_origins.join(" ")
    };
    say!("  allowed origins: {origins}")?;
    say!(
        "  order links by email: {}",
        if shop.email_links { "on" } else { "off" }
    )?;
    say!(
        "  contact address: {}",
        shop.contact_email.as_deref().unwrap_or("(none)")
    )?;
    say!("  time zone: {}", shop.time_zone.as_deref().unwrap_or("UTC (none set)"))?;
    say!(
        "  logo: {}",
        shop.logo_url.as_deref().unwrap_or("(none: the shop's name)")
    )?;
    Ok(())
}
