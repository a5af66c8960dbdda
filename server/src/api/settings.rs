//! A shop's settings, as its API key may read them, and those it may change
//! here: whether shoppers may ask for a link to their orders by email, where
//! they may write to the shop, the time zone its pages say times in, and its
//! logo. The others are changed in the console or with `lookout shop update`.

use super::auth::{authorize, authorize_write, ClientOf};
use super::body;
use super::path::ApiPath;
use crate::problem::ApiError;
use crate::AppState;
use app::errors::FieldError;
use app::store::{By, Shop, ShopUpdate};
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The largest settings body.
const MAX_BODY: usize = 4 * 1024;

/// A shop's settings.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShopSettings {
    slug: String,
    name: String,
    /// The default language: `en`, `da`, `de`, `es`, `fr`, `it`, `ja`, `nb`, `nl`, `pl`, `pt`, `sv`, `zh` or `zh-Hant`.
    locale: String,
    /// The widget's accent colour (`#rgb` or `#rrggbb`), or `null`.
    #[schema(required = true)]
    accent: Option<String>,
    /// Sites that may embed the widget.
    allowed_origins: Vec<String>,
    /// Shoppers without their order number may ask for a link to their orders by
    /// email (offered only when the server sends mail).
    email_links: bool,
    /// Where shoppers may write to the shop about an order, shown on its
    /// tracking page and the Reply-To of its mails to shoppers; `null` when unset.
    #[schema(required = true)]
    contact_email: Option<String>,
    /// The time zone (an IANA name, such as `Europe/Oslo`) the shop's pages
    /// say times in before the browser says them in the shopper's own, and
    /// without JavaScript; `null` when unset (UTC).
    #[schema(required = true)]
    time_zone: Option<String>,
    /// The shop's logo (an `https://` address of an image), shown at the top
    /// of its tracking page in place of its name; `null` when unset.
    #[schema(required = true)]
    logo_url: Option<String>,
}

impl From<Shop> for ShopSettings {
    fn from(shop: Shop) -> Self {
        ShopSettings {
            slug: shop.slug,
            name: shop.name,
            locale: shop.locale,
            accent: shop.accent,
            allowed_origins: shop.allowed_origins,
            email_links: shop.email_links,
            contact_email: shop.contact_email,
            time_zone: shop.time_zone,
            logo_url: shop.logo_url,
        }
    }
}

/// The settings `PATCH` may change, at least one of them; those left out stay
/// as they are.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    /// Turn links to orders by email on (`true`) or off (`false`).
    #[schema(required = false, value_type = bool)]
    email_links: Option<bool>,
    /// Where shoppers may write to the shop: a plain email address in ASCII
    /// (a domain in another script in its `xn--` form; white space around it
    /// trimmed), or `null` (or `""`) to remove it.
    #[schema(required = false, max_length = 254)]
    #[serde(default)]
    contact_email: Option<Option<String>>,
    /// The time zone the shop's pages say times in: an IANA name (`Europe/Oslo`,
    /// any case, white space around it trimmed; kept as the database spells
    /// it), or `null` (or `""`) for UTC.
    #[schema(required = false, max_length = 64)]
    #[serde(default)]
    time_zone: Option<Option<String>>,
    /// The shop's logo: the `https://` address of an image on a host named on
    /// the internet, in ASCII without spaces or quotes (no user name or
    /// password; white space around it trimmed before its length is checked),
    /// or `null` (or `""`) to remove it.
    #[schema(required = false, max_length = 2048)]
    #[serde(default)]
    logo_url: Option<Option<String>>,
}

/// The settings a `PATCH` may send, as its errors name them.
const PATCHABLE: &str =
    "`email_links` (true or false), `contact_email` (an email address, or null), `time_zone` (a time zone's name, or null) \
     and `logo_url` (an https:// address, or null)";

/// The settings by name, whatever their values: read only to find one given twice.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Named {
    email_links: Option<serde::de::IgnoredAny>,
    contact_email: Option<serde::de::IgnoredAny>,
    time_zone: Option<serde::de::IgnoredAny>,
    logo_url: Option<serde::de::IgnoredAny>,
}

/// The longest unknown field name quoted back in an error.
const MAX_NAME: usize = 64;

impl SettingsPatch {
    /// Reads a `PATCH` body: a JSON object of settings this endpoint changes, each
    /// with a value of its type. Anything else is every problem found, for `errors`.
    fn parse(bytes: &[u8]) -> Result<SettingsPatch, Vec<FieldError>> {
        let invalid = |field: &str, message: String| vec![FieldError::new(field, "invalid_settings", message)];
        let fields = match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(fields)) => fields,
            Ok(_) => {
                return Err(invalid(
                    "body",
                    format!("The body must be a JSON object of the settings to change: {PATCHABLE}."),
                ))
            }
            Err(e) => return Err(invalid("body", format!("The body is not valid JSON ({e})."))),
        };
        if let Some(field) = super::body::given_twice::<Named>(bytes) {
            return Err(vec![field]);
        }
        if fields.is_empty() {
            return Err(invalid(
                "body",
                format!("The body names no setting; the settings that may be sent: {PATCHABLE}."),
            ));
        }
        let mut errors = vec![];
        let mut patch = SettingsPatch::default();
        for (name, value) in fields {
            match (name.as_str(), value) {
                ("email_links", Value::Bool(on)) => patch.email_links = Some(on),
                ("email_links", _) => errors.extend(invalid(
                    "email_links",
                    "`email_links` must be true or false.".to_string(),
                )),
                ("contact_email", value) => {
                    match text_or_null(value, crate::settings::check_contact_email, "an email address") {
                        Ok(address) => patch.contact_email = Some(address),
                        Err(e) => errors.extend(invalid("contact_email", format!("`contact_email`: {e}."))),
                    }
                }
                ("time_zone", value) => {
                    match text_or_null(value, crate::settings::check_time_zone, "a time zone's name") {
                        Ok(zone) => patch.time_zone = Some(zone),
                        Err(e) => errors.extend(invalid("time_zone", format!("`time_zone`: {e}."))),
                    }
                }
                ("logo_url", value) => {
                    match text_or_null(value, crate::settings::check_logo_url, "an https:// address") {
                        Ok(logo) => patch.logo_url = Some(logo),
                        Err(e) => errors.extend(invalid("logo_url", format!("`logo_url`: {e}."))),
                    }
                }
                (other, _) => {
                    let name = app::normalize::clip(other, MAX_NAME);
                    errors.extend(invalid(
                        name,
                        format!(
                            "`{name}` cannot be changed here; the settings that may be sent: {PATCHABLE} \
                             (the others are changed in the console or with `lookout shop update`)."
                        ),
                    ))
                }
            }
        }
        match errors.is_empty() {
            true => Ok(patch),
            false => Err(errors),
        }
    }
}

/// A setting given as text, or `null` to remove it: `check`ed text, `None` for
/// `null`, and for anything else an error saying what it must be (`what`).
fn text_or_null(
    value: Value,
    check: fn(&str) -> Result<Option<String>, String>,
    what: &str,
) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(typed) => check(&typed),
        _ => Err(format!("must be {what} as text, or null to remove it")),
    }
}

/// `GET /api/v1/shops/{shop}/settings`
#[utoipa::path(
    get,
    path = "/api/v1/shops/{shop}/settings",
    tag = "merchant",
    operation_id = "get_settings",
    summary = "Read the shop's settings",
    security(("api_key" = [])),
    params(("shop" = String, Path, description = "The shop's slug", example = "demo")),
    responses(
        (status = 200, description = "The shop's settings", body = ShopSettings),
        (status = 401, description = "No key, or not this shop's live key", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed key checks from this address; `Retry-After` says when", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable, or key checking is at capacity; `Retry-After`", body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_settings(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    ApiPath(slug): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Json<ShopSettings>, ApiError> {
    let shop = authorize(&state, &client, &headers, &slug).await?;
    Ok(Json(shop.into()))
}

/// `PATCH /api/v1/shops/{shop}/settings`
#[utoipa::path(
    patch,
    path = "/api/v1/shops/{shop}/settings",
    tag = "merchant",
    operation_id = "patch_settings",
    summary = "Change the shop's settings (links to orders by email, the contact address, the time zone, the logo)",
    security(("api_key" = [])),
    params(("shop" = String, Path, description = "The shop's slug", example = "demo")),
    request_body(content = SettingsPatch, content_type = "application/json", description = "The settings to change"),
    responses(
        (status = 200, description = "Changed; the shop's settings now", body = ShopSettings),
        (status = 401, description = "No key, or not this shop's live key", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a settings object, no setting in it, a setting this endpoint cannot change, or a value of the wrong kind (`email_links` not `true`/`false`, `contact_email` not an email address or null, `time_zone` not a time zone's name or null, `logo_url` not an https:// address or null); `errors` names each; nothing changed", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Past the key's allowance of writes (`api-writes-per-key` per window), or too many failed key checks from this address; `Retry-After` says when; nothing changed", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 4 KiB", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is sent compressed (a `Content-Encoding` other than `identity`); nothing changed", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable, or key checking is at capacity; `Retry-After`", body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn patch_settings(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    ApiPath(slug): ApiPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ShopSettings>, ApiError> {
    let (shop, prefix) = authorize_write(&state, &client, &headers, &slug).await?;
    let bytes = body::read(body, MAX_BODY).await?;
    let patch = SettingsPatch::parse(&bytes).map_err(ApiError::Validation)?;
    let update = ShopUpdate {
        email_links: patch.email_links,
        contact_email: patch.contact_email,
        time_zone: patch.time_zone,
        logo_url: patch.logo_url,
        ..ShopUpdate::default()
    };
    state.store.update_shop(&shop.slug, &update, &By::Key(prefix)).await?;
    let shop = state.store.shop(&shop.slug).await?.ok_or(ApiError::Unauthorized)?;
    Ok(Json(shop.into()))
}
