//! Shops: their settings and their webhook signing secrets.

use super::changes::{record, By, Done};
use super::{json, now, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

/// A shop by its slug: the columns of [`ShopRow`].
pub(super) const SHOP: &str =
    "SELECT id, slug, name, locale, accent, allowed_origins, email_links, contact_email, time_zone, logo_url FROM shops WHERE slug = $1";

/// A shop as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shop {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub locale: String,
    pub accent: Option<String>,
    pub allowed_origins: Vec<String>,
    /// Shoppers may ask for a link to their orders by email (when the server can send mail).
    pub email_links: bool,
    /// Where shoppers may write to the shop about an order: shown on its
    /// page, and the Reply-To of its mails to shoppers.
    pub contact_email: Option<String>,
    /// The time zone (an IANA name) its shopper pages say times in before
    /// their island says them in the shopper's own; UTC when `None`.
    pub time_zone: Option<String>,
    /// The shop's logo (an `https://` address), shown at the top of its
    /// tracking page in place of its name.
    pub logo_url: Option<String>,
}

impl Shop {
    /// The time zone its shopper pages say times in (UTC without one).
    pub fn zone(&self) -> crate::zone::Zone {
        crate::zone::Zone::of(self.time_zone.as_deref())
    }
}

/// A new shop's settings.
#[derive(Debug, Clone)]
pub struct NewShop {
    pub slug: String,
    pub name: String,
    pub locale: String,
    pub accent: Option<String>,
    pub allowed_origins: Vec<String>,
    pub webhook_secret: String,
}

/// Changes to a shop's settings; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct ShopUpdate {
    pub name: Option<String>,
    pub locale: Option<String>,
    /// `Some(None)` removes the accent colour.
    pub accent: Option<Option<String>>,
    /// Replaces the whole list.
    pub allowed_origins: Option<Vec<String>>,
    pub email_links: Option<bool>,
    /// `Some(None)` removes the contact address.
    pub contact_email: Option<Option<String>>,
    /// `Some(None)` removes the time zone (times are said in UTC).
    pub time_zone: Option<Option<String>>,
    /// `Some(None)` removes the logo.
    pub logo_url: Option<Option<String>>,
}

impl ShopUpdate {
    /// The settings this update changes in `shop`, by their stored names, in
    /// the form's order.
    fn changed_from(&self, shop: &Shop) -> Vec<&'static str> {
        fn differs<T: PartialEq>(new: &Option<T>, old: &T) -> bool {
            new.as_ref().is_some_and(|new| new != old)
        }
        [
            ("name", differs(&self.name, &shop.name)),
            ("locale", differs(&self.locale, &shop.locale)),
            ("accent", differs(&self.accent, &shop.accent)),
            ("allowed_origins", differs(&self.allowed_origins, &shop.allowed_origins)),
            ("email_links", differs(&self.email_links, &shop.email_links)),
            ("contact_email", differs(&self.contact_email, &shop.contact_email)),
            ("time_zone", differs(&self.time_zone, &shop.time_zone)),
            ("logo_url", differs(&self.logo_url, &shop.logo_url)),
        ]
        .into_iter()
        .filter_map(|(name, changed)| changed.then_some(name))
        .collect()
    }
}

impl Store {
    /// Creates a shop; the slug must be new.
    pub async fn create_shop(&self, shop: &NewShop) -> Result<Shop, StoreError> {
        let origins = super::to_json(&shop.allowed_origins)?;
        let (store, new) = (self.clone(), shop.clone());
        let id = self
            .written(async move {
                let inserted = sqlx::query_scalar::<_, i64>(
                    "INSERT INTO shops (slug, name, locale, accent, allowed_origins, webhook_secret, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(&new.slug)
                .bind(&new.name)
                .bind(&new.locale)
                .bind(&new.accent)
                .bind(origins)
                .bind(&new.webhook_secret)
                .bind(now())
                .fetch_one(&store.pool)
                .await;
                match inserted {
                    Ok(id) => {
                        store.tally.know(&new.slug);
                        Ok(id)
                    }
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::ShopExists(new.slug)),
                    Err(e) => Err(e.into()),
                }
            })
            .await?;
        Ok(Shop {
            id,
            slug: shop.slug.clone(),
            name: shop.name.clone(),
            locale: shop.locale.clone(),
            accent: shop.accent.clone(),
            allowed_origins: shop.allowed_origins.clone(),
            email_links: true,
            contact_email: None,
            time_zone: None,
            logo_url: None,
        })
    }

    /// The shop with this slug, if any. Every shopper's page and lookup form post
    /// asks for it, so on SQLite it is read on the request's own thread, as lookups
    /// are (see `readers`), unless lookups read a database of their own: shops are
    /// always read from the main one.
    pub async fn shop(&self, slug: &str) -> Result<Option<Shop>, StoreError> {
        let inline = self.readers_read_main.then(|| self.readers.shop(slug)).flatten();
        let row = match inline {
            Some(read) => read.map_err(|e| StoreError::Unavailable(e.to_string()))?,
            None => sqlx::query_as(SHOP).bind(slug).fetch_optional(&self.pool).await?,
        };
        row.map(ShopRow::into_shop).transpose()
    }

    /// Changes a shop's settings; `None` leaves a setting as it is, and records
    /// which settings changed, by `by`. False when there is no such shop.
    pub async fn update_shop(&self, slug: &str, update: &ShopUpdate, by: &By) -> Result<bool, StoreError> {
        let origins = update.allowed_origins.as_ref().map(super::to_json).transpose()?;
        let (store, update, slug, by) = (self.clone(), update.clone(), slug.to_owned(), by.clone());
        self.written(async move {
            let Some(id) = store.shop_id(&slug).await? else {
                return Ok(false);
            };
            // What it was, held until the change is made, to say what changed.
            let (_turn, mut conn) = store.shop_conn(id).await?;
            let mut tx = hold_shop(&mut conn, store.backend, id).await?;
            let row: Option<ShopRow> = sqlx::query_as(SHOP).bind(&slug).fetch_optional(&mut *tx).await?;
            let Some(was) = row.map(ShopRow::into_shop).transpose()? else {
                return Ok(false);
            };
            sqlx::query(
                "UPDATE shops SET
                    name = COALESCE($1, name),
                    locale = COALESCE($2, locale),
                    accent = CASE WHEN $3 THEN $4 ELSE accent END,
                    allowed_origins = COALESCE($5, allowed_origins),
                    email_links = COALESCE($7, email_links),
                    contact_email = CASE WHEN $8 THEN $9 ELSE contact_email END,
                    time_zone = CASE WHEN $10 THEN $11 ELSE time_zone END,
                    logo_url = CASE WHEN $12 THEN $13 ELSE logo_url END
                 WHERE id = $6",
            )
            .bind(&update.name)
            .bind(&update.locale)
            .bind(update.accent.is_some())
            .bind(update.accent.clone().flatten())
            .bind(origins)
            .bind(was.id)
            .bind(update.email_links.map(i64::from))
            .bind(update.contact_email.is_some())
            .bind(update.contact_email.clone().flatten())
            .bind(update.time_zone.is_some())
            .bind(update.time_zone.clone().flatten())
            .bind(update.logo_url.is_some())
            .bind(update.logo_url.clone().flatten())
            .execute(&mut *tx)
            .await?;
            // Turning links by email off ends the links already sent, for good: a
            // merchant who does it after a leak must not see them back when it is
            // turned on again.
            if update.email_links == Some(false) {
                sqlx::query("UPDATE order_links SET revoked_at = $1 WHERE revoked_at IS NULL AND shop_id = $2")
                    .bind(super::now())
                    .bind(was.id)
                    .execute(&mut *tx)
                    .await?;
            }
            let changed = update.changed_from(&was);
            if !changed.is_empty() {
                record(&mut tx, was.id, &by, Done::Settings(&changed)).await?;
            }
            tx.commit().await?;
            Ok(true)
        })
        .await
    }

    /// The id of the shop with this slug, to hold it by.
    async fn shop_id(&self, slug: &str) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT id FROM shops WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The shop's webhook secret, if the shop exists.
    pub async fn webhook_secret(&self, slug: &str) -> Result<Option<(Shop, String)>, StoreError> {
        let row: Option<ShopSecretRow> = sqlx::query_as(
            "SELECT id, slug, name, locale, accent, allowed_origins, email_links, contact_email, time_zone, logo_url, webhook_secret
             FROM shops WHERE slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.shop.into_shop()?, r.webhook_secret))).transpose()
    }

    /// Replaces a shop's webhook secret, for the operator's command line (the
    /// same secret again is no change). False when there is no such shop.
    pub async fn set_webhook_secret(&self, slug: &str, secret: &str) -> Result<bool, StoreError> {
        let Some(id) = self.shop_id(slug).await? else {
            return Ok(false);
        };
        let (_turn, mut conn) = self.shop_conn(id).await?;
        let mut tx = hold_shop(&mut conn, self.backend, id).await?;
        let was: String = sqlx::query_scalar("SELECT webhook_secret FROM shops WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("UPDATE shops SET webhook_secret = $1 WHERE id = $2")
            .bind(secret)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if was != secret {
            record(&mut tx, id, &By::Operator, Done::SecretMade).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// A shop's row as [`SHOP`] reads it.
pub(super) struct ShopRow {
    pub(super) id: i64,
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) locale: String,
    pub(super) accent: Option<String>,
    pub(super) allowed_origins: String,
    pub(super) email_links: i64,
    pub(super) contact_email: Option<String>,
    pub(super) time_zone: Option<String>,
    pub(super) logo_url: Option<String>,
}

impl<'r> FromRow<'r, AnyRow> for ShopRow {
    fn from_row(row: &'r AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ShopRow {
            id: row.try_get("id")?,
            slug: row.try_get("slug")?,
            name: row.try_get("name")?,
            locale: row.try_get("locale")?,
            accent: row.try_get("accent")?,
            allowed_origins: row.try_get("allowed_origins")?,
            email_links: row.try_get("email_links")?,
            contact_email: row.try_get("contact_email")?,
            time_zone: row.try_get("time_zone")?,
            logo_url: row.try_get("logo_url")?,
        })
    }
}

impl ShopRow {
    pub(super) fn into_shop(self) -> Result<Shop, StoreError> {
        Ok(Shop {
            allowed_origins: json(&self.allowed_origins)?,
            id: self.id,
            slug: self.slug,
            name: self.name,
            locale: self.locale,
            accent: self.accent,
            email_links: self.email_links != 0,
            contact_email: self.contact_email,
            time_zone: self.time_zone,
            logo_url: self.logo_url,
        })
    }
}

struct ShopSecretRow {
    shop: ShopRow,
    webhook_secret: String,
}

impl<'r> FromRow<'r, AnyRow> for ShopSecretRow {
    fn from_row(row: &'r AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ShopSecretRow {
            shop: ShopRow::from_row(row)?,
            webhook_secret: row.try_get("webhook_secret")?,
        })
    }
}

/// Begins a write that holds `shop_id` until it ends: SQLite's write lock, and
/// on PostgreSQL the shop's row, so that concurrent checks of what the shop
/// holds cannot pass together.
pub(super) async fn hold_shop<'c>(
    conn: &'c mut sqlx::AnyConnection,
    backend: super::Backend,
    shop_id: i64,
) -> Result<sqlx::Transaction<'c, sqlx::Any>, StoreError> {
    let mut tx = super::begin_write(conn, backend).await?;
    if backend == super::Backend::Postgres {
        sqlx::query("SELECT id FROM shops WHERE id = $1 FOR NO KEY UPDATE")
            .bind(shop_id)
            .fetch_optional(&mut *tx)
            .await?;
    }
    Ok(tx)
}
