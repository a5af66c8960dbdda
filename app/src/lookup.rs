//! The one lookup path, behind both `POST /api/v1/shops/{shop}/lookup` and the page.

use crate::errors::LookupError;
pub use crate::view::ShopPage;
use crate::view::ShopperView;
use leptos::prelude::*;

/// Looks an order up for a shopper: normalise, validate, one query by (shop, number)
/// with the email check in it, which reads the shopper view stored when the order was
/// written. Every miss is the same `NotFound`.
#[cfg(feature = "ssr")]
pub async fn lookup(
    store: &crate::store::Store,
    limits: &crate::limits::LookupLimits,
    client: &crate::limits::Client,
    shop: &str,
    email: &str,
    order_number: &str,
) -> Result<crate::view::StoredView, LookupError> {
    use crate::limits::Refusal;
    use crate::normalize::{check_lookup, email_key, folded, folded_email, is_slug, order_number_key};
    use crate::store::Counted;
    // Counted as abandoned if the request ends before the outcome below.
    let mut unanswered = Unanswered(true);
    let result = match check_lookup(email, order_number) {
        Err(errors) => Err(LookupError::Invalid(errors)),
        // No shop has such a slug: nothing to count, nothing to ask.
        Ok(()) if !is_slug(shop) => Err(LookupError::NotFound),
        Ok(()) => {
            // What the shopper meant (full-width forms as ASCII, unseen marks
            // dropped, an email's ideographic full stops as dots): the
            // allowances count it, and it is looked for first.
            let (typed_number, typed_email) = (order_number, email);
            let (order_number, email) = (folded(typed_number), folded_email(typed_email));
            // Folding changed the typing (it borrows what it leaves as it is).
            let refolded = [&order_number, &email]
                .iter()
                .any(|f| matches!(f, std::borrow::Cow::Owned(_)));
            let typed = refolded.then_some((typed_number, typed_email));
            let (order_number, email) = (order_number.as_ref(), email.as_ref());
            let number_key = order_number_key(order_number);
            let email_key = email_key(email);
            let keys = limits.keys(client, shop, &number_key, &email_key);
            // Reserve first: a burst gets no more attempts than the allowance.
            // Each outcome counts for the console (in memory, flushed by the server).
            match limits.take(&keys).await {
                Err(Refusal::Limited(wait)) => {
                    store.tally(shop, Counted::Limited, None);
                    note_refusal(store, limits, &keys, client, shop, &number_key, &email_key).await;
                    Err(LookupError::RateLimited {
                        retry_after_secs: wait.as_secs().max(1),
                    })
                }
                Err(Refusal::Unavailable) => Err(LookupError::Unavailable),
                // Dropped before the answer (the client left), the attempt is given back.
                Ok(attempt) => {
                    match view_as_typed(store, shop, (&number_key, email), typed).await {
                        Ok(Some(view)) => {
                            attempt.give_back().await;
                            store.tally(shop, Counted::Found, Some(&number_key));
                            Ok(view)
                        }
                        // The attempt stays taken: it was a miss.
                        Ok(None) => {
                            attempt.keep();
                            store.tally(shop, Counted::Missed, None);
                            Err(LookupError::NotFound)
                        }
                        Err(e) => {
                            attempt.give_back().await;
                            tracing::error!(error = %e, "lookup query failed");
                            Err(LookupError::Unavailable)
                        }
                    }
                }
            }
        }
    };
    unanswered.0 = false;
    // Outcome and a keyed hash of the email only: never the email or the order number.
    let outcome = match &result {
        Ok(_) => "found",
        Err(LookupError::NotFound) => "not_found",
        Err(LookupError::Invalid(_)) => "invalid",
        Err(LookupError::RateLimited { .. }) => "rate_limited",
        Err(LookupError::Unavailable) => "unavailable",
    };
    tracing::info!(outcome, email_hash = %email_fingerprint(email), "lookup");
    metrics::counter!("lookout_lookups_total", "outcome" => outcome).increment(1);
    if outcome == "rate_limited" {
        metrics::counter!("lookout_rate_limited_total").increment(1);
    }
    result
}

/// A lookup under way: counted as `abandoned` if dropped before its outcome
/// (the client closed the connection while the lookup waited).
#[cfg(feature = "ssr")]
struct Unanswered(bool);

#[cfg(feature = "ssr")]
impl Drop for Unanswered {
    fn drop(&mut self) {
        if self.0 {
            metrics::counter!("lookout_lookups_total", "outcome" => "abandoned").increment(1);
        }
    }
}

/// The view of the order `meant` names (the folded typing's number key and
/// email), or failing that the one the typing as it was names (`typed`, given
/// when folding changed it): an order stored with such characters in its
/// number or email (before they were refused) is still found by the shopper
/// who pastes them.
#[cfg(feature = "ssr")]
async fn view_as_typed(
    store: &crate::store::Store,
    shop: &str,
    (number_key, email): (&str, &str),
    typed: Option<(&str, &str)>,
) -> Result<Option<crate::view::StoredView>, crate::store::StoreError> {
    let found = store.shopper_view(shop, number_key, email).await?;
    match typed {
        Some((number, email)) if found.is_none() => {
            let number_key = crate::normalize::order_number_key(number);
            store.shopper_view(shop, &number_key, email).await
        }
        _ => Ok(found),
    }
}

/// Tells the console's abuse panel which allowances a refused lookup found spent.
#[cfg(feature = "ssr")]
async fn note_refusal(
    store: &crate::store::Store,
    limits: &crate::limits::LookupLimits,
    keys: &crate::limits::Keys,
    client: &crate::limits::Client,
    shop: &str,
    number_key: &str,
    email_key: &str,
) {
    use crate::store::{masked_email, Refused};
    let [by_client, by_order, by_email] = limits.spent(keys).await;
    if by_client {
        store.note_refusal(shop, Refused::Client, &client.masked());
    }
    if by_order {
        store.note_refusal(shop, Refused::Order, number_key);
    }
    if by_email {
        store.note_refusal(shop, Refused::Email, &masked_email(email_key));
    }
}

/// A keyed hash of a normalised email, for correlating one shopper's attempts in logs
/// without recording the address. The key is random per process and never leaves it.
#[cfg(feature = "ssr")]
pub fn email_fingerprint(email: &str) -> String {
    use sha2::{Digest, Sha256};
    use std::sync::OnceLock;
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    let key = KEY.get_or_init(crate::limits::random_secret);
    let digest = Sha256::new()
        .chain_update(key)
        .chain_update(crate::normalize::email_key(email).as_bytes())
        .finalize();
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The page's lookup, as a server function with a stable endpoint (`/api/track`)
/// so a page cached on a shopper's phone keeps working across deploys.
#[server(name = TrackOrder, prefix = "/api", endpoint = "track")]
pub async fn track_order(
    // A field left out is empty, and refused as such (422), as on every path.
    #[server(default)] shop: String,
    #[server(default)] email: String,
    #[server(default)] order_number: String,
) -> Result<ShopperView, LookupError> {
    // Parsed and written again at once, with nothing awaited between: no
    // place among the renders is needed for that (`crate::renders`).
    said(
        looked_up(&shop, &email, &order_number)
            .await
            .and_then(|(stored, _)| parsed(&stored)),
    )
}

/// The server functions' lookup, said in the answer's status line when it
/// fails, with the client it counted.
#[cfg(feature = "ssr")]
async fn looked_up(
    shop: &str,
    email: &str,
    order_number: &str,
) -> Result<(crate::view::StoredView, crate::limits::Client), LookupError> {
    use std::sync::Arc;
    let store = use_context::<crate::store::Store>();
    let limits = use_context::<Arc<crate::limits::LookupLimits>>();
    let (Some(store), Some(limits)) = (store, limits) else {
        return said(Err(LookupError::Unavailable));
    };
    let client = use_context::<http::request::Parts>()
        .map(|parts| crate::limits::client_of(&parts, &limits.settings().proxies))
        .unwrap_or_else(|| crate::limits::Client::new(None));
    said(lookup(&store, &limits, &client, shop, email, order_number).await).map(|stored| (stored, client))
}

/// `result`, its failure said in the status line of the answer being made
/// (a miss is an answer, not a server failure).
#[cfg(feature = "ssr")]
fn said<T>(result: Result<T, LookupError>) -> Result<T, LookupError> {
    if let Err(e) = &result {
        answer_status(e);
    }
    result
}

/// A found order's view, parsed in its place among the renders (held while
/// the caller makes its page: `crate::renders`).
#[cfg(feature = "ssr")]
pub async fn placed(
    renders: &crate::renders::Renders,
    stored: &crate::view::StoredView,
    client: crate::limits::Client,
) -> Result<(ShopperView, crate::renders::Place), LookupError> {
    let place = renders.place_for(stored, client).await?;
    Ok((parsed(stored)?, place))
}

/// Says `e` in the status line of the answer being made (a server function's,
/// or the page's that called it), with `Retry-After` when trying again helps.
#[cfg(feature = "ssr")]
pub fn answer_status(e: &LookupError) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let (status, retry_after) = e.http_status();
        response.set_status(status);
        if let Some(secs) = retry_after {
            response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
        }
    }
}

/// The same as [`track_order`] (statuses included), with a found order answered
/// as HTML rendered here in `locale`: what the island of earlier builds asked.
/// Today's island posts the page's own form instead (`lookout-fragment: lookup`);
/// this and `/api/track` stay for pages loaded before.
#[server(name = TrackOrderHtml, prefix = "/api", endpoint = "track-html")]
pub async fn track_order_html(
    #[server(default)] shop: String,
    #[server(default)] email: String,
    #[server(default)] order_number: String,
    // A code the page knows, else its default language.
    #[server(default)] locale: String,
) -> Result<String, LookupError> {
    use std::sync::Arc;
    let (stored, client) = looked_up(&shop, &email, &order_number).await?;
    let locale = crate::i18n::Locale::parse(&locale).unwrap_or_default();
    // The shop's time zone, as its page says times (the shop was just found),
    // asked before the view takes its place: nothing is awaited with it held.
    let zone = match use_context::<crate::store::Store>() {
        Some(store) => match store.shop(&shop).await {
            Ok(found) => found.map(|s| s.zone()).unwrap_or_default(),
            Err(e) => {
                // The order is still shown, its times in UTC.
                tracing::error!(error = %e, "shop query failed");
                crate::zone::Zone::default()
            }
        },
        None => crate::zone::Zone::default(),
    };
    let renders = use_context::<Arc<crate::renders::Renders>>().ok_or(LookupError::Unavailable);
    let (view, _place) = match renders {
        Ok(renders) => said(placed(&renders, &stored, client).await)?,
        Err(e) => return said(Err(e)),
    };
    Ok(crate::ui::order_html(view, locale, zone))
}

/// The view a lookup found, for rendering. The store wrote it from a `ShopperView`,
/// so it reads back as one unless the database was changed by hand.
#[cfg(feature = "ssr")]
pub fn parsed(stored: &crate::view::StoredView) -> Result<ShopperView, LookupError> {
    stored.parse().map_err(|e| {
        tracing::error!(error = %crate::errors::json_problem(&e), "stored shopper view unreadable");
        LookupError::Unavailable
    })
}

/// Whether this server sends mail (`--smtp-url`): provided to the pages, which
/// offer links by email only then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailOn(pub bool);

/// What the tracking page needs before any lookup: the shop's name and the
/// shopper's language (`?locale=`, else `Accept-Language`, else the shop's default).
/// `None` when there is no such shop.
#[server(name = ShopPageInfo, prefix = "/api", endpoint = "shop")]
pub async fn shop_page(
    #[server(default)] slug: String,
    locale: Option<String>,
    accent: Option<String>,
) -> Result<Option<ShopPage>, LookupError> {
    let store = use_context::<crate::store::Store>().ok_or(LookupError::Unavailable)?;
    let parts = use_context::<http::request::Parts>();
    let accept_language = parts
        .as_ref()
        .and_then(|parts| parts.headers.get(http::header::ACCEPT_LANGUAGE)?.to_str().ok());
    let mail_on = use_context::<MailOn>().is_some_and(|on| on.0);
    shop_page_of(
        &store,
        mail_on,
        accept_language,
        &slug,
        locale.as_deref(),
        accent.as_deref(),
    )
    .await
    // 503 and `Retry-After`, here and on the page that asked (not a 500).
    .inspect_err(answer_status)
}

/// [`shop_page`] from what it reads: the store, whether this server sends mail,
/// the request's `Accept-Language`, and the page's path and query.
#[cfg(feature = "ssr")]
pub async fn shop_page_of(
    store: &crate::store::Store,
    mail_on: bool,
    accept_language: Option<&str>,
    slug: &str,
    locale: Option<&str>,
    accent: Option<&str>,
) -> Result<Option<ShopPage>, LookupError> {
    use crate::i18n::Locale;
    if !crate::normalize::is_slug(slug) {
        return Ok(None);
    }
    let requested = locale.and_then(Locale::parse);
    let accepted = accept_language.and_then(Locale::from_accept_language);
    match store.shop(slug).await {
        Ok(shop) => Ok(shop.map(|s| ShopPage {
            locale: requested
                .or(accepted)
                .or_else(|| Locale::parse(&s.locale))
                .unwrap_or_default(),
            requested: requested.map(|l| l.code().to_string()),
            accent: accent.map(str::trim).and_then(hex_colour).or(s.accent),
            email_links: s.email_links && mail_on,
            contact_email: s.contact_email,
            time_zone: s.time_zone,
            logo_url: s.logo_url,
            slug: s.slug,
            name: s.name,
        })),
        Err(e) => {
            tracing::error!(error = %e, "shop query failed");
            Err(LookupError::Unavailable)
        }
    }
}

/// A `#rgb` or `#rrggbb` colour (the `#` may be left out), lower-cased; anything else is refused,
/// so nothing but a colour ever reaches the page's style. The one check for accent colours,
/// on the command line and in `?accent=`.
pub fn hex_colour(input: &str) -> Option<String> {
    let hex = input.strip_prefix('#').unwrap_or(input);
    ((hex.len() == 3 || hex.len() == 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("#{}", hex.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_hex_colours_pass() {
        assert_eq!(super::hex_colour("#0A7C59").as_deref(), Some("#0a7c59"));
        assert_eq!(super::hex_colour("fff").as_deref(), Some("#fff"));
        for bad in ["red", "#12345", "#1234567", "#ggg", "1;background:url(x)", ""] {
            assert_eq!(super::hex_colour(bad), None, "{bad}");
        }
    }
}
