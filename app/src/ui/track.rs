//! The tracking page: the lookup form and its result. Works as a plain HTML form
//! post without WebAssembly; once hydrated, looks up without a page load.

use super::order::OrderView;
use super::{set_status, NotFoundPage, PostedLookup};
use crate::errors::{FieldError, LookupError};
use crate::i18n::{t, Locale};
use crate::lookup::{shop_page, ShopPage, TrackOrder};
use crate::normalize::check_lookup;
use crate::view::ShopperView;
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
                    Err(e) => {
                        set_status(503);
                        view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn TrackShop(page: ShopPage, compact: bool) -> impl IntoView {
    let locale = page.locale;
    let base = if compact { "/embed" } else { "/track" };
    let posted = use_context::<PostedLookup>();
    let action = ServerAction::<TrackOrder>::new();
    let pending = action.pending();
    let local_errors = RwSignal::new(Vec::<FieldError>::new());
    let email = RwSignal::new(posted.as_ref().map(|p| p.email.clone()).unwrap_or_default());
    let order_number = RwSignal::new(posted.as_ref().map(|p| p.order_number.clone()).unwrap_or_default());
    let posted_result = posted.map(|p| p.result);
    let outcome: Signal<Option<Result<ShopperView, LookupError>>> =
        Signal::derive(move || action.value().get().or_else(|| posted_result.clone()));
    let errors = Signal::derive(move || {
        let local = local_errors.get();
        match outcome.get() {
            _ if !local.is_empty() => local,
            Some(Err(LookupError::Invalid(server))) => server,
            _ => Vec::new(),
        }
    });
    // Set once the WebAssembly has taken over the page (effects run only in the browser).
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    // After a lookup without a page load, move focus to the result so it is read out.
    Effect::new(move |_| {
        if let Some(Ok(_)) = outcome.get() {
            request_animation_frame(focus_result);
        }
    });

    // Keep an explicit language choice through the plain form post.
    let mut query = Vec::new();
    if let Some(code) = &page.requested {
        query.push(format!("locale={code}"));
    }
    if let (true, Some(accent)) = (compact, &page.accent) {
        query.push(format!("accent=%23{}", accent.trim_start_matches('#')));
    }
    let here = match query.is_empty() {
        true => format!("{base}/{}", page.slug),
        false => format!("{base}/{}?{}", page.slug, query.join("&")),
    };
    let slug = page.slug.clone();
    let action_url = here.clone();
    let form = move || {
        let email_ref = NodeRef::<leptos::html::Input>::new();
        let number_ref = NodeRef::<leptos::html::Input>::new();
        let slug = slug.clone();
        let on_submit = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let typed_email = email_ref.get().map(|i| i.value()).unwrap_or_default();
            let typed_number = number_ref.get().map(|i| i.value()).unwrap_or_default();
            email.set(typed_email.clone());
            order_number.set(typed_number.clone());
            match check_lookup(&typed_email, &typed_number) {
                Err(found) => local_errors.set(found),
                Ok(()) => {
                    local_errors.set(Vec::new());
                    action.dispatch(TrackOrder {
                        shop: slug.clone(),
                        email: typed_email,
                        order_number: typed_number,
                    });
                }
            }
        };
        let miss = move || match outcome.get() {
            Some(Err(LookupError::NotFound)) => Some(
                view! {
                    <div class="notice" role="alert">
                        <p><strong>{t(locale, "error.not_found")}</strong></p>
                        <p>{t(locale, "error.not_found_help")}</p>
                    </div>
                }
                .into_any(),
            ),
            Some(Err(LookupError::RateLimited { retry_after_secs })) => {
                let minutes = retry_after_secs.div_ceil(60).to_string();
                Some(
                    view! {
                        <div class="notice error" role="alert">
                            <p>{crate::i18n::t_args(locale, "error.rate_limited", &[("minutes", &minutes)])}</p>
                        </div>
                    }
                    .into_any(),
                )
            }
            Some(Err(LookupError::Unavailable)) => Some(
                view! { <div class="notice error" role="alert"><p>{t(locale, "error.unavailable")}</p></div> }
                    .into_any(),
            ),
            _ => None,
        };
        view! {
            <form
                class="lookup" method="post" action=action_url.clone() novalidate
                data-hydrated=move || hydrated.get().to_string() on:submit=on_submit
            >
                {miss}
                <Field
                    id="email" label=t(locale, "form.email_label") kind="email" autocomplete="email" inputmode="email"
                    hint=t(locale, "form.email_hint") value=email node_ref=email_ref errors locale
                />
                <Field
                    id="order_number" label=t(locale, "form.number_label") kind="text" autocomplete="off"
                    inputmode="text" hint=t(locale, "form.number_hint") value=order_number node_ref=number_ref
                    errors locale
                />
                <button type="submit" class="primary" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
                    {move || if pending.get() { t(locale, "form.submitting") } else { t(locale, "form.submit") }}
                </button>
            </form>
        }
    };

    let again_url = here.clone();
    let keep_locale = page.requested.clone();
    let keep_accent = page.accent.clone().filter(|_| compact);
    let result = move |order: ShopperView| {
        view! {
            <div class="result">
                <OrderView order locale/>
                <form method="get" action=again_url.clone()>
                    {keep_locale.clone().map(|code| view! { <input type="hidden" name="locale" value=code/> })}
                    {keep_accent.clone().map(|a| view! { <input type="hidden" name="accent" value=a/> })}
                    <button type="submit" class="secondary" on:click=move |ev| {
                        ev.prevent_default();
                        email.set(String::new());
                        order_number.set(String::new());
                        action.value().set(None);
                    }>{t(locale, "form.again")}</button>
                </form>
            </div>
        }
    };

    view! {
        <Html {..} lang=locale.code()/>
        <Title text=t(locale, "page.title")/>
        // The accent colour (a checked hex colour) as a style element carrying the
        // response's nonce, so the page's policy needs no 'unsafe-inline' for styles.
        {page.accent.clone().map(|a| view! { <style nonce=leptos::nonce::use_nonce()>{format!(".track{{--accent:{a}}}")}</style> })}
        <section class="track" class:compact=compact>
            <header class="track-header">
                <p class="shop-name">{page.name.clone()}</p>
                <h1>{t(locale, "page.title")}</h1>
                <LanguageSwitcher base slug=page.slug.clone() current=locale/>
            </header>
            <div aria-live="polite">
                {move || match outcome.get() {
                    Some(Ok(order)) => result(order).into_any(),
                    _ => form().into_any(),
                }}
            </div>
            // Inside the widget's frame: report the content height to the page around it.
            {compact.then(|| view! { <script src="/embed-frame.js" defer></script> })}
        </section>
    }
}

/// Links to the same page in each language; plain links, so they work without WebAssembly.
#[component]
fn LanguageSwitcher(base: &'static str, slug: String, current: Locale) -> impl IntoView {
    view! {
        <nav class="languages" aria-label=t(current, "page.language")>
            <ul>
                {Locale::ALL.into_iter().map(|l| {
                    let href = format!("{base}/{slug}?locale={}", l.code());
                    view! {
                        <li>
                            // A full page load (rel="external"): the new page's styles carry its own nonce.
                            <a href=href rel="external" hreflang=l.code() lang=l.code()
                                aria-current=(l == current).then_some("true")>{l.native_name()}</a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </nav>
    }
}

fn focus_result() {
    use leptos::wasm_bindgen::JsCast;
    if let Some(heading) = document()
        .get_element_by_id("order-heading")
        .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = heading.focus();
    }
}

/// One labelled input with its hint and, when there is one, its error.
#[component]
fn Field(
    id: &'static str,
    label: String,
    kind: &'static str,
    autocomplete: &'static str,
    inputmode: &'static str,
    hint: String,
    value: RwSignal<String>,
    node_ref: NodeRef<leptos::html::Input>,
    errors: Signal<Vec<FieldError>>,
    locale: Locale,
) -> impl IntoView {
    // Field errors are shown in the shopper's language by their code.
    let error = move || {
        errors
            .get()
            .into_iter()
            .find(|e| e.field == id)
            .map(|e| t(locale, &format!("field.{}", e.code)))
    };
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = format!("{hint_id} {error_id}");
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id>{label}</label>
            <input
                id=id name=id type=kind autocomplete=autocomplete inputmode=inputmode
                spellcheck="false" autocapitalize="off" required
                aria-describedby=described
                aria-invalid=move || if error().is_some() { "true" } else { "false" }
                value=move || value.get()
                node_ref=node_ref
            />
            <p class="hint" id=hint_id>{hint}</p>
            <p class="field-error" id=error_id>{error}</p>
        </div>
    }
}
