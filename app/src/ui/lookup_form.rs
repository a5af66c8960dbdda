//! The lookup: the form and, in its place once found, the order. Everything in
//! it is rendered on the server, by [`LookupArea`], both in the page and as the
//! answer to a lookup made without a page load; it works as a plain HTML form
//! post without WebAssembly.
//!
//! The island around it ([`LookupIsland`]) is all the browser runs: it posts the
//! form in the background and puts the server's rendering of the result in its
//! place (see `enhance`). So the WebAssembly carries no translations, no order
//! rendering, no validation and no serialisation of its own.

use crate::errors::{FieldError, LookupError};
use crate::i18n::{t, Locale};
use crate::view::ShopPage;
use leptos::prelude::*;

/// The request header by which the island asks a lookup's post for the lookup's
/// part of the page only, and which the server's answer carries back.
pub const FRAGMENT_HEADER: &str = "lookout-fragment";
/// That header's one value.
pub const FRAGMENT_LOOKUP: &str = "lookup";

/// Where a lookup is shown: the page's language, the shop's time zone (its
/// name), the page's own address (the form's target), and what "look up
/// another order" keeps of its query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupPlace {
    pub locale: Locale,
    pub time_zone: Option<String>,
    pub here: String,
    pub keep_locale: Option<String>,
    pub keep_accent: Option<String>,
}

impl LookupPlace {
    /// The lookup of `page`: `/track/{shop}`, or `/embed/{shop}` when `compact`
    /// (which alone keeps the accent colour of the query).
    pub fn of(page: &ShopPage, compact: bool) -> LookupPlace {
        let keep_accent = page.accent.clone().filter(|_| compact);
        // Keep an explicit language choice through the plain form post.
        let here = page_address(
            compact,
            &page.slug,
            None,
            page.requested.as_deref(),
            keep_accent.as_deref(),
        );
        LookupPlace {
            locale: page.locale,
            time_zone: page.time_zone.clone(),
            here,
            keep_locale: page.requested.clone(),
            keep_accent,
        }
    }
}

/// Where a shop's tracking pages live: `/track`, or `/embed` for the widget's frame.
pub fn page_base(compact: bool) -> &'static str {
    if compact {
        "/embed"
    } else {
        "/track"
    }
}

/// The address of a shop's tracking page (`compact`: the widget's), with `first`
/// (such as `sent=1`) and then the language and accent colour its query keeps:
/// `locale` a language code, `accent` a checked colour (`#rrggbb`), kept by the
/// widget only. Every address that leads back to the page is made here.
pub fn page_address(
    compact: bool,
    slug: &str,
    first: Option<&str>,
    locale: Option<&str>,
    accent: Option<&str>,
) -> String {
    let mut query: Vec<String> = first.map(str::to_string).into_iter().collect();
    if let Some(code) = locale {
        query.push(format!("locale={code}"));
    }
    if let Some(accent) = accent.filter(|_| compact) {
        query.push(format!("accent=%23{}", accent.trim_start_matches('#')));
    }
    let base = page_base(compact);
    match query.is_empty() {
        true => format!("{base}/{slug}"),
        false => format!("{base}/{slug}?{}", query.join("&")),
    }
}

/// What the lookup shows: the fields as typed and, after a lookup, its outcome
/// (a found order as the HTML rendered for it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LookupState {
    pub email: String,
    pub order_number: String,
    pub result: Option<Result<String, LookupError>>,
}

impl LookupState {
    /// What a lookup posted to `place` shows, its order rendered in the page's
    /// language and the shop's time zone.
    #[cfg(feature = "ssr")]
    pub fn posted(posted: super::PostedLookup, place: &LookupPlace) -> LookupState {
        let zone = crate::zone::Zone::of(place.time_zone.as_deref());
        LookupState {
            email: posted.email,
            order_number: posted.order_number,
            result: Some(posted.result.map(|order| super::order_html(order, place.locale, zone))),
        }
    }
}

/// The island: a region whose content the server renders. In the browser it
/// takes over the form's posts (see `enhance`); its children are never hydrated.
#[island]
pub fn LookupIsland(children: Children) -> impl IntoView {
    let region = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(region) = region.get_untracked() {
            super::enhance::on_submit(ev.into(), region.into());
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let on_submit = |_: leptos::ev::SubmitEvent| {};
    // Runs in the browser only, once the island has been hydrated.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(region) = region.get() {
            super::enhance::start(region.into());
        }
    });
    view! {
        // Not a live region: what a lookup brings is told by focus (the order's
        // heading, the first field in error) and by its notice's role="alert";
        // a live region would read the whole order out as well.
        <div class="lookup-region" node_ref=region on:submit=on_submit>
            {children()}
        </div>
    }
}

/// The lookup's content: the order found, or the form with what went wrong.
#[component]
pub fn LookupArea(place: LookupPlace, state: LookupState) -> impl IntoView {
    let locale = place.locale;
    match state.result {
        Some(Ok(order_html)) => view! { <LookupResult place order_html/> }.into_any(),
        outcome => {
            let (notice, errors) = match outcome {
                Some(Err(LookupError::Invalid(errors))) => (None, errors),
                Some(Err(e)) => (Some(e), Vec::new()),
                _ => (None, Vec::new()),
            };
            let field = |id: &'static str| {
                let error = errors.iter().find(|e| e.field == id).map(|e| field_message(locale, e));
                (id, error)
            };
            // After a plain post (no JavaScript) the page opens at the first field in
            // error, which is then read out with its error; the island does the same.
            // After a miss or a refusal, at the email field (as the island does),
            // which then reads the notice as its description.
            let first_invalid = ["email", "order_number"]
                .into_iter()
                .find(|id| errors.iter().any(|e| e.field == *id))
                .or(notice.is_some().then_some("email"));
            let noticed = notice.is_some();
            view! {
                <form
                    class="lookup" method="post" action=place.here novalidate data-lookup="find"
                    data-unavailable=t(locale, "error.unavailable")
                >
                    {notice.map(|e| view! { <Notice error=e locale/> })}
                    <Field
                        field=field("email") autofocus=first_invalid == Some("email") noticed
                        label=t(locale, "form.email_label") kind="email"
                        autocomplete="email" inputmode="email" hint=t(locale, "form.email_hint") value=state.email
                    />
                    <Field
                        field=field("order_number") autofocus=first_invalid == Some("order_number") noticed=false
                        label=t(locale, "form.number_label") kind="text"
                        autocomplete="off" inputmode="text" hint=t(locale, "form.number_hint") value=state.order_number
                    />
                    <button type="submit" class="primary" aria-busy="false" data-busy=t(locale, "form.submitting")>
                        {t(locale, "form.submit")}
                    </button>
                </form>
            }
            .into_any()
        }
    }
}

/// The HTML of [`LookupArea`]: what the island puts in place after a lookup.
#[cfg(feature = "ssr")]
pub fn lookup_area_html(place: LookupPlace, state: LookupState) -> String {
    use leptos::tachys::view::RenderHtml;
    Owner::new().with(|| view! { <LookupArea place state/> }.to_html())
}

/// The order found (escaped where it was rendered, like every page the server
/// renders) and a way back to an empty form that keeps the page's query.
#[component]
fn LookupResult(place: LookupPlace, order_html: String) -> impl IntoView {
    view! {
        <div class="result">
            <div class="result-order" inner_html=order_html></div>
            <form method="get" action=place.here data-lookup="again">
                {place.keep_locale.map(|code| view! { <input type="hidden" name="locale" value=code/> })}
                {place.keep_accent.map(|a| view! { <input type="hidden" name="accent" value=a/> })}
                <button type="submit" class="secondary">{t(place.locale, "form.again")}</button>
            </form>
        </div>
    }
}

/// Why a well-formed lookup found nothing, in words for the shopper.
#[component]
fn Notice(error: LookupError, locale: Locale) -> impl IntoView {
    match error {
        LookupError::RateLimited { retry_after_secs } => {
            let minutes = retry_after_secs.div_ceil(60).to_string();
            let message = t(locale, "error.rate_limited").replace("%{minutes}", &minutes);
            view! { <div class="notice error" id="lookup-notice" role="alert"><p>{message}</p></div> }.into_any()
        }
        LookupError::NotFound => view! {
            <div class="notice" id="lookup-notice" role="alert">
                <p><strong>{t(locale, "error.not_found")}</strong></p>
                <p>{t(locale, "error.not_found_help")}</p>
            </div>
        }
        .into_any(),
        _ => view! { <div class="notice error" id="lookup-notice" role="alert"><p>{t(locale, "error.unavailable")}</p></div> }.into_any(),
    }
}

/// A field error in the shopper's language, by its code.
fn field_message(locale: Locale, error: &FieldError) -> String {
    match crate::normalize::LOOKUP_ERROR_CODES.contains(&error.code.as_str()) {
        true => t(locale, &format!("field.{}", error.code)),
        false => t(locale, "error.unavailable"),
    }
}

/// One labelled input with its hint and, when there is one, its error.
#[component]
fn Field(
    field: (&'static str, Option<String>),
    autofocus: bool,
    /// The form's notice (a miss, a refusal) describes this field too.
    noticed: bool,
    label: String,
    kind: &'static str,
    autocomplete: &'static str,
    inputmode: &'static str,
    hint: String,
    value: String,
) -> impl IntoView {
    let (id, error) = field;
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = match noticed {
        true => format!("lookup-notice {hint_id} {error_id}"),
        false => format!("{hint_id} {error_id}"),
    };
    let invalid = error.is_some();
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id>{label}</label>
            <input
                id=id name=id type=kind autocomplete=autocomplete inputmode=inputmode
                spellcheck="false" autocapitalize="off" required autofocus=autofocus
                aria-describedby=described
                aria-invalid=if invalid { "true" } else { "false" }
                value=value
            />
            <p class="hint" id=hint_id>{hint}</p>
            <p class="field-error" id=error_id>{error}</p>
        </div>
    }
}
