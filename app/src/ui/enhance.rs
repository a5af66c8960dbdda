//! The lookup island in the browser: a lookup without a page load. The form is
//! posted in the background to its own address, asking (by a header) for the
//! lookup's part of the page only, and the server's rendering of the outcome is
//! put in the form's place. Anything unexpected falls back to the plain post.

use super::lookup_form::{FRAGMENT_HEADER, FRAGMENT_LOOKUP};
use leptos::wasm_bindgen::{JsCast, JsValue};
use leptos::web_sys::{Element, Event, FormData, HtmlElement, HtmlFormElement, RequestInit, Response, UrlSearchParams};
use std::cell::RefCell;

thread_local! {
    /// The region's first content, an empty form: what "look up another order" brings back.
    static EMPTY_FORM: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Once hydrated: keeps the empty form and marks the form as taken over.
pub fn start(region: HtmlElement) {
    EMPTY_FORM.with(|empty| *empty.borrow_mut() = Some(region.inner_html()));
    mark_hydrated(&region);
}

/// A submit inside the region: a lookup, or "look up another order".
pub fn on_submit(ev: Event, region: HtmlElement) {
    let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else {
        return;
    };
    match form.get_attribute("data-lookup").as_deref() {
        Some("find") => {
            ev.prevent_default();
            if form.get_attribute("aria-busy").is_none() {
                leptos::task::spawn_local(find(form, region));
            }
        }
        Some("again") => {
            if let Some(empty) = EMPTY_FORM.with(|empty| empty.borrow().clone()) {
                ev.prevent_default();
                region.set_inner_html(&empty);
                mark_hydrated(&region);
                focus(&region, "input");
            }
        }
        _ => {}
    }
}

/// Posts the form in the background and shows what the server rendered;
/// on anything else, posts it the plain way.
async fn find(form: HtmlFormElement, region: HtmlElement) {
    let _ = form.set_attribute("aria-busy", "true");
    if let Ok(Some(button)) = form.query_selector("button[type=submit]") {
        let _ = button.set_attribute("disabled", "");
        let _ = button.set_attribute("aria-busy", "true");
        if let Some(busy) = button.get_attribute("data-busy") {
            button.set_text_content(Some(&busy));
        }
    }
    match fragment(&form).await {
        Some(html) => {
            region.set_inner_html(&html);
            mark_hydrated(&region);
            // The order's heading when found, else the first field to correct, else the first field.
            let _ = focus(&region, "#order-heading")
                || focus(&region, "[aria-invalid=\"true\"]")
                || focus(&region, "input");
        }
        None => {
            let _ = form.submit();
        }
    }
}

/// The server's rendering of the lookup the form asks for, if the answer is one.
async fn fragment(form: &HtmlFormElement) -> Option<String> {
    let data = FormData::new_with_form(form).ok()?;
    let body = UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&body);
    let headers = leptos::web_sys::Headers::new().ok()?;
    headers.set(FRAGMENT_HEADER, FRAGMENT_LOOKUP).ok()?;
    init.set_headers(&headers);
    let window = leptos::web_sys::window()?;
    let answer = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(&form.action(), &init))
        .await
        .ok()?
        .dyn_into::<Response>()
        .ok()?;
    let ours = answer.headers().get(FRAGMENT_HEADER).ok()?;
    if ours.as_deref() != Some(FRAGMENT_LOOKUP) {
        return None;
    }
    let text: JsValue = wasm_bindgen_futures::JsFuture::from(answer.text().ok()?).await.ok()?;
    text.as_string()
}

fn mark_hydrated(region: &HtmlElement) {
    if let Ok(Some(form)) = region.query_selector("form[data-lookup=find]") {
        let _ = form.set_attribute("data-hydrated", "true");
    }
}

/// Moves focus to the first element matching `selector`; whether there was one.
fn focus(region: &HtmlElement, selector: &str) -> bool {
    let found = region
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e: Element| e.dyn_into::<HtmlElement>().ok());
    match found {
        Some(element) => element.focus().is_ok(),
        None => false,
    }
}
