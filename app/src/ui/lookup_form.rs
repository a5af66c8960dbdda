//! The lookup: the form and its in-place result, the page's one island. Works as
//! a plain HTML form post without WebAssembly; once hydrated, looks up without a
//! page load.

use super::order::OrderView;
use super::PostedLookup;
use crate::errors::{FieldError, LookupError};
use crate::i18n::{t, Locale};
use crate::lookup::TrackOrder;
use crate::normalize::check_lookup;
use crate::view::ShopperView;
use leptos::prelude::*;

/// The lookup form and, in its place once found, the order. The island: everything
/// the browser runs. Its props are what the server writes into the page for it.
/// `here` is the page's own address (the plain form post's target); `keep_locale`
/// and `keep_accent` are kept in the "look up another order" link.
#[island]
pub fn LookupForm(
    slug: String,
    locale: Locale,
    here: String,
    keep_locale: Option<String>,
    keep_accent: Option<String>,
) -> impl IntoView {
    // A lookup that arrived as a plain form post (rendered on the server only).
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
        <div aria-live="polite">
            {move || match outcome.get() {
                Some(Ok(order)) => result(order).into_any(),
                _ => form().into_any(),
            }}
        </div>
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
