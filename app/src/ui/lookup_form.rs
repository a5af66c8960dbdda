//! The lookup: the form and its in-place result, the page's one island. Works as
//! a plain HTML form post without WebAssembly; once hydrated, looks up without a
//! page load.
//!
//! What the browser runs is kept small: the words the form shows come in its
//! props, already in the shopper's language, and a found order comes back from
//! the server as HTML rendered there (`TrackOrderHtml`), so the WebAssembly
//! carries neither the translations nor the order's rendering.

use crate::errors::{FieldError, LookupError};
use crate::i18n::{t, Locale};
use crate::lookup::TrackOrderHtml;
use crate::normalize::{check_lookup, LOOKUP_ERROR_CODES};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The form's words in one language, written into the page for the island.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormText {
    email_label: String,
    email_hint: String,
    number_label: String,
    number_hint: String,
    submit: String,
    submitting: String,
    again: String,
    not_found: String,
    not_found_help: String,
    unavailable: String,
    /// With `%{minutes}` in it.
    rate_limited: String,
    /// The message for each field error code (`email_required`, …).
    fields: Vec<(String, String)>,
}

impl FormText {
    /// The words in `locale`.
    pub fn new(locale: Locale) -> FormText {
        let word = |key: &str| t(locale, key);
        FormText {
            email_label: word("form.email_label"),
            email_hint: word("form.email_hint"),
            number_label: word("form.number_label"),
            number_hint: word("form.number_hint"),
            submit: word("form.submit"),
            submitting: word("form.submitting"),
            again: word("form.again"),
            not_found: word("error.not_found"),
            not_found_help: word("error.not_found_help"),
            unavailable: word("error.unavailable"),
            rate_limited: word("error.rate_limited"),
            fields: LOOKUP_ERROR_CODES
                .iter()
                .map(|code| (code.to_string(), word(&format!("field.{code}"))))
                .collect(),
        }
    }

    fn field(&self, code: &str) -> String {
        self.fields
            .iter()
            .find(|(c, _)| c == code)
            .map_or_else(|| self.unavailable.clone(), |(_, message)| message.clone())
    }
}

/// A lookup that arrived as a plain form post, its order rendered as HTML
/// (provided on the server only; such a page is not hydrated).
#[derive(Debug, Clone)]
pub struct PostedResult {
    pub email: String,
    pub order_number: String,
    pub result: Result<String, LookupError>,
}

/// The lookup form and, in its place once found, the order. The island: everything
/// the browser runs. Its props are what the server writes into the page for it.
/// `here` is the page's own address (the plain form post's target); `keep_locale`
/// and `keep_accent` are kept in the "look up another order" link.
#[island]
pub fn LookupForm(
    slug: String,
    locale: Locale,
    text: FormText,
    here: String,
    keep_locale: Option<String>,
    keep_accent: Option<String>,
) -> impl IntoView {
    let text = Arc::new(text);
    // A lookup that arrived as a plain form post (rendered on the server only).
    let posted = use_context::<PostedResult>();
    let action = ServerAction::<TrackOrderHtml>::new();
    let pending = action.pending();
    let local_errors = RwSignal::new(Vec::<FieldError>::new());
    let email = RwSignal::new(posted.as_ref().map(|p| p.email.clone()).unwrap_or_default());
    let order_number = RwSignal::new(posted.as_ref().map(|p| p.order_number.clone()).unwrap_or_default());
    let posted_result = posted.map(|p| p.result);
    let outcome: Signal<Option<Result<String, LookupError>>> =
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
    let form_text = text.clone();
    let form = move || {
        let text = form_text.clone();
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
                    action.dispatch(TrackOrderHtml {
                        shop: slug.clone(),
                        email: typed_email,
                        order_number: typed_number,
                        locale,
                    });
                }
            }
        };
        let miss_text = text.clone();
        let miss = move || match outcome.get() {
            Some(Err(LookupError::NotFound)) => Some(
                view! {
                    <div class="notice" role="alert">
                        <p><strong>{miss_text.not_found.clone()}</strong></p>
                        <p>{miss_text.not_found_help.clone()}</p>
                    </div>
                }
                .into_any(),
            ),
            Some(Err(LookupError::RateLimited { retry_after_secs })) => {
                let minutes = retry_after_secs.div_ceil(60).to_string();
                let message = miss_text.rate_limited.replace("%{minutes}", &minutes);
                Some(view! { <div class="notice error" role="alert"><p>{message}</p></div> }.into_any())
            }
            Some(Err(LookupError::Unavailable)) => Some(
                view! { <div class="notice error" role="alert"><p>{miss_text.unavailable.clone()}</p></div> }
                    .into_any(),
            ),
            _ => None,
        };
        let (submit, submitting) = (text.submit.clone(), text.submitting.clone());
        view! {
            <form
                class="lookup" method="post" action=action_url.clone() novalidate
                data-hydrated=move || hydrated.get().to_string() on:submit=on_submit
            >
                {miss}
                <Field
                    id="email" label=text.email_label.clone() kind="email" autocomplete="email" inputmode="email"
                    hint=text.email_hint.clone() value=email node_ref=email_ref errors text=text.clone()
                />
                <Field
                    id="order_number" label=text.number_label.clone() kind="text" autocomplete="off"
                    inputmode="text" hint=text.number_hint.clone() value=order_number node_ref=number_ref
                    errors text=text.clone()
                />
                <button type="submit" class="primary" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
                    {move || if pending.get() { submitting.clone() } else { submit.clone() }}
                </button>
            </form>
        }
    };

    let again_url = here.clone();
    let again = text.again.clone();
    // The order as the server rendered it (escaped there, like every page it renders).
    let result = move |order_html: String| {
        view! {
            <div class="result">
                <div class="result-order" inner_html=order_html></div>
                <form method="get" action=again_url.clone()>
                    {keep_locale.clone().map(|code| view! { <input type="hidden" name="locale" value=code/> })}
                    {keep_accent.clone().map(|a| view! { <input type="hidden" name="accent" value=a/> })}
                    <button type="submit" class="secondary" on:click=move |ev| {
                        ev.prevent_default();
                        email.set(String::new());
                        order_number.set(String::new());
                        action.value().set(None);
                    }>{again.clone()}</button>
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
    text: Arc<FormText>,
) -> impl IntoView {
    // Field errors are shown in the shopper's language by their code.
    let error = Signal::derive(move || {
        errors
            .get()
            .into_iter()
            .find(|e| e.field == id)
            .map(|e| text.field(&e.code))
    });
    let error = move || error.get();
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
