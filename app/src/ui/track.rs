//! The tracking page: the shop's header and, inside it, the lookup (an island:
//! the only part of the page the WebAssembly hydrates).

use super::contact::ShopContact;
use super::lookup_form::{page_address, page_base, LookupArea, LookupIsland, LookupPlace, LookupState};
use super::order_links::OrderLinks;
use super::shop_name::ShopName;
use super::{request_locale, set_unavailable, NotFoundPage};
use crate::colour::Accent;
use crate::i18n::{error_title, t, t_around, Locale};
use crate::lookup::{shop_page, ShopPage};
use leptos::prelude::*;
use leptos_meta::{Html, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/track/{shop}` (the full page) and `/embed/{shop}` (`compact`, for the widget's frame).
#[component]
pub fn TrackPage(compact: bool) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let source = move || {
        let q = query.read();
        (
            params.read().get("shop").unwrap_or_default(),
            q.get("locale"),
            q.get("accent"),
        )
    };
    let page = Resource::new(source, |(slug, locale, accent)| shop_page(slug, locale, accent));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(Some(page)) => view! { <TrackShop page compact/> }.into_any(),
                    Ok(None) => view! { <NotFoundPage/> }.into_any(),
                    Err(_) => {
                        set_unavailable();
                        let locale = request_locale();
                        view! {
                            <Html {..} lang=locale.lang_tag()/>
                            <Title text=t(locale, "page.title")/>
                            <p class="notice error" role="alert">{t(locale, "error.unavailable")}</p>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn TrackShop(page: ShopPage, compact: bool) -> impl IntoView {
    let locale = page.locale;
    let base = page_base(compact);
    let place = LookupPlace::of(&page, compact);
    // The links form keeps the same query as the lookup's "look up another order".
    let (keep_locale, keep_accent) = (place.keep_locale.clone(), place.keep_accent.clone());
    // A plain form post's outcome, its order rendered here (such a page is not hydrated).
    #[cfg(feature = "ssr")]
    let state = use_context::<super::PostedLookup>()
        .map(|posted| LookupState::posted(posted, &place))
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let state = LookupState::default();
    // A page that answers a form with an error says so first in its title, which
    // is read out as the page opens.
    let failed = matches!(state.result, Some(Err(_)))
        || matches!(
            use_context::<super::LinkNotice>(),
            Some(super::LinkNotice::Invalid { .. })
        );
    let title = match failed {
        true => error_title(locale, &t(locale, "page.title")),
        false => t(locale, "page.title"),
    };
    view! {
        <Html {..} lang=locale.lang_tag()/>
        <Title text=title/>
        // The accent colour (a checked hex colour), with the text on it and its
        // ink made readable, as a style element carrying the response's nonce, so
        // the page's policy needs no 'unsafe-inline' for styles.
        {page.accent.as_deref().and_then(Accent::of).map(|a| view! { <style nonce=leptos::nonce::use_nonce()>{a.rule()}</style> })}
        <section class="track" class:compact=compact>
            <header class="track-header">
                // Not in the widget's frame, whose page around it is the shop's own.
                <ShopName name=page.name.clone() logo=page.logo_url.clone().filter(|_| !compact)/>
                <h1>{t(locale, "page.title")}</h1>
                <LanguageSwitcher compact slug=page.slug.clone() current=locale accent=keep_accent.clone()/>
            </header>
            <LookupIsland>
                <LookupArea place state/>
            </LookupIsland>
            {page.email_links.then(|| view! {
                <OrderLinks
                    action=format!("{base}/{}/links", page.slug)
                    locale
                    keep_locale
                    keep_accent
                />
            })}
            {page.contact_email.clone().map(|address| view! { <ShopContact locale shop=page.name.clone() address/> })}
            // Inside the widget's frame: report the content height to the page around it.
            {compact.then(|| view! { <script src="/embed-frame.js" defer></script> })}
        </section>
    }
}

/// Links to the same page in each language; plain links, so they work without
/// WebAssembly. Folded away behind the current language's name (a native
/// disclosure, no script): the form stays near the top of a phone's screen,
/// one key press from the page's start, however many languages there are.
#[component]
fn LanguageSwitcher(compact: bool, slug: String, current: Locale, accent: Option<String>) -> impl IntoView {
    let (before, after) = t_around(current, "page.language_current", "language");
    view! {
        <details class="languages">
            <summary>
                {before} <span lang=current.lang_tag()>{current.native_name()}</span> {after}
            </summary>
            <nav aria-label=t(current, "page.language")>
            <ul>
                {Locale::ALL.into_iter().map(|l| {
                    let href = page_address(compact, &slug, None, Some(l.code()), accent.as_deref());
                    view! {
                        <li>
                            // A full page load (rel="external"): the new page's styles carry its own nonce.
                            <a href=href rel="external" hreflang=l.lang_tag() lang=l.lang_tag()
                                aria-current=(l == current).then_some("true")>{l.native_name()}</a>
                        </li>
                    }
                }).collect_view()}
            </ul>
            </nav>
        </details>
    }
}
